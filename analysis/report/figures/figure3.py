"""Figure 3: each patient's course, survival after CART2, and marrow MRD.

:func:`draw` returns the matplotlib Figure; the paper saves and shows it.
"""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from lifelines import KaplanMeierFitter
from matplotlib.patches import Patch

from analysis.common.formatting import plural
from analysis.derivations.response import MRD_NEGATIVE_BELOW
from analysis.derivations.store import Tables
from analysis.derivations.timing import months_from_days
from analysis.report.figures.style import (
    COURSE_COLORS,
    COURSE_NAMES,
    FIGURE_WIDTH,
    MIN_FONT_PT,
    OKABE_ITO,
    PALETTE,
    decades,
    drew_open,
    empty_panel,
    identified,
    legend_below,
    patient_legend,
    patient_looks,
    trajectories,
)

MAX_SWIMMER_ROWS = 60  # the swimmer plot shows at most this many patients
MAX_STRIP_POINTS = 2000  # a large cohort's MRD boxes show every result up to this many
MIN_BOX_VALUES = 5  # panel C draws a box only for a visit and course with this many results
ROW_INCHES = 0.17  # height of a swimmer row up to 20 patients; more share 3.4 inches
SWIMMER_INCHES = 3.4
LABEL_INCHES = 0.12  # patient labels closer than this are thinned to every k-th
LEGEND_COLUMNS = 4
LEGEND_ROW_INCHES = 0.17  # one row of the swimmer legend at 7.5 pt
MRD_NEGATIVE_PCT = MRD_NEGATIVE_BELOW  # the MRD-negative limit drawn in panels C and D
PATIENT_LEGEND = "bottom"  # the patient legend's place, under panel D (style.patients_note)
MRD_OPEN_LABEL = f"MRD-negative, below {MRD_NEGATIVE_BELOW:g}%, drawn at {MRD_NEGATIVE_BELOW:g}%"


def draw(tables: Tables, efs_rule: str = "hsct_ignored") -> plt.Figure:
    """A: swimmer plot from CART1; B: Kaplan–Meier EFS (under ``efs_rule``, a key of
    ``analysis.derivations.events.EFS_RULES``) and OS after CART2; C: marrow MRD from
    CART1; D: marrow MRD around CART2, by day."""
    rows = swimmer_rows(tables)
    handles = swimmer_legend(tables, rows)
    bars = ROW_INCHES * len(rows) if len(rows) <= 20 else SWIMMER_INCHES
    legend = LEGEND_ROW_INCHES * math.ceil(len(handles) / LEGEND_COLUMNS)
    top = bars + 0.85 + legend  # title, axis label and the legend below the bars
    fig = plt.figure(figsize=(FIGURE_WIDTH, top + 5.0))
    upper, lower = fig.subfigures(2, 1, height_ratios=[top, 5.0])
    upper.subplots_adjust(top=1 - 0.25 / top, bottom=1 - (0.25 + bars) / top, left=0.12,
                          right=0.97)
    swimmer_panel(upper.subplots(), tables, rows, handles)
    grid = lower.add_gridspec(2, 2, hspace=0.95, wspace=0.35, top=0.94, bottom=0.15)
    looks = patient_looks(tables["adsl"]["patient_id"])
    km_panel(lower.add_subplot(grid[0, 0]), tables, efs_rule)
    shown = marrow_panel(lower.add_subplot(grid[0, 1]), tables, looks)
    shown |= mrd_course_panel(lower.add_subplot(grid[1, :]), tables, looks)
    patient_legend(lower, looks, shown, y=0.06, above=PATIENT_LEGEND == "top",
                   opened=MRD_OPEN_LABEL if drew_open(lower) else "")
    return fig


STATUS_COLORS = {"in MRD-negative CR": OKABE_ITO["sky blue"],
                 "in CR with detectable MRD": OKABE_ITO["yellow"],
                 "relapse or active disease": OKABE_ITO["vermillion"],
                 "after allo-HSCT": OKABE_ITO["blue"]}
