"""Tests for handlers/workers.py: refusing what cannot work, and the supervisor's processes.

The process tests run `anju serve --workers 2` on PostgreSQL: a killed worker is replaced, a
SIGTERM lets every worker finish its requests in flight, and workers whose supervisor was
killed stop on their own (so a restarted service gets its port back).
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from handlers.settings import Secret, Settings, SettingsError
from handlers.workers import check_workers, listening_socket, shared_settings
from knowledge.database import normalize_database_url
from tests.handlers.serve_processes import (
    RUN_MAIN,
    Connection,
    Service,
    free_port,
    own_schema,
    start_service,
)

PG = "postgresql://127.0.0.1:5432/test"


@pytest.mark.parametrize(
    ("database_url", "workers", "state_store", "problem"),
    [
        ("sqlite:///anju.sqlite3", 1, "auto", ""),
        ("sqlite:///anju.sqlite3", 2, "auto", "needs PostgreSQL"),
        ("anju.sqlite3", 4, "auto", "needs PostgreSQL"),
        (PG, 2, "auto", ""),
        (PG, 2, "database", ""),
        (PG, 2, "memory", "ANJU_STATE_STORE=memory"),
        (PG, 1, "memory", ""),
    ],
)
def test_several_workers_need_postgresql_and_shared_state(
    database_url: str, workers: int, state_store: str, problem: str
) -> None:
    settings = Settings(database_url=database_url, workers=workers, state_store=state_store)
    if problem:
        with pytest.raises(SettingsError, match=problem):
            check_workers(settings)
    else:
        check_workers(settings)


@pytest.mark.parametrize(
    ("workers", "state_store", "in_database"),
    [(1, "auto", False), (2, "auto", True), (1, "database", True), (1, "memory", False)],
)
def test_state_lives_in_the_database_with_several_workers_or_when_asked(
    workers: int, state_store: str, in_database: bool
) -> None:
    settings = Settings(workers=workers, state_store=state_store)
    assert settings.state_in_database is in_database


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ANJU_WORKERS", "0"),
        ("ANJU_WORKERS", "33"),
        ("ANJU_WORKERS", "两个"),
        ("ANJU_STATE_STORE", "redis"),
    ],
)
def test_unusable_worker_settings_are_refused(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_workers_share_one_session_key_even_when_none_is_set() -> None:
    unset = shared_settings(Settings())
    assert len(str(unset.session_secret)) >= 32
    assert shared_settings(Settings()).session_secret != unset.session_secret
    configured = Settings(session_secret=Secret("一个足够长的会话密钥-0123456789abcdef"))
    assert shared_settings(configured) is configured


def test_the_listening_socket_waits_for_a_port_being_let_go() -> None:
    port = free_port()
    holder = socket.create_server(("127.0.0.1", port))
    threading.Timer(0.3, holder.close).start()
    with listening_socket("127.0.0.1", port, retry_seconds=5.0) as bound:
        assert bound.getsockname()[1] == port


def test_a_port_that_stays_taken_is_an_error() -> None:
    port = free_port()
    with socket.create_server(("127.0.0.1", port)), pytest.raises(OSError) as raised:
        listening_socket("127.0.0.1", port, retry_seconds=0.3)
    assert raised.value.errno == errno.EADDRINUSE


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ANJU_")}
    environment["ANJU_DATABASE_URL"] = f"sqlite:///{tmp_path / 'anju.sqlite3'}"
    finished = subprocess.run(
        [sys.executable, "-c", RUN_MAIN, "serve", "--workers", "2", "--port", str(free_port())],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        timeout=60,
    )
    assert finished.returncode == 2
    assert "needs PostgreSQL" in finished.stderr.decode("utf-8")
    assert not (tmp_path / "anju.sqlite3").exists()


@pytest.fixture
def service(postgres_admin: Engine, tmp_path: Path) -> Iterator[Service]:
    """`anju serve --workers 2` over a schema of its own."""
    with own_schema(postgres_admin) as url:
        running = start_service(tmp_path, url, 2, shutdown_timeout_seconds="20")
        try:
            yield running
        finally:
            if running.process.poll() is None:
                running.kill()


def wait_for(check: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def reaches_both(service: Service) -> bool:
    try:
        connections = service.connection_per_worker(2, tries=20)
    except AssertionError:
        return False
    for connection in connections:
        connection.close()
    return True


@pytest.mark.postgres
def test_a_killed_worker_is_replaced(service: Service) -> None:
    before = service.workers()
    os.kill(before[0], signal.SIGKILL)
    wait_for(lambda: len(service.workers()) == 2 and before[0] not in service.workers())
    after = service.workers()
    assert before[1] in after
    # The replacement takes requests once it has built its index.
    wait_for(lambda: reaches_both(service))
    assert "was killed by SIGKILL" in service.log_text()
    assert service.stop() == 0


@pytest.mark.postgres
def test_sigterm_lets_every_worker_finish_its_request_in_flight(service: Service) -> None:
    engine = create_engine(normalize_database_url(service.database_url))
    connections = service.connection_per_worker(2)
    replies: list[tuple[int, str]] = []
    lock = engine.connect()
    try:
        # Inserting a record now waits for this lock: both requests are certainly in flight.
        lock.execute(text("BEGIN"))
        lock.execute(text("LOCK TABLE interaction IN EXCLUSIVE MODE"))
        threads = [
            threading.Thread(
                target=lambda c=c, n=n: replies.append(
                    c.push(f"oInFlight{n}", "公租房申请需要什么材料", 6_600_000_000 + n, f"t{n}")
                )
            )
            for n, c in enumerate(connections)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        service.process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert service.process.poll() is None, "the service quit with requests in flight"
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", service.port), timeout=2).close()
    finally:
        lock.execute(text("ROLLBACK"))
        lock.close()
    for thread in threads:
        thread.join(timeout=30)
    for connection in connections:
        connection.close()
    assert sorted(status for status, _ in replies) == [200, 200]
    assert all("材料" in reply for _, reply in replies)
    assert service.process.wait(timeout=30) == 0
    with engine.connect() as database:
        stored = database.execute(
            text("SELECT count(*) FROM interaction WHERE resident_key LIKE 'oInFlight%'")
        ).scalar_one()
    engine.dispose()
    assert stored == 2


@pytest.mark.postgres
def test_workers_stop_when_their_supervisor_is_killed(service: Service) -> None:
    workers = service.workers()
    os.kill(service.process.pid, signal.SIGKILL)
    service.process.wait(timeout=10)
    wait_for(lambda: not any(alive(pid) for pid in workers), seconds=30)
    with pytest.raises(OSError):
        Connection(service.port, timeout=2)
