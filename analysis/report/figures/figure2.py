"""Figure 2: cytokines after CART2, IL-6 after CART1 and CART2, and cytokines beside CAR copies.

:func:`draw` returns the matplotlib Figure; the paper saves and shows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from analysis.derivations.store import Tables
from analysis.report.figures.style import (
    COURSE_NAMES,
    MAX_LINES,
    PALETTE,
    empty_panel,
    lab_rows,
    patient_colors,
    trajectories,
)
from analysis.results.statistics import mann_whitney


def draw(tables: Tables) -> plt.Figure:
    """A-C: IL-6, IL-10, IFN-γ after CART2; D-E: IL-6 fold change and peak, CART1 vs CART2;
    F-G: IL-6 and IFN-γ beside CAR copies."""
    fig = plt.figure(figsize=(13, 12))
    grid = fig.add_gridspec(3, 6, hspace=0.5, wspace=1.2)
    for i, (letter, name) in enumerate([("A", "IL-6"), ("B", "IL-10"), ("C", "IFN-gamma")]):
        cytokine_panel(fig.add_subplot(grid[0, 2 * i: 2 * i + 2]), tables, name,
                       f"{letter}  {name.replace('-gamma', '-γ')} after CART2")
    il6_comparison_panel(fig.add_subplot(grid[1, 1:3]), tables, "il6_fold_change",
                         "D  IL-6 fold change", "Peak / baseline")
    il6_comparison_panel(fig.add_subplot(grid[1, 3:5]), tables, "il6_peak_pg_ml",
                         "E  IL-6 peak", "pg/mL")
    for i, (letter, name) in enumerate([("F", "IL-6"), ("G", "IFN-gamma")]):
        cytokine_and_copies_panel(fig.add_subplot(grid[2, 3 * i: 3 * i + 2]), tables, name,
                                  f"{letter}  {name.replace('-gamma', '-γ')} and CAR copies")
    return fig


def cytokine_panel(ax: plt.Axes, tables: Tables, parameter: str, title: str) -> None:
    rows = lab_rows(tables, parameter, course=2)
    rows = rows[rows["study_day"] <= 28]
    if rows.empty:
        empty_panel(ax, title)
        return
    note = trajectories(ax, rows, colors=patient_colors(tables["adsl"]["patient_id"]))
    ax.set_yscale("log")
    ax.set_title(title + note)
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("pg/mL")
    if not note:
        ax.legend(fontsize=8)


@contextmanager
def _fixed_jitter(seed: int = 0) -> Iterator[None]:
    """seaborn jitters strip plots with NumPy's global generator: seed it (and restore it
    afterwards) so that the figure files are the same on every run."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def il6_comparison_panel(ax: plt.Axes, tables: Tables, column: str, title: str,
                         ylabel: str) -> None:
    rows = tables["adcourse"][tables["adcourse"]["course"].isin([1, 2])].dropna(subset=[column])
    if rows["course"].nunique() < 2:
        empty_panel(ax, title)
        return
    rows = rows.assign(CAR_T=rows["course"].map(COURSE_NAMES))
    order = ["CART1", "CART2"]
    sns.boxplot(data=rows, x="CAR_T", y=column, order=order, ax=ax, color="0.9", width=0.5,
                showfliers=False, log_scale=True)
    with _fixed_jitter():
        sns.stripplot(data=rows, x="CAR_T", y=column, order=order, ax=ax, hue="CAR_T",
                      palette=PALETTE[:2], size=7, jitter=0.08, legend=False)
    test = mann_whitney(rows.loc[rows["course"] == 1, column], rows.loc[rows["course"] == 2,
                                                                        column])
    ax.set_title(f"{title}\n(Mann–Whitney P = {test['p']:.2g})")
    ax.set_xlabel("")
    ax.set_ylabel(ylabel)


def cytokine_and_copies_panel(ax: plt.Axes, tables: Tables, parameter: str, title: str) -> None:
    cytokine = lab_rows(tables, parameter, course=2)
    copies = lab_rows(tables, "total CAR", course=2)
    both = sorted(set(cytokine["patient_id"]) & set(copies["patient_id"]))
    if not both:
        empty_panel(ax, title)
        return
    twin = ax.twinx()
    name = parameter.replace("-gamma", "-γ")
    cytokine = cytokine[cytokine["patient_id"].isin(both) & cytokine["study_day"].between(0, 28)]
    copies = copies[copies["patient_id"].isin(both) & copies["study_day"].between(0, 28)]
    if len(both) <= MAX_LINES:
        colors = patient_colors(tables["adsl"]["patient_id"])
        for patient in both:
            c = cytokine[cytokine["patient_id"] == patient]
            q = copies[copies["patient_id"] == patient]
            ax.plot(c["study_day"], c["value"], color=colors[patient], marker="o", ms=3,
                    label=f"{patient} {name}")
            twin.plot(q["study_day"], q["value"], color=colors[patient], ls="--", marker="s",
                      ms=3, label=f"{patient} CAR copies")
        note = ""
    else:
        note = trajectories(ax, cytokine, color=PALETTE[0], label=name)
        trajectories(twin, copies, color=PALETTE[3], ls="--", label="CAR copies")
        ax.legend(*[a + b for a, b in zip(ax.get_legend_handles_labels(),
                                          twin.get_legend_handles_labels(), strict=True)],
                  fontsize=8, loc="upper right")
        twin.get_legend().remove()
    ax.set_yscale("log")
    twin.set_yscale("log")
    ax.set_title(title + note)
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("pg/mL (solid)")
    twin.set_ylabel("CAR copies/µg DNA (dashed)")
    if not note:
        ax.legend(fontsize=7, loc="upper right")
