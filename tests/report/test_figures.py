"""The figures as a figure editor checks them: colours told apart under colour-vision
deficiency, text legible at the printed width, patients told apart without colour, legends
off the data, chart types that suit the data, and counts that keep every patient."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from colorspacious import cspace_convert, deltaE
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from analysis.derivations.adam import derive_tables
from analysis.report.figures import figure1, figure2, figure3, figure4, style
from analysis.sheets.cohort import read_cohort

ROOT = Path(__file__).resolve().parents[2]
FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"
CVD = ("deuteranomaly", "protanomaly", "tritanomaly")
# CAM02-UCS is scaled so that a distance of about 1 is just noticeable for large patches
# side by side. Colours that alone carry a meaning (the status bars of Figure 3A) must stay
# 20 apart, colours backed by a second cue (patients: a marker each; EFS/OS: solid/dashed;
# courses: their order in time) 10 apart, in normal vision and under each simulated
# dichromacy (Machado et al. 2009 at severity 100). Okabe-Ito's closest pair under
# tritanopia (orange, reddish purple) is 11.
ALONE, BACKED = 20.0, 10.0
MIN_PRINTED_PT = 6.0
MAX_PRINTED_HEIGHT = 8.5  # in, leaving room for the caption on an A4 page (9.7 in of text)


def distances(colours) -> list[float]:
    """CAM02-UCS distance of every pair, in normal vision and under each dichromacy."""
    out = []
    for cvd in (None, *CVD):
        seen = [np.asarray(to_rgb(c)) for c in colours]
        if cvd:
            seen = [np.clip(cspace_convert(c, {"name": "sRGB1+CVD", "cvd_type": cvd,
                                               "severity": 100}, "sRGB1"), 0, 1) for c in seen]
        out += [float(deltaE(a, b, input_space="sRGB1", uniform_space="CAM02-UCS"))
                for a, b in itertools.combinations(seen, 2)]
    return out


def test_the_former_pastel_status_colours_would_fail():
    # the colours Figure 3A used before: "in CR" and "relapse" merge under deuteranopia
    assert min(distances(["#a9dfbf", "#f5b7b1"])) < ALONE


def test_status_colours_stand_apart_under_colour_vision_deficiency():
    assert min(distances(figure3.STATUS_COLORS.values())) >= ALONE


def test_patient_course_and_curve_colours_stand_apart_under_colour_vision_deficiency():
    assert min(distances(style.PALETTE)) >= BACKED


def test_beyond_ten_patients_every_patient_looks_different():
    looks = style.patient_looks([f"p{i:02d}" for i in range(42)])
    assert len({(v["color"], v["marker"]) for v in looks.values()}) == 42
    # a patient keeps the look given by the whole cohort, whatever a panel shows
    assert style.patient_looks(["a", "b", "c"])["c"] != style.patient_looks(["c"])["c"]


def _synthetic(tmp_path_factory, n: int) -> dict:
    out = tmp_path_factory.mktemp(f"syn{n}")
    subprocess.run([sys.executable, "tools/synth.py", "--n", str(n), "--seed", "3", "--out",
                    str(out)], cwd=ROOT, check=True, capture_output=True)
    return derive_tables(read_cohort(out))


@pytest.fixture(scope="module")
def cohorts(bundled_tables, tmp_path_factory) -> dict[str, dict]:
    style.style()
    return {"bundled": bundled_tables, "followup": derive_tables(read_cohort(FOLLOWUP)),
            "synthetic 12": _synthetic(tmp_path_factory, 12),
            "synthetic 14": _synthetic(tmp_path_factory, 14)}


@pytest.fixture(scope="module")
def drawn(cohorts, tmp_path_factory) -> dict[str, list]:
    """Every figure of every cohort, drawn once and saved: (name, figure, saved width and
    height in inches, read from the PNG as pixels over the saved dpi)."""
    imputed = style.imputed_values(ROOT / "data-raw")
    out, dpi = {}, plt.rcParams["savefig.dpi"]
    for cohort, tables in cohorts.items():
        folder = tmp_path_factory.mktemp(cohort.replace(" ", "_"))
        out[cohort] = []
        for name, fig in [("figure1", figure1.draw(tables)),
                          ("figure2", figure2.draw(tables, imputed)),
                          ("figure3", figure3.draw(tables)),
                          ("figure4", figure4.draw(tables, imputed))]:
            png = style.save(fig, name, folder)[0]
            width, height = (px / dpi for px in Image.open(png).size)
            out[cohort].append((name, fig, width, height))
    yield out
    plt.close("all")


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_text_is_at_least_6_pt_at_the_printed_width(drawn):
    """Every figure is printed at the PDF's text width: the scale is that width over the
    saved figure's width."""
    for cohort, figures in drawn.items():
        for name, fig, width, height in figures:
            scale = style.PRINT_WIDTH / width
            small = {t.get_text()[:30]: t.get_fontsize() * scale for t in _texts(fig)
                     if t.get_fontsize() * scale < MIN_PRINTED_PT}
            assert not small, f"{cohort} {name}: {small}"
            assert height * scale <= MAX_PRINTED_HEIGHT, f"{cohort} {name}: {height * scale}"


