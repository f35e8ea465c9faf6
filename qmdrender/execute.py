"""Running a document's cells and inline expressions in one Jupyter kernel (nbclient), in
document order, honouring ``eval``, ``warning`` and ``error``, with the figure size and format
of the output format (Quarto's defaults, or ``fig-width``/``fig-height`` of the document)."""

from __future__ import annotations

import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets.config import Config

from qmdrender import subset
from qmdrender.document import Cell, Document, Inline, QmdError

# The figure size and format of the output format. ``_qmd_depends`` records whether a
# figure took the default size or was shown through the inline backend: only then do the
# outputs differ between formats (and the document is run again for another format).
SETUP = """\
%matplotlib inline
%config InlineBackend.figure_formats = ['{format}']
import warnings as _qmd_warnings
import matplotlib as _qmd_mpl
import matplotlib.figure as _qmd_figure
import IPython.core.pylabtools as _qmd_pylab
_qmd_mpl.rcParams['figure.figsize'] = ({width}, {height})
_qmd_filters = list(_qmd_warnings.filters)
_qmd_depends = [False]
_qmd_init, _qmd_print = _qmd_figure.Figure.__init__, _qmd_pylab.print_figure
def _qmd_figure_init(self, figsize=None, *args, **kwargs):
    _qmd_depends[0] = _qmd_depends[0] or figsize is None
    _qmd_init(self, figsize, *args, **kwargs)
def _qmd_print_figure(*args, **kwargs):
    _qmd_depends[0] = True
    return _qmd_print(*args, **kwargs)
_qmd_figure.Figure.__init__ = _qmd_figure_init
_qmd_pylab.print_figure = _qmd_print_figure"""
DEPENDS = "print(_qmd_depends[0])"


def figure_settings(document: Document, fmt: str) -> tuple[float, float, str]:
    """(width, height, image format) for Quarto format ``fmt`` (html, typst, docx, jats):
    the format's ``fig-width``/``fig-height``, else the document's, else Quarto's default."""
    width, height, image = subset.FIGURE_DEFAULTS[fmt]
    front = document.front_matter
    options = (front.get("format") or {}).get(fmt) or {}
    return (float(options.get("fig-width", front.get("fig-width", width))),
            float(options.get("fig-height", front.get("fig-height", height))), image)
WARNINGS = {True: "_qmd_warnings.filters[:] = _qmd_filters",
            False: "_qmd_warnings.simplefilter('ignore')"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# CurveZMQ between client and kernel where the kernelspec supports it (ipykernel does): the
# kernel then has no reason to warn, on every render, that it talks over TCP in plain text.
ENCRYPTED = Config({"KernelManager": {"transport_encryption": "auto"}})
CELL_FRAME = re.compile(r"^Cell In\[(\d+)\], line (\d+)")


class RenderError(QmdError):
    """A cell or inline expression failed; the message names file, line and error."""


class _Kernel:
    """One kernel; hidden cells set per-cell state without showing output."""

    def __init__(self, document: Document):
        self.notebook = nbformat.v4.new_notebook()
        self.client = NotebookClient(self.notebook, kernel_name="python3", timeout=1200,
                                     resources={"metadata": {"path": str(document.path.parent)}},
                                     config=ENCRYPTED)
        self.cells: dict[int, Cell] = {}  # execution count -> the document's cell

    def run(self, source: str, allow_error: bool = False):
        cell = nbformat.v4.new_code_cell(source)
        if allow_error:
            cell.metadata["tags"] = ["raises-exception"]
        self.notebook.cells.append(cell)
        self.client.execute_cell(cell, len(self.notebook.cells) - 1)
        return cell


def run(document: Document, settings: tuple[float, float, str] = (7.0, 5.0, "png")
        ) -> tuple[dict[int, list], dict[int, list], bool]:
    """Execute the document in one kernel, in document order, with figures of ``settings``.

    Returns the outputs of each executed Cell and of each Inline, keyed by ``id()``, and
    whether any output depends on the figure settings."""
    cell_outputs: dict[int, list] = {}
    inline_outputs: dict[int, list] = {}
    kernel = _Kernel(document)
    cells = [c for c in document.cells if document.option(c, "eval", True)]
    if not cells and not document.inlines:
        return cell_outputs, inline_outputs, False  # nothing to run: no kernel
    done, warn = 0, True
    started = time.perf_counter()
    width, height, image = settings
    with kernel.client.setup_kernel():
        kernel.run(SETUP.format(format=image, width=width, height=height))
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
        depends = kernel.run(DEPENDS).outputs
    text = "".join(o.get("text", "") for o in depends if o.get("output_type") == "stream")
    return cell_outputs, inline_outputs, text.strip() == "True"


def _execute(kernel: _Kernel, document: Document, unit: Cell | Inline) -> list:
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
