"""A consistency audit of the article: can each stated method give the reported result?

Each check reads the published values of the claims ledger and, where it must, the derived
tables, and returns :class:`Finding` rows. A finding says whether it follows from the
article's stated facts alone or depends on values the reconstruction chose, and names them:
a verdict about the article must never rest on an imputed value. Published numbers are read
as intervals (what their printed precision allows), so a check fails only when no values
consistent with the printed ones could pass it. Checks that hold by construction of the
reconstruction prove nothing and are not made; what the sheets cannot show is listed by
:func:`data_gaps`, apart from the findings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from analysis.common.formatting import fixed, p_value, percent, plural, scientific
from analysis.common.units import Q_
from analysis.derivations.store import Tables
from analysis.ledger.claims import Claim, _published_number, load_ledger, span
from analysis.results.measures import km_estimate
from analysis.results.statistics import attainable_mann_whitney_p, km_estimates

STATED = "the article's stated facts"
RECONSTRUCTED = "reconstructed values"
EFS_RULE_NAMES = {
    "hsct_event": "transplantation counted as an event (the stated event list)",
    "hsct_censored": "censored at transplantation (the stated censoring rule)",
    "hsct_ignored": "transplantation neither event nor censoring (not stated)",
}


@dataclass(frozen=True)
class Finding:
    """The outcome of one audit check: whether the stated method can give the published
    value, what the verdict follows from (:data:`STATED` or :data:`RECONSTRUCTED`), the
    facts or values it depends on, and the computed evidence."""

    check: str
    consistent: bool
    follows_from: str
    depends_on: str
    evidence: str


def _claims(ledger: list[Claim] | None) -> dict[str, Claim]:
    return {c.id: c for c in (ledger or load_ledger())}


def _cite(claim: Claim) -> str:
    return f"{claim.id} = {claim.published} ({claim.where})"


CITED = re.compile(r"(?<![\w.])(?P<id>[A-Za-z]\w*) = (?P<value>[^;()]+?)(?= \()")


def cited_in_spans(text: str, ids: Collection[str]) -> str:
    """``text`` with each published value it cites as :func:`_cite` writes them
    ('efs_6m = 100% (Abstract)'), of a claim among ``ids``, in the claim's span
    (:func:`analysis.ledger.claims.span`): the HTML shows that claim's provenance on it."""
    return CITED.sub(lambda m: (f"{m['id']} = {span(m['id'], m['value'])}" if m["id"] in ids
                                else m[0]), text)


def _interval(claim: Claim) -> tuple[float, float]:
    """The values that print as the published text: value ± half a unit of its last digit."""
    value = _published_number(claim)
    text = claim.published.split(" ")[0].replace("%", "").replace("1:", "", 1)
    decimals = len(text.split(".")[1]) if "." in text else 0
    unit = 10.0 ** -decimals
    if claim.style.startswith("sig") and value:
        unit *= 10.0 ** math.floor(math.log10(abs(value)))
    return value - unit / 2, value + unit / 2


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _within(value: float, interval: tuple[float, float]) -> bool:
    """Whether ``value`` rounds (half up) to the published text: low <= value < high."""
    return interval[0] <= value < interval[1]


# ---- Mann–Whitney P values ----

