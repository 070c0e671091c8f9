"""`anju serve --workers 2` on PostgreSQL: what one worker does, the other knows.

One service (two worker processes on one port) is started for the module; each test pins
keep-alive connections to given workers (found through /proc) and checks what they share:
exactly-once records, record numbers, conversation context and published Q&A.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine

from handlers.staff.accounts import Role, create_user
from knowledge.database import open_engine
from tests.handlers.serve_processes import (
    Connection,
    Service,
    own_schema,
    start_service,
    stored_dedup_keys,
)

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery"
PUBLISHED_QUESTION = "公租房可以申请安装电动汽车充电桩吗"
PUBLISHED_ANSWER = (
    "可以。承租人向小区物业服务中心提出申请，经同意后由供电部门安装，费用由承租人承担。"
)
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
_TICKET = re.compile(r"登记编号：(HD\d+)")


@pytest.fixture(scope="module")
def service(postgres_admin: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """Two workers over a schema of their own, with the default ANJU_INDEX_POLL_SECONDS."""
    folder = tmp_path_factory.mktemp("two_workers")
    with own_schema(postgres_admin) as url:
        running = start_service(folder, url, 2)
        try:
            yield running
        finally:
            assert running.stop() == 0, running.log_text()


@pytest.fixture
def pinned(service: Service) -> Iterator[tuple[Connection, Connection]]:
    """A connection to each worker: (the first, the second)."""
    first, second = service.connection_per_worker(2)
    yield first, second
    first.close()
    second.close()


def at_once(
    sends: list[tuple[Connection, str, str, int, str]],
) -> list[tuple[int, str]]:
    """Push every (connection, resident, text, MsgId, nonce) at the same moment."""
    start = threading.Barrier(len(sends))
    replies: list[tuple[int, str]] = [(0, "")] * len(sends)

    def send(index: int) -> None:
        connection, resident, content, msg_id, nonce = sends[index]
        start.wait()
        replies[index] = connection.push(resident, content, msg_id, nonce)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


@pytest.mark.parametrize(
    ("question", "first_msg_id"),
    [
        ("公租房申请需要什么材料", 6_200_000_100),
        ("锦绣家园还有房吗", 6_200_000_200),
        ("小区电梯坏了三天没人修", 6_200_000_300),
        ("住建局电话多少", 6_200_000_400),
    ],
)
def test_one_message_at_both_workers_at_once_is_one_record_with_one_reply(
    service: Service, pinned: tuple[Connection, Connection], question: str, first_msg_id: int
) -> None:
    first, second = pinned
    msg_ids = [first_msg_id + n for n in range(5)]
    for n, msg_id in enumerate(msg_ids):
        resident = f"oTwoWorkers{msg_id}"
        replies = at_once(
            [
                (first, resident, question, msg_id, f"a{n}"),
                (second, resident, question, msg_id, f"b{n}"),
            ]
        )
        assert [status for status, _ in replies] == [200, 200]
        assert replies[0][1] and replies[0][1] == replies[1][1]
    stored = stored_dedup_keys(service.database_url)
    assert [stored.get(f"msg:{msg_id}") for msg_id in msg_ids] == [1] * len(msg_ids)


def test_record_numbers_from_both_workers_never_collide(
    pinned: tuple[Connection, Connection],
) -> None:
    replies: list[str] = []

    def send_eight(connection: Connection, worker: int) -> None:
        for n in range(8):
            resident, msg_id = f"oNumbered{worker}{n:03d}", 6_300_000_000 + worker * 100 + n
            replies.append(connection.push(resident, "小区电梯坏了三天没人修", msg_id, f"n{n}")[1])

    threads = [threading.Thread(target=send_eight, args=(c, w)) for w, c in enumerate(pinned)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [found.group(1) for reply in replies if (found := _TICKET.search(reply))]
    assert len(numbers) == 16
    assert len(set(numbers)) == 16


def test_a_follow_up_at_the_other_worker_completes_the_first_turn(
    pinned: tuple[Connection, Connection],
) -> None:
    first, second = pinned
    status, asked = first.push("oFollowUp0001", "我叫韩志勇，审核过了没", 6_400_000_001, "f1")
    assert status == 200 and "后四位" in asked
    status, answered = second.push("oFollowUp0001", "后四位2657", 6_400_000_002, "f2")
    assert status == 200 and "韩志勇" in answered
    # The same words from a resident who gave no name: the bot asks again.
    status, alone = second.push("oFollowUp0002", "后四位2657", 6_400_000_003, "f3")
    assert status == 200 and "韩志勇" not in alone


def publish_through(connection: Connection, service: Service) -> None:
    """Sign in to the staff workspace on this connection and publish the Q&A."""
    engine = open_engine(service.database_url)
    try:
        create_user(engine, "publisher1", Role.PUBLISHER, PASSWORD)
    finally:
        engine.dispose()
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def csrf(path: str) -> str:
        status, page = connection.request("GET", path)
        found = _CSRF.search(page.decode("utf-8"))
        assert status == 200 and found is not None
        return found.group(1)

    login = {"csrf_token": csrf("/staff/login"), "name": "publisher1", "password": PASSWORD}
    assert connection.request("POST", "/staff/login", urlencode(login).encode(), form)[0] == 303
    new = {"csrf_token": csrf("/staff/qa/new"), "question": PUBLISHED_QUESTION}
    new["answer"] = PUBLISHED_ANSWER
    assert connection.request("POST", "/staff/qa/new", urlencode(new).encode(), form)[0] == 303


def test_a_qa_published_through_one_worker_is_answered_by_the_other_within_5_s(
    service: Service, pinned: tuple[Connection, Connection]
) -> None:
    first, second = pinned
    before = second.push("oPublished0000", PUBLISHED_QUESTION, 6_500_000_000, "p0")[1]
    assert PUBLISHED_ANSWER not in before
    publish_through(first, service)
    published = time.monotonic()
    for attempt in range(1, 100):
        # A resident of their own each time: never slowed down by the rate limit.
        resident, msg_id = f"oPublished{attempt:04d}", 6_500_000_000 + attempt
        reply = second.push(resident, PUBLISHED_QUESTION, msg_id, f"p{attempt}")[1]
        if PUBLISHED_ANSWER in reply:
            break
        time.sleep(0.1)
    assert PUBLISHED_ANSWER in reply
    assert time.monotonic() - published < 5.0
