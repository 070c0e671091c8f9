"""Homophone and pinyin slips in residents' messages: 公组房 → 公租房, 要号 → 摇号, gzf → 公租房.

Residents type with pinyin input methods, so most slips are a character of the same sound.
A window of the message whose pinyin equals a domain term's pinyin, and which shares all but
one character with it (two-character terms: one), is rewritten to the term. A correctly written
term is never rewritten, and a window that is itself a common word is left alone, which keeps
clean text clean. Latin tokens that spell a term's pinyin or its initials (gongzufang, gzf) are
replaced by the term.

Handwriting and stroke input give slips of shape instead (租凭 for 租赁, 底保 for 低保): a
window that differs from a term in one character of the term's look-alike group
(lookalike_characters.txt) is rewritten too, unless that character makes a common word with
its neighbour outside the window (到底保不保 keeps its 到底).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pypinyin import Style, pinyin

# z/zh, c/ch, s/sh and in/ing, en/eng are the confusions northern speakers' input methods
# forgive; folding them fixed the homophone slips that exact pinyin missed.
_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FINAL_FOLDS = (("ing", "in"), ("eng", "en"))
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"(?<![a-z])[a-z]{3,}(?![a-z])")
# Particles are typed on purpose: 我的保障 is not a slip of 低保 (的 also reads di).
_PARTICLES = frozenset("的地得了着过是在和与及吗呢吧啊呀么")
# A two-character window that jieba knows this often is a real word, not a slip.
_COMMON_WORD_FREQUENCY = 200
_CORRECTION_CACHE_SIZE = 20_000


def fold_syllable(syllable: str) -> str:
    """'zhang' → 'zang', 'ling' → 'lin': the toneless form with slips residents make folded."""
    for long, short in _FOLDS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FINAL_FOLDS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


@dataclass(frozen=True)
class Correction:
    """The corrected text and each (as typed, as corrected) pair."""

    text: str
    fixes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Term:
    text: str
    syllables: tuple[frozenset[str], ...]


class SpellingCorrector:
    """Rewrites homophone slips of a fixed vocabulary; pure and safe to share between threads."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        is_common_word: Callable[[str], bool] = lambda _word: False,
        lookalikes: Iterable[str] | None = None,
    ) -> None:
        self._readings: dict[str, frozenset[str]] = {}
        # Residents send the same questions again and again (a lottery day): cut each once.
        self._corrections: dict[str, Correction] = {}
        self._is_common_word = is_common_word
        words = [w for w in dict.fromkeys(vocabulary) if len(w) >= 2 and _all_cjk(w)]
        self._vocabulary = frozenset(words)
        self._by_start: dict[tuple[int, str], list[_Term]] = {}
        # Earlier vocabulary (the curated domain words) wins a clash of spellings (setdefault).
        self._latin: dict[str, str] = {}
        for word in words:
            syllables = tuple(self._reading(ch) for ch in word)
            term = _Term(word, syllables)
            for first in syllables[0]:
                self._by_start.setdefault((len(word), first), []).append(term)
            for spelling in _latin_spellings(word):
                self._latin.setdefault(spelling, word)
        self._lengths = sorted({length for length, _ in self._by_start}, reverse=True)
        groups = load_lookalike_groups() if lookalikes is None else tuple(lookalikes)
        self._lookalikes = _lookalike_map(groups)
        # Each term under each of its characters masked: 租?补贴 finds 租赁补贴 from 租凭补贴.
        self._by_mask: dict[str, list[str]] = {}
        for word in words:
            for i, char in enumerate(word):
                if char in self._lookalikes:
                    self._by_mask.setdefault(_masked(word, i), []).append(word)

    def _reading(self, char: str) -> frozenset[str]:
        found = self._readings.get(char)
        if found is None:
            # The common reading only: rare ones (积 read zhi, 示 read qi) made 公积金 a slip
            # of 公示; the slips residents make are of the common reading.
            readings = pinyin(char, style=Style.NORMAL, heteronym=False)[0]
            found = frozenset(fold_syllable(r) for r in readings if r.isalpha())
            self._readings[char] = found
        return found

    def correct(self, text: str) -> Correction:
        """Correct homophone slips and pinyin spellings in already normalised (NFKC) text."""
        found = self._corrections.get(text)
        if found is None:
            if len(self._corrections) >= _CORRECTION_CACHE_SIZE:
                self._corrections.clear()
            found = self._correct(text)
            self._corrections[text] = found
        return found

    def _correct(self, text: str) -> Correction:
        fixes: list[tuple[str, str]] = []
        text = self._replace_latin(text, fixes)
        exact = self._exact_occurrences(text)
        taken: set[int] = set()
        # Longer terms first over the whole text, so 新的保章房 becomes 新的保障房, not 新低保章房.
        # A correct shorter term inside a longer slip (补贴 in 租领补贴) does not block the
        # longer correction, as long as the correction leaves that term's characters as typed.
        replacements: dict[int, str] = {}
        for length in self._lengths:
            for start in range(len(text) - length + 1):
                span = range(start, start + length)
                if any(p in taken or exact.get(p, 0) >= length for p in span):
                    continue
                term = self._match(text[start : start + length]) or self._match_shape(
                    text, start, length
                )
                if term is None or any(p in exact and term[p - start] != text[p] for p in span):
                    continue
                replacements[start] = term
                taken.update(span)
        if not replacements:
            return Correction(text, tuple(fixes))
        out: list[str] = []
        i = 0
        while i < len(text):
            term = replacements.get(i)
            if term is None:
                out.append(text[i])
                i += 1
            else:
                fixes.append((text[i : i + len(term)], term))
                out.append(term)
                i += len(term)
        return Correction("".join(out), tuple(fixes))

    def _replace_latin(self, text: str, fixes: list[tuple[str, str]]) -> str:
        def replace(match: re.Match[str]) -> str:
            word = self._latin.get(match.group(0))
            if word is None:
                return match.group(0)
            fixes.append((match.group(0), word))
            return word

        return _LATIN_WORD.sub(replace, text)

    def _exact_occurrences(self, text: str) -> dict[int, int]:
        """Each position inside a correctly typed term, with the longest such term's length."""
        covered: dict[int, int] = {}
        for length in self._lengths:
            for start in range(len(text) - length + 1):
                if text[start : start + length] in self._vocabulary:
                    for p in range(start, start + length):
                        covered[p] = max(covered.get(p, 0), length)
        return covered

    def _match(self, window: str) -> str | None:
        if not _all_cjk(window) or (len(window) == 2 and self._is_common_word(window)):
            return None
        readings = [self._reading(ch) for ch in window]
        for first in readings[0]:
            for term in self._by_start.get((len(window), first), ()):
                if _sounds_alike(readings, term.syllables) and _close_enough(window, term):
                    return term.text
        return None

    def _match_shape(self, text: str, start: int, length: int) -> str | None:
        """The term the window is a look-alike slip of (one character of the same shape)."""
        window = text[start : start + length]
        if not self._by_mask or not _all_cjk(window):
            return None
        if length == 2 and self._is_common_word(window):
            return None
        for i, char in enumerate(window):
            for term in self._by_mask.get(_masked(window, i), ()):
                if char not in self._lookalikes.get(term[i], ()):
                    continue
                before = text[start + i - 1 : start + i + 1] if i == 0 and start > 0 else ""
                after = text[start + i : start + i + 2] if i == length - 1 else ""
                if any(len(w) == 2 and self._is_common_word(w) for w in (before, after)):
                    # 到底 in 到底保不保: the character belongs to its neighbour's word.
                    continue
                return term
        return None