def mann_whitney_p_values(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """Is each published Mann–Whitney P attainable by the exact test with the groups' sizes?

    The article prints no group size with its P values; the sizes come from the sheets, so
    the verdict depends on them. The evidence also lists every pair of group sizes (up to
    the cohort's size per course) for which the published P is attainable: an exact P
    inside the interval the printed value stands for (0.2 for 0.15 <= P < 0.25)."""
    claims = _claims(ledger)
    n_patients = int(tables["adsl"]["patient_id"].nunique())
    findings = []
    for claim in (c for c in claims.values()
                  if c.function == "mann_whitney_p" and c.relation == "="):
        column, published, interval = claim.args["column"], claim.published, _interval(claim)
        frame = tables["adcourse"]
        n1 = int(frame.loc[frame["course"] == claim.args.get("first", 1), column].notna().sum())
        n2 = int(frame.loc[frame["course"] == claim.args.get("second", 2), column].notna().sum())
        depends = (f"the number of patients with {column} after each course, read from the "
                   f"sheets ({n1} and {n2}); the article does not print them with the P value")
        possible = attainable_mann_whitney_p(n1, n2) if n1 and n2 else []
        if n1 and n2 and not possible:
            findings.append(Finding(
                f"{claim.id}: Mann–Whitney P with {n1} and {n2} observations", True,
                RECONSTRUCTED, depends,
                f"published P = {published}; groups this large are tested with the normal "
                "approximation, whose P values are not restricted to a grid"))
            continue
        sizes = [f"{a} and {b}" for a in range(1, n_patients + 1)
                 for b in range(1, n_patients + 1)
                 if any(_within(p, interval) for p in attainable_mann_whitney_p(a, b))]
        findings.append(Finding(
            f"{claim.id}: exact two-sided Mann–Whitney P with {n1} and {n2} observations",
            any(_within(p, interval) for p in possible), RECONSTRUCTED, depends,
            f"published P = {published} (read as {interval[0]:g} <= P < {interval[1]:g}); "
            "attainable P values: "
            + ", ".join(p_value(p) for p in possible)
            + (f"; the smallest, {p_value(min(possible))}, is above 0.05" if possible
               and min(possible) > 0.05 else "")
            + "; group sizes (up to " + plural(n_patients, "patient") + " each) that can give "
            + f"{published}: " + ("; ".join(sizes) if sizes else "none")))
    return findings


# ---- Event-free survival under each rule ----

def _stated_events(claims: dict[str, Claim]) -> list[tuple[float, str, Claim]]:
    """(months, patient, claim) of the relapses and deaths after the analysed course whose
    timing the article states (ledger claims computed by ``event_months``)."""
    return [(_published_number(c), c.args["patient"], c) for c in claims.values()
            if c.function == "event_months" and c.args.get("event") in ("relapse", "death")]


def _stated_transplant_bounds(claims: dict[str, Claim]) -> list[tuple[float, str, list[Claim]]]:
    """(months, patient, claims): transplants the article places before a dated assessment
    (claims computed by ``event_before_assessment`` published "yes", with the day of that
    assessment from the matching ``mrd_day`` claim)."""
    bounds = []
    for claim in claims.values():
        if claim.function != "event_before_assessment" or claim.published != "yes":
            continue
        keys = {k: claim.args[k] for k in ("patient", "course", "which")}
        for day in claims.values():
            if day.function == "mrd_day" and day.args == keys:
                months = Q_(_published_number(day), "day").to("month_30d").magnitude
                bounds.append((months, claim.args["patient"], [claim, day]))
    return bounds


def _km_at(event_months: list[float], censored_months: list[float], horizon: float) -> float:
    frame = pd.DataFrame({"aval_months": event_months + censored_months,
                          "cnsr": [0] * len(event_months) + [1] * len(censored_months)})
    return 100.0 * float(km_estimates(frame, [horizon])["survival"].iloc[0])


def _scenarios(n: int, events: list[float], m: int, lost: int, rule: str,
               horizon: float) -> dict[tuple[int, int], float]:
    """EFS (%) at ``horizon`` for every (k, j): k of the m transplanted patients transplanted
    early (for the event rule: before the horizon; otherwise before the first stated
    event) and j of the ``lost`` patients lost to follow-up before the first stated event
    (censored then); every other transplant and loss after the last stated event before the
    horizon (which for the estimate at the horizon is the same as after it), and the
    remaining patients followed event-free beyond it."""
    first = min([e for e in events if e <= horizon], default=horizon)
    results = {}
    for k in range(m + 1):
        for j in range(lost + 1):
            early, late = [first / 2] * k, [horizon + 1] * (m - k)
            losses = [first / 2] * j + [horizon + 1] * (lost - j)
            others = [horizon + 1] * (n - len(events) - m - lost)
            if rule == "hsct_event":
                results[k, j] = _km_at(events + early, late + losses + others, horizon)
            elif rule == "hsct_censored":
                results[k, j] = _km_at(events, early + late + losses + others, horizon)
            else:
                results[k, j] = _km_at(events, [horizon + 1] * (n - len(events) - lost)
                                       + losses, horizon)
    return results


def _losses(j: int, lost: int) -> str:
    """'0 of 1 loss to follow-up before the first dated event'."""
    return (f"{j} of {lost} {'loss' if lost == 1 else 'losses'} to follow-up before the first "
            "dated event")


def survival_rules(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """Which EFS rules can give each published EFS estimate, and under which transplant and
    loss-to-follow-up timings.

    From the stated facts alone: the cohort size, the number transplanted, the number lost
    to follow-up, the relapses the article dates, and transplants it places before a dated
    marrow. A rule is ruled out when no timing consistent with those facts gives the
    published value; otherwise the finding lists the timings that do (the article dates
    neither the transplants nor the loss to follow-up). The values the reconstruction
    imputed (transplant and loss dates) are shown apart, as what they give."""
    claims = _claims(ledger)
    n, m, lost = (int(_published_number(claims[i])) if i in claims else None
                  for i in ("n_patients", "n_hsct_after_cart2", "n_no_hsct_lost"))
    if n is None or m is None or lost is None:  # without the stated counts, take the sheets'
        n = int(tables["adsl"]["patient_id"].nunique())
        m = int(tables["adsl"]["hsct_after_cart2"].astype(bool).sum())
        lost = int((tables["adsl"]["status_at_cutoff"] == "lost to follow-up").sum())
    stated = _stated_events(claims)
    bounds = _stated_transplant_bounds(claims)
    findings = []
    for claim in (c for c in claims.values() if c.function == "km_estimate"
                  and c.args.get("parameter") == "EFS"):
        horizon = float(claim.args["months"])
        low, high = _interval(claim)
        events = [t for t, _, _ in stated if t <= horizon]
        forced = len({p for t, p, _ in bounds if t <= horizon} - {p for t, p, _ in stated
                                                                   if t <= horizon})
        facts = [_cite(c) for _, _, c in stated] + [
            _cite(c) for _, _, cs in bounds for c in cs]
        facts += [_cite(claims[i]) for i in ("n_patients", "n_hsct_after_cart2",
                                             "n_no_hsct_lost") if i in claims]
        for rule in ("hsct_event", "hsct_censored", "hsct_ignored"):
            values = _scenarios(n, events, m, lost, rule, horizon)
            allowed = {kj: v for kj, v in values.items()
                       if rule != "hsct_event" or kj[0] >= forced}
            if rule == "hsct_ignored":  # transplants do not matter: one line per loss timing
                allowed = {kj: v for kj, v in allowed.items() if kj[0] == 0}
            matching = [kj for kj, v in allowed.items() if low <= v < high]
            reconstructed = km_estimate(tables, "EFS", horizon, rule)
            when = ("before the horizon" if rule == "hsct_event"
                    else "before the first dated event" if events else "before the horizon")

            def timing(kj: tuple[int, int], rule: str = rule, when: str = when) -> str:
                losses = _losses(kj[1], lost)
                return losses if rule == "hsct_ignored" else (
                    f"{kj[0]} of {m} transplants {when} and {losses}")

            listed = "; ".join(f"{timing(kj)}: {percent(v)}" for kj, v in allowed.items())
            if not matching:
                verdict = (f"ruled out by the stated facts: no timing they allow gives "
                           f"{claim.published}")
                follows = STATED
            elif len(matching) == len(allowed):
                verdict = f"gives {claim.published} whatever the timings"
                follows = STATED
            else:
                verdict = (f"gives {claim.published} only if "
                           + " or ".join(timing(kj) for kj in matching)
                           + "; the article dates neither the transplants nor the loss to "
                             "follow-up")
                follows = STATED + " plus timings the article does not give"
            findings.append(Finding(
                f"{claim.id}: EFS {claim.published} at {horizon:g} months, "
                f"{EFS_RULE_NAMES[rule]}", bool(matching), follows, "; ".join(facts),
                f"{verdict}. Under the stated facts: {listed}. With the sheets' transplant and "
                f"follow-up dates (no verdict rests on them): {percent(reconstructed)}"))
    return findings


# ---- Ranges that constrain each other ----

def ages_and_intervals(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """The published age ranges at CART1 and CART2 against the published CART1-to-CART2
    interval range: for any patients, max(age at CART1) + shortest interval <= max(age at
    CART2) <= max(age at CART1) + longest interval, and the same for the minima."""
    claims = _claims(ledger)
    interval = [Q_(v, "month_30d").to("year").magnitude
                for v in (_interval(claims["cart1_to_cart2_min"])[0],
                          _interval(claims["cart1_to_cart2_max"])[1])]
    findings = []
    for stat in ("min", "max"):
        a1, a2 = _interval(claims[f"age_cart1_{stat}"]), _interval(claims[f"age_cart2_{stat}"])
        allowed = (a1[0] + interval[0], a1[1] + interval[1])
        findings.append(Finding(
            f"{'youngest' if stat == 'min' else 'oldest'} age at CART2 against age at CART1 "
            "and the CART1-to-CART2 intervals",
            a2[1] > allowed[0] and a2[0] < allowed[1], STATED,
            "; ".join(_cite(claims[i]) for i in (f"age_cart1_{stat}", f"age_cart2_{stat}",
                                                  "cart1_to_cart2_min", "cart1_to_cart2_max"))
            + "; months of 30 days, years of 365.25 days",
            f"the published values allow {fixed(allowed[0], 2)}–{fixed(allowed[1], 2)} years; "
            f"published {claims[f'age_cart2_{stat}'].published}"))
    return findings


def doses(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """The published total-dose range and CD22:CD19 ratio range against the CD19 and CD22
    dose ranges, as bounds that hold whichever patients the extremes belong to: the lowest
    total is at least the sum of the lowest parts and the highest at most the sum of the
    highest; the highest ratio is at least (highest CD22)/(highest CD19) and the lowest at
    most (lowest CD22)/(lowest CD19)."""
    claims = _claims(ledger)
    c19 = {s: _interval(claims[f"cd19_dose_{s}"]) for s in ("min", "max")}
    c22 = {s: _interval(claims[f"cd22_dose_{s}"]) for s in ("min", "max")}
    total = {s: _interval(claims[f"cart2_dose_{s}"]) for s in ("min", "max")}
    ratio = {s: _interval(claims[f"ratio_{s}"]) for s in ("min", "max")}
    dose_ids = [f"{p}_dose_{s}" for p in ("cd19", "cd22", "cart2") for s in ("min", "max")]
    sum_min = (c19["min"][0] + c22["min"][0], c19["min"][1] + c22["min"][1])
    sum_max = (c19["max"][0] + c22["max"][0], c19["max"][1] + c22["max"][1])
    totals_ok = total["min"][1] > sum_min[0] and total["max"][0] < sum_max[1]
    ratio_floor = c22["max"][0] / c19["max"][1]   # the highest ratio is at least this
    ratio_ceiling = c22["min"][1] / c19["min"][0]  # the lowest ratio is at most this
    ratios_ok = ratio["max"][1] > ratio_floor and ratio["min"][0] < ratio_ceiling

    def sci(value: float) -> str:
        return scientific(value, 3, markup=False)

    return [
        Finding("published total-dose range against the CD19 and CD22 ranges", totals_ok,
                STATED, "; ".join(_cite(claims[i]) for i in dose_ids),
                f"lowest total {claims['cart2_dose_min'].published} against the sum of the "
                f"lowest parts, at least {sci(sum_min[0])}; highest total "
                f"{claims['cart2_dose_max'].published} against the sum of the highest parts, "
                f"at most {sci(sum_max[1])}"),
        Finding("published CD19:CD22 ratio range against the CD19 and CD22 ranges", ratios_ok,
                STATED, "; ".join(_cite(claims[i]) for i in
                                  ["ratio_min", "ratio_max", *dose_ids[:4]]),
                f"the highest ratio is at least 1:{fixed(ratio_floor, 2)} (published "
                f"{claims['ratio_max'].published}); the lowest is at most "
                f"1:{fixed(ratio_ceiling, 2)}"
                f" (published {claims['ratio_min'].published})"),
    ]


def month_convention(tables: Tables, ledger: list[Claim] | None = None) -> list[Finding]:
    """Which month length turns whole days into every published interval in months?"""
    claims = _claims(ledger)
    intervals = [c for c in claims.values()
                 if c.id.startswith(("cart1_to", "bca_", "follow_up"))
                 and c.style.startswith("decimals")]
    findings = []
    for days_per_month in (30.0, 365.25 / 12):
        unreachable = []
        for claim in intervals:
            value = _published_number(claim)
            decimals = _decimals(claim.published)
            centre = round(value * days_per_month)
            if not any(round(d / days_per_month, decimals) == value
                       for d in range(centre - 2, centre + 3)):
                unreachable.append(claim.published)
        findings.append(Finding(
            f"months of {days_per_month:g} days give every published interval from whole days",
            not unreachable, STATED,
            f"the {len(intervals)} published intervals in months ("
            + ", ".join(c.id for c in intervals) + ")",
            f"{len(intervals) - len(unreachable)} of {len(intervals)} reachable"
            + (f"; not reachable: {', '.join(unreachable)}" if unreachable else "")))
    return findings


CHECKS = [mann_whitney_p_values, survival_rules, ages_and_intervals, doses,
          month_convention]
COLUMNS = ["check", "consistent", "follows_from", "depends_on", "evidence"]


def run(tables: Tables, ledger: list[Claim] | None = None) -> pd.DataFrame:
    """Every audit finding as a table (:data:`COLUMNS`)."""
    ledger = ledger or load_ledger()
    rows = [finding.__dict__ for check in CHECKS for finding in check(tables, ledger)]
    return pd.DataFrame(rows, columns=COLUMNS)


def data_gaps(tables: Tables) -> pd.DataFrame:
    """What the article's definitions need and the sheets do not hold: not an inconsistency
    of the article, a limit of what the compendium can check."""
    gaps = []
    if not any("platelet" in c or "neutrophil" in c for c in tables["adrs"].columns):
        gaps.append({"definition": "complete remission (Methods, Efficacy evaluation)",
                     "missing": "platelet and neutrophil counts (haematological recovery)",
                     "consequence": "CR is derived from marrow blasts, CSF and extramedullary "
                                    "findings only"})
    if "cause" not in tables["adevents"].columns:
        gaps.append({"definition": "CAR-T-related death (Results, CRS)",
                     "missing": "cause of death",
                     "consequence": "a death is counted as possibly CAR-T-related only when no "
                                    "relapse preceded it"})
    return pd.DataFrame(gaps, columns=["definition", "missing", "consequence"])
