"""`anju serve --workers N`: a supervisor that forks N workers sharing one listening socket.

Why a pre-fork of one bound socket, rather than SO_REUSEPORT (aiohttp's reuse_port) or
gunicorn with aiohttp's GunicornWebWorker:

- One accept queue for every worker: a new connection waits for whichever worker takes it
  first, and connections waiting when a worker dies are taken by the others. With
  SO_REUSEPORT the kernel hashes each connection to one worker's own queue, and the
  connections queued at a worker that is killed are reset.
- The supervisor restarts a worker that died (after a pause that grows while workers keep
  dying young) and passes SIGTERM and SIGINT on, so that every worker shuts down gracefully:
  it stops accepting, lets requests in flight finish within ANJU_SHUTDOWN_TIMEOUT_SECONDS and
  writes every queued record, exactly like a single `anju serve`.
- Nothing to install or configure besides `--workers` (gunicorn is another dependency with
  its own configuration, and its worker would bypass our shutdown timeout and logging).

The supervisor forks before starting any thread or event loop; each worker then builds its
own application (database engine, index, bot threads) as `anju serve` does. A worker whose
supervisor disappears (killed with SIGKILL) notices within a second and shuts down
gracefully, so a restarted service never finds an old generation still holding the port.
Everything workers share lives in the database (see README.md, "Several workers").
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import gc
import logging
import os
import secrets
import signal
import socket
import time
from collections.abc import Callable
from types import FrameType

from aiohttp import web

from handlers.settings import Secret, Settings, SettingsError
from knowledge.database import normalize_database_url, open_engine

log = logging.getLogger(__name__)

#: Connections the kernel queues for the workers before it refuses more.
BACKLOG = 1024
#: How long a restarted service waits for the port while the old generation lets go of it.
BIND_RETRY_SECONDS = 10.0
#: How often a worker checks that its supervisor is still there.
PARENT_CHECK_SECONDS = 1.0
#: A worker that lived this long had a good run: the next restart comes at once.
HEALTHY_RUN_SECONDS = 60.0
#: Pauses before restarting a worker that keep dying young: 1, 2, 4, … up to this.
MAX_RESTART_PAUSE_SECONDS = 30.0


def check_workers(settings: Settings) -> None:
    """Refuse settings several workers cannot run with (SettingsError names the fix)."""
    if settings.workers <= 1:
        return
    if normalize_database_url(settings.database_url).startswith("sqlite"):
        raise SettingsError(
            f"--workers {settings.workers} needs PostgreSQL: SQLite lets one process write at "
            "a time (set ANJU_DATABASE_URL=postgresql://…, or run one worker)"
        )
    if settings.state_store == "memory":
        raise SettingsError(
            "ANJU_STATE_STORE=memory keeps conversations and rate limits per process: with "
            "several workers use database (or auto)"
        )


def shared_settings(settings: Settings) -> Settings:
    """The settings every worker gets: one session key for all (random when none is set)."""
    if settings.session_secret:
        return settings
    log.warning(
        "ANJU_SESSION_SECRET is not set: the workers share a random key, so staff sessions "
        "end when the service restarts"
    )
    return dataclasses.replace(settings, session_secret=Secret(secrets.token_urlsafe(32)))


def listening_socket(
    host: str, port: int, retry_seconds: float = BIND_RETRY_SECONDS
) -> socket.socket:
    """A TCP socket bound to host:port and listening, for the workers to inherit."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            return socket.create_server((host, port), family=family, backlog=BACKLOG)
        except OSError as error:
            if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


async def _watch_parent(parent: int, stop: asyncio.Event) -> None:
    while os.getppid() == parent:
        await asyncio.sleep(PARENT_CHECK_SECONDS)
    log.warning("the supervisor is gone: this worker shuts down")
    stop.set()


