"""The article's figures, drawn from the derived tables (matplotlib and seaborn).

Each ``figureN`` function returns a matplotlib Figure; :func:`save` writes it as PNG and PDF
with fixed metadata so repeated runs give identical files. Panels that need data a cohort
does not have say so in the panel instead of drawing something stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from lifelines import KaplanMeierFitter
from lifelines.plotting import add_at_risk_counts
from matplotlib.patches import FancyBboxPatch

from analysis.derivations.timing import months_from_days
from analysis.formatting import plural
from analysis.results import Tables
from analysis.statistics import mann_whitney

PALETTE = sns.color_palette("colorblind")
COURSE_NAMES = {1: "CART1", 2: "CART2", 3: "CART3", 4: "CART4"}
# Domains of the two CAR constructs, N- to C-terminus (second generation, 4-1BB and CD3ζ).
CONSTRUCTS = {
    "CD19 CAR": ["Signal peptide", "anti-CD19 scFv", "CD8α hinge", "CD8α TM", "4-1BB", "CD3ζ"],
    "CD22 CAR": ["Signal peptide", "anti-CD22 scFv", "CD8α hinge", "CD8α TM", "4-1BB", "CD3ζ"],
}
DOMAIN_WIDTH = {"anti-CD19 scFv": 3.2, "anti-CD22 scFv": 3.2, "CD3ζ": 2.2}
MAX_LINES = 12  # above this many patients, time courses show median and IQR, not lines
MAX_SWIMMER_ROWS = 60  # the swimmer plot shows at most this many patients
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


def _empty(ax: plt.Axes, title: str, message: str = "no data in this cohort") -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes,
            color="0.4", style="italic")
    ax.set_xticks([])
    ax.set_yticks([])


def _patient_colors(patients) -> dict:
    """One colour per patient of the cohort (pass every patient, so that a patient keeps
    its colour in every panel whatever the panel shows)."""
    patients = sorted(set(patients))
    palette = sns.color_palette("colorblind", max(len(patients), 1))
    return {p: palette[i % len(palette)] for i, p in enumerate(patients)}


def _trajectories(ax: plt.Axes, rows: pd.DataFrame, x: str = "study_day", y: str = "value",
                  color=None, label: str | None = None, colors: dict | None = None,
                  **line) -> str:
    """One line per patient (legend "patient label") or, for more than MAX_LINES patients,
    the median over patients with its interquartile band (seaborn; legend "label"), sampling
    days binned when they scatter.

    Returns a note for the panel title ("" when lines are drawn)."""
    patients = rows["patient_id"].unique()
    if len(patients) <= MAX_LINES:
        colors = colors or _patient_colors(patients)
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


def _lab(tables: Tables, parameter: str, course: int | None = None) -> pd.DataFrame:
    rows = tables["adlb"][tables["adlb"]["parameter"] == parameter]
    if course is not None:
        rows = rows[rows["course"] == course]
    return rows.sort_values(["patient_id", "study_day"])


# ---------------------------------------------------------------------------------------
# Figure 1: constructs, flow of patients, lymphodepletion schedules
# ---------------------------------------------------------------------------------------
def figure1(tables: Tables) -> plt.Figure:
    """A: the two CAR constructs; B: flow chart with counts; C: lymphodepletion schedules."""
    fig = plt.figure(figsize=(11, 12))
    grid = fig.add_gridspec(3, 1, height_ratios=[1.3, 3.2, 2.0], hspace=0.3)
    constructs_panel(fig.add_subplot(grid[0]))
    flow_panel(fig.add_subplot(grid[1]), tables)
    lymphodepletion_panel(fig.add_subplot(grid[2]), tables)
    return fig


def constructs_panel(ax: plt.Axes) -> None:
    ax.set_title("A  CAR constructs")
    for row, (name, domains) in enumerate(CONSTRUCTS.items()):
        y = 1 - row
        x = 2.2
        ax.text(0, y, name, va="center", fontweight="bold")
        for i, domain in enumerate(domains):
            width = DOMAIN_WIDTH.get(domain, 1.9)
            ax.add_patch(FancyBboxPatch((x, y - 0.22), width - 0.08, 0.44,
                                        boxstyle="round,pad=0.02", fc=PALETTE[i], alpha=0.8,
                                        ec="0.2"))
            ax.text(x + width / 2 - 0.04, y, domain, ha="center", va="center", fontsize=9)
            x += width
    ax.set_xlim(-0.1, x + 0.2)
    ax.set_ylim(-0.6, 1.6)
    ax.axis("off")


def lymphodepletion_panel(ax: plt.Axes, tables: Tables) -> None:
    ax.set_title("C  Lymphodepletion before each CAR-T")
    courses = tables["adcourse"]
    drugs = [c.removesuffix("_mg_per_m2") for c in courses.columns if c.endswith("_mg_per_m2")]
    shown = sorted(c for c in courses["course"].unique() if c <= 2)
    if not drugs or not shown:
        _empty(ax, "C  Lymphodepletion before each CAR-T")
        return
    labels = []
    for row, (course, drug) in enumerate((c, d) for c in shown for d in drugs):
        rows = courses[courses["course"] == course]
        first = rows[f"{drug}_first_day"].median()
        last = rows[f"{drug}_last_day"].median()
        dose = rows[f"{drug}_mg_per_m2"].median()
        if np.isnan(first):
            continue
        ax.barh(row, last - first + 0.8, left=first - 0.4, color=PALETTE[drugs.index(drug)],
                height=0.6)
        ax.text(last + 0.5, row, f"{dose:.0f} mg/m² × {int(last - first + 1)} d", va="center",
                fontsize=8)
        labels.append((row, f"{COURSE_NAMES.get(course, course)}: {drug}"))
    ax.axvline(0, color="0.2", ls="--", lw=1)
    ax.text(0.1, -0.9, "infusion (day 0)", fontsize=8)
    ax.set_yticks([r for r, _ in labels], [label for _, label in labels])
    ax.set_xlim(-7, 4.5)
    ax.set_ylim(len(labels) - 0.4, -1.2)
    ax.set_xlabel("Day relative to CAR-T infusion")


STATUS_WORDS = {"in CR": "In MRD-negative CR", "relapsed": "Relapsed", "died": "Died",
                "lost to follow-up": "Lost to follow-up", "active disease": "Active disease"}


def flow_counts(tables: Tables) -> dict[str, int]:
    """Patient counts for the flow chart, from the derived tables. Every patient given CART2
    ends in exactly one branch (MRD-negative CR with HSCT, CR without HSCT, no CR) and,
    within it, in exactly one status at the cut-off ("<branch>: <status>")."""
    adsl, adcourse = tables["adsl"], tables["adcourse"]
    cart2 = adcourse[adcourse["course"] == 2].set_index("patient_id")
    patients = adsl.set_index("patient_id").loc[cart2.index]
    cr = cart2["best_mrd_negative_cr"].fillna(False).astype(bool)
    hsct = patients["hsct_after_cart2"].astype(bool)
    branches = {"CR, HSCT": cr & hsct, "CR, no HSCT": cr & ~hsct, "no CR": ~cr}
    counts = {
        "relapsed after CART1": int(adsl["relapse_cart1_site"].notna().sum()),
        "received CART2": len(cart2),
        "MRD-negative CR": int(cr.sum()),
    }
    for branch, members in branches.items():
        counts[branch] = int(members.sum())
        status = patients.loc[members, "status_at_cutoff"].value_counts()
        for name in STATUS_WORDS:
            counts[f"{branch}: {name}"] = int(status.get(name, 0))
    counts["bridged to HSCT"] = int(hsct.sum())
    return counts


def _outcomes(n: dict[str, int], branch: str) -> str:
    lines = [f"{text}: n = {n[f'{branch}: {key}']}" for key, text in STATUS_WORDS.items()
             if n[f"{branch}: {key}"]]
    return "\n".join(lines) or "none"


def flow_panel(ax: plt.Axes, tables: Tables) -> None:
    ax.set_title("B  Patient flow")
    n = flow_counts(tables)
    boxes = {
        "top": (0.5, 0.92, f"Relapse after CD19 CAR-T (CART1)\nn = {n['relapsed after CART1']}"),
        "cart2": (0.5, 0.74, f"CD19 + CD22 CAR-T co-infusion (CART2)\nn = {n['received CART2']}"),
        "cr": (0.33, 0.54, f"MRD-negative CR after CART2\nn = {n['MRD-negative CR']}"),
        "nocr": (0.84, 0.54, f"No MRD-negative CR\nn = {n['no CR']}"),
        "hsct": (0.15, 0.32, f"Bridged to allo-HSCT\nn = {n['CR, HSCT']}"),
        "nohsct": (0.5, 0.32, f"No HSCT\nn = {n['CR, no HSCT']}"),
        "hsct_end": (0.15, 0.06, _outcomes(n, "CR, HSCT")),
        "nohsct_end": (0.5, 0.06, _outcomes(n, "CR, no HSCT")),
        "nocr_end": (0.84, 0.06, _outcomes(n, "no CR")),
    }
    for x, y, text in boxes.values():
        ax.text(x, y, text, ha="center", va="center", fontsize=8.5,
                bbox={"boxstyle": "round,pad=0.45", "fc": "#eef3f8", "ec": "0.3"})
    for start, end in [("top", "cart2"), ("cart2", "cr"), ("cart2", "nocr"), ("cr", "hsct"),
                       ("cr", "nohsct"), ("hsct", "hsct_end"), ("nohsct", "nohsct_end"),
                       ("nocr", "nocr_end")]:
        (x0, y0, _), (x1, y1, _) = boxes[start], boxes[end]
        ax.annotate("", xy=(x1, y1 + 0.07), xytext=(x0, y0 - 0.07),
                    arrowprops={"arrowstyle": "-|>", "color": "0.3"})
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.08, 1.0)
    ax.axis("off")


# ---------------------------------------------------------------------------------------
# Figure 2: cytokines and CAR copies
# ---------------------------------------------------------------------------------------
def figure2(tables: Tables) -> plt.Figure:
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
    rows = _lab(tables, parameter, course=2)
    rows = rows[rows["study_day"] <= 28]
    if rows.empty:
        _empty(ax, title)
        return
    note = _trajectories(ax, rows, colors=_patient_colors(tables["adsl"]["patient_id"]))
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
        _empty(ax, title)
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
    cytokine = _lab(tables, parameter, course=2)
    copies = _lab(tables, "total CAR", course=2)
    both = sorted(set(cytokine["patient_id"]) & set(copies["patient_id"]))
    if not both:
        _empty(ax, title)
        return
    twin = ax.twinx()
    name = parameter.replace("-gamma", "-γ")
    cytokine = cytokine[cytokine["patient_id"].isin(both) & cytokine["study_day"].between(0, 28)]
    copies = copies[copies["patient_id"].isin(both) & copies["study_day"].between(0, 28)]
    if len(both) <= MAX_LINES:
        colors = _patient_colors(tables["adsl"]["patient_id"])
        for patient in both:
            c = cytokine[cytokine["patient_id"] == patient]
            q = copies[copies["patient_id"] == patient]
            ax.plot(c["study_day"], c["value"], color=colors[patient], marker="o", ms=3,
                    label=f"{patient} {name}")
            twin.plot(q["study_day"], q["value"], color=colors[patient], ls="--", marker="s",
                      ms=3, label=f"{patient} CAR copies")
        note = ""
    else:
        note = _trajectories(ax, cytokine, color=PALETTE[0], label=name)
        _trajectories(twin, copies, color=PALETTE[3], ls="--", label="CAR copies")
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


# ---------------------------------------------------------------------------------------
# Figure 3: treatment course and outcomes
# ---------------------------------------------------------------------------------------
def figure3(tables: Tables, mrd_patient: str | None, efs_rule: str = "hsct_ignored"
            ) -> plt.Figure:
    """A: swimmer plot from CART1; B: Kaplan–Meier EFS and OS after CART2; C: marrow
    results per patient; D: one patient's MRD course around CART2."""
    rows = min(tables["adsl"]["patient_id"].nunique(), MAX_SWIMMER_ROWS)
    top = max(3.0, 0.3 * rows + 1.5)  # swimmer height grows with its rows
    fig = plt.figure(figsize=(12, top + 10.5))
    upper, lower = fig.subfigures(2, 1, height_ratios=[top, 10.5])
    upper.subplots_adjust(top=1 - 0.4 / top, bottom=0.7 / top)  # margins in inches
    swimmer_panel(upper.subplots(), tables)
    grid = lower.add_gridspec(2, 2, hspace=0.6, wspace=0.45, top=0.95, bottom=0.06)
    km_panel(lower.add_subplot(grid[0, 0]), tables, efs_rule)
    marrow_panel(lower.add_subplot(grid[0, 1]), tables)
    mrd_course_panel(lower.add_subplot(grid[1, 0]), tables, mrd_patient)
    return fig


