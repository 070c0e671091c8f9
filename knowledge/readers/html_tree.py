"""A forgiving element tree from HTML with the stdlib parser, and the text inside it.

Government CMS pages are rarely well-formed (unclosed <p> and <li>, stray end tags), so the
builder closes what browsers would close implicitly and ignores end tags it never opened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dl", "dt"}
    | {"fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td"}
    | {"tfoot", "th", "thead", "tr", "ul"}
)
# Start tags that close an open element of the given tag, as browsers do.
_CLOSED_BY: dict[str, frozenset[str]] = {
    "p": BLOCK_TAGS,
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "td": frozenset({"td", "th", "tr"}),
    "th": frozenset({"td", "th", "tr"}),
    "tr": frozenset({"tr"}),
    "option": frozenset({"option"}),
}

_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
# A line break in the source between two Chinese characters is layout, not a space.
_BREAK_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s*\n\s*(?={_CJK})")
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")


@dataclass(eq=False)
class Element:
    """One HTML element; children are elements and text runs, in document order."""

    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def attr(self, name: str) -> str:
        return self.attrs.get(name, "")

    def iter(self) -> Iterator[Element]:
        """This element and every element below it, depth first."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str) -> list[Element]:
        return [element for element in self.iter() if element.tag == tag]

    def text(self) -> str:
        """The text below this element, whitespace collapsed as a browser shows it."""
        return collapse_whitespace("".join(self._texts()))

    def text_length(self) -> int:
        return sum(len(text.strip()) for text in self._texts())

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def remove(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None

    def _texts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag == "br":
                yield "\n"
            else:
                yield from child._texts()


def collapse_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", _BREAK_BETWEEN_CJK.sub("", text)).strip()


def parse_html(text: str) -> Element:
    """The document as a tree under a '#root' element."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self._open: list[Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        while len(self._open) > 1 and tag in _CLOSED_BY.get(self._open[-1].tag, frozenset()):
            self._open.pop()
        parent = self._open[-1]
        element = Element(tag, {name: value or "" for name, value in attrs}, parent)
        parent.children.append(element)
        if tag not in VOID_TAGS:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)
