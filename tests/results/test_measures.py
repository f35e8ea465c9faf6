"""Measures over many patients at once: worked by hand on small series."""

import math

import pandas as pd

from analysis.results.measures import crs_follows_lab, rise_and_return


def _lab(rows):
    return pd.DataFrame(rows, columns=["patient_id", "study_day", "value"]).assign(
        course=2, parameter="IL-6")


LAB = _lab([
    # a: baseline 4 (day -1, the last before infusion); above it from day 3; peak day 7;
    # back at or below 4 on day 14 (day 2's 3 is before the peak and does not count)
    ("a", 7, 50.0), ("a", -5, 9.0), ("a", -1, 4.0), ("a", 2, 3.0), ("a", 3, 6.0),
    ("a", 14, 4.0), ("a", 21, 2.0),
    ("b", 0, 10.0), ("b", 5, 20.0),           # b: nothing before infusion
    ("c", -2, 8.0), ("c", 1, 9.0), ("c", 4, 12.0),  # c: rises, never returns
])


def test_rise_and_return_per_patient():
    days = rise_and_return(LAB)
    assert sorted(days.index) == ["a", "b", "c"]
    assert days.loc["a"].tolist() == [3.0, 14.0]
    assert days.loc["b"].isna().all()
    assert days.loc["c", "rise"] == 1.0 and math.isnan(days.loc["c", "back"])


def _tables(onsets):
    courses = pd.DataFrame({"patient_id": list(onsets), "course": 2, "crs_grade": 1,
                            "crs_onset_day": list(onsets.values()),
                            "crs_resolution_day": 14.0})
    return {"adcourse": courses, "adlb": LAB}


def test_crs_follows_lab_needs_every_patient_with_a_series():
    assert crs_follows_lab(_tables({"a": 3.0}), "IL-6", 2, "onset") == 1
    assert crs_follows_lab(_tables({"a": 3.0}), "IL-6", 2, "resolution") == 1
    # b has a series but no pre-infusion value: no rise to match
    assert crs_follows_lab(_tables({"a": 3.0, "b": 0.0}), "IL-6", 2, "onset") == 0
    assert crs_follows_lab(_tables({"a": 4.0}), "IL-6", 2, "onset") == 0
    assert math.isnan(crs_follows_lab(_tables({"z": 3.0}), "IL-6", 2, "onset"))


def test_declines_after_peak_per_patient_in_study_day_order():
    from analysis.results.measures import declines_after_peak, sampled_on_schedule

    # a: rises to its peak on day 7, then falls; b: falls then rises again on day 9 (rows
    # out of order on purpose); c: a single post-infusion value, below min_samples
    lab = _lab([("a", 7, 9.0), ("a", 1, 2.0), ("b", 9, 5.0), ("a", 14, 3.0), ("b", 1, 8.0),
                ("b", 4, 1.0), ("c", 2, 99.0), ("c", -3, 1.0), ("a", 21, 3.0)])
    tables = {"adlb": lab}
    assert declines_after_peak(tables, 2, "IL-6", 2) == 0.0  # b rises after its peak
    assert declines_after_peak({"adlb": lab[lab["patient_id"] != "b"]}, 2, "IL-6", 2) == 1.0
    assert math.isnan(declines_after_peak(tables, 2, "IL-6", 5))
    assert sampled_on_schedule(tables, 2, "IL-6", [1, 7, 14], 0, 3) == 0.0  # b: none on 7
    assert sampled_on_schedule({"adlb": lab[lab["patient_id"] == "a"]}, 2, "IL-6",
                               [1, 7, 14], 0, 3) == 1.0
