"""Marrow status, MRD negativity and remission, by the article's definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd

MRD_NEGATIVE_BELOW = 0.01  # percent of mononuclear cells
BURDEN_HIGH_FROM = 5.0  # percent MRD


def marrow_status(blasts_pct: pd.Series) -> pd.Series:
    """M1 (< 5% blasts), M2 (5-25%) or M3 (> 25%) from morphology blasts (%)."""
    status = np.select([blasts_pct < 5, blasts_pct <= 25, blasts_pct > 25], ["M1", "M2", "M3"],
                       default=None)
    return pd.Series(status, index=blasts_pct.index)


def mrd_negative(mrd_pct: pd.Series, qualifier: pd.Series) -> pd.Series:
    """True when MRD is below 0.01%: a measured value under it, or "<x" with x <= 0.01.

    "<0.1" is not evaluable as negative (False); a missing MRD gives <NA>.
    """
    qualifier = qualifier.fillna("")
    negative = ((qualifier == "") & (mrd_pct < MRD_NEGATIVE_BELOW)) | (
        (qualifier == "<") & (mrd_pct <= MRD_NEGATIVE_BELOW))
    return negative.astype("boolean").mask(mrd_pct.isna())


def complete_remission(blasts_pct: pd.Series, mrd_pct: pd.Series, csf: pd.Series,
                       extramedullary: pd.Series) -> pd.Series:
    """CR: < 5% marrow blasts, negative CSF and no extramedullary disease.

    Marrow blasts come from morphology, or from flow MRD when morphology is missing. CSF
    must have been examined and found negative: "not done" or a missing result does not
    confirm CR. The article also requires blood count recovery; the sheets hold no counts,
    so it is not checked.
    """
    blasts = blasts_pct.fillna(mrd_pct)
    no_emd = extramedullary.fillna("none").str.lower().eq("none")
    cr = (blasts < 5) & csf.eq("negative") & no_emd
    return cr.astype("boolean").mask(blasts.isna())


def disease_burden(mrd_pct: pd.Series, extramedullary: pd.Series) -> pd.Series:
    """'high' (MRD >= 5% or extramedullary disease) or 'low' before a course."""
    emd = ~extramedullary.fillna("none").str.lower().eq("none")
    high = (mrd_pct >= BURDEN_HIGH_FROM) | emd
    return pd.Series(np.where(high, "high", "low"), index=mrd_pct.index)
