"""The published numbers come out of the bundled sheets; changing a raw value breaks them."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd

from analysis.common.formatting import render
from analysis.common.paths import ROOT
from analysis.derivations.adam import derive_tables
from analysis.ledger.claims import Claims, compute, evaluate, harmonised_styles, load_ledger, span
from analysis.sheets.cohort import read_cohort


def test_every_published_number_is_reproduced_or_says_why_not(bundled_derived):
    ledger = evaluate(bundled_derived)
    failing = ledger[~ledger["agrees"] & (ledger["note"] == "")]
    assert failing.empty, failing[["id", "published", "computed"]].to_string()
    assert (ledger.loc[~ledger["agrees"], "category"] == "not reproducible").all()


def test_ledger_covers_the_article(bundled_derived):
    ledger = load_ledger()
    assert len(ledger) >= 60
    sections = {c.where.split(",")[0].split(" ")[0] for c in ledger}
    assert {"Abstract", "Methods", "Results", "Discussion", "Additional"} <= sections


def test_reconstruction_constraints_per_patient(bundled_tables):
    """Ages add up with intervals, and totals with their parts, for every patient."""
    course = bundled_tables["adcourse"].pivot(index="patient_id", columns="course",
                                              values="age_years")
    interval = bundled_tables["adsl"].set_index("patient_id")["cart1_to_cart2_months"]
    # to the 10 significant digits the derived tables keep (ages of 5 to 16 years)
    assert ((course[2] - course[1]) - interval * 30 / 365.25).abs().max() < 1e-7
    cart2 = bundled_tables["adcourse"][bundled_tables["adcourse"]["course"] == 2]
    parts = cart2["dose_cd19_per_kg"] + cart2["dose_cd22_per_kg"]
    assert (cart2["dose_total_per_kg"] - parts).abs().max() < 1


def test_claims_follow_the_data(cohort_copy):
    """Raising the oldest age at diagnosis changes that claim and only claims that use it."""
    path = cohort_copy / "patients.csv"
    patients = pd.read_csv(path, dtype=str, keep_default_na=False)
    oldest = patients["age_at_diagnosis"].astype(float).idxmax()
    patients.loc[oldest, "age_at_diagnosis"] = "12.50"
    patients.to_csv(path, index=False)
    ledger = evaluate(derive_tables(read_cohort(cohort_copy))).set_index("id")
    assert not ledger.loc["age_dx_max", "agrees"]
    assert ledger.loc["age_dx_max", "category"] == "not reproducible"
    assert ledger.loc["age_dx_max", "computed"] == "12.5"
    assert ledger.loc["age_dx_median", "agrees"]


def test_categories_are_honest(bundled_derived):
    """Agreement alone is not 'reproduced': values typed into the sheets are circular and the
    EFS estimate that needs another reading is explained, with its reason."""
    ledger = evaluate(bundled_derived).set_index("id")
    assert set(ledger["category"]) <= {"reproduced", "explained", "circular", "data gap",
                                       "not reproducible"}
    assert (ledger.loc[ledger["category"] != "reproduced", "note"] != "").all()
    assert ledger.loc["efs_12m", "category"] == "explained"
    assert "cannot give 80%" in ledger.loc["efs_12m", "note"]
    assert ledger.loc["pt03_peak_copies", "category"] == "circular"
    assert ledger.loc["n_car_t_related_death", "category"] == "data gap"
    assert ledger.loc["age_dx_median", "category"] == "reproduced"
    claims = {c.id: c for c in load_ledger()}
    assert not any(c.circular and c.explained for c in claims.values())
    for exact in ("crs_duration_min", "crs_duration_max"):  # "lasted for 7-14 days"
        assert claims[exact].relation == "=", exact


def test_bounds_are_compared_as_bounds_and_printed_with_their_relation(bundled_derived):
    """"within 1 week" is <= 7 and "within 6 days" <= 6: an earlier day agrees, a later
    one does not, and the relation is printed with the published value."""
    from analysis.ledger.claims import agrees, stated

    claims = {c.id: c for c in load_ledger()}
    for claim_id, bound in (("peak_day_latest", 7), ("cd4cd8_inversion_day", 6)):
        claim = claims[claim_id]
        assert claim.relation == "<=" and float(claim.published) == bound
        assert agrees(claim, bound - 2.0) and agrees(claim, float(bound))
        assert not agrees(claim, bound + 1.0)
    assert stated("7", "<=") == "≤ 7" and stated("90%", ">") == "> 90%"
    viability = claims["release_viability"]
    assert viability.relation == ">" and not agrees(viability, 90.0)
    ledger = evaluate(bundled_derived).set_index("id")
    assert ledger.loc["peak_day_latest", "stated"] == "≤ 7"


def test_release_criteria_hold_for_each_product(bundled_derived, cohort_copy):
    """Transduction and viability are tested on every single product of every course, not
    on a course's mean: the lowest single product is what the claim computes."""
    products = pd.read_csv(ROOT / "data-raw" / "products.csv")
    ledger = evaluate(bundled_derived).set_index("id")
    assert float(ledger.loc["release_transduction", "value"]) == products[
        "transduction_efficiency"].min()
    assert float(ledger.loc["release_viability", "value"]) == products["viability"].min()
    path = cohort_copy / "products.csv"
    changed = products.copy()
    cart1 = changed.index[changed["course"] == 1][0]
    changed.loc[cart1, "viability"] = 90.0  # not above 90%: fails, even at CART1
    changed.loc[changed.index[changed["course"] == 2][0], "transduction_efficiency"] = 19.0
    changed.to_csv(path, index=False)
    again = evaluate(derive_tables(read_cohort(cohort_copy))).set_index("id")
    assert again.loc["release_viability", "category"] == "not reproducible"
    assert again.loc["release_transduction", "category"] == "not reproducible"


