-- wrk script of bench/webhook.py
-- Each request is the next pre-built signed message; a message is reused only if they run out.
local requests = {}
local count = 0
local index = 0
wrapped = 0
replies = 0
successes = 0
local threads = {}

setup = function(thread) table.insert(threads, thread) end

init = function(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\t", 1, true)
    count = count + 1
    requests[count] = wrk.format("POST", line:sub(1, tab - 1),
      {["Content-Type"] = "text/xml"}, line:sub(tab + 1))
  end
end

request = function()
  index = index + 1
  if index > count then index = 1; wrapped = wrapped + 1 end
  return requests[index]
end

response = function(status, headers, body)
  if body == "success" then successes = successes + 1 else replies = replies + 1 end
end

done = function(summary, latency, requests)
  local wraps, texts, silent = 0, 0, 0
  for _, thread in ipairs(threads) do
    wraps = wraps + thread:get("wrapped")
    texts = texts + thread:get("replies")
    silent = silent + thread:get("successes")
  end
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d "
      .. "wrapped=%d replies=%d successes=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, wraps, texts, silent))
end
