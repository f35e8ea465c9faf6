"""Figure 4: CAR-T expansion and persistence, B cells, and CD4/CD8 ratios.

:func:`draw` returns the matplotlib Figure; the paper saves and shows it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.common.formatting import plural, rounded, significant
from analysis.derivations.store import Tables
from analysis.ledger.claims import Claims
from analysis.report.figures.style import (
    COURSE_LINES,
    COURSE_COLORS,
    COURSE_NAMES,
    FIGURE_WIDTH,
    IMPUTED_LABEL,
    PALETTE,
    decades,
    drew_open,
    empty_panel,
    identified,
    lab_rows,
    legend_below,
    patient_legend,
    patient_looks,
    trajectories,
)


def draw(tables: Tables, imputed: frozenset = frozenset()) -> plt.Figure:
    """A: CAR copies after CART2; B: CD19 vs CD22 CAR copies; C: CAR copies after CART1 and
    CART2 in the patients sampled after both; D: B cells after CART2 (percentage above,
    count below); E, F: CD4/CD8 ratios of T cells and CAR-T cells around infusion.
    ``imputed``: (sheet, line) of imputed raw values, drawn open where they are flat."""
    fig = plt.figure(figsize=(FIGURE_WIDTH, 8.4))
    grid = fig.add_gridspec(3, 2, hspace=0.75, wspace=0.32, top=0.93)
    looks = patient_looks(tables["adsl"]["patient_id"])
    shown = copies_panel(fig.add_subplot(grid[0, 0]), tables, looks, imputed)
    shown |= cd19_cd22_panel(fig.add_subplot(grid[0, 1]), tables, looks, imputed)
    shown |= courses_compared_panel(fig.add_subplot(grid[1, 0]), tables, looks)
    cells = grid[1, 1].subgridspec(2, 1, hspace=0.15)
    shown |= b_cell_panel(fig.add_subplot(cells[0]), fig.add_subplot(cells[1]), tables, looks,
                          imputed)
    ratios = [fig.add_subplot(grid[2, column]) for column in (0, 1)]
    for ax, (parameter, title) in zip(ratios, [
            ("CD4/CD8 T cells", "E  CD4/CD8 ratio of T cells"),
            ("CD4/CD8 CAR-T cells", "F  CD4/CD8 ratio of CAR-T cells")], strict=True):
        shown |= ratio_panel(ax, tables, parameter, title, looks, imputed)
    if all(ax.has_data() for ax in ratios):  # one day axis for E and F
        days = [limit for ax in ratios for limit in ax.get_xlim()]
        for ax in ratios:
            ax.set_xlim(min(days), max(days))
    for ax in ratios:
        spread_products(ax)
        place_product_labels(ax)
    patient_legend(fig, looks, shown, y=0.955, opened=IMPUTED_LABEL if drew_open(fig) else "")
    return fig


def _detectable(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[(rows["study_day"] >= 0) & (rows["value_qualifier"].fillna("") != "<")]


def copies_rows(tables: Tables) -> pd.DataFrame:
    """Detectable total CAR copies after CART2 (panel A)."""
    return _detectable(lab_rows(tables, "total CAR", course=2))


def target_rows(tables: Tables) -> pd.DataFrame:
    """Detectable CD19 CAR and CD22 CAR copies after CART2 (panel B)."""
    return pd.concat([_detectable(lab_rows(tables, p, course=2)) for p in TARGET_LINES])


def b_cell_rows(tables: Tables) -> list[pd.DataFrame]:
    """B cells (%) and B cells per µL from the day of CART2 on (panel D, above and below)."""
    found = [lab_rows(tables, parameter, course=2) for parameter in B_CELL_LIMITS]
    return [rows[rows["study_day"] >= 0] for rows in found]


def blood_ratios(tables: Tables, parameter: str) -> pd.DataFrame:
    """A CD4/CD8 ratio's blood results around CART2 (panels E-F, besides the products)."""
    rows = lab_rows(tables, parameter, course=2)
    return rows[rows["specimen"] != "product"]


def copies_panel(ax: plt.Axes, tables: Tables, looks: dict, imputed: frozenset) -> set[str]:
    title = "A  CAR copies after CART2"
    rows = copies_rows(tables)
    if rows.empty:
        empty_panel(ax, title)
        return set()
    note = trajectories(ax, rows, looks, imputed=imputed)
    ax.set_yscale("log")
    decades(ax)
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("CAR copies/µg DNA")
    ax.set_title(title + note)
    return set() if note else set(rows["patient_id"])


