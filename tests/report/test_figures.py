"""The figures as a figure editor checks them: colours told apart under colour-vision
deficiency, text legible at the printed width, patients told apart without colour, legends
off the data, chart types that suit the data, and counts that keep every patient."""

from __future__ import annotations

import itertools
import re
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
from analysis.ledger.claims import Claims
from analysis.report.figures import figure1, figure2, figure3, figure4, style
from analysis.sheets.cohort import read_cohort

ROOT = Path(__file__).resolve().parents[2]
FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"
REGISTRY12 = ROOT / "tests" / "cohorts" / "registry12"
CVD = ("deuteranomaly", "protanomaly", "tritanomaly")
# CAM02-UCS is scaled so that a distance of about 1 is just noticeable for large patches
# side by side. Colours that alone carry a meaning (the status bars of Figure 3A) must stay
# 20 apart, colours backed by a second cue (patients: a marker each; EFS/OS: solid/dashed;
# courses: their order in time) 10 apart, in normal vision and under each simulated
# dichromacy (Machado et al. 2009 at severity 100). Okabe-Ito's closest pair under
# tritanopia (orange, reddish purple) is 11.
ALONE, BACKED = 20.0, 10.0
MIN_PRINTED_PT = 6.0
MAX_BLANK_INCHES = 0.6  # no band of white rows taller than this in a saved figure
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


def test_course_colours_stand_apart_alone_under_colour_vision_deficiency():
    # Figure 3A's infusion triangles differ by colour alone; CART2 and CART4 drawn in
    # Okabe-Ito orange and vermillion read alike under protanopia
    assert min(distances([style.OKABE_ITO["orange"], style.OKABE_ITO["vermillion"]])) < ALONE
    assert min(distances(style.COURSE_COLORS.values())) >= ALONE


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
            "registry12": derive_tables(read_cohort(REGISTRY12)),
            "synthetic 12": _synthetic(tmp_path_factory, 12),
            "synthetic 14": _synthetic(tmp_path_factory, 14),
            "synthetic 20": _synthetic(tmp_path_factory, 20),
            "synthetic 60": _synthetic(tmp_path_factory, 60)}


SAVED: dict[tuple[str, str], Path] = {}  # (cohort, figure) -> the PNG the drawn fixture saved


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
            SAVED[cohort, name] = png
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
    # fu03's last course (CART3) reached CR with MRD 0.5% (adsl "in CR with MRD"): its own box
    n = figure1.flow_counts(cohorts["followup"])
    assert sum(n[f"{branch}: in CR with MRD"] for branch in figure1.BRANCHES) == 1
    assert sum(n[f"{branch}: active disease"] for branch in figure1.BRANCHES) == 0


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
    plt.close(plain)


def _boxes(fig, ax) -> list:
    fig.canvas.draw()  # box patches are placed when drawn; the last save drew at 72 dpi
    renderer = fig.canvas.get_renderer()
    return [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts
            if t.get_bbox_patch() is not None]


def test_flow_chart_boxes_stand_apart_inside_their_panel(drawn):
    """No two boxes of the flow chart touch (at least 2 pt apart) and none leaves its panel,
    for every cohort (the follow-up cohort's last row ran boxes into each other)."""
    for cohort, figures in drawn.items():
        fig = figures[0][1]
        ax = next(a for a in fig.get_axes() if a.get_title(loc="left").startswith("B "))
        boxes, gap = _boxes(fig, ax), 2 * fig.dpi / 72
        assert len(boxes) >= 8, cohort
        for a, b in itertools.combinations(boxes, 2):
            assert not a.expanded(1, 1).padded(gap / 2).overlaps(b.padded(gap / 2)), cohort
        area = ax.get_window_extent(fig.canvas.get_renderer())
        for box in boxes:
            assert area.y0 <= box.y0 and box.y1 <= area.y1 + 1, cohort


def test_lymphodepletion_axis_spans_the_schedules_with_a_tick_per_day(drawn, cohorts):
    for cohort, figures in drawn.items():
        fig = figures[0][1]
        rows = figure1.lymphodepletion_rows(cohorts[cohort])
        ax = next(a for a in fig.get_axes() if any(
            t.get_text().startswith("C ") for t in a.texts))
        first, last = min(rows["first"].min(), 0), max(rows["last"].max(), 0)
        low, high = ax.get_xlim()
        assert first - 1 <= low < first - 0.4 and last + 0.4 < high <= last + 1, cohort
        assert list(ax.get_xticks()) == list(range(int(first), 1)), cohort


