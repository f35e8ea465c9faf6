"""A second hand-written cohort (tests/cohorts/registry12, see its README): 13 patients, three
centres, a patient with four courses, the EFS rule hsct_event. Its numbers are computed here
from the CSV sheets by this file's own small code (csv and datetime, never analysis/), with
the hand calculation in comments, and compared with what the project prints: the derived
tables, verify's claims.csv and the rendered paper, from the CSV folder and from the same
cohort as a workbook (one render of each, shared by the module)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import shutil
import statistics
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from claimed import unclaimed_numbers
from pdfpages import short_pages
from sentences import starting_with_a_numeral
from scipy.stats import mannwhitneyu, spearmanr
from workbooks import workbook

from analysis.common.paths import cohort_paths
from analysis.derivations.events import EFS_RULES

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "tests" / "cohorts" / "registry12"
LB = 0.45359237  # kg per pound
MONTH = 30  # days; the compendium's month


# ---- the oracle: this file's own reading of the sheets ----

def sheet(name: str) -> list[dict[str, str]]:
    with (REGISTRY / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def infusions() -> dict[tuple[str, int], dt.date]:
    return {(r["patient_id"], int(r["course"])): day(r["infusion_date"]) for r in sheet("courses")}


def weight_kg(row: dict[str, str]) -> float:
    return float(row["weight"]) * (LB if row["weight_unit"] == "lb" else 1.0)


def cells(row: dict[str, str]) -> float:
    factor = row["car_t_cells_unit"].split()[0]  # "1e6 cell" -> 1e6
    return float(row["car_t_cells"]) * float(factor)


def doses_per_kg(course: int, target: str | None = None) -> dict[str, float]:
    weights = {(r["patient_id"], int(r["course"])): weight_kg(r) for r in sheet("courses")}
    out: dict[str, float] = {}
    for r in sheet("products"):
        key = (r["patient_id"], int(r["course"]))
        if key[1] == course and target in (None, r["target"]):
            out[key[0]] = out.get(key[0], 0.0) + cells(r) / weights[key]
    return out


def mrd_negative_cr_day(patient: str, course: int) -> int | None:
    """First study day on or after the infusion with < 5% blasts, MRD < 0.01%, negative CSF
    and no extramedullary disease."""
    start = infusions()[(patient, course)]
    days = [(day(r["assessment_date"]) - start).days for r in sheet("assessments")
            if r["patient_id"] == patient and int(r["course"]) == course
            and day(r["assessment_date"]) >= start and float(r["bm_blasts"]) < 5
            and r["mrd"] == "<0.01" and r["csf"] == "negative" and r["extramedullary"] == "none"]
    return min(days, default=None)


def crs_grade(row: dict[str, str]) -> int:
    """ASTCT grade from the recorded signs (fever in degC; 101.3 degF = 38.5 degC)."""
    t = float(row["max_temperature"])
    if row["temperature_unit"] == "degF":
        t = (t - 32) * 5 / 9
    if t < 38:
        return 0
    if row["vasopressors"] == "multiple" or row["oxygen"] == "positive_pressure":
        return 4
    if row["vasopressors"] == "one" or row["oxygen"] == "high_flow":
        return 3
    if row["hypotension"] == "yes" or row["oxygen"] == "low_flow":
        return 2
    return 1


def after_cart2(kinds: set[str]) -> dict[str, dt.date]:
    """Each patient's first event of the given kinds on or after the CART2 infusion."""
    start = {p: d for (p, c), d in infusions().items() if c == 2}
    out: dict[str, dt.date] = {}
    for r in sheet("events"):
        when = day(r["event_date"])
        if r["event"] in kinds and when >= start[r["patient_id"]]:
            out[r["patient_id"]] = min(when, out.get(r["patient_id"], when))
    return out


def last_known() -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    for r in sheet("events"):
        if r["event"] in {"death", "last_contact", "lost_to_follow_up"}:
            out[r["patient_id"]] = max(day(r["event_date"]), out.get(r["patient_id"], dt.date.min))
    return out


