"""The service bench/load.py drives: `anju serve --workers N` on loopback over PostgreSQL.

A fresh schema on the test server (127.0.0.1:5432, database test) unless a database URL is
given; the schema is dropped afterwards. The service answers from the bundled demo material,
in plaintext mode (the load is the answering, not the AES of safe mode, which bench/webhook.py
measures).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from processes import free_port
from sqlalchemy import create_engine, text

from knowledge.database import normalize_database_url

TEST_SERVER = "postgresql://127.0.0.1:5432/test"
TOKEN = "benchLoadToken"
STARTUP_SECONDS = 120.0
RUN_MAIN = "import sys; from handlers.cli import main; sys.exit(main())"


@contextmanager
def bench_database(url: str | None) -> Iterator[str]:
    """url, or a fresh schema on the test server (dropped at the end)."""
    if url:
        yield url
        return
    admin = create_engine(normalize_database_url(TEST_SERVER), isolation_level="AUTOCOMMIT")
    schema = f"bench_{secrets.token_hex(5)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{TEST_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def children_of(pid: int) -> list[int]:
    """Processes whose parent is pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


@dataclass
class Service:
    """A running `anju serve`."""

    process: subprocess.Popen[bytes]
    port: int
    database_url: str
    log: Path

    def workers(self) -> list[int]:
        """The worker processes (the server itself when it runs one)."""
        return children_of(self.process.pid) or [self.process.pid]

    def stop(self) -> int:
        """SIGTERM, then wait; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=120)

    def count_records(self, prefix: str) -> int:
        """Records of residents whose key starts with prefix."""
        engine = create_engine(normalize_database_url(self.database_url))
        try:
            with engine.connect() as connection:
                found = connection.execute(
                    text("SELECT count(*) FROM interaction WHERE resident_key LIKE :p"),
                    {"p": prefix + "%"},
                ).scalar_one()
        finally:
            engine.dispose()
        return int(found)


def start(database_url: str, workers: int, state_store: str, folder: Path) -> Service:
    """Start the service on a free loopback port and wait until every worker serves."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ANJU_")}
    environment |= {
        "ANJU_DATABASE_URL": database_url,
        "ANJU_HOST": "127.0.0.1",
        "ANJU_PORT": str(port),
        "ANJU_WECHAT_TOKEN": TOKEN,
        "ANJU_STATE_STORE": state_store,
        "ANJU_SESSION_SECRET": secrets.token_urlsafe(32),
    }
    log = folder / "serve.log"
    command = [sys.executable, "-c", RUN_MAIN, "--log-level", "info", "serve"]
    with log.open("wb") as written:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            cwd=folder,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=written,
        )
    service = Service(process, port, database_url, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"anju serve exited with {process.returncode}: see {log}")
        serving = log.read_text("utf-8", "replace").count(" serving")
        if workers == 1 or serving >= workers:
            try:
                url = f"http://127.0.0.1:{port}/healthz"
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status == 200:
                        return service
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.2)
    service.stop()
    raise SystemExit("anju serve did not become ready in time")
