"""SearchIndex: one immutable snapshot of everything the bot answers from, swapped whole.

It holds the passages of documents, the rows of tables that describe projects and housing, the
published Q&A (BM25 over all three), a name index over the tables of people (never searchable by
free text: a person's row is shown only for name + ID tail), the project directory, and the
spelling corrector taught the material's project names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from knowledge import elements as el
from knowledge.bm25 import Bm25Index
from knowledge.contacts import Contacts, find_contacts
from knowledge.features import feature_terms
from knowledge.material import DocumentInfo, LoadedTable, Material
from knowledge.projects import ProjectDirectory
from knowledge.spelling import SpellingCorrector, common_word_test
from knowledge.tokenizer import DomainTokenizer, load_domain_words

PASSAGE = "passage"
ROW = "row"
QA = "qa"
# How many found rows keep their cut terms (rows are cut when first found, not at build).
_ROW_TERMS_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class PublishedAnswer:
    """A staff answer published as Q&A (catalog item 41), as the bot uses it."""

    qa_id: int
    question: str
    answer: str
    published_on: date | None


@dataclass(frozen=True, slots=True)
class IndexedTable:
    """A table document with rows aligned to columns (canonical elements, then extra:...)."""

    doc: DocumentInfo
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    title: str | None
    about_people: bool
    _positions: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_positions", {c: i for i, c in enumerate(self.columns)})

    def row_values(self, row: int) -> dict[str, str]:
        """One row as {column: value}, empty cells left out."""
        return {c: v for c, v in zip(self.columns, self.rows[row], strict=True) if v}

    def cell(self, row: int, names: tuple[str, ...] | str) -> str:
        """The first non-empty cell of names (canonical elements) in a row, or ''.

        Reads by column position: no per-row dict, for code that scans thousands of rows.
        """
        cells = self.rows[row]
        for name in (names,) if isinstance(names, str) else names:
            position = self._positions.get(name)
            if position is not None and cells[position]:
                return cells[position]
        return ""

    def column(self, name: str) -> int:
        """The position of a column, or -1."""
        try:
            return self.columns.index(name)
        except ValueError:
            return -1


@dataclass(frozen=True, slots=True)
class Entry:
    """A searchable unit: a passage, a row of a project/housing table, or a published answer."""

    kind: str
    doc: DocumentInfo | None
    heading: str
    text: str
    table: int = -1
    row: int = -1
    qa: PublishedAnswer | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """An entry found by a search, with its BM25 score and its position in the index."""

    entry: Entry
    score: float
    position: int


@dataclass(frozen=True, slots=True)
class PersonRow:
    """Where a person's row is: the table and the row number."""

    table: int
    row: int


def render_row(table: IndexedTable, row: int) -> str:
    """'项目名称：幸福里（一期）；套型：一室一厅；…' for a row (extra columns by their header)."""
    parts = []
    for column, value in zip(table.columns, table.rows[row], strict=True):
        if value:
            parts.append(f"{column.removeprefix('extra:')}：{value}")
    return "；".join(parts)


