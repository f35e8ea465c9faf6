"""Checks across rows and sheets, as the data dictionary's ``rules`` declare them.

Each rule kind is one function below, taking the typed frames (see :mod:`analysis.sheets.cohort`),
the sheets' labels for messages, the dictionary and the rule's settings; it returns the
problems found. A problem is reported on the offending cell and names the other cell of the
comparison (file, row, column and value), so that a data manager can decide which is wrong.
Columns are written ``sheet.column``; ``"*"`` stands for every date column of every sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.sheets.dictionary import Sheet
from analysis.sheets.problems import Problem

Frames = dict[str, pd.DataFrame]


def check_rules(rules: list[dict], frames: Frames, labels: dict[str, str],
                dictionary: dict[str, Sheet], warn: bool = False) -> list[Problem]:
    """Problems found by every declared rule; with ``warn``, what the rules marked ``warn:
    true`` find instead (allowed, but worth a warning)."""
    problems = []
    for rule in rules:
        if rule.get("rule") not in RULES:
            raise ValueError(f"dictionary: unknown rule {rule.get('rule')!r}")
        if bool(rule.get("warn", False)) == warn:
            problems += RULES[rule["rule"]](frames, labels, dictionary, rule)
    return problems


def not_before(frames: Frames, labels, dictionary, rule: dict) -> list[Problem]:
    """Each of ``dates`` on or after ``limit`` (same row, or the rows matching ``match``)."""
    return _compare(frames, labels, dictionary, rule, later=False)


def not_after(frames: Frames, labels, dictionary, rule: dict) -> list[Problem]:
    """Each of ``dates`` on or before ``limit`` (same row, or the rows matching ``match``; a
    one-row sheet such as the study's applies to every row)."""
    return _compare(frames, labels, dictionary, rule, later=True)


def at_most_one(frames: Frames, labels, dictionary, rule: dict) -> list[Problem]:
    """At most one row matching ``where`` per ``per`` (e.g. one death per patient)."""
    frame = _where(frames[rule["sheet"]], rule.get("where"))
    per = list(rule["per"])
    first = frame.groupby(per)["_row"].transform("first")
    again = frame["_row"] != first
    what = ", ".join(f"{k} {v}" for k, v in rule["where"].items())
    column = next(iter(rule["where"]))
    return [Problem(labels[rule["sheet"]], f"at most one row with {what} per "
                    f"{' + '.join(per)}; row {int(one)} is one already ({rule['description']})",
                    row=int(row), column=column, value=_show(value))
            for row, one, value in zip(frame.loc[again, "_row"], first[again],
                                       frame.loc[again, column], strict=True)]


def has_rows(frames: Frames, labels, dictionary, rule: dict) -> list[Problem]:
    """Every row of ``sheet`` has at least one row in ``in`` with the same ``match`` (and,
    with ``where``, those values: ``{event: [death, last_contact]}``)."""
    frame, other = frames[rule["sheet"]], _where(frames[rule["in"]], rule.get("where"))
    on = list(rule["match"])
    present = frame[on].apply(tuple, axis=1).isin(set(other[on].apply(tuple, axis=1)))
    lonely = ~present & frame[on].notna().all(axis=1)
    kinds = "".join(f" with {column} {_either(values)}"
                    for column, values in (rule.get("where") or {}).items())
    return [Problem(labels[rule["sheet"]], f"at least one row for it in "
                    f"{_name(labels[rule['in']])}{kinds} ({rule['description']})", row=int(row),
                    column=on[-1], value=_show(value))
            for row, value in zip(frame.loc[lonely, "_row"], frame.loc[lonely, on[-1]],
                                  strict=True)]


def increasing(frames: Frames, labels, dictionary, rule: dict) -> list[Problem]:
    """``column`` strictly increasing with ``by`` within each ``per`` group."""
    column, per = rule["column"], list(rule["per"])
    ordered = frames[rule["sheet"]].sort_values([*per, rule["by"]])
    grouped = ordered.groupby(per)
    previous, previous_row = grouped[column].shift(), grouped["_row"].shift()
    backwards = (ordered[column] <= previous).fillna(False).astype(bool)
    label = labels[rule["sheet"]]
    return [Problem(label, f"a value later than {_show(before)} in row {int(line)} "
                    f"({rule['description']})", row=int(row), column=column,
                    value=_show(value))
            for row, value, before, line in zip(
                ordered.loc[backwards, "_row"], ordered.loc[backwards, column],
                previous[backwards], previous_row[backwards], strict=True)]


def within_course(frames: Frames, labels, dictionary, rule: dict) -> list[Problem]:
    """Each of ``dates``, tied to a course by the column ``course``, lies before the next
    course's infusion and after the previous course's (``from_infusion``: on or after its
    own course's infusion)."""
    courses = frames["courses"].sort_values(["patient_id", "course"])
    grouped = courses.groupby("patient_id")
    windows = pd.DataFrame({
        "patient_id": courses["patient_id"], "_course": courses["course"],
        "_start": courses["infusion_date"] if rule.get("from_infusion")
        else grouped["infusion_date"].shift(),
        "_start_row": courses["_row"] if rule.get("from_infusion") else grouped["_row"].shift(),
        "_end": grouped["infusion_date"].shift(-1), "_end_row": grouped["_row"].shift(-1)})
    course_label = _name(labels["courses"])
    problems = []
    for sheet, column in _targets(rule["dates"], dictionary):
        frame = frames[sheet][["_row", "patient_id", rule["course"], column]].rename(
            columns={rule["course"]: "_course"}).dropna(subset=["patient_id", "_course"])
        pairs = frame.merge(windows, on=["patient_id", "_course"], how="inner")
        inclusive = bool(rule.get("from_infusion"))
        early = pairs[column] < pairs["_start"] if inclusive else pairs[column] <= pairs["_start"]
        late = pairs[column] >= pairs["_end"]
        start = "on or after" if inclusive else "after"
        for bad, bound, line, word in ((early, "_start", "_start_row", start),
                                       (late, "_end", "_end_row", "before")):
            for row, value, limit, limit_row in zip(
                    pairs.loc[bad, "_row"], pairs.loc[bad, column], pairs.loc[bad, bound],
                    pairs.loc[bad, line], strict=True):
                problems.append(Problem(
                    labels[sheet], f"a date {word} {_show(limit)}, the infusion_date in "
                    f"{course_label} row {int(limit_row)} ({rule['description']})",
                    row=int(row), column=column, value=_show(value)))
    return problems


RULES: dict[str, Callable[..., list[Problem]]] = {
    "not_before": not_before, "not_after": not_after, "at_most_one": at_most_one,
    "has_rows": has_rows, "increasing": increasing, "within_course": within_course}


def _compare(frames: Frames, labels, dictionary, rule: dict, later: bool) -> list[Problem]:
    limit_sheet, limit_column = _ref(rule["limit"])
    on = list(rule.get("match", []))
    limits = _where(frames[limit_sheet], rule.get("where"))
    limits = limits[["_row", *on, limit_column]].rename(
        columns={"_row": "_limit_row", limit_column: "_limit"}).dropna()
    problems = []
    for sheet, column in _targets(rule["dates"], dictionary):
        frame = frames[sheet]
        if any(k not in frame for k in on):
            continue
        if on:
            pairs = frame[["_row", *on, column]].dropna(subset=on).merge(limits, on=on)
        elif sheet == limit_sheet and "where" not in rule:
            pairs = frame[["_row", column]].assign(_limit=frame[limit_column],
                                                   _limit_row=frame["_row"])
        elif len(limits) == 1:
            pairs = frame[["_row", column]].assign(_limit=limits["_limit"].iloc[0],
                                                   _limit_row=limits["_limit_row"].iloc[0])
        else:
            continue  # a one-row sheet with another number of rows is reported elsewhere
        bad = (pairs[column] > pairs["_limit"]) if later else (pairs[column] < pairs["_limit"])
        bad = bad.fillna(False).astype(bool)
        word = "on or before" if later else "on or after"
        for row, value, limit, limit_row in zip(
                pairs.loc[bad, "_row"], pairs.loc[bad, column], pairs.loc[bad, "_limit"],
                pairs.loc[bad, "_limit_row"], strict=True):
            problems.append(Problem(
                labels[sheet], f"a value {word} {_show(limit)}, the {limit_column} in "
                f"{_name(labels[limit_sheet])} row {int(limit_row)} ({rule['description']})",
                row=int(row), column=column, value=_show(value)))
    return problems


def _ref(text: str) -> tuple[str, str]:
    sheet, _, column = text.partition(".")
    return sheet, column


def _targets(dates: str | list[str], dictionary: dict[str, Sheet]) -> list[tuple[str, str]]:
    if dates == "*":
        return [(s.name, c.name) for s in dictionary.values() for c in s.columns.values()
                if c.type == "date"]
    return [_ref(d) for d in ([dates] if isinstance(dates, str) else dates)]


def _where(frame: pd.DataFrame, where: dict | None) -> pd.DataFrame:
    """The rows whose columns hold the given value (or one of the given list)."""
    for column, value in (where or {}).items():
        frame = frame[frame[column].isin(value if isinstance(value, list) else [value])]
    return frame


def _either(values) -> str:
    """'death' or 'death, last_contact or lost_to_follow_up'."""
    values = [str(v) for v in (values if isinstance(values, list) else [values])]
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def _name(label: str) -> str:
    return Path(label).name


def _show(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