def test_mrd_negative_results_open_on_the_limit_and_said_in_the_legend(cohorts):
    tables = {k: v.copy() for k, v in cohorts["bundled"].items()}
    adrs = tables["adrs"]
    negative = adrs.index[adrs["mrd_negative"].astype(bool)][0]
    adrs.loc[negative, ["mrd_pct", "mrd_qualifier"]] = [0.0, ""]  # measured 0: negative
    fig = figure3.draw(tables)
    opened = [line for line in fig.findobj(plt.Line2D)
              if line.get_gid() and line.get_markerfacecolor() == "white"]
    assert opened
    for line in opened:
        assert set(np.asarray(line.get_ydata(), float)) == {figure3.MRD_NEGATIVE_PCT}
    titles = [leg.get_title().get_text() for sub in fig.subfigs for leg in sub.legends]
    assert any("open markers: MRD-negative" in t for t in titles), titles
    plt.close(fig)


def test_open_markers_for_imputed_values_are_named_in_the_legend(drawn):
    for _, fig, _, _ in drawn["bundled"]:
        if style.drew_open(fig) and fig.legends:
            assert any("open markers" in leg.get_title().get_text() for leg in fig.legends)
    assert "imputed" in drawn["bundled"][1][1].legends[0].get_title().get_text()


def test_legends_clear_of_titles_and_at_risk_numbers_clear_of_their_labels(drawn):
    """No legend covers a panel's title (Figure 3A's legend ran into 3B's title) and no text
    of the survival panel touches another (the at-risk labels ran into two-digit counts)."""
    for cohort, figures in drawn.items():
        for name, fig, _, _ in figures:
            renderer = fig.canvas.get_renderer()
            legends = [leg for ax in fig.get_axes() if (leg := ax.get_legend())]
            legends += fig.legends + [leg for sub in fig.subfigs for leg in sub.legends]
            titles = [ax.title for ax in fig.get_axes() if ax.get_title(loc="left")]
            for legend, title in itertools.product(legends, titles):
                assert not legend.get_window_extent(renderer).overlaps(
                    title.get_window_extent(renderer)), f"{cohort} {name}: {title.get_text()}"
        figures[2][1].canvas.draw()
        renderer = figures[2][1].canvas.get_renderer()
        km = next(ax for ax in figures[2][1].get_axes()
                  if ax.get_title(loc="left").startswith("B "))
        texts = [t.get_window_extent(renderer) for t in km.texts if t.get_text().strip()]
        texts.append(km.get_legend().get_window_extent(renderer))
        for a, b in itertools.combinations(texts, 2):
            assert not a.overlaps(b), cohort


def test_product_markers_in_the_legend_as_drawn_and_one_day_axis_for_e_and_f(drawn):
    fig = drawn["bundled"][3][1]
    f = next(ax for ax in fig.get_axes() if ax.get_title(loc="left").startswith("F "))
    handle = f.get_legend().legend_handles[0]
    drawn_products = [line for line in f.get_lines() if line.get_gid()
                      and line.get_markeredgecolor() == "black"]
    assert drawn_products
    for line in drawn_products:
        assert line.get_markerfacecolor() != "white"
        assert (handle.get_markersize(), handle.get_markeredgecolor(),
                handle.get_markerfacecolor() != "white") == (
                    line.get_markersize(), line.get_markeredgecolor(), True)
    followup = drawn["followup"][3][1]
    e, f = (next(ax for ax in followup.get_axes() if ax.get_title(loc="left").startswith(k))
            for k in ("E ", "F "))
    assert f.get_xlim() == e.get_xlim() and np.diff(f.get_xlim())[0] > 5


def test_log_axes_label_whole_powers_of_ten_only(drawn):
    for cohort, figures in drawn.items():
        for name, fig, _, _ in figures:
            fig.canvas.draw()
            for ax in fig.get_axes():
                if ax.get_yscale() != "log" or not ax.has_data():
                    continue
                low, high = ax.get_ylim()
                major = [t for t in ax.get_yticks() if low <= t <= high]
                assert len(major) >= 2, f"{cohort} {name} {ax.get_title(loc='left')!r}"
                minor = [t.get_text() for t in ax.yaxis.get_minorticklabels() if t.get_text()]
                assert not minor, f"{cohort} {name} {ax.get_title(loc='left')!r}: {minor}"