class SearchIndex:
    """The immutable snapshot. Build it with SearchIndex.build(); never mutate it."""

    def __init__(
        self,
        revision: int,
        tokenizer: DomainTokenizer,
        entries: tuple[Entry, ...],
        tables: tuple[IndexedTable, ...],
        documents: tuple[DocumentInfo, ...],
        people: dict[str, tuple[PersonRow, ...]],
        projects: ProjectDirectory,
        spelling: SpellingCorrector,
        text_bm25: Bm25Index,
        text_positions: tuple[int, ...],
        row_bm25: Bm25Index,
        row_positions: tuple[int, ...],
        term_sets: tuple[frozenset[str] | None, ...],
        local_term_sets: tuple[frozenset[str] | None, ...],
        contacts: Contacts,
    ) -> None:
        self.revision = revision
        self.tokenizer = tokenizer
        self.entries = entries
        self.tables = tables
        self.documents = documents
        self.people = people
        self.projects = projects
        self.spelling = spelling
        # Two indexes: passages and answers, and the rows of project/housing tables. Questions
        # about documents never wade through tens of thousands of rows, and the reverse.
        self._text_bm25 = text_bm25
        self._text_positions = text_positions
        self._row_bm25 = row_bm25
        self._row_positions = row_positions
        self._term_sets = term_sets
        self._local_term_sets = local_term_sets
        self.contacts = contacts
        # Filled lazily; a dict write is atomic, so concurrent readers are safe.
        self._heading_terms: dict[str, frozenset[str]] = {}
        self._row_terms: dict[int, frozenset[str]] = {}
        self._passages_by_document: dict[int, list[int]] = {}
        # Entries are kept by identity: equal passages in two documents are two entries.
        self._positions: dict[int, int] = {}
        for position, entry in enumerate(entries):
            if entry.kind == PASSAGE and entry.doc is not None:
                self._passages_by_document.setdefault(entry.doc.document_id, []).append(position)
            if entry.kind != ROW:
                self._positions[id(entry)] = position

    @classmethod
    def build(
        cls,
        material: Material,
        tokenizer: DomainTokenizer,
        published_answers: Sequence[PublishedAnswer] = (),
    ) -> SearchIndex:
        """Build the snapshot from the material (pure: no I/O)."""
        return _IndexBuilder(material, tokenizer, published_answers).build()

    def search(
        self,
        text: str,
        limit: int = 8,
        accept: Callable[[Entry], bool] | None = None,
        *,
        rows: bool = False,
    ) -> list[Hit]:
        """The passages and answers (or, rows=True, table rows) best matching text."""
        return self.search_terms(self.tokenizer.terms(text), limit, accept, rows=rows)

    def search_terms(
        self,
        terms: Sequence[str],
        limit: int = 8,
        accept: Callable[[Entry], bool] | None = None,
        *,
        rows: bool = False,
    ) -> list[Hit]:
        """search() for terms already cut: passages and answers, or (rows=True) table rows."""
        bm25, positions = (
            (self._row_bm25, self._row_positions)
            if rows
            else (self._text_bm25, self._text_positions)
        )
        check = None
        if accept is not None:
            check = lambda local: accept(self.entries[positions[local]])  # noqa: E731
        return [
            Hit(self.entries[positions[local]], score, positions[local])
            for local, score in bm25.search(terms, limit, check)
        ]

    def idf(self, term: str) -> float:
        """How rare a term is in the material's passages (else its rows; 0 when absent)."""
        return self._text_bm25.idf(term) or self._row_bm25.idf(term)

    def terms_of(self, hit: Hit) -> frozenset[str]:
        """The search terms of a found entry (kept from the build for passages and answers)."""
        found = self._term_sets[hit.position]
        if found is None:
            # Rows' terms are not kept from the build (100k rows); the few found are cut once.
            found = self._row_terms.get(hit.position)
            if found is None:
                if len(self._row_terms) >= _ROW_TERMS_CACHE_SIZE:
                    self._row_terms.clear()
                found = frozenset(self.tokenizer.terms(self.render(hit.entry)))
                self._row_terms[hit.position] = found
        return found

    def terms_of_entry(self, entry: Entry) -> frozenset[str]:
        """terms_of() for an entry in hand (passages and answers are looked up, not cut)."""
        position = self._positions.get(id(entry))
        if position is not None:
            return self.terms_of(Hit(entry, 0.0, position))
        return frozenset(self.tokenizer.terms(f"{entry.heading} {self.render(entry)}"))

    def local_terms_of(self, hit: Hit) -> frozenset[str]:
        """A found entry's own terms (heading and text, not its document's title): what tells
        one passage of a notice from another."""
        found = self._local_term_sets[hit.position]
        return self.terms_of(hit) if found is None else found

    def heading_terms(self, heading: str) -> frozenset[str]:
        """The search terms of a passage heading (cut once per distinct heading)."""
        found = self._heading_terms.get(heading)
        if found is None:
            found = frozenset(self.tokenizer.terms(heading))
            self._heading_terms[heading] = found
        return found

    def document_passages(self, document_id: int) -> list[Entry]:
        """A document's passages in order."""
        return [self.entries[p] for p in self._passages_by_document.get(document_id, [])]

    def people_named(self, name: str) -> list[tuple[IndexedTable, int]]:
        """Rows of the tables of people with exactly this name (callers enforce the ID tail)."""
        return [(self.tables[p.table], p.row) for p in self.people.get(name, ())]

    def person_names(self) -> Iterable[str]:
        """Every name in the tables of people."""
        return self.people.keys()

    def render(self, entry: Entry) -> str:
        """An entry's text (rows are rendered from their cells)."""
        if entry.kind == ROW:
            return render_row(self.tables[entry.table], entry.row)
        return entry.text


