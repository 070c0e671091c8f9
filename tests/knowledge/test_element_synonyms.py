"""Tests for knowledge/element_synonyms.py and the packaged header synonyms."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalog import Catalog, load_catalog
from knowledge.element_synonyms import (
    ElementSynonyms,
    SynonymsError,
    load_synonyms,
    normalize_header,
)


@pytest.fixture(scope="module")
def synonyms() -> ElementSynonyms:
    return load_synonyms()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_every_table_element_of_the_catalog_has_an_entry(
    synonyms: ElementSynonyms, catalog: Catalog
) -> None:
    elements = {element for item in catalog.table_items() for element in item.table_elements}
    assert synonyms.missing(sorted(elements)) == ()
    assert set(synonyms) == elements


@pytest.mark.parametrize(
    ("item", "header", "element"),
    [
        # the import spec's examples
        (19, "保障对象姓名", "保障对象姓名"),
        (19, "姓名", "保障对象姓名"),
        (19, "申请人", "保障对象姓名"),
        (19, "申请人姓名", "保障对象姓名"),
        (19, "申请对象姓名", "保障对象姓名"),
        (14, "身份证号", "身份证号"),
        (14, "身份证号码", "身份证号"),
        (14, "证件号码(隐藏部分号码)", "身份证号"),
        (14, "身份证号（隐藏部分号码）", "身份证号"),
        (19, "房号", "房号"),
        (17, "配租配售价格", "配租配售价格"),
        (17, "租金", "配租配售价格"),
        (17, "租金标准(元/㎡·月)", "配租配售价格"),
        (17, "销售价格（元/㎡）", "配租配售价格"),
        # headers of the sample bureau folder
        (14, "审核结果", "是否审核通过"),
        (14, "申请人", "申请对象姓名"),
        (14, "审核未通过原因", "审核未通过原因"),
        (15, "身份证号（隐藏部分号码）", "身份证号"),
        (15, "金额（元/月）", "金额"),
        (15, "未批准原因", "未批准原因"),
        (16, "申请人姓名", "申请对象姓名"),
        (16, "证件号码（隐藏部分号码）", "身份证号"),
        (17, "面积（㎡）", "面积"),
        (17, "租金标准（元/㎡·月）", "配租配售价格"),
        (17, "已分配套数", "已分配套数"),
        (21, "姓名", "姓名"),
        (21, "身份证号码", "身份证号"),
        (21, "是否通过", "是否审核通过"),
        (21, "未通过原因", "未通过原因"),
        (9, "建设单位", "建设设计施工和监理单位名称"),
        (9, "施工单位", "建设设计施工和监理单位名称"),
        (9, "建设地址", "建设地址"),
        (11, "建设单位", "建设单位"),
        (7, "建设地点", "建设地点"),
        # other real-world spellings
        (17, "户型", "套型"),
        (17, "剩余套数", "待分配套数"),
        (19, "所在小区", "所在建设项目名称"),
        (21, "编号", "保障对象编号"),
        (8, "总投资（万元）", "投资金额"),
    ],
)
def test_a_header_names_one_element_of_its_item(
    synonyms: ElementSynonyms, catalog: Catalog, item: int, header: str, element: str
) -> None:
    table_elements = catalog.item(item).table_elements
    named = [name for name in synonyms.elements_named(header) if name in table_elements]
    assert named == [element]


@pytest.mark.parametrize(
    "header", ["序号", "参考月租金（元）", "参考总价（元）", "家庭人口", "备注", "申请人类别"]
)
def test_a_header_of_something_else_names_no_element(
    synonyms: ElementSynonyms, header: str
) -> None:
    assert synonyms.elements_named(header) == ()


@pytest.mark.parametrize(
    ("header", "parts"),
    [
        ("房号面积套型", ("房号", "面积", "套型")),
        ("房号/面积/套型", ("房号", "面积", "套型")),
        ("房号、面积、户型", ("房号", "面积", "套型")),
        ("户型面积", ("套型", "面积")),
        ("房号", ()),
        ("姓名", ()),
    ],
)
def test_composite_headers(synonyms: ElementSynonyms, header: str, parts: tuple[str, ...]) -> None:
    assert synonyms.composite_parts(header) == parts


def test_the_mapping_gives_the_synonyms_as_written(synonyms: ElementSynonyms) -> None:
    assert "身份证号码" in synonyms["身份证号"]
    assert synonyms.names_for("身份证号")[0] == "身份证号"
    assert "身份证号" in synonyms
    with pytest.raises(KeyError):
        synonyms["不存在的要素"]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("身份证号（隐藏部分号码）", "身份证号(隐藏部分号码)"),
        ("房号 / 面积 / 套型", "房号面积套型"),
        ("租金标准（元/㎡·月）", "租金标准(元㎡月)"),
        ("ID", "id"),
    ],
)
def test_normalize_header(left: str, right: str) -> None:
    assert normalize_header(left) == normalize_header(right)


def _synonyms_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "synonyms.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bureau_added_synonym_is_used(tmp_path: Path) -> None:
    text = '[elements."姓名"]\nsynonyms = ["承租人名字"]\n'
    synonyms = load_synonyms(_synonyms_file(tmp_path, text))
    assert synonyms.elements_named("承租人名字") == ("姓名",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[elements."姓名"]\nsynonyms = "申请人"\n', 'element "姓名": "synonyms" must be a list'),
        ('[elements."姓名"]\nsynonym = ["申请人"]\n', 'element "姓名": needs exactly one key'),
        ('[elements."姓名"]\nsynonyms = ["申请人", "申 请 人"]\n', '"申 请 人" repeats "申请人"'),
        ('[elements."姓名"]\nsynonyms = [""]\n', "non-empty strings"),
        ('[composite]\n"房号面积" = ["房号", "面积"]\n', '"房号" is not an element'),
        ('[elements."房号"]\nsynonyms = []\n[composite]\n"房号" = ["房号"]\n', "at least two"),
        ("[element]\n", "unknown top-level key(s) element"),
        ("[elements\n", "not valid TOML"),
    ],
)
def test_a_bad_synonyms_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SynonymsError) as raised:
        load_synonyms(_synonyms_file(tmp_path, text))
    assert message in str(raised.value)
    assert str(raised.value).startswith("synonyms.toml")
