"""Test oracle: per-claim provenance as traced before issue 21, with a profile hook.

This is analysis/provenance/lineage.py as it was (a profile hook notes every call; every
read compares the column read with the whole traced table), kept to check that the linear
tracer gives the same functions, derived reads and raw cells (tests/provenance/test_lineage.py).

Provenance of every claim, traced while the claim is computed.

While :func:`recording` runs, every column read by name (``frame[col]``,
``frame.groupby(...)[col]``, names used in ``frame.query(...)``) from a derived table is
noted with the rows it was read on, and every call into the ``analysis`` package is noted.
For each published number this gives the functions that computed it, the derived columns
it read, the rows it narrowed them to (filters read whole columns; the narrowest read of a
table is the rows the number comes from), the patients behind those rows and, through
:mod:`analysis.provenance.sources` (lineage carried by the derivation), the raw cells (sheet, column,
CSV line) behind every derived value it read.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.core.groupby.generic import DataFrameGroupBy

from analysis.derivations.store import Tables
from analysis.ledger import claims as claims_module
from analysis.provenance.sources import Lineage

KEY = "lineage_table"  # frame.attrs[KEY]: the derived table a frame was taken from

_FRAME_GETITEM = pd.DataFrame.__getitem__
_GROUP_GETITEM = DataFrameGroupBy.__getitem__
_QUERY = pd.DataFrame.query
_active: list[Recording] = []


@dataclass
class Recording:
    """What one traced computation read and called."""

    reads: dict[tuple[str, str], set] = field(default_factory=dict)  # (table, column) -> rows
    calls: dict[str, None] = field(default_factory=dict)  # ordered set of function names
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # the tables traced


class TracedTables(dict):
    """Derived tables, each tagged so that reads from it are recorded; taking a table counts
    as reading its rows (a count reads no column)."""

    def __init__(self, tables: Tables):
        super().__init__()
        if _active:
            _active[-1].tables.update(tables)
        for name, frame in tables.items():
            tagged = frame.copy(deep=False)
            tagged.attrs[KEY] = name
            self[name] = tagged

    def __getitem__(self, name: str) -> pd.DataFrame:
        frame = super().__getitem__(name)
        _note(frame, "patient_id")
        return frame


def _note(frame: pd.DataFrame, key) -> None:
    table = frame.attrs.get(KEY)
    keys = key if isinstance(key, list) else [key]
    if not _active or table is None:
        return
    for k in keys:
        if isinstance(k, str) and k in frame.columns and _rows_of(frame, table, k):
            _active[-1].reads.setdefault((table, k), set()).update(frame.index)


def _rows_of(frame: pd.DataFrame, table: str, column: str) -> bool:
    """Whether ``frame[column]`` holds the traced table's values on the rows its index names
    (a frame built from the table, such as a pivot or a concatenation, carries its tag but
    neither its rows nor, often, its columns)."""
    source = _active[-1].tables.get(table)
    if source is None or column not in source.columns:
        return False
    if not frame.index.isin(source.index).all():
        return False
    ours, theirs = _FRAME_GETITEM(frame, column), _FRAME_GETITEM(source, column)
    if isinstance(ours, pd.DataFrame) or isinstance(theirs, pd.DataFrame):
        return False
    theirs = theirs.reindex(ours.index)
    return bool(((ours == theirs) | (ours.isna() & theirs.isna())).all())


def _on_frame(self, key):
    _note(self, key)
    return _FRAME_GETITEM(self, key)


def _on_group(self, key):
    _note(self.obj, key)
    return _GROUP_GETITEM(self, key)


def _on_query(self, expr, **kwargs):
    _note(self, list(dict.fromkeys(re.findall(r"[A-Za-z_]\w*", expr))))
    return _QUERY(self, expr, **kwargs)


@contextmanager
def recording() -> Iterator[Recording]:
    """Record reads of tagged derived tables and calls into ``analysis`` (see module doc)."""
    record = Recording()

    def profile(frame, event, arg) -> None:
        module = frame.f_globals.get("__name__", "")
        if event == "call" and module.startswith("analysis.") and module != __name__:
            record.calls.setdefault(f"{module}.{frame.f_code.co_qualname}")

    previous = sys.getprofile()
    _active.append(record)
    pd.DataFrame.__getitem__, DataFrameGroupBy.__getitem__ = _on_frame, _on_group
    pd.DataFrame.query = _on_query
    sys.setprofile(profile)
    try:
        yield record
    finally:
        sys.setprofile(previous)
        _active.pop()
        pd.DataFrame.__getitem__, DataFrameGroupBy.__getitem__ = _FRAME_GETITEM, _GROUP_GETITEM
        pd.DataFrame.query = _QUERY


def claim_provenance(claim: claims_module.Claim, tables: Tables, sources: Lineage) -> dict:
    """Functions called, derived columns and rows read, patients, and the raw cells behind
    the derived values read (``sources``: see :func:`analysis.provenance.sources.cohort_lineage`):
    ``raw`` for values read only on the rows the number comes from, ``raw_filters`` for
    the rest (columns read across rows to select them)."""
    with recording() as record:
        claims_module.compute(claim, TracedTables(tables))
    derived: dict[str, dict] = {}
    for (table, column), rows in record.reads.items():
        entry = derived.setdefault(table, {"columns": set(), "rows": None})
        entry["columns"].add(column)
        # filters read whole columns; the rows the number comes from are the narrowest read
        if rows and (entry["rows"] is None or len(rows) < len(entry["rows"])):
            entry["rows"] = rows
    patients: set = set()
    for table, entry in derived.items():
        entry["rows"] = entry["rows"] or set()
        frame = tables[table].loc[sorted(entry["rows"])]
        if entry["columns"] != {"patient_id"} or len(derived) == 1:  # not a look-up of ids
            patients |= set(frame["patient_id"])
    raw: dict[str, dict[str, dict[str, set[int]]]] = {"raw": {}, "raw_filters": {}}
    for (table, column), rows in record.reads.items():
        kind = "raw" if rows <= derived[table]["rows"] else "raw_filters"
        for (sheet, raw_column), lines in _raw_lines(sources, table, column, rows).items():
            raw[kind].setdefault(sheet, {}).setdefault(raw_column, set()).update(
                lines.tolist())
    return {"functions": [c for c in record.calls if not c.startswith("analysis.ledger.claims")],
            "derived": derived, "patients": sorted(patients), **raw}


def _raw_lines(sources: Lineage, table: str, column: str, rows) -> dict[tuple[str, str], np.ndarray]:
    """Lineage.raw_lines as it was: (raw sheet, raw column) -> CSV lines (which may repeat)."""
    expansion = sources.expansion(table)
    expansion = expansion[expansion["derived"] == column]
    frame = sources.frames[table]
    picked = frame[np.isin(frame["row"].to_numpy(), np.fromiter(rows, dtype="int64"))
                   & frame["label"].isin(expansion["label"].unique()).to_numpy()]
    out: dict[tuple[str, str], list[np.ndarray]] = {}
    for (label, sheet), named in expansion.groupby(["label", "sheet"])["column"]:
        lines = picked["line"].to_numpy()[((picked["label"] == label)
                                           & (picked["sheet"] == sheet)).to_numpy()]
        if len(lines):
            for raw in named:
                out.setdefault((sheet, raw), []).append(lines)
    return {key: np.concatenate(parts) for key, parts in out.items()}
