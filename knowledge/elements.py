"""Canonical table elements the code relies on by meaning (names as in the catalog's tables).

The catalog data names each item's elements; this module says which of them identify a person,
a project, a unit type and so on, so the index and the bot can treat any item's table alike.
"""

from __future__ import annotations

from collections.abc import Mapping

PERSON_NAME = ("保障对象姓名", "申请对象姓名", "姓名")
IDENTITY_NUMBER = "身份证号"
BENEFICIARY_NUMBER = "保障对象编号"
PROJECT_NAME = ("项目名称", "所在建设项目名称")
ADDRESS = ("地址", "建设地址", "建设地点")
HOUSING_TYPE = ("保障性住房类型", "申请房源类型")
UNIT_TYPE = "套型"
AREA = "面积"
ROOM = "房号"
PRICE = "配租配售价格"
UNITS_TOTAL = "住房套数"
UNITS_AVAILABLE = "待分配套数"
UNITS_ALLOCATED = "已分配套数"
BATCH = "分配批次"
ALLOCATION_DATE = "分配日期"
COMPLETION_DATE = ("竣工日期", "竣工时间")
APPROVED = ("是否审核通过", "是否批准")
REJECTION_REASON = ("审核未通过原因", "未通过原因", "未批准原因")
ALLOCATED_UNIT = "配租房源"

# Items whose tables list people: their rows are shown only to a resident who gives the name
# and the last four characters of the identity number, never found by free-text search.
PERSON_TABLE_ITEMS = frozenset({14, 15, 16, 19, 21})


def first_present(values: Mapping[str, str], names: tuple[str, ...] | str) -> str:
    """The value of the first of names that values holds (empty string when none)."""
    for name in (names,) if isinstance(names, str) else names:
        value = values.get(name)
        if value:
            return value
    return ""


def is_person_table(item_number: int | None, columns: tuple[str, ...]) -> bool:
    """True for a table of people: a result item, or any table naming people with an ID column."""
    names_people = any(name in columns for name in PERSON_NAME)
    if item_number in PERSON_TABLE_ITEMS and names_people:
        return True
    return names_people and IDENTITY_NUMBER in columns
