"""What every figure shares: the house style, the palette, patient colours, saving, and
the helpers that draw a time course or say that a panel has no data.

:func:`save` writes a figure as PNG and PDF with fixed metadata so repeated runs give
identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis.derivations.store import Tables

PALETTE = sns.color_palette("colorblind")
COURSE_NAMES = {1: "CART1", 2: "CART2", 3: "CART3", 4: "CART4"}
MAX_LINES = 12  # above this many patients, time courses show median and IQR, not lines
MAX_TIME_POINTS = 25  # summaries bin scattered sampling days into this many bins


def style() -> None:
    """House style for every figure."""
    sns.set_theme(context="paper", style="ticks", font_scale=1.15)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 200, "axes.titleweight": "bold",
                         "axes.titlelocation": "left", "legend.frameon": False})


def save(fig: plt.Figure, name: str, directory: Path) -> list[Path]:
    """Write ``name.png`` and ``name.pdf`` into ``directory`` (no timestamps embedded)."""
    directory.mkdir(parents=True, exist_ok=True)
    png, pdf = directory / f"{name}.png", directory / f"{name}.pdf"
    fig.savefig(png, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(pdf, bbox_inches="tight", metadata={"CreationDate": None, "Creator": None,
                                                    "Producer": None})
    return [png, pdf]


def empty_panel(ax: plt.Axes, title: str, message: str = "no data in this cohort") -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes,
            color="0.4", style="italic")
    ax.set_xticks([])
    ax.set_yticks([])


def patient_colors(patients) -> dict:
    """One colour per patient of the cohort (pass every patient, so that a patient keeps
    its colour in every panel whatever the panel shows)."""
    patients = sorted(set(patients))
    palette = sns.color_palette("colorblind", max(len(patients), 1))
    return {p: palette[i % len(palette)] for i, p in enumerate(patients)}


def trajectories(ax: plt.Axes, rows: pd.DataFrame, x: str = "study_day", y: str = "value",
                  color=None, label: str | None = None, colors: dict | None = None,
                  **line) -> str:
    """One line per patient (legend "patient label") or, for more than MAX_LINES patients,
    the median over patients with its interquartile band (seaborn; legend "label"), sampling
    days binned when they scatter.

    Returns a note for the panel title ("" when lines are drawn)."""
    patients = rows["patient_id"].unique()
    if len(patients) <= MAX_LINES:
        colors = colors or patient_colors(patients)
        for patient, series in rows.groupby("patient_id"):
            ax.plot(series[x], series[y], marker="o", ms=3.5,
                    label=f"{patient} {label}" if label else patient,
                    color=color or colors[patient], **line)
        return ""
    if rows[x].nunique() > MAX_TIME_POINTS:
        bins = pd.cut(rows[x], MAX_TIME_POINTS)
        rows = rows.assign(**{x: bins.map(lambda b: b.mid).astype(float)})
    sns.lineplot(data=rows, x=x, y=y, estimator="median", errorbar=("pi", 50), marker="o",
                 color=color or PALETTE[0], label=label, ax=ax, **line)
    return f"\n(median and IQR of {len(patients)} patients)"


def lab_rows(tables: Tables, parameter: str, course: int | None = None) -> pd.DataFrame:
    rows = tables["adlb"][tables["adlb"]["parameter"] == parameter]
    if course is not None:
        rows = rows[rows["course"] == course]
    return rows.sort_values(["patient_id", "study_day"])


