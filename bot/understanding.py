"""Reading a message: normalise, correct slips, find the slots, decide the intent."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation import Context
from bot.intents import Intent, Reading, read_intent
from bot.normalize import normalize
from bot.slots import (
    Slots,
    extract_area,
    extract_batch,
    extract_figures,
    extract_name,
    extract_ordering,
    extract_tail,
    find_words,
    full_id_tail,
    has_full_id,
)
from bot.vocabulary import Vocabulary
from knowledge import elements as el
from knowledge.index import SearchIndex
from knowledge.masking import mask_identity_numbers


@dataclass(frozen=True)
class Understanding:
    """A message as the bot understood it."""

    text: str  # normalised, corrected, identity numbers masked: what retrieval sees
    normalized: str  # before spelling correction (names are read from here)
    slots: Slots
    reading: Reading
    fixes: tuple[tuple[str, str], ...]

    @property
    def intent(self) -> Intent:
        """The message's intent."""
        return self.reading.intent


def understand(
    raw: str, index: SearchIndex, context: Context, vocabulary: Vocabulary
) -> Understanding:
    """Understand one message in its conversation."""
    normalized = normalize(raw)
    full_id = has_full_id(normalized)
    typed_tail = full_id_tail(normalized) if full_id else ""
    # A typed identity number is masked before anything else sees it (spec: never resolved).
    normalized = mask_identity_numbers(normalized).text
    correction = index.spelling.correct(normalized)
    text = correction.text
    housing_type = find_words(text, vocabulary.housing_types)
    name, listed = extract_name(normalized, vocabulary, lambda n: n in index.people)
    if not name and text != normalized:
        name, listed = extract_name(text, vocabulary, lambda n: n in index.people)
    area, qualifier = extract_area(text)
    projects = tuple(index.projects.find(text))
    if not housing_type and projects:
        housing_type = _housing_type_of(index, projects[0].name, vocabulary)
    slots = Slots(
        housing_type=housing_type,
        merged_tier="廉租" in text,
        category=find_words(text, vocabulary.categories),
        projects=projects,
        unit_type=find_words(text, vocabulary.unit_types),
        area=area,
        area_qualifier=qualifier,
        ordering=extract_ordering(text),
        batch=extract_batch(text),
        person_name=name,
        name_from_directory=listed,
        id_tail=typed_tail if full_id else extract_tail(text, name),
        full_id_given=full_id,
        figures=extract_figures(text),
    )
    reading = read_intent(text, slots, context, vocabulary)
    return Understanding(text, normalized, slots, reading, correction.fixes)


def _housing_type_of(index: SearchIndex, project: str, vocabulary: Vocabulary) -> str:
    """The housing type the material gives a project (福康小区 → 经适房), or ''."""
    for table in index.tables:
        if table.about_people:
            continue
        name_column = next((table.column(c) for c in el.PROJECT_NAME if table.column(c) >= 0), -1)
        type_column = next((table.column(c) for c in el.HOUSING_TYPE if table.column(c) >= 0), -1)
        if name_column < 0 or type_column < 0:
            continue
        for row in table.rows:
            if row[name_column] == project and row[type_column]:
                return find_words(row[type_column], vocabulary.housing_types)
    return ""
