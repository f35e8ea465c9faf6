"""The article's results, computed from the derived tables.

Each function takes the derived tables (a dict of frames, see :func:`analysis.derivations.store.load_derived`) and
arguments from the claims ledger, and returns one number. The ledger
(``claims.yaml``) names the function and the arguments; the paper prints the same value
through :mod:`analysis.ledger.claims`, so the paper and the reproducibility report cannot differ.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.derivations.store import Tables
from analysis.results.statistics import km_estimates, mann_whitney, median_range, spearman


def matching(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """The rows of ``frame`` where the pandas expression ``where`` holds, evaluated on the
    columns it names only (``DataFrame.query`` makes a Series of every column at each call)."""
    names = [n for n in dict.fromkeys(re.findall(r"[A-Za-z_]\w*", where)) if n in frame.columns]
    return frame[frame[names].eval(where, engine="python").to_numpy(dtype=bool)]


def _rows(tables: Tables, table: str, course: int | None = None, where: str | None = None,
          patient: str | None = None) -> pd.DataFrame:
    frame = tables[table]
    if course is not None:
        frame = frame[frame["course"] == course]
    if patient is not None:
        frame = frame[frame["patient_id"] == patient]
    if where:
        frame = matching(frame, where)
    return frame


def summary(tables: Tables, table: str, column: str, stat: str, course: int | None = None,
            where: str | None = None) -> float:
    """Median, min, max or n of ``column`` over the rows of ``table`` (units of the column)."""
    return median_range(_rows(tables, table, course, where)[column])[stat]


def count(tables: Tables, table: str, where: str | None = None,
          course: int | None = None) -> int:
    """Number of rows of ``table`` (one per patient, or per patient and course) matching."""
    return len(_rows(tables, table, course, where))


def percent(tables: Tables, table: str, where: str, course: int | None = None) -> float:
    """Percentage of the rows of ``table`` (for the course) that match ``where``."""
    rows = _rows(tables, table, course)
    if rows.empty:
        return np.nan
    return 100.0 * len(matching(rows, where)) / len(rows)


def mann_whitney_p(tables: Tables, column: str, first: int = 1, second: int = 2) -> float:
    """Two-sided Mann–Whitney P comparing ``column`` of adcourse between two courses."""
    frame = tables["adcourse"]
    a = frame.loc[frame["course"] == first, column]
    b = frame.loc[frame["course"] == second, column]
    return mann_whitney(a, b)["p"]


def km_estimate(tables: Tables, parameter: str, months: float, rule: str) -> float:
    """Kaplan–Meier survival (%) at ``months`` for an ADTTE parameter under a censoring rule."""
    frame = tables["adtte"]
    frame = frame[(frame["paramcd"] == parameter) & (frame["rule"] == rule)]
    if frame.empty:
        return np.nan
    estimates = km_estimates(frame, [months])
    return 100.0 * float(estimates["survival"].iloc[0])


def course_value(tables: Tables, patient: str, course: int, column: str) -> float:
    """One patient's value of an adcourse column for one course."""
    rows = _rows(tables, "adcourse", course, patient=patient)
    return float(rows[column].iloc[0]) if len(rows) else np.nan


def event_months(tables: Tables, patient: str, event: str, course: int) -> float:
    """Months (30-day) from a course's infusion to a patient's first event of a kind."""
    events = _rows(tables, "adevents", patient=patient)
    events = events[(events["event"] == event) & (events["after_course"] == course)]
    return float(events["months_from_course"].min()) if len(events) else np.nan


def _lab(tables: Tables, patient: str | None, course: int, parameter: str) -> pd.DataFrame:
    frame = _rows(tables, "adlb", course, patient=patient)
    return frame[frame["parameter"] == parameter]


def lab_peak(tables: Tables, patient: str, course: int, parameter: str) -> float:
    """A patient's highest value of a lab parameter after a course's infusion (its unit)."""
    rows = _lab(tables, patient, course, parameter)
    return float(rows.loc[rows["study_day"] >= 0, "value"].max()) if len(rows) else np.nan


def lab_peak_day(tables: Tables, patient: str, course: int, parameter: str) -> float:
    """Study day of a patient's highest value of a lab parameter after a course (the first
    such day when the peak repeats)."""
    rows = _lab(tables, patient, course, parameter)
    rows = rows[rows["study_day"] >= 0].sort_values("study_day")
    return float(rows.loc[rows["value"].idxmax(), "study_day"]) if len(rows) else np.nan


