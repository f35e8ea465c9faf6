"""Figure 2: cytokines after CART2, IL-6 after CART1 and CART2, and the timing of cytokines
against CAR copies.

:func:`draw` returns the matplotlib Figure; the paper saves and shows it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.common.formatting import p_clause, p_value, plural
from analysis.derivations.store import Tables
from analysis.report.figures.style import (
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
from analysis.results.statistics import mann_whitney


def draw(tables: Tables, imputed: frozenset = frozenset()) -> plt.Figure:
    """A-C: IL-6, IL-10, IFN-γ after CART2; D-E: IL-6 fold change and peak, CART1 vs CART2;
    F-G: IL-6 and IFN-γ beside CAR copies, each as a percentage of the patient's own peak.
    ``imputed``: (sheet, line) of imputed raw values, drawn open where they are flat."""
    height = MARGINS[0] + 3 * PANEL_INCHES + sum(GAPS) + MARGINS[1]
    fig = plt.figure(figsize=(FIGURE_WIDTH, height))
    grids = []
    for row in range(3):  # a grid per row, for a gap of its own above each
        top = height - MARGINS[0] - row * PANEL_INCHES - sum(GAPS[:row])
        grids.append(fig.add_gridspec(1, 6, wspace=1.05, top=top / height,
                                      bottom=(top - PANEL_INCHES) / height))
    looks = patient_looks(tables["adsl"]["patient_id"])
    shown: set[str] = set()
    for i, (letter, name) in enumerate([("A", "IL-6"), ("B", "IL-10"), ("C", "IFN-gamma")]):
        shown |= cytokine_panel(fig.add_subplot(grids[0][0, 2 * i: 2 * i + 2]), tables, name,
                                f"{letter}  {name.replace('-gamma', '-γ')}", looks, imputed)
    for columns, column, title, ylabel in [
            (slice(0, 3), "il6_fold_change", "D  IL-6 fold change", "Peak / baseline"),
            (slice(3, 6), "il6_peak_pg_ml", "E  IL-6 peak", "IL-6 peak (pg/mL)")]:
        shown |= il6_comparison_panel(fig.add_subplot(grids[1][0, columns]), tables, column,
                                      title, ylabel, looks)
    for columns, (letter, name) in zip([slice(0, 3), slice(3, 6)],
                                       [("F", "IL-6"), ("G", "IFN-gamma")], strict=True):
        shown |= timing_panel(fig.add_subplot(grids[2][0, columns]), tables, name,
                              f"{letter}  {name.replace('-gamma', '-γ')} and CAR copies", looks)
    patient_legend(fig, looks, shown, y=1 - 0.3 / height,
                   opened=IMPUTED_LABEL if drew_open(fig) else "")
    return fig


PANEL_INCHES = 1.4  # height of every panel
GAPS = (1.05, 0.75)  # in: above D-E (two-line titles) and above F-G
MARGINS = (0.55, 0.85)  # in: above the panels (the patient legend) and below (F-G's legends)
CYTOKINE_DAYS = 28  # panels A-C and F-G show the days 0 to this after CART2


def cytokine_rows(tables: Tables, parameter: str) -> pd.DataFrame:
    """A cytokine's results after CART2 up to day CYTOKINE_DAYS (panels A-C)."""
    rows = lab_rows(tables, parameter, course=2)
    return rows[rows["study_day"] <= CYTOKINE_DAYS]


def cytokine_panel(ax: plt.Axes, tables: Tables, parameter: str, title: str,
                   looks: dict, imputed: frozenset) -> set[str]:
    rows = cytokine_rows(tables, parameter)
    if rows.empty:
        empty_panel(ax, title)
        return set()
    note = trajectories(ax, rows, looks, imputed=imputed)
    ax.set_yscale("log")
    decades(ax)
    ax.set_title(title + note)
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("pg/mL")
    return set() if note else set(rows["patient_id"])


def course_groups(tables: Tables, column: str) -> list[pd.DataFrame]:
    """Patients' ``column`` of adcourse (patient_id and the value) after CART1 and after
    CART2, or none unless both courses have values (panels D-E)."""
    rows = tables["adcourse"][tables["adcourse"]["course"].isin([1, 2])].dropna(subset=[column])
    if rows["course"].nunique() < 2:
        return []
    return [rows.loc[rows["course"] == c, ["patient_id", column]] for c in (1, 2)]