def kaplan_meier(times: list[tuple[int, bool]], at_day: int) -> float:
    """Product-limit estimate at ``at_day`` from (day, event) pairs; censoring after events
    at the same day."""
    survival = 1.0
    for t in sorted({t for t, event in times if event and t <= at_day}):
        at_risk = sum(1 for u, _ in times if u >= t)
        survival *= 1 - sum(1 for u, event in times if u == t and event) / at_risk
    return survival


def survival(kinds: set[str]) -> list[tuple[int, bool]]:
    """(days from CART2, event) per patient for events of ``kinds``, else censored at the
    last known date."""
    start = {p: d for (p, c), d in infusions().items() if c == 2}
    first, end = after_cart2(kinds), last_known()
    return [((first.get(p, end[p]) - start[p]).days, p in first) for p in start]


def efs_by_rule(rule: str) -> list[tuple[int, bool]]:
    """(days from CART2, event) per patient under one of the four EFS rules: relapse or death
    an event, transplantation an event too (hsct_event), a censoring (hsct_censored,
    induction_failure) or neither (hsct_ignored); induction_failure adds no CR after CART2
    as an event on day 0."""
    start = {p: d for (p, c), d in infusions().items() if c == 2}
    first = after_cart2({"relapse", "death"} | ({"hsct"} if rule == "hsct_event" else set()))
    hsct, end = after_cart2({"hsct"}), last_known()
    out = []
    for patient, cart2 in start.items():
        stop = end[patient]
        if rule in {"hsct_censored", "induction_failure"} and patient in hsct:
            stop = min(stop, hsct[patient])
        if rule == "induction_failure" and not cr_after(patient, 2):
            out.append((0, True))
        elif patient in first and first[patient] <= stop:
            out.append(((first[patient] - cart2).days, True))
        else:
            out.append(((stop - cart2).days, False))
    return out


def cr_after(patient: str, course: int) -> bool:
    """CR (MRD not needed) at any assessment on or after the infusion."""
    start = infusions()[(patient, course)]
    return any(day(r["assessment_date"]) >= start and float(r["bm_blasts"]) < 5
               and r["csf"] == "negative" and r["extramedullary"] == "none"
               for r in sheet("assessments")
               if r["patient_id"] == patient and int(r["course"]) == course)


def percent(fraction: float) -> str:
    """A whole percent, ties up (clinical tables round half up)."""
    return f"{Decimal(repr(100 * fraction)).quantize(Decimal(1), ROUND_HALF_UP)}%"


def il6_values(course: int) -> dict[str, tuple[float, float]]:
    """(last value before the infusion, peak from day 0 on) of IL-6 in pg/mL per patient."""
    to_pg_ml = {"pg/mL": 1.0, "ng/L": 1.0, "ng/mL": 1000.0}
    start, out = infusions(), {}
    rows = [r for r in sheet("cytokines") if r["parameter"] == "IL-6" and int(r["course"]) == course]
    for patient in sorted({r["patient_id"] for r in rows}):
        mine = sorted(((day(r["sample_date"]) - start[(patient, course)]).days,
                       float(r["value"]) * to_pg_ml[r["unit"]])
                      for r in rows if r["patient_id"] == patient)
        before = [v for d, v in mine if d < 0]
        out[patient] = (before[-1], max(v for d, v in mine if d >= 0))
    return out


def same_day_il6_copies() -> list[tuple[float, float]]:
    """(IL-6 in pg/mL, total CAR copies per µg of DNA) of one patient on one day from the
    CART2 infusion on, each the mean of that day's samples, the units converted in decimal
    arithmetic (0.03 ng/mL is 30 pg/mL exactly)."""
    start = infusions()
    pg_ml = {"pg/mL": Decimal(1), "ng/L": Decimal(1), "ng/mL": Decimal(1000)}
    per_ug = {"copies/ug": Decimal(1), "copies/100ng": Decimal(10)}

    def daily(name: str, parameter: str, factors: dict[str, Decimal]) -> dict:
        found: dict[tuple[str, dt.date], list[Decimal]] = {}
        for r in sheet(name):
            when = day(r["sample_date"])
            if (r["parameter"] == parameter and r["course"] == "2"
                    and when >= start[(r["patient_id"], 2)]):
                found.setdefault((r["patient_id"], when), []).append(
                    Decimal(r["value"]) * factors[r["unit"]])
        return {key: sum(v) / len(v) for key, v in found.items()}

    il6, copies = daily("cytokines", "IL-6", pg_ml), daily("qpcr", "total CAR", per_ug)
    return [(float(il6[k]), float(copies[k])) for k in sorted(il6.keys() & copies.keys())]


