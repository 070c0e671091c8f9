"""Answerer.answer(text, user) → Answer: understand, look up, compose, remember the turn.

Pure given its inputs (the index snapshot, the catalog, the conversation store and today's
date): no database, no network. Every path returns an Answer with a kind, a score and sources;
nothing is ever raised to mean "no answer".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot import phrases
from bot.answer import Answer, AnswerKind, Source
from bot.answer_cache import AnswerCache, CacheKey
from bot.catalog_answers import CATALOG_TITLE, catalog_reply
from bot.compose import contact_sentence, finish, sources_of
from bot.conversation import Context, Conversations, ConversationStore
from bot.document_answers import (
    Found,
    effective_date_lines,
    find_quote,
    has_unknown_concept,
    latest_notices,
    merged_tier_lines,
    published_when,
    quote_reply_lines,
    response_lines,
)
from bot.eligibility import find_limits
from bot.eligibility_answers import precheck_lines, subsidy_lines
from bot.intents import Intent, offers_paid_promise
from bot.passage_answers import answers_a_particular_case, overview_lines
from bot.people_answers import privacy_reply, result_reply
from bot.subsidy import read_subsidy_rule
from bot.table_answers import TableReply, asked_projects, listing_reply, project_rows_reply
from bot.understanding import Understanding, understand
from bot.vocabulary import Vocabulary, load_vocabulary
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.projects import ProjectMention

DEFAULT_MIN_SCORE = 0.35
ENQUIRY_DAYS = 5
COMPLAINT_DAYS = 15
_CONSTRUCTION_WORDS = (
    "开工",
    "建新",
    "新建",
    "盖",
    "竣工",
    "交工",
    "完工",
    "建成",
    "规划",
    "计划",
    "建多少",
    "建设",
)
_LATEST_WORDS = (
    "最近",
    "最新",
    "新公告",
    "新通知",
    "出了啥",
    "有什么公告",
    "有啥公告",
    "这两天",
    "发啥",
    "又发",
    "新发",
    "发了啥",
    "发了什么",
)
_REPORT_WORDS = (
    "举报",
    "转租",
    "收钱",
    "违规",
    "托关系",
    "走后门",
    "插队",
    "顶替",
    "冒名",
    "出租",
    "租给别人",
    "倒卖",
    "内定",
    "关系户",
)
_WHEN_PUBLISHED = re.compile(
    r"(啥时候|什么时候|哪天|几号|何时)[^，。?？]{0,4}(公示|公布|发布|贴出|出来)|(公示|公布|发布)[^，。]{0,3}(啥时候|什么时候|哪天)"
)
_PRICE_WORDS = ("租金", "房租", "价格", "标准", "多少钱", "售价")
_CALCULATION_WORDS = ("标准", "咋算", "怎么算", "如何计算", "怎么计算")
# ...and how often it changes (多少年调一回, 多久调一次): the decision's adjustment cycle.
_CHANGE_WORDS = ("涨", "降价", "调了", "调整", "变了", "新标准", "调价", "调一", "多久调", "年调")
# The material's words for its no-fee rule: what a report of a fee scam is answered with.
_NO_FEE_WORDS = ("诈骗", "收取费用", "免费")
# Project lists answer a question about building unless a passage covers this much more of it.
_ROWS_MARGIN = 0.2
# How many concepts of a question a follow-up carries on.
_TOPIC_CONCEPTS = 6


@dataclass
class _Derived:
    """What is read once per index snapshot (limits, the subsidy rule)."""

    revision: int
    limits: list  # type: ignore[type-arg]
    subsidy: object


class Answerer:
    """Answers residents from the current index snapshot."""

    def __init__(
        self,
        index: Callable[[], SearchIndex],
        catalog: Catalog,
        conversations: ConversationStore | None = None,
        *,
        vocabulary: Vocabulary | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        today: Callable[[], date] = date.today,
        enquiry_days: int = ENQUIRY_DAYS,
        complaint_days: int = COMPLAINT_DAYS,
    ) -> None:
        self._index = index
        self.catalog = catalog
        self.conversations = conversations if conversations is not None else Conversations()
        self.vocabulary = vocabulary or load_vocabulary()
        self.min_score = min_score
        self._today = today
        self.enquiry_days = enquiry_days
        self.complaint_days = complaint_days
        self._derived: _Derived | None = None
        self._cache = AnswerCache()

    def answer(self, text: str, user: str = "") -> Answer:
        """The reply to one message from one resident (user '' has no conversation)."""
        index = self._index()
        context = self.conversations.get(user) if user else Context()
        key = self._cache_key(index, text, context)
        cached = self._cache.get(key) if key is not None else None
        if cached is not None:
            answer, new_context = cached
        else:
            understanding = understand(text, index, context, self.vocabulary)
            answer, new_context = self._dispatch(index, understanding, context)
            if key is not None:
                self._cache.put(key, answer, new_context)
        self._remember(user, context, new_context)
        return answer

    def answer_from_memory(self, text: str, user: str = "") -> Answer | None:
        """answer(), but only when it is remembered (microseconds); None otherwise.

        Lets a server answer repeats on its event loop and send only new questions to a thread.
        """
        index = self._index()
        context = self.conversations.get(user) if user else Context()
        key = self._cache_key(index, text, context)
        cached = self._cache.get(key) if key is not None else None
        if cached is None:
            return None
        answer, new_context = cached
        self._remember(user, context, new_context)
        return answer

    def _cache_key(self, index: SearchIndex, text: str, context: Context) -> CacheKey | None:
        # A question with no conversation behind it is answered the same for everyone today.
        if context != Context():
            return None
        return self._cache.key(index.revision, self._today(), text)

    def _remember(self, user: str, context: Context, new_context: Context) -> None:
        if user:
            self.conversations.put(user, new_context.updated(turns=context.turns + 1))

    def _derived_for(self, index: SearchIndex) -> _Derived:
        derived = self._derived
        if derived is None or derived.revision != index.revision:
            derived = _Derived(index.revision, find_limits(index), read_subsidy_rule(index))
            self._derived = derived
        return derived

    def _dispatch(
        self, index: SearchIndex, u: Understanding, context: Context
    ) -> tuple[Answer, Context]:
        intent = u.intent
        if intent == Intent.GREETING:
            return finish(index, [phrases.GREETING], kind=AnswerKind.GREETING), context
        if intent == Intent.THANKS:
            return finish(index, [phrases.THANKS], kind=AnswerKind.THANKS), context
        if intent == Intent.MENU:
            lines = [phrases.MENU_TITLE, *phrases.MENU_LINES]
            return finish(index, lines, kind=AnswerKind.MENU), context
        if intent == Intent.HANDOFF:
            line = phrases.HANDOFF.format(days=self.enquiry_days)
            answer = finish(index, [line], kind=AnswerKind.HANDOFF, needs_review=True)
            return answer, context
        if intent == Intent.PRIVACY:
            return privacy_reply(index, u)
        if intent == Intent.RESULT:
            return result_reply(index, u, context, self.vocabulary.housing_types)
        if intent == Intent.OUT_OF_SCOPE:
            lines = [phrases.OUT_OF_SCOPE, contact_sentence(index)]
            return finish(
                index, lines, kind=AnswerKind.OUT_OF_SCOPE, intent=intent.value
            ), Context()
        if intent == Intent.COMPLAINT:
            return self._complaint(index, u, context)
        if intent == Intent.CATALOG:
            return self._catalog(index, u, context)
        if intent in (Intent.NOTICES, Intent.PROCEDURE, Intent.CATALOG) and _WHEN_PUBLISHED.search(
            u.text
        ):
            lines, sources = published_when(index, u.text)
            if lines:
                answer = finish(
                    index, lines, kind=AnswerKind.ANSWERED, sources=sources, intent=intent.value
                )
                return answer, Context(intent=intent.value)
        if intent == Intent.NOTICES and any(w in u.text for w in _LATEST_WORDS):
            lines, _ = latest_notices(index)
            answer = finish(index, lines, kind=AnswerKind.ANSWERED, intent=intent.value)
            return answer, Context(intent=intent.value)
        if intent in (Intent.LISTING, Intent.ELIGIBILITY, Intent.GENERAL) and (
            _asks_about_change(u.text) or _asks_how_priced(u.text)
        ):
            # "租金又涨了？/标准调整了吗/租金咋算" asks about a decision, not today's listing or
            # the rules.
            return self._documents(index, u, context, Intent.DECISIONS)
        if intent == Intent.LISTING:
            return self._listing(index, u, context)
        if intent == Intent.ELIGIBILITY:
            return self._eligibility(index, u, context)
        return self._documents(index, u, context, intent)

    def _context_after(
        self, u: Understanding, context: Context, intent: Intent, found: Found | None, project: str
    ) -> Context:
        slots = u.slots
        follow = u.reading.follow_up
        return Context(
            intent=intent.value,
            housing_type=slots.housing_type or (context.housing_type if follow else ""),
            category=slots.category or (context.category if follow else ""),
            project=project or (context.project if follow else ""),
            unit_type=slots.unit_type or (context.unit_type if follow else ""),
            document_id=found.document_id if found else 0,
            section=_topic_terms(found),
            household_size=slots.figures.household_size or context.household_size,
        )

    def _documents(
        self, index: SearchIndex, u: Understanding, context: Context, intent: Intent
    ) -> tuple[Answer, Context]:
        found = find_quote(index, u, context, self.vocabulary, intent, today=self._today())
        new_context = self._context_after(u, context, intent, found, "")
        if found is None or found.quote.coverage < self.min_score:
            return self._not_found(index, intent, found), new_context
        lines = [*merged_tier_lines(index, u), *quote_reply_lines(index, found)]
        lines.extend(effective_date_lines(index, found))
        answer = finish(
            index,
            lines,
            kind=AnswerKind.ANSWERED,
            sources=sources_of(found.quote.entries),
            score=found.quote.coverage,
            intent=intent.value,
        )
        return answer, new_context

    def _not_found(self, index: SearchIndex, intent: Intent, found: Found | None) -> Answer:
        lines = [phrases.NOT_FOUND, contact_sentence(index)]
        score = found.quote.coverage if found else 0.0
        return finish(
            index,
            lines,
            kind=AnswerKind.NOT_FOUND,
            score=score,
            intent=intent.value,
            needs_review=True,
        )

    def _listing(
        self, index: SearchIndex, u: Understanding, context: Context
    ) -> tuple[Answer, Context]:
        construction = any(w in u.text for w in _CONSTRUCTION_WORDS)
        table = TableReply([], [], 0.0)
        found = find_quote(index, u, context, self.vocabulary, Intent.LISTING, today=self._today())
        # An ordering (最大的, 最便宜) asks about the listing whatever other words come with it.
        # Asked where a project is, the listing's address answers whatever else was asked.
        asks_place = found is not None and any(
            c == "#place" or "#place" in a for c, a in found.query.concepts
        )
        unknown = (
            found is not None
            and not u.slots.ordering
            and not asks_place
            and has_unknown_concept(index, found.query, self.vocabulary)
        )
        if not construction and not unknown:
            table = listing_reply(u, context, index)
        if not table.lines and found is not None:
            rows = project_rows_reply(u, context, index, found.query)
            # Asked what is being built, the project lists answer before any passage.
            good_enough = construction and rows.score >= found.quote.coverage - _ROWS_MARGIN
            # A passage that never names the project asked about (another project's completion)
            # does not beat that project's own rows, however many of the other words it holds.
            elsewhere = bool(u.slots.projects) and not _names_project(
                found.quote.entries[0].text, u.slots.projects
            )
            if rows.lines and (good_enough or elsewhere or rows.score >= found.quote.coverage):
                table = rows
        new_context = self._context_after(u, context, Intent.LISTING, found, table.project)
        if table.lines and table.score >= self.min_score:
            answer = finish(
                index,
                [*merged_tier_lines(index, u), *table.lines],
                kind=AnswerKind.ANSWERED,
                sources=table.sources,
                score=table.score,
                intent=Intent.LISTING.value,
            )
            return answer, new_context
        if found is None or found.quote.coverage < self.min_score or unknown:
            return self._not_found(index, Intent.LISTING, found), new_context
        answer = finish(
            index,
            quote_reply_lines(index, found),
            kind=AnswerKind.ANSWERED,
            sources=sources_of(found.quote.entries),
            score=found.quote.coverage,
            intent=Intent.LISTING.value,
        )
        return answer, new_context

    def _eligibility(
        self, index: SearchIndex, u: Understanding, context: Context
    ) -> tuple[Answer, Context]:
        derived = self._derived_for(index)
        category = u.slots.category or (context.category if u.reading.follow_up else "")
        housing = u.slots.housing_type or (context.housing_type if u.reading.follow_up else "")
        found = find_quote(
            index, u, context, self.vocabulary, Intent.ELIGIBILITY, today=self._today()
        )
        lines: list[str] = []
        sources: list[Source] = []
        figures = u.slots.figures
        if figures.household_size is None and context.household_size and u.reading.follow_up:
            figures = replace(figures, household_size=context.household_size)
        if figures.given:
            check, used = precheck_lines(derived.limits, figures, category, housing)
            if check:
                lines.append(phrases.ELIGIBILITY_INTRO)
                lines.extend(check)
                sources.extend(sources_of(limit.entry for limit in used))
        if housing == "租赁补贴" or "补贴" in u.text:
            subsidy = derived.subsidy
            estimate = subsidy_lines(subsidy, figures, category)  # type: ignore[arg-type]
            if estimate:
                lines.extend(estimate)
                sources.extend(sources_of([subsidy.entry]))  # type: ignore[attr-defined]
        table = TableReply([], [], 0.0)
        if asked_projects(u, context):
            table = listing_reply(u, context, index)
        new_context = self._context_after(u, context, Intent.ELIGIBILITY, found, table.project)
        quoted = found is not None and found.quote.coverage >= self.min_score
        lines.extend(merged_tier_lines(index, u))
        overview: list[str] = []
        tiers_asked = housing in ("", "公租房")
        if (
            quoted
            and found is not None
            and not category
            and not figures.given
            and tiers_asked
            and not answers_a_particular_case(index, found.query, found.quote.entries[0])
        ):
            # Spec: with no category named, each tier's conditions, briefly; but a question
            # about a particular case (房改房) gets the rule on that case.
            overview = overview_lines(index, found.quote.entries[0])
        if overview and found is not None:
            lines.extend(overview)
            sources.extend(sources_of(found.quote.entries[:1]))
        elif quoted and found is not None:
            lines.extend(quote_reply_lines(index, found))
            sources.extend(sources_of(found.quote.entries))
        lines.extend(table.lines)
        sources.extend(table.sources)
        if not lines:
            return self._not_found(index, Intent.ELIGIBILITY, found), new_context
        if figures.given:
            lines.append(phrases.ELIGIBILITY_DISCLAIMER)
        score = max(
            found.quote.coverage if found else 0.0, table.score, 0.6 if figures.given else 0
        )
        answer = finish(
            index,
            lines,
            kind=AnswerKind.ANSWERED,
            sources=_unique(sources),
            score=score,
            intent=Intent.ELIGIBILITY.value,
        )
        return answer, new_context

    def _complaint(
        self, index: SearchIndex, u: Understanding, context: Context
    ) -> tuple[Answer, Context]:
        scam = offers_paid_promise(u.text)
        # Whoever took the money and whatever was promised, the answer is the no-fee rule.
        asked = replace(u, text=" ".join(_NO_FEE_WORDS)) if scam else u
        found = find_quote(
            index, asked, context, self.vocabulary, Intent.COMPLAINT, today=self._today()
        )
        lines = [phrases.COMPLAINT_ACK, phrases.TICKET_PENDING.format(days=self.complaint_days)]
        sources: list[Source] = []
        report = scam or any(w in u.text for w in _REPORT_WORDS)
        if report and index.contacts.report:
            lines.append(phrases.REPORT_LINE.format(phone=index.contacts.report))
        else:
            # Spec: a complaint is told the bureau's published phone as well as the deadline.
            lines.append(contact_sentence(index))
        if found is not None and found.quote.coverage >= self.min_score:
            lines.append(phrases.RELATED_RULE)
            lines.extend(response_lines(index, found))
            sources.extend(sources_of(found.quote.entries))
        new_context = self._context_after(u, context, Intent.COMPLAINT, found, "")
        answer = finish(
            index,
            lines,
            kind=AnswerKind.COMPLAINT,
            sources=sources,
            intent=Intent.COMPLAINT.value,
            needs_review=True,
            needs_ticket=True,
        )
        return answer, new_context

    def _catalog(
        self, index: SearchIndex, u: Understanding, context: Context
    ) -> tuple[Answer, Context]:
        reply = catalog_reply(self.catalog, index, u.text)
        found = find_quote(index, u, context, self.vocabulary, Intent.CATALOG, today=self._today())
        lines = list(reply.lines)
        sources = [Source(CATALOG_TITLE, None, None, None, "/catalog")] if reply.lines else []
        if found is not None and found.quote.coverage >= self.min_score:
            lines.extend(quote_reply_lines(index, found))
            sources.extend(sources_of(found.quote.entries))
        new_context = self._context_after(u, context, Intent.CATALOG, found, "")
        if not lines:
            return self._not_found(index, Intent.CATALOG, found), new_context
        answer = finish(
            index,
            lines,
            kind=AnswerKind.ANSWERED,
            sources=sources,
            score=reply.score,
            intent=Intent.CATALOG.value,
        )
        return answer, new_context


def _names_project(text: str, projects: Sequence[ProjectMention]) -> bool:
    return any(m.name in text or m.said in text for m in projects)


def _asks_about_change(text: str) -> bool:
    """True for a question whether a rent or price changed (涨了, 调整了吗, 新标准)."""
    return any(w in text for w in _CHANGE_WORDS) and any(w in text for w in _PRICE_WORDS)


def _asks_how_priced(text: str) -> bool:
    """True for a question how the rent or price is set (租金标准, 租金咋算)."""
    return any(w in text for w in _CALCULATION_WORDS) and any(w in text for w in _PRICE_WORDS)


def _topic_terms(found: Found | None) -> str:
    """The words (with their expansions) of the question a follow-up may lean on."""
    if found is None:
        return ""
    terms: list[str] = []
    for _, alternatives in found.query.concepts[:_TOPIC_CONCEPTS]:
        terms.extend(sorted(alternatives))
    return " ".join(dict.fromkeys(t for t in terms if not t.startswith("#")))


def _unique(sources: list[Source]) -> list[Source]:
    seen: dict[tuple[int | None, int | None, str], Source] = {}
    for source in sources:
        seen.setdefault((source.document_id, source.qa_id, source.title), source)
    return list(seen.values())
