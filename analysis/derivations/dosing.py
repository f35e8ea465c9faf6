"""CAR-T doses and lymphodepletion intensity, with units carried by pint."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.common.formatting import significant
from analysis.common.units import Q_

KEYS = ["patient_id", "course"]


def dose_per_kg(car_t_cells: pd.Series, weight_kg: pd.Series) -> pd.Series:
    """CAR-T cells infused per kilogram of body weight (cell/kg)."""
    dose = Q_(car_t_cells.to_numpy(dtype=float), "cell") / Q_(weight_kg.to_numpy(dtype=float),
                                                             "kg")
    return pd.Series(dose.to("cell/kg").magnitude, index=car_t_cells.index)


def product_doses(products: pd.DataFrame, courses: pd.DataFrame) -> pd.DataFrame:
    """One row per product with its dose per kg (cell/kg) at the course's body weight."""
    merged = products.merge(courses[[*KEYS, "weight"]], on=KEYS, how="left")
    merged["dose_per_kg"] = dose_per_kg(merged["car_t_cells"], merged["weight"])
    return merged


def course_doses(product_rows: pd.DataFrame) -> pd.DataFrame:
    """Per course: dose per target (cell/kg), total dose, CD22:CD19 ratio, mean and lowest
    transduction (%), lowest viability (%) and each target's product CD4/CD8 ratio (dimensionless).

    The ratio is the CD22 dose over the CD19 dose (the article's "1:x"); NaN unless the
    course has both products.
    """
    by_target = product_rows.pivot_table(index=KEYS, columns="target", values="dose_per_kg",
                                         aggfunc="sum")
    out = pd.DataFrame(index=by_target.index)
    for target in ("CD19", "CD22"):
        out[f"dose_{target.lower()}_per_kg"] = by_target.get(target, np.nan)
    grouped = product_rows.groupby(KEYS)
    out["dose_total_per_kg"] = grouped["dose_per_kg"].sum(min_count=1)
    out["cd22_to_cd19_ratio"] = out["dose_cd22_per_kg"] / out["dose_cd19_per_kg"]
    out["mean_transduction_pct"] = grouped["transduction_efficiency"].mean()
    out["min_transduction_pct"] = grouped["transduction_efficiency"].min()
    out["min_viability_pct"] = grouped["viability"].min()
    ratios = product_rows.pivot(index=KEYS, columns="target", values="cd4_cd8_ratio")
    for target in ("CD19", "CD22"):
        out[f"product_cd4_cd8_{target.lower()}"] = ratios.get(target, np.nan)
    present = product_rows.groupby([*KEYS, "target"]).size().unstack(fill_value=0) > 0
    present = present[sorted(present.columns)]
    out["products"] = present.dot(present.columns + "+").str.rstrip("+")
    return out.reset_index()


def dose_vs_previous(doses: pd.DataFrame, digits: int = 2) -> pd.Series:
    """'higher', 'same' or 'lower' than the patient's previous course, compared at
    ``digits`` significant figures rounded half up (as the article prints doses); None for a
    first course."""
    ordered = doses.sort_values(KEYS)
    current = ordered["dose_total_per_kg"].map(
        lambda v: v if pd.isna(v) else float(significant(v, digits)))
    previous = current.groupby(ordered["patient_id"]).shift()
    verdict = np.select([current > previous, current < previous, current == previous],
                        ["higher", "lower", "same"], default=None)
    return pd.Series(verdict, index=ordered.index).reindex(doses.index)


def ld_intensity(lymphodepletion: pd.DataFrame, courses: pd.DataFrame) -> pd.DataFrame:
    """Per course and drug: daily dose per body surface area (mg/m²), number of days given,
    and the first and last study day."""
    merged = lymphodepletion.merge(courses[[*KEYS, "bsa"]], on=KEYS, how="left")
    per_m2 = Q_(merged["dose"].to_numpy(dtype=float), "mg") / Q_(merged["bsa"].to_numpy(
        dtype=float), "m**2")
    merged["mg_per_m2"] = per_m2.to("mg/m**2").magnitude
    grouped = merged.groupby([*KEYS, "drug"])
    summary = pd.DataFrame({
        "mg_per_m2": grouped["mg_per_m2"].median(),
        "days": grouped["day"].nunique(),
        "first_day": grouped["day"].min(),
        "last_day": grouped["day"].max(),
    })
    wide = summary.unstack("drug")
    wide.columns = [f"{drug}_{measure}" for measure, drug in wide.columns]
    return wide.reset_index()
