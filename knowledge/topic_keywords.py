"""The keywords of a question for hot topics, and their similarity (weighted Dice via rapidfuzz).

A question's keywords are its words as the search tokenizer cuts them, after the spelling
corrector (公组房 → 公租房, gzf → 公租房) and term folding (公共租赁住房 → 公租房), without the
words that only say how something is asked. Two questions are alike when they share most of
their keywords: words naming the housing scheme weigh half, since "公租房怎么申请" and
"公租房租金多少" share 公租房 but ask different things.

Similarity is computed by rapidfuzz in C: each distinct keyword becomes one private-use
character, repeated by its weight, and a question becomes its characters sorted. The longest
common subsequence of two sorted strings is then their (weighted) common keywords, so
fuzz.ratio is exactly the weighted Dice coefficient 2·|A∩B| / (|A| + |B|), and
process.extractOne finds the closest of thousands of topics in well under a millisecond.
"""

from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass
from importlib import resources

from knowledge.spelling import SpellingCorrector, common_word_test
from knowledge.tokenizer import DomainTokenizer, load_domain_words, normalize_text

#: A long question keeps this many keywords (the most specific ones).
MAX_KEYWORDS = 6
#: Weights of a keyword: words naming the scheme count half of what the question asks.
BACKGROUND_WEIGHT = 1
SUBJECT_WEIGHT = 2
_DATA_FILE = "topic_words.toml"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Residents ask the same questions again and again (a lottery day): cut each once.
_CACHE_SIZE = 20_000
# Supplementary private-use planes 15 and 16: never a character of a real question.
_FIRST_SYMBOL = 0xF0000
_SYMBOL_COUNT = 0x10FFFE - _FIRST_SYMBOL


@dataclass(frozen=True)
class TopicWords:
    """Words left out of keywords, words weighing half, and spellings folded together."""

    ignore: frozenset[str]
    background: frozenset[str]
    fold: dict[str, str]


def load_topic_words() -> TopicWords:
    """The packaged topic_words.toml."""
    text = resources.files("knowledge").joinpath("data", _DATA_FILE).read_text("utf-8")
    data = tomllib.loads(text)
    fold = {str(k): str(v) for k, v in data.get("fold", {}).items()}
    return TopicWords(
        ignore=frozenset(normalize_text(w) for w in data.get("ignore", [])),
        background=frozenset(normalize_text(w) for w in data.get("background", [])),
        fold=fold,
    )


class KeywordExtractor:
    """Keywords of questions, with the domain tokenizer the application already holds.

    Safe to share between threads: the caches only ever gain entries or are cleared whole.
    """

    def __init__(self, tokenizer: DomainTokenizer, words: TopicWords | None = None) -> None:
        self._tokenizer = tokenizer
        self._words = words or load_topic_words()
        # Domain words only (not the material's project names), so the same question gets the
        # same keywords whatever material is loaded.
        self._spelling = SpellingCorrector(
            load_domain_words(), common_word_test(tokenizer.frequency)
        )
        self._cache: dict[str, tuple[str, ...]] = {}

    def keywords(self, question: str) -> tuple[str, ...]:
        """The question's keywords in the order it uses them (at most MAX_KEYWORDS)."""
        found = self._cache.get(question)
        if found is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            found = self._keywords(question)
            self._cache[question] = found
        return found

    def weight(self, word: str) -> int:
        """How much a keyword counts in similarity."""
        return BACKGROUND_WEIGHT if word in self._words.background else SUBJECT_WEIGHT

    def _keywords(self, question: str) -> tuple[str, ...]:
        corrected = self._spelling.correct(normalize_text(question)).text
        words: list[str] = []
        for group in self._tokenizer.term_groups(corrected):
            word = self._words.fold.get(group[0], group[0])
            if len(word) < 2 or not _CJK.search(word) or word in self._words.ignore:
                continue
            if word not in words:
                words.append(word)
        if len(words) <= MAX_KEYWORDS:
            return tuple(words)
        # Keep the most telling: subject words before background ones, the domain's words
        # before others, then rarer words (jieba's dictionary frequency), then earlier ones;
        # the kept stay in question order.
        domain = self._tokenizer.domain_words
        ranked = sorted(
            range(len(words)),
            key=lambda i: (
                words[i] in self._words.background,
                words[i] not in domain,
                self._tokenizer.frequency(words[i]),
                i,
            ),
        )
        kept = sorted(ranked[:MAX_KEYWORDS])
        return tuple(words[i] for i in kept)


def signature(words: tuple[str, ...]) -> str:
    """The keywords sorted: the same set of keywords has one signature, in any order."""
    return " ".join(sorted(words))


class SymbolTable:
    """Keywords as single characters, so that rapidfuzz compares keyword sets (see above)."""

    def __init__(self, extractor: KeywordExtractor) -> None:
        self._extractor = extractor
        self._symbols: dict[str, str] = {}
        self._lock = threading.Lock()

    def code(self, words: tuple[str, ...]) -> str:
        """The sorted, weighted symbol string of a set of keywords."""
        symbols: list[str] = []
        for word in words:
            symbol = self._symbols.get(word)
            if symbol is None:
                symbol = self._add(word)
            symbols.extend(symbol * self._extractor.weight(word))
        return "".join(sorted(symbols))

    def _add(self, word: str) -> str:
        with self._lock:
            symbol = self._symbols.get(word)
            if symbol is None:
                # Past 131,070 distinct keywords two words share a symbol: similarity then
                # overrates a few pairs, which is all it costs.
                symbol = chr(_FIRST_SYMBOL + len(self._symbols) % _SYMBOL_COUNT)
                self._symbols[word] = symbol
            return symbol
