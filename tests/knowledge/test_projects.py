"""Tests for knowledge/projects.py: project names, their short forms, and finding them in text."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from knowledge.projects import ProjectDirectory, ProjectMention, project_aliases


@pytest.mark.parametrize(
    ("name", "aliases"),
    [
        ("幸福里（一期）", ["幸福里（一期）", "幸福里"]),
        ("安康小区", ["安康小区", "安康"]),
        ("幸福里二期公共租赁住房", ["幸福里二期公共租赁住房", "幸福里二期"]),
        ("和顺苑项目", ["和顺苑项目", "和顺苑"]),
        # 新村 and 家园 stay: 岱岳 alone is also the town's name.
        ("岱岳新村", ["岱岳新村"]),
        ("惠民家园", ["惠民家园"]),
        # Too short a stem is not an alias.
        ("福小区", ["福小区"]),
    ],
)
def test_project_aliases(name: str, aliases: list[str]) -> None:
    assert project_aliases(name) == aliases


@pytest.fixture
def directory() -> ProjectDirectory:
    return ProjectDirectory(
        [
            "幸福里（一期）",
            "幸福里（二期）",
            "安康小区",
            "朝阳新居",
            "岱岳新村经济适用住房",
            " ",
            "",
        ]
    )


def test_names_are_kept_once_and_blank_ones_dropped(directory: ProjectDirectory) -> None:
    assert directory.names == (
        "幸福里（一期）",
        "幸福里（二期）",
        "安康小区",
        "朝阳新居",
        "岱岳新村经济适用住房",
    )
    assert directory
    assert not ProjectDirectory([])


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("安康还有房吗", [ProjectMention("安康小区", "安康", True)]),
        ("朝阳新居在哪", [ProjectMention("朝阳新居", "朝阳新居", True)]),
        ("幸福里（二期）呢", [ProjectMention("幸福里（二期）", "幸福里（二期）", True)]),
        ("岱岳新村多少钱", [ProjectMention("岱岳新村经济适用住房", "岱岳新村", True)]),
        (
            "朝阳新居和安康哪个便宜",
            [
                ProjectMention("朝阳新居", "朝阳新居", True),
                ProjectMention("安康小区", "安康", True),
            ],
        ),
        # A slip is found fuzzily and marked as not exact.
        ("朝阳新局", [ProjectMention("朝阳新居", "朝阳新居", False)]),
        ("今天天气怎么样", []),
        ("", []),
    ],
)
def test_find(directory: ProjectDirectory, text: str, mentions: list[ProjectMention]) -> None:
    assert directory.find(text) == mentions


def test_an_alias_of_two_projects_is_ambiguous_until_one_is_spelt_so(
    directory: ProjectDirectory,
) -> None:
    assert set(directory.owners("幸福里")) == {"幸福里（一期）", "幸福里（二期）"}
    assert directory.owners("不存在") == ()
    exact = ProjectDirectory(["幸福里（一期）", "幸福里"])
    assert exact.owners("幸福里")[0] == "幸福里"


def test_all_spellings_feed_the_tokenizer_and_the_corrector(directory: ProjectDirectory) -> None:
    spellings = directory.all_spellings()
    assert {"幸福里（一期）", "幸福里", "安康", "岱岳新村"} <= set(spellings)


OWNERS_SCRIPT = """
from knowledge.projects import ProjectDirectory
print(ProjectDirectory(["幸福里（一期）", "幸福里（二期）"]).owners("幸福里"))
"""


def test_the_most_likely_owner_does_not_depend_on_the_hash_seed() -> None:
    seen = set()
    for seed in range(8):
        finished = subprocess.run(
            [sys.executable, "-c", OWNERS_SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        )
        seen.add(finished.stdout.strip())
    assert len(seen) == 1
