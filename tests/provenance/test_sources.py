"""The raw cells behind derived values: lineage carried by the derivation, checked against
the perturbation search of tests/oracle.py on the bundled cohort and a synthetic one."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pandas as pd
import pytest
from oracle import _moved
from oracle import derived_sources as searched_sources

from analysis.common.paths import ROOT
from analysis.derivations.adam import derive_tables
from analysis.provenance.sources import as_frame, derived_lineage, derived_sources
from analysis.sheets.cohort import read_cohort
from analysis.sheets.dictionary import load_dictionary

COHORT = read_cohort(ROOT / "data-raw")
NOT_DECISIVE_HERE = {  # declared sources that no value of the bundled cohort turns on
    **{(table, column, "assessments", "mrd"):
       "flow MRD stands in for marrow morphology only where morphology is missing"
       for table, column in [("adcourse", "best_cr"), ("adrs", "cr"),
                             *[("adtte", c) for c in ("aval_days", "aval_months", "cnsr",
                                                      "evntdesc")]]},
    ("adsl", "relapse_cart2_antigen_negative", "events", "after_course"):
        "moving a relapse to another course changes the flag only for an antigen-negative one",
}


def _position(tables, table: str, **key) -> int:
    frame = tables[table]
    match = pd.Series(True, index=frame.index)
    for column, value in key.items():
        match &= frame[column] == value
    return int(match.to_numpy().nonzero()[0][0])


def _line(sheet: str, **key) -> int:
    frame = COHORT[sheet]
    match = pd.Series(True, index=frame.index)
    for column, value in key.items():
        match &= frame[column] == value
    return int(frame.loc[match, "_row"].iloc[0])


def test_age_at_a_course_comes_from_birth_data_and_that_infusion(bundled_tables,
                                                                  bundled_sources):
    patient = COHORT["courses"]["patient_id"].iloc[-1]
    cell = ("adcourse", _position(bundled_tables, "adcourse", patient_id=patient, course=2),
            "age_years")
    values = {c for c in bundled_sources[cell] if c[2] not in ("patient_id", "course")}
    assert values == {
        ("patients", _line("patients", patient_id=patient), "age_at_diagnosis"),
        ("patients", _line("patients", patient_id=patient), "diagnosis_date"),
        ("courses", _line("courses", patient_id=patient, course=2), "infusion_date")}


def test_a_peak_comes_from_the_sample_holding_it(bundled_tables, bundled_sources):
    adcourse = bundled_tables["adcourse"]
    row = adcourse.dropna(subset=["il6_peak_pg_ml"]).iloc[0]
    cell = ("adcourse", _position(bundled_tables, "adcourse", patient_id=row["patient_id"],
                                  course=row["course"]), "il6_peak_pg_ml")
    lines = {line for sheet, line, column in bundled_sources[cell]
             if (sheet, column) == ("cytokines", "value")}
    cytokines = COHORT["cytokines"].set_index("_row")
    assert len(lines) == 1
    assert cytokines.loc[next(iter(lines)), "value"] == row["il6_peak_pg_ml"]


def test_every_source_is_a_raw_cell_of_the_rows_patient(bundled_tables, bundled_lineage):
    frame = as_frame(bundled_lineage)
    owner = {sheet: raw.set_index("_row")["patient_id"] for sheet, raw in COHORT.items()
             if "patient_id" in raw}
    for sheet, cells in frame.groupby("raw_sheet"):
        raw = COHORT[sheet]
        assert set(cells["raw_line"]) <= set(raw["_row"]), sheet
        assert set(cells["raw_column"]) <= set(load_dictionary()[sheet].columns), sheet
        if sheet in owner:
            for table, rows in cells.groupby("table"):
                patients = bundled_tables[table]["patient_id"].to_numpy()[rows["line"] - 2]
                assert (owner[sheet][rows["raw_line"]].to_numpy() == patients).all()


def test_lineage_costs_one_derivation_and_leaves_the_tables_unchanged(bundled_tables):
    tables, _ = derived_lineage(COHORT)
    for name, frame in bundled_tables.items():
        pd.testing.assert_frame_equal(tables[name], frame)


def test_perturbations_change_every_value():
    numbers = pd.Series([0.5, 3.0, None, 52.0])
    for moved in _moved(numbers):
        assert (moved != numbers)[numbers.notna()].all() and moved.isna().equals(numbers.isna())
    categories = pd.Series(["positive", "positive", None])
    (moved,) = _moved(categories, allowed=("positive", "negative"))
    assert list(moved[:2]) == ["negative", "negative"] and pd.isna(moved[2])
    assert _moved(pd.Series([None, None], dtype=object)) == []


def test_derivations_work_patient_by_patient(bundled_tables):
    """What makes the search's deleting one row of every patient per rerun sound: a
    patient's derived rows are the same whether or not the other patients are there."""
    from analysis.sheets.dictionary import derived_keys

    keys = derived_keys()
    for patient in COHORT["patients"]["patient_id"]:
        alone = derive_tables({name: frame[frame["patient_id"] == patient]
                               if "patient_id" in frame else frame
                               for name, frame in COHORT.items()})
        for name, frame in bundled_tables.items():
            mine = frame[frame["patient_id"] == patient].set_index(keys[name])
            pd.testing.assert_frame_equal(alone[name].set_index(keys[name]), mine,
                                          check_dtype=False, obj=f"{name} of {patient}")