def test_a_large_cohort_is_drawn_as_a_group_in_every_panel(drawn):
    """Above MAX_LINES patients no panel draws patients one by one (Figure 2 drew lines for
    the ten to twelve patients with cytokines, with no legend to tell them apart)."""
    for cohort in ("synthetic 14", "synthetic 20", "synthetic 60"):
        for name, fig, _, _ in drawn[cohort]:
            patients = {line.get_gid() for line in fig.findobj(plt.Line2D) if line.get_gid()}
            assert not patients, f"{cohort} {name}"
            assert not [leg for leg in fig.legends if leg.get_title().get_text()]


def test_captions_say_how_patients_are_drawn(cohorts):
    five, twenty = (Claims(cohorts[c], published_precision=False, spans=True)
                    for c in ("bundled", "synthetic 20"))
    assert "one colour and marker" in style.patients_note(five)
    assert "legend at the bottom" in style.patients_note(five, figure3.PATIENT_LEGEND)
    assert "median" in style.patients_note(twenty)
    assert '[20 patients]{data-claim="n_patients_recorded"}' in style.patients_note(twenty)
    assert "patient's colour" in figure4.product_ratio_caption(
        Claims(cohorts["bundled"], published_precision=False))
    assert "patient's colour" not in figure4.product_ratio_caption(
        Claims(cohorts["synthetic 60"], published_precision=False))


def _panel(fig, letter: str) -> plt.Axes:
    return next(ax for ax in fig.get_axes() if ax.get_title(loc="left").startswith(letter))


def _left_title(ax) -> Text:
    return next(t for t in ax.findobj(Text) if t.get_text() == ax.get_title(loc="left"))


def test_titles_fit_their_panels(drawn):
    """No panel title runs past its panel's right edge (4B's reached the next panel)."""
    for cohort, figures in drawn.items():
        for name, fig, _, _ in figures:
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            for ax in fig.get_axes():
                if ax.get_title(loc="left"):
                    over = (_left_title(ax).get_window_extent(renderer).x1
                            - ax.get_window_extent(renderer).x1)
                    assert over <= 0, f"{cohort} {name} {ax.get_title(loc='left')!r}: {over}"


def _products(ax) -> list:
    return [line for line in ax.get_lines() if line.get_gid()
            and line.get_markeredgecolor() == "black"]


def test_each_product_ratio_is_drawn_once(drawn, cohorts):
    """The products sheet's CD4/CD8 ratio is drawn in 4F only (it was drawn in E and F)."""
    for cohort in ("followup", "registry12"):
        fig = drawn[cohort][3][1]
        e, f = _panel(fig, "E "), _panel(fig, "F ")
        sheet = cohorts[cohort]["adcourse"].query("course == 2")[
            list(figure4.PRODUCT_RATIO_COLUMNS)].stack()
        assert len(sheet) and len(_products(f)) == len(sheet), cohort
        assert not _products(e), cohort


def test_product_markers_overlap_no_marker(drawn):
    """Figure 4F's day-0 product markers stand clear of each other and of the blood values
    (two products 0.1 apart overlapped), in points on the saved figure."""
    for cohort in ("bundled", "followup"):
        fig = drawn[cohort][3][1]
        for ax in (_panel(fig, "E "), _panel(fig, "F ")):
            points = [(*ax.transData.transform((x, y)) * 72 / fig.dpi, line.get_markersize() / 2,
                       line in _products(ax))
                      for line in ax.get_lines() if line.get_marker() not in ("None", "")
                      for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)]
            for (x1, y1, r1, p1), (x2, y2, r2, p2) in itertools.combinations(points, 2):
                if p1 or p2:
                    assert np.hypot(x1 - x2, y1 - y2) >= r1 + r2 - 0.01, cohort


