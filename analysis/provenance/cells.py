"""Per-value provenance of the raw sheets: which rule of ``provenance.csv`` describes a cell.

A rule names a sheet, a patient (or ``*``), a filter on other columns (``where``:
``course=2``, ``course!=3``, alternatives with ``|``, conditions joined by ``;``; ``*`` for
none), the columns it covers (joined by ``|``, or ``*``), the basis, where the article says
so (``source``), which published figures constrain the values (``constrains``) and, for
values computed from other cells, which (``depends``: ``sheet.column`` of the same patient
and, where both sheets have one, the same course). Bases:

- ``stated``: the article gives this value for this patient and time;
- ``derived_from_stated``: computed only from stated values;
- ``imputed``: chosen within the limits of the published figures.

Every cell is matched by exactly one rule, so a rule covers cells of one basis only; a cell
matched by none is ``uncovered`` and one matched by several ``ambiguous``. A team's own
records (no ``provenance.csv``) have no rules: each of their cells is ``recorded``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.common.paths import is_reconstruction
from analysis.sheets.cohort import raw_text

BASES = ("stated", "derived_from_stated", "imputed")
COLUMNS = ["sheet", "patient_id", "where", "columns", "basis", "source", "constrains",
           "depends"]
KEYS = ("patient_id", "course")  # a dependency is looked up on the keys both sheets share


def read_rules(directory: Path) -> pd.DataFrame:
    """The provenance rules of a cohort directory (empty when it has none); a missing
    ``depends`` column reads as no dependencies."""
    path = Path(directory) / "provenance.csv"
    if not path.is_file():
        return pd.DataFrame(columns=COLUMNS)
    rules = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "depends" not in rules:
        rules["depends"] = ""
    return rules


def _row_mask(rule: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """The rows of ``frame`` a rule's patient and ``where`` select."""
    mask = pd.Series(True, index=frame.index)
    conditions = [] if rule["where"] == "*" else rule["where"].split(";")
    if rule["patient_id"] != "*":
        conditions.append(f"patient_id={rule['patient_id']}")
    for condition in conditions:
        negate = "!=" in condition
        key, _, values = condition.partition("!=" if negate else "=")
        key = key.strip()
        inside = (frame[key].isin([v.strip() for v in values.split("|")]) if key in frame
                  else pd.Series(False, index=frame.index))
        mask &= ~inside if negate else inside
    return mask


CELL_COLUMNS = ["sheet", "row", "column", "value", "basis", "source", "constrains", "depends",
                "rule", *KEYS]  # the columns of :func:`cell_rules`


def cell_rules(directory: Path) -> pd.DataFrame:
    """One row per non-empty raw cell (sheet, row: CSV line or Excel row, column, value) of a
    cohort folder or workbook, as the cohort reader reads it, with the basis, source,
    constraint and dependencies of the one rule that matches it (basis ``uncovered`` when
    none does, ``recorded`` for a team's records, ``ambiguous`` when several do). A large
    cohort's claims look cells up in :func:`cell_basis`, which never holds this frame."""
    parts = list(_sheet_cells(directory))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CELL_COLUMNS)


def cell_basis(directory: Path) -> CellBasis:
    """:func:`by_cell` of :func:`cell_rules`, built one sheet at a time (memory: a few bytes
    per raw cell, not a frame of them)."""
    return CellBasis(_sheet_cells(directory))


def _sheet_cells(directory: Path) -> Iterator[pd.DataFrame]:
    """:func:`cell_rules` of each sheet in turn (each sheet's text released once done)."""
    rules = read_rules(directory)
    unmatched = "uncovered" if is_reconstruction(directory) else "recorded"  # a team's cell
    texts = raw_text(directory)
    for name in list(texts):
        yield _cells_of(name, texts.pop(name), rules[rules["sheet"] == name], unmatched)