def il6_comparison_panel(ax: plt.Axes, tables: Tables, column: str, title: str,
                         ylabel: str, looks: dict) -> set[str]:
    """Each patient's value after CART1 and after CART2 (a grey line joins a patient's two),
    the median as a black bar; box plots with points in one colour when the cohort's
    patients are not identified."""
    groups = course_groups(tables, column)
    if not groups:
        empty_panel(ax, title)
        return set()
    many = not identified(looks)
    if many:
        ax.boxplot([g[column] for g in groups], positions=[0, 1], widths=0.45,
                   showfliers=False, medianprops={"color": "black"})
    else:
        pairs = pd.merge(*groups, on="patient_id")
        for row in pairs.itertuples(index=False):
            ax.plot([0, 1], row[1:], color="0.75", lw=0.8, zorder=1)
    for x, group in enumerate(groups):
        if many:  # one artist per course, its points spread sideways in the order of value
            spread = np.linspace(-0.08, 0.08, len(group)) if len(group) > 1 else [0.0]
            ax.plot(x + np.asarray(spread), group[column].sort_values(), ls="none", zorder=3,
                    ms=5, color=PALETTE[0], marker="o")
            continue
        for patient, value in group.sort_values(column).itertuples(index=False):
            ax.plot(x, value, ls="none", zorder=3, ms=5, **looks[patient])
        median = group[column].median()
        ax.plot([x - 0.2, x + 0.2], [median, median], color="black", lw=1.5, zorder=2)
    test = mann_whitney(groups[0][column], groups[1][column])
    ax.set_yscale("log")
    decades(ax)
    ax.set_xticks([0, 1], [COURSE_NAMES[1], COURSE_NAMES[2]])
    ax.set_xlim(-0.5, 1.5)
    ax.set_title(f"{title}\nMann–Whitney {p_clause(p_value(test['p']))}")
    ax.set_ylabel(ylabel)
    return set() if many else set(pd.concat(groups)["patient_id"])


def percent_of_peak(rows: pd.DataFrame) -> pd.DataFrame:
    """Each patient's values as a percentage of that patient's highest value."""
    peak = rows.groupby("patient_id")["value"].transform("max")
    return rows.assign(value=100 * rows["value"] / peak)


def timing_patients(tables: Tables, parameter: str) -> list[str]:
    """Patients with both ``parameter`` and total CAR copies after CART2 (panels F-G)."""
    found = [set(lab_rows(tables, p, course=2)["patient_id"]) for p in (parameter, "total CAR")]
    return sorted(found[0] & found[1])


def timing_panel(ax: plt.Axes, tables: Tables, parameter: str, title: str,
                 looks: dict) -> set[str]:
    """A cytokine (solid) and total CAR copies (dashed) in the patients with both, each as a
    percentage of the patient's own peak, so that one scale shows which peaks first."""
    cytokine = lab_rows(tables, parameter, course=2)
    copies = lab_rows(tables, "total CAR", course=2)
    both = timing_patients(tables, parameter)
    if not both:
        empty_panel(ax, title)
        return set()
    name = parameter.replace("-gamma", "-γ")
    series = [(percent_of_peak(rows[rows["patient_id"].isin(both)
                                    & rows["study_day"].between(0, CYTOKINE_DAYS)]), ls, text)
              for rows, ls, text in [(cytokine, "-", name), (copies, "--", "CAR copies")]]
    note = ""
    for color, (rows, ls, text) in zip(PALETTE, series, strict=False):
        note = trajectories(ax, rows, looks, ls=ls, color=color) or note  # summary in colour
        ax.plot([], [], color="0.3" if identified(looks) else color, ls=ls, label=text)
    ax.set_ylim(-6, 106)  # markers on 0 and 100 whole, inside the axes
    ax.set_yticks(range(0, 101, 20))
    ax.set_title(title + note)
    ax.set_xlabel("Days after CART2")
    ax.set_ylabel("% of the patient's peak")
    legend_below(ax, ncol=2)
    return set() if note else set(both)


def _patients(rows: pd.DataFrame) -> str:
    return plural(rows["patient_id"].nunique(), "patient")


def alt_text(tables: Tables) -> str:
    """The figure's alternative text, from what each panel draws for this cohort: its
    measure, how many patients, lines or a median, and which panels have no data."""
    one = identified(patient_looks(tables["adsl"]["patient_id"]))
    parts = []
    for letter, name in [("A", "IL-6"), ("B", "IL-10"), ("C", "IFN-gamma")]:
        rows = cytokine_rows(tables, name)
        name = name.replace("-gamma", "-γ")
        parts.append(f"{letter}, {name} of {_patients(rows)}" if len(rows)
                     else f"{letter}, no {name} results")
    drawn = ("one line per patient" if one
             else "the median over patients with its interquartile band")
    text = [f"Seven panels. A to C: serum cytokines on a log scale in the {CYTOKINE_DAYS} "
            f"days after CART2, {drawn} ({'; '.join(parts)})."]
    parts = []
    for letter, column, what in [("D", "il6_fold_change", "fold change"),
                                 ("E", "il6_peak_pg_ml", "peak")]:
        groups = course_groups(tables, column)
        test = mann_whitney(groups[0][column], groups[1][column]) if groups else None
        parts.append(f"{letter}, {what} after CART1 in {groups[0]['patient_id'].nunique()} "
                     f"and after CART2 in {_patients(groups[1])}, Mann–Whitney "
                     f"{p_clause(p_value(test['p']))}" if groups
                     else f"{letter}, no IL-6 {what} after both courses")
    drawn = ("one point per patient, grey lines joining a patient's two courses and black "
             "bars at the medians" if one else "a box and a point per patient")
    text.append(f"D and E: IL-6 fold change and IL-6 peak on a log scale after CART1 and "
                f"after CART2, {drawn} ({'; '.join(parts)}).")
    parts = []
    for letter, name in [("F", "IL-6"), ("G", "IFN-gamma")]:
        both = timing_patients(tables, name)
        parts.append(f"{letter}, {plural(len(both), 'patient')}" if both
                     else f"{letter}, no patient with both")
    drawn = "a line per patient" if one else "the median over patients"
    text.append(f"F and G: IL-6 and IFN-γ (solid) with CAR copies (dashed) in the "
                f"{CYTOKINE_DAYS} days after CART2, each as a percentage of the patient's "
                f"peak, {drawn} ({'; '.join(parts)}).")
    return " ".join(text)