def test_patient_markers_lie_whole_inside_their_panels(drawn):
    """No patient's marker is cut by its panel's edge (2F-G clipped the markers on 0%)."""
    for cohort, figures in drawn.items():
        for name, fig, _, _ in figures:
            fig.canvas.draw()
            for ax in fig.get_axes():
                box = ax.get_window_extent()
                for line in ax.get_lines():
                    if (not line.get_gid() or line.get_marker() in ("None", "")
                            or not len(line.get_xdata())):
                        continue
                    r = line.get_markersize() / 2 * fig.dpi / 72
                    xy = ax.transData.transform(np.column_stack([line.get_xdata(),
                                                                 line.get_ydata()]))
                    out = np.max([box.x0 - xy[:, 0] + r, xy[:, 0] + r - box.x1,
                                  box.y0 - xy[:, 1] + r, xy[:, 1] + r - box.y1])
                    assert out * 72 / fig.dpi <= 0.5, (
                        f"{cohort} {name} {ax.get_title(loc='left')!r} {line.get_gid()}")


def test_no_blank_band_across_a_figure(drawn):
    """No run of all-white pixel rows in a saved PNG is taller than MAX_BLANK_INCHES (Figure 1
    left 0.7 in empty under its flow chart, Figure 2 as much above F-G)."""
    dpi = plt.rcParams["savefig.dpi"]
    for cohort, figures in drawn.items():
        for name, *_ in figures:
            rows = (np.asarray(Image.open(SAVED[cohort, name]).convert("L")) > 245).all(axis=1)
            edges = np.flatnonzero(np.diff(np.r_[0, rows.astype(int), 0]))
            longest = max(np.diff(edges.reshape(-1, 2), axis=1).ravel(), default=0)
            assert longest / dpi <= MAX_BLANK_INCHES, f"{cohort} {name}: {longest / dpi:.2f} in"


def test_figure3_caption_says_open_markers_only_where_drawn(drawn, cohorts):
    """The caption's open markers and months from CART1 are there when panels C-D draw them
    (a large cohort's box plots by visit have neither)."""
    for cohort, figures in drawn.items():
        caption, fig = figure3.mrd_caption(cohorts[cohort]), figures[2][1]
        assert ("open markers" in caption) == style.drew_open(fig), cohort
        marrow = _panel(fig, "C ")
        assert ("(months)" in caption) == ("Months" in marrow.get_xlabel()), cohort
    assert "open markers" in figure3.mrd_caption(cohorts["bundled"])


def test_the_patient_legend_is_where_the_caption_says(drawn):
    """Figure 3's patient legend is under its panels, as its caption says (the caption said
    "at the top" for every figure); Figures 2 and 4 have theirs above."""
    for name, fig, _, _ in drawn["bundled"][1:]:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legends = fig.legends + [leg for sub in fig.subfigs for leg in sub.legends]
        legend = next(leg for leg in legends if leg.get_title().get_text().startswith("Patient"))
        box = legend.get_window_extent(renderer)
        panels = [ax.get_window_extent(renderer) for ax in fig.get_axes()]
        place = figure3.PATIENT_LEGEND if name == "figure3" else "top"
        if place == "top":
            assert all(box.y0 >= p.y1 for p in panels), name
        else:
            assert all(box.y1 <= p.y0 for p in panels), name


