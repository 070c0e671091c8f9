"""BM25 over an inverted index that scores only the entries holding a query term.

Posting lists are compact arrays (entry ids ascending, precomputed BM25 weights), so 100,000
table rows cost a few MB. A term found in very many entries (公租房 in every row of a big list)
is not walked in full when rarer query terms exist: its weight is looked up (binary search) for
the candidates the rare terms found. When every query term is that common, the candidates are
the entries where the rarest term weighs most. This keeps a query within a few milliseconds
however large the material grows.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Standard BM25 parameters; short passages and rows suit the usual values.
K1 = 1.2
B = 0.75
# A term in more entries than this is "common": not walked in full when rarer terms exist.
COMMON_TERM_ENTRIES = 1_500
# How many of a common term's best entries stand in as candidates when all terms are common.
COMMON_TERM_CANDIDATES = 600


@dataclass(frozen=True)
class _Postings:
    entries: array  # type: ignore[type-arg]  # array('I'), ascending entry ids
    weights: array  # type: ignore[type-arg]  # array('f'), BM25 weight of the term per entry
    best: array | None  # type: ignore[type-arg]  # entry ids by weight, only for common terms


class Bm25Index:
    """An immutable BM25 index over entries given as lists of terms."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.size = len(documents)
        lengths = [len(terms) for terms in documents]
        average = (sum(lengths) / self.size) if self.size else 1.0
        raw: dict[str, tuple[list[int], list[int]]] = {}
        for entry, terms in enumerate(documents):
            for term, count in Counter(terms).items():
                ids, counts = raw.setdefault(term, ([], []))
                ids.append(entry)
                counts.append(count)
        norm = [K1 * (1 - B + B * length / (average or 1.0)) for length in lengths]
        self._postings: dict[str, _Postings] = {}
        for term, (ids, counts) in raw.items():
            idf = math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            weights = array(
                "f", [idf * c * (K1 + 1) / (c + norm[e]) for e, c in zip(ids, counts, strict=True)]
            )
            best = None
            if len(ids) > COMMON_TERM_ENTRIES:
                order = sorted(range(len(ids)), key=weights.__getitem__, reverse=True)
                best = array("I", [ids[i] for i in order[:COMMON_TERM_CANDIDATES]])
            self._postings[term] = _Postings(array("I", ids), weights, best)

    def document_frequency(self, term: str) -> int:
        """How many entries hold term."""
        postings = self._postings.get(term)
        return len(postings.entries) if postings else 0

    def idf(self, term: str) -> float:
        """The inverse document frequency BM25 gives term (0 for an unknown term)."""
        found = self.document_frequency(term)
        if not found:
            return 0.0
        return math.log(1 + (self.size - found + 0.5) / (found + 0.5))

    def search(
        self,
        terms: Sequence[str],
        limit: int = 10,
        accept: Callable[[int], bool] | None = None,
    ) -> list[tuple[int, float]]:
        """The best entries for terms as (entry id, score), best first; accept filters entries."""
        known = sorted(
            {t: self._postings[t] for t in terms if t in self._postings}.items(),
            key=lambda item: len(item[1].entries),
        )
        if not known:
            return []
        scores: dict[int, float] = {}
        rare = [p for _, p in known if p.best is None]
        common = [p for _, p in known if p.best is not None]
        for postings in rare:
            for entry, weight in zip(postings.entries, postings.weights, strict=True):
                scores[entry] = scores.get(entry, 0.0) + weight
        if not rare:
            first = common.pop(0)
            assert first.best is not None
            for entry in first.best:
                scores[entry] = _weight_of(first, entry)
        for postings in common:
            for entry in scores:
                scores[entry] += _weight_of(postings, entry)
        if accept is not None:
            scores = {e: s for e, s in scores.items() if accept(e)}
        return heapq.nlargest(limit, scores.items(), key=lambda item: item[1])


def _weight_of(postings: _Postings, entry: int) -> float:
    position = bisect_left(postings.entries, entry)
    if position < len(postings.entries) and postings.entries[position] == entry:
        return float(postings.weights[position])
    return 0.0
