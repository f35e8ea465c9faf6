"""Per-value provenance of the raw sheets: which rule of ``provenance.csv`` describes a cell.

A rule names a sheet, a patient (or ``*``), a filter on other columns (``course=2``,
``event=relapse``; ``*`` for none), the columns it covers (or ``*``), the basis
(stated / derived_from_stated / protocol / imputed), where the article says so, and which
published figures constrain the values. The most specific matching rule wins.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.dictionary import load_dictionary

BASES = ("stated", "derived_from_stated", "protocol", "imputed")


def read_rules(directory: Path) -> pd.DataFrame:
    """The provenance rules of a cohort directory (empty when it has none)."""
    path = Path(directory) / "provenance.csv"
    if not path.is_file():
        return pd.DataFrame(columns=["sheet", "patient_id", "where", "columns", "basis",
                                     "source", "constrains"])
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _matches(rule: pd.Series, row: pd.Series, column: str) -> int | None:
    """Specificity of ``rule`` for one cell, or None when it does not apply."""
    score = 0
    if rule["patient_id"] != "*":
        if row.get("patient_id") != rule["patient_id"]:
            return None
        score += 4
    if rule["where"] != "*":
        for condition in rule["where"].split(";"):
            key, _, value = condition.partition("=")
            if str(row.get(key.strip())) != value.strip():
                return None
            score += 2
    if rule["columns"] != "*":
        if column not in rule["columns"].split("|"):
            return None
        score += 1
    return score


def cell_rules(directory: Path) -> pd.DataFrame:
    """One row per non-empty raw cell with the basis, source and constraint that apply
    (basis ``uncovered`` when no rule matches)."""
    rules = read_rules(directory)
    records = []
    for sheet in load_dictionary().values():
        frame = pd.read_csv(Path(directory) / sheet.filename, dtype=str, keep_default_na=False)
        sheet_rules = rules[rules["sheet"] == sheet.name]
        for index, row in frame.iterrows():
            for column, value in row.items():
                if value == "":
                    continue
                scored = [(s, r) for _, r in sheet_rules.iterrows()
                          if (s := _matches(r, row, column)) is not None]
                best = max(scored, key=lambda item: item[0])[1] if scored else None
                records.append({
                    "sheet": sheet.name, "row": index + 2, "column": column, "value": value,
                    "basis": best["basis"] if best is not None else "uncovered",
                    "source": best["source"] if best is not None else "",
                    "constrains": best["constrains"] if best is not None else "",
                })
    return pd.DataFrame(records)


def cells_with_basis(raw: dict[str, dict[str, set[int]]], basis: pd.DataFrame) -> pd.DataFrame:
    """Raw cells (sheet -> column -> lines) with their text, basis and constraint."""
    rows = [(sheet, line, column) for sheet, columns in raw.items()
            for column, lines in columns.items() for line in lines]
    cells = pd.DataFrame(rows, columns=["sheet", "row", "column"])
    out = cells.merge(basis, on=["sheet", "row", "column"], how="left")
    out["value"] = out["value"].fillna("")
    out["basis"] = out["basis"].fillna("empty")
    out = out.fillna("").rename(columns={"row": "line"})
    return out.sort_values(["sheet", "line", "column"], ignore_index=True)


def basis_counts(cells: pd.DataFrame) -> str:
    """'15 stated, 5 imputed' for a frame of :func:`cells_with_basis`."""
    counts = cells["basis"].value_counts()
    return ", ".join(f"{n} {basis.replace('_', ' ')}" for basis, n in counts.items())


def imputed_groups(directory: Path) -> pd.DataFrame:
    """Imputed and derived-from-stated values grouped by the published figures that
    constrain them: sheet, columns, basis, number of values, constraint."""
    cells = cell_rules(directory)
    chosen = cells[cells["basis"].isin(["imputed", "derived_from_stated"])]
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