# ---- the oracle's values, with the hand calculation ----

def test_the_oracle_agrees_with_the_hand_calculation():
    # CART2 totals (10^6/kg): 10, 6, 10, 5, 7.5, 10, 5, 6, 10, 10, 6, 6, 8 (rg02 and rg08
    # weighed in lb, rg05 too at CART2); sorted, the 7th of 13 is 7.5
    totals = doses_per_kg(2)
    assert statistics.median(totals.values()) == pytest.approx(7.5e6, rel=1e-4)
    assert (min(totals.values()), max(totals.values())) == pytest.approx((5e6, 1e7), rel=1e-4)
    # MRD-negative CR after CART2 in all but rg07 (no response) and rg11 (MRD 0.5%): 11 of 13
    reached = {p: mrd_negative_cr_day(p, 2) for p in totals}
    assert sorted(p for p, d in reached.items() if d is None) == ["rg07", "rg11"]
    # EFS (relapse, transplantation or death): transplants on days 61, 64, 70, 75 and 75
    # and rg07's death on day 91 leave 7 of 13 at 6 months; relapses on days 183, 224, 243
    # and rg02's death on day 187 leave 7/13 * 6/7 * 5/6 * 4/5 * 3/4 = 3/13 at 12 months
    efs = survival({"relapse", "hsct", "death"})
    assert kaplan_meier(efs, 6 * MONTH) == pytest.approx(7 / 13)
    assert kaplan_meier(efs, 12 * MONTH) == pytest.approx(3 / 13)
    assert efs == efs_by_rule("hsct_event")
    # censored at transplantation instead, 8 remain after day 75: 7/8, then 7/8 * 3/7
    censored = efs_by_rule("hsct_censored")
    assert [kaplan_meier(censored, m * MONTH) for m in (6, 12)] == pytest.approx([7 / 8, 3 / 8])
    # OS: deaths on days 91, 187, 330 (rg08 lost on day 321 before it) and 528:
    # 12/13 at 6 months, 12/13 * 11/12 * 9/10 at 12 months
    os_ = survival({"death"})
    assert kaplan_meier(os_, 6 * MONTH) == pytest.approx(12 / 13)
    assert kaplan_meier(os_, 12 * MONTH) == pytest.approx(11 / 13 * 9 / 10)
    # IL-6 fold changes 2, 3, 4, 5, 6, 8 after CART1 and 7, 10, 12, 15, 30, 50 after CART2:
    # one pair out of order (8 > 7), U = 1; of the C(12, 6) = 924 orderings two give U <= 1
    # on each side: exact two-sided P = 4/924
    folds = [[peak / base for base, peak in il6_values(c).values()] for c in (1, 2)]
    assert sorted(folds[0]) == pytest.approx([2, 3, 4, 5, 6, 8])
    assert mannwhitneyu(*folds, method="exact").pvalue == pytest.approx(4 / 924)
    # same-day IL-6 and CAR copies after CART2: rg01 day 7 (40, 15000), rg06 day 10
    # (0.03 ng/mL = 30 pg/mL, 400 per 100 ng = 4000 per µg), rg12 days 7 (80, 30000) and
    # 14 (30, 45000). IL-6 ranks 3, 1.5, 4, 1.5 (a tie at 30), copies 2, 1, 3, 4: deviations
    # from 2.5 give a covariance sum of 0.5 over sqrt(4.5 * 5), rho = 0.105
    pairs = same_day_il6_copies()
    assert pairs == [(40, 15000), (30, 4000), (80, 30000), (30, 45000)]
    assert spearmanr(*zip(*pairs)).statistic == pytest.approx(0.5 / (4.5 * 5) ** 0.5)


