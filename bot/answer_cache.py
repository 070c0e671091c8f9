"""Answers to questions asked afresh, remembered per index snapshot and day.

Residents ask the same few things over and over (公租房怎么申请, a menu button's question);
without a conversation to follow, the answer depends only on the words, the material and the
date, so a repeat is answered from memory in microseconds. Answers about a person, or to a
message holding an identity or phone number, are never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from bot.answer import Answer, AnswerKind
from bot.conversation import Context
from knowledge.masking import contains_personal_number

# Distinct questions worth remembering on one worker (an answer is a few hundred bytes).
MAX_CACHED_ANSWERS = 4096
# Replies about one person's application, and privacy refusals, stay out of memory.
_PERSONAL_KINDS = frozenset(
    {AnswerKind.RESULT, AnswerKind.ASK_FOR_TAIL, AnswerKind.PRIVACY_REFUSED}
)

CacheKey = tuple[int, date, str]


class AnswerCache:
    """A bounded, thread-safe map of (revision, day, text) to the answer and its context."""

    def __init__(self, max_size: int = MAX_CACHED_ANSWERS) -> None:
        self._max = max_size
        self._items: OrderedDict[CacheKey, tuple[Answer, Context]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(revision: int, day: date, text: str) -> CacheKey | None:
        """The key of a fresh question, or None when its text must not be kept."""
        if contains_personal_number(text):
            return None
        return (revision, day, text)

    def get(self, key: CacheKey) -> tuple[Answer, Context] | None:
        """The remembered answer and the context it left, if any."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: CacheKey, answer: Answer, context: Context) -> None:
        """Remember an answer, unless it is about a person."""
        if answer.kind in _PERSONAL_KINDS:
            return
        with self._lock:
            self._items[key] = (answer, context)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