def _cells_of(name: str, text: pd.DataFrame, rules: pd.DataFrame, unmatched: str
              ) -> pd.DataFrame:
    """:func:`cell_rules` of one sheet (``text``: :func:`raw_text`'s frame of it, ``rules``:
    those of the sheet, numbered as in ``provenance.csv``)."""
    frame = text.drop(columns="_row")
    width = len(frame.columns)
    values = frame.to_numpy().ravel()  # row by row, as the cells are laid out
    hits = np.zeros(len(values), dtype=int)
    chosen = np.full(len(values), -1)
    for number, rule in rules.iterrows():
        rows = _row_mask(rule, frame).to_numpy(dtype=bool)
        columns = frame.columns.isin(list(frame.columns) if rule["columns"] == "*"
                                     else rule["columns"].split("|"))
        match = np.outer(rows, columns).ravel()
        hits += match
        chosen[match] = number
    kept = values != ""
    hits, chosen = hits[kept], chosen[kept]
    described = rules.reindex(chosen).reset_index(drop=True)
    cells = pd.DataFrame({
        "sheet": name, "row": np.repeat(text["_row"].to_numpy(dtype=int), width)[kept],
        "column": np.tile(frame.columns.to_numpy(), len(frame))[kept], "value": values[kept],
        "basis": np.select([hits == 0, hits > 1], [unmatched, "ambiguous"],
                           default=described["basis"].fillna(""))})
    for column in ("source", "constrains", "depends"):
        cells[column] = described[column].where(hits == 1, "").fillna("").to_numpy()
    cells["rule"] = np.where(hits == 1, chosen + 2, 0)  # line of provenance.csv
    for key in KEYS:
        cells[key] = (np.repeat(frame[key].to_numpy(), width)[kept] if key in frame
                      else "")
    return cells


def reconstruction_basis(directory: Path) -> CellBasis | None:
    """:func:`cell_basis` of a reconstructed cohort (:func:`is_reconstruction`), else None."""
    return cell_basis(directory) if is_reconstruction(directory) else None


