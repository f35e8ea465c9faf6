"""What every figure shares: the house style and print size, the colour-blind-safe palette,
one look (colour and marker) per patient, the shared patient legend, saving, and the
helpers that draw a time course or say that a panel has no data.

Figures are drawn at :data:`FIGURE_WIDTH` inches with text of at least
:data:`MIN_FONT_PT` points, so that printed at the PDF's text width (:data:`PRINT_WIDTH`)
no text is smaller than 6 pt. :func:`save` writes a figure as PNG and PDF with fixed
metadata so repeated runs give identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import NullFormatter

from analysis.derivations.store import Tables
from analysis.ledger.claims import Claims
from analysis.provenance.cells import cell_rules

# Okabe & Ito (2002), "Color Universal Design": distinguishable under the common colour
# vision deficiencies. Yellow is kept for filled areas only (too light for lines on white).
OKABE_ITO = {"blue": "#0072B2", "orange": "#E69F00", "bluish green": "#009E73",
             "vermillion": "#D55E00", "reddish purple": "#CC79A7", "sky blue": "#56B4E9",
             "black": "#000000", "yellow": "#F0E442"}
PALETTE = [OKABE_ITO[name] for name in ("blue", "orange", "bluish green", "vermillion",
                                        "reddish purple", "sky blue", "black")]
MARKERS = ["o", "s", "^", "D", "v", "P"]  # 7 colours x 6 markers: 42 distinct looks
COURSE_NAMES = {1: "CART1", 2: "CART2", 3: "CART3", 4: "CART4"}
COURSE_LINES = {1: ":", 2: "-", 3: "--", 4: "-."}  # line style of each CAR-T course
COURSE_COLORS = {c: OKABE_ITO[name] for c, name in  # an infusion's triangle: colour alone,
                 zip(COURSE_NAMES, ("blue", "orange", "black", "sky blue"), strict=True)}
# so the four courses stay apart under each colour-vision deficiency (tests/report/test_figures.py)
MAX_LINES = 12  # above this many patients, time courses show median and IQR, not lines
MAX_TIME_POINTS = 25  # summaries bin scattered sampling days into this many bins
PRINT_WIDTH = 6.3  # in: A4 (210 mm) less Typst's default 25 mm margins, where the PDF prints
FIGURE_WIDTH = 7.0  # in, the width every figure is drawn at
MIN_FONT_PT = 7.5  # smallest text drawn: 7.5 pt x 6.3/7.3 (saved width) is 6.5 pt printed


def style() -> None:
    """House style for every figure: seaborn's ticks style, text sizes from MIN_FONT_PT."""
    sns.set_theme(context="paper", style="ticks")
    plt.rcParams.update({
        "figure.dpi": 110, "savefig.dpi": 250, "axes.titleweight": "bold",
        "axes.titlelocation": "left", "legend.frameon": False, "font.size": 8,
        "axes.titlesize": 8.5, "axes.labelsize": 8, "xtick.labelsize": MIN_FONT_PT,
        "ytick.labelsize": MIN_FONT_PT, "legend.fontsize": MIN_FONT_PT,
        "legend.title_fontsize": MIN_FONT_PT, "lines.linewidth": 1.2,
        "lines.markersize": 4.5, "axes.prop_cycle": plt.cycler(color=PALETTE)})


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


def patient_looks(patients) -> dict[str, dict]:
    """Colour and marker of each patient (pass every patient of the cohort, so that a patient
    has the same look in every panel and figure): the i-th patient by ID gets colour i mod 7
    and marker i mod 6, so the first 42 patients all look different."""
    return {p: {"color": PALETTE[i % len(PALETTE)], "marker": MARKERS[i % len(MARKERS)]}
            for i, p in enumerate(sorted(set(patients)))}


def identified(looks: dict[str, dict]) -> bool:
    """Whether the figures tell the cohort's patients apart: up to MAX_LINES patients each has
    a line and a legend entry; a larger cohort is drawn as a group (median and IQR, box
    plots), the same in every panel whatever the panel's own number of patients."""
    return len(looks) <= MAX_LINES


def patients_note(claims: Claims, legend: str = "top") -> str:
    """The caption's sentence on how patients are drawn, for a cohort of as many patients as
    the claim ``n_patients_recorded`` counts (in its span); ``legend``: where the figure's
    patient legend is ("top" or "bottom")."""
    n_patients = int(claims.value("n_patients_recorded"))
    if n_patients <= MAX_LINES:
        return ("Each patient has one colour and marker, the same in every panel and figure "
                f"(legend at the {legend}).")
    return (f"With {claims.counted_as('n_patients_recorded', 'patient')} (more than "
            f"{MAX_LINES}), patients are drawn as a "
            "group, not one by one: lines show the median over patients and the band their "
            "interquartile range (IQR), and boxes the median, IQR and whiskers to 1.5 IQR; "
            "Figure 3A names every patient in a row of its own.")


