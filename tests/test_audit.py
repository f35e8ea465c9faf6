"""Each audit check finds a problem where there is one and none where there is none."""

from __future__ import annotations

import dataclasses

import pandas as pd

from analysis import audit
from analysis.claims import load_ledger


def _ledger_with(**published):
    ledger = load_ledger()
    return [dataclasses.replace(c, published=published.get(c.id, c.published)) for c in ledger]


def _by_check(findings, text):
    return [f for f in findings if text in f.check]


def test_mann_whitney_p_attainable_and_not(bundled_derived):
    good = _by_check(audit.mann_whitney_p_values(bundled_derived), "il6_fold_p")[0]
    bad = _by_check(audit.mann_whitney_p_values(bundled_derived, _ledger_with(il6_fold_p="0.03")),
                    "il6_fold_p")[0]
    assert good.consistent and "0.1, 0.2, 0.4, 0.7, 1" in good.evidence
    assert not bad.consistent


def test_percentages_five_patients_allow(bundled_derived):
    good = _by_check(audit.percentages(bundled_derived), "orr_cart2")[0]
    bad = _by_check(audit.percentages(bundled_derived, _ledger_with(orr_cart2="90%")),
                    "orr_cart2")[0]
    assert good.consistent and not bad.consistent


def test_survival_rules_against_published_efs(bundled_derived):
    at12 = _by_check(audit.survival_rules(bundled_derived), "efs_12m")[0]
    at6 = _by_check(audit.survival_rules(bundled_derived), "efs_6m")[0]
    assert not at12.consistent and "20%" in at12.evidence and "50%" in at12.evidence
    assert at6.consistent


def test_ages_against_intervals(bundled_derived):
    assert all(f.consistent for f in audit.ages_and_intervals(bundled_derived))
    broken = {k: v.copy() for k, v in bundled_derived.items()}
    broken["adsl"]["cart1_to_cart2_months"] = broken["adsl"]["cart1_to_cart2_months"] + 2
    assert not audit.ages_and_intervals(broken)[0].consistent
    bad = audit.ages_and_intervals(bundled_derived, _ledger_with(age_cart2_max="18.1"))
    assert not bad[1].consistent


def test_doses_against_their_parts(bundled_derived):
    assert all(f.consistent for f in audit.doses(bundled_derived))
    bad = audit.doses(bundled_derived, _ledger_with(cart2_dose_min="5.3 × 10^6",
                                                    ratio_max="1:2"))
    assert not bad[1].consistent and not bad[2].consistent


def test_month_convention(bundled_derived):
    thirty, calendar = audit.month_convention(bundled_derived)
    assert thirty.consistent and not calendar.consistent


def test_cr_definition_needs_counts(bundled_derived):
    assert not audit.complete_remission_definition(bundled_derived)[0].consistent
    with_counts = dict(bundled_derived)
    with_counts["adrs"] = bundled_derived["adrs"].assign(platelets_per_ul=pd.NA)
    assert audit.complete_remission_definition(with_counts)[0].consistent