# marker, face colour, legend text; black with a white edge shows on every bar colour
EVENT_MARKERS = {"relapse": ("X", "black", "relapse"),
                 "antigen-negative relapse": ("X", "white", "CD19- or CD22-negative relapse"),
                 "hsct": ("D", "black", "allo-HSCT"), "death": ("$\u2020$", "black", "death"),
                 "lost_to_follow_up": ("|", "black", "lost to follow-up"),
                 "alive": (">", "black", "alive at last follow-up")}


def course_status(course) -> str:
    """The status a course's best response gives from its infusion."""
    if bool(course.best_mrd_negative_cr):
        return "in MRD-negative CR"
    return "in CR with detectable MRD" if bool(course.best_cr) else "relapse or active disease"


def status_segments(courses: pd.DataFrame, events: pd.DataFrame, end: pd.Timestamp
                    ) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """One patient's course as (start, stop, status) from the first infusion to the end of
    follow-up (death, loss or last contact): from each infusion the status of that course's
    best response, "relapse or active disease" from a relapse, "after allo-HSCT" from a
    transplant."""
    changes = [(row.infusion_date, course_status(row)) for row in courses.itertuples()]
    status = {"relapse": "relapse or active disease", "hsct": "after allo-HSCT"}
    changes += [(row.event_date, status[row.event]) for row in events.itertuples()
                if row.event in status]
    changes = sorted(c for c in changes if c[0] <= end)
    return [(start, stop, state) for (start, state), (stop, _) in
            zip(changes, [*changes[1:], (end, "")], strict=True) if stop > start]


def _event_kind(event) -> str:
    if event.event == "relapse" and "negative" in (event.cd19, event.cd22):
        return "antigen-negative relapse"
    return event.event


def _event_style(kind: str, scale: float = 1.0) -> dict:
    """Marker of an event (sizes times ``scale``): filled ones black with a white edge, open
    ones white with a black edge, line-like ones (death, loss) larger and without edge."""
    marker, face, _ = EVENT_MARKERS[kind]
    if marker in ("|", "$\u2020$"):
        return {"marker": marker, "ms": 9 * scale, "mew": 1.6 * scale, "color": "black"}
    return {"marker": marker, "ms": 6 * scale, "mfc": face, "color": face, "mew": 0.6,
            "mec": "black" if face == "white" else "white"}


def swimmer_rows(tables: Tables) -> list[dict]:
    """The swimmer plot's rows, patients by ID (at most MAX_SWIMMER_ROWS): each with its
    CART1 date, status segments (start, stop, status), infusions (date, course) and event
    marks (date, kind), from CART1 to death, loss or last contact."""
    adcourse, events = tables["adcourse"], tables["adevents"]
    cart1 = adcourse[adcourse["course"] == 1].set_index("patient_id")["infusion_date"]
    months = adcourse.drop_duplicates("patient_id").set_index("patient_id")["follow_up_months"]
    ends = adcourse.groupby("patient_id")["infusion_date"].min() + pd.to_timedelta(
        months * 30, unit="D")
    rows = []
    for patient in sorted(cart1.index)[:MAX_SWIMMER_ROWS]:
        mine = events[(events["patient_id"] == patient) & (events["event"] != "last_contact")]
        courses = adcourse[adcourse["patient_id"] == patient]
        marks = [(e.event_date, _event_kind(e)) for e in mine.itertuples()]
        if not mine["event"].isin(["death", "lost_to_follow_up"]).any():
            marks.append((ends[patient], "alive"))
        rows.append({"patient": patient, "start": cart1[patient],
                     "segments": status_segments(courses, mine, ends[patient]),
                     "infusions": [(c.infusion_date, int(c.course))
                                   for c in courses.itertuples()], "marks": marks})
    return rows


