"""The `anju` command: import, ask, eval, serve (the only place that reads the environment)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.answer import Answer
from bot.answerer import Answerer
from bot.compose import format_date
from bot.conversation import Conversations
from bot.evaluation import evaluate, parse_questions
from handlers.knowledge_base import KnowledgeBase
from handlers.logging_setup import configure_logging
from handlers.operations_commands import add_operations_commands
from handlers.settings import Settings, SettingsError
from handlers.staff.commands import add_staff_commands
from handlers.wechat.menu import add_menu_command
from knowledge.catalog import load_catalog
from knowledge.database import open_engine
from knowledge.element_synonyms import load_synonyms
from knowledge.importer import ProgressEvent, import_folder
from knowledge.report import render_text
from knowledge.tokenizer import DomainTokenizer

_BAR_WIDTH = 30


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        "database_url": getattr(args, "db", None),
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "workers": getattr(args, "workers", None),
    }
    return Settings.from_env(os.environ, **overrides)


class _ProgressBar:
    """A one-line progress bar on a terminal; silent when output is not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled:
            return
        filled = int(_BAR_WIDTH * event.files_done / max(event.files_total, 1))
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        self.stream.write(
            f"\r[{bar}] {event.files_done}/{event.files_total} 个文件，{event.rows_done} 行"
        )
        if event.files_done == event.files_total:
            self.stream.write("\n")
        self.stream.flush()


def command_import(args: argparse.Namespace) -> int:
    """anju import DIR: import a published folder and print the per-file report."""
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"不是文件夹：{folder}", file=sys.stderr)
        return 2
    settings = _settings(args)
    engine = open_engine(settings.database_url)
    try:
        report = import_folder(
            engine, folder, load_catalog(), load_synonyms(), progress=_ProgressBar(sys.stderr)
        )
    finally:
        engine.dispose()
    print(render_text(report))
    return 0 if report.imported_anything else 1


def _answerer_for(database_url: str, load_demo: str) -> tuple[Answerer, bool]:
    """An answerer over the material in the database, and whether that is the demo.

    The index is built once and the engine closed: the answerer needs no database after.
    """
    engine = open_engine(database_url)
    try:
        base = KnowledgeBase(
            engine, load_catalog(), load_synonyms(), DomainTokenizer(), load_demo=load_demo
        )
        index = base.build_index()
        uses_demo = base.uses_demo()
    finally:
        engine.dispose()
    return Answerer(lambda: index, base.catalog, Conversations(), today=date.today), uses_demo


def _print_answer(answer: Answer) -> None:
    print(answer.text)
    print()
    print(f"类型：{answer.kind.value}　置信度：{answer.score:.2f}")
    for source in answer.sources:
        item = f"第{source.item_number}项" if source.item_number else "—"
        print(f"来源：《{source.title}》 {format_date(source.published_on)} {item}")


def command_ask(args: argparse.Namespace) -> int:
    """anju ask "问题": one answer with its sources and score, no server."""
    settings = _settings(args)
    answerer, uses_demo = _answerer_for(settings.database_url, settings.load_demo)
    if uses_demo:
        print("（数据库中还没有公开材料，以下按内置演示材料回答）", file=sys.stderr)
    for question in args.questions:
        _print_answer(answerer.answer(question, "cli"))
    return 0


def command_eval(args: argparse.Namespace) -> int:
    """anju eval QUESTIONS.tsv --published DIR: accuracy per kind, with the failures."""
    engine = open_engine("sqlite://")
    catalog, synonyms = load_catalog(), load_synonyms()
    try:
        import_folder(engine, Path(args.published), catalog, synonyms)
        base = KnowledgeBase(engine, catalog, synonyms, DomainTokenizer(), load_demo="never")
        index = base.build_index()
    finally:
        engine.dispose()
    today = date.fromisoformat(args.today) if args.today else date.today()
    answerer = Answerer(lambda: index, catalog, Conversations(), today=lambda: today)
    questions = parse_questions(Path(args.questions).read_text("utf-8"))
    evaluation = evaluate(questions, answerer.answer)
    print(evaluation.render(show_answers=args.verbose))
    return 0