LABELLED_LINES = 3  # panel C labels each line's last value for up to this many patients
TARGET_LINES = {"CD19 CAR": "-", "CD22 CAR": "--"}


def cd19_cd22_panel(ax: plt.Axes, tables: Tables, looks: dict, imputed: frozenset
                    ) -> set[str]:
    """CD19 CAR (solid) and CD22 CAR (dashed) copies of each patient with either series."""
    title = "B  CD19 and CD22 CAR copies"
    rows = target_rows(tables)
    if rows.empty:
        empty_panel(ax, title)
        return set()
    note = ""
    for parameter, ls in TARGET_LINES.items():
        series = rows[rows["parameter"] == parameter]
        if len(series):
            note = trajectories(ax, series, looks, ls=ls, imputed=imputed) or note
            ax.plot([], [], color="0.3", ls=ls, label=parameter)
    ax.set_yscale("log")
    decades(ax)
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("CAR copies/µg DNA")
    ax.set_title(title + note)
    legend_below(ax, ncol=2)
    return set() if note else set(rows["patient_id"])


def courses_compared_patients(tables: Tables) -> list[str]:
    """Patients with detectable CAR copies after both CART1 and CART2."""
    rows = _detectable(lab_rows(tables, "total CAR"))
    courses = rows.groupby("patient_id")["course"].agg(set)
    return sorted(p for p, c in courses.items() if {1, 2} <= c)


def courses_compared_panel(ax: plt.Axes, tables: Tables, looks: dict) -> set[str]:
    """Each patient's CAR copies after CART1 (dotted) and CART2 (solid); with lines per
    patient; for up to LABELLED_LINES patients each line's last value is labelled to the
    right of its last point."""
    patients = courses_compared_patients(tables)
    title = "C  CAR copies by course"
    if not patients:
        empty_panel(ax, title)
        return set()
    rows = lab_rows(tables, "total CAR")
    rows = _detectable(rows[rows["patient_id"].isin(patients) & rows["course"].isin([1, 2])])
    note = ""
    for course, series in rows.groupby("course"):
        ls = COURSE_LINES[int(course)]
        color = COURSE_COLORS[int(course)]  # of a course's summary; lines: the patient's
        note = trajectories(ax, series, looks, ls=ls, color=color) or note
        ax.plot([], [], color="0.3" if identified(looks) else color, ls=ls,
                label=f"after {COURSE_NAMES[course]}")
    if len(patients) <= LABELLED_LINES:
        for _, series in rows.groupby(["patient_id", "course"]):
            last = series.iloc[-1]
            ax.annotate(f"day {int(last['study_day'])}: {copies_text(last['value'])}",
                        (last["study_day"], last["value"]), textcoords="offset points",
                        xytext=(5, 0), ha="left", va="center")
        ax.set_xlim(right=rows["study_day"].max() * 1.6)
    ax.set_yscale("log")
    decades(ax)
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel("CAR copies/µg DNA")
    ax.set_title(title + note)
    legend_below(ax, ncol=2)
    return set() if note else set(patients)


def copies_text(value: float) -> str:
    """A copy number as a reader writes it: whole copies with thousands separators
    ("35", "100,650"), two significant figures below 1 ("0.50"), rounded half up."""
    return f"{rounded(value, 0):,f}" if value >= 1 else f"{significant(value, 2):f}"


B_CELL_LIMITS = {"CD19+ B cells": (1, "B cells (%)", "< 1%"),
                 "B cells": (200, "B cells/µL", "≤ 200")}  # aplasia limits


