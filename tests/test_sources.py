"""The raw cells found behind derived values are the ones they are computed from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.derivations.adam import derive_tables
from analysis.dictionary import derived_keys
from analysis.sheets import read_cohort
from analysis.sources import _moved, as_frame, derived_sources

ROOT = Path(__file__).resolve().parent.parent
COHORT = read_cohort(ROOT / "data-raw")


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


def test_derivations_work_patient_by_patient(bundled_tables):
    """What makes deleting one row of every patient per rerun sound: a patient's derived rows
    are the same whether or not the other patients are in the sheets."""
    keys = derived_keys()
    for patient in COHORT["patients"]["patient_id"]:
        alone = derive_tables({name: frame[frame["patient_id"] == patient]
                               if "patient_id" in frame else frame
                               for name, frame in COHORT.items()})
        for name, frame in bundled_tables.items():
            mine = frame[frame["patient_id"] == patient].set_index(keys[name])
            pd.testing.assert_frame_equal(alone[name].set_index(keys[name]), mine,
                                          check_dtype=False, obj=f"{name} of {patient}")


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


def test_untouched_values_have_no_sources_and_every_source_is_a_raw_cell(bundled_sources):
    frame = as_frame(bundled_sources)
    for sheet, cells in frame.groupby("raw_sheet"):
        raw = COHORT[sheet]
        assert set(cells["raw_line"]) <= set(raw["_row"]), sheet
        assert set(cells["raw_column"]) <= set(raw.columns), sheet
    assert ("adsl", 0, "csf_wbc_pre_cart1_per_mm3") not in bundled_sources  # blank in the sheet


def test_perturbations_change_every_value():
    numbers = pd.Series([0.5, 3.0, None, 52.0])
    for moved in _moved(numbers):
        assert (moved != numbers)[numbers.notna()].all() and moved.isna().equals(numbers.isna())
    categories = pd.Series(["positive", "positive", None])
    (moved,) = _moved(categories, allowed=("positive", "negative"))
    assert list(moved[:2]) == ["negative", "negative"] and pd.isna(moved[2])
    assert _moved(pd.Series([None, None], dtype=object)) == []


def test_a_large_cohort_is_searched_on_its_first_patients(bundled_tables, bundled_sources):
    """Positions refer to the full tables, each searched value's sources are its own
    patient's cells, and the patients left out get none."""
    partial = derived_sources(COHORT, max_patients=2)
    first = sorted(COHORT["patients"]["patient_id"])[:2]
    owner = {sheet: frame.set_index("_row")["patient_id"] for sheet, frame in COHORT.items()
             if "patient_id" in frame}
    for (table, row, _), cells in partial.items():
        patient = bundled_tables[table]["patient_id"].iloc[row]
        assert patient in first
        assert all(owner[sheet][line] == patient for sheet, line, _ in cells if sheet in owner)
    assert len(partial) < len(bundled_sources)


def test_the_search_is_kept_per_sheets_and_code(tmp_path, bundled_sources, monkeypatch):
    """verify, trace and the supplement share one search; a change to the sheets starts a
    new one."""
    import shutil

    from analysis import sources
    from analysis.paths import CohortPaths

    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data-raw", raw)
    paths = CohortPaths(raw, tmp_path / "derived", tmp_path / "figures", tmp_path / "out")
    monkeypatch.setattr(sources, "derived_sources", lambda cohort: bundled_sources)
    assert sources.cached_sources(paths) == bundled_sources
    monkeypatch.setattr(sources, "derived_sources", lambda cohort: {})
    assert sources.cached_sources(paths) == bundled_sources  # read back, not searched again
    (raw / "study.csv").write_text((raw / "study.csv").read_text().replace("2022-08-31",
                                                                           "2022-09-30"))
    assert sources.cached_sources(paths) == {}  # new sheets: searched again
    assert len(list((tmp_path / "out" / ".cache").glob("sources-*.csv"))) == 1
