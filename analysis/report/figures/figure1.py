"""Figure 1: the two CAR constructs, the flow of patients, and the lymphodepletion schedules.

:func:`draw` returns the matplotlib Figure; the paper saves and shows it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import FancyBboxPatch

from analysis.common.formatting import fixed
from analysis.derivations.store import Tables
from analysis.report.figures.style import COURSE_NAMES, FIGURE_WIDTH, PALETTE, empty_panel

# Domains of the two CAR constructs, N- to C-terminus (second generation, 4-1BB and CD3ζ).
CONSTRUCTS = {
    "CD19 CAR": ["Signal peptide", "anti-CD19 scFv", "CD8α hinge", "CD8α TM", "4-1BB", "CD3ζ"],
    "CD22 CAR": ["Signal peptide", "anti-CD22 scFv", "CD8α hinge", "CD8α TM", "4-1BB", "CD3ζ"],
}
DOMAIN_WIDTH = {"anti-CD19 scFv": 3.2, "anti-CD22 scFv": 3.2, "CD8α hinge": 2.3, "CD8α TM": 2.1}


def draw(tables: Tables) -> plt.Figure:
    """A: the two CAR constructs; B: flow chart with counts; C: lymphodepletion schedules.
    Panel B is as tall as its boxes (its last row as tall as the longest list of statuses)."""
    schedules = len(lymphodepletion_rows(tables)) or 2
    fig = plt.figure(figsize=(FIGURE_WIDTH, 1.0))  # height set once panel B is measured
    boxes = flow_boxes(flow_counts(tables))
    heights = [CONSTRUCTS_INCHES, flow_inches(fig, boxes),
               SCHEDULE_INCHES[0] + SCHEDULE_INCHES[1] * schedules]
    # a grid's gaps are HSPACE times the mean panel height; its panels fill top - bottom
    top, bottom = plt.rcParams["figure.subplot.top"], plt.rcParams["figure.subplot.bottom"]
    fig.set_size_inches(FIGURE_WIDTH, sum(heights) * (1 + 2 * HSPACE / 3) / (top - bottom))
    grid = fig.add_gridspec(3, 1, height_ratios=heights, hspace=HSPACE, left=0.02,
                            right=0.98, top=top, bottom=bottom)
    constructs_panel(fig.add_subplot(grid[0]))
    flow_panel(fig.add_subplot(grid[1]), boxes)
    # the schedule's bars beside a column for their doses, right of the axes
    bars = grid[2].subgridspec(1, 2, width_ratios=[LEFT_LABELS, 1 - LEFT_LABELS])[1]
    lymphodepletion_panel(fig.add_subplot(bars.subgridspec(1, 2, width_ratios=[2, 1])[0]),
                          tables)
    return fig


LEFT_LABELS = 0.24  # share of the width left of panel C's axes, for its course and drug labels
CONSTRUCTS_INCHES = 0.86  # height of panel A
SCHEDULE_INCHES = (0.43, 0.16)  # height of panel C: its header and axis, and per schedule
HSPACE = 0.2


def constructs_panel(ax: plt.Axes) -> None:
    ax.set_title("A  CAR constructs")
    for row, (name, domains) in enumerate(CONSTRUCTS.items()):
        y = 1 - row
        x = 2.2
        ax.text(0, y, name, va="center", fontweight="bold")
        for i, domain in enumerate(domains):
            width = DOMAIN_WIDTH.get(domain, 1.9)
            ax.add_patch(FancyBboxPatch((x, y - 0.32), width - 0.08, 0.64,
                                        boxstyle="round,pad=0.02", fc=PALETTE[i], alpha=0.8,
                                        ec="0.2"))
            ax.text(x + width / 2 - 0.04, y, domain.replace(" ", "\n", 1) if len(domain) > 10
                    else domain, ha="center", va="center")
            x += width
    ax.set_xlim(-0.1, x + 0.2)
    ax.set_ylim(-0.5, 1.5)
    ax.axis("off")


def lymphodepletion_rows(tables: Tables) -> pd.DataFrame:
    """One row per course, drug and schedule (first and last day relative to infusion) with
    the number of patients given it and their median daily dose (mg/m²), for every course."""
    courses = tables["adcourse"]
    drugs = [c.removesuffix("_mg_per_m2") for c in courses.columns if c.endswith("_mg_per_m2")]
    parts = [courses[["patient_id", "course"]].assign(
        drug=drug, first=courses[f"{drug}_first_day"], last=courses[f"{drug}_last_day"],
        dose=courses[f"{drug}_mg_per_m2"]).dropna(subset=["first", "last"]) for drug in drugs]
    if not parts:
        return pd.DataFrame(columns=["course", "drug", "first", "last", "patients", "dose"])
    given = pd.concat(parts)
    return (given.groupby(["course", "drug", "first", "last"])
            .agg(patients=("patient_id", "nunique"), dose=("dose", "median")).reset_index()
            .sort_values(["course", "drug", "first", "last"], ignore_index=True))


def lymphodepletion_panel(ax: plt.Axes, tables: Tables) -> None:
    """A bar per course, drug and schedule from its first to its last day, a tick per day
    from the earliest first day to the infusion; right of the axes, the median daily dose,
    the number of days and, when not everyone given that course had it, how many did."""
    title = "C  Lymphodepletion before each CAR-T"
    rows = lymphodepletion_rows(tables)
    if rows.empty:
        empty_panel(ax, title)
        return
    ax.annotate(title, (0.02, 1), xycoords=("figure fraction", "axes fraction"),
                xytext=(0, 6), textcoords="offset points", fontweight="bold",
                fontsize=plt.rcParams["axes.titlesize"])
    treated = tables["adcourse"].groupby("course")["patient_id"].nunique()
    drugs = sorted(rows["drug"].unique())
    doses = ax.get_yaxis_transform()  # x in axes fractions, y in rows
    for y, row in rows.iterrows():
        days = int(row["last"] - row["first"] + 1)
        ax.barh(y, days - 0.2, left=row["first"] - 0.4, height=0.6,
                color=PALETTE[drugs.index(row["drug"])])
        share = (f" ({row['patients']} of {treated[row['course']]} patients)"
                 if row["patients"] < treated[row["course"]] else "")
        ax.text(1.03, y, f"{fixed(row['dose'], 0)} mg/m² × {days} d{share}", va="center",
                transform=doses, clip_on=False)
    ax.text(1.03, -1.0, "daily dose × days", va="center", transform=doses, color="0.3")
    ax.axvline(0, color="0.2", ls="--", lw=1)
    ax.text(-0.15, -1.0, "infusion", va="center", ha="right")
    ax.set_yticks(range(len(rows)), [f"{COURSE_NAMES.get(c, c)}: {d}" for c, d in
                                     zip(rows["course"], rows["drug"], strict=True)])
    first = int(min(rows["first"].min(), 0))
    ax.set_xticks(range(first, 1))
    ax.set_xlim(first - 0.8, max(rows["last"].max(), 0) + 0.8)
    ax.set_ylim(len(rows) - 0.4, -1.6)
    ax.set_xlabel("Day relative to CAR-T infusion (day 0)")


STATUS_WORDS = {"in CR": "In MRD-negative CR", "in CR with MRD": "In CR with detectable MRD",
                "active disease": "Active disease", "relapsed": "Relapsed", "died": "Died",
                "lost to follow-up": "Lost to follow-up"}
BRANCHES = ("CR, HSCT", "CR, no HSCT", "no CR, HSCT", "no CR, no HSCT")


def flow_counts(tables: Tables) -> dict[str, int]:
    """Patient counts for the flow chart, from the derived tables. Every patient given CART2
    ends in exactly one branch (MRD-negative CR after CART2 or not, each with or without a
    later allo-HSCT, whatever course it followed) and, within it, in exactly one status at
    the cut-off ("<branch>: <status>")."""
    adsl, adcourse = tables["adsl"], tables["adcourse"]
    cart2 = adcourse[adcourse["course"] == 2].set_index("patient_id")
    patients = adsl.set_index("patient_id").loc[cart2.index]
    status = patients["status_at_cutoff"]
    cr = cart2["best_mrd_negative_cr"].fillna(False).astype(bool)
    hsct = patients["hsct_after_cart2"].astype(bool)
    members = {"CR, HSCT": cr & hsct, "CR, no HSCT": cr & ~hsct, "no CR, HSCT": ~cr & hsct,
               "no CR, no HSCT": ~cr & ~hsct}
    counts = {
        "relapsed after CART1": int(adsl["relapse_cart1_site"].notna().sum()),
        "received CART2": len(cart2),
        "MRD-negative CR": int(cr.sum()),
        "no CR": int((~cr).sum()),
        "bridged to HSCT": int(hsct.sum()),
    }
    for branch, chosen in members.items():
        counts[branch] = int(chosen.sum())
        found = status[chosen].value_counts()
        for name in STATUS_WORDS:
            counts[f"{branch}: {name}"] = int(found.get(name, 0))
    return counts


def _outcomes(n: dict[str, int], branch: str) -> str:
    lines = [f"{text}: n = {n[f'{branch}: {key}']}" for key, text in FLOW_WORDS.items()
             if n[f"{branch}: {key}"]]
    return "\n".join(lines)


# the status words of the flow chart's last row, short enough for four boxes side by side
FLOW_WORDS = {"in CR": "MRD-negative CR", "in CR with MRD": "CR with MRD",
              "active disease": "Active disease", "relapsed": "Relapsed", "died": "Died",
              "lost to follow-up": "Lost to follow-up"}
BOX = {"boxstyle": "round,pad=0.45", "fc": "#eef3f8", "ec": "0.3"}
ROWS = {"top": 0.06, "cart2": 0.54, "cr": 1.05, "branch": 1.6, "end": 2.14}  # in below the top
BELOW_BOXES = 0.04  # in between the lowest box and the bottom of panel B


def flow_boxes(n: dict[str, int]) -> dict[str, tuple[float, str, str]]:
    """The flow chart's boxes from :func:`flow_counts`: name -> (x centre as a fraction of
    the width, row of :data:`ROWS`, text)."""
    boxes = {
        "top": (0.5, "top", f"Relapse after CD19 CAR-T (CART1)\nn = {n['relapsed after CART1']}"),
        "cart2": (0.5, "cart2",
                  f"CD19 + CD22 CAR-T co-infusion (CART2)\nn = {n['received CART2']}"),
        "cr": (0.25, "cr", f"MRD-negative CR after CART2\nn = {n['MRD-negative CR']}"),
        "nocr": (0.75, "cr", f"No MRD-negative CR after CART2\nn = {n['no CR']}"),
    }
    for x, branch in zip((0.125, 0.375, 0.625, 0.875), BRANCHES, strict=True):
        words = "No allo-HSCT" if branch.endswith("no HSCT") else "Allo-HSCT"
        boxes[branch] = (x, "branch", f"{words}\nn = {n[branch]}")
        if n[branch]:
            boxes[f"{branch} end"] = (x, "end", _outcomes(n, branch))
    return boxes


def flow_inches(fig: plt.Figure, boxes: dict[str, tuple[float, str, str]]) -> float:
    """Height of panel B in inches: down to the bottom of its lowest box, measured as drawn."""
    renderer = fig.canvas.get_renderer()
    lowest = 0.0
    for _, row, text in boxes.values():
        probe = fig.text(0, 0, text, va="top", bbox=BOX)
        probe.draw(renderer)  # places the box around the text
        lowest = max(lowest, ROWS[row] + probe.get_bbox_patch().get_window_extent(
            renderer).height / fig.dpi)
        probe.remove()
    return lowest + BELOW_BOXES


def flow_panel(ax: plt.Axes, boxes: dict[str, tuple[float, str, str]]) -> None:
    """The boxes of :func:`flow_boxes` hung from their tops on five rows, four columns for
    the branches, each arrow from the bottom of one box to the top of the next."""
    ax.set_title("B  Patient flow to the data cut-off")
    height = ax.get_window_extent().height / ax.get_figure(root=True).dpi  # inches
    drawn = {name: ax.text(x, 1 - ROWS[row] / height, text, ha="center", va="top", bbox=BOX,
                           gid=name) for name, (x, row, text) in boxes.items()}
    links = [("top", "cart2"), ("cart2", "cr"), ("cart2", "nocr")]
    links += [("cr" if b.startswith("CR") else "nocr", b) for b in BRANCHES]
    links += [(b, f"{b} end") for b in BRANCHES if f"{b} end" in boxes]
    for start, end in links:  # from the bottom centre of one text to the top of the next
        ax.annotate("", xy=(0.5, 1), xycoords=drawn[end], xytext=(0.5, 0),
                    textcoords=drawn[start],
                    arrowprops={"arrowstyle": "-|>", "color": "0.3", "shrinkA": 5,
                                "shrinkB": 5})
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