def test_legends_sit_off_the_data(drawn):
    for cohort, figures in drawn.items():
        for name, fig, _, _ in figures:
            renderer = fig.canvas.get_renderer()
            legends = [leg for ax in fig.get_axes() if (leg := ax.get_legend())]
            legends += fig.legends + [leg for sub in fig.subfigs for leg in sub.legends]
            for legend, ax in itertools.product(legends, fig.get_axes()):
                box = legend.get_window_extent(renderer)
                assert not box.overlaps(ax.get_window_extent(renderer)), (
                    f"{cohort} {name}: legend {[t.get_text() for t in legend.texts]} "
                    f"on {ax.get_title(loc='left')!r}")


def test_no_dual_axes_and_no_bars_on_a_log_axis(drawn):
    for cohort, figures in drawn.items():
        for name, fig, _, _ in figures:
            boxes = [tuple(np.round(ax.get_position().bounds, 4)) for ax in fig.get_axes()]
            assert len(boxes) == len(set(boxes)), f"{cohort} {name}: twinned axes"
            for ax in fig.get_axes():
                bars = [p for p in ax.patches if isinstance(p, Rectangle)
                        and p.get_width() * p.get_height() != 0]
                assert ax.get_yscale() != "log" or not bars, (
                    f"{cohort} {name} {ax.get_title(loc='left')!r}: bars on a log axis")


def test_the_same_patient_has_the_same_look_everywhere(drawn, cohorts):
    for cohort in ("bundled", "synthetic 12"):
        looks: dict[str, set] = {}
        for _, fig, _, _ in drawn[cohort]:
            for line in fig.findobj(plt.Line2D):
                if line.get_gid():
                    looks.setdefault(line.get_gid(), set()).add(
                        (to_rgb(line.get_color()), line.get_marker()))
        assert len(looks) == cohorts[cohort]["adsl"]["patient_id"].nunique(), cohort
        assert all(len(v) == 1 for v in looks.values()), cohort
        assert len({next(iter(v)) for v in looks.values()}) == len(looks), cohort


def test_no_morphology_limit_on_the_mrd_axes(drawn):
    fig = drawn["bundled"][2][1]
    for ax in fig.get_axes():
        if "MRD" in ax.get_ylabel():
            levels = {float(line.get_ydata()[0]) for line in ax.get_lines()
                      if len(set(line.get_ydata())) == 1 and len(line.get_ydata()) == 2}
            assert levels == {figure3.MRD_NEGATIVE_PCT}