def _last_detected(rows: pd.DataFrame) -> pd.Series | None:
    detected = rows[(rows["study_day"] >= 0) & (rows["value_qualifier"].fillna("") != "<")
                    & (rows["value"] > 0)]
    return detected.sort_values("study_day").iloc[-1] if len(detected) else None


def last_detected_day(tables: Tables, patient: str, course: int, parameter: str) -> float:
    """Last study day after a course with the parameter above its detection limit."""
    row = _last_detected(_lab(tables, patient, course, parameter))
    return float(row["study_day"]) if row is not None else np.nan


def lab_last_value(tables: Tables, patient: str, course: int, parameter: str) -> float:
    """Value of a patient's last detectable sample of a parameter after a course."""
    row = _last_detected(_lab(tables, patient, course, parameter))
    return float(row["value"]) if row is not None else np.nan


def n_with_peak(tables: Tables, course: int, parameter: str, min_samples: int) -> int:
    """Patients with at least ``min_samples`` post-infusion values of a parameter."""
    rows = _lab(tables, None, course, parameter)
    counts = rows[rows["study_day"] >= 0].groupby("patient_id").size()
    return int((counts >= min_samples).sum())


def latest_peak_day(tables: Tables, course: int, parameter: str, min_samples: int) -> float:
    """Latest study day of a post-infusion peak of a parameter, among the patients with at
    least ``min_samples`` post-infusion values (a single sample shows no peak)."""
    rows = _lab(tables, None, course, parameter)
    rows = rows[rows["study_day"] >= 0]
    counts = rows.groupby("patient_id")["value"].transform("size")
    rows = rows[counts >= min_samples]
    if rows.empty:
        return np.nan
    peaks = rows.loc[rows.groupby("patient_id")["value"].idxmax()]
    return float(peaks["study_day"].max())


def _mrd(tables: Tables, patient: str, course: int) -> pd.DataFrame:
    rows = _rows(tables, "adrs", course, patient=patient)
    return rows[rows["mrd_pct"].notna()].sort_values("study_day")


def mrd_at(tables: Tables, patient: str, course: int, which: str) -> float:
    """A patient's MRD (%) at the first assessment of a course ("first")."""
    rows = _mrd(tables, patient, course)
    return float(rows["mrd_pct"].iloc[0]) if which == "first" and len(rows) else np.nan


def mrd_day(tables: Tables, patient: str, course: int, which: str) -> float:
    """Study day of a patient's first assessment, or first / last MRD-negative one."""
    rows = _mrd(tables, patient, course)
    if which != "first":
        rows = rows[rows["mrd_negative"].astype(bool) & (rows["study_day"] >= 0)]
    if rows.empty:
        return np.nan
    return float(rows["study_day"].iloc[-1 if which == "last_negative" else 0])


def _ratios(tables: Tables, course: int) -> pd.DataFrame:
    rows = _rows(tables, "adlb", course)
    return rows[rows["parameter"].isin(["CD4/CD8 T cells", "CD4/CD8 CAR-T cells"])]


def latest_inversion_day(tables: Tables, course: int) -> float:
    """Latest study day by which a patient's CD4/CD8 ratio first fell below 1 after infusion."""
    rows = _ratios(tables, course)
    after = rows[(rows["study_day"] >= 0) & (rows["value"] < 1)]
    if after.empty:
        return np.nan
    return float(after.groupby(["patient_id", "parameter"])["study_day"].min().max())


def ratio_pairs(tables: Tables, course: int) -> pd.DataFrame:
    """CD4/CD8 ratios before and after a course's infusion, one row per patient and ratio
    (T cells, CAR-T cells) with both: ``before`` is the last value up to day 0 (pre-infusion
    blood, or the product for CAR-T cells), ``after`` the lowest value after day 0;
    ``lower`` says whether it fell."""
    rows = _ratios(tables, course).sort_values("study_day", kind="stable")
    keys = ["patient_id", "parameter"]
    before = rows[rows["study_day"] <= 0].groupby(keys)["value"].last()
    after = rows[rows["study_day"] > 0].groupby(keys)["value"].min()
    pairs = pd.concat({"before": before, "after": after}, axis=1).dropna().reset_index()
    return pairs.assign(lower=pairs["after"] < pairs["before"])