def patient_legend(fig, looks: dict[str, dict], shown, y: float = 1.0,
                   above: bool = True, opened: str = "") -> None:
    """One legend of the patients ``shown`` (when the cohort's patients are
    :func:`identified`), centred on the figure (or subfigure) above ``y`` (or below it), a
    fraction of its height, outside every panel; ``opened``: what open markers mean, said in
    the legend's title."""
    shown = sorted(set(shown))
    if not shown or not identified(looks):
        return
    handles = [plt.Line2D([], [], ls="-", label=p, **looks[p]) for p in shown]
    entry = 0.45 + 0.06 * max(len(p) for p in shown)  # in: handle, spacing, 7.5 pt text
    fig.legend(handles=handles, loc="lower center" if above else "upper center",
               bbox_to_anchor=(0.5, y), ncol=max(1, min(len(shown), int(6.2 // entry))),
               title=f"Patient (open markers: {opened})" if opened else "Patient",
               handlelength=2.2)


def imputed_values(raw: Path) -> frozenset[tuple[str, int]]:
    """(sheet, CSV line) of the raw rows whose ``value`` the cohort's provenance file marks
    as imputed; empty when the cohort has no provenance file (a team's own records)."""
    if not (Path(raw) / "provenance.csv").is_file():
        return frozenset()
    cells = cell_rules(Path(raw))
    cells = cells[(cells["column"] == "value") & (cells["basis"] == "imputed")]
    return frozenset(zip(cells["sheet"], cells["row"].astype(int), strict=True))


IMPUTED_LABEL = "imputed by the reconstruction"


def imputed_note(imputed: frozenset) -> str:
    """The caption's sentence on open markers, when the cohort marks imputed values."""
    if not imputed:
        return ""
    return ("Open markers: constant values that the reconstruction imputed "
            "where the article gives no measurement, not trial records.")


def drew_open(fig: plt.Figure) -> bool:
    """Whether any patient's marker is drawn open (white face) in ``fig``."""
    return any(line.get_gid() and line.get_markerfacecolor() == "white"
               for line in fig.findobj(plt.Line2D))


def imputed_flat(rows: pd.DataFrame, imputed: frozenset, y: str = "value") -> pd.Series:
    """Which rows of one patient's series (sorted by day, lab rows with ``source`` and
    ``_row``) are imputed values repeating their neighbour: the reconstruction's flat
    baselines."""
    if not imputed or "source" not in rows:
        return pd.Series(False, index=rows.index)
    mine = pd.Series([(s, int(r)) in imputed for s, r in zip(rows["source"], rows["_row"],
                                                             strict=True)], index=rows.index)
    repeated = rows[y].eq(rows[y].shift()) | rows[y].eq(rows[y].shift(-1))
    return mine & repeated


def trajectories(ax: plt.Axes, rows: pd.DataFrame, looks: dict[str, dict], x: str = "study_day",
                 y: str = "value", ls: str = "-", imputed: frozenset = frozenset(),
                 color: str = PALETTE[0]) -> str:
    """One line per patient in the patient's look (imputed flat baselines as open markers) or,
    for a cohort whose patients are not :func:`identified`, the median over patients with its
    interquartile band (seaborn, in line style ``ls`` and ``color``), sampling days binned
    when they scatter.

    Returns a note for the panel title ("" when lines are drawn)."""
    patients = rows["patient_id"].unique()
    if identified(looks):
        for patient, series in rows.groupby("patient_id"):
            look = looks[patient]
            ax.plot(series[x], series[y], ls=ls, gid=patient, **look)
            flat = imputed_flat(series, imputed, y)
            if flat.any():
                ax.plot(series.loc[flat, x], series.loc[flat, y], ls="none", mfc="white",
                        zorder=3, gid=patient, **look)
        return ""
    if rows[x].nunique() > MAX_TIME_POINTS:
        bins = pd.cut(rows[x], MAX_TIME_POINTS)
        rows = rows.assign(**{x: bins.map(lambda b: b.mid).astype(float)})
    sns.lineplot(data=rows, x=x, y=y, estimator="median", errorbar=("pi", 50), marker="o",
                 color=color, ls=ls, ax=ax)
    return f"\n(median, IQR; n = {len(patients)})"


def decades(ax: plt.Axes) -> None:
    """Widen a log y-axis to whole powers of ten (at least two labelled), with a small margin
    beyond a value lying on one, and no labels on the minor ticks."""
    low, high = ax.dataLim.intervaly
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0:
        return
    low, high = np.round(np.log10([low, high]), 6)  # 0.01 is a decade, not 10^-2.0000001
    bottom, top = np.floor(low), max(np.ceil(high), np.floor(low) + 1)
    ax.set_ylim(10 ** (bottom - 0.12 * (low - bottom < 0.05)),
                10 ** (top + 0.12 * (top - high < 0.05)))
    ax.yaxis.set_minor_formatter(NullFormatter())


def lab_rows(tables: Tables, parameter: str, course: int | None = None) -> pd.DataFrame:
    rows = tables["adlb"][tables["adlb"]["parameter"] == parameter]
    if course is not None:
        rows = rows[rows["course"] == course]
    return rows.sort_values(["patient_id", "study_day"])


def legend_below(ax: plt.Axes, offset: float = 0.28, **options) -> None:
    """The panel's legend under its x-axis label (``offset``: axes heights below the axis),
    off the data; ``options`` as for ``Axes.legend`` (``handles``: the entries, else the
    labelled artists)."""
    if options.get("handles") or ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -offset),
                  ncol=options.pop("ncol", 2), **options)