def test_swimmer_bars_end_at_death_or_loss(drawn, cohorts):
    for cohort in ("bundled", "followup", "synthetic 14"):
        tables, ax = cohorts[cohort], drawn[cohort][2][1].get_axes()[0]
        events, adcourse = tables["adevents"], tables["adcourse"]
        patients = sorted(adcourse.loc[adcourse["course"] == 1, "patient_id"])
        for y, patient in enumerate(patients):
            start = adcourse[(adcourse["patient_id"] == patient)
                             & (adcourse["course"] == 1)]["infusion_date"].iloc[0]
            ended = events[(events["patient_id"] == patient)
                           & events["event"].isin(["death", "lost_to_follow_up"])]
            right = max(p.get_x() + p.get_width() for p in ax.patches
                        if abs(p.get_y() + p.get_height() / 2 - y) < 1e-9)
            if len(ended):
                days = (ended["event_date"].iloc[0] - start).days
                assert right == pytest.approx(days / 30, abs=0.05), patient


def test_numbers_at_risk_count_a_day_0_event():
    assert figure3.at_risk(pd.Series([0.0, 0.0, 3.0, 7.0]), [0, 6]) == [4, 1]


def test_flow_chart_counts_every_patient_once_and_every_transplant(cohorts):
    tables = {k: v.copy() for k, v in cohorts["followup"].items()}
    cart2 = tables["adcourse"][tables["adcourse"]["course"] == 2]
    no_cr = cart2.loc[~cart2["best_mrd_negative_cr"].astype(bool), "patient_id"]
    adsl = tables["adsl"]
    adsl.loc[adsl["patient_id"] == no_cr.iloc[0], "hsct_after_cart2"] = True
    n = figure1.flow_counts(tables)
    assert sum(n[b] for b in figure1.BRANCHES) == n["received CART2"] == len(cart2)
    assert n["no CR, HSCT"] == 1
    assert n["CR, HSCT"] + n["no CR, HSCT"] == n["bridged to HSCT"] == adsl[
        "hsct_after_cart2"].sum()
    for branch in figure1.BRANCHES:
        assert sum(n[f"{branch}: {s}"] for s in figure1.STATUS_WORDS) == n[branch]


def test_cr_with_detectable_mrd_is_not_active_disease(cohorts):
    tables = {k: v.copy() for k, v in cohorts["followup"].items()}
    adsl, adcourse = tables["adsl"], tables["adcourse"]
    active = adsl.loc[adsl["status_at_cutoff"] == "active disease", "patient_id"].iloc[0]
    last = adcourse[adcourse["patient_id"] == active]["course"].max()
    chosen = (adcourse["patient_id"] == active) & (adcourse["course"] == last)
    adcourse.loc[chosen, ["best_cr", "best_mrd_negative_cr"]] = [True, False]
    assert figure1.patient_status(tables)[active] == "in CR with MRD"
    adcourse.loc[chosen, "best_cr"] = False
    assert figure1.patient_status(tables)[active] == "active disease"


def test_lymphodepletion_of_every_course_from_its_first_day(cohorts):
    tables = {k: v.copy() for k, v in cohorts["followup"].items()}
    adcourse = tables["adcourse"]
    third = adcourse.index[adcourse["course"] == 3][0]
    adcourse.loc[third, ["fludarabine_first_day", "fludarabine_last_day",
                         "fludarabine_mg_per_m2"]] = [-6, -3, 30]
    rows = figure1.lymphodepletion_rows(tables)
    assert set(rows["course"]) == set(adcourse["course"])
    fig, ax = plt.subplots()
    figure1.lymphodepletion_panel(ax, tables)
    lefts = [p.get_x() for p in ax.patches]
    assert min(lefts) == pytest.approx(-6.4)
    assert any("CART3: fludarabine" in t.get_text() for t in ax.get_yticklabels())
    plt.close(fig)


def test_imputed_flat_baselines_open_only_with_a_provenance_file(drawn, bundled_tables):
    imputed = style.imputed_values(ROOT / "data-raw")
    assert imputed and not style.imputed_values(FOLLOWUP)

    def open_markers(fig) -> int:
        return sum(1 for line in fig.findobj(plt.Line2D)
                   if line.get_gid() and line.get_markerfacecolor() == "white")

    marked, plain = drawn["bundled"][1][1], figure2.draw(bundled_tables)
    assert open_markers(marked) > 0 and open_markers(plain) == 0
    plt.close("all")
