"""`anju serve` as real processes for tests: start, find the workers, pin connections, sign pushes.

Linux only (it reads /proc): which worker holds the server end of a connection is found from
the socket's inode, so a test can send the same message to two given workers at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import Engine, create_engine, text

from knowledge.database import normalize_database_url
from tests.conftest import POSTGRES_URL

_SERVING = re.compile(r"worker (\d+) serving")
RUN_MAIN = "import sys; from handlers.cli import main; sys.exit(main())"
STARTUP_SECONDS = 90.0
TOKEN = "anjuWorkersToken"
ACCOUNT = "gh_3b8c51d2e4f6"
SESSION_SECRET = "workers-test-session-secret-0123456789abcdef"


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def sign(*parts: str) -> str:
    """WeChat's signature: sha1 over the sorted parts (independent of the project's code)."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def text_push(resident: str, content: str, msg_id: int, create_time: int | None = None) -> bytes:
    """A text message as WeChat pushes it in plaintext mode."""
    created = create_time or int(time.time())
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{resident}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def signed_target(resident: str, nonce: str, token: str = TOKEN) -> str:
    """The /wechat URL of a plaintext-mode push, signed now."""
    timestamp = str(int(time.time()))
    query = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp}
    return "/wechat?" + urlencode(query | {"nonce": nonce, "openid": resident})


def reply_content(body: bytes) -> str:
    """The Content of a passive text reply ('' for anything else)."""
    raw = body.decode("utf-8", "replace")
    start, end = raw.find("<Content><![CDATA["), raw.find("]]></Content>")
    if start < 0 or end < 0:
        return ""
    return raw[start + len("<Content><![CDATA[") : end]


def rss_kib(pid: int) -> int:
    """The resident set size of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"process {pid} has no VmRSS")


def children_of(pid: int) -> list[int]:
    """The processes whose parent is pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may hold spaces: the fields follow the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _server_inode(server_port: int, client_port: int) -> str | None:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            return inode
    return None


def _accepted_inodes(server_port: int) -> set[str]:
    """The sockets of established connections to server_port (their server ends)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == server_port and fields[3] == "01":
            found.add(fields[9])
    return found


def _socket_inodes(pid: int) -> set[str]:
    found: set[str] = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return found
    for descriptor in descriptors:
        try:
            link = os.readlink(descriptor)
        except OSError:
            continue
        if link.startswith("socket:["):
            found.add(link[len("socket:[") : -1])
    return found


def connections_held(server_port: int, workers: list[int]) -> dict[int, int]:
    """How many accepted connections each worker holds."""
    accepted = _accepted_inodes(server_port)
    return {pid: len(_socket_inodes(pid) & accepted) for pid in workers}


def worker_holding(server_port: int, client_port: int, workers: list[int]) -> int | None:
    """Which of workers accepted the connection from client_port (None: none yet)."""
    inode = _server_inode(server_port, client_port)
    if inode is None:
        return None
    return next((pid for pid in workers if inode in _socket_inodes(pid)), None)


class Connection:
    """One keep-alive HTTP/1.1 connection (so every request reaches the same worker)."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.http.connect()
        assert self.http.sock is not None
        self.local_port: int = self.http.sock.getsockname()[1]
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, target: str, body: bytes | None = None, headers: Mapping[str, str] = {}
    ) -> tuple[int, bytes]:
        sent = dict(headers)
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.http.request(method, target, body=body, headers=sent)
        response = self.http.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read()

    def push(self, resident: str, content: str, msg_id: int, nonce: str) -> tuple[int, str]:
        status, body = self.request(
            "POST",
            signed_target(resident, nonce),
            text_push(resident, content, msg_id),
            {"Content-Type": "text/xml"},
        )
        return status, reply_content(body)

    def close(self) -> None:
        self.http.close()


