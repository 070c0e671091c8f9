"""Running a question file (questions.tsv format) through the answerer and scoring it.

Format (tab-separated, header row): id, session, question, must_include, must_not_include,
kind, note. In must_include, "|" separates facts that must all appear and "/" separates
alternatives of which one must appear; must_not_include lists "|"-separated strings that must
not appear. Questions of one session are asked in order by one resident, so follow-ups work.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.answer import Answer


@dataclass(frozen=True)
class Question:
    """One row of a question file."""

    id: str
    session: str
    text: str
    must_include: tuple[tuple[str, ...], ...]
    must_not_include: tuple[str, ...]
    kind: str
    note: str


@dataclass(frozen=True)
class Outcome:
    """A question, the reply, and what was missing or leaked."""

    question: Question
    answer: Answer
    missing: tuple[str, ...]
    leaked: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when every fact is there and nothing forbidden is."""
        return not self.missing and not self.leaked


@dataclass
class Evaluation:
    """All outcomes, with accuracy per kind."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of questions passed."""
        return sum(o.passed for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind → (passed, total)."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            counts[outcome.question.kind][0] += outcome.passed
            counts[outcome.question.kind][1] += 1
        return {kind: (c[0], c[1]) for kind, c in sorted(counts.items())}

    def render(self, *, show_answers: bool = False) -> str:
        """A plain-text report: accuracy per kind, then each failure with its reply."""
        lines = []
        for kind, (passed, total) in self.by_kind().items():
            lines.append(f"{kind:14} {passed:3}/{total:<3} {100 * passed / total:5.1f}%")
        total_passed = sum(o.passed for o in self.outcomes)
        lines.append(
            f"{'overall':14} {total_passed:3}/{len(self.outcomes):<3} {100 * self.accuracy:5.1f}%"
        )
        for outcome in self.outcomes:
            if outcome.passed and not show_answers:
                continue
            status = "ok  " if outcome.passed else "FAIL"
            q = outcome.question
            lines.append("")
            lines.append(f"{status} {q.id} [{q.kind}] {q.text}")
            if outcome.missing:
                lines.append(f"     missing: {' | '.join(outcome.missing)}")
            if outcome.leaked:
                lines.append(f"     leaked:  {' | '.join(outcome.leaked)}")
            for line in outcome.answer.text.splitlines():
                lines.append(f"     > {line}")
        return "\n".join(lines)


def _split(cell: str, separator: str) -> list[str]:
    return [part.strip() for part in cell.split(separator) if part.strip()]


def parse_questions(text: str) -> list[Question]:
    """Questions from the TSV text (the header row names the columns)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t")
    questions = []
    for row in reader:
        include = tuple(
            tuple(_split(fact, "/")) for fact in _split(row.get("must_include") or "", "|")
        )
        questions.append(
            Question(
                id=row["id"].strip(),
                session=(row.get("session") or "").strip(),
                text=row["question"],
                must_include=include,
                must_not_include=tuple(_split(row.get("must_not_include") or "", "|")),
                kind=(row.get("kind") or "").strip(),
                note=(row.get("note") or "").strip(),
            )
        )
    return questions


def check(question: Question, answer: Answer) -> Outcome:
    """Compare one reply with the question's expectations."""
    missing = tuple(
        " / ".join(alternatives)
        for alternatives in question.must_include
        if not any(alternative in answer.text for alternative in alternatives)
    )
    leaked = tuple(word for word in question.must_not_include if word in answer.text)
    return Outcome(question, answer, missing, leaked)


def evaluate(questions: Iterable[Question], ask: Callable[[str, str], Answer]) -> Evaluation:
    """Ask every question (as its session's resident, or alone) and check each reply."""
    evaluation = Evaluation()
    for question in questions:
        user = f"eval-session-{question.session}" if question.session else f"eval-{question.id}"
        evaluation.outcomes.append(check(question, ask(question.text, user)))
    return evaluation