def percent_ratio_reduced(tables: Tables, course: int) -> float:
    """Percentage of patients with CD4/CD8 ratios before and after infusion whose ratios
    all fell (:func:`ratio_pairs`)."""
    pairs = ratio_pairs(tables, course)
    if pairs.empty:
        return np.nan
    return 100.0 * pairs.groupby("patient_id")["lower"].all().mean()


# ---- Categorical facts: 1.0 for true, 0.0 for false (style "bool"), or text ----

def _truth(condition: bool) -> float:
    return 1.0 if condition else 0.0


def every(tables: Tables, table: str, where: str, course: int | None = None,
          among: str | None = None) -> float:
    """1 when every row of ``table`` (for the course; only rows matching ``among``) matches
    ``where``, 0 otherwise; NaN without rows."""
    rows = _rows(tables, table, course, among)
    return _truth(len(matching(rows, where)) == len(rows)) if len(rows) else np.nan


def same_patients(tables: Tables, table: str, first: str, second: str,
                  course: int | None = None) -> float:
    """1 when the patients whose rows match ``first`` are exactly those matching ``second``."""
    rows = _rows(tables, table, course)
    if rows.empty:
        return np.nan
    one = set(matching(rows, first)["patient_id"])
    return _truth(one == set(matching(rows, second)["patient_id"]))


def patients(tables: Tables, table: str, where: str, course: int | None = None) -> str:
    """The patients with a row of ``table`` matching ``where``, sorted, comma-separated
    ("none" when there are none)."""
    found = sorted(set(_rows(tables, table, course, where)["patient_id"]))
    return ", ".join(found) if found else "none"


def values(tables: Tables, table: str, column: str, where: str | None = None,
           course: int | None = None) -> str:
    """The distinct values of ``column`` on the matching rows, sorted, comma-separated."""
    found = sorted(set(_rows(tables, table, course, where)[column].dropna().astype(str)))
    return ", ".join(found) if found else "none"


def most_common(tables: Tables, table: str, column: str) -> str:
    """The most frequent value of ``column`` ("tie" when two or more share the top count)."""
    counts = tables[table][column].dropna().astype(str).value_counts()
    if counts.empty:
        return "none"
    return counts.index[0] if (counts == counts.iloc[0]).sum() == 1 else "tie"


def n_distinct(tables: Tables, table: str, column: str, where: str | None = None) -> int:
    """Number of distinct values of ``column`` on the matching rows of ``table``."""
    return int(_rows(tables, table, where=where)[column].nunique())


def common_value(tables: Tables, table: str, column: str, course: int | None = None) -> float:
    """The value of ``column`` when all rows (of the course) share it; NaN when they differ."""
    found = _rows(tables, table, course)[column].dropna().unique()
    return float(found[0]) if len(found) == 1 else np.nan


def exceeds(tables: Tables, first: dict, second: dict) -> float:
    """1 when the result of one ledger computation is above another's, 0 when not.

    ``first`` and ``second`` are ``{"function": name, "args": {...}}`` of this module."""
    def value(spec: dict) -> float:
        return float(globals()[spec["function"]](tables, **spec.get("args", {})))

    left, right = value(first), value(second)
    return np.nan if np.isnan(left) or np.isnan(right) else _truth(left > right)


def first_month(tables: Tables, table: str, column: str, course: int | None = None) -> str:
    """Year and month (YYYY-MM) of the earliest date in ``column``."""
    dates = _rows(tables, table, course)[column].dropna()
    return dates.min().strftime("%Y-%m") if len(dates) else "none"


def event_before_assessment(tables: Tables, patient: str, event: str, course: int,
                            which: str) -> float:
    """1 when a patient's event of a kind after a course precedes the assessment
    :func:`mrd_day` picks (``which``), 0 when it does not; NaN without both."""
    events = _rows(tables, "adevents", patient=patient)
    events = events[(events["event"] == event) & (events["after_course"] == course)]
    day = mrd_day(tables, patient, course, which)
    if events.empty or np.isnan(day):
        return np.nan
    return _truth(float(events["days_from_course"].min()) < day)


