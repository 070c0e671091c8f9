"""Crash proof: under a steady load of webhook messages, workers and then the whole service are
killed with SIGKILL and restarted; nothing answered is lost and nothing retried is doubled.

The client behaves like the WeChat platform: every message is unique (its own MsgId), each try
is a new signed request, and a message is tried up to three times, a try every TRY_SECONDS
(WeChat waits 5 s; shortened here), after which WeChat gives up. After the run:

- every message that got a reply is stored exactly once, with the reply that was sent;
- no message is stored twice, whether or not it was retried across a crash;
- messages were indeed retried across the crashes and answered (or the proof proves nothing).

About 20 s: two worker starts, a service restart and the load between them.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from knowledge.database import normalize_database_url
from tests.handlers.serve_processes import (
    Service,
    connections_held,
    own_schema,
    reply_content,
    restart,
    signed_target,
    start_service,
    stored_replies,
    text_push,
)

pytestmark = pytest.mark.postgres

TRIES = 3
TRY_SECONDS = 3.0
SENDERS = 6
QUESTIONS = (
    "公租房申请条件是什么",
    "申请公租房需要什么材料",
    "什么时候摇号",
    "锦绣家园还有房吗",
    "租金标准是多少",
    "租赁补贴怎么申请",
    "住建局电话多少",
    "小区电梯坏了三天没人修",
)


@dataclass
class Sent:
    """One message and what became of each of its tries."""

    msg_id: int
    tries: list[str] = field(default_factory=list)  # "ok", or why the try failed
    reply: str | None = None
    first_try_at: float = 0.0
    replied_at: float = 0.0

    @property
    def retried(self) -> bool:
        return len(self.tries) > 1


class WeChatLikeClient:
    """Sends unique signed messages from several threads until stopped, retrying like WeChat."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._ids = itertools.count(7_000_000_000)
        self._lock = threading.Lock()
        self.sent: list[Sent] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._send_until_stopped, args=(n,)) for n in range(SENDERS)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop sending new messages; wait for those begun (retries included)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=TRIES * TRY_SECONDS + 30)

    def _send_until_stopped(self, sender: int) -> None:
        for number in itertools.count():
            if self._stop.is_set():
                return
            with self._lock:
                message = Sent(next(self._ids))
                self.sent.append(message)
            # A few messages per resident: the rate limit never answers instead of the bot.
            resident = f"oCrash{sender}x{number // 4:05d}"
            self._deliver(message, resident, QUESTIONS[number % len(QUESTIONS)])

    def _deliver(self, message: Sent, resident: str, question: str) -> None:
        body = text_push(resident, question, message.msg_id)
        message.first_try_at = time.monotonic()
        for attempt in range(TRIES):
            began = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=TRY_SECONDS)
            try:
                target = signed_target(resident, f"{message.msg_id}n{attempt}")
                connection.request("POST", target, body, {"Content-Type": "text/xml"})
                response = connection.getresponse()
                status, raw = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                message.tries.append(type(error).__name__)
            else:
                if status == 200:
                    message.tries.append("ok")
                    message.reply = reply_content(raw)
                    message.replied_at = time.monotonic()
                    return
                message.tries.append(f"HTTP {status}")
            finally:
                connection.close()
            # WeChat's next try comes when the last one's time is up, not sooner.
            time.sleep(max(0.0, TRY_SECONDS - (time.monotonic() - began)))


@contextlib.contextmanager
def holding_records(database_url: str) -> Iterator[None]:
    """While inside, no record can be inserted (requests wait for the lock)."""
    engine = create_engine(normalize_database_url(database_url))
    connection = engine.connect()
    try:
        connection.execute(text("BEGIN"))
        connection.execute(text("LOCK TABLE interaction IN EXCLUSIVE MODE"))
        yield
    finally:
        connection.execute(text("ROLLBACK"))
        connection.close()
        engine.dispose()


@pytest.fixture
def schema(postgres_admin: Engine) -> Iterator[str]:
    with own_schema(postgres_admin) as url:
        yield url


def test_sigkill_loses_no_answered_message_and_doubles_no_retry(
    schema: str, tmp_path: Path
) -> None:
    service: Service = start_service(tmp_path, schema, 2)
    client = WeChatLikeClient(service.port)
    client.start()
    try:
        time.sleep(2.0)
        # One worker dies with requests in flight (held up by a lock on the records, so that
        # it certainly has some); the other serves, the supervisor starts a new one.
        with holding_records(schema):
            time.sleep(0.5)
            held = connections_held(service.port, service.workers())
            busiest = max(held, key=lambda pid: held[pid])
            assert held[busiest] > 0, held
            worker_killed_at = time.monotonic()
            os.kill(busiest, signal.SIGKILL)
            time.sleep(0.2)
        time.sleep(2.5)
        # The whole service dies at once, and is started again.
        service_killed_at = time.monotonic()
        service.kill()
        time.sleep(0.5)
        service = restart(service, tmp_path, 2)
        time.sleep(2.0)
    finally:
        client.stop()
        if service.process.poll() is None:
            assert service.stop() == 0, service.log_text()
    stored = stored_replies(schema)
    counts = {m.msg_id: len(stored.get(f"msg:{m.msg_id}", [])) for m in client.sent}
    replied = [m for m in client.sent if m.reply is not None]
    summary = (
        f"{len(client.sent)} messages, {len(replied)} answered, "
        f"{sum(m.retried for m in client.sent)} retried"
    )
    assert len(replied) > 200, f"too little load to prove anything: {summary}"
    # Every answered message is stored exactly once, holding the reply that was sent.
    assert [m.msg_id for m in replied if counts[m.msg_id] != 1] == []
    assert [m.msg_id for m in replied if m.reply and stored[f"msg:{m.msg_id}"] != [m.reply]] == []
    # Nothing is ever stored twice, answered or not.
    assert max(counts.values()) == 1
    # Messages were retried across each crash and answered after it.
    for killed_at in (worker_killed_at, service_killed_at):
        across = [m for m in replied if m.retried and m.first_try_at < killed_at < m.replied_at]
        assert across, f"no message was retried across the crash at {killed_at}: {summary}"
        assert all(counts[m.msg_id] == 1 for m in across)
