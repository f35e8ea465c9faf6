"""The sentences of a rendered HTML document's prose, for tests of how the documents read:
paragraphs, list items and captions, without tables, code, scripts or the reference list."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"p", "li", "figcaption", "caption", "dd", "dt", "blockquote", "h1", "h2", "h3",
          "h4", "h5", "h6", "br", "td", "th", "div"}
HIDDEN = {"script", "style", "table", "svg", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
END = re.compile(r"(?<!\bal\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<=[.!?])\s+")


class _Prose(HTMLParser):
    """The text of each block element, leaving out what :data:`HIDDEN` holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden: list[str] = []
        self.blocks: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in BLOCKS:
            self._end_block()
        if tag in HIDDEN:
            self.hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._end_block()
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)

    def _end_block(self) -> None:
        block = " ".join("".join(self.text).split())
        if block:
            self.blocks.append(block)
        self.text = []


def sentences(page: str) -> list[str]:
    """Every sentence of the page's prose, up to its reference list (``id="refs"``)."""
    prose = _Prose()
    prose.feed(page.split('id="refs"')[0])
    prose.close()
    prose._end_block()
    return [s for block in prose.blocks for s in END.split(block) if s]


def starting_with_a_numeral(page: str) -> list[str]:
    """The sentences of the page, and the clauses after a semicolon, that start with a digit
    (or a minus sign and a digit)."""
    return [s for s in sentences(page)
            if any(re.match(r"[−-]?\d", clause) for clause in re.split(r";\s+", s))]