def burden_at(tables: Tables, patient: str, course: int, study_day: int) -> str:
    """'high' or 'low' disease burden (derivations.response.disease_burden) at a patient's
    marrow assessment on a study day of a course."""
    from analysis.derivations.response import disease_burden

    rows = _rows(tables, "adrs", course, patient=patient)
    rows = rows[rows["study_day"] == study_day]
    if rows.empty:
        return "none"
    return str(disease_burden(rows["mrd_pct"], rows["extramedullary"]).iloc[0])


def declines_after_peak(tables: Tables, course: int, parameter: str, min_samples: int) -> float:
    """1 when, for every patient with at least ``min_samples`` post-infusion values, each
    value after the peak is no higher than the one before it."""
    rows = _lab(tables, None, course, parameter)
    rows = rows[rows["study_day"] >= 0].sort_values("study_day")
    patient = pd.factorize(rows["patient_id"])[0]  # a code per patient, rows kept in order
    kept = np.bincount(patient)[patient] >= min_samples
    if not kept.any():
        return np.nan
    order = np.argsort(patient[kept], kind="stable")
    series = np.split(rows[kept]["value"].to_numpy()[order],
                      np.flatnonzero(np.diff(patient[kept][order])) + 1)
    return _truth(all((np.diff(v[int(np.argmax(v)):]) <= 0).all() for v in series))


def lab_all_above(tables: Tables, course: int, parameter: str, specimen: str,
                  threshold: float, last_day: int | None = None) -> float:
    """1 when every value of a lab parameter in a specimen (up to ``last_day``) is above
    ``threshold``; NaN without values."""
    rows = _lab(tables, None, course, parameter)
    rows = rows[rows["specimen"] == specimen]
    if last_day is not None:
        rows = rows[rows["study_day"] <= last_day]
    return _truth(bool((rows["value"] > threshold).all())) if len(rows) else np.nan


def deaths_without_relapse(tables: Tables, course: int) -> int:
    """Deaths after a course or a later one that no relapse after that course preceded (the
    sheets hold no cause of death)."""
    events = tables["adevents"]
    events = events[events["after_course"] >= course]
    kind, dates, patients = events["event"], events["event_date"], events["patient_id"]
    first_relapse = patients.map(dates.where(kind == "relapse").groupby(patients).min())
    return int(((kind == "death") & ~(first_relapse < dates)).sum())


def same_day_pairs(tables: Tables, first: str, second: str, course: int) -> pd.DataFrame:
    """Lab values of two parameters measured on the same study day (day 0 onwards) of one
    patient after a course, each the mean of that day's samples: columns ``first`` and
    ``second``, indexed by patient and study day."""
    lab = tables["adlb"]
    lab = lab[(lab["course"] == course) & (lab["study_day"] >= 0)]
    keys = ["patient_id", "study_day"]
    means = {name: lab[lab["parameter"] == name].groupby(keys)["value"].mean()
             for name in (first, second)}
    return pd.concat({"first": means[first], "second": means[second]}, axis=1).dropna()


def moves_with(tables: Tables, first: str, second: str, course: int) -> float:
    """1 when the Spearman rank correlation of two lab parameters over same-day samples
    (:func:`same_day_pairs`) is positive, 0 when not, NaN with too few pairs. A description
    of the samples, not a test: pairs from one patient are not independent."""
    pairs = same_day_pairs(tables, first, second, course)
    rho = spearman(pairs["first"], pairs["second"])["rho"]
    return np.nan if np.isnan(rho) else _truth(rho > 0)


def rise_and_return(lab: pd.DataFrame) -> pd.DataFrame:
    """Per patient of a lab series (one parameter, one course): ``rise``, the first study day
    after infusion (day 0 on) above the last pre-infusion value, and ``back``, the first day
    after the peak at or below that value (NaN for what the series does not show); indexed
    by patient, every patient of ``lab`` listed."""
    lab = lab.sort_values("study_day", kind="stable")
    day, patient = lab["study_day"], lab["patient_id"]
    sides = pd.DataFrame({"before": (day < 0).to_numpy(), "after": (day >= 0).to_numpy()})
    both = sides.groupby(patient.to_numpy()).transform("any").all(axis=1).to_numpy()
    lab = lab[both & (sides["before"] | sides["after"]).to_numpy()]
    series = pd.DataFrame({"patient": lab["patient_id"].to_numpy(),
                           "day": lab["study_day"].to_numpy(), "value": lab["value"].to_numpy()})
    before, after = series[series["day"] < 0], series[series["day"] >= 0]
    baseline = after["patient"].map(
        before.drop_duplicates("patient", keep="last").set_index("patient")["value"])
    peak = after["patient"].map(after.loc[after.groupby("patient")["value"].idxmax()]
                                .set_index("patient")["day"])
    rise = after[after["value"] > baseline].groupby("patient")["day"].min()
    back = after[(after["day"] > peak) & (after["value"] <= baseline)].groupby(
        "patient")["day"].min()
    return pd.DataFrame({"rise": rise, "back": back}).reindex(
        pd.unique(patient.to_numpy())).astype(float)


