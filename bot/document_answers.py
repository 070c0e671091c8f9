"""Replies quoted from documents: rules, materials, procedure, notices, complaints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot import phrases
from bot.answer import AnswerKind, Source
from bot.compose import contact_sentence, format_date, source_of, sources_of
from bot.conversation import Context
from bot.intents import Intent
from bot.passage_answers import Quote, quote_for, quote_lines
from bot.passage_search import (
    Query,
    ScoredPassage,
    SearchFocus,
    build_query,
    restates_concern,
    search_passages,
)
from bot.understanding import Understanding
from bot.vocabulary import Vocabulary
from knowledge.index import SearchIndex

# Intents whose answer is a list (materials, conditions) rather than one sentence.
WHOLE_LIST_INTENTS = frozenset(
    {Intent.MATERIALS, Intent.ELIGIBILITY, Intent.LOTTERY, Intent.SIGNING, Intent.PROCEDURE}
)
RESTRICTED_ITEMS: dict[Intent, tuple[int, ...]] = {
    Intent.LOTTERY: (18,),
    Intent.SIGNING: (20,),
    Intent.DECISIONS: (5,),
}
# Boost words that say what kind of passage answers each intent.
INTENT_WORDS: dict[Intent, tuple[str, ...]] = {
    Intent.MATERIALS: ("材料",),
    Intent.ELIGIBILITY: ("条件", "可以申请", "谁可以", "对象"),
    Intent.LOTTERY: ("摇号", "选房"),
    Intent.SIGNING: ("签订", "合同"),
}
_NOTICE_LIST_LENGTH = 5
_QUESTION_PARTICLES = ("啥", "什么", "哪", "几", "多少", "咋", "怎么")
# Words of "when was it published" that no title holds.
_PUBLICATION_WORDS = frozenset({"公示", "公布", "发布", "出", "贴", "时候", "啥时候", "什么时候"})
# A title holding this share of the question's other words is the document asked about.
_TITLE_MATCH = 0.6
_TITLE_MATCHES = 2
# How much less of the question a notice of the asked kind may cover and still be preferred.
_RESTRICTED_MARGIN = 0.25
_SUBSIDY = "租赁补贴"
# A follow-up first looks in the document the last answer came from, if it covers this much
# and, weighed in the open search, all but ties with the best passage elsewhere: the last
# document breaks a near tie, it does not outweigh a plainly better answer (the notice naming
# the window over the rule that says only which office).
_SAME_DOCUMENT_COVERAGE = 0.34
_SAME_DOCUMENT_MARGIN = 0.1


@dataclass(frozen=True)
class Found:
    """A quote with the words that found it and the document it came from."""

    quote: Quote
    query: Query
    ranked: tuple[ScoredPassage, ...]

    @property
    def document_id(self) -> int:
        """The document of the first quoted passage (0 for a published answer)."""
        first = self.quote.entries[0]
        return first.doc.document_id if first.doc else 0


def context_words(understanding: Understanding, context: Context) -> list[str]:
    """Words the conversation carries into a follow-up: type, category, project, topic."""
    slots = understanding.slots
    words = []
    housing = slots.housing_type or (
        context.housing_type if understanding.reading.follow_up else ""
    )
    category = slots.category or (context.category if understanding.reading.follow_up else "")
    for word in (housing, category):
        if word:
            words.append(word)
    if understanding.reading.follow_up and context.section:
        words.extend(context.section.split())
    return words


def topic_words(understanding: Understanding, context: Context) -> list[str]:
    """Words a follow-up is about even though it does not say them (复核 after a rejection)."""
    if understanding.reading.follow_up and context.topic:
        return context.topic.split()
    return []


def find_quote(
    index: SearchIndex,
    understanding: Understanding,
    context: Context,
    vocabulary: Vocabulary,
    intent: Intent,
    *,
    today: date,
    extra_words: Sequence[str] = (),
) -> Found | None:
    """The best quote for a document question, following the conversation where it leans on it."""
    carried = context_words(understanding, context)
    intent_words = INTENT_WORDS.get(intent, ())
    text = understanding.text
    category = understanding.slots.category or (
        context.category if understanding.reading.follow_up else ""
    )
    topic = topic_words(understanding, context)
    lesser: list[str] = []
    if understanding.reading.follow_up and category and category not in text:
        topic.append(category)
        lesser.append(category)
    implied = {intent} | ({Intent.MATERIALS} & understanding.reading.cues)
    for cued in implied & understanding.reading.cues:
        # "交些啥" asked for 材料 in other words: the intent's own word counts as asked.
        words = INTENT_WORDS.get(cued, ())
        if words and words[0] not in text and words[0] not in topic:
            topic.append(words[0])
    if topic:
        # The follow-up is asked about that topic (or applicant): its words count as asked.
        text = f"{text} {' '.join(topic)}"
    consumed = _question_cues(understanding, vocabulary)
    query = build_query(
        index,
        text,
        vocabulary,
        [*carried, *intent_words, *extra_words],
        consumed=consumed,
        lesser=lesser,
    )
    whole = intent in WHOLE_LIST_INTENTS
    # A category carried from the last turn is searched for as a word of the question (above);
    # only one named now also favours the passages naming it.
    focus = [understanding.slots.category] if understanding.slots.category else []
    housing = understanding.slots.housing_type or (
        context.housing_type if understanding.reading.follow_up else ""
    )
    others = [t for t in vocabulary.housing_types if housing and t != housing]
    options = SearchFocus(
        focus_words=tuple(focus),
        heading_words=tuple(intent_words),
        heading_focus=(housing,) if housing else (),
        heading_avoid=tuple(others),
    )
    ranked = search_passages(index, query, intent, focus=options)
    quote = quote_for(index, query, ranked, whole_lists=whole)
    if understanding.reading.follow_up and context.document_id:
        # Within the last answer's document the follow-up's own words decide (几点? 在哪?),
        # unless another document plainly answers better (the materials list elsewhere).
        own_query = build_query(
            index, text, vocabulary, [*intent_words, *extra_words], consumed=consumed
        )
        inside_options = options.for_one_document()
        inside = search_passages(
            index, own_query, intent, within_document=context.document_id, focus=inside_options
        )
        inside_quote = quote_for(index, own_query, inside, whole_lists=whole)
        elsewhere = [s.score for s in ranked if _document_of(s) != context.document_id]
        best_elsewhere = elsewhere[0] if elsewhere else 0.0
        # Scores within one document are scaled to that document's best match, so they are
        # not comparable with the open search's: where the open search ranked the last
        # document too, its score there is the one weighed against the others.
        same = [s.score for s in ranked if _document_of(s) == context.document_id]
        inside_score = same[0] if same else inside[0].score if inside else 0.0
        if (
            inside_quote is not None
            and inside_quote.coverage >= _SAME_DOCUMENT_COVERAGE
            and inside_score >= best_elsewhere - _SAME_DOCUMENT_MARGIN
        ):
            return Found(inside_quote, own_query, tuple(inside))
    restricted = RESTRICTED_ITEMS.get(intent, ())
    if intent == Intent.DECISIONS and understanding.slots.housing_type == _SUBSIDY:
        # Decisions set rents and prices; the subsidy's standards change in its yearly plan.
        restricted = ()
    leader = quote.entries[0].doc if quote is not None else None
    if restricted and (leader is None or leader.item_number not in restricted):
        # The notices of the kind asked about come first unless they plainly miss the question.
        narrow = search_passages(index, query, intent, restrict_items=restricted, focus=options)
        narrow_quote = quote_for(index, query, narrow, whole_lists=whole)
        if narrow_quote is not None and (
            quote is None or narrow_quote.coverage >= quote.coverage - _RESTRICTED_MARGIN
        ):
            ranked, quote = narrow, narrow_quote
    if quote is None:
        return None
    return Found(quote, query, tuple(ranked))


def _document_of(scored: ScoredPassage) -> int:
    doc = scored.entry.doc
    return doc.document_id if doc is not None else 0


def _question_cues(understanding: Understanding, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Cue phrases that are questions in themselves (交些啥, 带什么): their words name no topic."""
    found = []
    for cued in understanding.reading.cues:
        for cue in vocabulary.cues(cued.value):
            if cue in understanding.text and any(q in cue for q in _QUESTION_PARTICLES):
                found.append(cue)
    return tuple(found)