def b_cell_panel(upper: plt.Axes, lower: plt.Axes, tables: Tables, looks: dict,
                 imputed: frozenset) -> set[str]:
    """B cells of every patient after CART2: CD19+ B cells (%) above, B cells per µL below,
    each on a log axis with its aplasia limit dotted."""
    title = "D  B cells after CART2"
    found = b_cell_rows(tables)
    if all(rows.empty for rows in found):
        empty_panel(upper, title)
        lower.set_axis_off()
        return set()
    upper.set_title(title)
    upper.sharex(lower)  # before drawing, so that the day axis spans both series
    note, shown = "", set()
    for ax, rows, (limit, ylabel, text) in zip((upper, lower), found, B_CELL_LIMITS.values(),
                                              strict=True):
        if rows.empty:
            empty_panel(ax, "")
            continue
        note = trajectories(ax, rows, looks, imputed=imputed) or note
        shown |= set(rows["patient_id"])
        ax.axhline(limit, color="0.4", ls=":", lw=1)
        ax.text(1.0, limit, f" {text}", va="center", transform=ax.get_yaxis_transform())
        ax.set_yscale("log")
        decades(ax)
        ax.set_ylabel(ylabel)
    upper.tick_params(labelbottom=False)
    lower.set_xlabel("Days after CART2")
    upper.set_title(title + note)
    return set() if note else shown


PRODUCT_RATIO_COLUMNS = {"product_cd4_cd8_cd19": "CD19", "product_cd4_cd8_cd22": "CD22"}
SHEET_RATIO_PARAMETER = "CD4/CD8 CAR-T cells"  # the panel that draws the products sheet's ratio


def product_ratios(tables: Tables, parameter: str, course: int = 2) -> pd.DataFrame:
    """Product CD4/CD8 ratios of a course at day 0 (columns patient_id, study_day, value,
    source): the flow sheet's product samples of ``parameter`` and, with the CAR-T cell
    ratio only (:data:`SHEET_RATIO_PARAMETER`, so that each is drawn once), the products
    sheet's ratio of each product (adcourse ``product_cd4_cd8_*``)."""
    rows = lab_rows(tables, parameter, course=course)
    flow = rows[rows["specimen"] == "product"].assign(source="flow")
    columns = ["patient_id", "study_day", "value", "source"]
    if parameter != SHEET_RATIO_PARAMETER:
        return flow[columns].reset_index(drop=True)
    adcourse = tables["adcourse"]
    sheet = adcourse[adcourse["course"] == course].melt(
        id_vars="patient_id", value_vars=list(PRODUCT_RATIO_COLUMNS)).dropna(subset=["value"])
    sheet = sheet.assign(study_day=0.0, source=sheet["variable"].map(PRODUCT_RATIO_COLUMNS))
    return pd.concat([flow[columns], sheet[columns]], ignore_index=True)


RATIO_FLOW_CLAIMS = {"CD4/CD8 T cells": "product_ratio_flow_t",
                     "CD4/CD8 CAR-T cells": "product_ratio_flow_car"}  # patients, flow sheet


def product_ratio_caption(claims: Claims) -> str:
    """What the black-edged day-0 markers of Figure 4E-F show, from the CART2 product ratios
    present, each count in the span of its claim (``product_ratio_*``)."""
    parts = []
    for parameter, panel in (("CD4/CD8 T cells", "E"), ("CD4/CD8 CAR-T cells", "F")):
        found = product_ratios(claims.tables, parameter)
        if found.empty:
            continue
        sheet = found[found["source"] != "flow"]
        sources = ([f"flow cytometry of the product for "
                    f"{claims.counted_as(RATIO_FLOW_CLAIMS[parameter], 'patient')}"]
                   if (found["source"] == "flow").any() else [])
        if len(sheet):
            sources.append(f"the products sheet for "
                           f"{claims.counted_as('product_ratio_sheet', 'patient')}, each "
                           f"product named beside its marker "
                           f"({', '.join(sorted(set(sheet['source'])))})")
        parts.append(f"in {panel}, {' and '.join(sources)}")
    if not parts:
        return "No product CD4/CD8 ratio was recorded."
    look = (", in the patient's colour and marker (grey in the legend)," if identified(
        patient_looks(claims.tables["adsl"]["patient_id"])) else "")
    return (f"Black-edged markers at day 0{look} mark the CD4/CD8 ratio of the infused "
            "product: " + "; ".join(parts) + ".")


PRODUCT = {"ms": 7, "mec": "black", "mew": 1, "zorder": 3}  # an infused product's marker
PRODUCT_LABEL = "_infused product"  # the label of a product's marker (underscore: no legend)


