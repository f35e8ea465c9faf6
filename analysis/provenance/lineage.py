"""Provenance of every claim, traced while the claim is computed.

While :func:`recording` runs, every column read by name (``frame[col]``,
``frame.groupby(...)[col]``, names used in ``frame.query(...)``) from a derived table is
noted with the rows it was read on, and every call of a function of the ``analysis``
package is noted (each function, as bound in the package's modules, is wrapped for the
duration). For each published number this gives the functions that computed it, the derived
columns it read, the rows it narrowed them to (filters read whole columns; the narrowest read
of a table is the rows the number comes from), the patients behind those rows and, through
:mod:`analysis.provenance.sources` (lineage carried by the derivation), the raw cells (sheet,
column, CSV line) behind every derived value it read. Noting a read costs time in the rows
read, never in the size of the table, so tracing grows linearly with the cohort.
"""

from __future__ import annotations

import functools
import re
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.core.groupby.generic import DataFrameGroupBy

from analysis.derivations.store import Tables
from analysis.ledger import claims as claims_module
from analysis.provenance import cells as provenance
from analysis.provenance.sources import Lineage, RawCell
from analysis.sheets.places import Places

KEY = "lineage_table"  # frame.attrs[KEY]: the derived table a frame was taken from

_FRAME_GETITEM = pd.DataFrame.__getitem__
_GROUP_GETITEM = DataFrameGroupBy.__getitem__
_QUERY = pd.DataFrame.query
_active: list[Recording] = []
_hooked: list[bool] = []  # not empty while :func:`hooks` are installed
_wrappers: dict[Callable, Callable] = {}  # function -> the same, noting its calls


@dataclass
class Recording:
    """What one traced computation read and called."""

    reads: dict[tuple[str, str], list[np.ndarray]] = field(default_factory=dict)  # rows read
    calls: dict[str, None] = field(default_factory=dict)  # ordered set of function names
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # the tables traced


class TracedTables(dict):
    """Derived tables, each tagged so that reads from it are recorded; taking a table counts
    as reading its rows (a count reads no column). Each table must be indexed by row
    position, as derived tables are."""

    def __init__(self, tables: Tables):
        super().__init__()
        for name, frame in tables.items():
            if not frame.index.equals(pd.RangeIndex(len(frame))):
                raise ValueError(f"derived table {name}: not indexed by row position")
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
            _active[-1].reads.setdefault((table, k), []).append(frame.index.to_numpy())


def _rows_of(frame: pd.DataFrame, table: str, column: str) -> bool:
    """Whether ``frame[column]`` holds the traced table's values on the rows its index names
    (a frame built from the table, such as a pivot or a concatenation, carries its tag but
    neither its rows nor, often, its columns). The table is indexed by row position
    (:class:`TracedTables`), so the check looks at the rows of ``frame`` only."""
    source = _active[-1].tables.get(table)
    if source is None or column not in source.columns:
        return False
    positions = frame.index.to_numpy()
    if positions.dtype.kind not in "iu" or (len(positions) and (
            positions.min() < 0 or positions.max() >= len(source))):
        return False
    ours, theirs = _FRAME_GETITEM(frame, column), _FRAME_GETITEM(source, column)
    if isinstance(ours, pd.DataFrame) or isinstance(theirs, pd.DataFrame):
        return False
    ours, theirs = ours.to_numpy(), theirs.to_numpy()[positions]
    return bool(((ours == theirs) | (pd.isna(ours) & pd.isna(theirs))).all())


def _on_frame(self, key):
    _note(self, key)
    return _FRAME_GETITEM(self, key)


def _on_group(self, key):
    _note(self.obj, key)
    return _GROUP_GETITEM(self, key)


def _on_query(self, expr, **kwargs):
    _note(self, list(dict.fromkeys(re.findall(r"[A-Za-z_]\w*", expr))))
    return _QUERY(self, expr, **kwargs)


