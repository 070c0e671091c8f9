"""Finding the passages that answer a question, and how well they cover it.

BM25 proposes candidates; they are re-ranked for what the question is about (the catalog items
that answer such questions, the newest notice of a kind, an adopted decision over its draft, the
housing type and applicant category asked about), and each gets a coverage score: the share of
the question's meaningful words (weighted by rarity) that the passage holds. Coverage is the
answer's confidence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.intents import Intent
from bot.vocabulary import Vocabulary
from knowledge.features import FEATURE_PREFIX
from knowledge.index import PASSAGE, QA, Entry, Hit, SearchIndex
from knowledge.tokenizer import DomainTokenizer

# Catalog items that answer each kind of question, best first (an item's position sets a boost).
# None stands for documents outside the catalog's items, such as the bureau's service guide.
PREFERRED_ITEMS: dict[Intent, tuple[int | None, ...]] = {
    Intent.ELIGIBILITY: (13, 2, 41),
    Intent.MATERIALS: (13, 2, 20, 41),
    Intent.PROCEDURE: (13, None, 2, 41, 20),
    Intent.LOTTERY: (18, 20, 13),
    Intent.SIGNING: (20, 18),
    Intent.NOTICES: (5, 18, 20, 13),
    Intent.DECISIONS: (5,),
    Intent.CATALOG: (),
    Intent.GENERAL: (41, 13, 2, 5),
    Intent.COMPLAINT: (41, 13, 2),
}
DRAFT_ITEMS = frozenset({3})  # 决策前预公开: drafts for comment, superseded by decisions (item 5)
NOTICE_INTENTS = frozenset({Intent.LOTTERY, Intent.SIGNING, Intent.NOTICES, Intent.DECISIONS})
_CANDIDATES = 24
_ITEM_BOOST = 0.35
# A draft for comment gives way to the decision unless the resident asks about the draft.
_DRAFT_PENALTY = 1.0
_DRAFT_WORDS = frozenset({"征求意见", "征求意见稿", "草案", "意见稿"})
_RECENCY_WEIGHT = 0.25
_MATCH_BOOST = 0.3
# A household's figures (3口人, 月收入2500, 70多岁) feed the eligibility check, not the search.
_FIGURES = re.compile(
    r"\d+\s*(?:口人|口之家|口|个人|人家庭|周岁|岁|多岁|了)|\d+(?:\.\d+)?\s*(?:万|千)?\s*(?:元|块钱|块)"
)
_QUESTION_FRAMES = re.compile(
    r"能不能|可不可以|是不是|有没有|行不行|中不中|会不会|要不要|能否|可否|对不对|算不算|够不够"
)
# A published FAQ whose question the resident nearly repeats answers it (share of the FAQ
# question's words the resident used).
_FAQ_MATCH = 0.6
_FAQ_REPEATED = 0.8
_FAQ_BONUS = 0.5
_FAQ_QUESTION = re.compile(r"^(?:问|问题)\s*[:：]\s*(.+?)(?:\n|$)")
_CJK_CHARACTER = re.compile(r"[\u4e00-\u9fff]")
_LONE_TERM_WEIGHT = 0.25
# How much a word carried over from the last turn (the applicant category) weighs.
_LESSER_WEIGHT = 0.5
# A concept met only by a part of its word (保障 for 住房保障股) is this much covered.
_PART_CREDIT = 0.5
_RESTATED_CONCERN = re.compile(
    r"(群众|居民|住户|承租户|承租人|业主|市民|网友)[^。]{0,30}(反映|咨询|询问|留言|来信|提出)"
)
_RESTATED_PENALTY = 1.0
# A table row of totals ("年度：合计；…"), and a year asked about (which row it is then).
_TOTAL_ROW = re.compile(r"^[^；：:]{1,12}[：:](?:合计|总计|全县合计)[；;]")
_TOTAL_ROW_BONUS = 0.05
# Section titles that say a section holds what a feature question asks for.
_SECTION_TITLES = {"#date": ("时间", "日期"), "#place": ("地点", "地址", "在哪")}
_YEAR = re.compile(r"(?:19|20)\d\d")
# A restatement covering this much of the question marks its document as the answer.
_CONCERN_MATCH = 0.8
_CONCERN_DOCUMENT_BOOST = 0.3
_OTHER_TYPE_PENALTY = 0.6
_LOCAL_WEIGHT = 0.5
_BM25_WEIGHT = 0.5
_COVERAGE_WEIGHT = 1.5
# "卡上", "厂里": an unknown word ending in a locative names its first character.
_LOCATIVES = ("上", "里", "中", "内", "下")
# A word jieba has never seen, or has seen this rarely, is as telling as a rare word here.
_UNKNOWN_TERM_WEIGHT = 4.0


@dataclass(frozen=True)
class Query:
    """The words of a question: concepts (each with its acceptable alternatives) and extras."""

    concepts: tuple[tuple[str, frozenset[str]], ...]
    boost_terms: tuple[str, ...]
    # concept_weight() of each concept, computed once per question.
    weights: tuple[float, ...] = ()
    # Per concept, the alternatives that are the word itself or an expansion of it; the rest
    # are its parts (住房保障股 → 保障), which find it but only half cover it.
    primary: tuple[frozenset[str], ...] = ()

    @property
    def search_terms(self) -> list[str]:
        """Every term to search for (concept alternatives and boosts)."""
        terms: list[str] = []
        for _, alternatives in self.concepts:
            terms.extend(alternatives)
        terms.extend(self.boost_terms)
        return terms


@dataclass(frozen=True)
class SearchFocus:
    """What to favour or avoid beyond the words asked.

    focus_words (the applicant category) favour passages naming it; heading_words (材料 for a
    materials question) favour passages under such a heading; heading_focus favours sections
    about the housing type asked, heading_avoid sections about another one.
    """

    focus_words: tuple[str, ...] = ()
    heading_words: tuple[str, ...] = ()
    heading_focus: tuple[str, ...] = ()
    heading_avoid: tuple[str, ...] = ()

    def for_one_document(self) -> SearchFocus:
        """Inside one notice every section is of its kind: section-title words say nothing."""
        return replace(self, heading_words=())


def _terms(index: SearchIndex, words: Sequence[str]) -> frozenset[str]:
    return frozenset(t for w in words for t in index.tokenizer.terms_of_phrase(w))


@dataclass(frozen=True)
class ScoredPassage:
    """A candidate with its re-ranked score and its coverage of the question (0..1)."""

    hit: Hit
    score: float
    coverage: float

    @property
    def entry(self) -> Entry:
        """The passage or published answer."""
        return self.hit.entry


def build_query(
    index: SearchIndex,
    text: str,
    vocabulary: Vocabulary,
    boost_terms: Iterable[str] = (),
    *,
    consumed: Sequence[str] = (),
    lesser: Sequence[str] = (),
) -> Query:
    """Concepts from the question's words (with colloquial expansions); boosts from slots.

    Words inside consumed phrases (cue questions such as 交些啥) form no concept of their own;
    lesser words (the applicant category carried from the last turn) weigh half: the follow-up
    asks about something else for the same applicant.
    """
    tokenizer = index.tokenizer
    concepts: list[tuple[str, frozenset[str]]] = []
    primary: list[frozenset[str]] = []
    seen: set[str] = set()
    # 能不能 / 是不是 frame a question; their words (不能, 不是) would read as content.
    framed = _QUESTION_FRAMES.sub(" ", _FIGURES.sub(" ", text))
    # The expansion phrases this question holds (looked up once, not per word).
    present = [(p, e) for p, e in vocabulary.expansions.items() if p in text]
    # A longer phrase speaks for its words when it asks for no feature, or when both are
    # question words: 多少天 asks for a span of time, not for 多少 (money).
    present = [
        (p, e)
        for p, e in present
        if not any(
            p != q
            and p in q
            and (not _asks_features(f) or (_asks_only_features(f) and _asks_only_features(e)))
            for q, f in present
        )
    ]
    question_words = [p for p, e in present if all(x.startswith(FEATURE_PREFIX) for x in e)]
    meaningful = vocabulary.single_character_expansions
    groups = _join_single_characters(
        tokenizer.term_groups(framed, keep_breaks=True), tokenizer, meaningful
    )
    for group in groups:
        term = group[0]
        if term in seen or any(term in word for word in (*question_words, *consumed)):
            # 啥时候 is asked for as a date (#date), not as the word itself.
            continue
        seen.update(group)
        alternatives = set(group)
        own = {term}
        if len(term) == 2 and term.endswith(_LOCATIVES) and index.idf(term) == 0:
            alternatives.add(term[0])
            own.add(term[0])
        for phrase, expansions in present:
            # A one-character phrase (建, 车, 卖) expands only that word, not words holding it.
            inside = term in phrase or (phrase in term and len(phrase) > 1)
            if inside:
                expanded = [
                    t for t in _expansion_terms(tokenizer, expansions) if t[:1] != FEATURE_PREFIX
                ]
                alternatives.update(expanded)
                own.update(set(expanded) - vocabulary.weak_expansions.get(phrase, frozenset()))
        concepts.append((term, frozenset(alternatives)))
        primary.append(frozenset(own))
    for phrase, expansions in present:
        asks_feature = all(e.startswith(FEATURE_PREFIX) for e in expansions)
        # A question word (在哪, 几点) is its own concept even inside a longer word (在哪办公).
        if asks_feature or not any(phrase in c or c in phrase for c, _ in concepts):
            extra = frozenset(_expansion_terms(tokenizer, expansions))
            if extra:
                concepts.append((phrase, extra))
                primary.append(extra - vocabulary.weak_expansions.get(phrase, frozenset()))
    boosts = tuple(t for b in boost_terms for t in tokenizer.terms_of_phrase(b) if t not in seen)
    lesser_terms = _terms(index, lesser)
    weights = tuple(
        concept_weight(index, term, alternatives) * (_LESSER_WEIGHT if term in lesser_terms else 1)
        for term, alternatives in concepts
    )
    return Query(tuple(concepts), boosts, weights, tuple(primary))


def _asks_features(expansions: Iterable[str]) -> bool:
    return any(x.startswith(FEATURE_PREFIX) for x in expansions)


def _asks_only_features(expansions: Iterable[str]) -> bool:
    return all(x.startswith(FEATURE_PREFIX) for x in expansions)


def _join_single_characters(
    groups: list[list[str]], tokenizer: DomainTokenizer, meaningful: frozenset[str]
) -> list[list[str]]:
    """Single characters jieba could not join (养/狗) form one concept (养狗): alone each says
    almost nothing, together they name what was asked."""
    joined: list[list[str]] = []
    run: list[str] = []

    def flush() -> None:
        # Only a pair reads as one word; longer runs are leftovers (口/人/大/点), kept apart.
        if len(run) == 2:
            joined.append(["".join(run)])
        else:
            joined.extend([character] for character in run)
        run.clear()

    for group in groups:
        if not group:
            flush()  # a dropped stopword stood here: the characters were not side by side
            continue
        term = group[0]
        single = len(term) == 1 and bool(_CJK_CHARACTER.match(term))
        # A character with a meaning of its own here (涨, 建, 车) stays itself.
        if single and term not in tokenizer.domain_words and term not in meaningful:
            run.append(term)
            continue
        flush()
        joined.append(group)
    flush()
    return joined


def _expansion_terms(tokenizer: DomainTokenizer, expansions: Iterable[str]) -> list[str]:
    """Terms of expansion words; '#date'-style markers (features of passages) stay as they are."""
    found: list[str] = []
    for expansion in expansions:
        if expansion.startswith(FEATURE_PREFIX):
            found.append(expansion)
        else:
            # The words themselves, not their parts: 变更承租人 must not be met by any 承租人.
            found.extend(group[0] for group in tokenizer.term_groups(expansion) if group)
    return found


def concept_weight(index: SearchIndex, term: str, alternatives: frozenset[str]) -> float:
    """How much a concept matters: the rarity of its best-known form in the material.

    A lone character (人, 大, 办) or a bare number says little on its own and weighs little.
    """
    known = [index.idf(t) for t in alternatives if index.idf(t) > 0]
    lone = (len(term) == 1 and len(alternatives) == 1) or term.isdigit()
    if lone:
        return _LONE_TERM_WEIGHT
    if known:
        return max(known)
    frequency = index.tokenizer.frequency(term)
    if frequency > 0:
        # A common word of everyday Chinese (跑, 来回) says little about the topic.
        return min(_UNKNOWN_TERM_WEIGHT, max(0.3, 12.0 - math.log(frequency + 1)) / 2)
    return _UNKNOWN_TERM_WEIGHT if len(term) > 1 else 1.0


def coverage(index: SearchIndex, query: Query, terms: frozenset[str]) -> float:
    """Share of the query's concept weight present in terms."""
    weights = query.weights or tuple(concept_weight(index, t, a) for t, a in query.concepts)
    primary = query.primary or tuple(a for _, a in query.concepts)
    total = 0.0
    covered = 0.0
    for (_, alternatives), own, weight in zip(query.concepts, primary, weights, strict=True):
        total += weight
        if own & terms:
            covered += weight
        elif alternatives & terms:
            covered += weight * _PART_CREDIT
    return covered / total if total else 0.0


