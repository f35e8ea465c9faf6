"""A follow-up cohort written by hand (tests/cohorts/followup, see its README): every number
the paper prints for it is checked against a value computed by hand from the sheets, at the
cohort policy's precision, and no sentence carries a fact of the published cohort."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.common.paths import cohort_paths
from analysis.derivations.adam import derive_tables
from analysis.ledger.claims import Claims
from analysis.report import prose
from analysis.sheets.cohort import read_cohort

FOLLOWUP = Path(__file__).parent / "cohorts" / "followup"


@pytest.fixture(scope="module")
def tables():
    return derive_tables(read_cohort(FOLLOWUP))


@pytest.fixture(scope="module")
def claims(tables):
    return Claims(tables, published_precision=False)


def test_doses_at_three_significant_figures(claims):
    # CART2 totals: 200/20 (20 kg given as 44.09 lb), 300/25, 390/30, 278/20, 464/40,
    # 330/30 million cells per kg
    assert claims.text("cart2_dose_min") == "1.00 × 10^7^"
    assert claims.text("cart2_dose_max") == "1.39 × 10^7^"
    assert claims.text("cart2_dose_median") == "1.18 × 10^7^"  # (1.16 + 1.20) / 2


def test_exact_mann_whitney_p_at_two_significant_figures(claims):
    # IL-6 fold changes 2, 3, 4, 5 after CART1 and 10, 20, 30, 40 after CART2 (one of them
    # in ng/mL, one in ng/L): complete separation of 4 and 4, exact two-sided P = 2/70
    assert claims.text("il6_fold_cart2") == "25.00"  # at the CART1 value's two decimals
    assert claims.p("il6_fold_p") == "P = 0.029"
    assert claims.p("il6_peak_p") == "P = 0.029"


def test_remission_needs_negative_csf(claims):
    # fu02 never reached CR; fu05's day-28 marrow is clear but its CSF was not examined
    assert claims.text("orr_cart2") == "67% (4 of 6)"


def test_short_durations_in_days(claims):
    # MRD-negative CR on day 10 (fu01), 14 (fu04) and 28 (fu03, fu06)
    assert claims.duration("time_to_mrd_neg_min", "time_to_mrd_neg_max") == "10–28 days"
    # CART1 to relapse: 180, 90, 180, 210, 150 and 241 days
    assert claims.duration("cart1_to_relapse_median", "cart1_to_relapse_min",
                           "cart1_to_relapse_max") == "6.0 months (3.0–8.0)"  # 241 d = 8.03


def test_lymphodepletion_worded_from_the_sheets(claims):
    text = prose.lymphodepletion(claims)
    assert "fludarabine 30 mg/m² daily on days −5 to −3" in text
    assert "cyclophosphamide 500 mg/m² daily on days −5 and −4" in text
    assert "was the same as before CART1" in text
    assert "raised" not in text and "−2" not in text


def test_cytokine_copies_relation_from_a_rank_correlation(claims):
    # pairs (IL-6, copies): (100, 5000) (50, 20000) (20, 8000) (300, 30000) (80, 60000)
    # (15, 1000); rank differences 3, -1, -1, 1, -2, 0: rho = 1 - 6 * 16 / (6 * 35)
    assert claims.value("il6_copies_pairs") == 6 and claims.value("il6_copies_patients") == 2
    assert claims.value("il6_copies_rho") == pytest.approx(1 - 96 / 210)
    text = prose.moved_with(claims)
    assert "IL-6 tended to rise and fall with the CAR copy number (Spearman ρ = 0.54" in text
    assert "not independent, so no P value is given" in text and "P =" not in text
    assert "Too few same-day IFN-γ and CAR copy samples were taken" in text  # no IFN-γ


def test_cd4cd8_only_from_pairs_with_both_values(claims):
    # fu01: 1.5 before, 0.6 after; fu03 has only post-infusion values, fu05 only a
    # pre-infusion one: neither counts
    assert claims.text("n_cd4cd8_reduced") == "100% (1 of 1)"
    text = prose.cd4cd8(claims)
    assert "T cells (1 patient) from 1.50 to 0.60" in text  # one patient: no median
    assert "by day 7 at the latest" in text


def test_combined_relapse_reported(claims):
    text = prose.relapse_sites(claims)
    assert text == ("the relapse after CART1 was confined to the marrow in 4 patients, "
                    "isolated extramedullary in 1 patient and combined (marrow and "
                    "extramedullary) in 1 patient.")


def test_treatment_period_and_open_centres(tables, claims):
    assert prose.treatment_period(claims) == "between July 2021 and March 2022"
    assert set(tables["adsl"]["centre"]) == {"SCMC", "SCHSU", "PUMCH"}


def test_same_folder_name_never_shares_outputs(tmp_path):
    a, b = tmp_path / "a" / "cohort", tmp_path / "b" / "cohort"
    assert cohort_paths(a).derived != cohort_paths(b).derived
    assert cohort_paths(a).output.parent.name.startswith("cohort-")
    assert cohort_paths(a) == cohort_paths(tmp_path / "a" / ".." / "a" / "cohort")


def test_every_patient_ends_in_one_box_of_the_flow_chart(tables):
    from analysis.report.figures.figure1 import BRANCHES, STATUS_WORDS, flow_counts

    n = flow_counts(tables)
    branches = BRANCHES
    assert sum(n[b] for b in branches) == n["received CART2"] == 6
    for branch in branches:
        assert sum(n[f"{branch}: {s}"] for s in STATUS_WORDS) == n[branch]
    assert (n["no CR"], n["no CR, no HSCT: died"],
            n["no CR, no HSCT: lost to follow-up"]) == (2, 1, 1)


def test_efs_rules_side_by_side_with_induction_failure(tables):
    from analysis.report.tables import efs_by_rule

    from analysis.derivations.events import EFS_RULES

    table = efs_by_rule(tables, "induction_failure")
    assert "_" not in " ".join(table["rule"])  # the rules in words, never their codes
    rules = table.set_index(table["rule"].str.removesuffix(" (the study's rule)").map(
        {text[0].upper() + text[1:]: rule for rule, text in EFS_RULES.items()}))
    assert table["rule"].str.endswith("(the study's rule)").tolist() == [
        rule == "induction_failure" for rule in rules.index]
    # fu02 and fu05 fail induction (day 0); fu01 censored at HSCT (day 90); fu03 relapses
    # and fu04 dies on day 180; fu06 censored: (4/6) * (1/3) = 22%
    row = rules.loc["induction_failure"]
    assert (row["events"], row["6 months"], row["12 months"]) == ("4 of 6", "22%", "22%")
    assert rules.loc["hsct_event", "events"] == "4 of 6"


def test_status_at_cutoff_needs_mrd_negative_cr_after_the_last_course(tables):
    # By hand from the sheets: fu03's last course (CART3, 2022-07-04) has one assessment after
    # it, blasts 2% and MRD 0.5% on 2022-08-01 (CR, MRD detectable), and no later relapse,
    # death or loss: in CR with MRD, neither MRD-negative CR nor active disease.
    # fu01 (MRD <0.01% after CART2, then HSCT) and fu06 (MRD <0.01% on day 28 of CART2) stay in
    # CR; fu02 and fu04 died; fu05 was lost to follow-up.
    status = tables["adsl"].set_index("patient_id")["status_at_cutoff"].to_dict()
    assert status == {"fu01": "in CR", "fu02": "died", "fu03": "in CR with MRD",
                      "fu04": "died", "fu05": "lost to follow-up", "fu06": "in CR"}
    from analysis.report.figures.figure1 import flow_counts

    n = flow_counts(tables)
    assert n["no CR, HSCT: in CR"] + n["no CR, no HSCT: in CR"] == 0