def _functions() -> Iterator[tuple[dict, str, types.FunctionType]]:
    """Every function of the ``analysis`` package (this module's excepted) with the module
    namespace that binds it and its name there."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("analysis.") or module is None:
            continue
        space = vars(module)
        for attr, value in list(space.items()):
            if (isinstance(value, types.FunctionType) and value.__module__ != __name__
                    and value.__module__.startswith("analysis.")):
                yield space, attr, value


def _noting(function: types.FunctionType) -> Callable:
    """``function`` wrapped to note its name in the active recording (made once)."""
    if function not in _wrappers:
        name = f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def call(*args, **kwargs):
            if _active:
                _active[-1].calls.setdefault(name)
            return function(*args, **kwargs)
        _wrappers[function] = call
    return _wrappers[function]


@contextmanager
def hooks() -> Iterator[None]:
    """Reads of tagged tables and calls into ``analysis`` noted while open, for the recordings
    made inside (see module doc); an inner ``hooks()`` does nothing, so that a caller tracing
    many claims installs the hooks once."""
    if _hooked:
        yield
        return
    bound = list(_functions())
    pd.DataFrame.__getitem__, DataFrameGroupBy.__getitem__ = _on_frame, _on_group
    pd.DataFrame.query = _on_query
    for space, attr, function in bound:
        space[attr] = _noting(function)
    _hooked.append(True)
    try:
        yield
    finally:
        _hooked.pop()
        for space, attr, function in bound:
            space[attr] = function
        pd.DataFrame.__getitem__, DataFrameGroupBy.__getitem__ = _FRAME_GETITEM, _GROUP_GETITEM
        pd.DataFrame.query = _QUERY


@contextmanager
def recording() -> Iterator[Recording]:
    """Record reads of tagged derived tables and calls into ``analysis`` (see module doc)."""
    record = Recording()
    with hooks():
        _active.append(record)
        try:
            yield record
        finally:
            _active.pop()


def claim_provenance(claim: claims_module.Claim, tables: Tables, sources: Lineage) -> dict:
    """Functions called, derived columns and rows read (row positions, sorted), patients,
    and the raw cells behind the derived values read (``sources``: see
    :func:`analysis.provenance.sources.cohort_lineage`): ``raw`` for values read only on the
    rows the number comes from, ``raw_filters`` for the rest (columns read across rows to
    select them), each as sheet -> column -> sorted CSV lines (arrays); ``value``, the
    claim's value (:func:`analysis.ledger.claims.compute`)."""
    with recording() as record:
        value = claims_module.compute(claim, TracedTables(tables))
    reads = {key: provenance.distinct(np.concatenate(parts))
             for key, parts in record.reads.items()}
    derived: dict[str, dict] = {}
    for (table, column), rows in reads.items():
        entry = derived.setdefault(table, {"columns": set(), "rows": None})
        entry["columns"].add(column)
        # filters read whole columns; the rows the number comes from are the narrowest read
        if len(rows) and (entry["rows"] is None or len(rows) < len(entry["rows"])):
            entry["rows"] = rows
    patients: set = set()
    for table, entry in derived.items():
        if entry["rows"] is None:
            entry["rows"] = np.array([], dtype="int64")
        if entry["columns"] != {"patient_id"} or len(derived) == 1:  # not a look-up of ids
            patients |= set(tables[table]["patient_id"].to_numpy()[entry["rows"]])
    found: dict[str, dict[str, dict[str, list[np.ndarray]]]] = {"raw": {}, "raw_filters": {}}
    for (table, column), rows in reads.items():
        kind = "raw" if provenance.within(rows, derived[table]["rows"]) else "raw_filters"
        for (sheet, raw_column), lines in sources.raw_lines(table, column, rows).items():
            found[kind].setdefault(sheet, {}).setdefault(raw_column, []).append(lines)
    shared: dict[tuple[int, int], np.ndarray] = {}
    raw = {kind: {sheet: {column: _shared(provenance.distinct(np.concatenate(parts)), shared)
                          for column, parts in columns.items()}
                  for sheet, columns in sheets.items()} for kind, sheets in found.items()}
    return {"functions": [c for c in record.calls if not c.startswith("analysis.ledger.claims")],
            "derived": derived, "patients": sorted(patients), **raw, "value": value}


def _shared(lines: np.ndarray, seen: dict[tuple[int, int], np.ndarray]) -> np.ndarray:
    """``lines``, or an equal array already in ``seen`` (the raw columns of one sheet often
    share their lines: a trace then holds them once)."""
    key = (len(lines), hash(lines.tobytes()))
    known = seen.setdefault(key, lines)
    return known if np.array_equal(known, lines) else lines


def claim_traces(claims: list[claims_module.Claim], tables: Tables, sources: Lineage
                 ) -> dict[str, dict]:
    """:func:`claim_provenance` of every claim, by id: traced once, for all that report them."""
    with hooks():
        return {claim.id: claim_provenance(claim, tables, sources) for claim in claims}


