"""The header names that spreadsheets use for the catalog's table elements (data/synonyms.toml)."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

_PACKAGED_FILE = "synonyms.toml"

# Separators that real headers scatter inside a name ("房号/面积/套型", "身份证号 (隐藏部分号码)").
_SEPARATORS = re.compile("[\\s、/·・,;:_\\-\u2014\u2013]+")


class SynonymsError(ValueError):
    """The synonyms file is not valid; the message names the element or header and the problem."""


def normalize_header(text: str) -> str:
    """The form headers are compared in: full-width folded, lower case, separators removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class ElementSynonyms(Mapping[str, tuple[str, ...]]):
    """Canonical element name -> header names seen for it, plus headers holding several elements.

    As a mapping it gives the synonyms as written in the file (without the canonical name);
    `names_for` adds the canonical name itself, `elements_named` answers the reverse question.
    """

    synonyms: Mapping[str, tuple[str, ...]]
    composites: Mapping[str, tuple[str, ...]]
    _by_header: Mapping[str, tuple[str, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _composite_by_header: Mapping[str, tuple[str, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        by_header: dict[str, list[str]] = {}
        for element, headers in self.synonyms.items():
            for header in (element, *headers):
                named = by_header.setdefault(normalize_header(header), [])
                if element not in named:
                    named.append(element)
        composites = {normalize_header(header): parts for header, parts in self.composites.items()}
        frozen = {key: tuple(value) for key, value in by_header.items()}
        object.__setattr__(self, "_by_header", MappingProxyType(frozen))
        object.__setattr__(self, "_composite_by_header", MappingProxyType(composites))

    def __getitem__(self, element: str) -> tuple[str, ...]:
        return self.synonyms[element]

    def __iter__(self) -> Iterator[str]:
        return iter(self.synonyms)

    def __len__(self) -> int:
        return len(self.synonyms)

    def names_for(self, element: str) -> tuple[str, ...]:
        """The canonical name followed by its synonyms; KeyError for an unknown element."""
        return (element, *self.synonyms[element])

    def elements_named(self, header: str) -> tuple[str, ...]:
        """The canonical elements a header names exactly (after normalisation), in file order."""
        return self._by_header.get(normalize_header(header), ())

    def composite_parts(self, header: str) -> tuple[str, ...]:
        """The elements a composite header holds, in cell order; () for any other header."""
        return self._composite_by_header.get(normalize_header(header), ())

    def missing(self, elements: Iterable[str]) -> tuple[str, ...]:
        """Which of these canonical element names have no entry in the file."""
        return tuple(element for element in elements if element not in self.synonyms)


def load_synonyms(path: Path | None = None) -> ElementSynonyms:
    """Read and validate the synonyms file: the packaged one unless a path is given."""
    if path is None:
        source = _PACKAGED_FILE
        text = resources.files("knowledge").joinpath("data", _PACKAGED_FILE).read_text("utf-8")
    else:
        source = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SynonymsError(f"{source}: cannot read the synonyms file: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SynonymsError(f"{source}: not valid TOML: {error}") from error
    unknown = sorted(set(data) - {"elements", "composite"})
    if unknown:
        raise SynonymsError(f"{source}: unknown top-level key(s) {', '.join(unknown)}")
    synonyms = _parse_elements(source, data.get("elements", {}))
    composites = _parse_composites(source, data.get("composite", {}), synonyms)
    return ElementSynonyms(MappingProxyType(synonyms), MappingProxyType(composites))


def _parse_elements(source: str, table: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise SynonymsError(f'{source}: "elements" must be tables like [elements."姓名"]')
    synonyms: dict[str, tuple[str, ...]] = {}
    for element, entry in table.items():
        where = f'{source}, element "{element}"'
        if not isinstance(entry, dict) or set(entry) != {"synonyms"}:
            raise SynonymsError(f'{where}: needs exactly one key, "synonyms" (a list of names)')
        headers = entry["synonyms"]
        if not isinstance(headers, list) or not all(
            isinstance(header, str) and header.strip() for header in headers
        ):
            raise SynonymsError(f'{where}: "synonyms" must be a list of non-empty strings')
        seen: dict[str, str] = {normalize_header(element): element}
        for header in headers:
            key = normalize_header(header)
            if key in seen:
                raise SynonymsError(f'{where}: "{header}" repeats "{seen[key]}"')
            seen[key] = header
        synonyms[element] = tuple(header.strip() for header in headers)
    return synonyms


def _parse_composites(
    source: str, table: Any, synonyms: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise SynonymsError(f'{source}: "composite" must be a table of header = [elements]')
    composites: dict[str, tuple[str, ...]] = {}
    for header, parts in table.items():
        where = f'{source}, composite header "{header}"'
        if not isinstance(parts, list) or len(parts) < 2:
            raise SynonymsError(f"{where}: must list at least two element names")
        for part in parts:
            if not isinstance(part, str) or part not in synonyms:
                raise SynonymsError(f'{where}: "{part}" is not an element of this file')
        composites[header] = tuple(parts)
    return composites