def _masked(word: str, position: int) -> str:
    return word[:position] + "?" + word[position + 1 :]


def _lookalike_map(groups: Iterable[str]) -> dict[str, frozenset[str]]:
    """Each character → the characters it is mistaken for (itself excluded)."""
    found: dict[str, set[str]] = {}
    for group in groups:
        chars = [ch for ch in group if _CJK_CHAR.match(ch)]
        for ch in chars:
            found.setdefault(ch, set()).update(c for c in chars if c != ch)
    return {ch: frozenset(others) for ch, others in found.items()}


@cache
def load_lookalike_groups() -> tuple[str, ...]:
    """The packaged groups of characters confused by shape (lookalike_characters.txt)."""
    text = resources.files("knowledge").joinpath("data", "lookalike_characters.txt")
    lines = text.read_text("utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _all_cjk(text: str) -> bool:
    return all(_CJK_CHAR.match(ch) for ch in text)


def _sounds_alike(readings: list[frozenset[str]], syllables: tuple[frozenset[str], ...]) -> bool:
    return all(a & b for a, b in zip(readings, syllables, strict=True))


def _close_enough(window: str, term: _Term) -> bool:
    """All characters but one must be the term's own (one for a two-character term)."""
    differing = [a for a, b in zip(window, term.text, strict=True) if a != b]
    if any(ch in _PARTICLES for ch in differing):
        return False
    same = len(window) - len(differing)
    needed = 1 if len(window) == 2 else len(window) - 1
    return same >= needed


def _latin_spellings(word: str) -> list[str]:
    syllables = [r[0] for r in pinyin(word, style=Style.NORMAL)]
    if not all(s.isalpha() for s in syllables):
        return []
    full = "".join(syllables)
    spellings = [full]
    if len(word) >= 3:
        spellings.append("".join(s[0] for s in syllables))
    return spellings


def common_word_test(frequency: Callable[[str], int]) -> Callable[[str], bool]:
    """A test for 'this two-character window is an ordinary word' from dictionary frequencies."""
    return lambda word: frequency(word) >= _COMMON_WORD_FREQUENCY