def _searched(cells: set) -> set:
    """The search names the qualifier columns the sheet reader splits off a value (``mrd``
    -> ``mrd_qualifier``); the raw cell is the value's."""
    return {(sheet, line, column.removesuffix("_qualifier")) for sheet, line, column in cells}


def compare(cohort: dict[str, pd.DataFrame], tables, lineage, searched: dict) -> Counter:
    """Every cell on which lineage and search differ, sorted into the explained kinds
    (returned with their counts); a difference of no known kind fails the test.

    Found by the search only:
    - ``undecided rows``: the search found that a column matters but no single row whose
      deletion changes the value (two equal doses of a median, a flag that no row sets),
      and then names that column on every row of the patient (and course); the column is
      declared for the derived column.
    Found by the lineage only:
    - ``key``: the key cells of the rows a value is built from (the search names them only
      when no other column of the row matters);
    - ``read, not decisive``: a declared column, read on a noted row, that the search finds
      for other values of the same derived column but not this one (an aggregate's other
      members, a condition and-ed with one that is false here);
    - ``blank``: an empty raw cell behind an empty derived value (the search cannot move
      a blank);
    - ``unit``: a unit cell (a raw column named as some column's ``unit_column``: weight,
      dose, cells, temperature, lab units); the sheet reader converts each value from its
      unit and drops the unit columns of wide sheets before the search perturbs, so the
      search never moves a unit;
    - ``declared, never decisive here``: the declared sources of NOT_DECISIVE_HERE, with
      the reason no value of the cohort turns on them.
    """
    keys = {name: set(sheet.key) for name, sheet in load_dictionary().items()}
    units = {name: sheet.unit_columns for name, sheet in load_dictionary().items()}
    mine = derived_sources(lineage)
    found = {cell: _searched(cells) for cell, cells in searched.items()}
    by_column: dict[tuple[str, str], set] = {}
    for (table, _, column), cells in found.items():
        by_column.setdefault((table, column), set()).update((s, c) for s, _, c in cells)
    kinds: Counter = Counter()
    unexplained = []
    for cell in mine.keys() | found.keys():
        table, row, column = cell
        declared = set(lineage.declared[table][column])
        lineage_cells, search_cells = mine.get(cell, set()), found.get(cell, set())
        for sheet, line, raw in search_cells - lineage_cells:
            same_owner = _lines_of_row(cohort, sheet, tables[table].iloc[row])
            if (sheet, raw) in declared | {(sheet, k) for k in keys[sheet]} and line in same_owner:
                kinds["undecided rows"] += 1
            else:
                unexplained.append(("search only", cell, (sheet, line, raw)))
        for sheet, line, raw in lineage_cells - search_cells:
            if raw in keys[sheet]:
                kinds["key"] += 1
            elif raw in units[sheet]:
                kinds["unit"] += 1
            elif pd.isna(cohort[sheet].set_index("_row").at[line, raw]):
                kinds["blank"] += 1
            elif (sheet, raw) in by_column.get((table, column), set()):
                kinds["read, not decisive"] += 1
            elif (table, column, sheet, raw) in NOT_DECISIVE_HERE:
                kinds["declared, never decisive here"] += 1
            else:
                unexplained.append(("lineage only", cell, (sheet, line, raw)))
    assert not unexplained, sorted({(w, c[0], c[2], r[0], r[2]) for w, c, r in unexplained})
    return kinds