@pytest.fixture(scope="module")
def oracle() -> dict[str, object]:
    """What the paper should print, computed above from the sheets."""
    grades = {r["patient_id"]: crs_grade(r) for r in sheet("crs") if r["course"] == "2"}
    follow = [(last_known()[p] - d).days / MONTH for (p, c), d in infusions().items() if c == 2]
    reached = [mrd_negative_cr_day(p, 2) for p in grades]
    efs, os_ = survival({"relapse", "hsct", "death"}), survival({"death"})
    return {
        "n_patients": len({r["patient_id"] for r in sheet("patients")}),
        "n_centres": len({r["centre"] for r in sheet("patients")}),
        "cart2_dose_median": statistics.median(doses_per_kg(2).values()),
        "cart2_dose_min": min(doses_per_kg(2).values()),
        "cart2_dose_max": max(doses_per_kg(2).values()),
        "cd19_dose_median": statistics.median(doses_per_kg(2, "CD19").values()),
        "n_orr": sum(d is not None for d in reached),
        "time_to_mrd_neg_min": min(d for d in reached if d is not None),
        "time_to_mrd_neg_max": max(d for d in reached if d is not None),
        "follow_up_median": statistics.median(follow),
        "efs_6m": kaplan_meier(efs, 6 * MONTH), "efs_12m": kaplan_meier(efs, 12 * MONTH),
        "os_6m": kaplan_meier(os_, 6 * MONTH), "os_12m": kaplan_meier(os_, 12 * MONTH),
        "crs_max_grade": max(grades.values()),
        "n_crs_any": sum(g >= 1 for g in grades.values()),
        "n_crs_grade1": sum(g == 1 for g in grades.values()),
        "n_crs_grade2": sum(g == 2 for g in grades.values()),
        "n_crs_grade3plus": sum(g >= 3 for g in grades.values()),
        "n_hsct_after_cart2": len(after_cart2({"hsct"})),
        "age_dx_median": statistics.median(float(r["age_at_diagnosis"])
                                           for r in sheet("patients")),
        "il6_copies_rho": spearmanr(*zip(*same_day_il6_copies())).statistic,
        "il6_fold_p": mannwhitneyu(*[[peak / base for base, peak in il6_values(c).values()]
                                     for c in (1, 2)], method="exact").pvalue,
    }


# ---- the project, from the CSV folder and from a workbook ----