def test_efs_12m_explanation_states_its_conditions(bundled_derived):
    """The ignored reading gives 80% only with the loss to follow-up after the relapse, and
    the censoring rule fails only through the transplant days the reconstruction chose: the
    note names both, with the days the sheets hold."""
    from analysis.results.measures import km_estimate

    note = {c.id: c for c in load_ledger()}["efs_12m"].explained
    events = bundled_derived["adevents"]
    after = events[events["after_course"] == 2]
    lost = after.loc[after["event"] == "lost_to_follow_up", "days_from_course"]
    relapse = after.loc[after["event"] == "relapse", "days_from_course"]
    transplants = sorted(int(d) for d in after.loc[after["event"] == "hsct", "days_from_course"])
    assert f"day {int(relapse.iloc[0])}" in note and f"day {int(lost.iloc[0])}" in note
    assert "lost to follow-up" in note and "75%" in note
    assert ", ".join(map(str, transplants[:-1])) + f" and {transplants[-1]}" in note
    # the condition is real: lost before the relapse, the ignored reading gives 75%
    moved = {k: v.copy() for k, v in bundled_derived.items()}
    tte = moved["adtte"]
    row = ((tte["paramcd"] == "EFS") & (tte["rule"] == "hsct_ignored") & (tte["cnsr"] == 1)
           & (tte["aval_months"] < 12))
    assert row.sum() == 1
    tte.loc[row, "aval_months"] = float(relapse.iloc[0]) / 30 - 1
    assert round(km_estimate(moved, "EFS", 12, "hsct_ignored")) == 75


def test_ledger_holds_categorical_facts(bundled_derived):
    """Yes/no facts and patient lists are computed, and a changed fact is caught."""
    ledger = evaluate(bundled_derived).set_index("id")
    assert len(ledger) >= 175
    assert ledger.loc["tocilizumab_for_grade2", "computed"] == "yes"
    assert ledger.loc["patients_hsct_after_cart2", "computed"] == "pt03, pt04, pt05"
    changed = {k: v.copy() for k, v in bundled_derived.items()}
    cart2 = changed["adcourse"]["course"] == 2
    changed["adcourse"].loc[cart2, "tocilizumab"] = "yes"
    again = evaluate(changed).set_index("id")
    assert again.loc["tocilizumab_for_grade2", "category"] == "not reproducible"


def test_p_values_tell_exact_from_approximate_tests(bundled_derived):
    """At the ledger's three decimals the normal approximation would not pass; at the
    article's one decimal it prints the same, which the README says."""
    from scipy import stats

    frame = bundled_derived["adcourse"]
    for claim in (c for c in load_ledger()
                  if c.function == "mann_whitney_p" and c.relation == "="):
        column = claim.args["column"]
        groups = [frame.loc[frame["course"] == k, column].dropna() for k in (1, 2)]
        approximate = stats.mannwhitneyu(*groups, method="asymptotic").pvalue
        computed = compute(claim, bundled_derived)
        assert render(computed, claim.style, published=True) == claim.published
        assert render(approximate, claim.style, published=True) != claim.published
        # at the article's one decimal both print alike: its values cannot tell the tests apart
        assert render(approximate, "decimals:1", published=True) == claim.published
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "cannot both pass" not in readme
    assert "a normal approximation prints the same 0.2 and 0.4" in readme


