"""Test oracle: the raw cells each derived value comes from, found by perturbing the sheets.

The compendium carries lineage through the derivation (:mod:`analysis.provenance.sources`); this
search, run after the fact, is what the tests compare it with (tests/test_sources.py).

The derivation is rerun with each raw row deleted, and with each raw column blanked and,
separately, moved to other values; a derived value depends on the rows and the columns whose
perturbation changes it, and its sources are the cells where those rows and columns meet.
A row that matters only by being there (a course counted) is given by its key cells; a
column that matters while no single row does (two samples tied for a peak) by all the rows
of that sheet with the derived row's patient (and course). Derivations work patient by
patient (tested), so each rerun deletes one row of every patient at once. Sheets without a
patient column (the study sheet) are perturbed column by column only.

This finds influence, not every value read: a peak comes from the sample that holds it, not
from every sample it was compared with, and a dependence that no perturbation here reveals
(a value far from any threshold) is not reported.
"""

from __future__ import annotations

import sys
import warnings
from collections import defaultdict
from collections.abc import Iterator
from itertools import chain

import numpy as np
import pandas as pd

from analysis.derivations.adam import derive_tables
from analysis.sheets.dictionary import derived_keys, load_dictionary

Cell = tuple[str, int, str]  # derived table, row position, column
RawCell = tuple[str, int, str]  # raw sheet, CSV line, column
Cohort = dict[str, pd.DataFrame]
IDENTITY = ("patient_id", "_row")  # never perturbed: they identify, not describe
ALL_SHIFTS = 8  # categories with at most this many values are moved to every other value


def derived_sources(cohort: Cohort) -> dict[Cell, set[RawCell]]:
    """For every derived cell (table, row position, column) that depends on raw values, the
    raw cells (sheet, CSV line, column) the perturbations find behind it."""
    keys = derived_keys()
    base = {name: frame.set_index(keys[name], drop=False)
            for name, frame in derive_tables(cohort).items()}
    rows, columns = _search(cohort, base, keys)
    sheet_keys = {name: sheet.key for name, sheet in load_dictionary().items()}
    out: dict[Cell, set[RawCell]] = {}
    for cell in rows.keys() | columns.keys():
        by_sheet: dict[str, set[str]] = defaultdict(set)
        for sheet, column in columns[cell]:
            by_sheet[sheet].add(column)
        cells = set()
        for sheet, line in rows[cell]:
            named = by_sheet.get(sheet) or sheet_keys[sheet]
            cells |= {(sheet, line, column) for column in named}
        lined = {sheet for sheet, _ in rows[cell]}
        for sheet, named in by_sheet.items():
            if sheet not in lined:
                lines = _lines_of(cohort[sheet], base[cell[0]].iloc[cell[1]], keys[cell[0]])
                cells |= {(sheet, line, column) for line in lines for column in named}
        out[cell] = cells
    return out


def _search(cohort: Cohort, base: dict[str, pd.DataFrame], keys: dict[str, list[str]]
            ) -> tuple[dict[Cell, set[tuple[str, int]]], dict[Cell, set[tuple[str, str]]]]:
    """Per derived cell of ``base``: the raw rows (sheet, line) whose deletion changes it,
    and the raw columns (sheet, column) whose perturbation changes it."""
    rows: dict[Cell, set[tuple[str, int]]] = defaultdict(set)
    columns: dict[Cell, set[tuple[str, str]]] = defaultdict(set)
    failed = n = 0
    for n, (perturbed, cause) in enumerate(chain(_row_rounds(cohort),
                                                 _column_rounds(cohort)), start=1):
        if n % 100 == 0:
            print(f"sources: {n} perturbed derivations", file=sys.stderr)
        derived = _derive(perturbed)
        if derived is None:
            failed += 1
            continue
        for cell, patient in _changes(base, derived, keys):
            if isinstance(cause, dict):  # rows deleted, one per patient
                if patient in cause:
                    rows[cell].add(cause[patient])
            else:  # one column changed
                columns[cell].add(cause)
    print(f"sources: {n} perturbed derivations done"
          + (f"; {failed} could not be derived and were skipped" if failed else ""),
          file=sys.stderr)
    return rows, columns


