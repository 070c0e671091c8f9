"""Conversations: a short, time-limited memory per resident so follow-ups make sense.

"那租金呢?" after a question about 幸福里 means 幸福里's rent; "后四位0741" after "我叫李静"
completes a result look-up. Only what the bot needs is kept (topic, project, type, pending
name), never the message text, and entries expire and are capped in number.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

# A follow-up comes within minutes; after this a new question starts afresh.
CONTEXT_TTL_SECONDS = 30 * 60
# Enough residents for a busy lottery day on one worker; the oldest are dropped first.
MAX_CONVERSATIONS = 20_000


@dataclass(frozen=True)
class Context:
    """What the last turns established."""

    intent: str = ""
    housing_type: str = ""
    category: str = ""
    project: str = ""
    unit_type: str = ""
    pending_name: str = ""
    document_id: int = 0
    section: str = ""  # words of the last question, favoured in a follow-up's search
    topic: str = ""  # words a follow-up is about, as if asked again (复核 after a rejection)
    household_size: int = 0
    last_answer_kind: str = ""
    turns: int = 0
    updated_at: float = field(default=0.0, compare=False)

    def updated(self, **changes: object) -> Context:
        """A copy with changes applied."""
        return replace(self, **changes)  # type: ignore[arg-type]


class ConversationStore(Protocol):
    """Where contexts live: process memory for one worker, the database for several."""

    def get(self, user: str) -> Context: ...

    def put(self, user: str, context: Context) -> None: ...


class Conversations:
    """In-process ConversationStore with a TTL and a size cap (thread-safe)."""

    def __init__(
        self,
        ttl_seconds: float = CONTEXT_TTL_SECONDS,
        max_size: int = MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_size
        self._clock = clock
        self._items: OrderedDict[str, Context] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user: str) -> Context:
        """The resident's context, or an empty one when none or expired."""
        with self._lock:
            context = self._items.get(user)
            if context is None:
                return Context()
            if self._clock() - context.updated_at > self._ttl:
                del self._items[user]
                return Context()
            return context

    def put(self, user: str, context: Context) -> None:
        """Remember context for the resident."""
        with self._lock:
            self._items[user] = replace(context, updated_at=self._clock())
            self._items.move_to_end(user)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
