"""Turning an executed document into Pandoc Markdown: outputs in place of cells, inline results
in place of inline code. Figure and table cells become ``::: {#fig-x}`` / ``::: {#tbl-x}``
divs, the same Markdown an author writes by hand, so one Lua filter (``quarto.lua``) numbers
and cross-references both."""

from __future__ import annotations

import base64
import json
import re
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


class _CellWriter:
    """Markdown for one cell's outputs, with images saved under ``files``."""

    def __init__(self, document: Document, cell: Cell, files: Path, base: Path):
        self.document, self.cell, self.files, self.base = document, cell, files, base
        self.parts: list[str] = []
        self.images: list[str] = []
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
            self.display(output.get("data", {}))

    def display(self, data: dict) -> None:
        ext = next((IMAGES[m] for m in IMAGES if m in data), None)
        if "text/markdown" in data:
            self.parts.append(data["text/markdown"])
        elif "text/html" in data:
            self.parts.append(pypandoc.convert_text(data["text/html"], "markdown",
                                                    format="html", extra_args=["--wrap=none"]))
        elif ext:
            mime = next(m for m in IMAGES if m in data)
            self.images.append(self.image(data[mime], ext))
        elif "text/plain" in data:
            self.parts.append(_fenced(data["text/plain"]))
        elif data:
            raise QmdError(subset.refusal(self.where(), f"output of type {sorted(data)}"))

    def figure(self) -> str:
        options, label = self.cell.options, self.cell.label or ""
        alt = options.get("fig-alt")
        attr = f' fig-alt={_quote(alt)}' if alt else ""
        links = [f"![]({path}){{width=100%{attr}}}" for path in self.images]
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
    echo = [_fenced(cell.source, "python")] if option(cell, "echo", False) else []
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


def compose(document: Document, cell_outputs: dict[int, list], inline_outputs: dict[int, list],
            files: Path, base: Path) -> str:
    """Pandoc Markdown for the executed document; images are written under ``files`` and
    linked relative to ``base``."""
    parts = []
    for block in document.blocks:
        if isinstance(block, Cell):
            parts.append(_cell_markdown(document, block, cell_outputs.get(id(block)), files,
                                        base))
        else:
            parts.append("".join(
                inline_text(document, p, inline_outputs[id(p)]) if isinstance(p, Inline) else p
                for p in block.pieces))
    body = "\n\n".join(parts)
    if not document.front_matter_text.strip():
        return body
    return f"---\n{document.front_matter_text}---\n\n{body}"
