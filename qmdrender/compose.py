"""Turning an executed document into Pandoc Markdown: outputs in place of cells, inline results
in place of inline code. Figure and table cells become ``::: {#fig-x}`` / ``::: {#tbl-x}``
divs, the same Markdown an author writes by hand, so one Lua filter (``quarto.lua``) numbers
and cross-references both."""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc

from qmdrender import subset
from qmdrender.document import Cell, Document, Inline, QmdError

IMAGES = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _fenced(text: str, classes: str = "") -> str:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{ticks}{classes}\n{text.rstrip(chr(10))}\n{ticks}"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _alt(text: str | None) -> str:
    return f" fig-alt={_quote(text)}" if text else ""


def _plain(text: str) -> str:
    """Inline text/plain: a string's repr loses its quotes (as Quarto shows it)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def inline_text(document: Document, unit: Inline, outputs: list) -> str:
    for output in outputs:
        data = output.get("data", {})
        if "text/markdown" in data:
            return data["text/markdown"]
        if "text/plain" in data:
            return _plain(data["text/plain"])
        if output.get("output_type") == "stream":
            raise QmdError(subset.refusal(f"{document.name}:{unit.line}",
                                          "printing from inline code"))
    return ""


def _drop_styles(node):
    """The AST without raw ``<style>`` elements (pandas' ``<style scoped>``)."""
    if isinstance(node, list):
        return [_drop_styles(n) for n in node if not (
            isinstance(n, dict) and n.get("t") in ("RawBlock", "RawInline")
            and n["c"][1].lstrip().lower().startswith("<style"))]
    if isinstance(node, dict):
        return {k: _drop_styles(v) for k, v in node.items()}
    return node


def html_markdown(html: str) -> str:
    """A ``text/html`` output as Pandoc Markdown; style sheets dropped (Quarto's HTML keeps
    pandas' scoped style, which only right-aligns the header; other formats drop it too)."""
    tree = json.loads(pypandoc.convert_text(html, "json", format="html"))
    return pypandoc.convert_text(json.dumps(_drop_styles(tree)), "markdown", format="json",
                                 extra_args=["--wrap=none"])


class _CellWriter:
    """Markdown for one cell's outputs, with images saved under ``files``."""

    def __init__(self, document: Document, cell: Cell, files: Path, base: Path):
        self.document, self.cell, self.files, self.base = document, cell, files, base
        self.parts: list[str] = []
        self.images: list[str] = []
        self.alts: list[str | None] = []  # each image's own alternative text (output metadata)
        self.stem = cell.label or f"cell-{cell.line}"

    def where(self) -> str:
        return f"{self.document.name}:{self.cell.line}"

    def image(self, data: str, ext: str) -> str:
        self.files.mkdir(parents=True, exist_ok=True)
        path = self.files / f"{self.stem}-{len(self.images) + 1}.{ext}"
        if ext == "svg":
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(base64.b64decode(data))
        return path.relative_to(self.base).as_posix()

    def add(self, output: dict, asis: bool, warnings: bool) -> None:
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stdout":
                self.parts.append(output["text"] if asis else _fenced(output["text"]))
            elif warnings:
                self.parts.append(_fenced(output["text"], " {.cell-output-stderr}"))
        elif kind == "error":
            lines = [ANSI.sub("", line) for line in output.get("traceback", [])]
            self.parts.append(_fenced("\n".join(lines), " {.cell-output-error}"))
        else:
            self.display(output.get("data", {}), output.get("metadata") or {})

    def display(self, data: dict, metadata: dict) -> None:
        ext = next((IMAGES[m] for m in IMAGES if m in data), None)
        if "text/markdown" in data:
            self.parts.append(data["text/markdown"])
        elif "text/html" in data:
            self.parts.append(html_markdown(data["text/html"]))
        elif ext:
            mime = next(m for m in IMAGES if m in data)
            self.images.append(self.image(data[mime], ext))
            self.alts.append((metadata.get(mime) or {}).get("alt"))  # IPython Image(alt=...)
        elif "text/plain" in data:
            self.parts.append(_fenced(data["text/plain"]))
        elif data:
            raise QmdError(subset.refusal(self.where(), f"output of type {sorted(data)}"))

    def figure(self) -> str:
        options, label = self.cell.options, self.cell.label or ""
        links = [f"![]({path}){{width=100%{_alt(own or options.get('fig-alt'))}}}"
                 for path, own in zip(self.images, self.alts, strict=True)]
        if not label.startswith("fig-"):
            return "\n\n".join(links)
        if not links:
            raise QmdError(f"{self.where()}: figure cell '{label}' produced no image")
        subcaps = options.get("fig-subcap")
        if subcaps is not None and len(subcaps) != len(links):
            raise QmdError(f"{self.where()}: fig-subcap has {len(subcaps)} captions for "
                           f"{len(links)} images")
        if subcaps or len(links) > 1:
            links = [f"::: {{#{label}-{i}}}\n{link}\n\n{(subcaps or [''] * len(links))[i - 1]}\n:::"
                     for i, link in enumerate(links, start=1)]
        layout = "".join(f" {k}={options[k]}" for k in ("layout-ncol", "layout-nrow")
                         if k in options)
        body = "\n\n".join(links)
        return f"::::: {{#{label}{layout}}}\n{body}\n\n{options.get('fig-cap', '')}\n:::::"


def _cell_markdown(document: Document, cell: Cell, outputs: list | None, files: Path,
                   base: Path) -> str:
    option = document.option
    if not option(cell, "include", True):
        return ""
    echo = [_fenced(cell.source, "python")] if option(cell, "echo", True) else []
    output = option(cell, "output", True)
    if outputs is None or output is False:
        return "\n\n".join(echo)
    writer = _CellWriter(document, cell, files, base)
    for item in outputs:
        writer.add(item, output == "asis", bool(option(cell, "warning", True)))
    parts = [*writer.parts, writer.figure()]
    label = cell.label or ""
    if label.startswith("tbl-"):
        body = "\n\n".join(parts)
        parts = [f"::::: {{#{label}}}\n{body}\n\n{cell.options['tbl-cap']}\n:::::"]
    return "\n\n".join(echo + [p for p in parts if p])


@dataclass
class Composed:
    """Pandoc Markdown for one execution, and for each of its lines the .qmd line it comes
    from (a cell's output: the cell's first line; an inline result: its line). ``reads``:
    the text as Pandoc read it, by reader options, shared by the writers (under ``lock``)."""

    text: str
    lines: list[int] = field(default_factory=list)
    reads: dict[tuple[str, ...], str | RuntimeError] = field(default_factory=dict, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def source_line(self, line: int | None) -> int | None:
        return self.lines[line - 1] if line and 0 < line <= len(self.lines) else None


def compose(document: Document, cell_outputs: dict[int, list], inline_outputs: dict[int, list],
            files: Path, base: Path, front_matter: str | None = None) -> Composed:
    """Pandoc Markdown for the executed document; images are written under ``files`` and
    linked relative to ``base``. ``front_matter``: the YAML to write (default: the file's)."""
    chunks: list[tuple[str, int, bool]] = []  # (text, .qmd line, newlines advance the line)
    for block in document.blocks:
        if isinstance(block, Cell):
            text = _cell_markdown(document, block, cell_outputs.get(id(block)), files, base)
            chunks += [("\n\n", block.line, False), (text, block.line, False)]
            continue
        line = block.line
        chunks.append(("\n\n", line, False))
        for piece in block.pieces:
            if isinstance(piece, Inline):
                chunks.append((inline_text(document, piece, inline_outputs[id(piece)]),
                               piece.line, False))
            else:
                chunks.append((piece, line, True))
                line += piece.count("\n")
    front = document.front_matter_text if front_matter is None else front_matter
    head = f"---\n{front}---\n" if front.strip() else ""
    text, lines = head, [1] * (head.count("\n") + 1)
    for chunk, line, advances in chunks:
        text += chunk
        for n in range(1, chunk.count("\n") + 1):
            lines.append(line + n if advances else line)
    return Composed(text, lines)
