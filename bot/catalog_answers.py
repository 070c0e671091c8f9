"""Where, when and by whom things are published: answers from the disclosure catalog itself."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from bot import phrases
from bot.compose import format_date
from knowledge.catalog import Catalog, CatalogItem
from knowledge.index import SearchIndex

CATALOG_TITLE = "保障性住房领域基层政务公开标准目录"
_DEADLINE_WORDS = ("多久", "多长时间", "几天", "时限", "多少天", "期限", "之内", "以内")
_CHANNEL_WORDS = (
    "在哪",
    "哪里",
    "渠道",
    "哪儿",
    "翻看",
    "当面",
    "查阅",
    "网上",
    "上网",
    "公布",
    "看",
)
_BODY_WORDS = ("部门", "谁", "单位", "负责", "归哪")
_ELEMENT_WORDS = ("公开啥", "公开些啥", "公开什么", "都公开", "内容", "哪些信息", "公开哪些")
# An item is named by the question when its name, an alias or a topic scores this well.
_ITEM_MATCH = 50.0
_MAX_DOCUMENTS = 3
_EXACT_NAME_LENGTH = 3
_SPECIFIC_NAME_LENGTH = 6
_SAME_TYPE_BONUS = 10.0
_OTHER_TYPE_MALUS = 30.0
_GENERIC_WORDS = (
    "公共租赁住房",
    "公租房",
    "经济适用住房",
    "经适房",
    "廉租住房",
    "保障性住房",
    "保障房",
    "公开",
    "信息",
    "情况",
    "在哪",
)
# Every character pair inside a generic word: such a pair names no item.
_GENERIC_PAIRS = frozenset(word[i : i + 2] for word in _GENERIC_WORDS for i in range(len(word) - 1))
_SPELT_OUT = (("经适房", "经济适用住房"), ("公租房", "公共租赁住房"), ("廉租房", "廉租住房"))


@dataclass(frozen=True)
class CatalogReply:
    """Lines about one catalog item (or the catalog as a whole) and the item's documents."""

    lines: list[str]
    item: CatalogItem | None
    score: float


def find_item(catalog: Catalog, text: str) -> CatalogItem | None:
    """The catalog item a question is about, by name, alias, elements or topic words.

    Short names (预公开, 政策) must appear as written: fuzzy matching of three characters finds
    them in any question that says 公开. Residents' short forms are spelt out first (经适房 →
    经济适用住房) so the catalog's full names match.
    """
    for short, full in _SPELT_OUT:
        text = text.replace(short, full)
    pairs = _bigrams(text)
    best: tuple[float, CatalogItem] | None = None
    for item in catalog.items:
        names = [item.second_level, *item.aliases, *item.topics]
        score = max(
            (_name_score(name, text, pairs) for name in names if len(name) >= 2), default=0.0
        )
        if item.second_level in text:
            score = 100.0 + len(item.second_level)
        if score >= _ITEM_MATCH and (best is None or score > best[0]):
            best = (score, item)
    return best[1] if best else None


def _bigrams(text: str) -> frozenset[str]:
    pairs = {text[i : i + 2] for i in range(len(text) - 1)}
    # Housing types and the words every item shares (公开, 信息) name no item.
    return frozenset(p for p in pairs if p not in _GENERIC_PAIRS)


@functools.lru_cache(maxsize=4096)
def _name_bigrams(name: str) -> frozenset[str]:
    """_bigrams of a catalog name: the catalog's names are few and asked about every time."""
    return _bigrams(name)


def _name_score(name: str, text: str, pairs: frozenset[str]) -> float:
    """Share of the name's character pairs the question (text, its pairs) holds (0..100); a
    longer name matched says more, and a short name counts only when written out in full."""
    if len(name) <= _EXACT_NAME_LENGTH:
        return 100.0 * min(len(name), 3) / 3 if name in text else 0.0
    wanted = _name_bigrams(name)
    if not wanted:
        return 0.0
    share = len(wanted & pairs) / len(wanted)
    score = 100.0 * share * min(len(name), _SPECIFIC_NAME_LENGTH) / _SPECIFIC_NAME_LENGTH
    for short, full in _SPELT_OUT:
        if short in name or full in name:
            # A name for another housing type than the one asked about is the wrong item.
            score += _SAME_TYPE_BONUS if full in text else -_OTHER_TYPE_MALUS
    return score


def catalog_reply(catalog: Catalog, index: SearchIndex, text: str) -> CatalogReply:
    """Deadline, channels, responsible body or elements of the item asked about."""
    item = find_item(catalog, text)
    subject = item or _typical_item(catalog)
    if subject is None:
        return CatalogReply([], None, 0.0)
    asks = _asked(text)
    lines: list[str] = []
    label = subject.second_level if item else "保障性住房领域信息"
    if "channels" in asks:
        lines.append(
            phrases.CATALOG_CHANNELS.format(item=label, channels="、".join(subject.channels))
        )
    if "deadline" in asks:
        lines.append(phrases.CATALOG_DEADLINE.format(deadline=subject.deadline))
    if "body" in asks:
        lines.append(phrases.CATALOG_BODY.format(body=subject.responsible_body))
    if "elements" in asks and subject.elements:
        elements = "、".join(e.name for e in subject.elements)
        lines.append(phrases.CATALOG_ELEMENTS.format(elements=elements))
    if item is not None:
        lines.extend(_documents_of(index, item, text))
    return CatalogReply(lines, item, 0.9 if item else 0.6)


def _asked(text: str) -> set[str]:
    asks = set()
    if any(w in text for w in _DEADLINE_WORDS):
        asks.add("deadline")
    if any(w in text for w in _BODY_WORDS):
        asks.add("body")
    if any(w in text for w in _ELEMENT_WORDS):
        asks.add("elements")
    if any(w in text for w in _CHANNEL_WORDS) or not asks:
        asks.add("channels")
    return asks


def _typical_item(catalog: Catalog) -> CatalogItem | None:
    """The item whose deadline, body and channels most items share (for general questions)."""
    items = [i for i in catalog.items if i.channels and i.deadline]
    if not items:
        return None
    counts: dict[tuple[str, str], int] = {}
    for item in items:
        key = (item.deadline, item.responsible_body)
        counts[key] = counts.get(key, 0) + 1
    common = max(counts, key=lambda k: counts[k])
    return next(i for i in items if (i.deadline, i.responsible_body) == common)


def _documents_of(index: SearchIndex, item: CatalogItem, text: str) -> Sequence[str]:
    """The item's published documents, newest first (those naming a batch asked about first)."""
    infos = [i for i in index.documents if i.item_number == item.number]
    preferred = [i for i in infos if any(part in i.title for part in _batch_words(text))]
    ordered = preferred + [i for i in infos if i not in preferred]
    return [f"《{i.title}》（{format_date(i.published_on)}）" for i in ordered[:_MAX_DOCUMENTS]]


def _batch_words(text: str) -> list[str]:
    words = []
    for numeral in "一二三四五六七八九":
        if f"第{numeral}批" in text:
            words.append(f"第{numeral}批")
    return words