CYTOKINES = [("A", "IL-6"), ("B", "IL-10"), ("C", "IFN-gamma")]  # panels A-C
ABBREVIATIONS = ("CART1 and CART2, first and second CAR-T course; IFN-γ, interferon-γ; IL, "
                 "interleukin.")


def _letters(letters: list[str]) -> str:
    """'A', 'A and C', 'A–C' (consecutive panels as a range)."""
    if len(letters) > 2 and ord(letters[-1]) - ord(letters[0]) == len(letters) - 1:
        return f"{letters[0]}–{letters[-1]}"
    return " and ".join(letters) if len(letters) < 3 else ", ".join(letters)


def _missing(panels: list[tuple[str, str]], what: str) -> str:
    """'B (IL-10) and C (IFN-γ): no results in this cohort.' for the panels left empty."""
    if not panels:
        return ""
    named = [f"{letter} ({name})" for letter, name in panels]
    return f"{' and '.join(named)}: {what} in this cohort."


def _cytokines(tables: Tables) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Panels A-C as (letter, cytokine) pairs: those with results, those without."""
    panels = [(letter, n.replace("-gamma", "-γ"), len(cytokine_rows(tables, n)) > 0)
              for letter, n in CYTOKINES]
    return ([(letter, n) for letter, n, has in panels if has],
            [(letter, n) for letter, n, has in panels if not has])


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def pointer(tables: Tables) -> str:
    """The Results' sentence pointing to panels A-C, naming the cytokines they show."""
    found, _ = _cytokines(tables)
    if not found:
        return "No serum cytokine was measured after CART2 in this cohort."
    verb = "is" if len(found) == 1 else "are"
    return (f"Serum {_listed([n for _, n in found])} after CART2 {verb} shown in "
            f"@fig-cytokines {_letters([letter for letter, _ in found])} (peaks in "
            "Additional file 4).")


def caption(tables: Tables) -> str:
    """The figure's caption after its title: what each panel shows, worded from the panels
    drawn for this cohort (a panel without data named as such), and the abbreviations."""
    one = identified(patient_looks(tables["adsl"]["patient_id"]))
    name = {n: n.replace("-gamma", "-γ") for _, n in CYTOKINES}
    found, empty = _cytokines(tables)
    text = []
    if found:
        text.append(f"{_letters([letter for letter, _ in found])}: serum "
                    f"{_listed([n for _, n in found])} in the {CYTOKINE_DAYS} days after "
                    "CART2, log scale.")
    text.append(_missing(empty, "no results"))
    compared = [(letter, what) for letter, column, what in
                [("D", "il6_fold_change", "IL-6 fold change (peak over the pre-infusion value)"),
                 ("E", "il6_peak_pg_ml", "IL-6 peak")] if course_groups(tables, column)]
    if compared:
        drawn = ("grey lines join a patient's two courses and black bars mark the medians"
                 if one else "over a box plot of the course")
        text.append(f"{_letters([c[0] for c in compared])}: "
                    f"{' and '.join(c[1] for c in compared)} after CART1 and after CART2, log "
                    f"scale; each point is a patient, {drawn}; the P value is the two-sided "
                    "Mann–Whitney test's.")
    text.append(_missing([(c, w) for c, w in (("D", "IL-6 fold change"), ("E", "IL-6 peak"))
                          if c not in {x[0] for x in compared}], "no values after both courses"))
    timed = [(letter, name[n]) for letter, n in (("F", "IL-6"), ("G", "IFN-gamma"))
             if timing_patients(tables, n)]
    if timed:
        text.append(f"{_letters([t[0] for t in timed])}: "
                    f"{' and '.join(t[1] for t in timed)} (solid) and total CAR copies in "
                    f"blood (dashed) in the {CYTOKINE_DAYS} days after CART2, each as a "
                    "percentage of the patient's own peak, so that one scale shows which rises "
                    "and falls first.")
    text.append(_missing([(c, f"{name[n]} and CAR copies") for c, n in
                          (("F", "IL-6"), ("G", "IFN-gamma")) if not timing_patients(tables, n)],
                         "no patient with both"))
    return " ".join([t for t in text if t] + [ABBREVIATIONS])