def test_verify_fails_when_a_raw_value_changes(cohort_copy, bundled_derived, tmp_path):
    """A copy of the sheets is another cohort (the article's comparison is information), so
    the change is caught against the values frozen from the bundled cohort."""
    from analysis.ledger import lock

    frozen = tmp_path / "bundled.csv"
    lock.freeze(evaluate(bundled_derived), frozen)
    path = cohort_copy / "qpcr.csv"
    text = path.read_text().replace(",100650,", ",100000,")
    path.write_text(text)
    result = subprocess.run([sys.executable, "-m", "analysis.verify", "--data-raw",
                             str(cohort_copy), "--against", str(frozen)], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "pt03_peak_copies: frozen 100650.0, now 100000.0" in result.stderr
    before = evaluate(bundled_derived)["category"].value_counts()
    assert re.search(rf"not reproducible\s+{before.get('not reproducible', 0) + 1}\n",
                     result.stdout)
    explained = before.get("explained", 0)
    assert re.search(rf"explained \(only under another reading\)\s+{explained}\n",
                     result.stdout)


def test_inline_text_is_the_ledger_value(bundled_derived):
    claims = Claims(bundled_derived)
    assert claims.text("cart2_dose_median") == "1.1 × 10^7^"
    assert claims.text("efs_12m") == "80%"


def test_counts_read_right_for_one_and_for_many(bundled_derived):
    counted = Claims(bundled_derived).counted("patient")
    assert counted["n_patients"].data == span("n_patients", "5 patients")
    assert counted["n_bcr_abl1"].data == span("n_bcr_abl1", "1 patient")
    assert "age_dx_median" not in counted  # not a count


def test_ranges_of_other_cohorts_share_one_precision():
    styles = harmonised_styles(load_ledger())
    published = {c.id: c.style for c in load_ledger()}
    assert published["age_cart2_min"] != published["age_cart2_max"]  # 6.96-15.1 as printed
    assert styles["age_cart2_min"] == styles["age_cart2_max"] == styles["age_cart2_median"]
    assert styles["n_patients"] == "count"


def test_added_statements_are_computed_and_follow_the_data(bundled_derived):
    """The statements added for issue 24 are computed by general functions, and a changed
    fact is caught."""
    added = ["cart2_from_window_start", "cart2_by_window_end", "follow_up_by_cutoff",
             "release_dose_min_all", "release_dose_max_all", "marrow_schedule_cart2",
             "il6_moves_with_copies", "ifng_moves_with_copies", "pt03_mrd_negative_26_to_322",
             "pt04_testis_resolved", "n_courses_after_cart3", "hsct_all_in_cr",
             "n_no_hsct_in_cr", "crs_onset_at_il6_rise", "crs_end_at_il6_return"]
    ledger = evaluate(bundled_derived).set_index("id")
    assert ledger.loc[added, "agrees"].all()
    changed = {k: v.copy() for k, v in bundled_derived.items()}
    adrs = changed["adrs"]
    later = adrs.index[(adrs["course"] == 2) & (adrs["study_day"] >= 7)
                       & (adrs["extramedullary"] == "none")]
    adrs.loc[later, "extramedullary"] = "testis"
    lab = changed["adlb"]
    il6 = lab["parameter"] == "IL-6"
    lab.loc[il6, "value"] = 1e6 / lab.loc[il6, "value"].clip(lower=1)  # reverse the curve
    changed["adcourse"]["crs_onset_day"] += 1
    again = evaluate(changed).set_index("id")
    assert again.loc["crs_onset_at_il6_rise", "category"] == "not reproducible"
    assert again.loc["pt04_testis_resolved", "category"] == "not reproducible"
    assert again.loc["il6_moves_with_copies", "category"] == "not reproducible"


def test_a_range_whose_ends_print_alike_reads_as_one_value():
    claims = Claims({}, published_precision=False)
    claims._values.update({"age_dx_min": 4.0, "age_dx_max": 4.0,
                           "age_cart1_min": 4.0, "age_cart1_max": 9.5})
    assert claims.between("age_dx_min", "age_dx_max") == render(4.0, claims.styles["age_dx_min"])
    assert "–" in claims.between("age_cart1_min", "age_cart1_max")


def test_a_number_about_one_patient_is_a_claim_of_that_patient(bundled_derived):
    from analysis.ledger.claims import spanned_ids, unspanned
    from analysis.ledger.entries import load_per_patient
    from analysis.report.tables import table1_notes, table2_notes

    adsl, courses = bundled_derived["adsl"], bundled_derived["adcourse"]
    claims = Claims(bundled_derived, spans=True)
    notes = table1_notes(bundled_derived, claims) + table2_notes(bundled_derived, claims)
    ids = spanned_ids(notes)
    assert {i.partition(".")[0] for i in ids} >= set(load_per_patient())  # every template used
    for claim in claims.per_patient:
        template, _, patient = claim.id.partition(".")
        assert patient in set(adsl["patient_id"]) and claim.what.endswith(patient)
        if template == "later_courses":  # as counted from the derived courses
            assert claims.value(claim.id) == ((courses["patient_id"] == patient)
                                              & (courses["course"] > 2)).sum()
    with_wbc = adsl.dropna(subset=["csf_wbc_pre_cart1_per_mm3"])
    assert {f"csf_wbc_recorded.{p}" for p in with_wbc["patient_id"]} == {
        i for i in ids if i.startswith("csf_wbc_recorded")}  # a blank count is not a claim
    assert not spanned_ids([unspanned(note) for note in notes])
    assert render(84.0, "recorded") == "84" and render(88.63, "recorded") == "88.63"
