"""Tests for knowledge/catalog.py and the packaged catalog data it loads."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from knowledge.catalog import Catalog, CatalogError, CatalogItem, load_catalog

SEED_NUMBERS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 41, 42, 43)
USUAL_CHANNELS = ("政府网站", "广播电视", "政务服务中心", "社区/企事业单位公示栏")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _seed_file() -> Path | None:
    """The bureau's catalog excerpt, in the shared reference folder beside the repository."""
    for parent in Path(__file__).resolve().parents:
        seed_dir = parent / "shared" / "seed"
        if seed_dir.is_dir():
            return next(iter(sorted(seed_dir.glob("*.txt"))), None)
    return None


def _compact(text: str) -> str:
    """Whitespace removed and brackets folded, the way the seed and the catalog are compared."""
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）").replace("<", "〈").replace(">", "〉")


def _seed_rows() -> dict[int, list[str]]:
    seed = _seed_file()
    if seed is None:
        pytest.skip("the shared reference folder (shared/seed) is not beside the repository")
    rows: dict[int, list[str]] = {}
    for line in seed.read_text(encoding="utf-8").split("\n"):
        cells = line.split("\t")
        if cells[0].strip().isdigit():
            rows[int(cells[0])] = cells + [""] * (15 - len(cells))
    return rows


def _seed_elements(cell: str) -> list[tuple[str, bool]]:
    cell = re.sub(r"<[^>]+>", " ", cell)
    found = re.findall(r"([●○])([^●○]*)", cell)
    return [(_compact(name).removesuffix("等"), mark == "●") for mark, name in found]


# --- the packaged catalog against the seed file itself (catches drift either way) ---------


def test_every_seed_item_is_in_the_catalog_and_only_those_are_marked_seed(
    catalog: Catalog,
) -> None:
    rows = _seed_rows()
    assert tuple(sorted(rows)) == SEED_NUMBERS
    assert {item.number for item in catalog if item.source == "seed"} == set(rows)
    for number, cells in rows.items():
        item = catalog.item(number)
        assert item.second_level == cells[2].strip()
        if cells[1].strip():
            assert item.first_level == _compact(cells[1])


def test_seed_elements_and_required_flags(catalog: Catalog) -> None:
    for number, cells in _seed_rows().items():
        item = catalog.item(number)
        published = [(_compact(element.name), element.required) for element in item.elements]
        assert published == _seed_elements(cells[3]), item.label


def test_seed_cells_that_are_given_are_kept(catalog: Catalog) -> None:
    for number, cells in _seed_rows().items():
        item = catalog.item(number)
        deadline, body, channels = cells[5].strip(), cells[6].strip(), cells[7]
        if deadline:
            assert item.deadline == _compact(deadline), item.label
            assert item.deadline_working_days == 20
        if body:
            assert item.responsible_body == body
        given = re.sub(r"</?p>", " ", channels).split()
        if number in (13, 14):  # the scrape cut this cell at a page break: 13 has the head
            assert "".join(given) in "".join(item.channels), item.label
        elif given:
            assert list(item.channels) == given, item.label
        titles = {_compact(title) for title in item.legal_basis}
        for title in re.findall(r"《([^《》]*)》", cells[4]):
            assert _compact(title) in titles, (item.label, title)


# --- the packaged catalog, from literals --------------------------------------------------


