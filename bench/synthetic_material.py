"""Synthetic published folders for the benchmarks: listings, review and allocation results, notices.

The tables look like the bureau's: a title row (merged in xlsx), loosely named headers, GB18030
CSV, a 注： footer, names and unmasked 18-character identity numbers, a composite 房号面积套型
column. Everything is generated from a seed, so every run measures the same material.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

_PLACES = "幸福惠民朝阳锦绣和顺安康福康岱岳桑干金沙翠苑阳光康乐民安兴旺春晖"
_ESTATES = ("家园", "小区", "新居", "苑", "里", "花园", "新村")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红梦瑶欣怡天宇诗涵"
_UNITS = (("一室一厅", 42.6), ("两室一厅", 56.4), ("两室一厅", 63.2), ("三室一厅", 78.5))
_CATEGORIES = ("低保家庭", "低收入家庭", "中等偏下收入家庭", "新就业无房职工", "外来务工人员")
_REJECTIONS = ("家庭人均收入超过标准", "在本县有住房", "未提供本县居住证", "社会保险缴纳不足1年")
# Rows per file: a county publishes results batch by batch.
_ROWS_PER_FILE = 2_000
_FOOTER = "注：对公示结果有异议的，可在公示期内书面反映。监督电话：0349-0000125"
_NOTICE = """# {title}

发布日期：2026-{month:02d}-05

## 一、申请条件
本县城镇户籍满2年，家庭人均月收入低于2650元，在本县无住房或者人均住房建筑面积低于16平方米。

## 二、所需材料
1. 申请表一式两份；
2. 身份证、户口簿原件及复印件；
3. 收入证明和现住房材料。

## 三、摇号和选房
第{batch}批公租房摇号定于2026年{month}月18日上午9时在县政务服务中心举行，租金按建筑面积计算。