def ratio_panel(ax: plt.Axes, tables: Tables, parameter: str, title: str, looks: dict,
                imputed: frozenset) -> set[str]:
    """Blood ratios of each patient around CART2 and, at day 0, the infused product's ratio
    as the patient's marker, larger and edged in black."""
    products = product_ratios(tables, parameter)
    blood = blood_ratios(tables, parameter)
    if blood.empty and products.empty:
        empty_panel(ax, title)
        return set()
    note = trajectories(ax, blood, looks, imputed=imputed) if len(blood) else ""
    for row in products.itertuples():
        look = looks[row.patient_id] if identified(looks) else {"color": PALETTE[0],
                                                                "marker": "o"}
        line, = ax.plot(row.study_day, row.value, ls="none", gid=row.patient_id,
                        label=PRODUCT_LABEL, **PRODUCT, **look)
        if row.source != "flow":  # a patient's CD19 and CD22 products: named beside each
            ax.annotate(row.source, xy=(1, 0.5), xycoords=line, xytext=(1.5, 0),
                        textcoords="offset points", ha="left", va="center", gid=PRODUCT_LABEL)
    if len(products):  # the legend's marker as drawn, grey standing for the patient's colour
        ax.plot([], [], ls="none", marker="o", color="0.6" if identified(looks) else PALETTE[0],
                label="infused product (day 0)", **PRODUCT)
    ax.axhline(1, color="0.4", ls=":", lw=1)
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("CD4/CD8 ratio")
    ax.set_title(title + note)
    legend_below(ax, ncol=2)
    return set() if note else set(blood["patient_id"]) | set(products["patient_id"])


def spread_products(ax: plt.Axes) -> None:
    """Move the product markers of a ratio panel sideways, by whole marker widths (right,
    left, two right, ...), as little as keeps each clear of every other marker of the panel
    and inside it; call once the panel's limits are final."""
    to_pixels, dpi = ax.transData, ax.get_figure(root=True).dpi
    area = ax.get_window_extent()
    products = [line for line in ax.get_lines() if line.get_label() == PRODUCT_LABEL]
    taken = [(x, y, line.get_markersize() * dpi / 144) for line in ax.get_lines()
             if line.get_label() != PRODUCT_LABEL and line.get_marker() not in ("None", "")
             for x, y in to_pixels.transform(np.column_stack([line.get_xdata(),
                                                              line.get_ydata()]))]
    for line in sorted(products, key=lambda line: -line.get_ydata()[0]):
        radius = line.get_markersize() * dpi / 144
        x, y = to_pixels.transform((line.get_xdata()[0], line.get_ydata()[0]))
        steps = [0] + [k * sign for k in range(1, len(products) + len(taken) + 1)
                       for sign in (1, -1)]
        spots = [x + step * 2 * radius for step in steps]
        spots = [s for s in spots if area.x0 + radius <= s <= area.x1 - radius] or [x]
        spot = next((s for s in spots if all(np.hypot(s - tx, y - ty) >= radius + r
                                             for tx, ty, r in taken)), spots[0])
        taken.append((spot, y, radius))
        line.set_xdata([to_pixels.inverted().transform((spot, y))[0]])


RATIO_PANELS = {"E": ("CD4/CD8 T cells", "T cells"), "F": ("CD4/CD8 CAR-T cells", "CAR-T cells")}