def claim_raw_cells(claim: claims_module.Claim, tables: Tables, sources: Lineage
                    ) -> set[RawCell]:
    """Every raw cell (sheet, CSV line, column) behind a claim: those of the values it read
    and those read to select its rows (``sources``: :func:`analysis.provenance.sources.cohort_lineage`
    of the cohort whose derived ``tables`` these are)."""
    return trace_cells(claim_provenance(claim, tables, sources))


def trace_cells(trace: dict) -> set[RawCell]:
    """The raw cells (sheet, CSV line, column) of a trace (:func:`claim_provenance`): those
    of the values read and those read to select rows."""
    return {(sheet, int(line), column) for kind in ("raw", "raw_filters")
            for sheet, columns in trace[kind].items()
            for column, lines in columns.items() for line in lines}


def spans(numbers, limit: int | None = None) -> str:
    """{2, 3, 4, 7} -> '2-4, 7'; beyond ``limit`` spans, the first ones and the count."""
    values = provenance.distinct(numbers)
    breaks = np.flatnonzero(np.diff(values) != 1)
    runs = list(zip(values[np.r_[0, breaks + 1]].tolist(), values[np.r_[breaks, -1]].tolist(),
                    strict=True)) if len(values) else []
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:limit])
    return text if limit is None or len(runs) <= limit else f"{text}, … ({len(numbers)} in all)"


def cells_text(raw: dict[str, dict[str, set[int]]], places: Places,
               limit: int | None = None) -> str:
    """'patients.csv, lines 2-4: col1, col2; ...' (or 'worksheet patients, rows 2-4 of
    cohort.xlsx: col1, col2', as ``places`` names the cohort's cells), columns with the same
    lines grouped."""
    parts = []
    for sheet, columns in sorted(raw.items()):
        by_lines: dict[str, list[str]] = {}
        for column, lines in sorted(columns.items()):
            by_lines.setdefault(spans(lines, limit), []).append(column)
        for lines, named in by_lines.items():
            parts.append(f"{places.rows(sheet, lines)}: {', '.join(named)}")
    return "; ".join(parts)


def functions_text(trace: dict) -> str:
    """The functions of a trace (:func:`claim_provenance`) as 'module.function → ...'."""
    return " → ".join(f.removeprefix("analysis.") for f in trace["functions"] if "<" not in f)


def derived_text(trace: dict, limit: int | None = None) -> str:
    """The derived reads of a trace as 'table[columns] rows 2-6; ...' (CSV lines)."""
    return "; ".join(f"{t}[{', '.join(sorted(e['columns']))}] "
                     f"rows {spans(e['rows'] + 2, limit)}"
                     for t, e in sorted(trace["derived"].items()))


def provenance_row(claim_id: str, trace: dict, places: Places, limit: int | None = None,
                   basis: provenance.CellBasis | None = None) -> dict[str, str]:
    """A claim's row of :func:`provenance_table` from its trace (:func:`claim_provenance`)."""
    return {
        "id": claim_id,
        "functions": functions_text(trace),
        "derived": derived_text(trace, limit),
        "patients": ", ".join(map(str, trace["patients"])),
        "raw cells": cells_text(trace["raw"], places, limit),
        "raw cells read by filters": cells_text(trace["raw_filters"], places, limit),
        **({"basis": basis.counts(trace["raw"])} if basis is not None else {}),
    }


def provenance_table(tables: Tables, sources: Lineage,
                     ledger: list[claims_module.Claim] | None = None,
                     limit: int | None = None, basis: pd.DataFrame | None = None,
                     traces: dict[str, dict] | None = None) -> pd.DataFrame:
    """One row per claim: functions, derived table[columns] (rows), patients, raw cells
    (of the values, and of the filters); row and line lists cut after ``limit`` spans. With
    ``basis`` (:func:`analysis.provenance.cells.cell_rules`), how many value cells are stated in
    the article and how many imputed. ``traces``: :func:`claim_traces` of the ledger when the
    caller has them (no claim is traced again)."""
    lookup = provenance.by_cell(basis) if basis is not None else None
    claims = ledger or claims_module.load_ledger()
    traces = traces if traces is not None else claim_traces(claims, tables, sources)
    return pd.DataFrame([provenance_row(claim.id, traces[claim.id], sources.places, limit,
                                        lookup) for claim in claims])
