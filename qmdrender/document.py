"""Reading a .qmd file as Quarto does: YAML front matter, ``{python}`` cells found by Quarto's
fence rules, their leading ``#|`` lines read as one YAML block, inline ``{python}`` code on one
line, and the ``pagebreak`` / ``meta`` shortcodes. Anything else Quarto would treat specially
is refused with ``file:line`` (see :mod:`qmdrender.subset`)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qmdrender import scholarly, subset

# A cell opens with 3+ backticks, optional spaces and {language ...}; it closes with a line of
# exactly as many backticks. A plain fence (``` or ~~~ at the start of a line) hides cells.
CELL_OPEN = re.compile(r"^(\s*)(`{3,})\s*\{([=A-Za-z]+)( *[ ,].*)?\}\s*$")
PLAIN_OPEN = re.compile(r"^(`{3,}|~{3,})")
INLINE = re.compile(r"(?<!`)`\{(\w+)\}[ \t]+([^`\n]+?)`(?!`)")
INLINE_START = re.compile(r"(?<!`)`\{(\w+)\}")
SHORTCODE = re.compile(r"\{\{<\s*([\w-]+)\s*(.*?)\s*>\}\}")
LABEL = re.compile(r"^[A-Za-z][\w-]*$")
PAGEBREAK = "::: {.qmdrender-pagebreak}\n:::"


class QmdError(Exception):
    """A construct the engine refuses or a malformed input; the message starts with file:line."""


@dataclass
class Cell:
    """A ``{python}`` cell: its code, its options, the line of its fence and of its first code
    line (1-based, in the file)."""

    source: str
    options: dict = field(default_factory=dict)
    line: int = 0
    code_line: int = 0

    @property
    def label(self) -> str | None:
        return self.options.get("label")


@dataclass
class Inline:
    """An inline ``{python} expr`` at a line of the file."""

    expr: str
    line: int


@dataclass
class Markdown:
    """Markdown text (shortcodes expanded) with its inline expressions as ``Inline`` pieces."""

    pieces: list[str | Inline]
    line: int


@dataclass
class Document:
    path: Path
    name: str
    front_matter: dict
    front_matter_text: str
    blocks: list[Cell | Markdown]
    text: str = ""

    @property
    def cells(self) -> list[Cell]:
        return [b for b in self.blocks if isinstance(b, Cell)]

    @property
    def inlines(self) -> list[Inline]:
        return [p for b in self.blocks if isinstance(b, Markdown) for p in b.pieces
                if isinstance(p, Inline)]

    def option(self, cell: Cell, name: str, default=None):
        """A cell option, else the front matter's ``execute:`` default, else ``default``."""
        execute = self.front_matter.get("execute") or {}
        return cell.options.get(name, execute.get(name, default))

    def key_line(self, key: str) -> int:
        """Line of a front matter key (dotted for nested keys; 1 when absent)."""
        node = yaml.compose(self.front_matter_text) if self.front_matter_text else None
        return _key_lines(node, 2).get(key, 1)


def _refuse(name: str, line: int, construct: str) -> QmdError:
    return QmdError(subset.refusal(f"{name}:{line}", construct))


def _yaml(text: str, name: str, first_line: int, what: str):
    try:
        return yaml.compose(text), yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise QmdError(f"{name}:{line}: {what} is not valid YAML: {problem}") from None


