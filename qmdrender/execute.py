"""Running a document's cells and inline expressions in one Jupyter kernel (nbclient)."""

from __future__ import annotations

import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from qmdrender.document import INLINE, Cell, Document

SETUP = "%matplotlib inline\n%config InlineBackend.figure_formats = ['png']"


class RenderError(Exception):
    """A cell failed; the message names the file, the cell and the Python error."""


def _code_cells(document: Document) -> list[tuple[str, object]]:
    """Code to run, in document order: each cell, and each inline expression."""
    code = []
    for block in document.blocks:
        if isinstance(block, Cell):
            code.append((block.source, block))
        else:
            for match in INLINE.finditer(block.text):
                code.append((match.group(1).strip(), match))
    return code


def run(document: Document) -> tuple[dict[int, list], list[list]]:
    """Execute the document in one kernel, in document order.

    Returns the outputs of each Cell (keyed by ``id(cell)``) and of each inline expression
    (a list in document order)."""
    code = _code_cells(document)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SETUP)] + [
        nbformat.v4.new_code_cell(source) for source, _ in code]
    client = NotebookClient(notebook, kernel_name="python3", timeout=1200,
                            resources={"metadata": {"path": str(document.path.parent)}})
    cell_outputs: dict[int, list] = {}
    inline_outputs: list[list] = []
    total = sum(isinstance(owner, Cell) for _, owner in code)
    done = 0
    with client.setup_kernel():
        client.execute_cell(notebook.cells[0], 0)
        for index, (source, owner) in enumerate(code, start=1):
            if isinstance(owner, Cell):
                done += 1
                name = owner.label or f"cell at line {owner.line}"
                print(f"  [{done}/{total}] {name}", file=sys.stderr, flush=True)
            try:
                client.execute_cell(notebook.cells[index], index)
            except CellExecutionError as error:
                raise RenderError(_describe(document, source, owner, error)) from None
            outputs = notebook.cells[index].outputs
            if isinstance(owner, Cell):
                cell_outputs[id(owner)] = outputs
            else:
                inline_outputs.append(outputs)
    return cell_outputs, inline_outputs


def _describe(document: Document, source: str, owner, error: CellExecutionError) -> str:
    if isinstance(owner, Cell):
        where = f"cell '{owner.label}'" if owner.label else f"cell at line {owner.line}"
        first = source.strip().splitlines()[0] if source.strip() else ""
    else:
        where, first = "inline expression", source
    detail = f"{error.ename}: {error.evalue}"
    return f"{document.path.name}: {where} failed ({first!r})\n  {detail}"
