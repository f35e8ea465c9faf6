"""Each audit check finds a problem where there is one and none where there is none, and
none of the audit's former errors can come back: verdicts about the article rest on its
stated facts (or say which reconstructed values they need), never on imputed values alone."""

from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.ledger import audit
from analysis.ledger.claims import load_ledger


def _ledger_with(**published):
    ledger = load_ledger()
    return [dataclasses.replace(c, published=published.get(c.id, c.published)) for c in ledger]


def _by_check(findings, *texts):
    return [f for f in findings if all(t in f.check for t in texts)]


def _shifted_transplants(tables, days):
    """The tables with every transplant moved by ``days`` (an imputed value)."""
    shifted = {k: v.copy() for k, v in tables.items()}
    events = shifted["adevents"]
    hsct = events["event"] == "hsct"
    events.loc[hsct, "days_from_course"] += days
    events.loc[hsct, "months_from_course"] += days / 30
    tte = shifted["adtte"]
    moved = tte["patient_id"].isin(events.loc[hsct, "patient_id"]) & (tte["rule"] != "hsct_ignored")
    tte.loc[moved, "aval_months"] += days / 30
    return shifted


def test_mann_whitney_p_attainable_and_not(bundled_derived):
    good = _by_check(audit.mann_whitney_p_values(bundled_derived), "il6_fold_p")[0]
    bad = _by_check(audit.mann_whitney_p_values(bundled_derived, _ledger_with(il6_fold_p="0.03")),
                    "il6_fold_p")[0]
    assert good.consistent and "0.10, 0.20, 0.40, 0.70, 1.0" in good.evidence
    assert not bad.consistent


def test_mann_whitney_premise_is_named_as_reconstructed(bundled_derived):
    """Error 5: the group sizes come from the sheets, and the finding says so."""
    for finding in audit.mann_whitney_p_values(bundled_derived):
        assert finding.follows_from == audit.RECONSTRUCTED
        assert "read from the sheets" in finding.depends_on
        assert "group sizes" in finding.evidence


def test_mann_whitney_sizes_read_the_published_p_as_its_interval(bundled_derived):
    """P = 0.2 at one decimal stands for 0.15 <= P < 0.25: 3 and 5 observations attain
    0.25 (which prints 0.3), not 0.2, so they are not listed."""
    from analysis.results.statistics import attainable_mann_whitney_p

    assert any(abs(p - 0.25) < 1e-9 for p in attainable_mann_whitney_p(3, 5))
    assert not any(0.15 <= p < 0.25 for p in attainable_mann_whitney_p(3, 5))
    finding = _by_check(audit.mann_whitney_p_values(bundled_derived), "il6_fold_p")[0]
    sizes = finding.evidence.split("can give 0.2: ")[1].split("; ")
    assert "3 and 5" not in sizes and "5 and 3" not in sizes and "3 and 3" in sizes
    for pair in sizes:
        a, b = map(int, pair.split(" and "))
        assert any(0.15 <= p < 0.25 for p in attainable_mann_whitney_p(a, b)), pair


def test_no_check_that_cannot_fail(bundled_derived):
    """The percentage check is gone: 100% of any group is attainable."""
    assert not hasattr(audit, "percentages")
    assert not audit.run(bundled_derived)["check"].str.contains("orr_cart2").any()


def test_efs_censoring_check_carries_the_loss_to_follow_up(bundled_derived):
    """The stated censoring rule and the ignored reading give 80% only with the loss to
    follow-up after the dated relapse (75% otherwise), and no premise takes the lost patient
    as followed past the horizon."""
    findings = audit.survival_rules(bundled_derived)
    censored = _by_check(findings, "efs_12m", "censored at transplantation")[0]
    ignored = _by_check(findings, "efs_12m", "neither event nor censoring")[0]
    assert ("only if 0 of 3 transplants before the first dated event and 0 of 1 loss to "
            "follow-up before the first dated event") in censored.evidence
    assert "1 of 1 loss to follow-up before the first dated event: 75%" in ignored.evidence
    assert "only if 0 of 1 loss" in ignored.evidence
    assert all("followed past" not in f.depends_on for f in findings)
    assert all("n_no_hsct_lost = 1" in f.depends_on for f in findings)


def test_kaplan_meier_estimates_are_not_held_to_the_k_over_n_grid(bundled_derived):
    """Error 1: 75% is not k/5 but censoring can give it."""
    ledger = _ledger_with(efs_12m="75%")
    censored = _by_check(audit.survival_rules(bundled_derived, ledger), "efs_12m", "censored")[0]
    assert censored.consistent and "1 of 3 transplants" in censored.evidence