def search_passages(
    index: SearchIndex,
    query: Query,
    intent: Intent,
    *,
    restrict_items: Sequence[int] = (),
    within_document: int | None = None,
    focus: SearchFocus | None = None,
    limit: int = 8,
) -> list[ScoredPassage]:
    """The best passages (and published answers) for the query, best first.

    focus_words (the applicant category asked about) favour passages that name it;
    heading_words (材料 for a materials question) favour passages under such a heading.
    """
    allowed = set(restrict_items)

    def accept(entry: Entry) -> bool:
        if entry.kind not in (PASSAGE, QA):
            return False
        if within_document is not None:
            return entry.doc is not None and entry.doc.document_id == within_document
        if allowed:
            return entry.doc is not None and entry.doc.item_number in allowed
        return True

    hits = index.search_terms(query.search_terms, _CANDIDATES, accept)
    if not hits:
        return []
    top = hits[0].score or 1.0
    preferred = PREFERRED_ITEMS.get(intent, ())
    newest = _newest_dates(hits)
    focus = focus or SearchFocus()
    heading_words = focus.heading_words
    focus_terms = _terms(index, focus.focus_words)
    heading_focus_terms = _terms(index, focus.heading_focus)
    heading_avoid_terms = _terms(index, focus.heading_avoid) - heading_focus_terms
    asked = frozenset(t for _, alternatives in query.concepts for t in alternatives)
    asks_for_drafts = bool(asked & _DRAFT_WORDS)
    names_a_year = any(_YEAR.fullmatch(term) for term in asked)
    scored = []
    for hit in hits:
        entry = hit.entry
        terms = index.terms_of(hit)
        faq = _faq_match(index, entry, asked)
        cover = max(coverage(index, query, terms), faq)
        # Within one notice every passage shares the title: its own words tell them apart.
        local = coverage(index, query, index.local_terms_of(hit))
        # Coverage of the question is the main evidence; BM25 mostly proposes candidates.
        score = _BM25_WEIGHT * hit.score / top + _COVERAGE_WEIGHT * cover + _LOCAL_WEIGHT * local
        item = entry.doc.item_number if entry.doc else 41
        if item in preferred:
            score += _ITEM_BOOST * (1 - preferred.index(item) / (len(preferred) + 1))
        if item in DRAFT_ITEMS and not asks_for_drafts:
            score -= _DRAFT_PENALTY
        if faq >= _FAQ_REPEATED:
            # The resident all but repeated a published question: its answer comes first.
            score += _FAQ_BONUS
        if restates_concern(entry.text):
            # "近期，有群众反映……" restates the question a response answers further down.
            score -= _RESTATED_PENALTY
        if not names_a_year and _TOTAL_ROW.match(entry.text):
            # Rows of one table tie; asked about no year or group, the total row answers.
            score += _TOTAL_ROW_BONUS
        if intent in NOTICE_INTENTS and entry.doc and entry.doc.published_on and newest:
            age_days = (newest - entry.doc.published_on).days
            score += _RECENCY_WEIGHT * max(0.0, 1 - age_days / 180)
        if focus_terms and focus_terms & terms:
            score += _MATCH_BOOST
        if heading_words and any(word in entry.heading for word in heading_words):
            score += _MATCH_BOOST
        heading_terms = index.heading_terms(entry.heading)
        if heading_focus_terms and heading_focus_terms & heading_terms:
            score += _MATCH_BOOST
        if heading_avoid_terms and heading_avoid_terms & heading_terms:
            # A section about another housing type (经适房 选房 when 公租房 was asked).
            score -= _OTHER_TYPE_PENALTY
        scored.append(ScoredPassage(hit, score, cover))
    scored = _answers_of_restated_concerns(scored)
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored[:limit]


