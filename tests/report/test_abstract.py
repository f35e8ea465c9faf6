"""The abstract (analysis.report.abstract) reports the cohort's results, each number in its
claim span, for the bundled cohort and for the hand-written follow-up cohort."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.derivations.adam import derive_tables
from analysis.ledger.claims import Claims
from analysis.report.abstract import abstract
from analysis.sheets.cohort import read_cohort

FOLLOWUP = Path(__file__).parents[1] / "cohorts" / "followup"
SPAN = re.compile(r'\[([^\]]*)\]\{data-claim="([\w.-]+)"\}')


def _results(text: str) -> str:
    return next(p for p in text.split("\n\n") if p.startswith("**Results.**"))


def _unclaimed_numbers(paragraph: str) -> list[str]:
    """Numbers outside claim spans (not the horizons "at 6 months", "grade 3", "day 0")."""
    outside = SPAN.sub(" ", paragraph)
    outside = re.sub(r"at (6|12) months|grade 3|day 0", " ", outside)
    return re.findall(r"(?<![\w-])\d+(?:\.\d+)?%?(?![\w-])", outside)


def test_bundled_abstract_states_response_toxicity_follow_up_and_survival(bundled_tables):
    text = _results(abstract(Claims(bundled_tables, spans=True), "hsct_censored", True))
    spans = {claim: shown for shown, claim in SPAN.findall(text)}
    for claim in ("n_patients", "orr_cart2", "n_crs_any", "n_crs_grade3plus",
                  "n_neurotoxicity", "follow_up_median", "os_6m", "os_12m", "efs_6m",
                  "efs_12m", "n_hsct_after_cart2"):
        assert claim in spans, claim
    claims = Claims(bundled_tables)
    assert spans["orr_cart2"] == claims.text("orr_cart2")
    assert spans["efs_12m"] == claims.text("efs_12m")
    assert "does not state" in text  # the 12-month EFS holds only under another reading
    assert not _unclaimed_numbers(text), text


def test_zero_counts_are_words(bundled_tables):
    claims = Claims(bundled_tables, spans=True)
    text = _results(abstract(claims, "hsct_censored", True))
    assert claims.value("n_crs_grade3plus") == 0 and claims.value("n_neurotoxicity") == 0
    assert '[none]{data-claim="n_crs_grade3plus"} of grade 3 or higher' in text
    assert '[no neurotoxicity]{data-claim="n_neurotoxicity"} was recorded' in text


@pytest.fixture(scope="module")
def followup_tables():
    return derive_tables(read_cohort(FOLLOWUP))


def test_followup_abstract_is_worded_from_its_own_results(followup_tables):
    text = _results(abstract(Claims(followup_tables, published_precision=False, spans=True),
                             "induction_failure", False))
    # by hand from tests/cohorts/followup (see test_followup.py): 6 patients, 4 of them in
    # MRD-negative CR (fu02 never in CR, fu05 without a CSF examination), CRS of grade 3 in fu04
    assert '[6 patients]{data-claim="n_patients"}' in text
    assert '[67% (4 of 6)]{data-claim="orr_cart2"}' in text
    assert 'of grade 3 or higher in [1 patient]{data-claim="n_crs_grade3plus"}' in text
    assert "under the study's rule" in text and "no CR after the infusion" in text
    assert "does not state" not in text  # the published cohort's reading is not carried over
    # EFS under the study's rule (induction_failure) from its computed: entries (4 events of
    # 6, 22% at 6 and 12 months; test_followup.py), so every number carries its claim
    assert ('[22%]{data-claim="efs_rule_induction_failure_6m"} at 6 months and '
            '[22%]{data-claim="efs_rule_induction_failure_12m"} at 12 months') in text
    assert not _unclaimed_numbers(text), text
