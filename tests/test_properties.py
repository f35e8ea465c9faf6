"""Property-based tests (hypothesis) of the unit conversions, the derivations and the
checks of the raw sheets."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.common.units import convert
from analysis.derivations import events, labs, timing
from analysis.derivations.store import derive
from analysis.sheets.problems import InputError

ROOT = Path(__file__).resolve().parent.parent

finite = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False)
UNIT_PAIRS = [("copies/100ng", "copy/microgram"), ("ng/L", "pg/mL"), ("degF", "degC"),
              ("cells/L", "cell/microliter"), ("g", "kg"), ("1e6 cell", "cell"),
              ("day", "month_30d"), ("month_30d", "year")]


@given(value=finite, pair=st.sampled_from(UNIT_PAIRS))
def test_unit_conversions_round_trip(value, pair):
    there = convert(value, *pair)
    back = convert(there, pair[1], pair[0])
    assert np.isclose(back, value, rtol=1e-9, atol=1e-9)


dates = st.dates(min_value=pd.Timestamp("2000-01-01").date(),
                 max_value=pd.Timestamp("2030-01-01").date())


@given(first=dates, gap=st.integers(min_value=0, max_value=5000))
def test_intervals_between_ordered_dates_are_never_negative(first, gap):
    start = pd.Series(pd.to_datetime([first]))
    end = start + pd.Timedelta(days=gap)
    days = timing.days_between(start, end)
    assert days.iloc[0] == gap >= 0
    assert timing.months_from_days(days).iloc[0] >= 0


@given(baseline=st.lists(st.floats(min_value=0, max_value=1e5), min_size=1, max_size=8),
       after=st.lists(st.floats(min_value=0, max_value=1e5), min_size=1, max_size=8))
def test_fold_change_is_never_negative(baseline, after):
    rows = [("p", 1, "IL-6", -1 - i, v) for i, v in enumerate(baseline)]
    rows += [("p", 1, "IL-6", i, v) for i, v in enumerate(after)]
    frame = pd.DataFrame(rows, columns=["patient_id", "course", "parameter", "study_day",
                                        "value"])
    fold = labs.fold_change(labs.peak(frame), labs.baseline(frame))
    assert (fold.dropna() >= 0).all()


@settings(max_examples=60)
@given(offsets=st.lists(st.tuples(st.integers(1, 900), st.integers(1, 900),
                                  st.booleans(), st.booleans()), min_size=1, max_size=6))
def test_censoring_flags_agree_with_event_dates(offsets):
    start = pd.Timestamp("2020-01-01")
    index = pd.Series([start] * len(offsets), index=[f"p{i}" for i in range(len(offsets))])
    rows = []
    for i, (relapse_day, contact_day, relapsed, transplanted) in enumerate(offsets):
        if relapsed:
            rows.append((f"p{i}", "relapse", start + pd.Timedelta(days=relapse_day)))
        if transplanted:
            rows.append((f"p{i}", "hsct", start + pd.Timedelta(days=contact_day // 2 + 1)))
        rows.append((f"p{i}", "last_contact", start + pd.Timedelta(days=contact_day)))
    ev = pd.DataFrame(rows, columns=["patient_id", "event", "event_date"])
    tte = events.survival_rows(ev, index, pd.Timestamp("2030-01-01"))
    assert (tte["aval_days"] >= 0).all()
    efs = tte[(tte["paramcd"] == "EFS") & (tte["rule"] == "hsct_ignored")].set_index(
        "patient_id")
    for i, (relapse_day, contact_day, relapsed, _) in enumerate(offsets):
        row = efs.loc[f"p{i}"]
        had_event = relapsed and relapse_day <= contact_day
        assert row["cnsr"] == (0 if had_event else 1)
        assert row["aval_days"] == (relapse_day if had_event else contact_day)


# Arbitrary mutations of the bundled sheets: derive succeeds or refuses with an InputError,
# never raises anything else, never replaces earlier outputs when it refuses, and is quick.

SHEETS = {p.name: p.read_bytes() for p in sorted((ROOT / "data-raw").glob("*.csv"))}
AWKWARD = ["", " ", "inf", "-inf", "nan", "1e308", "-1", "0", "1e-300", "<0.01", ">", "NA",
           "2099-01-01", "1900-01-01", "2020-02-30", "a,b", '"', '""', "\x00", "\ufeff", "é",
           "<b>x</b>", "*x*", "#x", "`x`", "x" * 5000, "12,5", "  pt01", "death", "IL-1b",
           "mg", "1e6 cell", "degF", "copies/100ng"]


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@st.composite
def mutation(draw, sheets: dict[str, bytes]) -> tuple[str, bytes]:
    """One sheet changed in one of four ways: a cell, a row, a column or raw bytes."""
    name = draw(st.sampled_from(sorted(sheets)))
    data = sheets[name]
    kind = draw(st.sampled_from(["cell", "row", "column", "bytes"]))
    if kind == "bytes":
        at = draw(st.integers(0, len(data)))
        new = draw(st.binary(max_size=4))
        cut = draw(st.integers(0, 4))
        return name, data[:at] + new + data[at + cut:]
    rows = _cells(data)
    if kind == "cell":
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(rows[0]) - 1))
        rows[r][c] = draw(st.sampled_from(AWKWARD) | st.text(max_size=12))
    elif kind == "row":
        r = draw(st.integers(1, max(len(rows) - 1, 1))) if len(rows) > 1 else 0
        how = draw(st.sampled_from(["delete", "duplicate", "move"]))
        row = rows.pop(r) if how != "duplicate" else rows[r]
        if how != "delete":
            rows.insert(draw(st.integers(1, len(rows))), list(row))
    else:
        c = draw(st.integers(0, len(rows[0]) - 1))
        how = draw(st.sampled_from(["delete", "rename", "duplicate"]))
        for i, row in enumerate(rows):
            if c >= len(row):
                continue
            if how == "delete":
                del row[c]
            elif how == "rename" and i == 0:
                row[c] = draw(st.sampled_from(["weight.1", "Patient Name", "extra", ""]))
            elif how == "duplicate":
                row.append(row[c])
    return name, _csv(rows)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "derived"
    derive(ROOT / "data-raw", out)
    return out


@settings(max_examples=int(os.environ.get("MUTATION_EXAMPLES", "40")), deadline=30_000,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(changes=st.lists(mutation(SHEETS), min_size=1, max_size=3))
def test_any_mutation_is_derived_or_refused_as_input(reference: Path, changes):
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "cohort", Path(tmp) / "derived"
        raw.mkdir()
        for name, data in SHEETS.items():
            (raw / name).write_bytes(data)
        for name, data in changes:
            (raw / name).write_bytes(data)
        shutil.copytree(reference, out)
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        start = time.perf_counter()
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                derive(raw, out, force=True)
        except InputError as error:
            assert error.problems
            assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert time.perf_counter() - start < 30