def test_every_data_point_lies_within_its_panels_limits(drawn):
    """No line runs out of its panel (4D's upper panel cut a median off at the lower panel's
    last day)."""
    for cohort, figures in drawn.items():
        for name, fig, _, _ in figures:
            for ax in fig.get_axes():
                (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
                for line in ax.get_lines():
                    if line.get_transform() != ax.transData or not len(line.get_xdata()):
                        continue
                    x, y = (np.asarray(v, float) for v in line.get_data())
                    shown = np.isfinite(x) & np.isfinite(y)
                    assert ((x[shown] >= x0) & (x[shown] <= x1) & (y[shown] >= y0)
                            & (y[shown] <= y1)).all(), (
                        f"{cohort} {name} {ax.get_title(loc='left')!r}")


def test_a_large_cohorts_marrow_boxes_show_every_result(drawn, cohorts):
    """Figure 3C's box plots by visit draw every result as a point (a course with one result
    at a visit was a bare line, its colour nowhere)."""
    from matplotlib.collections import PathCollection

    for cohort in ("registry12", "synthetic 14"):
        ax = _panel(drawn[cohort][2][1], "C ")
        points = sum(len(c.get_offsets()) for c in ax.collections
                     if isinstance(c, PathCollection))
        assert points == len(figure3.marrow_rows(cohorts[cohort])), cohort


def _empty(ax) -> bool:
    return any(t.get_text() == "no data in this cohort" for t in ax.texts)


def _patients_drawn(ax) -> int:
    """Patients an axes draws: its patients' lines, or the n of its summary's title."""
    found = {line.get_gid() for line in ax.get_lines() if line.get_gid()}
    n = re.search(r"n = (\d+)", ax.get_title(loc="left"))
    return len(found) or (int(n.group(1)) if n else 0)


def test_alt_text_says_what_figures_2_and_3_draw(drawn, cohorts):
    """Figures 2 and 3's alternative text is computed from the cohort (it was one text for
    every cohort): the panels it calls empty are the empty ones, its patient and result
    counts and P values are those drawn, lines or summaries as drawn."""
    alts = {}
    for cohort in ("bundled", "followup", "registry12"):
        tables, figures = cohorts[cohort], dict((n, f) for n, f, *_ in drawn[cohort])
        alt2, alt3 = figure2.alt_text(tables), figure3.alt_text(tables)
        alts[cohort] = alt2 + alt3
        lines = style.identified(style.patient_looks(tables["adsl"]["patient_id"]))
        assert ("one line per patient" in alt2) == lines, cohort
        for letter, name in [("A", "IL-6"), ("B", "IL-10"), ("C", "IFN-γ")]:
            ax = _panel(figures["figure2"], f"{letter} ")
            assert (f"{letter}, no {name} results" in alt2) == _empty(ax), (cohort, letter)
            if not _empty(ax):
                n = _patients_drawn(ax)
                assert f"{letter}, {name} of {n} patient" in alt2, (cohort, letter, n)
        for letter in "DE":
            title = _panel(figures["figure2"], f"{letter} ").get_title(loc="left")
            assert title.split("\n")[1] in alt2, (cohort, letter)
        swimmer = _panel(figures["figure3"], "A ")
        rows = len(figure3.swimmer_rows(tables))
        assert f"each of the {rows} patients" in alt3, cohort
        assert len(swimmer.get_yticks()) == rows or rows > 20, cohort
        statuses = [t.get_text() for t in swimmer.get_legend().texts
                    if t.get_text() in figure3.STATUS_COLORS]
        assert f"({'; '.join(statuses)})" in alt3, cohort
        marrow = figure3.marrow_rows(tables)
        assert f"({len(marrow)} results of {marrow['patient_id'].nunique()} patients)" in alt3
        assert ("a line per patient and course" in alt3) == bool(
            {line.get_gid() for line in _panel(figures["figure3"], "C ").get_lines()} - {None})
    assert len(set(alts.values())) == len(alts)


def test_figure4_caption_describes_the_panels_as_drawn(drawn, cohorts):
    """Figure 4's caption and alternative text say which panels are empty (the caption
    described B and C of registry12, which show no data) and describe the others."""
    for cohort in ("bundled", "followup", "registry12", "synthetic 60"):
        fig, caption = drawn[cohort][3][1], figure4.caption(cohorts[cohort])
        alt = figure4.alt_text(cohorts[cohort])
        for letter in "ABCDEF":
            ax = _panel(fig, f"{letter} ")
            assert (f"{letter}: empty" in caption) == _empty(ax), (cohort, letter)
            assert (f"{letter}, empty" in alt) == _empty(ax), (cohort, letter)
            assert f"{letter}: " in caption or (letter in "EF" and "E, F: " in caption)
    assert "B: empty" in figure4.caption(cohorts["registry12"])
    assert "empty" not in figure4.caption(cohorts["bundled"])


def _ratio_boxes(ax) -> tuple[list, list]:
    """Window boxes of a ratio panel's markers and of its products' names."""
    renderer = ax.get_figure(root=True).canvas.get_renderer()
    markers = [line.get_window_extent(renderer) for line in ax.get_lines()
               if line.get_marker() not in ("None", "") and len(line.get_xdata())]
    names = [t.get_window_extent(renderer) for t in ax.texts
             if t.get_gid() == figure4.PRODUCT_LABEL]
    return markers, names


def test_a_patients_cd19_and_cd22_products_are_told_apart(cohorts):
    """Figure 4F names each products-sheet marker by its target, the names inside the panel
    and clear of every marker and of each other, also when a patient's two products have
    one ratio (the two markers were one look, and at one value one hid the other)."""
    tables = {k: v.copy() for k, v in cohorts["followup"].items()}
    cart2 = tables["adcourse"]["course"] == 2
    same = tables["adcourse"].loc[cart2, "product_cd4_cd8_cd19"]
    tables["adcourse"].loc[cart2 & same.notna(), "product_cd4_cd8_cd22"] = same
    for case in (cohorts["followup"], tables):
        fig = figure4.draw(case)
        fig.canvas.draw()
        ax = _panel(fig, "F ")
        sheet = figure4.product_ratios(case, "CD4/CD8 CAR-T cells").query("source != 'flow'")
        assert sorted(t.get_text() for t in ax.texts if t.get_gid() == figure4.PRODUCT_LABEL
                      ) == sorted(sheet["source"])
        markers, names = _ratio_boxes(ax)
        points = [(b.x0, b.y0) for b in markers]
        assert len(points) == len(set(points))  # no marker drawn on another
        panel = ax.get_window_extent()
        for i, name in enumerate(names):
            assert panel.contains(name.x0, name.y0) and panel.contains(name.x1, name.y1)
            assert not any(name.overlaps(m) for m in markers)
            assert not any(name.overlaps(n) for n in names[i + 1:])
        plt.close(fig)


def test_protocol_visits_read_as_words_on_the_axis(drawn):
    """Where 3C summarises by protocol visit, its axis names the visits in words ("days 7–14",
    not the sheet's code "day7_14")."""
    assert figure3.visit_label("day7_14") == "days 7–14"
    assert figure3.visit_label("month3") == "month 3"
    assert figure3.visit_label("enrolment") == "enrolment"
    summarised = 0
    for cohort, figures in drawn.items():
        marrow = _panel(figures[2][1], "C ")
        if marrow.get_xlabel() != "Protocol visit":
            continue
        summarised += 1
        labels = [tick.get_text() for tick in marrow.get_xticklabels()]
        assert labels and not any("_" in label for label in labels), (cohort, labels)
    assert summarised, "no cohort drew 3C by protocol visit"


def test_marrow_summary_draws_a_box_only_where_a_visit_has_enough_results(cohorts):
    """Figure 3C draws a box for a visit and course with at least MIN_BOX_VALUES results and
    points only for fewer (registry12's CART3 and CART4 had boxes of one to three values)."""
    from matplotlib.patches import PathPatch

    tables = cohorts["registry12"]
    enough = figure3.box_groups(figure3.marrow_rows(tables))
    assert enough.any() and not enough.all()
    fig = figure3.draw(tables)
    boxes = [p for p in _panel(fig, "C ").patches if isinstance(p, PathPatch)]
    assert len(boxes) == enough.sum()
    assert f"at least {figure3.MIN_BOX_VALUES} results" in figure3.mrd_caption(tables)
    assert "points only" in figure3.alt_text(tables)
    plt.close(fig)


def test_figure2_caption_describes_the_panels_drawn(cohorts):
    """The follow-up cohort's sheets hold IL-6 alone: the caption names panels B and C as
    empty instead of describing IL-10 and IFN-γ curves, and so does the Results' pointer."""
    bundled, followup = (figure2.caption(cohorts[c]) for c in ("bundled", "followup"))
    assert bundled.startswith("A–C: serum IL-6, IL-10 and IFN-γ in the")
    assert followup.startswith("A: serum IL-6 in the")
    assert "B (IL-10) and C (IFN-γ): no results in this cohort." in followup
    assert "G (IFN-γ and CAR copies): no patient with both" in followup
    assert figure2.pointer(cohorts["followup"]).startswith("Serum IL-6 after CART2 is shown in "
                                                           "@fig-cytokines A ")
    defined = {"IL": "IL, interleukin", "IFN": "IFN-γ, interferon-γ",
               "CART": "CART1 and CART2, first and second CAR-T course"}
    for text in (bundled, followup):  # every abbreviation the caption uses is defined in it
        for abbreviation in set(re.findall(r"\b(IL|IFN|CART)(?=[-\d])", text)):
            assert defined[abbreviation] in text, abbreviation
    many = figure2.caption(cohorts["synthetic 20"])
    assert "grey lines" not in many and "box plot" in many