STATUS_COLORS = {"in CR": "#a9dfbf", "relapse or active disease": "#f5b7b1",
                 "after allo-HSCT": "#aed6f1", "after death or loss": "0.9"}
EVENT_MARKERS = {"relapse": ("X", "#c0392b", "relapse"),
                 "antigen-negative relapse": ("X", "#7d3c98", "CD19- or CD22-negative relapse"),
                 "hsct": ("D", "#1e8449", "allo-HSCT"), "death": ("s", "black", "death"),
                 "lost_to_follow_up": (">", "0.4", "lost to follow-up"),
                 "end": ("|", "0.2", "end of follow-up")}


def status_segments(courses: pd.DataFrame, events: pd.DataFrame, end: pd.Timestamp
                    ) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """One patient's course as (start, stop, status) from the first infusion to the end of
    follow-up: "in CR" after an infusion that reached CR, "relapse or active disease" after
    one that did not or after a relapse, "after allo-HSCT" from a transplant."""
    changes = [(row.infusion_date, "in CR" if bool(row.best_cr) else "relapse or active disease")
               for row in courses.itertuples()]
    status = {"relapse": "relapse or active disease", "hsct": "after allo-HSCT"}
    changes += [(row.event_date, status[row.event]) for row in events.itertuples()
                if row.event in status]
    changes = sorted(c for c in changes if c[0] <= end)
    return [(start, stop, state) for (start, state), (stop, _) in
            zip(changes, [*changes[1:], (end, "")], strict=True) if stop > start]