def _lines_of(sheet: pd.DataFrame, row: pd.Series, key: list[str]) -> list[int]:
    """CSV lines of a raw sheet that share a derived row's identifying values (patient,
    course); every line for a sheet without them."""
    shared = [c for c in dict.fromkeys(["patient_id", *key]) if c != "_row"
              and c in sheet.columns and c in row.index]
    match = np.ones(len(sheet), dtype=bool)
    for column in shared:
        match &= (sheet[column] == row[column]).to_numpy(dtype=bool)
    return [int(line) for line in sheet["_row"][match]]


def _derive(cohort: Cohort) -> dict[str, pd.DataFrame] | None:
    """The derived tables, or None when the perturbed sheets cannot be derived."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return derive_tables(cohort)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None


def _changes(base: dict[str, pd.DataFrame], derived: dict[str, pd.DataFrame],
             keys: dict[str, list[str]]) -> Iterator[tuple[Cell, str]]:
    """Cells of ``base`` that differ in ``derived``, with their patient; rows that
    disappeared differ in every column."""
    for name, old in base.items():
        new = derived[name].set_index(keys[name], drop=False)
        new = new[~new.index.duplicated()].reindex(index=old.index, columns=old.columns)
        same = (new.eq(old).fillna(False).astype(bool) | (new.isna() & old.isna())).to_numpy()
        patients = old["patient_id"].to_numpy()
        for i, j in zip(*np.nonzero(~same), strict=True):
            yield (name, int(i), old.columns[j]), patients[i]


def _row_rounds(cohort: Cohort) -> Iterator[tuple[Cohort, dict[str, tuple[str, int]]]]:
    """Cohorts with the k-th row of every patient deleted, and which row that was."""
    owned: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for sheet, frame in cohort.items():
        if "patient_id" in frame:
            for index, patient, line in zip(frame.index, frame["patient_id"], frame["_row"],
                                            strict=True):
                owned[patient].append((sheet, index, int(line)))
    for k in range(max(map(len, owned.values()), default=0)):
        picked = {patient: rows[k] for patient, rows in owned.items() if k < len(rows)}
        drop: dict[str, list[int]] = defaultdict(list)
        for sheet, index, _ in picked.values():
            drop[sheet].append(index)
        perturbed = {sheet: frame.drop(index=drop[sheet]) if sheet in drop else frame
                     for sheet, frame in cohort.items()}
        yield perturbed, {patient: (sheet, line) for patient, (sheet, _, line) in picked.items()}


def _column_rounds(cohort: Cohort) -> Iterator[tuple[Cohort, tuple[str, str]]]:
    """Cohorts with one raw column blanked, then moved to other values."""
    dictionary = load_dictionary()
    for sheet, frame in cohort.items():
        for column in frame.columns.difference(IDENTITY, sort=False):
            values = frame[column]
            spec = dictionary[sheet].columns.get(column)
            allowed = spec.values if spec is not None and spec.values else ()
            for changed in [values.mask(values.notna()), *_moved(values, allowed)]:
                yield {**cohort, sheet: frame.assign(**{column: changed})}, (sheet, column)


def _moved(values: pd.Series, allowed: tuple[str, ...] = ()) -> list[pd.Series]:
    """Other values for a column. Numbers and dates: all far above, then all far below, the
    column's range (so that every threshold flips for some of them); dates also each moved
    to the next date present (which reorders them). Other values: each moved to the next
    one, cyclically, among those present and those the dictionary allows; with at most
    ``ALL_SHIFTS`` of them, by every offset (so that every value takes every other one);
    with a single one, booleans negated and text marked."""
    present = values.dropna()
    if present.empty:
        return []
    dates = pd.api.types.is_datetime64_any_dtype(values)
    extremes = []
    if dates or (pd.api.types.is_numeric_dtype(values)
                 and not pd.api.types.is_bool_dtype(values)):
        low, high = present.min(), present.max()
        far = (high - low) * 10 + (pd.Timedelta(days=3650) if dates else abs(high) * 10 + 10)
        extremes = [values.where(values.isna(), high + far),
                    values.where(values.isna(), low - far)]
        if not dates:
            return extremes
    distinct = sorted({*present.unique(), *allowed}, key=str)
    if len(distinct) == 1:
        return extremes or [~values if pd.api.types.is_bool_dtype(values)
                            else values.where(values.isna(), values.astype(str) + " (changed)")]
    shifts = [1] if dates or len(distinct) > ALL_SHIFTS else range(1, len(distinct))
    return extremes + [values.map(dict(zip(distinct, distinct[k:] + distinct[:k], strict=True)))
                       for k in shifts]
