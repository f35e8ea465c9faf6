"""The ledger under a cohort's own settings: the article's cohort keeps the article's
reading; another cohort computes EFS under its study sheet's rule and checks its own cut-off,
and sets apart the statements about the published patients."""

from __future__ import annotations

import pytest

from analysis.common.paths import ROOT
from analysis.derivations.adam import derive_tables
from analysis.ledger.claims import Claims, compute, evaluate, load_ledger
from analysis.ledger.settings import about_published_patients, cohort_ledger, study_settings
from analysis.report import abstract, prose
from analysis.sheets.cohort import read_cohort

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"


@pytest.fixture(scope="module")
def followup():
    cohort = read_cohort(FOLLOWUP)
    return derive_tables(cohort), study_settings(cohort["study"].iloc[0])


def test_the_articles_cohort_keeps_the_articles_reading():
    assert cohort_ledger(None) == load_ledger()
    assert about_published_patients(None) == []


def test_another_cohorts_efs_is_computed_under_its_rule(followup):
    tables, settings = followup
    assert settings == {"efs_rule": "induction_failure", "data_cutoff": "2024-06-30"}
    ledger = evaluate(tables, cohort_ledger(settings)).set_index("id")
    # by hand (tests/cohorts/followup): fu02 and fu05 fail induction (day 0, 2 of 6 events),
    # fu01 is censored at HSCT on day 90, fu03 relapses and fu04 dies on day 180 (2 of the 3
    # still at risk): (4/6) * (1/3) at 6 and at 12 months
    for claim in ("efs_6m", "efs_12m"):
        assert ledger.loc[claim, "value"] == pytest.approx(100 * 4 / 6 / 3)
    written = evaluate(tables).set_index("id")  # the article's readings would differ
    assert written.loc["efs_6m", "computed"] != ledger.loc["efs_6m", "computed"]


def test_the_paper_prints_the_ledgers_efs(followup):
    tables, settings = followup
    claims = Claims(tables, published_precision=False, spans=True,
                    ledger=cohort_ledger(settings))
    sentence = prose.survival(claims, settings["efs_rule"])
    assert sentence.startswith('EFS was [22%]{data-claim="efs_6m"} at 6 months and '
                               '[22%]{data-claim="efs_12m"} at 12 months (n = '
                               '[6]{data-claim="efs_rule_induction_failure_patients"})')
    summary = abstract.abstract(claims, settings["efs_rule"], False)
    assert '[22%]{data-claim="efs_6m"}' in summary


def test_the_cutoff_claim_uses_the_studys_cutoff(followup):
    tables, settings = followup
    claim = {c.id: c for c in cohort_ledger(settings)}["follow_up_by_cutoff"]
    assert claim.args["where"] == "event_date <= '2024-06-30'"
    written = {c.id: c for c in load_ledger()}["follow_up_by_cutoff"]
    assert written.args["where"] == "event_date <= '2022-08-31'"  # the article's
    # fu01's and fu03's last contacts (June 2024) are after the article's cut-off, not the study's
    assert compute(claim, tables) == 1.0 and compute(written, tables) == 0.0


def test_claims_about_the_published_patients_are_set_apart(followup):
    tables, settings = followup
    ledger = cohort_ledger(settings)
    apart = about_published_patients(settings)
    assert len(ledger) + len(apart) == len(load_ledger())
    assert {c.id for c in apart} == {c.id for c in load_ledger() if c.cohort}
    assert not any("pt0" in f"{c.id} {c.what} {c.published}" for c in ledger)
    claims = Claims(tables, published_precision=False, ledger=ledger)
    assert not claims.applies("pt03_mrd_pre")  # set apart, even for a patient named pt03


def test_a_setting_naming_no_setting_is_refused(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text('claims:\n  - {id: x, where: w, what: w, published: "1", style: count, '
                    'setting: {rule: "{efs}"}, compute: {function: count, '
                    'args: {table: adsl}}}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="setting .* names 'efs'; expected templates"):
        load_ledger(path)