def _answers_of_restated_concerns(scored: list[ScoredPassage]) -> list[ScoredPassage]:
    """A response that restates the question ("有住户留言询问……") answers it further down:
    its restatement is no answer, but it tells which document does, so that document's other
    passages come forward."""
    concerned = {
        s.entry.doc.document_id
        for s in scored
        if s.entry.doc is not None
        and s.coverage >= _CONCERN_MATCH
        and restates_concern(s.entry.text)
    }
    if not concerned:
        return scored
    kept = []
    for candidate in scored:
        doc = candidate.entry.doc
        if doc is not None and doc.document_id in concerned:
            if restates_concern(candidate.entry.text):
                continue
            candidate = replace(candidate, score=candidate.score + _CONCERN_DOCUMENT_BOOST)
        kept.append(candidate)
    return kept


def titled_section_words(query: Query) -> list[str]:
    """Words of section titles that hold what the question asks for (时间 for "啥时候")."""
    asked = {t for _, alternatives in query.concepts for t in alternatives}
    return [
        word for feature, words in _SECTION_TITLES.items() if feature in asked for word in words
    ]


def restates_concern(text: str) -> bool:
    """True for a response's opening that restates what the public asked (not an answer)."""
    return bool(_RESTATED_CONCERN.search(text))


def _faq_match(index: SearchIndex, entry: Entry, asked: frozenset[str]) -> float:
    """How nearly the resident repeated a published question (FAQ passage or staff Q&A)."""
    if entry.kind == QA and entry.qa is not None:
        question = entry.qa.question
    else:
        match = _FAQ_QUESTION.match(entry.text)
        if match is None:
            return 0.0
        question = match.group(1)
    words = set(index.tokenizer.terms_of_phrase(question))
    if not words:
        return 0.0
    share = len(words & asked) / len(words)
    return share if share >= _FAQ_MATCH else 0.0


def _newest_dates(hits: Sequence[Hit]) -> date | None:
    dates = [h.entry.doc.published_on for h in hits if h.entry.doc and h.entry.doc.published_on]
    return max(dates) if dates else None