@pytest.mark.parametrize(
    ("number", "elements"),
    [
        (1, [("文件名称", True), ("文号", True), ("发布部门", True), ("发布日期", True),
             ("实施日期", True), ("正文", True)]),
        (3, [("决策公开制度", True), ("调查研究", False), ("决策草案", False),
             ("意见征集", True)]),
        (5, [("决策草案意见收集和采纳情况", False), ("保障性住房领域方案公示公告通知", True)]),
        (8, [("项目名称", True), ("建设地点", True), ("投资金额", True),
             ("资金筹集方式", False), ("计划安排", True)]),
        (14, [("申请受理", True),
              ("审核结果：申请对象姓名身份证号(隐藏部分号码)申请房源类型", True),
              ("是否审核通过", False), ("审核未通过原因", False)]),
        (15, []),
        (19, [("保障对象姓名", True), ("保障性住房类型", True), ("房号面积套型", True),
              ("所在建设项目名称", True)]),
    ],
)  # fmt: skip
def test_item_elements(catalog: Catalog, number: int, elements: list[tuple[str, bool]]) -> None:
    item = catalog.item(number)
    assert [(element.name, element.required) for element in item.elements] == elements


@pytest.mark.parametrize(
    ("number", "first_level", "inherited_from"),
    [
        (4, "重大决策", 3),  # blank deadline and channels: the cell above
        (5, "重大决策", 3),
        (6, "规划计划", 7),  # the block's values sit in the row below
        (11, "建设管理", 8),
        (12, "建设管理", 8),
        (14, "配给管理", 13),
        (15, "配给管理", 13),
        (16, "配给管理", 13),
        (18, "配给管理", 19),
        (20, "配给管理", 19),
        (41, "回应关切", 42),  # "回应 关切" in the seed; alone in its group
        (43, "评价结果", 42),  # blank first level in the seed
    ],
)
def test_blank_merged_cells_are_inherited(
    catalog: Catalog, number: int, first_level: str, inherited_from: int
) -> None:
    item, source = catalog.item(number), catalog.item(inherited_from)
    assert item.first_level == first_level
    assert item.deadline == "信息形成（变更）20个工作日内"
    assert item.deadline_working_days == 20
    assert item.responsible_body == "山阴县住建局"
    assert item.channels == USUAL_CHANNELS
    marks = (item.audience, item.disclosure, item.level)
    assert marks == (source.audience, source.disclosure, source.level)


@pytest.mark.parametrize(("number", "block"), [(4, 3), (11, 8), (15, 13), (20, 18), (43, 42)])
def test_a_merged_legal_basis_cell_is_shared_by_its_block(
    catalog: Catalog, number: int, block: int
) -> None:
    assert catalog.item(number).legal_basis == catalog.item(block).legal_basis


def test_a_legal_basis_title_split_by_the_scrape_is_joined(catalog: Catalog) -> None:
    title = "国务院办公厅关于推进公共资源配置领域政府信息公开的意见"
    assert title in catalog.item(14).legal_basis
    assert not any(
        t.endswith("政府信息公") or t.startswith("开的") for t in catalog.item(14).legal_basis
    )


def test_items_from_the_national_standard(catalog: Catalog) -> None:
    for number, name in ((1, "法律法规"), (2, "政策文件")):
        item = catalog.item(number)
        assert (item.first_level, item.second_level) == ("法规政策", name)
        assert item.source == "national standard"
        assert item.deadline == "信息形成或者变更之日起20个工作日内"
        assert item.deadline_working_days == 20
        assert {"政府网站", "公开查阅点"} <= set(item.channels)
    assert "朔州市经济适用住房供应与退出管理实施细则" in catalog.item(2).legal_basis


def test_items_22_to_40_are_not_invented(catalog: Catalog) -> None:
    assert not [item for item in catalog if 22 <= item.number <= 40]


def test_table_items_hold_the_spec_element_names(catalog: Catalog) -> None:
    assert [item.number for item in catalog.table_items()] == [
        7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 19, 21,
    ]  # fmt: skip
    assert catalog.item(19).table_elements == (
        "保障对象姓名", "保障性住房类型", "房号", "面积", "套型", "所在建设项目名称",
    )  # fmt: skip
    assert catalog.item(15).table_elements == (
        "姓名", "身份证号", "补贴或减免类型", "金额", "是否批准", "未批准原因",
    )  # fmt: skip


