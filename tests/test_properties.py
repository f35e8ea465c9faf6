"""Property-based tests (hypothesis) of the unit conversions and derivations."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.derivations import events, labs, timing
from analysis.units import convert

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
