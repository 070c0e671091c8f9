"""Table header names to the catalog's canonical element names: exact, synonym, fuzzy, composite.

Spec (published-material.md): header names vary (保障对象姓名 / 姓名 / 申请人; 身份证号 /
证件号码(隐藏部分号码); 房号面积套型 holding three elements); match them to the element names
with fuzzy matching and a synonym list, and keep columns that match nothing as extra fields.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

MatchHow = Literal["exact", "synonym", "fuzzy", "composite", "extra", "serial"]

# Below this a header is not taken for an element: 身份证号码 → 身份证号 scores 95,
# 是否通过 → 是否审核通过 80, while 申请人姓名 → 申请对象姓名 (73) or 竣工时间 → 竣工日期 (63)
# need a synonym.
FUZZY_CUTOFF = 80.0
# partial_ratio finds 身份证号 inside 身份证号码 but also 面积 inside 住宅面积: it only counts for
# names of three characters or more that are at least half as long as the other, and a little
# below a full ratio so that an exact spelling of a near-identical element still wins.
_PARTIAL_MIN_LENGTH = 3
_PARTIAL_MIN_SHARE = 0.5
_PARTIAL_WEIGHT = 0.95
# A header is a short name; longer cells are titles, notes or data.
_MAX_HEADER_LENGTH = 30
_SERIAL_HEADERS = frozenset({"序号", "序", "no", "no.", "#"})

# NFKC turns （） into (); 【】 and the tortoise-shell brackets \u3014 \u3015 stay as they are.
_BRACKETED = re.compile(
    r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|\u3014[^\u3014\u3015]*\u3015|<[^<>]*>"
)
_BRACKET_CHARACTERS = re.compile(r"[()\[\]【】\u3014\u3015<>]")
_SPACE = re.compile(r"\s+")
_TRAILING_MARKS = ":*※"
_NUMBER = re.compile(r"[+-]?[\d.,]+")


@dataclass(frozen=True)
class HeaderMatch:
    """What one header column holds: the elements it fills, how sure, and how it was found.

    ``parts`` is a composite column's layout (房号 / 面积 / 套型); ``elements`` are the parts
    it actually fills once other columns have claimed theirs.
    """

    header: str
    elements: tuple[str, ...]
    score: float
    how: MatchHow
    parts: tuple[str, ...] = ()


def normalise_header(text: str) -> str:
    """'面积（㎡）' → '面积', '证件号码（隐藏部分号码）' → '证件号码', ' 姓 名 ' → '姓名'."""
    value = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    without = value
    while True:
        shorter = _BRACKETED.sub("", without)
        if shorter == without:
            break
        without = shorter
    # A header that is nothing but a bracket keeps its words.
    value = without or _BRACKET_CHARACTERS.sub("", value)
    return value.strip(_TRAILING_MARKS).casefold()


class HeaderMatcher:
    """Matches headers against one table's elements, their synonyms and composite headers."""

    def __init__(
        self,
        elements: Sequence[str],
        synonyms: Mapping[str, Sequence[str]],
        composites: Mapping[str, Sequence[str]],
    ) -> None:
        self._exact = {normalise_header(element): element for element in elements}
        self._synonyms: dict[str, str] = {}
        self._names: dict[str, list[str]] = {
            element: [normalise_header(element)] for element in elements
        }
        for element in elements:
            for synonym in synonyms.get(element, ()):
                key = normalise_header(synonym)
                self._synonyms.setdefault(key, element)
                self._names[element].append(key)
        self._composites = {
            normalise_header(header): tuple(parts) for header, parts in composites.items() if parts
        }

    def match(self, header: str) -> HeaderMatch:
        """The best match for one header on its own, before columns compete."""
        key = normalise_header(header)
        if not key or len(key) > _MAX_HEADER_LENGTH or _NUMBER.fullmatch(key):
            return HeaderMatch(header, (), 0.0, "extra")
        if key in self._exact:
            return HeaderMatch(header, (self._exact[key],), 100.0, "exact")
        if key in self._synonyms:
            return HeaderMatch(header, (self._synonyms[key],), 100.0, "synonym")
        if key in self._composites:
            parts = self._composites[key]
            return HeaderMatch(header, parts, 100.0, "composite", parts)
        if key in _SERIAL_HEADERS:
            return HeaderMatch(header, (), 100.0, "serial")
        scored = self._fuzzy_scores(key)
        if scored and scored[0][0] >= FUZZY_CUTOFF:
            score, element = scored[0]
            return HeaderMatch(header, (element,), score, "fuzzy")
        return HeaderMatch(header, (), 0.0, "extra")

    def names_element(self, header: str) -> bool:
        """True when the header names an element (the test for a header row)."""
        return self.match(header).how in ("exact", "synonym", "fuzzy", "composite")

    def match_row(self, headers: Sequence[str]) -> list[HeaderMatch]:
        """One match per header; no element goes to two columns, the better score wins.

        Exact matches claim first, then synonyms (leftmost on a tie), then composite columns take
        the parts still free, then fuzzy matches in order of score. A column whose best element
        is taken becomes an extra rather than settle for a worse guess.
        """
        singles = [self.match(header) for header in headers]
        result: list[HeaderMatch | None] = [None] * len(headers)
        claimed: set[str] = set()
        for how in ("exact", "synonym"):
            for index, single in enumerate(singles):
                if single.how == how and single.elements[0] not in claimed:
                    claimed.add(single.elements[0])
                    result[index] = single
        for index, single in enumerate(singles):
            if single.how == "composite":
                free = tuple(part for part in single.parts if part not in claimed)
                if free:
                    claimed.update(free)
                    result[index] = HeaderMatch(
                        single.header, free, 100.0, "composite", single.parts
                    )
            elif single.how == "serial":
                result[index] = single
        candidates = [
            (single.score, index, single.elements[0])
            for index, single in enumerate(singles)
            if result[index] is None and single.how == "fuzzy"
        ]
        for _score, index, element in sorted(candidates, key=lambda item: (-item[0], item[1])):
            if element not in claimed:
                claimed.add(element)
                result[index] = singles[index]
        return [
            match if match is not None else HeaderMatch(headers[index], (), 0.0, "extra")
            for index, match in enumerate(result)
        ]

    def _fuzzy_scores(self, key: str) -> list[tuple[float, str]]:
        """(score, element) for every element, best first."""
        scored = [
            (max(similarity(key, name) for name in names), element)
            for element, names in self._names.items()
        ]
        return sorted(scored, key=lambda item: -item[0])


def similarity(left: str, right: str) -> float:
    """0 to 100: rapidfuzz ratio, or a slightly discounted partial_ratio for contained names."""
    score = fuzz.ratio(left, right)
    shorter, longer = sorted((left, right), key=len)
    if len(shorter) >= _PARTIAL_MIN_LENGTH and len(shorter) / len(longer) >= _PARTIAL_MIN_SHARE:
        score = max(score, fuzz.partial_ratio(left, right) * _PARTIAL_WEIGHT)
    return float(score)