def swimmer_panel(ax: plt.Axes, tables: Tables) -> None:
    """Bars coloured by status (in CR, relapse or active disease, after transplant, after
    death or loss until the latest follow-up of the cohort), infusions, events with
    antigen-negative relapses marked apart, and each patient's end of follow-up."""
    ax.set_title("A  Course of each patient from CART1 to the data cut-off")
    adcourse, events = tables["adcourse"], tables["adevents"]
    cart1 = adcourse[adcourse["course"] == 1].set_index("patient_id")["infusion_date"]
    patients = sorted(cart1.index)
    if not patients:
        _empty(ax, "A  Course of each patient")
        return
    if len(patients) > MAX_SWIMMER_ROWS:
        ax.set_title(f"A  Course from CART1 to the data cut-off: first {MAX_SWIMMER_ROWS} of "
                     f"{len(patients)} patients by ID")
        patients = patients[:MAX_SWIMMER_ROWS]
    ends = adcourse.groupby("patient_id").apply(
        lambda g: g["infusion_date"].min() + pd.to_timedelta(
            g["follow_up_months"].iloc[0] * 30, unit="D"), include_groups=False)
    adcourse = adcourse[adcourse["patient_id"].isin(patients)]
    events = events[events["patient_id"].isin(patients)]
    horizon = ends.max()
    for y, patient in enumerate(patients):
        start = cart1[patient]

        def months(d, start=start):
            return months_from_days((pd.Timestamp(d) - start).days)

        mine = events[events["patient_id"] == patient]
        courses = adcourse[adcourse["patient_id"] == patient]
        end = ends[patient]
        for begin, stop, state in status_segments(courses, mine, end):
            ax.barh(y, months(stop) - months(begin), left=months(begin),
                    color=STATUS_COLORS[state], height=0.55)
        if mine["event"].isin(["death", "lost_to_follow_up"]).any() and horizon > end:
            ax.barh(y, months(horizon) - months(end), left=months(end),
                    color=STATUS_COLORS["after death or loss"], height=0.55)
        for course in courses.itertuples():
            ax.plot(months(course.infusion_date), y, marker="v", ms=9,
                    color=PALETTE[int(course.course) - 1], zorder=3)
        for event in mine.itertuples():
            if event.event == "last_contact":
                continue
            kind = event.event
            if kind == "relapse" and "negative" in (event.cd19, event.cd22):
                kind = "antigen-negative relapse"
            marker, color, _ = EVENT_MARKERS[kind]
            ax.plot(months(event.event_date), y, marker=marker, ms=8, color=color, zorder=4,
                    ls="none")
        marker, color, _ = EVENT_MARKERS["end"]
        ax.plot(months(end), y, marker=marker, ms=12, mew=2, color=color, zorder=4, ls="none")
    ax.set_yticks(range(len(patients)), patients, fontsize=8 if len(patients) > 30 else None)
    ax.set_ylim(len(patients) - 0.5, -0.5)
    ax.set_xlabel("Months from CART1 infusion")
    handles = [plt.Line2D([], [], marker="v", ls="none", color=PALETTE[i], ms=8,
                          label=f"{COURSE_NAMES[i + 1]} infusion")
               for i in range(int(adcourse["course"].max()))]
    handles += [plt.Line2D([], [], marker=m, ls="none", color=c, ms=8, label=t)
                for m, c, t in EVENT_MARKERS.values()]
    handles += [plt.Rectangle((0, 0), 1, 1, color=c, label=t) for t, c in STATUS_COLORS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5)