async def serve_worker(
    app: web.Application, sock: socket.socket, shutdown_timeout: float, parent: int
) -> None:
    """Serve app on the inherited socket until SIGTERM or SIGINT, then shut down gracefully."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # A second signal (SIGINT from the terminal, then SIGTERM from the supervisor) must not
        # cut the graceful shutdown short: setting the event again does nothing.
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    try:
        await web.SockSite(runner, sock, backlog=BACKLOG).start()
        log.info("worker %d serving", os.getpid())
        watcher = asyncio.create_task(_watch_parent(parent, stop))
        await stop.wait()
        watcher.cancel()
    finally:
        await runner.cleanup()


class Supervisor:
    """Forks the workers, restarts those that die, and stops them all at SIGTERM or SIGINT."""

    def __init__(
        self,
        count: int,
        run_worker: Callable[[int], None],
        sock: socket.socket,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._count = count
        self._sock = sock
        self._run_worker = run_worker
        self._clock = clock
        self._pid = os.getpid()
        self._children: dict[int, tuple[int, float]] = {}  # pid -> (slot, started)
        self._pauses: dict[int, float] = {}  # slot -> pause before its next restart
        self._stopping = False

    def run(self) -> int:
        """Run until told to stop and every worker has exited; the exit status (0)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop)
        # Objects imported so far are shared with the workers as long as nobody writes to
        # them: keep the collector from touching (and so copying) them in every worker.
        gc.freeze()
        for slot in range(self._count):
            self._spawn(slot)
        while self._children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            slot, started = self._children.pop(pid)
            if self._stopping:
                continue
            lived = self._clock() - started
            log.warning(
                "worker %d (slot %d) %s after %.1f s; starting another",
                pid,
                slot,
                _describe(status),
                lived,
            )
            self._pause_before_restart(slot, lived)
            if not self._stopping:
                self._spawn(slot)
        log.info("every worker has stopped")
        return 0

    def _pause_before_restart(self, slot: int, lived: float) -> None:
        if lived >= HEALTHY_RUN_SECONDS:
            self._pauses[slot] = 0.0
            return
        pause = min(max(self._pauses.get(slot, 0.0) * 2, 1.0), MAX_RESTART_PAUSE_SECONDS)
        self._pauses[slot] = pause
        deadline = self._clock() + pause
        # In small steps: a SIGTERM during the pause ends it.
        while not self._stopping and self._clock() < deadline:
            time.sleep(0.1)

    def _spawn(self, slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            _run_child(self._run_worker, slot)
        self._children[pid] = (slot, self._clock())
        log.info("started worker %d (slot %d)", pid, slot)

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        if os.getpid() != self._pid:
            # A worker between fork and resetting its handlers: its loop takes over soon.
            return
        if not self._stopping:
            log.info("%s: stopping %d workers", signal.Signals(signum).name, len(self._children))
        self._stopping = True
        # The workers close their copies as they stop; once this one is closed too, new
        # connections are refused instead of waiting in a queue nobody will serve.
        self._sock.close()
        for pid in list(self._children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


def _run_child(run_worker: Callable[[int], None], slot: int) -> None:
    """The forked worker's whole life: never returns to the supervisor's code."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)
    status = 1
    try:
        run_worker(slot)
        status = 0
    except BaseException:
        log.exception("worker %d failed", os.getpid())
    finally:
        logging.shutdown()
        os._exit(status)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def run_workers(settings: Settings, make_app: Callable[[Settings], web.Application]) -> int:
    """Check the settings, upgrade the schema once, bind the port, fork and supervise workers."""
    check_workers(settings)
    settings = shared_settings(settings)
    # The schema is brought to this release here, once, before any worker starts; a database
    # that cannot be reached stops the service now instead of every worker in turn.
    open_engine(settings.database_url).dispose()
    try:
        sock = listening_socket(settings.host, settings.port)
    except OSError as error:
        raise SettingsError(
            f"cannot listen on {settings.host}:{settings.port} (ANJU_HOST, ANJU_PORT): {error}"
        ) from None
    parent = os.getpid()

    def run_worker(slot: int) -> None:
        asyncio.run(
            serve_worker(make_app(settings), sock, settings.shutdown_timeout_seconds, parent)
        )

    log.info("listening on %s:%d with %d workers", settings.host, settings.port, settings.workers)
    try:
        return Supervisor(settings.workers, run_worker, sock).run()
    finally:
        sock.close()
