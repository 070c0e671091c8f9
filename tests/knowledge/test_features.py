"""Tests for knowledge/features.py: the markers a passage earns for what it states."""

from __future__ import annotations

import pytest

from knowledge.features import feature_terms


@pytest.mark.parametrize(
    ("text", "markers"),
    [
        ("摇号时间：2026年12月18日上午9:00开始", {"#date", "#year", "#clock"}),
        # A year alone says when only roughly.
        ("2026年计划保障410户", {"#year"}),
        ("每季度第一个月20日前发放", {"#date", "#deadline"}),
        ("地点：岱岳镇人民北路56号三楼", {"#place"}),
        ("参考月租金191.7元", {"#money"}),
        ("咨询电话：0349-0000111", {"#phone"}),
        # A rate per month is no date: "啥时候发" must not find the subsidy standard.
        ("低保家庭每月每平方米8元", {"#money"}),
        ("每年参加年度资格审核", set()),
        # A span counted from an event answers "多久"; the word 期限 with a term does not.
        ("自领取钥匙之日起60日内完成装修", {"#duration"}),
        ("受理后20个工作日完成审核", {"#duration"}),
        ("住满一年后可以申请换房", {"#duration"}),
        ("保修期限2年", set()),
    ],
)
def test_markers_of_a_passage(text: str, markers: set[str]) -> None:
    assert set(feature_terms(text)) == markers
