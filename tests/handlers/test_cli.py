"""Tests for handlers/cli.py: `anju import`, `anju ask` and `anju eval`, run through main()."""

from __future__ import annotations

import gc
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from handlers.cli import build_parser, main
from handlers.settings import SETTINGS
from knowledge.database import open_engine
from knowledge.record_models import Interaction
from knowledge.records import NewInteraction, record_batch

DEMO_NOTE = "数据库中还没有公开材料，以下按内置演示材料回答"
QUESTIONS = (
    "id\tsession\tquestion\tmust_include\tmust_not_include\tkind\tnote\n"
    "Q1\t\t外地人可以申请公租房吗\t居住证\t\tdocument\t\n"
    "Q2\t\t第一批摇号在哪里举行\t三楼\t\tdocument\t\n"
    "Q3\t\t朝阳新居两居室还有吗\t朝阳新居 | 待分配8套\t\tlisting\t\n"
    "Q4\t\t李静的审核结果\t后四位\t0741\tresult\t\n"
    "Q5\t\t帮我查查幸福里的物业费\t物业费是每月2元\t\tdocument\tnot published\n"
)


@pytest.fixture(autouse=True)
def no_anju_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads ANJU_* variables; a developer's own must not steer the tests."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)


def test_import_prints_the_report_and_exits_0(
    published_folder: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(published_folder), "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("导入 published")
    assert "17 房源信息/2026年第二批公租房房源信息表.xlsx  →  17 房源信息  (新增)" in out
    assert "共 9 个文件：新增 9，更新 0，未变 0，失败 0；错误 0；隐藏身份证号码 4 个" in out
    assert "140621200001019101" not in out
    assert main(["import", str(published_folder), "--db", sqlite_url]) == 0
    assert "未变 9" in capsys.readouterr().out


def test_import_exits_non_zero_when_nothing_could_be_imported(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "published" / "17"
    folder.mkdir(parents=True)
    (folder / "扫描件.pdf").write_bytes(b"%PDF-1.4")
    assert main(["import", str(folder.parent), "--db", sqlite_url]) == 1
    assert "扫描件.pdf" in capsys.readouterr().out


def test_import_of_a_missing_folder_is_refused(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "nowhere"), "--db", sqlite_url]) == 2
    assert "不是文件夹" in capsys.readouterr().err


def test_ask_with_an_empty_database_answers_from_the_demo_and_says_so(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "公租房申请需要什么材料", "--db", sqlite_url]) == 0
    captured = capsys.readouterr()
    assert DEMO_NOTE in captured.err
    assert "来源：《" in captured.out
    assert "类型：answered" in captured.out


def test_ask_answers_from_the_imported_material(
    published_folder: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(published_folder), "--db", sqlite_url])
    capsys.readouterr()
    assert main(["ask", "第一批摇号在哪里举行", "--db", sqlite_url]) == 0
    captured = capsys.readouterr()
    assert DEMO_NOTE not in captured.err
    assert "县政务服务中心三楼" in captured.out
    assert (
        "来源：《关于2026年第一批公共租赁住房摇号配租的公告》 2026年3月5日 第18项" in captured.out
    )
    assert "置信度：" in captured.out


def test_ask_says_not_found_with_the_bureaus_number_rather_than_guess(
    published_folder: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(published_folder), "--db", sqlite_url])
    capsys.readouterr()
    main(["ask", "公租房可以养宠物吗", "--db", sqlite_url])
    out = capsys.readouterr().out
    assert "类型：not_found" in out
    assert "0349-0000111" in out


@pytest.mark.postgres
def test_the_command_closes_its_database_connections(
    published_folder: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    unraisable: list[sys.UnraisableHookArgs] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        assert main(["import", str(published_folder), "--db", postgres_url]) == 0
        gc.collect()
    leaks = [
        u for u in unraisable if u.exc_type is not None and issubclass(u.exc_type, ResourceWarning)
    ]
    assert leaks == []


def test_ask_shows_an_area_published_with_its_unit_once(
    published_folder: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", str(published_folder), "--db", sqlite_url])
    capsys.readouterr()
    main(["ask", "朝阳新居两居室还有吗", "--db", sqlite_url])
    out = capsys.readouterr().out
    assert "朝阳新居" in out
    assert "平方米㎡" not in out and "㎡㎡" not in out


def test_eval_prints_accuracy_per_kind(
    published_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.tsv"
    questions.write_text(QUESTIONS, encoding="utf-8")
    command = ["eval", str(questions), "--published", str(published_folder)]
    assert main([*command, "--today", "2026-03-10"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["document", "2/3"]
    assert lines[1].split()[:2] == ["listing", "1/1"]
    assert lines[2].split()[:2] == ["result", "1/1"]
    assert lines[3].split()[:2] == ["overall", "4/5"]
    # The failure is listed with the reply, so staff see what the bot said instead.
    assert "FAIL Q5 [document] 帮我查查幸福里的物业费" in out
    assert "missing: 物业费是每月2元" in out


def test_every_sub_command_has_help() -> None:
    parser = build_parser()
    with pytest.raises(SystemExit) as raised:
        parser.parse_args(["--help"])
    assert raised.value.code == 0
    with pytest.raises(SystemExit) as raised:
        parser.parse_args([])
    assert raised.value.code == 2


def test_a_bad_setting_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANJU_LOAD_DEMO", "sometimes")
    assert main(["ask", "公租房", "--db", sqlite_url]) == 2
    assert "ANJU_LOAD_DEMO" in capsys.readouterr().err


def test_topics_recompute_groups_the_recorded_questions_afresh(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = ["公租房怎么申请", "公组房怎么申请", "什么时候摇号", "摇号什么时候开始"]
    engine = open_engine(sqlite_url)
    try:
        # Recorded without topics (as before the hot-topic feature, or after a failure).
        record_batch(engine, [_question(text, n) for n, text in enumerate(asked)])
        assert main(["topics", "recompute", "--db", sqlite_url]) == 0
        with Session(engine) as session:
            rows = session.execute(
                select(col(Interaction.question), col(Interaction.topic_id))
            ).all()
    finally:
        engine.dispose()
    assert "已重新归类 4 条提问" in capsys.readouterr().out
    topic = dict(rows)
    assert all(topic.values())
    assert topic["公租房怎么申请"] == topic["公组房怎么申请"] != topic["什么时候摇号"]
    assert topic["什么时候摇号"] == topic["摇号什么时候开始"]


def _question(text: str, n: int) -> NewInteraction:
    return NewInteraction(
        channel="web",
        resident_key=f"resident-{n}",
        asked_at=datetime(2026, 11, 2, 1, n, tzinfo=UTC),
        question=text,
        answer_text="答复",
        reply_text="答复",
        answer_kind="answered",
        message_type="text",
    )