def swimmer_legend(tables: Tables, rows: list[dict]) -> list:
    """Legend handles of what the swimmer rows draw: infusions of each course, events,
    statuses."""
    courses = sorted({c for row in rows for _, c in row["infusions"]})
    kinds = {kind for row in rows for _, kind in row["marks"]}
    states = {state for row in rows for *_, state in row["segments"]}
    handles = [plt.Line2D([], [], marker="v", ls="none", color=COURSE_COLORS[c], ms=5,
                          label=f"{COURSE_NAMES.get(c, c)} infusion") for c in courses]
    handles += [plt.Line2D([], [], ls="none", label=text, **_event_style(kind))
                for kind, (_, _, text) in EVENT_MARKERS.items() if kind in kinds]
    handles += [plt.Rectangle((0, 0), 1, 1, color=c, label=t) for t, c in STATUS_COLORS.items()
                if t in states]
    return handles


def swimmer_panel(ax: plt.Axes, tables: Tables, rows: list[dict], handles: list) -> None:
    """A bar per patient from CART1 to death, loss or last contact, coloured by status;
    infusions as triangles above the bar, events on it; markers shrink with the rows."""
    patients = tables["adcourse"].loc[tables["adcourse"]["course"] == 1, "patient_id"]
    if not rows:
        empty_panel(ax, "A  Course of each patient")
        return
    if patients.nunique() > len(rows):
        ax.set_title(f"A  Course from CART1 to the end of follow-up: first {len(rows)} "
                     f"of {patients.nunique()} patients by ID")
    else:
        ax.set_title("A  Course of each patient from CART1 to the end of follow-up")
    height = ax.get_window_extent().height / ax.get_figure(root=True).dpi  # inches
    scale = min(1.0, height / len(rows) / ROW_INCHES)
    for y, row in enumerate(rows):

        def months(d, start=row["start"]):
            return months_from_days((pd.Timestamp(d) - start).days)

        for begin, stop, state in row["segments"]:
            ax.barh(y, months(stop) - months(begin), left=months(begin),
                    color=STATUS_COLORS[state], height=0.5)
        for date, course in row["infusions"]:
            ax.plot(months(date), y - 0.42, marker="v", ms=5 * scale, ls="none",
                    color=COURSE_COLORS[course], zorder=3, clip_on=False)
        for date, kind in row["marks"]:
            ax.plot(months(date), y, ls="none", zorder=4, **_event_style(kind, scale))
    step = max(1, math.ceil(LABEL_INCHES * len(rows) / height))
    ax.set_yticks(range(0, len(rows), step), [r["patient"] for r in rows][::step])
    ax.set_ylim(len(rows) - 0.5, -0.8)
    ax.set_xlim(left=0)
    ax.set_xlabel("Months from CART1 infusion")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.45, -0.4 / height),
              ncol=LEGEND_COLUMNS, columnspacing=1.0, handletextpad=0.4)


def at_risk(durations: pd.Series, times) -> list[int]:
    """Patients at risk at each time: those whose event or censoring time is not before it
    (an event on day 0 is at risk at 0)."""
    return [int((durations >= t).sum()) for t in times]


CURVES = {"EFS": (PALETTE[0], "-"), "OS": (PALETTE[1], "--")}  # colour, line style


def survival_rows(tables: Tables, efs_rule: str = "hsct_ignored") -> dict[str, pd.DataFrame]:
    """adtte rows of EFS (under ``efs_rule``) and of OS, those the cohort has."""
    tte = tables["adtte"]
    found = {parameter: tte[(tte["paramcd"] == parameter) & (tte["rule"] == rule)]
             for parameter, rule in [("EFS", efs_rule), ("OS", "death")]}
    return {parameter: rows for parameter, rows in found.items() if len(rows)}


