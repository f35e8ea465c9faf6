"""Numbers the documents print that the article does not state: the measures behind the
``computed:`` entries of ``claims.yaml`` (a Spearman ρ and its pairs, CD4/CD8 medians, the
reach of the Mann–Whitney test, the months of the first and last infusion, how long before
the end of follow-up the last marrow of a patient in CR lies) and of the ``per_patient:``
entries (one patient's value or count). Each returns a plain number, NaN when it cannot be
computed for the cohort; like :mod:`analysis.results.measures`, they take the derived
tables and read them through pandas, so their provenance is traced as a claim's is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derivations import timing
from analysis.derivations.store import Tables
from analysis.results.measures import matching, ratio_pairs, same_day_pairs
from analysis.results.statistics import attainable_mann_whitney_p, spearman


def spearman_rho(tables: Tables, first: str, second: str, course: int) -> float:
    """Spearman ρ of two lab parameters over same-day samples after a course
    (:func:`analysis.results.measures.same_day_pairs`), NaN with too few pairs."""
    pairs = same_day_pairs(tables, first, second, course)
    return spearman(pairs["first"], pairs["second"])["rho"]


def same_day_pair_count(tables: Tables, first: str, second: str, course: int) -> int:
    """Number of same-day pairs of two lab parameters after a course."""
    return len(same_day_pairs(tables, first, second, course))


def same_day_patient_count(tables: Tables, first: str, second: str, course: int) -> int:
    """Number of patients contributing same-day pairs of two lab parameters."""
    return same_day_pairs(tables, first, second, course).index.get_level_values(
        "patient_id").nunique()


def ratio_median(tables: Tables, course: int, parameter: str, when: str) -> float:
    """Median CD4/CD8 ratio (unitless) of one kind (T cells or CAR-T cells) over the patients
    with both values (:func:`analysis.results.measures.ratio_pairs`), ``before`` infusion or
    the lowest ``after`` it."""
    pairs = ratio_pairs(tables, course)
    values = pairs.loc[pairs["parameter"] == parameter, when]
    return float(values.median()) if len(values) else np.nan


def ratio_pair_count(tables: Tables, course: int, parameter: str | None = None,
                     where: str | None = None) -> int:
    """Number of CD4/CD8 ratio pairs (patient and kind, with values before and after), of one
    kind if given, matching ``where`` (a query on ``before`` and ``after``) if given."""
    pairs = ratio_pairs(tables, course)
    if parameter is not None:
        pairs = pairs[pairs["parameter"] == parameter]
    return len(matching(pairs, where) if where else pairs)


def smallest_mann_whitney_p(tables: Tables, column: str, first: int = 1,
                            second: int = 2) -> float:
    """The smallest two-sided P value the exact Mann–Whitney test can give for the group
    sizes of ``column`` of adcourse in two courses; NaN when a group is empty or the groups
    are too large for the exact test."""
    frame = tables["adcourse"]
    sizes = [int(frame.loc[frame["course"] == c, column].notna().sum())
             for c in (first, second)]
    attainable = attainable_mann_whitney_p(*sizes) if all(sizes) else []
    return min(attainable) if attainable else np.nan


def marrow_to_end_months(tables: Tables) -> pd.Series:
    """Months (30-day) from each patient's last marrow assessment to the end of follow-up
    (last contact, death or cut-off) of the patient's last course."""
    courses = tables["adcourse"].sort_values("course").groupby("patient_id").last()
    end = courses["infusion_date"] + pd.to_timedelta(
        (courses["follow_up_months"] * 30).round(), unit="D")
    marrow = tables["adrs"].groupby("patient_id")["assessment_date"].max().reindex(end.index)
    return timing.months_from_days(timing.days_between(marrow, end))


def cr_marrow_gaps(tables: Tables) -> pd.Series:
    """Per patient in CR at the cut-off, months (30-day) from the last marrow assessment to
    the end of follow-up (:func:`marrow_to_end_months`): how long the status rests on no
    event being recorded."""
    adsl = tables["adsl"].set_index("patient_id")
    in_cr = adsl.index[adsl["status_at_cutoff"] == "in CR"]
    return marrow_to_end_months(tables).reindex(in_cr).dropna()


def cr_marrow_gap_months(tables: Tables, stat: str) -> float:
    """The ``min`` or ``max`` of :func:`cr_marrow_gaps` (months), NaN without a patient in CR."""
    gaps = cr_marrow_gaps(tables)
    return float(getattr(gaps, stat)()) if len(gaps) else np.nan


def infusion_month(tables: Tables, course: int, which: str) -> str | float:
    """Month and year ("July 2018") of the ``first`` or ``last`` infusion of a course, NaN
    when none is dated."""
    dates = tables["adcourse"].loc[tables["adcourse"]["course"] == course, "infusion_date"]
    dates = dates.dropna()
    if dates.empty:
        return np.nan
    return f"{(dates.min() if which == 'first' else dates.max()):%B %Y}"


def patient_value(tables: Tables, table: str, column: str, patient: str) -> float:
    """The value of ``column`` on the row of ``table`` for ``patient`` (one row per patient:
    the column's units), NaN when the patient has no row or the cell is blank."""
    frame = tables[table]
    values = frame[frame["patient_id"] == patient][column].dropna()
    return float(values.iloc[0]) if len(values) else np.nan


def patient_count(tables: Tables, table: str, patient: str, where: str) -> int:
    """How many rows of ``table`` for ``patient`` match ``where`` (a pandas query)."""
    frame = tables[table]
    return len(matching(frame[frame["patient_id"] == patient], where))
