"""The disclosure catalog (公开标准目录): its items, its loader, and placing folders and titles."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

AUDIENCES = ("全社会", "特定群体")
DISCLOSURE_MODES = ("主动", "依申请")
LEVELS = ("县级", "乡级")

_PACKAGED_FILE = "catalog.toml"
_REQUIRED_KEYS: dict[str, type] = {
    "number": int,
    "first_level": str,
    "second_level": str,
    "elements": list,
    "deadline": str,
    "responsible_body": str,
    "channels": list,
}
_OPTIONAL_LISTS = (
    "legal_basis",
    "audience",
    "disclosure",
    "level",
    "aliases",
    "table_elements",
    "topics",
)
_ALLOWED_VALUES = {"audience": AUDIENCES, "disclosure": DISCLOSURE_MODES, "level": LEVELS}
_KNOWN_KEYS = {*_REQUIRED_KEYS, *_OPTIONAL_LISTS, "deadline_working_days", "source"}
_KIND = {int: "a whole number", str: "a string", list: "a list"}
_WORKING_DAYS = re.compile(r"(\d+)\s*个\s*工作日")

# Words that name the form of a publication rather than its subject: "分配结果公示" is 分配结果.
_FILLERS = ("一览表", "公示", "公告", "信息", "情况", "结果", "名单")
# Dates and batches say when, never which item: "2026年第一批…" must not steer the match.
_WHEN = re.compile(
    r"\d{2,4}年度?|\d{1,2}月份?|\d{1,2}日|第[一二三四五六七八九十\d]+[批期]|[一二三四]?季度|关于|的"
)
_LEADING_NUMBER = re.compile(r"^(?:第)?([(【\[]?)(\d{1,3})(?!\d)[)】\]]?(?:项)?(.*)$", re.S)
# A number followed by one of these is a date or a count ("12月", "3号楼"), not an item number.
_NOT_AN_ITEM_NUMBER = tuple("年月日号批期季届栋层户室套万元")
_MATCH_SCORE = 80.0
_MATCH_MARGIN = 5.0
_TITLE_KEY_MIN_LENGTH = 3


class CatalogError(ValueError):
    """The catalog file is not valid; the message names the item and the key."""


@dataclass(frozen=True)
class Element:
    """One disclosed element (公开内容): required (●) or optional (○)."""

    name: str
    required: bool


@dataclass(frozen=True)
class CatalogItem:
    """One second-level item (二级事项) of the catalog."""

    number: int
    first_level: str
    second_level: str
    elements: tuple[Element, ...]
    legal_basis: tuple[str, ...]
    deadline: str
    deadline_working_days: int | None
    responsible_body: str
    channels: tuple[str, ...]
    audience: tuple[str, ...]
    disclosure: tuple[str, ...]
    level: tuple[str, ...]
    aliases: tuple[str, ...]
    table_elements: tuple[str, ...]
    topics: tuple[str, ...]
    source: str

    @property
    def label(self) -> str:
        """How staff and residents see the item: "17 房源信息"."""
        return f"{self.number} {self.second_level}"


@dataclass(frozen=True)
class FolderMatch:
    """Which item a folder name names; the closest items serve the error when none does."""

    item: CatalogItem | None
    closest: tuple[CatalogItem, ...]
    conflict: str | None = None


def _normalize(text: str) -> str:
    """Letters and digits only, full-width folded, with dates and batch numbers removed."""
    folded = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(char for char in folded if unicodedata.category(char)[0] in "LN")
    return _WHEN.sub("", kept)


def _strip_fillers(text: str) -> str:
    for filler in _FILLERS:
        text = text.replace(filler, "")
    return text


def _split_number(name: str) -> tuple[int | None, str]:
    """A folder name's leading item number, if it has one, and the rest of the name."""
    text = unicodedata.normalize("NFKC", name).strip()
    found = _LEADING_NUMBER.match(text)
    if found is None:
        return None, text
    bracketed, digits, rest = found.groups()
    if not bracketed and rest.startswith(_NOT_AN_ITEM_NUMBER):
        return None, text
    return int(digits), rest.strip(" -_、.。,，:：\u2014\u2013")


