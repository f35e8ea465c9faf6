"""Descriptive statistics and tests used by the paper (scipy does the testing)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

EXACT_MAX_N = 16  # largest n1 + n2 for which the Mann–Whitney P is computed exactly


def median_range(values: pd.Series) -> dict[str, float]:
    """Median, minimum, maximum and count of the non-missing values (units as given)."""
    clean = pd.Series(values, dtype=float).dropna()
    if clean.empty:
        return {"median": np.nan, "min": np.nan, "max": np.nan, "n": 0}
    return {"median": float(clean.median()), "min": float(clean.min()),
            "max": float(clean.max()), "n": int(clean.size)}


def mann_whitney(first: pd.Series, second: pd.Series) -> dict[str, float]:
    """Two-sided Mann–Whitney U test, exact when the groups are small (scipy's choice).

    Returns U (of the first group), the P value and the group sizes.
    """
    a = pd.Series(first, dtype=float).dropna().to_numpy()
    b = pd.Series(second, dtype=float).dropna().to_numpy()
    if a.size == 0 or b.size == 0:
        return {"u": np.nan, "p": np.nan, "n1": int(a.size), "n2": int(b.size)}
    method = "exact" if a.size + b.size <= EXACT_MAX_N else "asymptotic"
    result = stats.mannwhitneyu(a, b, alternative="two-sided", method=method)
    return {"u": float(result.statistic), "p": float(result.pvalue),
            "n1": int(a.size), "n2": int(b.size)}


def spearman(first: pd.Series, second: pd.Series) -> dict[str, float]:
    """Spearman rank correlation of paired values (rows with both present), with its
    two-sided P value (scipy) and the number of pairs."""
    pairs = pd.concat([pd.Series(first, dtype=float), pd.Series(second, dtype=float)],
                      axis=1).dropna()
    if len(pairs) < 3 or pairs.nunique().min() < 2:
        return {"rho": np.nan, "p": np.nan, "n": len(pairs)}
    result = stats.spearmanr(pairs.iloc[:, 0], pairs.iloc[:, 1])
    return {"rho": float(result.statistic), "p": float(result.pvalue), "n": len(pairs)}


def attainable_mann_whitney_p(n1: int, n2: int) -> list[float]:
    """Every two-sided exact Mann–Whitney P value that groups of n1 and n2 can give.

    Builds, for each possible U, two samples with that U and asks scipy for the P value.
    Empty when the groups are too large for the exact test (its P values are then a
    continuum, and enumerating them would cost n1 × n2 exact tests).
    """
    if n1 + n2 > EXACT_MAX_N:
        return []
    second = np.arange(1, n2 + 1, dtype=float)
    p_values = set()
    for u in range(n1 * n2 + 1):
        below = [min(n2, max(0, u - n2 * i)) for i in range(n1)]  # ys below each x, sum = u
        first = np.array(below, dtype=float) + 0.5
        result = stats.mannwhitneyu(first, second, alternative="two-sided", method="exact")
        p_values.add(round(float(result.pvalue), 10))
    return sorted(p_values)


def km_estimates(tte: pd.DataFrame, months: list[float]) -> pd.DataFrame:
    """Kaplan–Meier survival probability and number at risk at the given months.

    ``tte`` holds ADTTE rows of one parameter and rule (``aval_months``, ``cnsr``).
    """
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter()
    fitter.fit(tte["aval_months"], event_observed=1 - tte["cnsr"])
    times = np.asarray(months, dtype=float)
    survival = fitter.survival_function_at_times(times).to_numpy()
    at_risk = [(tte["aval_months"] >= t).sum() for t in times]
    return pd.DataFrame({"months": times, "survival": survival, "at_risk": at_risk})
