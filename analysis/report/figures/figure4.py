"""Figure 4: CAR-T expansion and persistence, B cells, and CD4/CD8 ratios.

:func:`draw` returns the matplotlib Figure; the paper saves and shows it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.common.formatting import plural
from analysis.derivations.store import Tables
from analysis.report.figures.style import (
    COURSE_NAMES,
    PALETTE,
    empty_panel,
    lab_rows,
    patient_colors,
    trajectories,
)


def draw(tables: Tables) -> plt.Figure:
    """A: CAR copies after CART2; B: CD19 vs CD22 CAR copies; C: one patient after CART1 vs
    CART2; D: B cells of a patient with B-cell data (the one in C when it has them); E, F:
    CD4/CD8 ratios of T cells and CAR-T cells around infusion."""
    fig, axes = plt.subplots(3, 2, figsize=(12, 13), gridspec_kw={"hspace": 0.45,
                                                                   "wspace": 0.3})
    copies_panel(axes[0, 0], tables)
    cd19_cd22_panel(axes[0, 1], tables)
    courses_compared_panel(axes[1, 0], tables)
    b_cell_panel(axes[1, 1], tables)
    ratio_panel(axes[2, 0], tables, "CD4/CD8 T cells", "E  CD4/CD8 ratio of T cells")
    ratio_panel(axes[2, 1], tables, "CD4/CD8 CAR-T cells", "F  CD4/CD8 ratio of CAR-T cells")
    return fig


def copies_panel(ax: plt.Axes, tables: Tables) -> None:
    title = "A  CAR copies in blood after CART2"
    rows = lab_rows(tables, "total CAR", course=2)
    rows = rows[(rows["study_day"] >= 0) & (rows["value_qualifier"].fillna("") != "<")]
    if rows.empty:
        empty_panel(ax, title)
        return
    note = trajectories(ax, rows, colors=patient_colors(tables["adsl"]["patient_id"]))
    ax.set_yscale("log")
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("CAR copies/µg DNA")
    ax.set_title(title + note)
    if not note:
        ax.legend(fontsize=8)


def cd19_cd22_panel(ax: plt.Axes, tables: Tables) -> None:
    title = "B  CD19 and CD22 CAR copies after CART2"
    rows = tables["adlb"]
    rows = rows[(rows["course"] == 2) & rows["parameter"].isin(["CD19 CAR", "CD22 CAR"])]
    if rows.empty:
        empty_panel(ax, title)
        return
    rows = rows[rows["value_qualifier"].fillna("") != "<"].sort_values("study_day")
    note = ""
    for parameter, color in [("CD19 CAR", PALETTE[0]), ("CD22 CAR", PALETTE[3])]:
        series = rows[rows["parameter"] == parameter]
        note = trajectories(ax, series, color=color, label=parameter) or note
    ax.set_yscale("log")
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("CAR copies/µg DNA")
    ax.set_title(title + note)
    ax.legend(fontsize=8)


def courses_compared_patients(tables: Tables) -> list[str]:
    """Patients with detectable CAR copies after both CART1 and CART2."""
    rows = lab_rows(tables, "total CAR")
    rows = rows[(rows["study_day"] >= 0) & (rows["value_qualifier"].fillna("") != "<")]
    courses = rows.groupby("patient_id")["course"].agg(set)
    return sorted(p for p, c in courses.items() if {1, 2} <= c)


def courses_compared_panel(ax: plt.Axes, tables: Tables) -> None:
    patients = courses_compared_patients(tables)
    title = "C  CAR copies after CART1 and CART2"
    if not patients:
        empty_panel(ax, title)
        return
    rows = lab_rows(tables, "total CAR")
    rows = rows[rows["patient_id"].isin(patients) & (rows["study_day"] >= 0)
                & (rows["value_qualifier"].fillna("") != "<")]
    note = ""
    for course, series in rows.groupby("course"):
        note = trajectories(ax, series, color=PALETTE[int(course) - 1],
                             label=f"after {COURSE_NAMES[course]}") or note
    if not note:  # lines per patient: label each line's last value
        for _, series in rows.groupby(["patient_id", "course"]):
            last = series.iloc[-1]
            ax.annotate(f"day {int(last['study_day'])}: {copies_text(last['value'])}",
                        (last["study_day"], last["value"]), textcoords="offset points",
                        xytext=(-6, 8), ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel("CAR copies/µg DNA")
    ax.set_title(title + note)
    ax.legend(fontsize=8)


def copies_text(value: float) -> str:
    """A copy number as a reader writes it: whole copies with thousands separators
    ("35", "100,650"), two significant figures below 1."""
    return f"{value:,.0f}" if value >= 1 else f"{value:.2g}"


def b_cell_patient(tables: Tables) -> str | None:
    """The patient whose B cells Figure 4D shows: the first patient of panel C with B-cell
    data after CART2, otherwise the patient with the most B-cell samples after CART2."""
    rows = lab_rows(tables, "CD19+ B cells", course=2)
    counts = rows[rows["study_day"] >= 0].groupby("patient_id").size()
    for patient in courses_compared_patients(tables):
        if patient in counts.index:
            return patient
    return str(counts.sort_values(ascending=False, kind="stable").index[0]) if len(counts) \
        else None


def b_cell_panel(ax: plt.Axes, tables: Tables) -> None:
    patient = b_cell_patient(tables)
    title = "D  B cells after CART2" + (f" ({patient})" if patient else "")
    if patient is None:
        empty_panel(ax, title)
        return
    pct = lab_rows(tables, "CD19+ B cells", course=2)
    count = lab_rows(tables, "B cells", course=2)
    pct = pct[pct["patient_id"] == patient]
    count = count[count["patient_id"] == patient]
    ax.plot(pct["study_day"], pct["value"], marker="o", color=PALETTE[0], label="CD19+ B cells (%)")
    twin = ax.twinx()
    twin.plot(count["study_day"], count["value"], marker="s", ls="--", color=PALETTE[3],
              label="B cells per µL")
    ax.axhline(1, color=PALETTE[0], ls=":", lw=1)
    twin.axhline(200, color=PALETTE[3], ls=":", lw=1)
    ax.set_ylim(0, max(2, pct["value"].max() * 1.5))
    twin.set_ylim(0, max(400, count["value"].max() * 1.5))
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("CD19+ B cells (%), aplasia < 1%")
    twin.set_ylabel("B cells per µL, aplasia ≤ 200")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    twin.legend(loc="upper right", fontsize=8)


PRODUCT_RATIO_COLUMNS = {"product_cd4_cd8_cd19": "CD19", "product_cd4_cd8_cd22": "CD22"}


def product_ratios(tables: Tables, parameter: str, course: int = 2) -> pd.DataFrame:
    """Product CD4/CD8 ratios of a course at day 0 (columns patient_id, study_day, value,
    source): the flow sheet's product samples of ``parameter`` and the products sheet's
    ratio of each product (adcourse ``product_cd4_cd8_*``)."""
    rows = lab_rows(tables, parameter, course=course)
    flow = rows[rows["specimen"] == "product"].assign(source="flow")
    adcourse = tables["adcourse"]
    sheet = adcourse[adcourse["course"] == course].melt(
        id_vars="patient_id", value_vars=list(PRODUCT_RATIO_COLUMNS)).dropna(subset=["value"])
    sheet = sheet.assign(study_day=0.0, source=sheet["variable"].map(PRODUCT_RATIO_COLUMNS))
    columns = ["patient_id", "study_day", "value", "source"]
    return pd.concat([flow[columns], sheet[columns]], ignore_index=True)


def product_ratio_caption(tables: Tables, course: int = 2) -> str:
    """What the day-0 diamonds of Figure 4E-F show, from the product ratios present."""
    parts = []
    for parameter, panel in (("CD4/CD8 T cells", "E"), ("CD4/CD8 CAR-T cells", "F")):
        found = product_ratios(tables, parameter, course)
        if found.empty:
            continue
        flow = found[found["source"] == "flow"]["patient_id"].nunique()
        sheet = found[found["source"] != "flow"]
        sources = ([f"flow cytometry of the product for {plural(flow, 'patient')}"]
                   if flow else [])
        if len(sheet):
            sources.append(f"the products sheet for {plural(len(sheet), 'product')} "
                           f"({', '.join(sorted(set(sheet['source'])))})")
        parts.append(f"in {panel}, {' and '.join(sources)}")
    if not parts:
        return "No product CD4/CD8 ratio was recorded."
    return ("Diamonds at day 0 mark the CD4/CD8 ratio of the infused product: "
            + "; ".join(parts) + ".")


def ratio_panel(ax: plt.Axes, tables: Tables, parameter: str, title: str) -> None:
    rows = lab_rows(tables, parameter, course=2)
    products = product_ratios(tables, parameter)
    blood = rows[rows["specimen"] != "product"]
    if blood.empty and products.empty:
        empty_panel(ax, title)
        return
    colors = patient_colors(tables["adsl"]["patient_id"])
    note = trajectories(ax, blood, colors=colors) if len(blood) else ""
    if len(products):
        ax.scatter(products["study_day"], products["value"], marker="D", s=46, zorder=3,
                   c=[colors[p] for p in products["patient_id"]], edgecolors="black",
                   linewidths=0.8)
        ax.scatter([], [], marker="D", s=46, c="white", edgecolors="black", linewidths=0.8,
                   label="infused product (day 0)")
    ax.axhline(1, color="0.4", ls=":", lw=1)
    ax.set_xlabel("Days after CART2 (day 0: product and blood before infusion)")
    ax.set_ylabel("CD4/CD8 ratio")
    ax.set_title(title + note)
    ax.legend(fontsize=8)