def command_topics(args: argparse.Namespace) -> int:
    """anju topics recompute: group every recorded question into hot topics afresh."""
    from knowledge.topic_keywords import KeywordExtractor
    from knowledge.topics import TopicAssigner, recompute

    settings = _settings(args)
    engine = open_engine(settings.database_url)
    try:
        assigner = TopicAssigner(KeywordExtractor(DomainTokenizer()))
        count = recompute(engine, assigner)
    finally:
        engine.dispose()
    print(f"已重新归类 {count} 条提问")
    return 0


def command_serve(args: argparse.Namespace) -> int:
    """anju serve: the web service (WeChat webhook, public site, staff workspace)."""
    from aiohttp import web

    from handlers.app import create_app

    settings = _settings(args)
    if settings.workers > 1:
        from handlers.workers import run_workers

        # The same shutdown (timeout included) in every worker; see handlers/workers.py.
        return run_workers(settings, create_app)
    # At SIGTERM aiohttp stops accepting, then waits this long for requests in flight
    # (a WeChat answer takes at most its budget) before closing connections and cleaning up.
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=None,
        shutdown_timeout=settings.shutdown_timeout_seconds,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (tests/test_docs.py checks every sub-command is documented)."""
    parser = argparse.ArgumentParser(prog="anju", description="安居问答：保障性住房问答服务")
    parser.add_argument("--log-level", default="WARNING", help="logging level (default WARNING)")
    commands = parser.add_subparsers(dest="command", required=True)

    importing = commands.add_parser("import", help="import a published folder")
    importing.add_argument("folder", help="the published folder (one sub-folder per item)")
    importing.add_argument("--db", help="database URL (default: ANJU_DATABASE_URL)")
    importing.set_defaults(run=command_import)

    asking = commands.add_parser("ask", help="answer one question from the command line")
    asking.add_argument("questions", nargs="+", help="the question(s), asked in order")
    asking.add_argument("--db", help="database URL (default: ANJU_DATABASE_URL)")
    asking.set_defaults(run=command_ask)

    evaluating = commands.add_parser("eval", help="score the bot on a question file")
    evaluating.add_argument("questions", help="a questions.tsv file")
    evaluating.add_argument("--published", required=True, help="the published folder")
    evaluating.add_argument("--today", help="the date to answer as of (YYYY-MM-DD)")
    evaluating.add_argument("-v", "--verbose", action="store_true", help="show every answer")
    evaluating.set_defaults(run=command_eval)

    serving = commands.add_parser("serve", help="run the web service")
    serving.add_argument("--db", help="database URL (default: ANJU_DATABASE_URL)")
    serving.add_argument("--host", help="listen address (default: ANJU_HOST)")
    serving.add_argument("--port", type=int, help="listen port (default: ANJU_PORT)")
    serving.add_argument(
        "--workers",
        type=int,
        help="worker processes on the one port, PostgreSQL only (default: ANJU_WORKERS)",
    )
    serving.set_defaults(run=command_serve)

    topics = commands.add_parser("topics", help="hot topics of residents' questions")
    topic_actions = topics.add_subparsers(dest="topics_command", required=True)
    recomputing = topic_actions.add_parser(
        "recompute",
        help="regroup all questions (after editing topic_words.toml; stop the service first)",
    )
    recomputing.add_argument("--db", help="database URL (default: ANJU_DATABASE_URL)")
    recomputing.set_defaults(run=command_topics)

    add_menu_command(commands, lambda: Settings.from_env(os.environ))
    add_staff_commands(commands, _settings)
    add_operations_commands(commands, _settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `anju` console script."""
    args = build_parser().parse_args(argv)
    try:
        configure_logging(args.log_level, os.environ.get("ANJU_LOG_FORMAT", "text"))
        return int(args.run(args))
    except SettingsError as error:
        print(f"配置错误：{error}", file=sys.stderr)
        return 2
