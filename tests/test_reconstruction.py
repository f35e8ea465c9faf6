"""The reconstructed sheets agree with the article's own definitions, not only with its
aggregates: a course's enrolment marrow follows the relapse that qualifies the patient,
every relapse follows an MRD-negative CR of the course before it, and CRS starts and ends
with IL-6 as the article defines (rise after infusion; return to the pre-infusion level).
Generic over patients: run on the bundled sheets, they hold for any cohort built the same
way."""

from __future__ import annotations

import pandas as pd


def test_a_course_is_enrolled_after_the_relapse_that_qualifies_it(bundled_derived):
    adrs, events = bundled_derived["adrs"], bundled_derived["adevents"]
    relapses = events[events["event"] == "relapse"]
    checked = 0
    for relapse in relapses.itertuples():
        following = adrs[(adrs["patient_id"] == relapse.patient_id)
                         & (adrs["course"] == relapse.after_course + 1)
                         & (adrs["study_day"] < 0)]
        assert (following["assessment_date"] >= relapse.event_date).all(), relapse
        checked += len(following)
    assert checked > 0


def test_every_relapse_follows_an_mrd_negative_cr_of_its_course(bundled_derived):
    adrs, events = bundled_derived["adrs"], bundled_derived["adevents"]
    for relapse in events[events["event"] == "relapse"].itertuples():
        course = adrs[(adrs["patient_id"] == relapse.patient_id)
                      & (adrs["course"] == relapse.after_course) & (adrs["study_day"] >= 0)
                      & (adrs["assessment_date"] < relapse.event_date)]
        assert course["mrd_negative_cr"].astype(bool).any(), relapse


def _il6_days(series: pd.DataFrame) -> tuple[int, int]:
    """First day after infusion with IL-6 above baseline, and first day after the peak
    with IL-6 back at or below it."""
    series = series.sort_values("study_day")
    baseline = series.loc[series["study_day"] < 0, "value"].iloc[-1]
    after = series[series["study_day"] >= 0]
    peak_day = after.loc[after["value"].idxmax(), "study_day"]
    onset = after.loc[after["value"] > baseline, "study_day"].min()
    back = after[(after["study_day"] > peak_day) & (after["value"] <= baseline)]
    return int(onset), int(back["study_day"].min())


def test_crs_onset_and_end_are_the_rise_and_return_of_il6(bundled_derived):
    labs, courses = bundled_derived["adlb"], bundled_derived["adcourse"]
    il6 = labs[labs["parameter"] == "IL-6"]
    crs = courses.dropna(subset=["crs_onset_day", "crs_resolution_day"])
    compared = 0
    for row in crs.itertuples():
        series = il6[(il6["patient_id"] == row.patient_id) & (il6["course"] == row.course)]
        if series.empty:
            continue
        assert _il6_days(series) == (row.crs_onset_day, row.crs_resolution_day), row.patient_id
        compared += 1
    assert compared > 0