def crs_follows_lab(tables: Tables, parameter: str, course: int, which: str) -> float:
    """1 when, for every patient with CRS after the course and a series of ``parameter``
    around it, CRS began on the day the series rose above its pre-infusion value
    (``which="onset"``) or ended on the day it returned to it (``"resolution"``); 0 when
    one did not; NaN when no patient has both (:func:`rise_and_return`)."""
    courses = _rows(tables, "adcourse", course, "crs_grade >= 1")
    patients, observed = courses["patient_id"], courses[f"crs_{which}_day"].to_numpy()
    lab = tables["adlb"]
    lab = lab[(lab["course"] == course) & (lab["parameter"] == parameter)]
    if courses.empty:
        return np.nan
    lab = lab[lab["patient_id"].isin(patients)]
    if lab.empty:
        return np.nan
    days = rise_and_return(lab)["rise" if which == "onset" else "back"]
    shown = patients.isin(days.index).to_numpy()
    expected = days.reindex(patients.to_numpy()).to_numpy()
    return _truth(bool((expected[shown] == observed[shown]).all()))


def any_row(tables: Tables, table: str, where: str, course: int | None = None,
            among: str | None = None) -> float:
    """1 when some row of ``table`` (for the course; among rows matching ``among``) matches
    ``where``, 0 when none does; NaN without rows."""
    rows = _rows(tables, table, course, among)
    return _truth(len(matching(rows, where)) > 0) if len(rows) else np.nan


def every_of_patients(tables: Tables, table: str, where: str, patients: str,
                      course: int | None = None) -> float:
    """1 when every row of ``table`` (for the course) of the patients whose adsl row matches
    ``patients`` matches ``where``, 0 otherwise; NaN without such rows."""
    chosen = set(_rows(tables, "adsl", where=patients)["patient_id"])
    rows = _rows(tables, table, course)
    rows = rows[rows["patient_id"].isin(chosen)]
    return _truth(len(matching(rows, where)) == len(rows)) if len(rows) else np.nan


def visits_without_gaps(tables: Tables, visits: list[str], course: int | None = None) -> float:
    """1 when each patient's assessments (adrs, for the course) hold every visit of the
    schedule ``visits`` up to the last one of it they reached (unscheduled ones aside), 0
    when one was skipped; NaN without scheduled assessments."""
    rows = _rows(tables, "adrs", course)
    reached = rows[rows["visit"].isin(visits)].groupby("patient_id")["visit"].agg(set)
    if reached.empty:
        return np.nan
    return _truth(all(seen == set(visits[:max(visits.index(v) for v in seen) + 1])
                      for seen in reached))


def sampled_on_schedule(tables: Tables, course: int, parameter: str, days: list[int],
                        tolerance: int, min_samples: int) -> float:
    """1 when every patient with at least ``min_samples`` post-infusion values of a lab
    parameter has one within ``tolerance`` days of each scheduled study day in ``days`` up
    to the patient's last sample, 0 when a scheduled day has none; NaN without patients."""
    rows = _lab(tables, None, course, parameter)
    rows = rows[rows["study_day"] >= 0]
    patient = pd.factorize(rows["patient_id"])[0]  # a code per patient, rows kept in order
    kept = np.bincount(patient)[patient] >= min_samples
    if not kept.any():
        return np.nan
    order = np.argsort(patient[kept], kind="stable")
    sampled = np.split(rows["study_day"].to_numpy()[kept][order],
                       np.flatnonzero(np.diff(patient[kept][order])) + 1)
    return _truth(all(all((np.abs(series - day) <= tolerance).any()
                          for day in days if day <= series.max()) for series in sampled))
