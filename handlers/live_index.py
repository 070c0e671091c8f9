"""LiveIndex: the current SearchIndex, rebuilt in a thread and swapped whole on new material."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

from handlers.knowledge_base import KnowledgeBase
from knowledge.index import SearchIndex

log = logging.getLogger(__name__)


class LiveIndex:
    """Holds the current snapshot; readers call current(), which never blocks."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self._lock = asyncio.Lock()
        self._snapshot: SearchIndex | None = None
        self.last_check = 0.0

    def current(self) -> SearchIndex:
        """The snapshot in use (raises before the first build)."""
        if self._snapshot is None:
            raise RuntimeError("the search index has not been built yet")
        return self._snapshot

    @property
    def ready(self) -> bool:
        """True once a snapshot is loaded."""
        return self._snapshot is not None

    async def refresh_if_stale(self) -> bool:
        """Rebuild when the revision moved; True when a new snapshot was swapped in.

        On failure the old snapshot stays in use and the error is logged.
        """
        async with self._lock:
            self.last_check = time.monotonic()
            try:
                revision = await asyncio.to_thread(self.knowledge.revision)
                if self._snapshot is not None and revision == self._snapshot.revision:
                    return False
                started = time.perf_counter()
                snapshot = await asyncio.to_thread(self.knowledge.build_index)
            except Exception:
                log.exception("rebuilding the search index failed; the previous one stays")
                return False
            self._snapshot = snapshot
            # The snapshot lives until the next one: out of the collector's sight, as everything
            # loaded at start is (handlers/wechat/setup.py), so that full collections do not
            # walk its millions of objects while requests wait. The previous snapshot is freed
            # by reference counting all the same.
            gc.freeze()
            log.info(
                "search index at revision %d: %d entries in %.2f s",
                snapshot.revision,
                len(snapshot.entries),
                time.perf_counter() - started,
            )
            return True

    async def poll(self, interval: float) -> None:
        """Check for new material every interval seconds, forever (cancel to stop).

        Cancelling waits for a rebuild already running in its thread: the thread reads the
        database, which is closed right after the poller stops at shutdown.
        """
        while True:
            await asyncio.sleep(interval)
            refresh = asyncio.ensure_future(self.refresh_if_stale())
            try:
                await asyncio.shield(refresh)
            except asyncio.CancelledError:
                await refresh
                raise