def km_panel(ax: plt.Axes, tables: Tables, efs_rule: str = "hsct_ignored") -> None:
    ax.set_title("B  Survival after CART2")
    tte = tables["adtte"]
    fitters = []
    for parameter, rule, color in [("EFS", efs_rule, PALETTE[0]), ("OS", "death", PALETTE[1])]:
        rows = tte[(tte["paramcd"] == parameter) & (tte["rule"] == rule)]
        if rows.empty:
            continue
        fitter = KaplanMeierFitter(label=parameter)
        fitter.fit(rows["aval_months"], event_observed=1 - rows["cnsr"])
        fitter.plot_survival_function(ax=ax, ci_show=False, show_censors=True, color=color,
                                      censor_styles={"ms": 7, "marker": "|"})
        fitters.append(fitter)
    if not fitters:
        _empty(ax, "B  Survival after CART2")
        return
    ax.set_ylim(-0.03, 1.05)
    ax.set_xlabel("Months after CART2")
    ax.set_ylabel("Probability")
    ax.set_xticks(np.arange(0, max(f.timeline.max() for f in fitters) + 6, 6))
    add_at_risk_counts(*fitters, ax=ax, rows_to_show=["At risk"], fontsize=9)


def marrow_panel(ax: plt.Axes, tables: Tables) -> None:
    ax.set_title("C  Marrow MRD around each CAR-T")
    adrs = tables["adrs"].dropna(subset=["mrd_pct"])
    cart1 = tables["adcourse"][tables["adcourse"]["course"] == 1].set_index("patient_id")[
        "infusion_date"]
    if adrs.empty:
        _empty(ax, "C  Marrow MRD around each CAR-T")
        return
    if adrs["patient_id"].nunique() > MAX_LINES:
        _marrow_summary(ax, adrs)
        return
    colors = _patient_colors(tables["adsl"]["patient_id"])
    for (patient, course), rows in adrs.groupby(["patient_id", "course"]):
        x = months_from_days((rows["assessment_date"] - cart1.get(patient, rows[
            "assessment_date"].min())).dt.days)
        y = rows["mrd_pct"].clip(lower=0.005)
        ax.plot(x, y, color=colors[patient], marker="o", ms=3.5, lw=1,
                label=patient if len(colors) <= 12 and course == 1 else None)
        negative = rows["mrd_negative"].fillna(False).astype(bool).to_numpy()
        ax.scatter(x[negative], y[negative], facecolor="white", edgecolor=colors[patient],
                   zorder=3, s=22)
    ax.axhline(0.01, color="0.4", ls=":", lw=1)
    ax.axhline(5, color="0.4", ls="--", lw=1)
    ax.text(ax.get_xlim()[1], 5, " 5% (M1 limit)", va="center", fontsize=8)
    ax.text(ax.get_xlim()[1], 0.01, " 0.01% (MRD−)", va="center", fontsize=8)
    ax.set_yscale("log")
    ax.set_xlabel("Months from CART1 infusion")
    ax.set_ylabel("MRD (% of mononuclear cells)")
    if len(colors) <= 12:
        ax.legend(fontsize=8, ncol=2)


