"""Reading a .qmd file: YAML front matter, Markdown chunks, ``{python}`` cells and inline code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FENCE = re.compile(r"^```\{python\}[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")


@dataclass
class Cell:
    """A ``{python}`` code cell with its ``#|`` options."""

    source: str
    options: dict = field(default_factory=dict)
    line: int = 0

    @property
    def label(self) -> str | None:
        return self.options.get("label")


@dataclass
class Markdown:
    """A stretch of Markdown text; inline expressions are found in it by ``INLINE``."""

    text: str


@dataclass
class Document:
    path: Path
    front_matter: dict
    front_matter_text: str
    blocks: list[Cell | Markdown]

    @property
    def cells(self) -> list[Cell]:
        return [b for b in self.blocks if isinstance(b, Cell)]


def _options(source: str) -> tuple[dict, str]:
    options, body = {}, []
    for line in source.splitlines():
        match = OPTION.match(line)
        if match and not body:
            options[match.group(1)] = yaml.safe_load(match.group(2)) if match.group(2) else None
        else:
            body.append(line)
    return options, "\n".join(body)


def read(path: Path) -> Document:
    """Parse a .qmd file."""
    text = Path(path).read_text(encoding="utf-8")
    front, front_text = {}, ""
    if text.startswith("---\n"):
        end = text.index("\n---", 4)
        front_text = text[4:end]
        front = yaml.safe_load(front_text) or {}
        text = text[end + 4:].lstrip("\n")
    blocks: list[Cell | Markdown] = []
    position = 0
    for match in FENCE.finditer(text):
        blocks.append(Markdown(text[position:match.start()]))
        options, source = _options(match.group(1))
        blocks.append(Cell(source, options, line=text[:match.start()].count("\n") + 1))
        position = match.end()
    blocks.append(Markdown(text[position:]))
    return Document(Path(path), front, front_text, blocks)
