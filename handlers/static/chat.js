// The web chat on the home page: asks POST /api/ask, shows the answer with links to its
// sources, rates it with POST /api/feedback, and polls GET /api/replies for staff replies.
// Everything from the server is put in as text (textContent), never as markup.
(() => {
  "use strict";

  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const log = document.getElementById("chat-log");
  const send = document.getElementById("chat-send");
  const suggestions = document.getElementById("chat-suggestions");
  if (!form || !input || !log || !send) {
    return;
  }

  const USER_KEY = "anju-chat-user";
  const SINCE_KEY = "anju-replies-since";
  const POLL_MS = 20000;
  // Answers that can be rated (not greetings, menus or ratings themselves).
  const RATEABLE = new Set([
    "answered", "not_found", "result", "ask_for_tail", "privacy_refused",
    "complaint", "out_of_scope", "handoff",
  ]);
  let busy = false;
  let pollTimer = null;

  const stored = (key) => {
    try { return window.localStorage.getItem(key) || ""; } catch (error) { return ""; }
  };
  const store = (key, value) => {
    try { window.localStorage.setItem(key, value); } catch (error) { /* private mode */ }
  };

  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  };

  const scrollToEnd = () => {
    log.scrollTop = log.scrollHeight;
  };

  const addMessage = (who, text) => {
    const item = element("li", `msg msg-${who}`);
    const bubble = element("div", "bubble", text);
    item.appendChild(bubble);
    log.appendChild(item);
    scrollToEnd();
    return item;
  };

  // The answer ends with its sources as a line of text ("来源：《…》"); here they are links.
  const withoutSourceLine = (text, sources) => {
    if (!sources || !sources.some((s) => typeof s.url === "string" && s.url.startsWith("/"))) {
      return text;
    }
    const lines = text.split("\n");
    while (lines.length > 1 && lines[lines.length - 1].startsWith("来源：")) { lines.pop(); }
    return lines.join("\n");
  };

  const addSources = (item, sources) => {
    const links = (sources || []).filter((s) => typeof s.url === "string" && s.url.startsWith("/"));
    if (!links.length) { return; }
    const box = element("div", "sources");
    box.appendChild(element("span", "sources-label", "来源："));
    const list = element("ul");
    links.forEach((source) => {
      const entry = element("li");
      const link = element("a", "", `《${source.title}》`);
      link.href = source.url;
      entry.appendChild(link);
      if (source.date) { entry.appendChild(element("span", "source-date", source.date)); }
      list.appendChild(entry);
    });
    box.appendChild(list);
    item.appendChild(box);
  };

  const rate = async (box, record, rating) => {
    box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      const response = await fetch("/api/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ record, rating, user: stored(USER_KEY) || undefined }),
      });
      const data = await response.json();
      box.textContent = "";
      box.appendChild(element("span", "rated", response.ok ? data.message : (data.error || "评价失败，请稍后再试。")));
    } catch (error) {
      box.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  };

  const addRating = (item, record) => {
    const box = element("div", "rating");
    box.appendChild(element("span", "rating-label", "这个回答对您有帮助吗？"));
    [["satisfied", "满意"], ["dissatisfied", "不满意"]].forEach(([value, label]) => {
      const button = element("button", "button button-small", label);
      button.type = "button";
      button.addEventListener("click", () => rate(box, record, value));
      box.appendChild(button);
    });
    item.appendChild(box);
  };

  const showReplies = async () => {
    const user = stored(USER_KEY);
    if (!user || document.hidden) { return; }
    const since = stored(SINCE_KEY);
    const query = new URLSearchParams({ user });
    if (since) { query.set("since", since); }
    try {
      const response = await fetch(`/api/replies?${query}`, { credentials: "same-origin" });
      if (!response.ok) { return; }
      const data = await response.json();
      (data.replies || []).forEach((reply) => {
        const item = addMessage("staff", reply.reply);
        item.insertBefore(element("div", "msg-from", `工作人员答复（编号 ${reply.record}）`), item.firstChild);
        store(SINCE_KEY, reply.replied_at);
      });
    } catch (error) {
      // Offline for a moment: the next poll tries again.
    }
  };

  const startPolling = () => {
    if (pollTimer === null) {
      pollTimer = window.setInterval(showReplies, POLL_MS);
    }
  };

  const ask = async (text) => {
    if (busy || !text.trim()) { return; }
    busy = true;
    send.disabled = true;
    addMessage("resident", text);
    const waiting = addMessage("bot", "正在查找……");
    waiting.classList.add("msg-waiting");
    if (!stored(SINCE_KEY)) { store(SINCE_KEY, new Date().toISOString()); }
    try {
      const response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ text, user: stored(USER_KEY) || undefined }),
      });
      const data = await response.json();
      waiting.remove();
      if (!response.ok) {
        addMessage("bot", data.error || "抱歉，暂时无法回答，请稍后再试。");
        return;
      }
      if (data.user) { store(USER_KEY, data.user); }
      const item = addMessage("bot", withoutSourceLine(data.answer, data.sources));
      addSources(item, data.sources);
      if (data.record) {
        item.appendChild(element("div", "record-number", `记录编号 ${data.record}`));
      }
      if (data.record && RATEABLE.has(data.kind)) { addRating(item, data.record); }
      startPolling();
    } catch (error) {
      waiting.remove();
      addMessage("bot", "网络连接出现问题，请稍后再试。");
    } finally {
      busy = false;
      send.disabled = false;
      scrollToEnd();
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    input.value = "";
    ask(text);
    input.focus();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  if (suggestions) {
    suggestions.addEventListener("click", (event) => {
      const chip = event.target.closest("[data-question]");
      if (chip) { ask(chip.dataset.question); }
    });
  }

  document.addEventListener("visibilitychange", showReplies);
  if (stored(USER_KEY)) {
    showReplies();
    startPolling();
  }
})();
