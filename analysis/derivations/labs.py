"""Repeated lab measurements: the long (BDS-like) table, baselines, peaks, B-cell aplasia."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derivations.origin import from_column, note
from analysis.derivations.timing import months_from_days, study_day

KEYS = ["patient_id", "course", "parameter"]
LAB_SHEETS = {"cytokines": "serum", "qpcr": "PB", "flow": None}
B_CELL_PERCENT = "CD19+ B cells"
B_CELL_COUNT = "B cells"
APLASIA_BELOW_PCT = 1.0
APLASIA_AT_MOST_PER_UL = 200.0


def long_labs(cohort: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All lab sheets stacked: one row per sample and parameter, in standard units, with the
    study day relative to the course's infusion and the source sheet and row."""
    columns = ["patient_id", "course", "specimen", "parameter", "value", "value_qualifier",
               "unit", "sample_date", "source", "_row"]
    parts = []
    for sheet, specimen in LAB_SHEETS.items():
        frame = cohort[sheet].copy()
        if specimen is not None:
            frame["specimen"] = specimen
        frame["source"] = sheet
        parts.append(frame[columns])
    labs = pd.concat(parts, ignore_index=True)
    infusions = cohort["courses"][["patient_id", "course", "infusion_date", "_row"]]
    courses_row = from_column("courses")
    labs = labs.merge(infusions.rename(columns={"_row": courses_row}),
                      on=["patient_id", "course"], how="left")
    labs["study_day"] = study_day(labs["sample_date"], labs["infusion_date"])
    for sheet in LAB_SHEETS:
        note("adlb", labs[labs["source"] == sheet], sheet, ["source", "_row"])
    note("adlb", labs, "courses", ["source", "_row"], line=courses_row)
    labs = labs.drop(columns=["infusion_date", courses_row])
    return labs.sort_values([*KEYS, "specimen", "study_day"], kind="stable").reset_index(
        drop=True)


def baseline_rows(labs: pd.DataFrame) -> pd.DataFrame:
    """The last sample before infusion (study day < 0) per patient, course and parameter."""
    before = labs[labs["study_day"] < 0].sort_values("study_day", kind="stable")
    return before.groupby(KEYS).tail(1)


def baseline(labs: pd.DataFrame) -> pd.Series:
    """Last value before infusion (study day < 0) per patient, course and parameter."""
    return baseline_rows(labs).set_index(KEYS)["value"].sort_index()


def peak_rows(labs: pd.DataFrame) -> pd.DataFrame:
    """The sample with the highest value from the day of infusion on (study day >= 0) per
    patient, course and parameter (the first of tied samples)."""
    after = labs[labs["study_day"] >= 0].dropna(subset=["value"])
    return after.sort_values("value", ascending=False, kind="stable").groupby(KEYS).head(1)


def peak(labs: pd.DataFrame) -> pd.Series:
    """Highest value from the day of infusion on (study day >= 0) per patient, course and
    parameter."""
    return peak_rows(labs).set_index(KEYS)["value"].sort_index()


def fold_change(peak_values: pd.Series, baseline_values: pd.Series) -> pd.Series:
    """Peak over baseline (dimensionless); NaN without a positive baseline."""
    base = baseline_values.reindex(peak_values.index)
    return peak_values / base.where(base > 0)


def b_cell_rows(labs: pd.DataFrame) -> pd.DataFrame:
    """Blood samples measuring B cells (percentage or count)."""
    return labs[labs["parameter"].isin([B_CELL_PERCENT, B_CELL_COUNT])
                & (labs["specimen"] == "PB")]


def b_cell_aplasia(labs: pd.DataFrame) -> pd.DataFrame:
    """Per blood sample after infusion: whether B cells are aplastic.

    Aplasia: CD19+ B cells < 1% or B cells <= 200 per µL (either measurement suffices).
    """
    b_cells = b_cell_rows(labs)
    wide = b_cells.pivot_table(index=["patient_id", "course", "study_day"], columns="parameter",
                               values="value", aggfunc="first")
    pct = wide.get(B_CELL_PERCENT, pd.Series(np.nan, index=wide.index))
    count = wide.get(B_CELL_COUNT, pd.Series(np.nan, index=wide.index))
    aplastic = (pct < APLASIA_BELOW_PCT) | (count <= APLASIA_AT_MOST_PER_UL)
    return pd.DataFrame({"aplastic": aplastic}).reset_index()


def bca_duration(aplasia: pd.DataFrame) -> pd.DataFrame:
    """Per course: months (30-day) of B-cell aplasia, from infusion to the last aplastic
    sample before the first sample showing recovery (or the last sample if none did), and
    whether recovery was seen."""
    after = aplasia[aplasia["study_day"] > 0].sort_values(["patient_id", "course", "study_day"])
    recovered = ~after["aplastic"]
    after = after.assign(recovery_seen=recovered.groupby(
        [after["patient_id"], after["course"]]).cummax())
    before_recovery = after[~after["recovery_seen"] & after["aplastic"]]
    last_day = before_recovery.groupby(["patient_id", "course"])["study_day"].max()
    out = pd.DataFrame({
        "bca_months": months_from_days(last_day),
        "bca_recovered": after.groupby(["patient_id", "course"])["recovery_seen"].any()
        .reindex(last_day.index),
    })
    return out.reset_index()
