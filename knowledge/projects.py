"""Project (housing estate) names from the material, and finding them in a resident's words.

Residents shorten names (幸福里 for 幸福里（一期）, 安康 for 安康小区) and mistype them; the
material spells them in full, sometimes with the housing type appended (幸福里二期公共租赁住房).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_PARENTHESES = re.compile(r"[（(][^）)]*[）)]")
# Words appended to a project's name in plans and lists that residents leave out.
_TYPE_SUFFIXES = (
    "配售型保障性住房",
    "保障性租赁住房",
    "公共租赁住房",
    "经济适用住房",
    "保障性住房",
    "公租房",
    "项目",
)
# Only 小区 is dropped: 新村 or 家园 stems (岱岳, 惠民) are also a town's or a programme's name.
_PLACE_SUFFIXES = ("小区",)
# partial_ratio cut-off that tolerated a missing or extra 小区 without matching other estates.
_FUZZY_CUTOFF = 80.0
_MIN_ALIAS_LENGTH = 2


@dataclass(frozen=True)
class ProjectMention:
    """A project found in text: its canonical name and the words that named it."""

    name: str
    said: str
    exact: bool


def project_aliases(name: str) -> list[str]:
    """Shorter ways to say a project's name: 幸福里（一期） → 幸福里, 安康小区 → 安康."""
    aliases = [name]
    bare = _PARENTHESES.sub("", name).strip()
    if bare and bare != name:
        aliases.append(bare)
    for candidate in list(aliases):
        for suffix in _TYPE_SUFFIXES:
            if candidate.endswith(suffix) and len(candidate) - len(suffix) >= _MIN_ALIAS_LENGTH:
                aliases.append(candidate[: -len(suffix)])
    for candidate in list(aliases):
        for suffix in _PLACE_SUFFIXES:
            stem = candidate[: -len(suffix)]
            if candidate.endswith(suffix) and len(stem) >= _MIN_ALIAS_LENGTH:
                aliases.append(stem)
    return list(dict.fromkeys(aliases))


class ProjectDirectory:
    """Every project name in the material with its aliases; immutable once built."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names: tuple[str, ...] = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
        alias_owners: dict[str, set[str]] = {}
        for name in self.names:
            for alias in project_aliases(name):
                alias_owners.setdefault(alias, set()).add(name)
        # An alias shared by two projects (幸福里 for 一期 and 二期) names the one that is spelt
        # exactly so, or else stays ambiguous and is resolved by the caller's context.
        self._aliases: dict[str, tuple[str, ...]] = {
            alias: tuple(sorted(owners, key=lambda n: (n != alias, len(n), n)))
            for alias, owners in alias_owners.items()
        }
        self._by_length = sorted(self._aliases, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.names)

    def all_spellings(self) -> list[str]:
        """Names and aliases (for the tokenizer's dictionary and the spelling corrector)."""
        return list(self._aliases)

    def owners(self, alias: str) -> tuple[str, ...]:
        """The projects an alias may mean, most likely first."""
        return self._aliases.get(alias, ())

    def find(self, text: str) -> list[ProjectMention]:
        """Projects named in text, in order of appearance; exact names and aliases first."""
        found: list[tuple[int, ProjectMention]] = []
        taken: set[int] = set()
        for alias in self._by_length:
            start = text.find(alias)
            while start >= 0:
                span = set(range(start, start + len(alias)))
                if not span & taken:
                    taken |= span
                    found.append((start, ProjectMention(self._aliases[alias][0], alias, True)))
                start = text.find(alias, start + 1)
        if found:
            return [mention for _, mention in sorted(found, key=lambda item: item[0])]
        return self._fuzzy(text)

    def _fuzzy(self, text: str) -> list[ProjectMention]:
        if not self.names or len(text) < _MIN_ALIAS_LENGTH:
            return []
        best = process.extractOne(
            text, self.names, scorer=fuzz.partial_ratio, score_cutoff=_FUZZY_CUTOFF
        )
        if best is None:
            return []
        name = str(best[0])
        return [ProjectMention(name, name, False)]
