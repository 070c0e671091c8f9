"""Answer latency of the bot alone (no HTTP): a question file over a published folder.

Imports the folder into an in-memory database, builds the index, then asks every question of
the file in its sessions (follow-ups follow), many rounds, each round by new residents and on a
new answerer so that every answer is worked out afresh; a last round asks again as the same
residents would be answered from memory. Prints p50, p90, p99 and max per round kind, and the
slowest questions.

    .venv/bin/python bench/answer_latency.py                      # bundled demo material
    .venv/bin/python bench/answer_latency.py QUESTIONS.tsv --published DIR [--today YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.answerer import Answerer
from bot.conversation import Conversations
from bot.evaluation import Question, parse_questions
from knowledge.catalog import load_catalog
from knowledge.database import open_engine, read_revision
from knowledge.demo_material import demo_folder
from knowledge.element_synonyms import load_synonyms
from knowledge.importer import import_folder
from knowledge.index import SearchIndex
from knowledge.material import load_material
from knowledge.tokenizer import DomainTokenizer

TARGET_P99_MS = 5.0
DEFAULT_ROUNDS = 20
# The bundled demo questions were written for this day.
DEMO_TODAY = date(2026, 12, 1)


def build_index(folder: Path) -> SearchIndex:
    """Import folder into a fresh in-memory database and build the index from it."""
    from sqlmodel import Session

    engine = open_engine("sqlite://")
    import_folder(engine, folder, load_catalog(), load_synonyms())
    with Session(engine) as session:
        material = load_material(session, read_revision(engine))
    index = SearchIndex.build(material, DomainTokenizer())
    engine.dispose()
    return index


def ask_all(answerer: Answerer, questions: Sequence[Question], prefix: str) -> list[float]:
    """Milliseconds per question, asked in order, a resident per session (or per question)."""
    latencies = []
    for question in questions:
        resident = f"{prefix}-{question.session or question.id}"
        started = time.perf_counter()
        answerer.answer(question.text, resident)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which share of values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def summary(name: str, values: Sequence[float]) -> str:
    """One line of figures."""
    return (
        f"{name:<10} n={len(values):>5}  p50 {statistics.median(values):6.2f} ms  "
        f"p90 {percentile(values, 0.9):6.2f} ms  p99 {percentile(values, 0.99):6.2f} ms  "
        f"max {max(values):6.2f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print; exit status 0 whether or not the target is met (it is printed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("questions", nargs="?", type=Path, help="a questions.tsv file")
    parser.add_argument("--published", type=Path, help="the published folder")
    parser.add_argument("--today", help="answer as of this date (YYYY-MM-DD)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    args = parser.parse_args(argv)
    folder = args.published or demo_folder()
    questions_file = args.questions or demo_folder().parent / "questions.tsv"
    today = date.fromisoformat(args.today) if args.today else DEMO_TODAY
    questions = parse_questions(questions_file.read_text("utf-8"))
    index = build_index(folder)
    catalog = load_catalog()

    def new_answerer() -> Answerer:
        return Answerer(lambda: index, catalog, Conversations(), today=lambda: today)

    ask_all(new_answerer(), questions, "warm-up")
    fresh: list[float] = []
    by_question: dict[str, list[float]] = {}
    for round_number in range(args.rounds):
        latencies = ask_all(new_answerer(), questions, f"r{round_number}")
        fresh.extend(latencies)
        for question, latency in zip(questions, latencies, strict=True):
            by_question.setdefault(question.id, []).append(latency)
    # Asked again by new residents of the same answerer: repeats are answered from memory.
    remembering = new_answerer()
    ask_all(remembering, questions, "first")
    repeated = ask_all(remembering, questions, "again")
    print(f"{len(questions)} questions over {folder.name}, {args.rounds} rounds")
    print(summary("worked out", fresh))
    print(summary("repeated", repeated))
    slowest = sorted(by_question.items(), key=lambda item: -statistics.median(item[1]))[:5]
    texts = {q.id: q.text for q in questions}
    for question_id, values in slowest:
        print(f"  {statistics.median(values):6.2f} ms  {question_id} {texts[question_id][:30]}")
    verdict = "ok  " if percentile(fresh, 0.99) < TARGET_P99_MS else "MISS"
    print(f"{verdict} p99 of worked-out answers < {TARGET_P99_MS:g} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