def _marrow_summary(ax: plt.Axes, adrs: pd.DataFrame) -> None:
    """MRD by protocol visit and course as box plots, for cohorts too large for lines."""
    rows = adrs.assign(mrd=adrs["mrd_pct"].clip(lower=0.005),
                       CAR_T=adrs["course"].map(COURSE_NAMES))
    visits = rows.groupby("visit")["study_day"].median().sort_values().index
    sns.boxplot(data=rows, x="visit", y="mrd", hue="CAR_T", order=visits, log_scale=True,
                palette=PALETTE[: rows["CAR_T"].nunique()], fliersize=2, ax=ax)
    ax.axhline(0.01, color="0.4", ls=":", lw=1)
    ax.axhline(5, color="0.4", ls="--", lw=1)
    ax.set_title(f"C  Marrow MRD by visit\n({rows['patient_id'].nunique()} patients)")
    ax.set_xlabel("Protocol visit")
    ax.set_ylabel("MRD (% of mononuclear cells)")
    ax.tick_params(axis="x", rotation=30)
    ax.legend(fontsize=8, title=None)


def mrd_patient_shown(tables: Tables, preferred: str | None) -> str | None:
    """The patient whose MRD Figure 3D shows: ``preferred`` when it has MRD results around
    CART2, otherwise the patient with the most of them (first by ID on a tie)."""
    rows = tables["adrs"]
    counts = rows[(rows["course"] == 2) & rows["mrd_pct"].notna()].groupby("patient_id").size()
    if preferred in counts.index:
        return preferred
    return str(counts.sort_values(ascending=False, kind="stable").index[0]) if len(counts) \
        else None


