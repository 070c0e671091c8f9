"""The bot's word lists (bot/data/understanding.toml, surnames.txt) loaded into one value."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Vocabulary:
    """Cue words per intent, out-of-scope topics, slot synonyms, search expansions, surnames."""

    intents: dict[str, tuple[str, ...]]
    out_of_scope: tuple[str, ...]
    housing_words: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]
    housing_types: dict[str, tuple[str, ...]]
    unit_types: dict[str, tuple[str, ...]]
    expansions: dict[str, tuple[str, ...]]
    surnames: frozenset[str]
    # Per phrase, the expansions written "~word": they find and half cover what was asked
    # (a bare year for 什么时候), where the others cover it whole.
    weak_expansions: dict[str, frozenset[str]] = field(default_factory=dict)

    @cached_property
    def single_character_expansions(self) -> frozenset[str]:
        """Characters that mean something on their own here (涨, 建, 车)."""
        return frozenset(p for p in self.expansions if len(p) == 1)

    def cues(self, intent: str) -> tuple[str, ...]:
        """The cue words of an intent (empty for an unknown intent)."""
        return self.intents.get(intent, ())

    @cached_property
    def cue_patterns(self) -> dict[str, re.Pattern[str]]:
        """One pattern per intent matching any of its cue words (one scan, not one per cue)."""
        return {
            intent: re.compile("|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)))
            for intent, cues in self.intents.items()
            if cues
        }


def _read(name: str, folder: Path | None) -> str:
    if folder is not None:
        return (folder / name).read_text("utf-8")
    return resources.files("bot").joinpath("data", name).read_text("utf-8")


def _tuples(table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(words) for key, words in table.items()}


def load_vocabulary(folder: Path | None = None) -> Vocabulary:
    """Load the packaged word lists (or those in folder, for a bureau's own copy)."""
    data = tomllib.loads(_read("understanding.toml", folder))
    surnames = frozenset(
        word
        for line in _read("surnames.txt", folder).splitlines()
        if not line.startswith("#")
        for word in line.split()
    )
    slots = data["slots"]
    expansions: dict[str, tuple[str, ...]] = {}
    weak: dict[str, frozenset[str]] = {}
    for phrase, words in data["expansions"].items():
        expansions[phrase] = tuple(word.removeprefix("~") for word in words)
        partial = frozenset(word[1:] for word in words if word.startswith("~"))
        if partial:
            weak[phrase] = partial
    # A cue word of a slot (外地来, 两居, 经济适用房) means its canonical name in the material.
    for table in (slots["categories"], slots["housing_types"], slots["unit_types"]):
        for canonical, cues in table.items():
            for cue in cues:
                if cue != canonical:
                    expansions[cue] = (*expansions.get(cue, ()), canonical)
    return Vocabulary(
        intents=_tuples(data["intents"]),
        out_of_scope=tuple(data["out_of_scope"]["topics"]),
        housing_words=tuple(data["out_of_scope"]["housing_words"]),
        categories=_tuples(slots["categories"]),
        housing_types=_tuples(slots["housing_types"]),
        unit_types=_tuples(slots["unit_types"]),
        expansions=expansions,
        surnames=surnames,
        weak_expansions=weak,
    )
