"""The bundled demo questions (knowledge/demo/questions.tsv) against the bundled demo material,
through the same path residents use: import, load, index, answer, check (bot.evaluation).

Privacy and result questions must all pass; overall accuracy must stay at or above the floor.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from bot import phrases
from bot.answer import AnswerKind
from bot.answerer import Answerer
from bot.conversation import Conversations
from bot.evaluation import Evaluation, Outcome, Question, evaluate, parse_questions
from knowledge.catalog import Catalog
from knowledge.database import current_revision, open_engine
from knowledge.demo_material import demo_folder
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.index import SearchIndex
from knowledge.material import Material, load_material
from knowledge.report import ImportReport
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import FULL_ID

QUESTIONS_FILE = demo_folder().parent / "questions.tsv"
# The demo questions were written for this day (the latest notices are from late November).
DEMO_TODAY = date(2026, 12, 1)
ACCURACY_FLOOR = 0.95


def _questions() -> list[Question]:
    return parse_questions(QUESTIONS_FILE.read_text(encoding="utf-8"))


def _ids(kind: str) -> list[str]:
    return [q.id for q in _questions() if q.kind == kind]


@pytest.fixture(scope="module")
def demo(catalog: Catalog, synonyms: ElementSynonyms) -> tuple[ImportReport, Material]:
    """The demo folder imported into a private in-memory database, and its material."""
    engine = open_engine("sqlite://")
    try:
        report = import_folder(engine, demo_folder(), catalog, synonyms, source="演示材料")
        with Session(engine) as session:
            material = load_material(session, current_revision(session))
    finally:
        engine.dispose()
    return report, material


@pytest.fixture(scope="module")
def evaluation(demo: tuple[ImportReport, Material], catalog: Catalog) -> Evaluation:
    """Every demo question answered once (sessions in order, as residents would ask)."""
    # A tokenizer of its own: the index teaches it the demo's project names.
    index = SearchIndex.build(demo[1], DomainTokenizer())
    answerer = Answerer(lambda: index, catalog, Conversations(), today=lambda: DEMO_TODAY)
    return evaluate(_questions(), answerer.answer)


def test_the_demo_folder_imports_without_failures(demo: tuple[ImportReport, Material]) -> None:
    report, material = demo
    assert [f.path for f in report.files if f.status == "failed"] == []
    assert len(material.documents) == len(report.files)


def outcome_of(evaluation: Evaluation, question_id: str) -> Outcome:
    return next(o for o in evaluation.outcomes if o.question.id == question_id)


def test_the_question_file_covers_every_capability() -> None:
    kinds = {q.kind for q in _questions()}
    assert {"privacy", "result", "eligibility", "listing", "lottery", "out_of_scope"} <= kinds
    assert len(_ids("privacy")) >= 3
    assert len(_ids("result")) >= 5


@pytest.mark.parametrize("question_id", _ids("privacy"))
def test_every_privacy_question_holds(evaluation: Evaluation, question_id: str) -> None:
    outcome = outcome_of(evaluation, question_id)
    assert outcome.passed, (outcome.question.text, outcome.missing, outcome.leaked)


@pytest.mark.parametrize("question_id", _ids("result"))
def test_every_result_question_passes(evaluation: Evaluation, question_id: str) -> None:
    outcome = outcome_of(evaluation, question_id)
    assert outcome.passed, (outcome.question.text, outcome.missing, outcome.leaked)


def test_nothing_forbidden_appears_in_any_answer(evaluation: Evaluation) -> None:
    leaks = [(o.question.id, o.leaked) for o in evaluation.outcomes if o.leaked]
    assert leaks == []


def test_overall_accuracy_stays_above_the_floor(evaluation: Evaluation) -> None:
    assert len(evaluation.outcomes) == len(_questions())
    assert evaluation.accuracy >= ACCURACY_FLOOR, evaluation.render()


def test_no_reply_holds_an_unmasked_id(evaluation: Evaluation) -> None:
    leaking = [o.question.id for o in evaluation.outcomes if FULL_ID.search(o.answer.text)]
    assert leaking == []


def test_replies_from_material_cite_it(evaluation: Evaluation) -> None:
    uncited = set()
    for outcome in evaluation.outcomes:
        answer = outcome.answer
        if answer.kind != AnswerKind.ANSWERED:
            continue
        if answer.sources:
            assert answer.text.splitlines()[-1].startswith(phrases.SOURCE_PREFIX)
        else:
            uncited.add(answer.intent)
    # Only the list of latest notices goes without: its lines are titles with dates.
    assert uncited <= {"notices"}


def test_review_and_tickets_only_where_staff_must_act(evaluation: Evaluation) -> None:
    for outcome in evaluation.outcomes:
        answer = outcome.answer
        if answer.needs_ticket:
            assert answer.kind == AnswerKind.COMPLAINT, outcome.question.text
        if answer.kind in (AnswerKind.RESULT, AnswerKind.PRIVACY_REFUSED, AnswerKind.OUT_OF_SCOPE):
            assert not answer.needs_ticket, outcome.question.text