def km_panel(ax: plt.Axes, tables: Tables, efs_rule: str = "hsct_ignored") -> None:
    ax.set_title("B  Survival after CART2")
    fitted = []
    for parameter, rows in survival_rows(tables, efs_rule).items():
        color, ls = CURVES[parameter]
        fitter = KaplanMeierFitter(label=parameter)
        fitter.fit(rows["aval_months"], event_observed=1 - rows["cnsr"])
        fitter.plot_survival_function(ax=ax, ci_show=False, show_censors=True, color=color,
                                      ls=ls, censor_styles={"ms": 6, "marker": "|"})
        fitted.append((parameter, rows["aval_months"]))
    if not fitted:
        empty_panel(ax, "B  Survival after CART2")
        return
    ax.set_ylim(-0.03, 1.05)
    ax.set_xlabel("Months after CART2")
    ax.set_ylabel("Probability")
    ticks = np.arange(0, max(d.max() for _, d in fitted) + 6, 6)
    ax.set_xticks(ticks)
    ax.set_xlim(-1, ticks[-1] + 1)
    ax.legend(loc="center right", bbox_to_anchor=(1.0, -0.37), ncol=2, borderaxespad=0,
              borderpad=0.2)
    ax.text(-0.1, -0.36, "At risk", transform=ax.transAxes, ha="right", fontsize=8)
    for i, (parameter, durations) in enumerate(fitted):
        y = -0.51 - 0.11 * i
        ax.text(-0.1, y, parameter, transform=ax.transAxes, ha="right", fontsize=8)
        for t, n in zip(ticks, at_risk(durations, ticks), strict=True):
            ax.text(t, y, str(n), transform=ax.get_xaxis_transform(), ha="center", fontsize=8)


def _mrd_lines(ax: plt.Axes, rows: pd.DataFrame, x: str, looks: dict) -> None:
    """One line per patient and course in the patient's look, MRD-negative results open."""
    for (patient, _), series in rows.groupby(["patient_id", "course"]):
        look = looks[patient]
        ax.plot(series[x], series["mrd"], lw=1, gid=patient, **look)
        negative = series["mrd_negative"].fillna(False).astype(bool)
        ax.plot(series.loc[negative, x], series.loc[negative, "mrd"], ls="none", mfc="white",
                zorder=3, gid=patient, **look)