咨询电话：0349-0000111
"""


def project_names(count: int) -> list[str]:
    """Distinct estate names: 幸福家园, 惠民小区, …, then 幸福家园（二期）."""
    places = [_PLACES[i : i + 2] for i in range(0, len(_PLACES), 2)]
    names = [p + e for e in _ESTATES for p in places]
    # Mixed estates in every size (not sixteen 家园 first).
    random.Random(0).shuffle(names)
    phases = ("", "（二期）", "（三期）")
    return [n + phase for phase in phases for n in names][:count]


def identity_number(generator: random.Random) -> str:
    """An unmasked 18-character identity number with a plausible birth date."""
    born = date(1950, 1, 1).toordinal() + generator.randrange(20_000)
    tail = generator.choice("0123456789X")
    digits = f"{generator.randrange(100):02d}{generator.randrange(1000):03d}{tail}"
    return f"1406{digits[:2]}{date.fromordinal(born):%Y%m%d}{digits[2:5]}{digits[5]}"


def person_name(generator: random.Random) -> str:
    """A two- or three-character Chinese name."""
    given = "".join(generator.choice(_GIVEN) for _ in range(generator.choice((1, 2))))
    return generator.choice(_SURNAMES) + given


def listing_rows(generator: random.Random, projects: list[str], count: int) -> list[list[Any]]:
    """Rows of item 17 (房源信息)."""
    rows: list[list[Any]] = []
    for number in range(count):
        project = projects[number % len(projects)]
        unit, area = generator.choice(_UNITS)
        total = generator.randrange(12, 200)
        free = generator.randrange(0, total)
        rows.append(
            [
                f"2026年第{number % 4 + 1}批",
                project,
                "公共租赁住房",
                46_201 - generator.randrange(3_000),
                f"岱岳镇{project[:2]}路{generator.randrange(1, 400)}号",
                total,
                total - free,
                free,
                unit,
                f"{area}㎡",
                f"{generator.choice((3.9, 4.2, 4.5))}元/㎡·月",
                f"2026-12-{generator.randrange(10, 28)}",
            ]
        )
    return rows


def review_rows(generator: random.Random, count: int) -> list[list[Any]]:
    """Rows of item 14 (承租资格审核): names and unmasked identity numbers."""
    rows: list[list[Any]] = []
    for number in range(count):
        passed = generator.random() < 0.85
        reason = "" if passed else generator.choice(_REJECTIONS)
        unit = generator.choice(_UNITS)[0]
        category = generator.choice(_CATEGORIES)
        person = [number + 1, person_name(generator), identity_number(generator), category]
        rows.append(
            [*person, generator.randrange(1, 6), f"公租房·{unit}", "是" * passed or "否", reason]
        )
    return rows


def allocation_rows(generator: random.Random, projects: list[str], count: int) -> list[list[Any]]:
    """Rows of item 19 (分配结果): names, identity numbers, and one composite unit column."""
    rows: list[list[Any]] = []
    for number in range(count):
        unit, area = generator.choice(_UNITS)
        building, entrance, floor = (generator.randrange(1, n) for n in (12, 4, 19))
        room = f"{building}-{entrance}-{floor}01 / {area}㎡ / {unit}"
        person = [number + 1, person_name(generator), identity_number(generator), "公共租赁住房"]
        rows.append([*person, projects[number % len(projects)], room])
    return rows


_HEADERS = {
    "17 房源信息": [
        "分配批次", "项目名称", "保障性住房类型", "竣工日期", "地址", "住房套数",
        "已分配套数", "待分配套数", "套型", "面积（㎡）", "租金标准（元/㎡·月）", "分配日期",
    ],
    "14 公租房承租资格审核": [
        "序号", "申请人", "身份证号码", "申请人类别", "家庭人口", "申请房源类型",
        "是否审核通过", "审核未通过原因",
    ],
    "19-分配结果": [
        "序号", "保障对象姓名", "身份证号", "保障性住房类型", "所在建设项目名称", "房号面积套型",
    ],
}  # fmt: skip


def write_table(path: Path, title: str, header: list[str], rows: list[list[Any]]) -> None:
    """A CSV (GB18030, as Windows exports) or an xlsx with a merged title row, and a footer."""
    dated = f"发布日期：2026年{len(rows) % 9 + 1}月20日"
    if path.suffix == ".csv":
        lines = [title, ",".join(header)]
        lines += [",".join(str(value) for value in row) for row in rows]
        lines += [_FOOTER.replace("，", "；"), dated]
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
        return
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append([_FOOTER])
    sheet.append([dated])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    workbook.save(path)


def generate_folder(folder: Path, size: int, seed: int) -> None:
    """A published folder holding size table rows (30% listings, 35% item 14, 35% item 19)."""
    generator = random.Random(seed)
    projects = project_names(20 + size // 2_000)
    listings = size * 30 // 100
    reviews = size * 35 // 100
    plan = {
        "17 房源信息": listing_rows(generator, projects, listings),
        "14 公租房承租资格审核": review_rows(generator, reviews),
        "19-分配结果": allocation_rows(generator, projects, size - listings - reviews),
    }
    for folder_name, rows in plan.items():
        target = folder / folder_name
        target.mkdir(parents=True)
        for part, start in enumerate(range(0, len(rows), _ROWS_PER_FILE), start=1):
            suffix = ".xlsx" if part % 2 else ".csv"
            title = f"山阴县2026年第{part}批{folder_name.lstrip('0123456789 -')}公示"
            chunk = rows[start : start + _ROWS_PER_FILE]
            write_table(target / f"{title}{suffix}", title, _HEADERS[folder_name], chunk)
    notices = folder / "选房摇号公告"
    notices.mkdir()
    for batch in range(1, 5):
        title = f"关于2026年第{batch}批公共租赁住房摇号配租的公告"
        text = _NOTICE.format(title=title, month=batch * 2, batch=batch)
        (notices / f"{title}.md").write_text(text, encoding="utf-8")
