"""Sentences about what followed CART2, worded from the cohort's results
(analysis/report/outcomes.py), checked against the follow-up cohort's sheets by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.common.paths import ROOT
from analysis.derivations.adam import derive_tables
from analysis.ledger.claims import Claims
from analysis.report import outcomes, paragraphs
from analysis.sheets.cohort import read_cohort


def _claims(tables) -> Claims:
    return Claims(tables, published_precision=False)


@pytest.fixture(scope="module")
def followup():
    return derive_tables(read_cohort(ROOT / "tests" / "cohorts" / "followup"))


def test_relapse_after_cart2_with_its_site_and_antigen(followup):
    # fu03: relapse 2022-05-25, 180 days after CART2 (2021-11-26), marrow, CD19-negative
    assert outcomes.relapses_after(_claims(followup)) == (
        "After CART2, 1 patient relapsed, 6.0 months after infusion, in the marrow only, with "
        "CD19-negative disease.")


def test_several_relapses_read_as_one_sentence(followup):
    """Two relapses (fu03's and one more, 180 days after fu01's CART2, extramedullary with
    both antigens): sites and antigens counted, joined as a sentence, not by semicolons."""
    events = followup["adevents"]
    relapse = events[(events["event"] == "relapse") & (events["after_course"] == 2)]
    other = relapse.assign(patient_id="fu01", site="testis", cd19="positive")
    text = outcomes.relapses_after(_claims({**followup, "adevents": pd.concat([events, other])}))
    assert text == ("After CART2, 2 patients relapsed, a median of 6.0 months after infusion: "
                    "in the marrow only in 1 and extramedullary only in 1; CD19-negative disease "
                    "in 1.")
    assert text.count(";") == 1


def test_later_courses_and_their_outcome(followup):
    # fu03's CART3: blasts 2%, MRD 0.5% after it, no later relapse or death: CR with MRD
    assert outcomes.later_courses(_claims(followup)) == (
        "A third CAR-T course was given to 1 patient. After it, no patient reached MRD-negative "
        "CR and no patient relapsed; at the cut-off, 1 was in CR with detectable MRD.")


def test_no_relapse_and_no_later_course_in_words(followup):
    tables = dict(followup)
    tables["adevents"] = followup["adevents"][followup["adevents"]["event"] != "relapse"]
    tables["adcourse"] = followup["adcourse"][followup["adcourse"]["course"] <= 2]
    assert outcomes.relapses_after(_claims(tables)) == "No patient relapsed after CART2."
    assert outcomes.later_courses(_claims(tables)) == "No patient received a CAR-T course after CART2."


def test_another_cohorts_paragraphs_name_no_published_patient(followup):
    claims = Claims(followup, published_precision=False)
    text = paragraphs.course_statements(claims) + paragraphs.expansion(claims)
    assert "pt0" not in text and "do not apply" not in text
    assert "After CART2, 1 patient relapsed" in text


def _series(followup, patients: dict[str, list[float]], days: list[int]) -> dict:
    """The follow-up cohort with CART2 CAR copies replaced by the given series (one per
    patient, on ``days``), written by hand."""
    rows = followup["adlb"]
    template = rows[(rows["parameter"] == "total CAR") & (rows["course"] == 2)].iloc[[0]]
    series = [template.assign(patient_id=p, value=v, study_day=d, value_qualifier="")
              for p, values in patients.items() for v, d in zip(values, days, strict=True)]
    return {**followup, "adlb": pd.concat(series, ignore_index=True)}


def test_latest_copy_peak_and_the_decline_after_it(followup):
    # one patient, by hand: peak 1000 on day 7, 250 on day 28 (25.0% of it)
    one = _series(followup, {"fu01": [100.0, 1000.0, 500.0, 250.0]}, [1, 7, 14, 28])
    assert outcomes.copies_peak(_claims(one)) == (
        "Copies peaked at 1.00 × 10^3^ copies/µg DNA on day 7; after the latest peak (day 7) "
        "they fell to 25.0% of it by day 28; copies fell at every sample after the peak in "
        "each patient.")
    # two: peaks 1000 (day 7) and 3000 (day 14, the latest), 30 on day 28 (1.0%); fu02's
    # copies rise again on day 28, so they fell after the peak in one of the two
    two = _series(followup, {"fu01": [100.0, 1000.0, 500.0, 800.0],
                             "fu02": [10.0, 300.0, 3000.0, 30.0]}, [1, 7, 14, 28])
    assert outcomes.copies_peak(_claims(two)) == (
        "Copies peaked at a median of 2.00 × 10^3^ copies/µg DNA, by day 14 at the latest; "
        "after the latest peak (day 14) they fell to 1.0% of it by day 28; copies fell at "
        "every sample after the peak in 1 of the 2 patients.")
    assert outcomes.copies_peak(_claims(_series(followup, {"fu01": [1.0] * 3}, [1, 7, 14]))) == ""


def test_relapses_all_at_one_site_say_so(followup):
    events = followup["adevents"]
    relapse = events[(events["event"] == "relapse") & (events["after_course"] == 2)]
    other = relapse.assign(patient_id="fu01")
    text = outcomes.relapses_after(_claims({**followup, "adevents": pd.concat([events, other])}))
    assert ": all in the marrow only; CD19-negative disease in 2." in text
    assert " in 2;" not in text
