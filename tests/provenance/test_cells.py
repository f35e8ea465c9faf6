"""Every raw value has exactly one basis: stated in the article, derived from stated values
only, or imputed within the published figures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.common.paths import ROOT
from analysis.provenance.cells import (
    BASES,
    cell_rules,
    dependency_violations,
    imputed_groups,
    read_rules,
)


def _cells():
    return cell_rules(ROOT / "data-raw")


def test_every_raw_cell_is_matched_by_exactly_one_rule():
    cells = _cells()
    loose = cells[cells["basis"].isin(["uncovered", "ambiguous"])]
    assert loose.empty, loose.head().to_string()
    assert set(cells["basis"]) <= set(BASES)


def test_overlapping_rules_are_reported_as_ambiguous(cohort_copy):
    rules = read_rules(cohort_copy)
    extra = rules[rules["sheet"] == "crs"].iloc[[0]].assign(basis="imputed")
    pd.concat([rules, extra]).to_csv(cohort_copy / "provenance.csv", index=False)
    cells = cell_rules(cohort_copy)
    assert set(cells.loc[cells["sheet"] == "crs", "basis"]) >= {"ambiguous"}
    assert (cells.loc[cells["basis"] == "ambiguous", "sheet"] == "crs").all()


def test_rules_name_their_source_or_constraint():
    rules = read_rules(ROOT / "data-raw")
    assert set(rules["basis"]) <= set(BASES)
    assert (rules.loc[rules["basis"] != "imputed", "source"] != "").all()
    assert (rules.loc[rules["basis"] == "imputed", "constrains"] != "").all()


def test_no_value_derived_from_stated_rests_on_an_imputed_one():
    cells = _cells()
    assert dependency_violations(cells).empty
    known = {(s, c) for s, c in zip(cells["sheet"], cells["column"], strict=True)}
    for depends in read_rules(ROOT / "data-raw")["depends"]:
        for target in filter(None, depends.split("|")):
            assert tuple(target.split(".")) in known, target


def test_a_value_computed_from_imputed_ones_cannot_pass_as_derived_from_stated(cohort_copy):
    rules = read_rules(cohort_copy)
    rules.loc[(rules["sheet"] == "courses") & (rules["columns"] == "bsa"),
              "basis"] = "derived_from_stated"
    rules.to_csv(cohort_copy / "provenance.csv", index=False)
    problems = dependency_violations(cell_rules(cohort_copy))
    assert set(problems["column"]) == {"bsa"}
    assert set(problems["found"]) == {"imputed"}


def test_stated_cells_are_the_values_the_article_gives_for_that_patient():
    cells = _cells()
    stated = cells[cells["basis"] == "stated"]
    copies = stated[(stated["sheet"] == "qpcr") & (stated["column"] == "value")]
    assert sorted(copies["value"]) == ["100650", "14930", "23450", "59630"]
    mrd = stated[(stated["sheet"] == "assessments") & (stated["column"] == "mrd")]
    assert sorted(mrd["value"]) == ["8.9", "<0.01", "<0.01"]
    assert set(mrd["patient_id"]) == {"pt03"}


def test_values_the_article_does_not_give_per_patient_are_imputed():
    cells = _cells()
    imputed = cells[cells["basis"] == "imputed"]
    for sheet, column in [("crs", "max_temperature"), ("crs", "crs_resolution_day"),
                          ("courses", "bsa"), ("courses", "infusion_date"),
                          ("events", "event_date"), ("cytokines", "value"),
                          ("lymphodepletion", "dose"), ("products", "car_t_cells")]:
        every = cells[(cells["sheet"] == sheet) & (cells["column"] == column)]
        assert len(every) and every.index.isin(imputed.index).all(), (sheet, column)
    pt01_mrd = cells[(cells["sheet"] == "assessments") & (cells["column"] == "mrd")
                     & (cells["patient_id"] == "pt01")]
    assert (pt01_mrd["basis"] == "imputed").all()


def test_every_imputed_group_names_what_constrains_it():
    groups = imputed_groups(ROOT / "data-raw")
    assert len(groups) > 0
    assert (groups["constrained by"].str.len() > 0).all(), groups.to_string()
    assert groups["values"].sum() == (_cells()["basis"] == "imputed").sum()


def test_a_workbook_gives_the_same_cells_on_the_same_rows(tmp_path):
    # the one cohort reader numbers rows alike: CSV line = Excel row
    from workbooks import workbook

    folder = ROOT / "tests" / "cohorts" / "followup"
    from_csv = cell_rules(folder)
    from_book = cell_rules(workbook(folder, tmp_path / "followup.xlsx"))
    columns = ["sheet", "row", "column"]
    assert len(from_csv) == len(from_book) > 0
    merged = from_csv.merge(from_book, on=columns, suffixes=("_csv", "_book"))
    assert len(merged) == len(from_csv)
    numbers = merged["value_csv"].str.fullmatch(r"-?[\d.]+")  # 24.0 typed is shown as 24
    assert (merged.loc[~numbers, "value_csv"] == merged.loc[~numbers, "value_book"]).all()
    assert (merged.loc[numbers, "value_csv"].astype(float)
            == merged.loc[numbers, "value_book"].astype(float)).all()


def test_rows_are_physical_lines_with_blank_lines_counted(tmp_path):
    import shutil

    folder = tmp_path / "cohort"
    shutil.copytree(ROOT / "tests" / "cohorts" / "followup", folder)
    lines = (folder / "patients.csv").read_text().splitlines()
    (folder / "patients.csv").write_text("\n".join([lines[0], "", *lines[1:]]) + "\n")
    cells = cell_rules(folder)
    first = cells[(cells["sheet"] == "patients") & (cells["column"] == "patient_id")]
    assert first["row"].min() == 3  # the blank line 2 is counted, as the reader numbers it


def test_cell_basis_counts_as_the_cells_listed():
    from analysis.provenance.cells import CellBasis, basis_counts, cells_with_basis
    cells = _cells()
    lookup = CellBasis(cells)
    raw = {"courses": {"weight": {2, 3, 4, 99}, "course": {2, 3}},
           "patients": {"patient_id": {2, 3, 4, 5, 6}}, "nosuch": {"x": {2}}}
    assert lookup.counts(raw) == basis_counts(cells_with_basis(raw, cells))
    assert lookup.counts({}) == ""


def test_the_cell_basis_of_a_folder_looks_up_what_its_cell_rules_list(tmp_path):
    from analysis.provenance.cells import CellBasis, cell_basis
    for folder in (ROOT / "data-raw", ROOT / "tests" / "cohorts" / "registry12"):
        cells = cell_rules(folder)
        compact = cell_basis(folder)
        parts = [(sheet, column, np.array([*group["row"], 10**6]))
                 for (sheet, column), group in cells.groupby(["sheet", "column"])]
        parts.append(("nosuch", "x", np.array([2])))
        pd.testing.assert_frame_equal(compact.cells(parts), CellBasis(cells).cells(parts))
        looked_up = compact.cells(parts[:-1])
        listed = looked_up[looked_up["basis"] != "empty"].rename(columns={"line": "row"})
        pd.testing.assert_frame_equal(
            listed[cells.columns].reset_index(drop=True),
            cells.sort_values(["sheet", "row", "column"], ignore_index=True),
            check_dtype=False)  # blank cells asked for: the rule's line column holds ''
        for basis in ("imputed", "recorded"):
            chosen = cells[cells["basis"] == basis]
            pd.testing.assert_frame_equal(
                compact.having(basis).sort_values(["sheet", "row", "column"],
                                                  ignore_index=True),
                chosen.sort_values(["sheet", "row", "column"], ignore_index=True))