def _lines_of_row(cohort, sheet: str, derived: pd.Series) -> set[int]:
    """Lines of ``sheet`` with the derived row's patient (and course, when both have one)."""
    raw = cohort[sheet]
    match = pd.Series(True, index=raw.index)
    for column in ("patient_id", "course"):
        if column in raw and column in derived.index:
            match &= raw[column] == derived[column]
    return set(raw.loc[match, "_row"])


def test_lineage_agrees_with_the_search_on_the_bundled_cohort(bundled_tables, bundled_lineage,
                                                               bundled_oracle):
    kinds = compare(COHORT, bundled_tables, bundled_lineage, bundled_oracle)
    assert kinds["key"] and kinds["undecided rows"] and kinds["unit"]


@pytest.mark.parametrize("seed", [3])
def test_lineage_agrees_with_the_search_on_a_synthetic_cohort(tmp_path, seed):
    subprocess.run([sys.executable, str(ROOT / "tools" / "synth.py"), "--n", "4", "--seed",
                    str(seed), "--out", str(tmp_path)], check=True, capture_output=True)
    cohort = read_cohort(tmp_path)
    tables, lineage = derived_lineage(cohort)
    compare(cohort, tables, lineage, searched_sources(cohort))


def test_every_derived_cell_has_raw_cells(bundled_tables, bundled_sources):
    """No derived row is without the raw rows it was built from: every cell of every table
    names at least the key cells of one raw row."""
    for name, frame in bundled_tables.items():
        for row in range(len(frame)):
            for column in frame.columns:
                assert bundled_sources.get((name, row, column)), (name, row, column)


def test_notes_outside_a_derivation_with_lineage_are_not_kept(bundled_tables):
    from analysis.derivations import origin

    with origin.recording() as notes:
        pass
    origin.note("adsl", COHORT["patients"], "patients", ["patient_id"])
    assert notes == {}
    assert origin.lineage_frames(notes, bundled_tables)["adsl"].empty


def test_the_lineage_derive_writes_is_the_one_derived_from_the_sheets(tmp_path):
    """``derive`` writes the lineage beside the tables; read back, it names the same raw
    cells for every derived value as the lineage derived again from the sheets, and a
    folder without it (written by an older version) falls back to the sheets."""
    from analysis.common.paths import CohortPaths
    from analysis.derivations.store import LINEAGE, derive
    from analysis.provenance.sources import cohort_lineage, factors
    from analysis.sheets.places import Places

    raw = ROOT / "tests" / "cohorts" / "followup"
    paths = CohortPaths(raw, tmp_path / "derived", tmp_path / "figures", tmp_path / "out")
    derive(raw, paths.derived)
    saved = cohort_lineage(paths)
    again = derived_lineage(read_cohort(raw), Places(raw))[1]
    assert as_frame(saved).equals(as_frame(again)) and len(as_frame(saved))
    for ours, theirs in zip(factors(saved), factors(again), strict=True):
        assert ours.equals(theirs)
    (paths.derived / LINEAGE).unlink()
    assert as_frame(cohort_lineage(paths)).equals(as_frame(again))