def test_items_are_sorted_and_looked_up_by_number(catalog: Catalog) -> None:
    numbers = [item.number for item in catalog.items]
    assert numbers == sorted(numbers)
    assert catalog.item(17).label == "17 房源信息"
    assert set(catalog.item(17).topics) >= {"房源", "还有房", "租金", "套型"}
    with pytest.raises(KeyError, match="30"):
        catalog.item(30)


# --- folders and titles -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "number"),
    [
        ("选房摇号公告", 18),
        ("分配结果公示", 19),
        ("13", 13),
        ("17 房源信息", 17),
        ("17-房源信息", 17),
        ("17_房源信息", 17),
        ("17、房源信息", 17),
        ("（17）房源信息", 17),
        ("\uff11\uff17 房源信息", 17),  # full-width digits
        ("房源信息", 17),
        ("开工项目清单", 9),
        ("互动回应", 41),
        ("决策前预公开", 3),
        ("经济适用住房购买资格审核", 16),
        ("经济适用房购买资格审核", 16),
        ("上级评价表彰情况", 42),
        ("2-政策文件", 2),
        ("租赁补贴审批", 15),
        ("经适房资格审核", 16),
        ("年审结果", 21),
        ("签约公告", 20),
        ("主动回应", 41),
        ("常见问题", 41),
        ("2026年分配结果", 19),
        # every folder of the sample bureau folder
        ("11-竣工项目清单", 11),
        ("13", 13),
        ("14 公租房承租资格审核", 14),
        ("15 租赁补贴或租金减免审批", 15),
        ("17 房源信息", 17),
        ("19-分配结果", 19),
        ("2-政策文件", 2),
        ("20 办理配租配售公告", 20),
        ("21-公租房资格定期审核", 21),
        ("42 上级评价表彰情况", 42),
        ("5 决策结果公开", 5),
        ("6 中长期规划", 6),
        ("7", 7),
        ("互动回应", 41),
        ("决策前预公开", 3),
        ("开工项目清单", 9),
        ("经济适用住房购买资格审核", 16),
        ("选房摇号公告", 18),
    ],
)
def test_match_folder(catalog: Catalog, folder: str, number: int) -> None:
    match = catalog.match_folder(folder)
    assert match.item is not None and match.item.number == number
    assert match.conflict is None


@pytest.mark.parametrize("folder", ["会议纪要", "xyz", "资格审核", "公告", "政策法规", "99"])
def test_a_folder_that_names_no_item_gets_the_three_closest(catalog: Catalog, folder: str) -> None:
    match = catalog.match_folder(folder)
    assert match.item is None
    assert len(match.closest) == 3
    assert all(isinstance(item, CatalogItem) for item in match.closest)


def test_closest_items_are_the_likely_ones(catalog: Catalog) -> None:
    assert {item.number for item in catalog.match_folder("资格审核").closest} >= {14, 16}
    assert [item.number for item in catalog.match_folder("99").closest] == [43, 42, 41]


def test_a_folder_whose_number_and_name_disagree_goes_by_number_and_is_reported(
    catalog: Catalog,
) -> None:
    match = catalog.match_folder("17 分配结果")
    assert match.item is not None and match.item.number == 17
    assert match.conflict is not None
    assert "17 房源信息" in match.conflict and "19 分配结果" in match.conflict


def test_an_unknown_number_with_a_known_name_goes_by_name_and_is_reported(
    catalog: Catalog,
) -> None:
    match = catalog.match_folder("99 房源信息")
    assert match.item is not None and match.item.number == 17
    assert match.conflict is not None and "99" in match.conflict


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("关于2026年第一批公租房摇号的公告", 18),
        ("关于2026年第一批公共租赁住房摇号配租的公告", 18),
        ("2026年第一批公租房分配结果公示", 19),
        ("2026年第二批公租房房源信息表", 17),
        ("2026年度公租房保障资格年审结果", 21),
        ("岱岳新村经济适用住房购买资格审核结果公示", 16),
        ("2026年第三季度租赁补贴和租金减免审批结果", 15),
        ("山阴县保障性住房竣工项目清单", 11),
        ("【主动回应】关于经济适用住房上市交易有关问题的回应", 41),
        ("山阴县住建局住房保障服务指南（联系我们）", None),
        ("山阴县住房和城乡建设管理局关于调整公共租赁住房租金标准的通知", None),
        ("2026年审核结果公示", None),
        ("关于房源信息和分配结果的说明", None),
    ],
)
def test_place_by_title_is_conservative(catalog: Catalog, title: str, number: int | None) -> None:
    item = catalog.place_by_title(title)
    assert (item.number if item else None) == number


