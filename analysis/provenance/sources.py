"""The raw cells behind every derived value, carried by the derivation itself.

While the tables are derived, each step notes the raw rows (sheet, CSV line) it builds
each derived row from (:mod:`analysis.derivations.origin`), and the derived dictionary
declares for each derived column the raw columns it is computed from (``from:``). The raw
cells behind a derived value are its row's noted rows for that column crossed with the
column's declared raw columns of the same sheet. This is exact for every row of every
table and costs one derivation (no search, no cap on patients). A selection (a peak, a
first relapse) names the row it selected; an aggregate (a count, a sum, "any") every row
it aggregated; a blank derived value can come from blank raw cells.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.common.paths import CohortPaths
from analysis.derivations.adam import derive_lineage
from analysis.derivations.origin import ALL
from analysis.derivations.store import load_lineage
from analysis.provenance.cells import distinct
from analysis.sheets.cohort import read_cohort
from analysis.sheets.dictionary import derived_from, load_dictionary
from analysis.sheets.places import Places

Cell = tuple[str, int, str]  # derived table, row position, column
RawCell = tuple[str, int, str]  # raw sheet, CSV line or Excel row, column


@dataclass
class Lineage:
    """Per derived table, the raw rows behind its rows (``frames``: row position, label,
    sheet, line), the raw columns each of its columns comes from (``declared``), the key
    columns of each raw sheet and how the cohort's spelling names its cells (``places``: CSV
    lines or worksheet rows)."""

    frames: dict[str, pd.DataFrame]
    declared: dict[str, dict[str, list[tuple[str, str]]]]
    keys: dict[str, tuple[str, ...]]  # raw sheet -> its key columns
    places: Places = field(default_factory=Places)
    _expansions: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _plans: dict[tuple[str, str], list] = field(default_factory=dict, repr=False)
    _noted: dict[tuple[str, str, str], tuple] = field(default_factory=dict, repr=False)

    def expansion(self, table: str) -> pd.DataFrame:
        """(label, derived column, sheet, raw column) for every label and sheet noted in
        ``table``: the declared raw columns of that sheet and the sheet's key columns (a row
        is found, merged and counted by its key)."""
        if table not in self._expansions:
            rows = []
            noted = self.frames[table][["label", "sheet"]].drop_duplicates()
            for label, sheet in noted.itertuples(index=False):
                covered = self.declared[table] if label == ALL else label.split()
                for column in covered:
                    declared = [raw for s, raw in self.declared[table][column] if s == sheet]
                    rows += [(label, column, sheet, raw)
                             for raw in dict.fromkeys([*self.keys[sheet], *declared])]
            self._expansions[table] = pd.DataFrame(
                rows, columns=["label", "derived", "sheet", "column"])
        return self._expansions[table]

    def _plan(self, table: str, column: str) -> list[tuple[np.ndarray, np.ndarray, list[str]]]:
        """For ``column`` of ``table``: per (label, sheet) noted for it, the row positions
        and raw lines noted and the raw columns of that sheet behind the column."""
        if (table, column) not in self._plans:
            expansion = self.expansion(table)
            expansion = expansion[expansion["derived"] == column]
            self._plans[(table, column)] = [
                (*self._noted_rows(table, label, sheet), [sheet, *named])
                for (label, sheet), named in expansion.groupby(["label", "sheet"])["column"]]
        return self._plans[(table, column)]

    def _noted_rows(self, table: str, label: str, sheet: str) -> tuple[np.ndarray, np.ndarray]:
        """The row positions and raw lines noted in ``table`` under ``label`` from ``sheet``,
        found once and shared by every column the label covers (memory linear in the noted
        rows, not in the rows times the columns)."""
        if (table, label, sheet) not in self._noted:
            frame = self.frames[table]
            noted = ((frame["label"] == label) & (frame["sheet"] == sheet)).to_numpy()
            self._noted[(table, label, sheet)] = (frame["row"].to_numpy()[noted],
                                                  frame["line"].to_numpy()[noted])
        return self._noted[(table, label, sheet)]

    def raw_lines(self, table: str, column: str, rows) -> dict[tuple[str, str], np.ndarray]:
        """The raw cells behind ``column`` of ``table`` on the given row positions, as
        (raw sheet, raw column) -> CSV lines (which may repeat); time linear in the rows
        noted for the column."""
        wanted = (rows.astype("int64", copy=False) if isinstance(rows, np.ndarray)
                  else np.fromiter(rows, dtype="int64"))
        out: dict[tuple[str, str], list[np.ndarray]] = {}
        for noted_rows, noted_lines, (sheet, *named) in self._plan(table, column):
            chosen = np.zeros(max(noted_rows.max(initial=-1), wanted.max(initial=-1)) + 1,
                              dtype=bool)
            chosen[wanted] = True
            lines = distinct(noted_lines[chosen[noted_rows]])
            if len(lines):
                for raw in named:
                    out.setdefault((sheet, raw), []).append(lines)
        return {key: np.concatenate(parts) for key, parts in out.items()}

    def raw_cells(self, table: str, column: str, rows) -> set[RawCell]:
        """The raw cells (sheet, CSV line, column) behind ``column`` of ``table`` on the
        given row positions."""
        return {(sheet, int(line), raw)
                for (sheet, raw), lines in self.raw_lines(table, column, rows).items()
                for line in np.unique(lines)}


def derived_lineage(cohort: dict[str, pd.DataFrame], places: Places | None = None
                    ) -> tuple[dict[str, pd.DataFrame], Lineage]:
    """The derived tables of validated raw sheets and their :class:`Lineage` (raw cells
    named as ``places`` says; CSV lines by default)."""
    tables, frames = derive_lineage(cohort)
    return tables, Lineage(frames, derived_from(), _keys(), places or Places())


def _keys() -> dict[str, tuple[str, ...]]:
    """The key columns of each raw sheet."""
    return {name: sheet.key for name, sheet in load_dictionary().items()}


def cohort_lineage(paths: CohortPaths) -> Lineage:
    """The :class:`Lineage` of a cohort's derived tables, as ``derive`` wrote it beside them
    (:func:`analysis.derivations.store.load_lineage`), or derived again from the raw sheets
    when the folder has none (the rows are those of the tables ``derive`` writes)."""
    frames = load_lineage(paths.derived) if paths.derived.is_dir() else None
    if frames is not None:
        return Lineage(frames, derived_from(), _keys(), Places(paths.raw))
    with warnings.catch_warnings():  # derive has reported them
        warnings.simplefilter("ignore")
        cohort = read_cohort(paths.raw)
    return derived_lineage(cohort, Places(paths.raw))[1]


def as_frame(lineage: Lineage) -> pd.DataFrame:
    """One row per derived cell and raw cell behind it; lines are CSV lines (header = 1)."""
    parts = []
    for table, frame in lineage.frames.items():
        cells = frame.astype({"label": str, "sheet": str}).merge(
            lineage.expansion(table), on=["label", "sheet"])
        parts.append(pd.DataFrame({
            "table": table, "line": cells["row"] + 2, "column": cells["derived"],
            "raw_sheet": cells["sheet"], "raw_line": cells["line"],
            "raw_column": cells["column"]}))
    frame = pd.concat(parts, ignore_index=True)
    names = ["table", "column", "raw_sheet", "raw_column"]  # sorted by codes: fast
    frame = frame.astype({c: pd.CategoricalDtype(sorted(frame[c].unique())) for c in names})
    frame = frame.drop_duplicates().sort_values(list(frame.columns), ignore_index=True)
    return frame.astype({c: object for c in names})


def factors(lineage: Lineage) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`as_frame` as its two factors, which grow with the rows of the derived tables
    rather than with their cells: ``rows`` (table, CSV line, the derived columns it feeds,
    raw sheet, raw CSV line) and ``columns`` (table, the same derived columns, one derived
    column, raw sheet, raw column); joined on table, columns and raw sheet they give
    :func:`as_frame`."""
    rows = pd.concat([pd.DataFrame({
        "table": table, "line": frame["row"] + 2, "columns": frame["label"].astype(object),
        "raw_sheet": frame["sheet"].astype(object), "raw_line": frame["line"]})
        for table, frame in lineage.frames.items()], ignore_index=True).drop_duplicates()
    columns = pd.concat([lineage.expansion(table).rename(columns={
        "label": "columns", "derived": "column", "sheet": "raw_sheet", "column": "raw_column"})
        .assign(table=table) for table in lineage.frames], ignore_index=True)
    return rows, columns[["table", "columns", "column", "raw_sheet", "raw_column"]]


def derived_sources(lineage: Lineage) -> dict[Cell, set[RawCell]]:
    """Every derived cell (table, row position, column) with the raw cells behind it."""
    out: dict[Cell, set[RawCell]] = {}
    for row in as_frame(lineage).itertuples(index=False):
        out.setdefault((row.table, row.line - 2, row.column), set()).add(
            (row.raw_sheet, row.raw_line, row.raw_column))
    return out