def quote_reply_lines(index: SearchIndex, found: Found) -> list[str]:
    """The lines quoting what was found."""
    return quote_lines(index, found.quote)


def published_when(index: SearchIndex, text: str) -> tuple[list[str], list[Source]]:
    """ "第二批审核结果啥时候公示的": the documents whose titles the question names, with dates."""
    asked = set(index.tokenizer.terms(text)) - _PUBLICATION_WORDS
    scored = []
    for info in index.documents:
        title_terms = set(index.tokenizer.terms_of_phrase(info.title))
        if not title_terms or not asked:
            continue
        share = len(asked & title_terms) / len(asked)
        if share >= _TITLE_MATCH:
            scored.append((share, info))
    scored.sort(key=lambda pair: (-pair[0], -(pair[1].published_on or date.min).toordinal()))
    chosen = [info for _, info in scored[:_TITLE_MATCHES]]
    lines = [
        phrases.PUBLISHED_ON.format(title=info.title, date=format_date(info.published_on))
        for info in chosen
    ]
    return lines, [source_of(info) for info in chosen]


def latest_notices(index: SearchIndex) -> tuple[list[str], list[object]]:
    """The newest published documents, newest first, as lines and their citations."""
    lines = [phrases.NOTICES_INTRO]
    infos = [i for i in index.documents if i.published_on is not None][:_NOTICE_LIST_LENGTH]
    for info in infos:
        lines.append(f"{format_date(info.published_on)}《{info.title}》")
    return lines, []