def caption(tables: Tables) -> str:
    """The caption's sentences on panels A-F as they are drawn for this cohort: what each
    shows, or that it is empty and why (no results in the cohort)."""
    empty = "{}: empty, as {}."
    parts = [empty.format("A", "no total CAR copies were detectable after the second CAR-T "
                               "(CART2)") if copies_rows(tables).empty else
             "A: total CAR copies per µg of blood DNA (quantitative PCR) after the second "
             "CAR-T (CART2).",
             empty.format("B", "no CD19 or CD22 CAR copies were detectable after CART2")
             if target_rows(tables).empty else
             "B: CD19 CAR (solid) and CD22 CAR (dashed) copies after CART2.",
             empty.format("C", "no patient had detectable CAR copies after both the first "
                               "CAR-T (CART1) and CART2")
             if not courses_compared_patients(tables) else
             "C: CAR copies after the first CAR-T (CART1, dotted) and after CART2 (solid) in "
             "the patients with detectable copies after both."]
    percent, count = (not rows.empty for rows in b_cell_rows(tables))
    shown = [text for text, found in [("CD19+ B cells in per cent (above)", percent),
                                      ("B cells per µL (below)", count)] if found]
    parts.append(f"D: {' and '.join(shown)} after CART2, with the B-cell aplasia limits "
                 "(dotted: below 1%, at most 200 per µL)"
                 + ("" if len(shown) == 2 else
                    f"; the {'lower' if percent else 'upper'} part is empty") + "."
                 if shown else empty.format("D", "no B cells were recorded after CART2"))
    drawn = {letter: not (blood_ratios(tables, parameter).empty
                          and product_ratios(tables, parameter).empty)
             for letter, (parameter, _) in RATIO_PANELS.items()}
    if all(drawn.values()):
        parts.append("E, F: CD4/CD8 ratio of T cells and of CAR-T cells in blood around CART2 "
                     "(dotted: a ratio of 1).")
    else:
        parts += [f"{letter}: CD4/CD8 ratio of {cells} in blood around CART2 (dotted: a ratio "
                  "of 1)." if drawn[letter] else
                  empty.format(letter, f"no CD4/CD8 ratio of {cells} was recorded around CART2")
                  for letter, (_, cells) in RATIO_PANELS.items()]
    return " ".join(parts)


# where a product's name goes, tried in turn: (anchor on the marker, offset in points, ha, va)
LABEL_PLACES = [((1, 0.5), (1.5, 0), "left", "center"), ((0.5, 1), (0, 1), "center", "bottom"),
                ((0.5, 0), (0, -1), "center", "top"), ((0, 0.5), (-1.5, 0), "right", "center"),
                ((0, 1), (0, 1), "left", "bottom"), ((0, 0), (0, -1), "left", "top")]


def place_product_labels(ax: plt.Axes) -> None:
    """Put each product's name (right of its marker, else above, below, left, or above or
    below from its left edge) where it covers no marker and no other name and stays inside
    the panel; call after :func:`spread_products`."""
    renderer = ax.get_figure(root=True).canvas.get_renderer()
    markers = [line.get_window_extent(renderer) for line in ax.get_lines()
               if line.get_marker() not in ("None", "") and len(line.get_xdata())]
    placed = []
    for label in [t for t in ax.texts if t.get_gid() == PRODUCT_LABEL]:
        for xy, offset, ha, va in LABEL_PLACES:
            label.xy, label.xyann = xy, offset
            label.set_ha(ha)
            label.set_va(va)
            box = label.get_window_extent(renderer)
            if (ax.get_window_extent(renderer).contains(box.x0, box.y0)
                    and ax.get_window_extent(renderer).contains(box.x1, box.y1)
                    and not any(box.overlaps(other) for other in markers + placed)):
                break
        placed.append(label.get_window_extent(renderer))


def alt_text(tables: Tables) -> str:
    """The figure's alternative text, from what each panel draws for this cohort: its
    measure and how many patients, or that it is empty."""
    one = identified(patient_looks(tables["adsl"]["patient_id"]))

    def of(rows: pd.DataFrame) -> str:
        return plural(rows["patient_id"].nunique(), "patient")

    percent, count = b_cell_rows(tables)
    compared = courses_compared_patients(tables)
    panels = [("A", "total CAR copies on a log scale", copies_rows(tables)),
              ("B", "CD19 CAR (solid) and CD22 CAR (dashed) copies on a log scale",
               target_rows(tables)),
              ("C", "CAR copies after CART1 (dotted) and after CART2 (solid)",
               pd.DataFrame({"patient_id": compared})),
              ("D", "B cells as a percentage (above) and per µL (below) on log scales, with "
               "the aplasia limits", pd.concat([percent, count]))]
    for letter, (parameter, cells) in RATIO_PANELS.items():
        products = product_ratios(tables, parameter)
        panels.append((letter, f"the CD4/CD8 ratio of {cells} in blood"
                       + (", with the infused products' ratios at day 0" if len(products)
                          else ""), pd.concat([blood_ratios(tables, parameter), products])))
    drawn = "a line per patient" if one else "the median over patients"
    parts = [f"{letter}, {what} ({of(rows)})" if len(rows) else f"{letter}, empty"
             for letter, what, rows in panels]
    return (f"Six panels of CAR-T kinetics after CART2, {drawn}: " + "; ".join(parts) + ".")
