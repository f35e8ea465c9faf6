"""Cytokine release syndrome: ASTCT consensus grade and duration."""

from __future__ import annotations

import numpy as np
import pandas as pd

FEVER_FROM_C = 38.0


def crs_grade(max_temperature_c: pd.Series, hypotension: pd.Series, vasopressors: pd.Series,
              oxygen: pd.Series) -> pd.Series:
    """ASTCT CRS grade (0-4) from fever (degC), hypotension, vasopressors and oxygen need.

    Grade 1: fever only; 2: hypotension without vasopressors and/or low-flow oxygen;
    3: one vasopressor and/or high-flow oxygen; 4: several vasopressors and/or positive
    pressure. No fever >= 38 degC: no CRS (0).
    """
    fever = max_temperature_c >= FEVER_FROM_C
    grade = np.select(
        [~fever,
         (vasopressors == "multiple") | (oxygen == "positive_pressure"),
         (vasopressors == "one") | (oxygen == "high_flow"),
         (hypotension == "yes") | (oxygen == "low_flow")],
        [0, 4, 3, 2], default=1)
    return pd.Series(grade, index=max_temperature_c.index).astype("Int64")


def crs_duration_days(onset_day: pd.Series, resolution_day: pd.Series) -> pd.Series:
    """Days from CRS onset to resolution (resolution day minus onset day)."""
    return (resolution_day - onset_day).astype("Float64")
