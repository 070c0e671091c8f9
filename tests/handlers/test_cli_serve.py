"""`anju serve` as a real process over loopback: a request in flight at SIGTERM gets its reply.

The test holds SQLite's write lock while the request arrives, so the handler is certainly
still running (its record waits for the lock) when SIGTERM comes; the lock is let go after.
(A request whose body is still arriving at SIGTERM is not finished: aiohttp stops reading
from every connection when it shuts down.)
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.settings import SETTINGS

STARTUP_SECONDS = 90.0
SHUTDOWN_TIMEOUT = 10
RUN_MAIN = "import sys; from handlers.cli import main; sys.exit(main())"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until_healthy(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"anju serve exited with {process.returncode} while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError("anju serve did not become healthy in time")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """`anju serve` on a free loopback port over a SQLite file, answering from the demo."""
    port = free_port()
    database = tmp_path / "anju.sqlite3"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ANJU_")}
    assert {s.variable for s in SETTINGS} >= {"ANJU_SHUTDOWN_TIMEOUT_SECONDS"}
    environment |= {
        "ANJU_DATABASE_URL": f"sqlite:///{database}",
        "ANJU_HOST": "127.0.0.1",
        "ANJU_PORT": str(port),
        "ANJU_SHUTDOWN_TIMEOUT_SECONDS": str(SHUTDOWN_TIMEOUT),
        "ANJU_LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_MAIN, "--log-level", "info", "serve"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_healthy(process, port)
        yield process, port, database
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def read_reply(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def test_a_request_in_flight_at_sigterm_gets_its_reply_and_its_record(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, database = server
    body = json.dumps({"text": "公租房申请要什么材料", "user": "web-1"}).encode("utf-8")
    request = (
        f"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii") + body
    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        connection.sendall(request)
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert process.poll() is None, "the server quit with a request in flight"
        # It no longer takes new connections, but finishes the one in flight.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    with connection:
        reply = read_reply(connection)
    status, _, rest = reply.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK"
    answer = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert answer["answer"] and answer["record"].startswith("HD")
    assert process.wait(timeout=SHUTDOWN_TIMEOUT + 20) == 0
    stored = sqlite3.connect(database)
    assert stored.execute("SELECT question FROM interaction").fetchall() == [
        ("公租房申请要什么材料",)
    ]
    stored.close()
    assert process.stderr is not None
    lines = process.stderr.read().decode("utf-8").splitlines()
    # ANJU_LOG_FORMAT=json: every line the service logged is a JSON object.
    assert lines and all(json.loads(line)["level"] for line in lines)
