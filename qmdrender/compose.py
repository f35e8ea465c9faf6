"""Turning an executed document into Pandoc Markdown: outputs in place of cells, inline
results in place of inline code, numbered figures and tables, resolved cross-references."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from qmdrender.document import INLINE, Cell, Document

CROSSREF = re.compile(r"@((fig|tbl)-[\w-]+)")
KINDS = {"fig": "Figure", "tbl": "Table"}


class CrossrefError(Exception):
    """A ``@fig-``/``@tbl-`` reference with no figure or table of that label."""


def numbering(document: Document) -> dict[str, str]:
    """'Figure N' / 'Table N' for every labelled figure and table cell, in document order."""
    counts = {"fig": 0, "tbl": 0}
    numbers = {}
    for cell in document.cells:
        label = cell.label or ""
        kind = label.split("-", 1)[0]
        if kind in counts:
            counts[kind] += 1
            numbers[label] = f"{KINDS[kind]} {counts[kind]}"
    return numbers


def _inline_text(outputs: list) -> str:
    for output in outputs:
        data = output.get("data", {})
        if "text/markdown" in data:
            return data["text/markdown"]
        if "text/plain" in data:
            text = data["text/plain"]
            if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
                return text[1:-1]
            return text
    return ""


def _save_image(data: str, directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(base64.b64decode(data))
    return path


def _cell_markdown(cell: Cell, outputs: list, numbers: dict[str, str], files: Path,
                   base: Path, echo_default: bool) -> str:
    options = cell.options
    if options.get("include") is False:
        return ""
    parts = []
    if options.get("echo", echo_default):
        parts.append(f"```python\n{cell.source}\n```")
    if options.get("output") is False:
        return "\n\n".join(parts)
    label = cell.label or ""
    images = []
    for output in outputs:
        if output.get("output_type") == "stream":
            if output.get("name") == "stdout":
                text = output["text"]
                parts.append(text if options.get("output") == "asis" else f"```\n{text}```")
            continue
        data = output.get("data", {})
        if "image/png" in data:
            name = f"{label or f'cell-{cell.line}'}-{len(images) + 1}.png"
            images.append(_save_image(data["image/png"], files, name).relative_to(base))
        elif "text/markdown" in data:
            parts.append(data["text/markdown"])
        elif "text/plain" in data and output.get("output_type") == "execute_result":
            parts.append(f"```\n{data['text/plain']}\n```")
    caption = options.get("fig-cap") or options.get("tbl-cap") or ""
    if label.startswith("fig-"):
        if not images:
            raise CrossrefError(f"figure cell '{label}' produced no image")
        number = numbers[label]
        for i, image in enumerate(images):
            anchor = f"#{label}" if i == 0 else ""
            parts.append(f"![{number}: {caption}]({image.as_posix()}){{{anchor} width=100%}}")
    else:
        parts += [f"![]({image.as_posix()}){{width=100%}}" for image in images]
    if label.startswith("tbl-"):
        body = "\n\n".join(parts)
        return f"::: {{#{label} .table-block}}\n\n**{numbers[label]}:** {caption}\n\n{body}\n\n:::"
    return "\n\n".join(parts)


def compose(document: Document, cell_outputs: dict[int, list], inline_outputs: list[list],
            files: Path, base: Path) -> str:
    """Pandoc Markdown for the executed document; images are written under ``files`` and
    linked relative to ``base``."""
    numbers = numbering(document)
    echo_default = bool((document.front_matter.get("execute") or {}).get("echo", False))
    inline = iter(inline_outputs)
    parts = []
    for block in document.blocks:
        if isinstance(block, Cell):
            parts.append(_cell_markdown(block, cell_outputs[id(block)], numbers, files, base,
                                        echo_default))
        else:
            parts.append(INLINE.sub(lambda _: _inline_text(next(inline)), block.text))
    body = resolve_crossrefs("\n\n".join(parts), numbers)
    return f"---\n{document.front_matter_text}\n---\n\n{body}"


def resolve_crossrefs(text: str, numbers: dict[str, str]) -> str:
    """Replace ``@fig-x``/``@tbl-x`` by linked "Figure N"/"Table N"; fail on unknown labels."""
    unknown = sorted({m.group(1) for m in CROSSREF.finditer(text) if m.group(1) not in numbers})
    if unknown:
        raise CrossrefError("unresolved cross-references: " + ", ".join(f"@{u}" for u in unknown))
    return CROSSREF.sub(lambda m: f"[{numbers[m.group(1)]}](#{m.group(1)})", text)
