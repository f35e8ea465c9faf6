"""Which raw rows each derived value is built from, noted while the tables are derived.

Every raw row is known by its sheet and CSV line (``_row``; the header is line 1). While
:func:`recording` runs, each derivation step that puts values into a derived table notes
(:func:`note`) the raw rows it computed them from, keyed by some of that table's key
columns (a patient's rows feed every course of that patient), and the derived columns
they feed (``ALL``: every column of the row). A row merged into another keeps its line in
a column ``_from_<sheet>``. A selection (a peak, a first relapse) notes the row it
selected; an aggregate (a sum, a count, "any") every row it aggregated. Outside
:func:`recording`, :func:`note` does nothing.

The raw cells behind a derived value are its row's noted rows for its column crossed with
the raw columns the derived dictionary declares for that column (``from:``); see
:mod:`analysis.provenance.sources`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

ALL = "*"
LINEAGE_COLUMNS = ["row", "label", "sheet", "line"]
_active: list[dict[str, list[pd.DataFrame]]] = []


def from_column(sheet: str) -> str:
    """Name of the column that carries the line of a merged-in ``sheet`` row."""
    return f"_from_{sheet}"


def note(table: str, rows: pd.DataFrame, sheet: str, on: list[str], line: str = "_row",
         columns: list[str] | str = ALL) -> None:
    """Note that ``rows`` (raw rows of ``sheet``, line in column ``line``) feed the rows of
    derived ``table`` that share their ``on`` columns, in ``columns``."""
    if not _active:
        return
    label = columns if isinstance(columns, str) else " ".join(columns)
    part = pd.DataFrame({**{c: rows[c] for c in on}, "line": rows[line]}).dropna(
        subset=["line"])
    _active[-1].setdefault(table, []).append(part.assign(sheet=sheet, label=label))


@contextmanager
def recording() -> Iterator[dict[str, list[pd.DataFrame]]]:
    """Collect the notes made while the block runs: table -> noted parts."""
    notes: dict[str, list[pd.DataFrame]] = {}
    _active.append(notes)
    try:
        yield notes
    finally:
        _active.pop()


def lineage_frames(notes: dict[str, list[pd.DataFrame]], tables: dict[str, pd.DataFrame]
                   ) -> dict[str, pd.DataFrame]:
    """Per derived table: one row per (row position, label, raw sheet, raw line)."""
    out = {}
    for name, frame in tables.items():
        positions = frame.reset_index(drop=True)
        parts = []
        for part in notes.get(name, []):
            on = [c for c in part.columns if c not in ("line", "sheet", "label")]
            if on:
                left = positions[on].assign(row=np.arange(len(positions)))
                joined = left.merge(part, on=on, how="inner")
            else:
                joined = part.merge(pd.DataFrame({"row": np.arange(len(positions))}),
                                    how="cross")
            parts.append(joined[LINEAGE_COLUMNS])
        lineage = (pd.concat(parts, ignore_index=True) if parts
                   else pd.DataFrame(columns=LINEAGE_COLUMNS))
        out[name] = lineage.astype({"row": "int64", "line": "int64", "label": "category",
                                    "sheet": "category"})
    return out
