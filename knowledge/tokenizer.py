"""The search tokenizer: a private jieba.Tokenizer with the domain dictionary and term folding."""

from __future__ import annotations

import logging
import marshal
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import jieba

# jieba logs "Building prefix dict" at INFO on every start.
jieba.setLogLevel(logging.WARNING)

# jieba reads its cache with marshal.load(file), slow on Python 3 (jieba issue #862); reading the
# bytes first and marshal.loads() them is ~2.5x faster. This touches jieba internals (FREQ,
# total, initialized), which is why pyproject pins jieba 0.42.1.
_CACHE_NAME = "anju-jieba-0.42.1.cache"
# Phrases (expansions, category names) are few; the cache is cleared if it ever grows this big.
_PHRASE_CACHE_SIZE = 10_000

_PUNCTUATION_OR_SPACE = re.compile(r"^[\W_]+$")
_LATIN_OR_DIGITS = re.compile(r"^[0-9a-z.]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _data_lines(name: str) -> list[str]:
    text = resources.files("knowledge").joinpath("data", name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and letters to half-width) and lower-case Latin letters."""
    return unicodedata.normalize("NFKC", text).lower()


def load_domain_words() -> list[str]:
    """The packaged domain dictionary (userdict.txt), words only."""
    return [word for word, _ in load_domain_dictionary()]


def load_domain_dictionary() -> list[tuple[str, int | None]]:
    """The packaged domain dictionary: each word with its frequency where one is given.

    A frequency makes a word win over a neighbour's split (这回 over 这/回放 in 这回放出来).
    """
    entries: list[tuple[str, int | None]] = []
    for line in _data_lines("userdict.txt"):
        word, *rest = line.split()
        entries.append((word, int(rest[0]) if rest and rest[0].isdigit() else None))
    return entries


def load_term_synonyms() -> dict[str, str]:
    """variant → canonical term, from term_synonyms.txt."""
    folding: dict[str, str] = {}
    for line in _data_lines("term_synonyms.txt"):
        canonical, _, variants = line.partition(":")
        canonical = canonical.strip()
        for variant in variants.split():
            folding[variant] = canonical
    return folding


def _load_base_dictionary(tokenizer: jieba.Tokenizer, cache_dir: Path) -> None:
    cache = cache_dir / _CACHE_NAME
    try:
        tokenizer.FREQ, tokenizer.total = marshal.loads(cache.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
        # Written to a temporary name and renamed, so a concurrent start never reads half a file.
        handle, temporary = tempfile.mkstemp(dir=cache_dir)
        with os.fdopen(handle, "wb") as out:
            marshal.dump((tokenizer.FREQ, tokenizer.total), out)
        os.replace(temporary, cache)
    tokenizer.initialized = True


class DomainTokenizer:
    """Cuts Chinese text into search terms the same way for the material and the questions.

    One instance lives as long as the process (jieba's dictionary costs ~0.4 s and ~90 MB).
    Words added later (project names from new material) stay; adding words while other threads
    cut is safe in practice (dict writes are atomic under the GIL) and only ever adds words.
    """

    def __init__(self, extra_words: Iterable[str] = (), cache_dir: Path | None = None) -> None:
        self._jieba = jieba.Tokenizer()
        _load_base_dictionary(self._jieba, cache_dir or Path(tempfile.gettempdir()))
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._phrase_terms: dict[str, tuple[str, ...]] = {}
        self.folding = load_term_synonyms()
        self.stopwords = frozenset(_data_lines("stopwords.txt"))
        self.domain_words: frozenset[str] = frozenset()
        self.add_words(load_domain_words())
        for word, frequency in load_domain_dictionary():
            if frequency is not None:
                self._jieba.add_word(normalize_text(word), frequency)
        self.add_words(self.folding)
        self.add_words(extra_words)

    def add_words(self, words: Iterable[str]) -> None:
        """Teach the tokenizer words it must never split (domain terms, project names)."""
        with self._lock:
            new = [normalize_text(w) for w in words if w and normalize_text(w) not in self._known]
            for word in new:
                self._jieba.add_word(word)
                self._known.add(word)
            if new:
                self._phrase_terms = {}
            self.domain_words = frozenset(self._known)

    def knows(self, word: str) -> bool:
        """True when word is in jieba's dictionary (with any frequency) or was added."""
        return word in self._known or self._jieba.FREQ.get(word, 0) > 0

    def frequency(self, word: str) -> int:
        """jieba's dictionary frequency of word (0 when unknown)."""
        return int(self._jieba.FREQ.get(word, 0))

    def cut(self, text: str) -> list[str]:
        """Raw jieba tokens of normalised text, HMM off (the HMM invents words: 年公)."""
        return [t for t in self._jieba.lcut(normalize_text(text), HMM=False) if t.strip()]

    def fold(self, token: str) -> str:
        """The canonical spelling of a term (公共租赁住房 → 公租房)."""
        return self.folding.get(token, token)

    def terms_of_phrase(self, text: str) -> tuple[str, ...]:
        """terms() of a short, recurring phrase (an expansion, a category), cut once."""
        found = self._phrase_terms.get(text)
        if found is None:
            if len(self._phrase_terms) >= _PHRASE_CACHE_SIZE:
                self._phrase_terms.clear()
            found = tuple(self.terms(text))
            self._phrase_terms[text] = found
        return found

    def terms(self, text: str) -> list[str]:
        """Search terms: folded tokens without punctuation, plus known sub-words of long tokens.

        Sub-words (like jieba's cut_for_search) let 多长时间 meet 时间, and 审核结果 meet 审核.
        """
        return [term for group in self.term_groups(text) for term in group]

    def term_groups(self, text: str, keep_breaks: bool = False) -> list[list[str]]:
        """terms(), grouped per word: [folded word, its sub-words...] (one concept each).

        With keep_breaks, an empty group marks where a stopword or punctuation was dropped, so
        a caller can tell words that stood side by side from words that did not.
        """
        groups: list[list[str]] = []
        for token in self.cut(text):
            if _PUNCTUATION_OR_SPACE.match(token) or token in self.stopwords:
                if keep_breaks and groups and groups[-1]:
                    groups.append([])
                continue
            folded = self.fold(token)
            group = [folded]
            if len(token) > 2 and _CJK.search(token):
                group.extend(self._sub_words(token, folded))
            groups.append(group)
        return groups

    def _sub_words(self, token: str, folded: str) -> list[str]:
        # A domain word is one concept (公租房 is not 租房): only its domain sub-words count.
        atomic = token in self._known
        found: list[str] = []
        sizes = range(2, len(token)) if atomic else (2, 3)
        for size in sizes:
            if len(token) <= size:
                continue
            for start in range(len(token) - size + 1):
                part = token[start : start + size]
                if part in self.stopwords:
                    continue
                if (part in self._known) if atomic else self.knows(part):
                    part = self.fold(part)
                    if part != folded:
                        found.append(part)
        return found


def is_latin_or_digits(token: str) -> bool:
    """True for tokens like 'gzf', '2026', '60.5'."""
    return bool(_LATIN_OR_DIGITS.match(token))
