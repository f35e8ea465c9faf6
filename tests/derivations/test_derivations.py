"""Each derivation on small hand-worked cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.derivations import dosing, events, labs, response, timing, toxicity
from analysis.derivations.adam import derive_tables, relapse_category
from analysis.sheets.cohort import read_cohort


def test_months_are_thirty_days():
    assert timing.months_from_days(356.0) == pytest.approx(11.8667, abs=1e-4)
    assert round(timing.months_from_days(122.0), 2) == 4.07


def test_age_is_age_at_diagnosis_plus_elapsed_julian_years():
    age = timing.age_at(pd.Series([2.0]), pd.Series(pd.to_datetime(["2020-01-01"])),
                        pd.Series(pd.to_datetime(["2021-01-01"])))
    assert age.iloc[0] == pytest.approx(2.0 + 366 / 365.25)


def test_study_day_counts_from_infusion():
    day = timing.study_day(pd.Series(pd.to_datetime(["2020-01-03", "2019-12-25"])),
                           pd.Series(pd.to_datetime(["2020-01-01", "2020-01-01"])))
    assert day.tolist() == [2.0, -7.0]


def test_dose_per_kg_and_course_totals():
    products = pd.DataFrame({"patient_id": ["a", "a", "b"], "course": [2, 2, 2],
                             "target": ["CD19", "CD22", "CD19"],
                             "car_t_cells": [110e6, 90e6, 50e6],
                             "transduction_efficiency": [40.0, 50.0, 30.0],
                             "viability": [95.0, 96.0, 94.0],
                             "cd4_cd8_ratio": [1.5, 0.8, np.nan]})
    courses = pd.DataFrame({"patient_id": ["a", "b"], "course": [2, 2], "weight": [20.0, 25.0]})
    doses = dosing.course_doses(dosing.product_doses(products, courses)).set_index("patient_id")
    assert doses.loc["a", "dose_total_per_kg"] == pytest.approx(1e7)
    assert doses.loc["a", "cd22_to_cd19_ratio"] == pytest.approx(90 / 110)
    assert doses.loc["a", "mean_transduction_pct"] == 45.0
    assert (doses.loc["a", "product_cd4_cd8_cd19"], doses.loc["a", "product_cd4_cd8_cd22"]) \
        == (1.5, 0.8)
    assert math.isnan(doses.loc["b", "cd22_to_cd19_ratio"])
    assert math.isnan(doses.loc["b", "product_cd4_cd8_cd22"])


def test_product_cd4_cd8_ratio_follows_the_products_sheet(cohort_copy):
    """A product's CD4/CD8 ratio typed into a copy of the sheets reaches its course's row."""
    path = cohort_copy / "products.csv"
    products = pd.read_csv(path, dtype=str, keep_default_na=False)
    first = products.index[products["target"] == "CD19"][0]
    products.loc[first, "cd4_cd8_ratio"] = "2.75"
    products.to_csv(path, index=False)
    adcourse = derive_tables(read_cohort(cohort_copy))["adcourse"].set_index(
        ["patient_id", "course"])
    key = (products.loc[first, "patient_id"], int(products.loc[first, "course"]))
    assert adcourse.loc[key, "product_cd4_cd8_cd19"] == 2.75


def test_dose_compared_with_previous_course_at_two_significant_figures():
    doses = pd.DataFrame({"patient_id": ["a", "a", "b", "b", "c", "c"],
                          "course": [1, 2, 1, 2, 1, 2],
                          "dose_total_per_kg": [1.0e7, 1.04e7, 1.0e7, 1.5e7, 1.2e7, 4.3e6]})
    assert dosing.dose_vs_previous(doses).tolist() == [None, "same", None, "higher", None,
                                                       "lower"]
    # 1.25 × 10^7 prints as 1.3 × 10^7 (half up): the same as 1.3 × 10^7, not lower
    tie = pd.DataFrame({"patient_id": ["a", "a"], "course": [1, 2],
                        "dose_total_per_kg": [1.3e7, 1.25e7]})
    assert dosing.dose_vs_previous(tie).tolist() == [None, "same"]


def test_lymphodepletion_dose_per_square_metre():
    ld = pd.DataFrame({"patient_id": ["a"] * 3, "course": [1] * 3, "drug": ["flu"] * 3,
                       "day": [-4, -3, -2], "dose": [36.0, 36.0, 36.0]})
    courses = pd.DataFrame({"patient_id": ["a"], "course": [1], "bsa": [0.9]})
    out = dosing.ld_intensity(ld, courses).iloc[0]
    assert out["flu_mg_per_m2"] == pytest.approx(40.0)
    assert (out["flu_days"], out["flu_first_day"], out["flu_last_day"]) == (3, -4, -2)


def test_marrow_status_boundaries():
    status = response.marrow_status(pd.Series([0.0, 4.9, 5.0, 25.0, 25.1, np.nan]))
    assert status.tolist() == ["M1", "M1", "M2", "M2", "M3", None]


def test_mrd_negative_honours_detection_limits():
    mrd = pd.Series([0.01, 0.005, 0.01, 0.1, np.nan])
    qualifier = pd.Series(["<", "", "", "<", ""])
    assert response.mrd_negative(mrd, qualifier).tolist() == [True, True, False, False, pd.NA]


def test_complete_remission_needs_marrow_csf_and_no_extramedullary_disease():
    cr = response.complete_remission(pd.Series([1.0, 1.0, 1.0, 7.0]),
                                     pd.Series([0.0, 0.0, 0.0, 6.0]),
                                     pd.Series(["negative", "positive", "negative", "negative"]),
                                     pd.Series(["none", "none", "testis", "none"]))
    assert cr.tolist() == [True, False, False, False]


def test_disease_burden():
    burden = response.disease_burden(pd.Series([5.0, 4.9, 0.1]),
                                     pd.Series(["none", "none", "CNS"]))
    assert burden.tolist() == ["high", "low", "high"]


@pytest.mark.parametrize(("temperature", "hypotension", "vasopressors", "oxygen", "grade"), [
    (37.5, "no", "none", "none", 0),
    (38.5, "no", "none", "none", 1),
    (39.0, "yes", "none", "none", 2),
    (39.0, "no", "none", "low_flow", 2),
    (39.0, "yes", "one", "none", 3),
    (39.0, "no", "none", "high_flow", 3),
    (40.0, "yes", "multiple", "none", 4),
    (40.0, "no", "none", "positive_pressure", 4),
])
def test_astct_crs_grade(temperature, hypotension, vasopressors, oxygen, grade):
    out = toxicity.crs_grade(pd.Series([temperature]), pd.Series([hypotension]),
                             pd.Series([vasopressors]), pd.Series([oxygen]))
    assert out.iloc[0] == grade


def _labs(rows):
    return pd.DataFrame(rows, columns=["patient_id", "course", "parameter", "study_day",
                                       "value", "specimen"])


def test_il6_baseline_peak_and_fold_change():
    frame = _labs([("a", 1, "IL-6", -3, 5.0, "serum"), ("a", 1, "IL-6", -1, 10.0, "serum"),
                   ("a", 1, "IL-6", 3, 200.0, "serum"), ("a", 1, "IL-6", 7, 50.0, "serum"),
                   ("b", 1, "IL-6", 2, 30.0, "serum")])
    peak, base = labs.peak(frame), labs.baseline(frame)
    fold = labs.fold_change(peak, base)
    assert base[("a", 1, "IL-6")] == 10.0
    assert fold[("a", 1, "IL-6")] == 20.0
    assert math.isnan(fold[("b", 1, "IL-6")])


def test_b_cell_aplasia_duration_until_recovery_and_without_recovery():
    frame = _labs([("a", 1, "CD19+ B cells", 30, 0.1, "PB"), ("a", 1, "B cells", 30, 10, "PB"),
                   ("a", 1, "CD19+ B cells", 90, 0.2, "PB"), ("a", 1, "CD19+ B cells", 120, 5.0,
                                                                 "PB"),
                   ("a", 1, "B cells", 120, 400, "PB"),
                   ("a", 1, "CD19+ B cells", 200, 0.1, "PB"),  # aplastic again: ignored
                   ("b", 1, "B cells", 60, 150, "PB"), ("b", 1, "B cells", 300, 100, "PB")])
    out = labs.bca_duration(labs.b_cell_aplasia(frame)).set_index("patient_id")
    assert out.loc["a", "bca_months"] == pytest.approx(3.0)
    assert bool(out.loc["a", "bca_recovered"]) is True
    assert out.loc["b", "bca_months"] == pytest.approx(10.0)
    assert bool(out.loc["b", "bca_recovered"]) is False


def _events(rows):
    frame = pd.DataFrame(rows, columns=["patient_id", "event", "event_date"])
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    return frame


def test_time_to_event_rules_for_transplantation():
    index = pd.Series(pd.to_datetime(["2020-01-01", "2020-01-01"]), index=["a", "b"])
    ev = _events([("a", "hsct", "2020-03-01"), ("a", "last_contact", "2021-01-01"),
                  ("b", "relapse", "2020-10-27"), ("b", "death", "2021-06-01")])
    rows = events.survival_rows(ev, index, pd.Timestamp("2022-01-01")).set_index(
        ["paramcd", "rule", "patient_id"])
    assert rows.loc[("EFS", "hsct_ignored", "a"), "cnsr"] == 1
    assert rows.loc[("EFS", "hsct_ignored", "a"), "aval_days"] == 366
    assert rows.loc[("EFS", "hsct_censored", "a"), "aval_days"] == 60
    assert rows.loc[("EFS", "hsct_event", "a"), "cnsr"] == 0
    assert rows.loc[("EFS", "hsct_ignored", "b"), "aval_days"] == 300
    assert rows.loc[("EFS", "hsct_ignored", "b"), "cnsr"] == 0
    assert rows.loc[("OS", "death", "b"), "cnsr"] == 0
    assert rows.loc[("OS", "death", "a"), "cnsr"] == 1


def test_follow_up_ends_at_cutoff_without_contact():
    ev = _events([("a", "last_contact", "2021-05-01")])
    end = events.end_of_follow_up(ev, pd.Index(["a", "b"]), pd.Timestamp("2022-08-31"))
    assert end.tolist() == [pd.Timestamp("2021-05-01"), pd.Timestamp("2022-08-31")]


def test_relapse_category():
    out = relapse_category(pd.Series(["BM", "testis", "BM+CNS", None]))
    assert out.tolist() == ["isolated BM", "isolated extramedullary", "combined", None]


def test_induction_failure_is_an_event_on_the_day_of_infusion():
    index = pd.Series(pd.to_datetime(["2020-01-01", "2020-01-01"]), index=["a", "b"])
    ev = _events([("a", "death", "2020-06-01"), ("b", "last_contact", "2021-01-01")])
    rows = events.survival_rows(ev, index, pd.Timestamp("2022-01-01"),
                                pd.Series([True, False], index=["a", "b"])).set_index(
        ["paramcd", "rule", "patient_id"])
    assert rows.loc[("EFS", "induction_failure", "a"), "aval_days"] == 0
    assert rows.loc[("EFS", "induction_failure", "a"), "cnsr"] == 0
    assert rows.loc[("EFS", "hsct_censored", "a"), "aval_days"] == 152  # the death
    assert rows.loc[("EFS", "induction_failure", "b"), "cnsr"] == 1