def _mrd_axis(ax: plt.Axes, xlabel: str) -> None:
    ax.axhline(MRD_NEGATIVE_PCT, color="0.4", ls=":", lw=1)
    ax.text(1.0, MRD_NEGATIVE_PCT, " 0.01%", va="center", fontsize=MIN_FONT_PT,
            transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    decades(ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Marrow MRD (%)")


def marrow_rows(tables: Tables) -> pd.DataFrame:
    """Marrow MRD results with ``mrd`` (%: the result, or the MRD-negative limit for an
    MRD-negative result, so that it shows on the log axis) and months from CART1."""
    adrs = tables["adrs"].dropna(subset=["mrd_pct"])
    cart1 = tables["adcourse"][tables["adcourse"]["course"] == 1].set_index("patient_id")[
        "infusion_date"]
    start = adrs["patient_id"].map(cart1).fillna(adrs["assessment_date"].min())
    negative = adrs["mrd_negative"].fillna(False).astype(bool)
    return adrs.assign(mrd=adrs["mrd_pct"].mask(negative, MRD_NEGATIVE_PCT),
                       months=months_from_days((adrs["assessment_date"] - start).dt.days))


def marrow_panel(ax: plt.Axes, tables: Tables, looks: dict) -> set[str]:
    title = "C  Marrow MRD from CART1"
    rows = marrow_rows(tables)
    if rows.empty:
        empty_panel(ax, title)
        return set()
    if not identified(looks):
        _marrow_summary(ax, rows)
        return set()
    ax.set_title(title)
    _mrd_lines(ax, rows, "months", looks)
    _mrd_axis(ax, "Months from CART1 infusion")
    return set(rows["patient_id"])


def visit_label(code: str) -> str:
    """A protocol visit code in words for an axis: "day7_14" -> "days 7–14", "month3" ->
    "month 3"; a code of another form is returned as it is."""
    found = re.fullmatch(r"(day|month|week)(\d+)(?:_(\d+))?", code)
    if found is None:
        return code
    unit, first, last = found.groups()
    return f"{unit}s {first}–{last}" if last else f"{unit} {first}"


def box_groups(rows: pd.DataFrame) -> pd.Series:
    """Results per (visit, course) of panel C's summary (``rows``: :func:`marrow_rows`),
    True where there are at least MIN_BOX_VALUES, enough for a box."""
    return rows.groupby(["visit", "course"]).size() >= MIN_BOX_VALUES


def _marrow_summary(ax: plt.Axes, rows: pd.DataFrame) -> None:
    """MRD by protocol visit and course, for cohorts too large for lines: a box where a
    visit has at least MIN_BOX_VALUES results of a course (a box of fewer misleads), and
    every result as a point up to MAX_STRIP_POINTS results (beyond, the points of the
    groups without a box only)."""
    enough = box_groups(rows)
    boxed = pd.MultiIndex.from_frame(rows[["visit", "course"]]).isin(enough[enough].index)
    rows = rows.assign(CAR_T=rows["course"].map(COURSE_NAMES),
                       visit=rows["visit"].astype(str).map(visit_label))
    visits = rows.groupby("visit")["study_day"].median().sort_values().index
    colours = {COURSE_NAMES[c]: COURSE_COLORS[c] for c in sorted(rows["course"].unique())}
    courses = list(colours)
    shared = {"x": "visit", "y": "mrd", "hue": "CAR_T", "order": visits,
              "hue_order": courses, "palette": colours, "legend": False, "ax": ax}
    if boxed.any():
        sns.boxplot(data=rows[boxed], log_scale=True, showfliers=False, **shared)
    points = rows if len(rows) <= MAX_STRIP_POINTS else rows[~boxed]
    sns.stripplot(data=points, dodge=True, size=2.5, edgecolor="white", linewidth=0.3,
                  log_scale=True, **shared)
    ax.set_title(f"C  Marrow MRD by visit ({rows['patient_id'].nunique()} patients)")
    _mrd_axis(ax, "Protocol visit")
    ax.tick_params(axis="x", rotation=30)
    handles = [Patch(color=colour, label=course) for course, colour in colours.items()]
    legend_below(ax, offset=0.5, ncol=2, handles=handles)  # four courses fit the panel


def mrd_caption(tables: Tables) -> str:
    """The caption's sentence on panels C-D, as they are drawn for this cohort: lines of
    each patient with MRD-negative results open, or boxes and points by visit
    (:func:`_summary`) and a median."""
    limit = f"below {MRD_NEGATIVE_BELOW:g}%, the dotted line"
    if not identified(patient_looks(tables["adsl"]["patient_id"])):
        return ("C: marrow minimal residual disease (MRD, % of mononuclear cells) by protocol "
                f"visit, {_summary(marrow_rows(tables))}; D: marrow MRD "
                "around CART2 (days), the median over patients and its IQR; MRD-negative "
                f"results ({limit}) count at that limit.")
    opened = (f"; open markers are MRD-negative results ({limit}), drawn on that line"
              if marrow_rows(tables)["mrd_negative"].fillna(False).astype(bool).any()
              else f"; the dotted line is the MRD-negative limit ({MRD_NEGATIVE_BELOW:g}%)")
    return ("C–D: marrow minimal residual disease (MRD, % of mononuclear cells) from CART1 "
            f"(months) and around CART2 (days){opened}.")


def mrd_course_panel(ax: plt.Axes, tables: Tables, looks: dict) -> set[str]:
    """Marrow MRD of every patient from before CART2 to the last assessment of that course,
    by day after CART2 (median and IQR when the patients are not identified)."""
    title = "D  Marrow MRD around CART2"
    rows = marrow_rows(tables)
    rows = rows[rows["course"] == 2]
    if rows.empty:
        empty_panel(ax, title)
        return set()
    if not identified(looks):
        note = trajectories(ax, rows.rename(columns={"mrd": "value"}), looks)
        ax.set_title(title + note.replace("\n", " "))
        shown = set()
    else:
        ax.set_title(title)
        _mrd_lines(ax, rows, "study_day", looks)
        shown = set(rows["patient_id"])
    _mrd_axis(ax, "Days after CART2 infusion")
    return shown


def alt_text(tables: Tables, efs_rule: str = "hsct_ignored") -> str:
    """The figure's alternative text, from what each panel draws for this cohort: how many
    patients and results, what the marks and colours stand for, lines or summaries."""
    rows = swimmer_rows(tables)
    labels = [h.get_label() for h in swimmer_legend(tables, rows)]
    total = tables["adcourse"].loc[tables["adcourse"]["course"] == 1, "patient_id"].nunique()
    who = (f"each of the {plural(len(rows), 'patient')}" if len(rows) == total
           else f"the first {len(rows)} of {total} patients by ID")
    infusions = [t.removesuffix(" infusion") for t in labels if t.endswith(" infusion")]
    states = [t for t in labels if t in STATUS_COLORS]
    events = [t for t in labels if not t.endswith(" infusion") and t not in states]
    text = [f"Four panels. A: a horizontal bar for {who} from CART1 to the end of follow-up, "
            f"in months, coloured by status ({'; '.join(states)}), with triangles above it "
            f"at the infusions ({', '.join(infusions)}) and markers on it for: "
            f"{'; '.join(events)}." if rows else "Four panels. A: no patient with CART1."]
    curves = survival_rows(tables, efs_rule)
    text.append(f"B: Kaplan–Meier curves of {' and '.join(curves)} after CART2 in months, "
                f"{plural(max(len(r) for r in curves.values()), 'patient')}, with the "
                "numbers at risk below." if curves else "B: no survival data.")
    marrow = marrow_rows(tables)
    one = identified(patient_looks(tables["adsl"]["patient_id"]))
    negative = (" MRD-negative results are drawn open on the dotted MRD-negative line."
                if one and marrow["mrd_negative"].fillna(False).astype(bool).any() else "")
    if marrow.empty:
        text.append("C and D: no marrow MRD results.")
    else:
        course2 = marrow[marrow["course"] == 2]
        c = ("from CART1 in months, a line per patient and course" if one else
             f"by protocol visit, {_summary(marrow)}")
        d = ("a line per patient" if one else "the median over patients with its "
             "interquartile band") if len(course2) else "no results"
        text.append(f"C: marrow MRD on a log scale {c} ({_results(marrow)}). D: marrow MRD "
                    f"around CART2 in days, {d}"
                    f"{f' ({_results(course2)})' if len(course2) else ''}.{negative}")
    return " ".join(text)


def _results(rows: pd.DataFrame) -> str:
    return (f"{plural(len(rows), 'result')} of "
            f"{plural(rows['patient_id'].nunique(), 'patient')}")


def _summary(rows: pd.DataFrame) -> str:
    """How panel C shows a large cohort's results (``rows``: :func:`marrow_rows`): boxes
    where a visit has at least MIN_BOX_VALUES results of a course, points elsewhere and,
    up to MAX_STRIP_POINTS results, on the boxes too."""
    enough = box_groups(rows)
    every = len(rows) <= MAX_STRIP_POINTS
    if not enough.any():
        return ("each result as a point coloured by CAR-T course (no visit has "
                f"{MIN_BOX_VALUES} results of one course, too few for a box)")
    boxes = ("a box per CAR-T course" if enough.all() else "a box per CAR-T course where a "
             f"visit has at least {MIN_BOX_VALUES} results of it")
    if enough.all():
        return boxes + (" with every result as a point" if every
                        else f" (with more than {MAX_STRIP_POINTS} results, boxes only)")
    return boxes + (f", every result as a point (fewer than {MIN_BOX_VALUES}: points only)"
                    if every else " and, where there are fewer, each result as a point")
