"""Slots: the particulars of a message (type, project, 套型, area, person, ID tail, figures).

Every extractor reads the normalised message (bot.normalize: half-width, Arabic numerals for
counted quantities). Figures a resident gives about their household feed the eligibility
pre-check; a person's name and ID tail feed the result look-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.vocabulary import Vocabulary
from knowledge.masking import contains_full_identity_number
from knowledge.projects import ProjectMention

_NUMBER = r"(\d+(?:\.\d+)?)"
_TAIL = re.compile(
    r"(?:后四位|后4位|尾号|尾数|末四位|末4位|最后四位|最后4位|后四个数|后4个数)"
    r"(?:是|为|:|：|号码)?\s*([0-9]{3}[0-9x])(?![0-9a-z])"
)
_BARE_TAIL = re.compile(r"^\s*([0-9]{3}[0-9x])\s*$")
# "孔令华 1736 …": four characters standing alone right after a name.
_TAIL_AFTER_NAME = re.compile(r"^\s*[,，、]?\s*([0-9]{3}[0-9x])(?![0-9a-z年月日号元块])")
_NAME_INTRO = re.compile(
    r"(?:我叫|我是|本人叫|本人是|申请人是|姓名[:：]?)\s*([\u4e00-\u9fff]{2,4})"
)
# "帮我查一下王大锤", "王大锤审核过了吗": a name asked about, listed or not, so that the reply
# to an unlisted name is the same as to a listed one (it must not reveal who is listed).
_NAME_LOOKED_UP = re.compile(
    r"(?:查一下|查下|查查|帮我查|帮忙查|查询|看看|看一下)\s*([\u4e00-\u9fff]{2,3})(?![\u4e00-\u9fff]{2})"
)
_NAME_BEFORE_RESULT = re.compile(
    r"([\u4e00-\u9fff]{2,3})(?=的?(?:审核|分到|分没分到|年审|资格|结果|过了|过没过|批下来|通过|没过|分房))"
)
# Characters of everyday grammar that no given name holds (查一下 is not a name).
_NOT_IN_NAMES = frozenset("一下了的是我你他她们这那哪啥么吗呢吧啊个些给让把被从到在和与及要想能会")
_NAME_FIRST = re.compile(
    r"^([\u4e00-\u9fff]{2,4}?)[\s,，、]*(?:的)?(?:身份证(?:号)?)?(?:后四位|后4位|尾号|末四位)"
)
# Words that end a name when a pattern ran on: 我叫李静后四位… / 我是张伟身份证…
_NAME_STOP = ("身份证", "后四位", "尾号", "的", "想", "要", "问", "申请", "家", "在")
_HOUSEHOLD = (
    (re.compile(r"(\d+)\s*口(?:人|之家)?"), None),
    (re.compile(r"家里?(?:有|共|一共)?\s*(\d+)\s*个?人"), None),
    (re.compile(r"(\d+)\s*人(?:家庭|户)"), None),
    (re.compile(r"一个人过|就我一个人?|我一个人|单身|独自|光棍|1个人过|就我自己"), 1),
    (re.compile(r"老两口|两口子|俺俩|我俩|和老伴|跟老伴|夫妻俩|我们两个"), 2),
)
_MONEY = r"(\d+(?:\.\d+)?)\s*(万|千)?\s*(?:来|多|左右|出头|上下)?\s*(?:元|块|块钱)?"
_INCOME_WORD = re.compile(
    r"人均月收入|人均收入|月工资|工资|月薪|月收入|年收入|收入|退休金|养老金|挣钱|挣|赚|进账"
)
# "一个月"/"每年" between the word and the amount say when, not how much.
_PERIOD = re.compile(r"每个?月|一个?月|1个?月|每年|一年|1年|每季度")
_AMOUNT_AFTER_WORD = re.compile(rf"^[^\d。,，;；]{{0,8}}?{_MONEY}")
# "一个月加起来也就六千块": a few words may stand between the month and the amount, but not a
# figure, and not money going out (一个月交500房租).
_SPENDING = r"交|付|花|房租|租金|补贴|还贷|贷款"
_AMOUNT_IN_A_MONTH = re.compile(
    r"(?:每月|每个月|一个月|1个月|一月)"
    rf"(?:(?!{_SPENDING})[^\d。,，;；?？]){{0,8}}?{_MONEY}(?=[元块,，。\s]|出头|来|多|$)"
)
_TOGETHER = (
    "总共",
    "一共",
    "全家",
    "家里",
    "家庭",
    "加起来",
    "合计",
    "合起来",
    "俩人",
    "两口子",
    "两个人",
)
_SEARCH_BACK = 12
_APPROXIMATE = re.compile(r"^\s*\d+(?:\.\d+)?\s*(?:万|千)?\s*(?:来|多|左右|出头|上下)")
_INSURANCE_MONTHS = re.compile(r"社保[^\d。]{0,6}?(\d+)\s*个?月|社会保险[^\d。]{0,6}?(\d+)\s*个?月")
_YEARS_SINCE_GRADUATION = re.compile(r"毕业(?:第)?(\d+)\s*年|毕业(\d+)\s*年")
_YEARLY = re.compile(r"年收入|一年挣|1年挣|年工资|一年收入|1年收入")
_AREA = re.compile(rf"{_NUMBER}\s*(?:平方米|平方|平米|平|㎡)\s*(左右|上下|以上|以下|多)?")
_PER_CAPITA_AREA = re.compile(rf"人均(?:住房)?(?:建筑)?面积[^\d]{{0,4}}{_NUMBER}")
_NO_HOME = re.compile(
    r"没房|无房|没有房|没自己的房|没有自己的房|没有住房|无住房|租房住|租的房|租的平房|借住|住亲戚"
)
_VEHICLE = re.compile(rf"车[^\d。]{{0,12}}?{_NUMBER}\s*(万|千)?\s*(来|多|左右)?")
_SMALLEST_FLAT = 10.0
# An 18-character identity number, typed in full or already masked: its last four characters.
_FULL_ID = re.compile(r"(?<![0-9])[1-9][0-9]{5}[0-9*]{8}([0-9]{3}[0-9x])(?![0-9a-z])")
_AGE = re.compile(r"(\d{2})\s*(?:周岁|岁)|(?:俺|我|今年|都|已经)\s*(\d{2})\s*了")
_ORDERINGS = (
    ("cheapest", re.compile(r"最便宜|租金最低|价格最低|便宜点|便宜的|最省钱")),
    ("largest", re.compile(r"最大|大点|大一点|大些|宽敞|面积大")),
    ("smallest", re.compile(r"最小|小点|小一点|面积小")),
)
_SWAP = re.compile(r"换\s*(?:个|套|间|成|到|一套|一个|一间)?\s*(?:稍|更)?(?:大|小|便宜)")
_BATCH = re.compile(r"第\s*([一二三四五六七八九十\d]+)\s*批")
_RURAL = re.compile(r"农村户口|村里户口|农业户口|农村户籍")
_LOCAL_URBAN = re.compile(r"城镇户口|县城户口|城镇户籍|本县户口|本地户口")


@dataclass(frozen=True)
class Figures:
    """What a resident said about their household, for the eligibility pre-check."""

    household_size: int | None = None
    income: float | None = None
    income_scope: str = ""  # person, household or unknown (a wage)
    income_yearly: bool = False
    approximate: bool = False
    per_capita_area: float | None = None
    no_home: bool = False
    vehicle_price: float | None = None
    age: int | None = None
    hukou: str = ""  # local-urban, rural, outside
    insurance_months: int | None = None
    years_since_graduation: int | None = None

    @property
    def given(self) -> bool:
        """True when the resident gave any figure worth checking."""
        return any(
            (
                self.income is not None,
                self.per_capita_area is not None,
                self.vehicle_price is not None,
                self.age is not None,
                self.insurance_months is not None,
                self.years_since_graduation is not None,
                self.household_size is not None and (self.no_home or self.income is not None),
            )
        )


@dataclass(frozen=True)
class Slots:
    """Everything particular found in one message."""

    housing_type: str = ""
    merged_tier: bool = False
    category: str = ""
    projects: tuple[ProjectMention, ...] = ()
    unit_type: str = ""
    area: float | None = None
    area_qualifier: str = ""
    ordering: str = ""  # cheapest, largest or smallest
    batch: str = ""
    person_name: str = ""
    name_from_directory: bool = False
    id_tail: str = ""
    full_id_given: bool = False
    figures: Figures = Figures()


def find_words(text: str, table: dict[str, tuple[str, ...]]) -> str:
    """The first key of table whose words occur in text, preferring the longest word."""
    best = ""
    best_length = 0
    for key, words in table.items():
        for word in words:
            if len(word) > best_length and word in text:
                best, best_length = key, len(word)
    return best


def _money(amount: str, magnitude: str | None) -> float:
    value = float(amount)
    if magnitude == "万":
        value *= 10000
    elif magnitude == "千":
        value *= 1000
    return value


def _income(text: str) -> tuple[float | None, str, bool]:
    """(amount, scope, approximate) of the income a message states, or (None, '', False).

    The amount must follow an income word (月收入, 工资, 退休金, 挣 …), so household sizes and
    car prices are never taken for it; 人均 makes it per person, 一共/加起来/全家 the family's.
    """
    for match in _INCOME_WORD.finditer(text):
        window = _PERIOD.sub(" ", text[match.end() : match.end() + 16])
        amount = _AMOUNT_AFTER_WORD.match(window)
        if amount is None:
            continue
        around = (
            text[max(0, match.start() - _SEARCH_BACK) : match.end()] + window[: amount.start(1)]
        )
        if match.group(0).startswith("人均"):
            scope = "person"
        elif any(word in around for word in _TOGETHER):
            scope = "household"
        else:
            scope = "unknown"
        value = _money(amount.group(1), amount.group(2))
        return value, scope, bool(_APPROXIMATE.match(window[amount.start(1) :]))
    fallback = _AMOUNT_IN_A_MONTH.search(text)
    if fallback is not None:
        value = _money(fallback.group(1), fallback.group(2))
        return (
            value,
            "unknown",
            bool(_APPROXIMATE.match(fallback.group(0)[fallback.start(1) - fallback.start() :])),
        )
    return None, "", False


def extract_figures(text: str) -> Figures:
    """Household size, income, housing area, vehicle price, age and hukou in a message."""
    household = None
    for pattern, fixed in _HOUSEHOLD:
        match = pattern.search(text)
        if match:
            household = fixed if fixed is not None else int(match.group(1))
            break
    income, scope, approximate = _income(text)
    if scope == "unknown" and household is not None:
        # One person's income is theirs; a family's figure without 人均 is the family's.
        scope = "person" if household == 1 else "household"
    per_capita = None
    match = _PER_CAPITA_AREA.search(text)
    if match:
        per_capita = float(match.group(1))
    vehicle = None
    match = _VEHICLE.search(text)
    if match:
        vehicle = _money(match.group(1), match.group(2))
    age = None
    match = _AGE.search(text)
    if match:
        age = int(match.group(1) or match.group(2))
    insurance = _INSURANCE_MONTHS.search(text)
    graduation = _YEARS_SINCE_GRADUATION.search(text)
    hukou = ""
    if _RURAL.search(text):
        hukou = "rural"
    elif _LOCAL_URBAN.search(text):
        hukou = "local-urban"
    return Figures(
        household_size=household,
        income=income,
        income_scope=scope,
        income_yearly=bool(_YEARLY.search(text)),
        approximate=approximate,
        per_capita_area=per_capita,
        no_home=bool(_NO_HOME.search(text)),
        vehicle_price=vehicle,
        age=age,
        hukou=hukou,
        insurance_months=int(insurance.group(1) or insurance.group(2)) if insurance else None,
        years_since_graduation=(
            int(graduation.group(1) or graduation.group(2)) if graduation else None
        ),
    )


def extract_tail(text: str, name: str = "") -> str:
    """The last four characters of an ID the resident gave ('910x' → '910X').

    A bare four-character group counts only as the whole message (a follow-up) or right after
    the name ("孔令华 1736"), so years and amounts are never taken for a tail.
    """
    match = _TAIL.search(text) or _BARE_TAIL.match(text)
    if match is None and name and name in text:
        match = _TAIL_AFTER_NAME.match(text[text.index(name) + len(name) :])
    return match.group(1).upper() if match else ""


def full_id_tail(text: str) -> str:
    """The last four characters of a full identity number typed in text ('' when none)."""
    match = _FULL_ID.search(text)
    return match.group(1).upper() if match else ""


def has_tail_label(text: str) -> bool:
    """True when the message says 后四位/尾号… (a bare four digits alone is not a look-up)."""
    return bool(_TAIL.search(text))


def _trim_name(candidate: str) -> str:
    for stop in _NAME_STOP:
        position = candidate.find(stop, 1)
        if position > 0:
            candidate = candidate[:position]
    return candidate


def extract_name(
    text: str, vocabulary: Vocabulary, known_name: Callable[[str], bool]
) -> tuple[str, bool]:
    """(name, found in the published lists) from the message; ('', False) when none.

    A name listed in the published tables is recognised anywhere in the message; otherwise
    only after 我叫/我是 or before 后四位, and only if it starts with a common surname.
    """
    for size in (4, 3, 2):
        for start in range(len(text) - size + 1):
            candidate = text[start : start + size]
            if known_name(candidate):
                return candidate, True
    for pattern in (_NAME_FIRST, _NAME_INTRO, _NAME_LOOKED_UP, _NAME_BEFORE_RESULT):
        match = pattern.search(text)
        if match:
            name = _trim_name(match.group(1))
            surname_ok = name[:1] in vocabulary.surnames or name[:2] in vocabulary.surnames
            plausible = not any(ch in _NOT_IN_NAMES for ch in name)
            if 2 <= len(name) <= 4 and surname_ok and plausible:
                return name, False
    return "", False


def extract_area(text: str) -> tuple[float | None, str]:
    """An area the resident asks about ('60平左右' → (60.0, '左右')), not a per-person area."""
    if _PER_CAPITA_AREA.search(text):
        return None, ""
    for match in _AREA.finditer(text):
        value = float(match.group(1))
        # "多少钱一平" is a price per square metre, not a flat of 1㎡.
        if value >= _SMALLEST_FLAT:
            return value, match.group(2) or ""
    return None, ""


def extract_batch(text: str) -> str:
    """'第二批' / '第2批' as written ('' when none)."""
    match = _BATCH.search(text)
    return match.group(0).replace(" ", "") if match else ""


def has_full_id(text: str) -> bool:
    """True when the resident typed a whole identity number (never echoed, never resolved)."""
    return contains_full_identity_number(text)


def extract_ordering(text: str) -> str:
    """'cheapest' for 最便宜, 'largest' for 最大/大点, 'smallest' for 最小 ('' when none).

    A comparative after 换 (换个大点的, 换套小一点的) is a tenant asking to swap flats, not
    for the listing's largest or cheapest.
    """
    if _SWAP.search(text):
        return ""
    for name, pattern in _ORDERINGS:
        if pattern.search(text):
            return name
    return ""
