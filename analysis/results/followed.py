"""What followed a course, for the sentences a cohort other than the published one gets in
place of the article's statements about named patients (:mod:`analysis.report.outcomes`):
the first relapse of each patient after a course (when, where, which antigen was lost), the
CAR-T courses after it and their outcome, and the CAR copies' peaks after a course and the
decline after the latest one. The ``computed:`` entries of ``claims.yaml`` name these
functions; each returns one number (NaN when it cannot be computed), read from the derived
tables through pandas so that its provenance is traced as any claim's is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derivations.adam import relapse_category
from analysis.derivations.store import Tables
from analysis.results.statistics import median_range


def first_relapses(tables: Tables, course: int) -> pd.DataFrame:
    """Each patient's first relapse after ``course`` (rows of adevents)."""
    events = tables["adevents"]
    rows = events[(events["event"] == "relapse") & (events["after_course"] == course)]
    return rows.sort_values("event_date").drop_duplicates("patient_id")


def first_relapse_count(tables: Tables, course: int, site: str | None = None,
                        negative: str | None = None, expressed: bool = False) -> int:
    """Patients who relapsed after ``course``; of them, if given, those whose first relapse
    was at ``site`` (a category of :func:`analysis.derivations.adam.relapse_category`), had
    lost the antigen ``negative`` (``cd19`` or ``cd22``) or, with ``expressed``, still
    expressed both."""
    rows = first_relapses(tables, course)
    if site is not None:
        rows = rows[relapse_category(rows["site"]) == site]
    if negative is not None:
        rows = rows[rows[negative] == "negative"]
    if expressed:
        rows = rows[rows[["cd19", "cd22"]].eq("positive").all(axis=1)]
    return len(rows)


def first_relapse_months(tables: Tables, course: int, stat: str) -> float:
    """Median, min or max of the months (of 30 days) from ``course`` to the first relapse."""
    return median_range(first_relapses(tables, course)["months_from_course"])[stat]


def last_courses(tables: Tables, after: int) -> pd.DataFrame:
    """Each patient's last course, among the courses after ``after`` (rows of adcourse)."""
    adcourse = tables["adcourse"]
    later = adcourse[adcourse["course"] > after]
    return later.sort_values("course").drop_duplicates("patient_id", keep="last")


def last_course_cr_count(tables: Tables, after: int) -> int:
    """Patients whose last course after ``after`` gave an MRD-negative CR."""
    cr = last_courses(tables, after)["best_mrd_negative_cr"]
    return int(cr.astype("boolean").fillna(False).sum())


def relapsed_after_last_course(tables: Tables, after: int) -> int:
    """Patients with a relapse after their last course, among the courses after ``after``."""
    last = last_courses(tables, after)
    events = tables["adevents"]
    relapses = events[events["event"] == "relapse"]
    keys = pd.MultiIndex.from_frame(relapses[["patient_id", "after_course"]])
    return relapses.loc[keys.isin(list(zip(last["patient_id"], last["course"]))),
                        "patient_id"].nunique()


def status_after_last_course(tables: Tables, after: int, status: str) -> int:
    """Patients given a course after ``after`` whose status at the cut-off is ``status``."""
    adsl = tables["adsl"]
    patients = last_courses(tables, after)["patient_id"]
    return int(((adsl["status_at_cutoff"] == status) & adsl["patient_id"].isin(patients)).sum())


def copy_peaks(tables: Tables, course: int, parameter: str, min_samples: int) -> pd.DataFrame:
    """One row per patient with at least ``min_samples`` samples of ``parameter`` from day 0
    after ``course``: the peak ``value`` (the parameter's unit) and its ``day``, whether the
    value ``fell`` at every later sample (and one follows), and the ``last_day`` and
    ``last_value`` and ``last_qualifier`` of the last sample."""
    rows = tables["adlb"]
    rows = rows[(rows["course"] == course) & (rows["parameter"] == parameter)
                & (rows["study_day"] >= 0)].sort_values("study_day", kind="stable")
    out = []
    for patient, series in rows.groupby("patient_id", sort=False):
        if len(series) < min_samples:
            continue
        values = series["value"].to_numpy()
        top = int(np.argmax(values))
        out.append({"patient_id": patient, "value": values[top],
                    "day": series["study_day"].iloc[top],
                    "fell": top < len(values) - 1 and bool((np.diff(values[top:]) <= 0).all()),
                    "last_day": series["study_day"].iloc[-1], "last_value": values[-1],
                    "last_qualifier": str(series["value_qualifier"].fillna("").iloc[-1])})
    return pd.DataFrame(out, columns=["patient_id", "value", "day", "fell", "last_day",
                                      "last_value", "last_qualifier"])


def _latest(peaks: pd.DataFrame) -> pd.Series | None:
    """The latest peak (ties: the highest), or None without peaks."""
    return peaks.sort_values(["day", "value"]).iloc[-1] if len(peaks) else None


def copy_peak_median(tables: Tables, course: int, parameter: str, min_samples: int) -> float:
    """Median peak of ``parameter`` after ``course`` (its unit) over :func:`copy_peaks`."""
    return median_range(copy_peaks(tables, course, parameter, min_samples)["value"])["median"]


def latest_peak_value(tables: Tables, course: int, parameter: str, min_samples: int) -> float:
    """The value of the latest peak (its unit)."""
    latest = _latest(copy_peaks(tables, course, parameter, min_samples))
    return np.nan if latest is None else float(latest["value"])


def after_latest_peak_day(tables: Tables, course: int, parameter: str,
                          min_samples: int) -> float:
    """Study day of the last sample after the latest peak; NaN when none follows it."""
    latest = _latest(copy_peaks(tables, course, parameter, min_samples))
    if latest is None or latest["last_day"] <= latest["day"]:
        return np.nan
    return float(latest["last_day"])


def after_latest_peak_share(tables: Tables, course: int, parameter: str,
                            min_samples: int) -> float:
    """The last sample after the latest peak as a percentage of that peak; 0 when it is
    below detection; NaN when no sample follows the peak."""
    latest = _latest(copy_peaks(tables, course, parameter, min_samples))
    if latest is None or latest["last_day"] <= latest["day"]:
        return np.nan
    if latest["last_qualifier"] == "<" or latest["last_value"] <= 0:
        return 0.0
    return 100.0 * latest["last_value"] / latest["value"]


def fell_after_peak_count(tables: Tables, course: int, parameter: str,
                          min_samples: int) -> int:
    """Patients whose values fell at every sample after their peak (:func:`copy_peaks`)."""
    return int(copy_peaks(tables, course, parameter, min_samples)["fell"].sum())