class Catalog:
    """The catalog's items by number, and the rules that place folders and files under them."""

    def __init__(self, items: Iterable[CatalogItem]) -> None:
        by_number: dict[int, CatalogItem] = {}
        names: dict[str, CatalogItem] = {}
        for item in items:
            if item.number in by_number:
                raise CatalogError(f"item {item.number}: the number is used twice")
            by_number[item.number] = item
            for name in (item.second_level, *item.aliases):
                key = _normalize(name)
                other = names.get(key)
                if not key:
                    raise CatalogError(f"item {item.label}: name or alias {name!r} is empty")
                if other is not None and other.number != item.number:
                    raise CatalogError(
                        f"item {item.label}: name or alias {name!r} is already {other.label}'s"
                    )
                names[key] = item
        self._by_number = dict(sorted(by_number.items()))
        self._names = names
        self._short_names = self._unambiguous_short_names()
        keys: dict[int, list[str]] = {}
        for key, item in (*names.items(), *self._short_names.items()):
            keys.setdefault(item.number, []).append(key)
        self._keys_by_item = {number: tuple(found) for number, found in keys.items()}

    def _unambiguous_short_names(self) -> dict[str, CatalogItem]:
        """Names with the filler words removed, where that still names one item only."""
        owners: dict[str, set[int]] = {}
        for key, item in self._names.items():
            owners.setdefault(_strip_fillers(key), set()).add(item.number)
        short_names: dict[str, CatalogItem] = {}
        for short, numbers in owners.items():
            full_name_owner = self._names.get(short)
            if not short or len(numbers) != 1:
                continue
            if full_name_owner is None or full_name_owner.number in numbers:
                short_names[short] = self._by_number[next(iter(numbers))]
        return short_names

    @property
    def items(self) -> tuple[CatalogItem, ...]:
        """Every item, by number."""
        return tuple(self._by_number.values())

    def __iter__(self) -> Iterator[CatalogItem]:
        return iter(self._by_number.values())

    def __len__(self) -> int:
        return len(self._by_number)

    def item(self, number: int) -> CatalogItem:
        """The item with this number; KeyError when the catalog has none."""
        try:
            return self._by_number[number]
        except KeyError:
            raise KeyError(f"the catalog has no item {number}") from None

    def table_items(self) -> tuple[CatalogItem, ...]:
        """Items published as tables (they have canonical table elements)."""
        return tuple(item for item in self if item.table_elements)

    def match_folder(self, name: str) -> FolderMatch:
        """Which item a folder names: by leading number, name or alias, loosely."""
        number, rest = _split_number(name)
        named, closest = self._match_name(rest)
        if number is None:
            return FolderMatch(named, closest)
        numbered = self._by_number.get(number)
        if numbered is None:
            if named is None:
                return FolderMatch(None, closest or self._nearest_numbers(number))
            unknown = f"文件夹“{name}”的编号 {number} 不在目录中，已按名称归入“{named.label}”"
            return FolderMatch(named, closest, unknown)
        if named is None or named.number == number:
            return FolderMatch(numbered, closest or (numbered,))
        disagreement = (
            f"文件夹“{name}”的编号是“{numbered.label}”，名称却是“{named.label}”："
            f"已按编号归入“{numbered.label}”"
        )
        return FolderMatch(numbered, closest, disagreement)

    def place_by_title(self, title: str) -> CatalogItem | None:
        """The item a file's title names, or None when that is not clear (never a guess)."""
        return self._contained_in(_normalize(title), _TITLE_KEY_MIN_LENGTH)

    def _match_name(self, text: str) -> tuple[CatalogItem | None, tuple[CatalogItem, ...]]:
        query = _normalize(text)
        if not query:
            return None, ()
        ranking = self._rank(query)
        exact = self._names.get(query) or self._short_names.get(_strip_fillers(query))
        if exact is not None:
            return exact, ranking
        contained = self._contained_in(query, 2)
        if contained is not None:
            return contained, ranking
        # A fragment of several items' names ("资格审核") is ambiguous, however close one scores.
        owners = self._owners_of_names_containing(query)
        if len(owners) == 1:
            return owners[0], ranking
        if owners:
            return None, ranking
        scores = [self._score(query, item) for item in ranking[:2]]
        clear_lead = len(scores) == 1 or scores[0] - scores[1] >= _MATCH_MARGIN
        if scores and scores[0] >= _MATCH_SCORE and clear_lead:
            return ranking[0], ranking
        return None, ranking

    def _contained_in(self, query: str, min_length: int) -> CatalogItem | None:
        """The item whose name the text holds; of several, the one whose name holds all the rest."""
        hits = [(key, item) for key, item in self._names.items() if len(key) >= min_length]
        hits = [(key, item) for key, item in hits if key in query]
        if not hits:
            return None
        longest, item = max(hits, key=lambda hit: len(hit[0]))
        if all(key in longest for key, _ in hits):
            return item
        if len({hit_item.number for _, hit_item in hits}) == 1:
            return item
        return None

    def _owners_of_names_containing(self, query: str) -> tuple[CatalogItem, ...]:
        """The items having a name that contains the whole text ("互动" -> 互动回应)."""
        if len(query) < 2:
            return ()
        owners = {item.number: item for key, item in self._names.items() if query in key}
        return tuple(owners.values())

    def _score(self, query: str, item: CatalogItem) -> float:
        short_query = _strip_fillers(query) or query
        return max(
            fuzz.ratio(candidate, key)
            for key in self._keys_by_item[item.number]
            for candidate in (query, short_query)
        )

    def _rank(self, query: str) -> tuple[CatalogItem, ...]:
        """The three items whose names are closest to the text."""
        scored = sorted(self, key=lambda item: (-self._score(query, item), item.number))
        return tuple(scored[:3])

    def _nearest_numbers(self, number: int) -> tuple[CatalogItem, ...]:
        return tuple(sorted(self, key=lambda item: (abs(item.number - number), item.number))[:3])


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate the catalog file: the packaged one unless a path is given."""
    if path is None:
        source = _PACKAGED_FILE
        text = resources.files("knowledge").joinpath("data", _PACKAGED_FILE).read_text("utf-8")
    else:
        source = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CatalogError(f"{source}: cannot read the catalog: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{source}: not valid TOML: {error}") from error
    unknown = sorted(set(data) - {"item"})
    if unknown:
        raise CatalogError(f"{source}: unknown top-level key(s) {', '.join(unknown)}")
    tables = data.get("item")
    if not isinstance(tables, list) or not tables:
        raise CatalogError(f"{source}: no items; each item is a [[item]] table")
    try:
        return Catalog(_parse_item(table, position) for position, table in enumerate(tables, 1))
    except CatalogError as error:
        raise CatalogError(f"{source}, {error}") from None


def _parse_item(table: Mapping[str, Any], position: int) -> CatalogItem:
    number = table.get("number")
    where = f"item {number}" if type(number) is int else f"the item in position {position}"
    if isinstance(table.get("second_level"), str):
        where += f" ({table['second_level']})"
    for key, expected in _REQUIRED_KEYS.items():
        if key not in table:
            raise CatalogError(f"{where}: missing key {key!r}")
        if type(table[key]) is not expected:
            raise CatalogError(f"{where}: key {key!r} must be {_KIND[expected]}")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")
    for key in ("first_level", "second_level", "deadline", "responsible_body"):
        if not table[key].strip():
            raise CatalogError(f"{where}: key {key!r} is empty")
    lists = {key: _strings(table, key, where) for key in ("channels", *_OPTIONAL_LISTS)}
    for key, allowed in _ALLOWED_VALUES.items():
        for value in lists[key]:
            if value not in allowed:
                raise CatalogError(f"{where}: key {key!r} has {value!r}; allowed: {allowed}")
    source = table.get("source", "bureau")
    if not isinstance(source, str) or not source.strip():
        raise CatalogError(f"{where}: key 'source' must be a non-empty string")
    return CatalogItem(
        number=table["number"],
        first_level=table["first_level"].strip(),
        second_level=table["second_level"].strip(),
        elements=tuple(_element(entry, where) for entry in table["elements"]),
        deadline=table["deadline"].strip(),
        deadline_working_days=_working_days(table, where),
        responsible_body=table["responsible_body"].strip(),
        channels=lists["channels"],
        legal_basis=lists["legal_basis"],
        audience=lists["audience"],
        disclosure=lists["disclosure"],
        level=lists["level"],
        aliases=lists["aliases"],
        table_elements=lists["table_elements"],
        topics=lists["topics"],
        source=source.strip(),
    )


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = table.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise CatalogError(f"{where}: key {key!r} must be a list of non-empty strings")
    if len(set(values)) != len(values):
        raise CatalogError(f"{where}: key {key!r} lists a value twice")
    return tuple(value.strip() for value in values)


def _element(entry: Any, where: str) -> Element:
    if (
        not isinstance(entry, dict)
        or set(entry) != {"name", "required"}
        or not isinstance(entry["name"], str)
        or not entry["name"].strip()
        or not isinstance(entry["required"], bool)
    ):
        raise CatalogError(
            f"{where}: key 'elements' must hold entries like "
            f'{{ name = "项目名称", required = true }}; got {entry!r}'
        )
    return Element(entry["name"].strip(), entry["required"])


def _working_days(table: Mapping[str, Any], where: str) -> int | None:
    """The key when given (it must agree with the text), else the count the text names."""
    stated = _WORKING_DAYS.search(table["deadline"])
    in_text = int(stated.group(1)) if stated else None
    if "deadline_working_days" not in table:
        return in_text
    days = table["deadline_working_days"]
    if type(days) is not int or days < 1:
        raise CatalogError(f"{where}: key 'deadline_working_days' must be a whole number above 0")
    if in_text is not None and days != in_text:
        raise CatalogError(
            f"{where}: key 'deadline_working_days' is {days} but the deadline says {in_text}"
        )
    return days