def test_efs_verdicts_follow_from_stated_facts(bundled_derived):
    """Error 2: transplantation as an event is ruled out by stated facts alone; censoring at
    transplantation is conditional on timings the article does not give."""
    findings = audit.survival_rules(bundled_derived)
    event = _by_check(findings, "efs_12m", "counted as an event")[0]
    censored = _by_check(findings, "efs_12m", "censored at transplantation")[0]
    assert not event.consistent and event.follows_from == audit.STATED
    assert "ruled out by the stated facts" in event.evidence
    assert "pt01_relapse_months = 9" in event.depends_on and "= 322" in event.depends_on
    assert censored.consistent and "only if 0 of 3 transplants" in censored.evidence
    assert "does not give" in censored.follows_from
    assert not any("only rule" in f.evidence for f in findings)


def test_efs_verdicts_do_not_move_with_imputed_transplant_dates(bundled_derived):
    before = [(f.check, f.consistent) for f in audit.survival_rules(bundled_derived)]
    for days in (-30, 200):
        moved = audit.survival_rules(_shifted_transplants(bundled_derived, days))
        assert [(f.check, f.consistent) for f in moved] == before


def test_ages_against_intervals_use_only_published_values(bundled_derived):
    """Error 7: no per-patient check that holds by construction; the published ranges are
    checked as bounds that hold for any patients."""
    assert all(f.consistent and f.follows_from == audit.STATED
               for f in audit.ages_and_intervals(bundled_derived))
    broken = {k: v.copy() for k, v in bundled_derived.items()}
    broken["adsl"]["cart1_to_cart2_months"] += 2
    assert all(f.consistent for f in audit.ages_and_intervals(broken))
    bad = audit.ages_and_intervals(bundled_derived, _ledger_with(age_cart2_max="18.1"))
    assert not bad[1].consistent


def test_no_check_holds_by_construction(bundled_derived):
    checks = " ".join(audit.run(bundled_derived)["check"])
    assert "each patient" not in checks and "= CD19 dose + CD22 dose" not in checks


def test_doses_are_bounds_not_a_claim_about_one_patient(bundled_derived):
    """Error 3: at the published precision the lowest total need not be one patient's two
    lowest doses; the check is a bound and says nothing about who had which dose."""
    findings = audit.doses(bundled_derived)
    assert all(f.consistent for f in findings)
    assert not any("both" in f.evidence for f in findings)
    looser = audit.doses(bundled_derived, _ledger_with(cart2_dose_min="4.6 × 10^6"))
    assert looser[0].consistent  # a total above the sum of the lowest parts is possible
    bad = audit.doses(bundled_derived, _ledger_with(cart2_dose_min="3.9 × 10^6"))
    assert not bad[0].consistent


def test_ratio_extremes_need_not_sit_at_dose_extremes(bundled_derived):
    """Error 4: a highest ratio above (highest CD22)/(highest CD19) is possible."""
    assert audit.doses(bundled_derived, _ledger_with(ratio_max="1:1.4"))[1].consistent
    assert not audit.doses(bundled_derived, _ledger_with(ratio_max="1:1.2"))[1].consistent
    assert not audit.doses(bundled_derived, _ledger_with(ratio_min="1:1.1"))[1].consistent


def test_month_convention(bundled_derived):
    thirty, calendar = audit.month_convention(bundled_derived)
    assert thirty.consistent and not calendar.consistent


def test_data_gaps_are_reported_apart(bundled_derived):
    """Error 6: a gap in the sheets is not an inconsistency of the article."""
    assert not any("CR definition" in c or "remission" in c
                   for c in audit.run(bundled_derived)["check"])
    gaps = audit.data_gaps(bundled_derived)
    assert gaps["definition"].str.contains("complete remission").any()
    with_counts = dict(bundled_derived)
    with_counts["adrs"] = bundled_derived["adrs"].assign(platelets_per_ul=pd.NA)
    assert not audit.data_gaps(with_counts)["definition"].str.contains("remission").any()


def test_every_finding_names_what_it_rests_on(bundled_derived):
    findings = audit.run(bundled_derived)
    assert list(findings.columns) == audit.COLUMNS
    assert findings["follows_from"].str.startswith((audit.STATED, audit.RECONSTRUCTED)).all()
    assert (findings["depends_on"].str.len() > 0).all()


def test_a_cited_published_value_carries_its_claims_span():
    from analysis.ledger.audit import cited_in_spans

    text = "n_patients = 5 (Abstract); other_id = 3 (Results ¶2); months of 30 days"
    assert cited_in_spans(text, {"n_patients"}) == (
        'n_patients = [5]{data-claim="n_patients"} (Abstract); other_id = 3 (Results ¶2); '
        "months of 30 days")