# --- a catalog file the bureau edits ------------------------------------------------------


def _packaged_text() -> str:
    return resources.files("knowledge").joinpath("data", "catalog.toml").read_text("utf-8")


ITEM_22 = """
[[item]]
number = 22
first_level = "配后管理"
second_level = "公租房退出管理"
elements = [{ name = "退出对象姓名", required = true }, { name = "退出原因", required = false }]
deadline = "信息形成（变更）20个工作日内"
responsible_body = "山阴县住建局"
channels = ["政府网站"]
aliases = ["退出公示"]
"""


def test_a_bureau_added_item_is_loaded_and_matched(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(_packaged_text() + ITEM_22, encoding="utf-8")
    catalog = load_catalog(path)
    item = catalog.item(22)
    assert item.source == "bureau"
    assert item.deadline_working_days == 20  # read from the deadline text
    assert item.legal_basis == () and item.table_elements == ()
    for folder in ("22 公租房退出管理", "公租房退出管理", "22", "退出公示", "公租房退出管理公示"):
        match = catalog.match_folder(folder)
        assert match.item == item, folder


def _one_item(**overrides: str) -> str:
    keys = {
        "number": "22",
        "first_level": '"配后管理"',
        "second_level": '"公租房退出管理"',
        "elements": '[{ name = "退出原因", required = true }]',
        "deadline": '"信息形成（变更）20个工作日内"',
        "responsible_body": '"山阴县住建局"',
        "channels": '["政府网站"]',
    } | overrides
    lines = [f"{key} = {value}" for key, value in keys.items() if value]
    return "[[item]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_one_item() + _one_item(second_level='"另一事项"'), "item 22: the number is used twice"),
        (_one_item(deadline=""), "item 22 (公租房退出管理): missing key 'deadline'"),
        (_one_item(number='"22"'), "key 'number' must be a whole number"),
        (_one_item(number="true"), "key 'number' must be a whole number"),
        (
            _one_item(channels='"政府网站"'),
            "item 22 (公租房退出管理): key 'channels' must be a list",
        ),
        (_one_item(elements='[{ name = "退出原因", required = "是" }]'), "key 'elements'"),
        (_one_item(elements='["退出原因"]'), "key 'elements'"),
        (_one_item(audience='["居民"]'), "key 'audience' has '居民'"),
        (_one_item(alias='["退出"]'), "unknown key(s) 'alias'"),
        (_one_item(deadline_working_days="15"), "is 15 but the deadline says 20"),
        (_one_item(first_level='"  "'), "key 'first_level' is empty"),
        (_one_item(topics='["退出", "退出"]'), "key 'topics' lists a value twice"),
        (_one_item(aliases='["房源信息"]'), "'房源信息' is already 17 房源信息's"),
        ("[[item]\nnumber = 1\n", "not valid TOML"),
        ("# nothing yet\n", "no items"),
        ("title = 'x'\n" + _one_item(), "unknown top-level key(s) title"),
    ],
)
def test_a_bad_catalog_is_refused_naming_the_item_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "catalog.toml"
    body = _packaged_text() + text if "房源信息" in text else text
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_catalog(path)
    assert message in str(raised.value)
    assert str(raised.value).startswith("catalog.toml")


def test_a_missing_catalog_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "absent.toml")
