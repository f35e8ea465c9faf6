"""A consistency audit of the article: can each stated method give the reported result?

Each check takes the claims ledger (published values) and, where needed, the derived
tables, and returns a :class:`Finding` with its evidence. Checks never change a claim; they
say where the article cannot be right as written and which variant reproduces it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.claims import Claim, _published_number, load_ledger
from analysis.formatting import plural, scientific
from analysis.results import Tables, km_estimate
from analysis.statistics import attainable_mann_whitney_p, attainable_percentages
from analysis.units import Q_

EFS_RULE_NAMES = {
    "hsct_event": "transplantation counted as an event (the stated event list)",
    "hsct_censored": "censored at transplantation (the stated censoring rule)",
    "hsct_ignored": "transplantation neither event nor censoring",
}


@dataclass(frozen=True)
class Finding:
    """The outcome of one audit check."""

    check: str
    consistent: bool
    evidence: str


def _claims(ledger: list[Claim] | None) -> dict[str, Claim]:
    return {c.id: c for c in (ledger or load_ledger())}


def _value(claims: dict[str, Claim], claim_id: str) -> float:
    return _published_number(claims[claim_id])


def mann_whitney_p_values(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """Are the published Mann–Whitney P values attainable with the groups' sizes?"""
    claims = _claims(ledger)
    findings = []
    for claim in (c for c in claims.values() if c.function == "mann_whitney_p"):
        column = claim.args["column"]
        frame = tables["adcourse"]
        n1 = int(frame.loc[frame["course"] == 1, column].notna().sum())
        n2 = int(frame.loc[frame["course"] == 2, column].notna().sum())
        possible = attainable_mann_whitney_p(n1, n2) if n1 and n2 else []
        published = _value(claims, claim.id)
        if n1 and n2 and not possible:
            findings.append(Finding(
                f"{claim.id}: Mann–Whitney P with {n1} and {n2} observations", True,
                f"published P = {claim.published}; groups this large are tested with the "
                "normal approximation, whose P values are not restricted to a grid"))
            continue
        ok = any(math.isclose(published, p, abs_tol=0.05) for p in possible)
        findings.append(Finding(
            f"{claim.id}: exact two-sided Mann–Whitney P with {n1} and {n2} observations",
            ok, f"published P = {claim.published}; attainable P values: "
                + ", ".join(f"{p:.3g}" for p in possible)
                + (f"; the smallest, {min(possible):.3g}, is above 0.05" if possible and
                   min(possible) > 0.05 else "")))
    return findings


