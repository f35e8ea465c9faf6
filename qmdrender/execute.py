"""Running a document's cells and inline expressions in one Jupyter kernel (nbclient), in
document order, honouring ``eval``, ``warning``, ``error``, ``fig-width`` and ``fig-height``."""

from __future__ import annotations

import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from qmdrender.document import Cell, Document, Inline, QmdError

# Quarto's HTML defaults: PNG figures of 7 x 5 inches.
SETUP = """\
%matplotlib inline
%config InlineBackend.figure_formats = ['png']
import warnings as _qmd_warnings
import matplotlib as _qmd_mpl
_qmd_mpl.rcParams['figure.figsize'] = (7.0, 5.0)
_qmd_filters = list(_qmd_warnings.filters)"""
WARNINGS = {True: "_qmd_warnings.filters[:] = _qmd_filters",
            False: "_qmd_warnings.simplefilter('ignore')"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_FRAME = re.compile(r"^Cell In\[(\d+)\], line (\d+)")


class RenderError(QmdError):
    """A cell or inline expression failed; the message names file, line and error."""


def _size_code(cell: Cell) -> tuple[str, str] | None:
    """Code setting the cell's ``fig-width``/``fig-height`` (inches), and code restoring them."""
    width, height = cell.options.get("fig-width"), cell.options.get("fig-height")
    if width is None and height is None:
        return None
    size = f"({width or '_qmd_size[0]'}, {height or '_qmd_size[1]'})"
    before = ("_qmd_size = tuple(_qmd_mpl.rcParams['figure.figsize'])\n"
              f"_qmd_mpl.rcParams['figure.figsize'] = {size}")
    return before, "_qmd_mpl.rcParams['figure.figsize'] = _qmd_size"


class _Kernel:
    """One kernel; hidden cells set per-cell state without showing output."""

    def __init__(self, document: Document):
        self.notebook = nbformat.v4.new_notebook()
        self.client = NotebookClient(self.notebook, kernel_name="python3", timeout=1200,
                                     resources={"metadata": {"path": str(document.path.parent)}})
        self.cells: dict[int, Cell] = {}  # execution count -> the document's cell

    def run(self, source: str, allow_error: bool = False):
        cell = nbformat.v4.new_code_cell(source)
        if allow_error:
            cell.metadata["tags"] = ["raises-exception"]
        self.notebook.cells.append(cell)
        self.client.execute_cell(cell, len(self.notebook.cells) - 1)
        return cell


def run(document: Document) -> tuple[dict[int, list], dict[int, list]]:
    """Execute the document in one kernel, in document order.

    Returns the outputs of each executed Cell and of each Inline, keyed by ``id()``."""
    cell_outputs: dict[int, list] = {}
    inline_outputs: dict[int, list] = {}
    kernel = _Kernel(document)
    cells = [c for c in document.cells if document.option(c, "eval", True)]
    if not cells and not document.inlines:
        return cell_outputs, inline_outputs  # nothing to run: no kernel
    done, warn = 0, True
    started = time.perf_counter()
    with kernel.client.setup_kernel():
        kernel.run(SETUP)
        print(f"  {document.name} kernel ready ({time.perf_counter() - started:.1f} s)",
              file=sys.stderr, flush=True)
        for block in document.blocks:
            units = [block] if isinstance(block, Cell) else [
                p for p in block.pieces if isinstance(p, Inline)]
            for unit in units:
                if isinstance(unit, Cell):
                    if not document.option(unit, "eval", True):
                        continue
                    done += 1
                    name = unit.label or f"cell at line {unit.line}"
                    started = time.perf_counter()
                wanted = bool(document.option(unit, "warning", True)) if isinstance(
                    unit, Cell) else warn
                if wanted != warn:
                    kernel.run(WARNINGS[wanted])
                    warn = wanted
                outputs = _execute(kernel, document, unit)
                if isinstance(unit, Cell):
                    print(f"  {document.name} [{done}/{len(cells)}] {name} "
                          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)
                (cell_outputs if isinstance(unit, Cell) else inline_outputs)[id(unit)] = outputs
    return cell_outputs, inline_outputs


def _execute(kernel: _Kernel, document: Document, unit: Cell | Inline) -> list:
    size = _size_code(unit) if isinstance(unit, Cell) else None
    if size:
        kernel.run(size[0])
    allow = isinstance(unit, Cell) and bool(document.option(unit, "error", False))
    try:
        cell = kernel.run(unit.source if isinstance(unit, Cell) else unit.expr, allow)
    except CellExecutionError:
        failed = kernel.notebook.cells[-1]
        if isinstance(unit, Cell):
            kernel.cells[failed.execution_count] = unit
        raise RenderError(describe(document, unit, failed, kernel.cells)) from None
    if isinstance(unit, Cell):
        kernel.cells[cell.execution_count] = unit
    if size:
        kernel.run(size[1])
    return cell.outputs


def describe(document: Document, unit: Cell | Inline, cell, cells: dict[int, Cell]) -> str:
    """file:line of the failing statement, the exception, and the frames in the document's
    cells (``cells``: execution count -> cell) and in library files."""
    error = next((o for o in cell.outputs if o.get("output_type") == "error"), {})
    detail = f"{error.get('ename', 'Error')}: {error.get('evalue', '')}"
    if isinstance(unit, Inline):
        return f"{document.name}:{unit.line}: inline `{{python}} {unit.expr}` failed: {detail}"
    frames = [ANSI.sub("", part).strip() for part in error.get("traceback", [])]
    lines, failing = [], unit.line
    for frame in frames[:-1]:
        header = frame.splitlines()[0] if frame else ""
        match = CELL_FRAME.match(header)
        owner = cells.get(int(match.group(1))) if match else None
        if owner:
            line = owner.code_line + int(match.group(2)) - 1
            code = owner.source.splitlines()[int(match.group(2)) - 1].strip()
            lines.append(f"  {document.name}:{line}: {code}")
            failing = line
        elif header.startswith("File "):
            lines.append(f"  {header[5:]}")
    where = f"cell '{unit.label}'" if unit.label else "cell"
    return "\n".join([f"{document.name}:{failing}: {detail}",
                      f"  in the {where} at {document.name}:{unit.line}", *lines])