def run(raw: Path) -> Path:
    """derive, publish and verify as `nox -s render` and `nox -s verify` run them; the
    cohort's output folder."""
    for module in ("analysis.derive", "analysis.publish", "analysis.verify"):
        result = subprocess.run([sys.executable, "-m", module, "--data-raw", str(raw)],
                                cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, (module, result.stderr[-3000:])
        assert "Traceback" not in result.stderr, (module, result.stderr[-3000:])
    return cohort_paths(raw).output


def page_text(path: Path) -> str:
    """An HTML document's text: scripts dropped, superscripts as ^n, spans and tags gone."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<sup>(.*?)</sup>", r"^\1", page)
    page = re.sub(r"</?span\b[^>]*>", "", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def claims_csv(output: Path) -> dict[str, dict[str, str]]:
    with (output / "verify" / "claims.csv").open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    """The cohort rendered and verified once as a CSV folder and once as a workbook."""
    base = tmp_path_factory.mktemp("registry12")
    folder = base / "registry12"
    shutil.copytree(REGISTRY, folder)
    book = workbook(REGISTRY, base / "registry12.xlsx")
    made = {"csv": run(folder), "xlsx": run(book)}
    yield made
    for output in made.values():
        shutil.rmtree(output.parent, ignore_errors=True)


def test_derived_tables_hold_the_oracle_values(oracle):
    from analysis.derivations.adam import derive_tables
    from analysis.sheets.cohort import read_cohort

    tables = derive_tables(read_cohort(REGISTRY))
    cart2 = tables["adcourse"][tables["adcourse"]["course"] == 2]
    assert cart2["dose_total_per_kg"].median() == pytest.approx(oracle["cart2_dose_median"])
    assert cart2["crs_grade"].max() == oracle["crs_max_grade"]
    assert int(cart2["best_mrd_negative_cr"].sum()) == oracle["n_orr"]
    assert cart2["follow_up_months"].median() == pytest.approx(oracle["follow_up_median"])
    assert tables["adcourse"].groupby("patient_id").size().max() == 4  # rg03
    assert tables["adsl"]["centre"].nunique() == oracle["n_centres"]
    # the tables in memory rank as the tables on disk: rg06's 0.03 ng/mL ties 30 pg/mL
    from analysis.ledger.claims import Claims

    rho = Claims(tables, published_precision=False).value("il6_copies_rho")
    assert rho == pytest.approx(oracle["il6_copies_rho"])


def test_methods_and_later_courses_are_worded_from_these_sheets():
    from analysis.derivations.adam import derive_tables
    from analysis.ledger.claims import Claims
    from analysis.report import outcomes, study
    from analysis.sheets.cohort import read_cohort

    tables = derive_tables(read_cohort(REGISTRY))
    held = {r["parameter"] for r in sheet("cytokines")}
    assert held == {"IL-6"}
    assert study.cytokines(tables, reconstruction=False) == (
        "Serum IL-6 was measured by cytometric bead array")
    # rg03 alone has courses 3 (2020-01-10) and 4 (2020-09-01); marrow MRD <0.01% with 1%
    # blasts on 2020-09-29 after the fourth, no later relapse: MRD-negative CR at the cut-off
    later = sorted((r["patient_id"], int(r["course"])) for r in sheet("courses")
                   if int(r["course"]) > 2)
    assert later == [("rg03", 3), ("rg03", 4)]
    assert outcomes.later_courses(Claims(tables, published_precision=False)) == (
        "A third and a fourth CAR-T course were given to 1 patient. After the last of them, "
        "1 patient reached MRD-negative CR and no patient relapsed; at the cut-off, 1 was in "
        "MRD-negative CR.")


def test_verify_computes_the_oracle_values(outputs, oracle):
    claims = claims_csv(outputs["csv"])
    assert claims["n_patients"]["computed"] == str(oracle["n_patients"])
    assert claims["n_centres"]["computed"] == str(oracle["n_centres"])
    assert claims["orr_cart2"]["computed"] == percent(oracle["n_orr"] / oracle["n_patients"])
    for claim in ("efs_6m", "efs_12m", "os_6m", "os_12m"):  # EFS under the study's rule
        assert claims[claim]["computed"] == percent(oracle[claim]), claim
    assert claims["follow_up_median"]["computed"] == f"{oracle['follow_up_median']:.1f}"
    for claim in ("crs_max_grade", "n_crs_any", "n_crs_grade1", "n_crs_grade2",
                  "n_crs_grade3plus", "n_hsct_after_cart2"):
        assert claims[claim]["computed"] == str(oracle[claim]), claim
    assert claims["il6_fold_p"]["computed"] == f"{oracle['il6_fold_p']:.3f}"
    for claim in ("time_to_mrd_neg_min", "time_to_mrd_neg_max"):  # the paper's days too
        days = oracle[claim]
        months = Decimal(days / MONTH).quantize(Decimal(1), ROUND_HALF_UP)
        assert claims[claim]["computed"] == f"{months} ({days} days)", claim


def numbers(pattern: str, text: str) -> list[float]:
    """The numbers captured by ``pattern`` (a regex whose groups are numbers) in ``text``."""
    found = re.search(pattern, text)
    assert found, pattern
    return [float(group) for group in found.groups()]


def test_the_paper_prints_the_oracle_values(outputs, oracle):
    text = page_text(outputs["csv"] / "paper.html")
    n, orr = oracle["n_patients"], oracle["n_orr"]
    num = r"(\d+(?:\.\d+)?)"
    assert numbers(rf"CART2 was given to {num} patients", text) == [n]
    assert numbers(rf"The ORR was {num}% \({num} of {num}\)", text) == [
        int(percent(orr / n)[:-1]), orr, n]
    assert numbers(rf"reached {num}–{num} days after infusion", text) == [
        oracle["time_to_mrd_neg_min"], oracle["time_to_mrd_neg_max"]]
    for measure in ("EFS", "OS"):
        shown = numbers(rf"{measure} was {num}% at 6 months and {num}% at 12 months", text)
        assert shown == [int(percent(oracle[f"{measure.lower()}_{m}m"])[:-1]) for m in (6, 12)]
    assert "events: relapse, transplantation or death" in text  # the study's rule, worded
    # the article's design and protocol are not stated as this registry's
    assert "single-arm" not in text and "phase I" not in text
    assert "inclusion and exclusion criteria are not part of its sheets" in text
    assert "In the published study, T cells were isolated" in text
    assert numbers(rf"Median follow-up after CART2 was {num} months", text) == [
        round(oracle["follow_up_median"], 1)]
    assert numbers(rf"CRS of grade 3 or higher occurred in {num} patients", text) == [
        oracle["n_crs_grade3plus"]]
    assert numbers(rf"grade 1 in {num} patients? and grade 2 in {num} patients?", text) == [
        oracle["n_crs_grade1"], oracle["n_crs_grade2"]]
    assert numbers(rf"transplantation followed CART2 in {num}", text) == [
        oracle["n_hsct_after_cart2"]]
    assert numbers(rf"median age was {num} years at diagnosis", text) == [
        oracle["age_dx_median"]]
    assert numbers(rf"IL-6 did not clearly move with the CAR copy number \(Spearman ρ = "
                   rf"{num} over {num} same-day pairs from {num} patients", text) == [
        round(oracle["il6_copies_rho"], 2), 4, 3]  # |rho| < 0.3: no co-movement claimed
    mantissa, exponent = numbers(rf"The median CART2 dose was {num} × 10\^{num}", text)
    assert mantissa * 10**exponent == pytest.approx(oracle["cart2_dose_median"], rel=5e-3)
    assert numbers(rf"treated at {num} centres \(WCSU, XJTU, ZJCH\)", text) == [
        oracle["n_centres"]]


def test_the_supplement_gives_efs_under_every_rule(outputs):
    # by hand: hsct_ignored 6 events, 12/13 and 8/13; hsct_censored (5 transplants by day 75
    # censored) 5 events, 7/8 and 3/8; induction_failure (rg07 at day 0) 5 events, 12/13
    # and 12/13 * 3/7
    text = page_text(outputs["csv"] / "supplement.html")
    table = text[text.rindex("EFS after CART2 under each rule"):]
    words = {rule: text[0].upper() + text[1:] for rule, text in EFS_RULES.items()}
    for rule in ("hsct_ignored", "hsct_censored", "hsct_event", "induction_failure"):
        times = efs_by_rule(rule)
        expected = [sum(event for _, event in times), len(times)] + [
            int(percent(kaplan_meier(times, m * MONTH))[:-1]) for m in (6, 12)]
        label = re.escape(words[rule])
        shown = numbers(rf"{label}(?: \(the study’s rule\))? (\d+) of (\d+) (\d+)% (\d+)%",
                        table)
        assert shown == expected, rule
    assert f"{words['hsct_event']} (the study’s rule)" in table


def test_the_workbook_prints_what_the_csv_folder_prints(outputs):
    from_csv, from_book = claims_csv(outputs["csv"]), claims_csv(outputs["xlsx"])
    assert {k: v["computed"] for k, v in from_book.items()} == {
        k: v["computed"] for k, v in from_csv.items()}
    for document in ("paper", "supplement"):
        for output in outputs.values():
            assert (output / f"{document}.pdf").read_bytes().startswith(b"%PDF")
    for document in ("paper", "supplement"):
        assert short_pages(outputs["csv"] / f"{document}.pdf") == [], document
    csv_text = page_text(outputs["csv"] / "paper.html")
    book_text = page_text(outputs["xlsx"] / "paper.html")
    results = slice(csv_text.rindex("Baseline and first CAR-T"), csv_text.rindex("Discussion"))
    assert csv_text[results] in book_text


def test_no_local_path_in_any_document(outputs):
    for output in outputs.values():
        for document in ("paper", "supplement"):
            text = page_text(output / f"{document}.html")
            assert str(output.parent.parent) not in text
            assert "/tmp/" not in text and str(ROOT) not in text

@pytest.mark.parametrize("name", ["paper", "supplement"])
def test_every_computed_number_carries_its_claim(outputs, chromium_page, name):
    chromium_page.goto((outputs["csv"] / f"{name}.html").as_uri())
    chromium_page.wait_for_load_state("load")
    found = unclaimed_numbers(chromium_page)
    assert not found, found


def test_no_sentence_starts_with_a_numeral(outputs):
    for document in ("paper.html", "supplement.html"):
        page = (outputs["csv"] / document).read_text(encoding="utf-8")
        assert not starting_with_a_numeral(page), document