def percentages(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """Is each published percentage a multiple of 1/n for the group it describes?

    Kaplan–Meier estimates can leave that grid when patients are censored before the time
    point; they are reported against the plain k/n grid too."""
    claims = _claims(ledger)
    n = int(tables["adsl"]["patient_id"].nunique())
    possible = attainable_percentages(n)
    findings = []
    for claim in claims.values():
        if claim.function not in ("percent", "km_estimate"):  # whole-cohort percentages
            continue
        value = _published_number(claim)
        ok = any(math.isclose(value, p, abs_tol=0.5) for p in possible)
        findings.append(Finding(
            f"{claim.id}: {claim.published} of {plural(n, 'patient')}", ok,
            f"with {plural(n, 'patient')} the possible percentages are "
            + ", ".join(f"{p:g}%" for p in possible)))
    return findings


def survival_rules(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """The published EFS estimates under each censoring rule the article's text allows."""
    claims = _claims(ledger)
    findings = []
    for claim in (c for c in claims.values() if c.function == "km_estimate"
                  and c.args.get("parameter") == "EFS"):
        months = claim.args["months"]
        results = {rule: km_estimate(tables, "EFS", months, rule) for rule in EFS_RULE_NAMES}
        published = _published_number(claim)
        matching = [r for r, v in results.items() if math.isclose(v, published, abs_tol=0.5)]
        stated = [r for r in ("hsct_event", "hsct_censored") if r in matching]
        evidence = "; ".join(f"{EFS_RULE_NAMES[r]}: {v:.0f}%" for r, v in results.items())
        findings.append(Finding(
            f"{claim.id}: EFS {claim.published} at {months} months under the stated rules",
            bool(stated),
            f"published {claim.published}. {evidence}. The manuscript uses "
            f"'{EFS_RULE_NAMES[claim.args['rule']]}'"
            + ("" if stated else ", the only rule that reproduces the published value")))
    return findings


def ages_and_intervals(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """Age at CART2 must equal age at CART1 plus the CART1-to-CART2 interval, per patient,
    and the published extremes must allow it."""
    claims = _claims(ledger)
    courses = tables["adcourse"].pivot(index="patient_id", columns="course", values="age_years")
    interval = tables["adsl"].set_index("patient_id")["cart1_to_cart2_months"]
    gap_years = Q_(interval.to_numpy(dtype=float), "month_30d").to("year").magnitude
    difference = (courses.get(2) - courses.get(1)).reindex(interval.index) - gap_years
    worst = float(difference.abs().max())
    per_patient = Finding(
        "age at CART2 = age at CART1 + CART1-to-CART2 interval (each patient)",
        worst < 0.005, f"largest discrepancy {worst:.4f} years over {plural(len(interval), 'patient')}")
    span_max = _value(claims, "age_cart2_max") - _value(claims, "age_cart1_max")
    span_min = _value(claims, "age_cart2_min") - _value(claims, "age_cart1_min")
    low, high = _value(claims, "cart1_to_cart2_min"), _value(claims, "cart1_to_cart2_max")
    in_range = [Q_(s, "year").to("month_30d").magnitude for s in (span_max, span_min)]
    published = Finding(
        "published age ranges against the published interval range",
        all(low - 0.05 <= s <= high + 0.05 for s in in_range),
        f"oldest: {span_max:.2f} y = {in_range[0]:.2f} months; youngest: {span_min:.2f} y = "
        f"{in_range[1]:.2f} months; published CART1-to-CART2 range {low}–{high} months")
    return [per_patient, published]


def doses(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """Total dose = CD19 + CD22 dose and the published ratio range against the dose ranges."""
    claims = _claims(ledger)
    cart2 = tables["adcourse"][tables["adcourse"]["course"] == 2]
    gap = (cart2["dose_total_per_kg"] - cart2["dose_cd19_per_kg"]
           - cart2["dose_cd22_per_kg"]).abs().max()
    findings = [Finding("total CART2 dose = CD19 dose + CD22 dose (each patient)",
                        bool(gap < 1), f"largest difference {gap:.3g} cells/kg")]
    low = _value(claims, "cd19_dose_min") + _value(claims, "cd22_dose_min")
    high = _value(claims, "cd19_dose_max") + _value(claims, "cd22_dose_max")
    coincide = (math.isclose(low, _value(claims, "cart2_dose_min"), rel_tol=0.02)
                and math.isclose(high, _value(claims, "cart2_dose_max"), rel_tol=0.02))
    findings.append(Finding(
        "published total-dose range against the CD19 and CD22 ranges", coincide,
        f"sum of minima {scientific(low, 3, markup=False)} vs published minimum "
        f"{claims['cart2_dose_min'].published}; sum of maxima "
        f"{scientific(high, 3, markup=False)} vs published maximum "
        f"{claims['cart2_dose_max'].published}"
        + (" (the extremes coincide, so one patient had both lowest doses and one both "
           "highest)" if coincide else "")))
    ratio_low = _value(claims, "cd22_dose_min") / _value(claims, "cd19_dose_min")
    ratio_high = _value(claims, "cd22_dose_max") / _value(claims, "cd19_dose_max")
    findings.append(Finding(
        "published ratio range against the dose extremes",
        round(ratio_low, 1) == _value(claims, "ratio_min")
        and round(ratio_high, 1) == _value(claims, "ratio_max"),
        f"CD22/CD19 of the lowest doses {ratio_low:.3f} (published 1:{_value(claims, 'ratio_min')})"
        f"; of the highest {ratio_high:.3f} (published 1:{_value(claims, 'ratio_max')})"))
    return findings


def month_convention(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """Which month length turns whole days into every published interval in months?"""
    claims = _claims(ledger)
    intervals = [c for c in claims.values() if c.id.startswith(("cart1_to", "bca_",
                                                                 "follow_up"))]
    findings = []
    for days_per_month in (30.0, 365.25 / 12):
        unreachable = []
        for claim in intervals:
            value = _published_number(claim)
            decimals = len(claim.published.split(".")[1]) if "." in claim.published else 0
            centre = round(value * days_per_month)
            if not any(round(d / days_per_month, decimals) == value
                       for d in range(centre - 2, centre + 3)):
                unreachable.append(claim.published)
        findings.append(Finding(
            f"months of {days_per_month:g} days give every published interval from whole days",
            not unreachable,
            f"{len(intervals) - len(unreachable)} of {len(intervals)} reachable"
            + (f"; not reachable: {', '.join(unreachable)}" if unreachable else "")))
    return findings


def complete_remission_definition(tables: Tables, ledger: list[Claim] | None = None
                                  ) -> list[Finding]:
    """The CR definition needs blood counts; say whether the sheets can check it."""
    has_counts = any("platelet" in c or "neutrophil" in c for c in tables["adrs"].columns)
    return [Finding("CR definition (count recovery) can be checked from the data", has_counts,
                    "the sheets hold no platelet or neutrophil counts; CR here uses marrow, "
                    "CSF and extramedullary findings only" if not has_counts else
                    "blood counts present")]


CHECKS = [mann_whitney_p_values, percentages, survival_rules, ages_and_intervals, doses,
          month_convention, complete_remission_definition]


def run(tables: Tables, ledger: list[Claim] | None = None) -> pd.DataFrame:
    """Every audit finding as a table (check, consistent, evidence)."""
    ledger = ledger or load_ledger()
    rows = [finding.__dict__ for check in CHECKS for finding in check(tables, ledger)]
    return pd.DataFrame(rows, columns=["check", "consistent", "evidence"])