def _key_lines(node, first_line: int) -> dict[str, int]:
    """File line of each key of a YAML mapping node (dotted paths for nested keys)."""
    lines: dict[str, int] = {}
    items = []
    if isinstance(node, yaml.MappingNode):
        items = [(key.value, key, value) for key, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        items = [(str(n), value, value) for n, value in enumerate(node.value)]
    for name, mark, value in items:
        lines[name] = first_line + mark.start_mark.line
        for sub, line in _key_lines(value, first_line).items():
            lines[f"{name}.{sub}"] = line
    return lines


def _check_front_matter(front: dict, lines: dict[str, int], name: str) -> None:
    for key, value in front.items():
        line = lines.get(key, 1)
        if key not in subset.FRONT_MATTER:
            raise _refuse(name, line, f"front matter key '{key}'")
        if key == "execute":
            for option in value or {}:
                if option not in subset.EXECUTE_OPTIONS:
                    raise _refuse(name, lines.get(f"execute.{option}", line),
                                  f"execute option '{option}'")
            _check_values(value or {}, name, line)
        if key == "jupyter" and value != "python3":
            raise _refuse(name, line, f"jupyter kernel '{value}'")
        if key == "format":
            front[key] = _check_formats(value, lines, name, line)
        if key in subset.DOCUMENT_LEVEL_ONLY and (
                not isinstance(value, (int, float)) or isinstance(value, bool)):
            raise _refuse(name, line, f"{key}: {value!r}")
    try:
        scholarly.check(front)
    except scholarly.FrontMatterError as error:
        key, construct = error.args
        parts = key.split(".")
        where = next((lines[".".join(parts[:n])] for n in range(len(parts), 0, -1)
                      if ".".join(parts[:n]) in lines), 1)
        raise _refuse(name, where, construct) from None


def _check_formats(value, lines: dict[str, int], name: str, line: int) -> dict:
    """The formats as a mapping (``format: html`` and ``html: default`` are Quarto's)."""
    if isinstance(value, str):
        value = {value: {}}
    if not isinstance(value, dict):
        raise _refuse(name, line, f"format {value!r} (a format or a mapping of formats)")
    value = dict(value)
    for fmt, options in value.items():
        where = lines.get(f"format.{fmt}", line)
        if fmt not in subset.FORMAT_OPTIONS:
            raise _refuse(name, where, f"format '{fmt}'")
        if options in ("default", None):
            options = value[fmt] = {}
        if not isinstance(options, dict):
            raise _refuse(name, where, f"{fmt}: {options!r} (`default` or options)")
        for option, setting in options.items():
            if option not in subset.FORMAT_OPTIONS[fmt]:
                raise _refuse(name, lines.get(f"format.{fmt}.{option}", where),
                              f"{fmt} option '{option}'")
            if option == "embed-resources" and setting is not True:
                raise _refuse(name, lines.get(f"format.{fmt}.{option}", where),
                              "embed-resources other than true")
            if option in subset.DOCUMENT_LEVEL_ONLY and (
                    not isinstance(setting, (int, float)) or isinstance(setting, bool)):
                raise _refuse(name, lines.get(f"format.{fmt}.{option}", where),
                              f"{option}: {setting!r}")
    return value


def _check_values(options: dict, name: str, line: int) -> None:
    """Types of the cell options Quarto documents; anything else is refused."""
    kinds = {"eval": bool, "echo": bool, "include": bool, "warning": bool, "error": bool,
             "fig-cap": str, "fig-alt": str, "tbl-cap": str, "label": str,
             "layout-ncol": int, "layout-nrow": int, "fig-subcap": list}
    for key, value in options.items():
        if key == "output":
            if value not in (True, False, "asis"):
                raise _refuse(name, line, f"output: {value!r} (true, false or asis)")
        elif key in kinds and (not isinstance(value, kinds[key]) or isinstance(value, bool)
                               and kinds[key] is not bool):
            raise _refuse(name, line, f"{key}: {value!r}")
    label = options.get("label")
    if label is not None and not LABEL.match(label):
        raise QmdError(f"{name}:{line}: label '{label}' must be letters, digits and '-'")
    if any(not isinstance(c, str) for c in options.get("fig-subcap", [])):
        raise _refuse(name, line, "fig-subcap other than a list of captions")
    for key, prefix in (("fig-cap", "fig-"), ("fig-subcap", "fig-"), ("tbl-cap", "tbl-")):
        if key in options and not (label or "").startswith(prefix):
            raise _refuse(name, line, f"{key} without a '{prefix}' label")
    if (label or "").startswith("tbl-") and "tbl-cap" not in options:
        raise QmdError(f"{name}:{line}: table cell '{label}' needs a tbl-cap")


def _cell_options(lines: list[str], name: str, fence_line: int) -> tuple[dict, int]:
    """The leading ``#|`` lines as one YAML mapping, and how many lines they take."""
    count = 0
    while count < len(lines) and re.match(r"#\|( |$)", lines[count]):
        count += 1
    if not count:
        return {}, 0
    text = "\n".join(line[3:] if line.startswith("#| ") else line[2:] for line in lines[:count])
    node, options = _yaml(text, name, fence_line + 1, "the cell options")
    if not isinstance(options, dict):
        raise QmdError(f"{name}:{fence_line + 1}: the cell options are not a YAML mapping")
    lines_of = _key_lines(node, fence_line + 1)
    for key in options:
        if key in subset.DOCUMENT_LEVEL_ONLY:
            raise _refuse(name, lines_of[key], f"cell option '{key}' (with the Jupyter engine "
                          "Quarto ignores it in a cell; set it in the front matter)")
        if key not in subset.CELL_OPTIONS:
            raise _refuse(name, lines_of[key], f"cell option '{key}'")
    _check_values(options, name, fence_line + 1)
    return options, count


def _markdown(lines: list[str], first_line: int, name: str, front: dict) -> Markdown:
    """Markdown lines with shortcodes expanded and inline expressions split out."""
    pieces: list[str | Inline] = []
    in_fence = ""
    for offset, line in enumerate(lines):
        number = first_line + offset
        fence = PLAIN_OPEN.match(line)
        if in_fence:
            if line.strip() and set(line.strip()) == {in_fence[0]} and (
                    len(line.strip()) >= len(in_fence)):
                in_fence = ""
            pieces.append(line)
            continue
        if fence:
            in_fence = fence.group(1)
            pieces.append(line)
            continue
        line = _shortcodes(line, number, name, front)
        position = 0
        for start in INLINE_START.finditer(line):
            if start.start() < position:
                continue
            match = INLINE.match(line, start.start())
            if start.group(1) != "python":
                raise _refuse(name, number, f"inline `{{{start.group(1)}}}` code")
            if not match:
                raise _refuse(name, number, "inline `{python}` code not closed on its line")
            expr = match.group(2).strip()
            try:
                ast.parse(expr, mode="eval")
            except SyntaxError:
                raise QmdError(f"{name}:{number}: inline `{{python}} {expr}` is not a Python "
                               "expression") from None
            pieces += [line[position:match.start()], Inline(expr, number)]
            position = match.end()
        pieces.append(line[position:])
    return Markdown(pieces, first_line)


def _shortcodes(line: str, number: int, name: str, front: dict) -> str:
    def expand(match: re.Match) -> str:
        code, argument = match.group(1), match.group(2)
        if code == "pagebreak" and not argument and line.strip() == match.group(0):
            return PAGEBREAK
        if code == "meta" and argument:
            value = front
            for key in argument.split("."):
                if not isinstance(value, dict) or key not in value:
                    raise QmdError(f"{name}:{number}: {{{{< meta {argument} >}}}}: no such key "
                                   "in the front matter")
                value = value[key]
            return str(value)
        raise _refuse(name, number, f"shortcode {match.group(0)}")
    if "{{{<" in line:
        raise _refuse(name, number, "escaped shortcode {{{< >}}}")
    return SHORTCODE.sub(expand, line)


def read(path: Path, name: str | None = None) -> Document:
    """Parse a .qmd file; ``name`` is how messages call it (default: the file name)."""
    name = name or Path(path).name
    text = Path(path).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    front, front_text, start = {}, "", 0
    if lines and lines[0].rstrip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        if end is None:
            raise QmdError(f"{name}:1: the front matter is not closed by '---'")
        front_text = "".join(lines[1:end])
        node, front = _yaml(front_text, name, 2, "the front matter")
        front = front or {}
        _check_front_matter(front, _key_lines(node, 2), name)
        start = end + 1
    blocks: list[Cell | Markdown] = []
    pending: list[str] = []
    pending_line = start + 1
    i, plain = start, ""
    while i < len(lines):
        line = lines[i].rstrip("\n")
        opening = CELL_OPEN.match(line) if not plain else None
        if opening and not opening.group(3).startswith("="):
            blocks.append(_markdown(pending, pending_line, name, front))
            i, cell = _cell(lines, i, opening, name)
            blocks.append(cell)
            pending, pending_line = [], i + 1
            continue
        fence = PLAIN_OPEN.match(line) if not opening else re.match(r"\s*(`+)", line)
        if plain:
            if line.strip() and set(line.strip()) == {plain[0]} and len(line.strip()) >= len(plain):
                plain = ""
        elif fence:
            plain = fence.group(1)
        pending.append(lines[i])
        i += 1
    blocks.append(_markdown(pending, pending_line, name, front))
    return Document(Path(path), name, front, front_text, blocks, text)


def _cell(lines: list[str], i: int, opening: re.Match, name: str) -> tuple[int, Cell]:
    """The cell opened at line index ``i``; returns the index after its closing fence."""
    number = i + 1
    indent, ticks, language, extra = opening.groups()
    if language != "python":
        raise _refuse(name, number, f"`{{{language}}}` cell")
    if indent:
        raise _refuse(name, number, "an indented `{python}` cell")
    if extra and extra.strip():
        raise _refuse(name, number, f"options in the fence `{{python{extra}}}` (use #| lines)")
    close = re.compile(rf"^\s*`{{{len(ticks)}}}\s*$")
    end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j].rstrip("\n"))), None)
    if end is None:
        raise QmdError(f"{name}:{number}: the `{{python}}` cell is not closed by {ticks}")
    body = [line.rstrip("\n") for line in lines[i + 1:end]]
    options, count = _cell_options(body, name, number)
    source = "\n".join(body[count:])
    return end + 1, Cell(source, options, line=number, code_line=number + 1 + count)