def not_found_lines(index: SearchIndex) -> list[str]:
    """What a question the material does not answer gets."""
    return [phrases.NOT_FOUND, contact_sentence(index)]


def quote_sources(found: Found) -> list[object]:
    """Citations of a quote."""
    return list(sources_of(found.quote.entries))


def answer_kind(found: Found | None, min_score: float) -> AnswerKind:
    """ANSWERED when the quote covers enough of the question, else NOT_FOUND."""
    if found is None or found.quote.coverage < min_score:
        return AnswerKind.NOT_FOUND
    return AnswerKind.ANSWERED


# A decision's passage that says from when it applies (自2026年7月1日起执行).
_EFFECTIVE = ("起执行", "起施行", "起实施", "执行时间", "施行日期")
DECISION_ITEMS = frozenset({5})
_MERGER_WORD = "并轨"
# A word rarer than this in everyday Chinese (jieba's frequencies) is specific (物业费, 停车位);
# commoner ones (县里, 那边) say little when the material lacks them.
_SPECIFIC_WORD_FREQUENCY = 100


RESPONSE_ITEMS = frozenset({41})
_RESPONSE_PASSAGES = 3


def response_lines(index: SearchIndex, found: Found) -> list[str]:
    """When a published response (互动回应) answers a concern, its best few passages."""
    first = found.quote.entries[0]
    if first.doc is None or first.doc.item_number not in RESPONSE_ITEMS:
        return quote_reply_lines(index, found)
    same = [
        s.entry
        for s in found.ranked
        if s.entry.doc == first.doc and not restates_concern(s.entry.text)
    ]
    quoted = set(found.quote.entries)
    # The quote may be a whole list (six grounds for taking a flat back): the items that matched
    # the concern come first when only a few are shown, not the list's first few.
    matched = [entry for entry in same if entry in quoted]
    chosen = list(dict.fromkeys([*matched, *found.quote.entries, *same]))[:_RESPONSE_PASSAGES]
    order = {id(e): i for i, e in enumerate(index.document_passages(first.doc.document_id))}
    chosen.sort(key=lambda e: order.get(id(e), 0))
    return [index.render(e) for e in chosen]


def effective_date_lines(index: SearchIndex, found: Found) -> list[str]:
    """From a decision quoted, the passage saying when it takes effect (if not quoted yet)."""
    first = found.quote.entries[0]
    if first.doc is None or first.doc.item_number not in DECISION_ITEMS:
        return []
    quoted = {e.text for e in found.quote.entries}
    for entry in index.document_passages(first.doc.document_id):
        if entry.text not in quoted and any(word in entry.text for word in _EFFECTIVE):
            return [entry.text]
    return []


def merged_tier_lines(index: SearchIndex, understanding: Understanding) -> list[str]:
    """When a resident says 廉租房, the rule that merged it into 公租房 (one sentence)."""
    if not understanding.slots.merged_tier:
        return []
    hits = index.search_terms([_MERGER_WORD, "廉租房", "公租房"], 5)
    for hit in hits:
        text = index.render(hit.entry)
        if _MERGER_WORD in text and hit.entry.kind != "row":
            return [_sentence_with(text, _MERGER_WORD)]
    return []


def _sentence_with(text: str, word: str) -> str:
    for sentence in text.replace("；", "。").split("。"):
        if word in sentence:
            return sentence.strip() + "。"
    return text


def has_unknown_concept(
    index: SearchIndex, query: Query, vocabulary: Vocabulary | None = None
) -> bool:
    """True when the question names something telling that the material never mentions."""
    cue_words = {c for cues in vocabulary.intents.values() for c in cues} if vocabulary else set()
    expanded = set(vocabulary.expansions) if vocabulary else set()
    for term, _alternatives in query.concepts:
        if term.startswith("#") or len(term) < 2 or term in cue_words or term in expanded:
            continue
        # The word itself must be absent: 物业 (part of 物业费) in the material is no answer.
        if index.idf(term) > 0:
            continue
        # A word jieba knows as rare (物业费) is specific; one it never saw is a guess at joining
        # characters (大点) and proves nothing.
        if 0 < index.tokenizer.frequency(term) < _SPECIFIC_WORD_FREQUENCY:
            return True
    return False