def mrd_course_panel(ax: plt.Axes, tables: Tables, preferred: str | None) -> None:
    patient = mrd_patient_shown(tables, preferred)
    title = f"D  MRD of {patient} around CART2" if patient else "D  MRD around CART2"
    if patient is None:
        _empty(ax, title)
        return
    rows = tables["adrs"]
    rows = rows[(rows["patient_id"] == patient) & (rows["course"] == 2)].dropna(
        subset=["mrd_pct"])
    labels = [f"{'<' if q == '<' else ''}{v:g}%" for v, q in zip(rows["mrd_pct"],
                                                                 rows["mrd_qualifier"].fillna(""),
                                                                 strict=True)]
    ax.bar(range(len(rows)), rows["mrd_pct"], color=[
        PALETTE[2] if n else PALETTE[3] for n in rows["mrd_negative"].fillna(False)])
    for i, text in enumerate(labels):
        ax.text(i, rows["mrd_pct"].iloc[i] * 1.3, text, ha="center", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(0.003, rows["mrd_pct"].max() * 6)
    ax.set_xticks(range(len(rows)), [f"day {int(d)}" for d in rows["study_day"]], rotation=30)
    ax.set_ylabel("MRD (%)")
    ax.set_title(title)


# ---------------------------------------------------------------------------------------
# Figure 4: expansion and persistence
# ---------------------------------------------------------------------------------------
def figure4(tables: Tables) -> plt.Figure:
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
    rows = _lab(tables, "total CAR", course=2)
    rows = rows[(rows["study_day"] >= 0) & (rows["value_qualifier"].fillna("") != "<")]
    if rows.empty:
        _empty(ax, title)
        return
    note = _trajectories(ax, rows, colors=_patient_colors(tables["adsl"]["patient_id"]))
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
        _empty(ax, title)
        return
    rows = rows[rows["value_qualifier"].fillna("") != "<"].sort_values("study_day")
    note = ""
    for parameter, color in [("CD19 CAR", PALETTE[0]), ("CD22 CAR", PALETTE[3])]:
        series = rows[rows["parameter"] == parameter]
        note = _trajectories(ax, series, color=color, label=parameter) or note
    ax.set_yscale("log")
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("CAR copies/µg DNA")
    ax.set_title(title + note)
    ax.legend(fontsize=8)


def courses_compared_patients(tables: Tables) -> list[str]:
    """Patients with detectable CAR copies after both CART1 and CART2."""
    rows = _lab(tables, "total CAR")
    rows = rows[(rows["study_day"] >= 0) & (rows["value_qualifier"].fillna("") != "<")]
    courses = rows.groupby("patient_id")["course"].agg(set)
    return sorted(p for p, c in courses.items() if {1, 2} <= c)


def courses_compared_panel(ax: plt.Axes, tables: Tables) -> None:
    patients = courses_compared_patients(tables)
    title = "C  CAR copies after CART1 and CART2"
    if not patients:
        _empty(ax, title)
        return
    rows = _lab(tables, "total CAR")
    rows = rows[rows["patient_id"].isin(patients) & (rows["study_day"] >= 0)
                & (rows["value_qualifier"].fillna("") != "<")]
    note = ""
    for course, series in rows.groupby("course"):
        note = _trajectories(ax, series, color=PALETTE[int(course) - 1],
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
    rows = _lab(tables, "CD19+ B cells", course=2)
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
        _empty(ax, title)
        return
    pct = _lab(tables, "CD19+ B cells", course=2)
    count = _lab(tables, "B cells", course=2)
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
    rows = _lab(tables, parameter, course=course)
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
    rows = _lab(tables, parameter, course=2)
    products = product_ratios(tables, parameter)
    blood = rows[rows["specimen"] != "product"]
    if blood.empty and products.empty:
        _empty(ax, title)
        return
    colors = _patient_colors(tables["adsl"]["patient_id"])
    note = _trajectories(ax, blood, colors=colors) if len(blood) else ""
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