def dependency_violations(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells of basis ``derived_from_stated`` whose declared dependencies (``depends``) are
    missing or include a cell that is not stated or derived from stated values: one row
    per offending cell and dependency, with the dependency's bases ('none' when absent)."""
    derived = cells[cells["basis"] == "derived_from_stated"]
    problems = []
    for cell in derived.itertuples():
        for target in filter(None, cell.depends.split("|")):
            sheet, _, column = target.partition(".")
            found = cells[(cells["sheet"] == sheet) & (cells["column"] == column)]
            for key in KEYS:
                if getattr(cell, key) != "" and (found[key] != "").any():
                    found = found[found[key] == getattr(cell, key)]
            bases = set(found["basis"])
            if not bases or bases - {"stated", "derived_from_stated"}:
                problems.append({"sheet": cell.sheet, "row": cell.row, "column": cell.column,
                                 "depends": target,
                                 "found": ", ".join(sorted(bases)) or "none"})
    return pd.DataFrame(problems, columns=["sheet", "row", "column", "depends", "found"])


CELL = ["sheet", "row", "column"]  # what names a raw cell
Lines = np.ndarray  # CSV lines (or Excel rows) of one column of one raw sheet
RawLines = dict[str, dict[str, Lines]]  # sheet -> column -> lines


def as_lines(numbers) -> np.ndarray:
    """Line numbers (a set, a list or an array) as an int64 array."""
    if isinstance(numbers, np.ndarray):
        return numbers.astype("int64", copy=False)
    return np.fromiter(numbers, dtype="int64", count=len(numbers))


def distinct(numbers) -> np.ndarray:
    """Line numbers or row positions (any iterable :func:`as_lines` takes), each once,
    ascending; time linear in their number and range (no sort)."""
    values = as_lines(numbers)
    if not len(values):
        return values
    low = values.min()
    seen = np.zeros(values.max() - low + 1, dtype=bool)
    seen[values - low] = True
    return np.flatnonzero(seen) + low


def within(numbers: np.ndarray, of: np.ndarray) -> bool:
    """Whether every one of ``numbers`` is in ``of`` (ascending, each once)."""
    at = np.searchsorted(of, numbers)
    inside = at < len(of)
    return bool(inside.all() and (of[at] == numbers).all())


def sorted_cells(parts: list[tuple[str, str, np.ndarray]]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw cells given as (sheet, column, lines) parts, each cell once in some part, sorted
    by sheet, line and column: (sheet, line, column) arrays and the order taken (positions
    in the parts laid end to end)."""
    sizes = [len(lines) for _, _, lines in parts]
    sheets = sorted({p[0] for p in parts})
    columns = sorted({p[1] for p in parts})
    sheet_codes = np.repeat([sheets.index(p[0]) for p in parts], sizes).astype("int64")
    column_codes = np.repeat([columns.index(p[1]) for p in parts], sizes).astype("int64")
    lines = (np.concatenate([as_lines(p[2]) for p in parts]) if parts
             else np.array([], dtype="int64"))
    order = np.lexsort((column_codes, lines, sheet_codes))
    return (np.array(sheets, dtype=object)[sheet_codes[order]], lines[order],
            np.array(columns, dtype=object)[column_codes[order]], order)


class CellBasis:
    """The basis of raw cells (:func:`cell_rules`, whole or as parts, such as one sheet at a
    time), looked up per sheet and column in time linear in the cells asked for, whatever
    the size of the cohort. Each of its columns is kept per sheet and column as codes into
    its distinct values (a few bytes per cell), not as a frame of objects."""

    def __init__(self, basis: pd.DataFrame | Iterable[pd.DataFrame]):
        self.columns = [c for c in CELL_COLUMNS if c not in CELL]  # what is kept of a cell
        # (sheet, column) -> (lines ascending, {kept column: (codes, distinct values)})
        self._parts: dict[tuple[str, str], tuple[np.ndarray, dict]] = {}
        self._dtypes: dict[str, np.dtype] = {}  # of each kept column, as the frame has it
        for frame in [basis] if isinstance(basis, pd.DataFrame) else basis:
            self._add(frame)

    def _add(self, frame: pd.DataFrame) -> None:
        """Keep the cells of ``frame`` (of sheets and columns not kept yet)."""
        lines = frame["row"].to_numpy(dtype="int64")
        columns = {name: frame[name].to_numpy() for name in self.columns}
        self._dtypes.update({name: values.dtype for name, values in columns.items()})
        for key, rows in frame.groupby(["sheet", "column"], sort=False).indices.items():
            rows = rows[np.argsort(lines[rows], kind="stable")]
            self._parts[key] = (lines[rows], {
                name: _coded(values[rows]) for name, values in columns.items()})

    def positions(self, sheet: str, column: str, lines: np.ndarray) -> np.ndarray:
        """Where each cell of ``column`` of ``sheet`` on ``lines`` is among the cells kept of
        that column (-1 for a cell it does not list, a blank one)."""
        known = self._parts.get((sheet, column), (np.array([], dtype="int64"),))[0]
        at = np.searchsorted(known, lines)
        found = at < len(known)
        found[found] = known[at[found]] == lines[found]
        return np.where(found, at, -1)

    def _values(self, sheet: str, column: str, name: str, at: np.ndarray,
                blank: object) -> np.ndarray:
        """Column ``name`` of the cells at positions ``at`` (:meth:`positions`); ``blank``
        where a position is -1."""
        out = np.full(len(at), blank, dtype=object)
        if (sheet, column) in self._parts and len(at):
            codes, distinct = self._parts[(sheet, column)][1][name]
            out[at >= 0] = distinct[codes[at[at >= 0]]]
        return out

    def bases(self, sheet: str, column: str, lines: np.ndarray) -> np.ndarray:
        """The basis of each cell of ``column`` of ``sheet`` on ``lines`` (``empty`` for a
        blank cell)."""
        return self._values(sheet, column, "basis", self.positions(sheet, column, lines),
                            "empty")

    def cells(self, parts: list[tuple[str, str, np.ndarray]],
              per_part: dict[str, list] | None = None) -> pd.DataFrame:
        """Raw cells given as (sheet, column, lines) parts, each cell in one part, sorted
        (:func:`sorted_cells`), with what :func:`cell_rules` says of each (value, basis,
        source, ...; a cell it does not list is blank: value '', basis ``empty``, the rest
        '') and the columns of ``per_part`` (one value per part)."""
        sheet, line, column, order = sorted_cells(parts)
        positions = [self.positions(s, c, as_lines(lines)) for s, c, lines in parts]
        out = {"sheet": sheet, "line": line, "column": column}
        listed = all((at >= 0).all() for at in positions)  # no blank cell among them
        for name in self.columns:
            blank = "empty" if name == "basis" else ""
            found = [self._values(s, c, name, at, blank)
                     for (s, c, _), at in zip(parts, positions, strict=True)]
            values = np.concatenate(found) if found else np.array([], dtype=object)
            out[name] = values[order].astype(self._dtypes.get(name, object)) if listed else values[order]
        sizes = [len(lines) for _, _, lines in parts]
        for name, values in (per_part or {}).items():
            out[name] = np.repeat(np.array(values, dtype=object), sizes)[order]
        return pd.DataFrame(out, copy=False)  # not consolidated: a large claim is not copied

    def having(self, basis: str) -> pd.DataFrame:
        """The rows of :func:`cell_rules` whose basis is ``basis`` (in the order of sheets and
        columns kept, each column's by line)."""
        parts = []
        for (sheet, column), (lines, kept) in self._parts.items():
            codes, distinct = kept["basis"]
            chosen = np.flatnonzero(np.isin(codes, np.flatnonzero(distinct == basis)))
            if len(chosen):
                parts.append(pd.DataFrame({"sheet": sheet, "row": lines[chosen], "column": column,
                                           **{name: distinct_of[codes_of[chosen]].astype(
                                               self._dtypes[name])
                                              for name, (codes_of, distinct_of) in kept.items()}}))
        dtypes = {"row": np.dtype("int64"), **self._dtypes}
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            {name: np.array([], dtype=dtypes.get(name, object)) for name in CELL_COLUMNS})
        return frame[CELL_COLUMNS]

    def counts(self, raw: RawLines) -> str:
        """:func:`basis_counts` of :func:`cells_with_basis` of ``raw``, the same text (most
        frequent basis first, ties in the order of the cells)."""
        tally: dict[str, list] = {}
        for sheet, columns in raw.items():
            for column, lines in columns.items():
                lines = np.sort(as_lines(lines))
                names, first, sizes = np.unique(self.bases(sheet, column, lines),
                                                return_index=True, return_counts=True)
                for name, at, size in zip(names, first, sizes, strict=True):
                    count, cell = tally.get(name, (0, None))
                    here = (sheet, int(lines[at]), column)
                    tally[name] = [count + int(size), here if cell is None else min(cell, here)]
        ordered = sorted(tally.items(), key=lambda item: (-item[1][0], item[1][1]))
        return ", ".join(f"{n} {basis.replace('_', ' ')}" for basis, (n, _) in ordered)


def _coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as the smallest integer codes into their distinct values."""
    codes, distinct = pd.factorize(values)
    return codes.astype(np.min_scalar_type(max(len(distinct), 1))), np.asarray(distinct,
                                                                              dtype=object)


def by_cell(basis: pd.DataFrame | CellBasis) -> CellBasis:
    """:func:`cell_rules` ready for looking up the cells of many claims in time linear in
    their number (:class:`CellBasis`; one already is returned as it is)."""
    return basis if isinstance(basis, CellBasis) else CellBasis(basis)


def cells_with_basis(raw: RawLines, basis: pd.DataFrame | CellBasis) -> pd.DataFrame:
    """Raw cells (sheet -> column -> lines) with their text, basis and constraint, sorted by
    sheet, line and column; ``basis`` is :func:`cell_rules`, or :func:`by_cell` of it when
    many claims are looked up."""
    lookup = basis if isinstance(basis, CellBasis) else CellBasis(basis)
    return lookup.cells([(sheet, column, lines) for sheet, columns in raw.items()
                         for column, lines in columns.items()])


def basis_counts(cells: pd.DataFrame) -> str:
    """'15 stated, 5 imputed' for a frame of :func:`cells_with_basis`."""
    counts = cells["basis"].value_counts()
    return ", ".join(f"{n} {basis.replace('_', ' ')}" for basis, n in counts.items())


def imputed_groups(directory: Path) -> pd.DataFrame:
    """Imputed values grouped by the published figures that constrain them: sheet, columns,
    basis, number of values, constraint."""
    cells = cell_rules(directory)
    chosen = cells[cells["basis"] == "imputed"]
    groups = chosen.groupby(["sheet", "basis", "constrains"], sort=False).agg(
        columns=("column", lambda names: ", ".join(dict.fromkeys(names))),
        values=("value", "size")).reset_index()
    groups["basis"] = groups["basis"].str.replace("_", " ")
    return groups[["sheet", "columns", "basis", "values", "constrains"]].rename(
        columns={"constrains": "constrained by"})


def summary(directory: Path) -> pd.DataFrame:
    """Number of raw values per basis and sheet."""
    cells = cell_rules(directory)
    return cells.pivot_table(index="sheet", columns="basis", values="value", aggfunc="count",
                             fill_value=0)
