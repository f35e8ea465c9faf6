"""Figure 3: each patient's course, survival after CART2, and marrow MRD.

:func:`draw` returns the matplotlib Figure; the paper saves and shows it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from lifelines import KaplanMeierFitter
from lifelines.plotting import add_at_risk_counts

from analysis.derivations.store import Tables
from analysis.derivations.timing import months_from_days
from analysis.report.figures.style import (
    COURSE_NAMES,
    MAX_LINES,
    PALETTE,
    empty_panel,
    patient_colors,
)

MAX_SWIMMER_ROWS = 60  # the swimmer plot shows at most this many patients


def draw(tables: Tables, mrd_patient: str | None, efs_rule: str = "hsct_ignored"
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
        empty_panel(ax, "A  Course of each patient")
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
        empty_panel(ax, "B  Survival after CART2")
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
        empty_panel(ax, "C  Marrow MRD around each CAR-T")
        return
    if adrs["patient_id"].nunique() > MAX_LINES:
        _marrow_summary(ax, adrs)
        return
    colors = patient_colors(tables["adsl"]["patient_id"])
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
        empty_panel(ax, title)
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
