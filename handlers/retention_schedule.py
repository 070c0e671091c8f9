"""The service's retention job (ANJU_RETENTION_DAYS): at start, then daily, by one worker.

Every worker checks hourly; the claim row (knowledge/maintenance.py) lets one run per day.
At start the claim only needs the last run to be a few minutes old, so a restart after the
setting changed applies it at once, while workers starting together still run it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from handlers import keys
from knowledge.retention import run_if_due

log = logging.getLogger(__name__)

AT_START = timedelta(minutes=10)
DAILY = timedelta(hours=23)
CHECK_SECONDS = 3600.0


def worker_name() -> str:
    """host:pid, written into the claim row for an operator to read."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _run_once(engine: Engine, days: int, every: timedelta, stop: threading.Event) -> None:
    try:
        result = run_if_due(engine, days=days, every=every, worker=worker_name(), stop=stop)
    except SQLAlchemyError:
        log.exception("retention failed; the next check tries again")
        return
    if result is not None:
        log.info(
            "retention removed the text of %d records asked before %s",
            result.records,
            result.cutoff.isoformat(timespec="seconds"),
        )


async def _keep_running(
    engine: Engine, days: int, stop: threading.Event, wake: asyncio.Event, check_seconds: float
) -> None:
    every = AT_START
    while not stop.is_set():
        await asyncio.to_thread(_run_once, engine, days, every, stop)
        every = DAILY
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), check_seconds)


@contextlib.asynccontextmanager
async def retention(app: web.Application) -> AsyncIterator[None]:
    """Run retention in the background while the service runs (nothing when it is off)."""
    days = app[keys.settings_key].retention_days
    if days <= 0:
        yield
        return
    stop, wake = threading.Event(), asyncio.Event()
    task = asyncio.create_task(_keep_running(app[keys.engine_key], days, stop, wake, CHECK_SECONDS))
    yield
    # A batch in hand finishes (it is short); the engine is disposed only after.
    stop.set()
    wake.set()
    await task
