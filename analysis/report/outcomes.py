"""Sentences about what followed CART2, worded from any cohort's results: relapses after
CART2 and their sites and antigens, later CAR-T courses and their outcome, and the CAR copy
number's latest peak and the decline after it.

For the published cohort the paper states these facts for named patients (pt01's relapse,
pt03's copies); :mod:`analysis.report.paragraphs` prints those claims. Any other cohort gets
these sentences instead, computed from its derived tables, so no sentence names a published
patient or carries one of their facts.
"""

from __future__ import annotations

import pandas as pd

from analysis.common.formatting import duration, fixed, median_range, plural, scientific
from analysis.derivations.adam import relapse_category
from analysis.derivations.store import Tables

SITE_WORDS = {"isolated BM": "in the marrow only", "isolated extramedullary":
              "extramedullary only", "combined": "in the marrow and elsewhere"}
ORDINALS = {3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


def _series(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ordinal(course: int) -> str:
    return ORDINALS.get(course, f"{course}th")


def _after(months: pd.Series) -> str:
    """When, after the infusion: "4.0 months after infusion" (one patient), "a median of
    5.0 months (3.0–9.0) after infusion" (the range left out when it is one value)."""
    texts, unit = duration(list(months.agg(["median", "min", "max"])))
    lead = "a median of " if len(months) > 1 else ""
    return f"{lead}{median_range(*texts, unit=f' {unit}')} after infusion"


def relapses_after(tables: Tables, course: int = 2) -> str:
    """Relapses after a course: how many patients, when, where and with which antigen lost."""
    events = tables["adevents"]
    rows = events[(events["event"] == "relapse") & (events["after_course"] == course)]
    rows = rows.sort_values("event_date").drop_duplicates("patient_id")
    if rows.empty:
        return f"No patient relapsed after CART{course}."
    n = len(rows)
    sites = relapse_category(rows["site"]).value_counts()
    places = [_by(SITE_WORDS[k], int(sites[k]), n) for k in SITE_WORDS if sites.get(k, 0)]
    where = _series(places) if places else ""
    negative = {a.upper(): int((rows[a] == "negative").sum()) for a in ("cd19", "cd22")}
    lost = [f"{a}-negative" if n == 1 else f"{k} with {a}-negative"
            for a, k in negative.items() if k]
    if lost:
        antigens = ("with " if n == 1 else "") + _series(lost) + " disease"
    elif rows[["cd19", "cd22"]].eq("positive").all().all():
        antigens = ("with" if n == 1 else "each with") + " CD19 and CD22 still expressed"
    else:
        antigens = ""
    text = (f"After CART{course}, {plural(n, 'patient')} relapsed, "
            f"{_after(rows['months_from_course'])}")
    if n == 1:
        return text + "".join(f", {p}" for p in (where, antigens) if p) + "."
    return text + (f": {where}" if where else "") + (f"; {antigens}" if antigens else "") + "."


def _by(words: str, count: int, total: int) -> str:
    """'in the marrow only' for one patient's relapse, 'in the marrow only in 2' among
    several, 'all in the marrow only' for every one of several."""
    if total == 1:
        return words
    return f"all {words}" if count == total else f"{words} in {count}"


def later_courses(tables: Tables, after: int = 2) -> str:
    """Who received CAR-T courses after ``after``, and what followed the last one."""
    adcourse, adsl = tables["adcourse"], tables["adsl"].set_index("patient_id")
    later = adcourse[adcourse["course"] > after]
    if later.empty:
        return f"No patient received a CAR-T course after CART{after}."
    per_course = later.groupby("course")["patient_id"].nunique()
    first = int(per_course.iloc[0])  # a later course implies every one before it
    if per_course.nunique() == 1:  # the same patients received each: "a third and a fourth"
        given = (_series([f"a {_ordinal(int(c))}" for c in per_course.index])
                 + f" CAR-T course {'was' if len(per_course) == 1 else 'were'} given to "
                 + plural(first, "patient"))
    else:
        given = (f"a {_ordinal(int(per_course.index[0]))} CAR-T course was given to "
                 f"{plural(first, 'patient')}"
                 + "".join(f", a {_ordinal(int(c))} to {int(k)} of them"
                           for c, k in per_course.iloc[1:].items()))
    last = later.sort_values("course").drop_duplicates("patient_id", keep="last")
    cr = int(last["best_mrd_negative_cr"].fillna(False).astype(bool).sum())
    events = tables["adevents"]
    keys = pd.MultiIndex.from_frame(events[["patient_id", "after_course"]])
    relapsed = events[(events["event"] == "relapse").to_numpy()
                      & keys.isin(list(zip(last["patient_id"], last["course"])))]
    status = adsl.loc[last["patient_id"], "status_at_cutoff"].value_counts()
    states = [f"{int(k)} {STATUS_WORDS.get(s, s)}" for s, k in status.items()]
    states[0] = states[0].replace(" ", " was " if int(status.iloc[0]) == 1 else " were ", 1)
    who = "it" if len(per_course) == 1 else "the last of them"
    return (f"{given[0].upper()}{given[1:]}. After {who}, {_count(cr)} reached "
            f"MRD-negative CR and {_count(relapsed['patient_id'].nunique())} relapsed; at the "
            f"cut-off, {_series(states)}.")


STATUS_WORDS = {"in CR": "in MRD-negative CR", "in CR with MRD": "in CR with detectable MRD",
                "died": "dead", "lost to follow-up": "lost to follow-up",
                "active disease": "with active disease", "relapsed": "in relapse"}


def _count(n: int) -> str:
    return "no patient" if n == 0 else plural(n, "patient")


def after_cart2(tables: Tables) -> str:
    """The course after CART2, for a cohort other than the published one: relapses and later
    courses, pointing at the swimmer plot and the MRD panel."""
    return (f"{relapses_after(tables)} {later_courses(tables)} @fig-course A shows each "
            "patient's course and @fig-course D the marrow MRD around CART2.")


def copies_peak(tables: Tables, course: int = 2, parameter: str = "total CAR",
                min_samples: int = 4) -> str:
    """The CAR copy number after a course among patients with serial samples: the median
    peak, the latest peak and how far the copies fell after it."""
    rows = tables["adlb"]
    rows = rows[(rows["course"] == course) & (rows["parameter"] == parameter)
                & (rows["study_day"] >= 0)].sort_values("study_day")
    series = {p: g for p, g in rows.groupby("patient_id") if len(g) >= min_samples}
    if not series:
        return ""
    peaks = pd.DataFrame([{"patient": p, "value": g["value"].max(),
                           "day": g.loc[g["value"].idxmax(), "study_day"],
                           "fell": (g["value"].diff().loc[g["value"].idxmax():].iloc[1:] <= 0
                                    ).all() and len(g.loc[g["value"].idxmax():]) > 1}
                          for p, g in series.items()])
    latest = peaks.sort_values(["day", "value"]).iloc[-1]
    after = series[latest["patient"]]
    after = after[after["study_day"] > latest["day"]]
    median = scientific(peaks["value"].median(), 3)
    text = (f"Copies peaked at a median of {median} copies/µg DNA, by day {int(peaks['day'].max())} at the latest" if len(peaks) > 1 else
            f"Copies peaked at {scientific(latest['value'], 3)} copies/µg DNA on day "
            f"{int(latest['day'])}")
    if after.empty:
        return text + "; no sample follows the latest peak."
    last = after.iloc[-1]
    if str(last.get("value_qualifier", "")) == "<" or last["value"] <= 0:
        text += (f"; after the latest peak (day {int(latest['day'])}) they were below "
                 f"detection by day {int(last['study_day'])}")
    else:
        share = 100 * last["value"] / latest["value"]
        text += (f"; after the latest peak (day {int(latest['day'])}) they "
                 + (f"fell to {fixed(share, 0 if share >= 1 else 1)}% of it" if share < 100
                    else "had not fallen") + f" by day {int(last['study_day'])}")
    fell = int(peaks["fell"].sum())
    among = ("in each patient" if fell == len(peaks) else
             f"in {fell} of the {plural(len(peaks), 'patient')}")
    return text + f"; copies fell at every sample after the peak {among}."