@dataclass
class Service:
    """A running `anju serve` (its own process group) and how to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    database_url: str
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    def workers(self) -> list[int]:
        """The worker processes (the server itself when it runs one worker)."""
        return children_of(self.process.pid) or [self.process.pid]

    def connection_per_worker(self, count: int, tries: int = 200) -> list[Connection]:
        """One pinned connection to each of `count` different workers."""
        workers = self.workers()
        pinned: dict[int, Connection] = {}
        for _ in range(tries):
            connection = Connection(self.port)
            try:
                # A request makes sure a worker accepted the connection.
                assert connection.request("GET", "/healthz")[0] == 200
                worker = worker_holding(self.port, connection.local_port, workers)
            except BaseException:
                connection.close()
                raise
            if worker is None or worker in pinned:
                connection.close()
                continue
            pinned[worker] = connection
            if len(pinned) == count:
                return list(pinned.values())
        for connection in pinned.values():
            connection.close()
        raise AssertionError(f"reached {len(pinned)} of {count} workers in {tries} connections")

    def kill(self) -> None:
        """SIGKILL to the supervisor and every worker at once (a crash of the machine's service)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM (a graceful shutdown); the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def log_text(self) -> str:
        return self.log.read_text("utf-8", "replace")


def _launch(
    folder: Path, database_url: str, port: int, workers: int, settings: Mapping[str, str], log: Path
) -> Service:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ANJU_")}
    environment |= {
        "ANJU_DATABASE_URL": database_url,
        "ANJU_HOST": "127.0.0.1",
        "ANJU_PORT": str(port),
        "ANJU_WECHAT_TOKEN": TOKEN,
        "ANJU_SESSION_SECRET": SESSION_SECRET,
        "ANJU_LOG_FORMAT": "json",
    } | {f"ANJU_{name.upper()}": value for name, value in settings.items()}
    command = [sys.executable, "-c", RUN_MAIN, "--log-level", "info", "serve"]
    with log.open("ab") as written:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            cwd=folder,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=written,
            # Its own process group: a test can kill the service and all its workers at once.
            start_new_session=True,
        )
    service = Service(process, port, database_url, log, dict(settings))
    try:
        wait_until_ready(service, workers)
    except BaseException:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        raise
    return service


def start_service(folder: Path, database_url: str, workers: int, **settings: str) -> Service:
    """Start `anju serve --workers N` over database_url on a free port; return once ready.

    settings are more ANJU_* variables by lower-case name (index_poll_seconds="1").
    """
    port = free_port()
    return _launch(folder, database_url, port, workers, settings, folder / f"serve-{port}.log")


def restart(service: Service, folder: Path, workers: int) -> Service:
    """The same service started again on the same port and database (after a crash)."""
    return _launch(folder, service.database_url, service.port, workers, service.extra, service.log)


def _serving(service: Service) -> set[int]:
    """The workers that logged they accept requests."""
    return {int(pid) for pid in _SERVING.findall(service.log_text())}


def wait_until_ready(service: Service, workers: int) -> None:
    """Wait until /healthz answers and every worker has logged that it is serving."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise AssertionError(
                f"anju serve exited with {service.process.returncode}:\n{service.log_text()}"
            )
        try:
            url = f"http://127.0.0.1:{service.port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as reply:
                running = service.workers()
                if reply.status == 200 and (
                    workers == 1 or (len(running) == workers and set(running) <= _serving(service))
                ):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError("anju serve did not become ready in time")


@contextlib.contextmanager
def own_schema(admin: Engine) -> Iterator[str]:
    """A fresh PostgreSQL schema for a module's service, as a URL; dropped afterwards."""
    schema = f"w_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def stored_replies(database_url: str) -> dict[str, list[str]]:
    """The reply text of every record, by dedup key (one item per record)."""
    engine = create_engine(normalize_database_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT dedup_key, reply_text FROM interaction")).all()
    finally:
        engine.dispose()
    found: dict[str, list[str]] = {}
    for key, reply in rows:
        found.setdefault(str(key), []).append(str(reply))
    return found


def stored_dedup_keys(database_url: str) -> dict[str, int]:
    """How many records each dedup key has (every record of the database)."""
    return {key: len(replies) for key, replies in stored_replies(database_url).items()}
