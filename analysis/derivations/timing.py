"""Study days, ages and intervals. Days are calendar days; months are 30-day months."""

from __future__ import annotations

import pandas as pd

from analysis.common.units import Q_

MONTH = "month_30d"


def days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole days from ``start`` to ``end`` (dates); NaN where either is missing."""
    return (pd.to_datetime(end) - pd.to_datetime(start)).dt.days.astype(float)


def months_from_days(days: pd.Series | float) -> pd.Series | float:
    """Days converted to 30-day months (the article's convention: 356 d = 11.87 months)."""
    converted = Q_(pd.Series(days, dtype=float).to_numpy(), "day").to(MONTH).magnitude
    if isinstance(days, pd.Series):
        return pd.Series(converted, index=days.index)
    return float(converted[0])


def study_day(dates: pd.Series, infusion_dates: pd.Series) -> pd.Series:
    """Study day of each date relative to its course's infusion (infusion = day 0), days."""
    return days_between(infusion_dates, dates)


def age_at(age_at_diagnosis_years: pd.Series, diagnosis_date: pd.Series,
           date: pd.Series) -> pd.Series:
    """Age in years at ``date``: age at diagnosis plus the time since diagnosis.

    Years are Julian years of 365.25 days (pint's ``year``).
    """
    elapsed = Q_(days_between(diagnosis_date, date).to_numpy(), "day")
    age = Q_(pd.Series(age_at_diagnosis_years, dtype=float).to_numpy(), "year") + elapsed
    return pd.Series(age.to("year").magnitude, index=age_at_diagnosis_years.index)