class _IndexBuilder:
    def __init__(
        self,
        material: Material,
        tokenizer: DomainTokenizer,
        published_answers: Sequence[PublishedAnswer],
    ) -> None:
        self.material = material
        self.tokenizer = tokenizer
        self.published_answers = published_answers
        self.entries: list[Entry] = []
        self.entry_terms: list[list[str]] = []
        self.term_sets: list[frozenset[str] | None] = []
        self.local_term_sets: list[frozenset[str] | None] = []
        self.tables: list[IndexedTable] = []
        self.people: dict[str, list[PersonRow]] = {}
        self._cell_terms: dict[str, list[str]] = {}

    def build(self) -> SearchIndex:
        projects = ProjectDirectory(self._project_names())
        # Project names join the dictionary before anything is cut, so 幸福里 stays one word.
        self.tokenizer.add_words(projects.all_spellings())
        for document in self.material.documents:
            title_terms = self.tokenizer.terms(document.info.title)
            for heading, text in document.passages:
                own = self.tokenizer.terms(heading) + self.tokenizer.terms(text)
                own += feature_terms(text)
                self._add(Entry(PASSAGE, document.info, heading, text), title_terms + own, own)
            if document.table is not None:
                self._add_table(document.info, document.table, title_terms)
        for answer in self.published_answers:
            entry = Entry(QA, None, answer.question, answer.answer, qa=answer)
            terms = self.tokenizer.terms(answer.question) * 2 + self.tokenizer.terms(answer.answer)
            terms += feature_terms(answer.answer)
            self._add(entry, terms)
        documents = tuple(
            sorted(
                (d.info for d in self.material.documents),
                key=lambda info: (info.published_on or date.min, info.document_id),
                reverse=True,
            )
        )
        text_positions = [p for p, e in enumerate(self.entries) if e.kind != ROW]
        row_positions = [p for p, e in enumerate(self.entries) if e.kind == ROW]
        vocabulary = load_domain_words() + projects.all_spellings()
        spelling = SpellingCorrector(vocabulary, common_word_test(self.tokenizer.frequency))
        return SearchIndex(
            revision=self.material.revision,
            tokenizer=self.tokenizer,
            entries=tuple(self.entries),
            tables=tuple(self.tables),
            documents=documents,
            people={name: tuple(rows) for name, rows in self.people.items()},
            projects=projects,
            spelling=spelling,
            text_bm25=Bm25Index([self.entry_terms[p] for p in text_positions]),
            text_positions=tuple(text_positions),
            row_bm25=Bm25Index([self.entry_terms[p] for p in row_positions]),
            row_positions=tuple(row_positions),
            term_sets=tuple(self.term_sets),
            local_term_sets=tuple(self.local_term_sets),
            contacts=find_contacts(self.material),
        )

    def _project_names(self) -> list[str]:
        names: list[str] = []
        for document in self.material.documents:
            table = document.table
            if table is None:
                continue
            for column in el.PROJECT_NAME:
                if column in table.columns:
                    position = table.columns.index(column)
                    names.extend(row[position] for row in table.rows if row[position])
        return names

    def _add(
        self,
        entry: Entry,
        terms: list[str],
        local: list[str] | None = None,
        keep_terms: bool = True,
    ) -> None:
        self.entries.append(entry)
        self.entry_terms.append(terms)
        # Rows are many and cheap to cut again; passages are re-ranked on every question.
        self.term_sets.append(frozenset(terms) if keep_terms else None)
        self.local_term_sets.append(frozenset(local) if local is not None else None)

    def _add_table(self, info: DocumentInfo, loaded: LoadedTable, title_terms: list[str]) -> None:
        about_people = el.is_person_table(info.item_number, loaded.columns)
        table = IndexedTable(
            doc=info,
            columns=loaded.columns,
            rows=loaded.rows,
            notes=loaded.notes,
            title=loaded.title,
            about_people=about_people,
        )
        position = len(self.tables)
        self.tables.append(table)
        if about_people:
            self._index_people(position, table)
            return
        column_terms = [t for c in loaded.columns for t in self._cached_terms(c)]
        for row_number, row in enumerate(loaded.rows):
            terms = title_terms + column_terms
            for value in row:
                if value:
                    terms = terms + self._cached_terms(value)
            entry = Entry(ROW, info, "", "", table=position, row=row_number)
            self._add(entry, terms, keep_terms=False)

    def _index_people(self, position: int, table: IndexedTable) -> None:
        name_columns = [table.columns.index(c) for c in el.PERSON_NAME if c in table.columns]
        for row_number, row in enumerate(table.rows):
            for column in name_columns:
                name = row[column].strip()
                if name:
                    self.people.setdefault(name, []).append(PersonRow(position, row_number))
                    break

    def _cached_terms(self, value: str) -> list[str]:
        # Table cells repeat (project names, unit types): cut each distinct value once.
        found = self._cell_terms.get(value)
        if found is None:
            found = self.tokenizer.terms(value.removeprefix("extra:"))
            self._cell_terms[value] = found
        return found
