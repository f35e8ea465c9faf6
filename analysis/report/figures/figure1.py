"""Figure 1: the two CAR constructs, the flow of patients, and the lymphodepletion schedules.

:func:`draw` returns the matplotlib Figure; the paper saves and shows it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch

from analysis.derivations.store import Tables
from analysis.report.figures.style import COURSE_NAMES, PALETTE, empty_panel

# Domains of the two CAR constructs, N- to C-terminus (second generation, 4-1BB and CD3ζ).
CONSTRUCTS = {
    "CD19 CAR": ["Signal peptide", "anti-CD19 scFv", "CD8α hinge", "CD8α TM", "4-1BB", "CD3ζ"],
    "CD22 CAR": ["Signal peptide", "anti-CD22 scFv", "CD8α hinge", "CD8α TM", "4-1BB", "CD3ζ"],
}
DOMAIN_WIDTH = {"anti-CD19 scFv": 3.2, "anti-CD22 scFv": 3.2, "CD3ζ": 2.2}


def draw(tables: Tables) -> plt.Figure:
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
        empty_panel(ax, "C  Lymphodepletion before each CAR-T")
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
