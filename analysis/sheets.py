"""Reading the raw trial sheets and checking them against the data dictionary.

:func:`read_cohort` reads every sheet of a cohort directory, checks each cell against the
dictionary (type, unit, range, allowed values, keys, references between sheets, date
order, identifiers), converts every quantity to the dictionary's standard unit, and either
returns typed frames or raises :class:`InputError` listing every problem found.

Returned frames follow one contract:

- id, text and category columns are ``str`` (``None`` where blank);
- integer columns are pandas ``Int64``; date columns are ``datetime64[ns]``;
- number columns are floats in the standard unit (per-row unit columns are dropped);
- censored numbers ("<0.01") give ``col`` (float, the limit) and ``col_qualifier``
  (``"<"``, ``">"`` or ``""``);
- long lab sheets keep ``unit`` holding the parameter's standard unit;
- every frame has ``_row``, the physical line (worksheet row) where the row starts;
  blank lines count, the header of a CSV file is line 1.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.dictionary import Column, Sheet, load_dictionary
from analysis.privacy import find_identifiers
from analysis.problems import InputError, Problem
from analysis.rawsheet import RawSheet, read_csv_sheet, structure_problems
from analysis.units import UnitError, convert, parse_unit

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
CENSORED = rf"^\s*(?P<qualifier>[<>]?)\s*(?P<number>{NUMBER})\s*$"
DECIMAL_COMMA = r"^\s*[<>]?\s*\d+,\d+\s*$"


class InputWarning(UserWarning):
    """Something unusual in the input that does not stop the run (e.g. an extra column)."""


def read_cohort(directory: Path | str, dictionary: dict[str, Sheet] | None = None
                ) -> dict[str, pd.DataFrame]:
    """Read and validate every sheet of a cohort directory; return frames keyed by sheet name.

    Raises InputError listing every problem when anything is wrong.
    """
    dictionary = dictionary or load_dictionary()
    problems: list[Problem] = []
    raw = read_sheets(Path(directory), dictionary, problems)
    frames = check_sheets(raw, dictionary, problems)
    if problems:
        raise InputError(problems)
    return frames


def read_sheets(source: Path, dictionary: dict[str, Sheet], problems: list[Problem]
                ) -> dict[str, RawSheet]:
    """The raw sheets of a cohort folder (one CSV file per sheet); unreadable ones are left
    out, with their problems recorded."""
    if not source.is_dir():
        problems.append(Problem(str(source), "a directory holding the raw sheets"))
        return {}
    sheets = {}
    for sheet in dictionary.values():
        raw = read_csv_sheet(source / sheet.filename, source, problems)
        if raw is not None:
            sheets[sheet.name] = raw
    return sheets


def check_sheets(raw: dict[str, RawSheet], dictionary: dict[str, Sheet],
                 problems: list[Problem]) -> dict[str, pd.DataFrame]:
    """Typed frames of the raw sheets, checked against the dictionary and each other."""
    frames = {}
    for name, sheet in raw.items():
        frame = _parse_sheet(dictionary[name], sheet, problems)
        if frame is not None:
            frames[name] = frame
    if len(frames) == len(dictionary):  # references need every sheet with every column
        labels = {name: sheet.label for name, sheet in raw.items()}
        _check_references(dictionary, frames, labels, problems)
        _check_date_order(frames, labels, problems)
    return frames


def _frame(raw: RawSheet) -> pd.DataFrame:
    """The rows of a raw sheet as a frame of strings with ``_row``; rows of the wrong width
    and repeated columns (both reported by structure_problems) are left out."""
    width = len(raw.header)
    keep = [i for i, cells in enumerate(raw.rows) if len(cells) == width]
    frame = pd.DataFrame([raw.rows[i] for i in keep], columns=list(raw.header), dtype=str)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame.insert(0, "_row", np.array([raw.lines[i] for i in keep], dtype=int))
    return frame


def _parse_sheet(sheet: Sheet, source: RawSheet, problems: list[Problem]
                 ) -> pd.DataFrame | None:
    """The typed frame of one sheet; None when columns are missing (problems recorded)."""
    label = source.label
    problems.extend(structure_problems(source))
    raw = _frame(source)
    header = [c for c in raw.columns if c != "_row"]
    missing = [c for c in sheet.columns if c not in header]
    for name in missing:
        problems.append(Problem(label, f"a column named '{name}'", row=1, column=name,
                                value=None))
    for name in header:
        if name not in sheet.columns:
            warnings.warn(f"{label}: column '{name}' is not in the data dictionary; ignored",
                          InputWarning, stacklevel=2)
    text_columns = {c.name for c in sheet.columns.values() if c.type in ("id", "text", "category")}
    problems.extend(find_identifiers(raw, label, text_columns, set(sheet.columns)))
    if missing:
        return None
    frame = raw[["_row", *sheet.columns]].copy()
    for column in sheet.columns.values():
        if column.unit_column is None and column.type != "unit":
            _parse_column(frame, sheet, column, label, problems)
    for column in sheet.columns.values():
        if column.unit_column is not None:
            _parse_quantity(frame, sheet, column, label, problems)
    frame = frame.drop(columns=[c for c in sheet.unit_columns if c != "unit"])
    _check_keys(frame, sheet, label, problems)
    return frame


def _report(problems, label, rows, column, values, expected):
    for row, value in zip(rows, values, strict=True):
        problems.append(Problem(label, expected, row=int(row), column=column, value=value))


def _parse_column(frame, sheet: Sheet, column: Column, label, problems) -> None:
    """Check and type one column in place (everything except quantities with a unit column)."""
    name = column.name
    text = frame[name]
    stripped = _stripped(text)
    blank = stripped == ""
    if column.required and blank.any():
        _report(problems, label, frame.loc[blank, "_row"], name, text[blank], "a value")
    if column.type == "id":
        stray = ~blank & (text != stripped)
        _report(problems, label, frame.loc[stray, "_row"], name, text[stray],
                "an identifier without leading or trailing spaces")
        frame[name] = text.where(~blank, None)
    elif column.type in ("text", "category"):
        allowed = column.values or (tuple(sheet.parameters) if name == sheet.parameter_column
                                    else None)
        if allowed is not None:
            bad = ~blank & ~stripped.isin(allowed)
            _report(problems, label, frame.loc[bad, "_row"], name, text[bad],
                    "one of " + ", ".join(allowed))
        frame[name] = stripped.where(~blank, None)
    elif column.type == "integer":
        numbers = pd.to_numeric(text.where(~blank), errors="coerce")
        bad = ~blank & (numbers.isna() | (numbers % 1 != 0))
        _report(problems, label, frame.loc[bad, "_row"], name, text[bad], "a whole number")
        frame[name] = numbers.where(~bad).astype("Int64")
        _check_range(frame, column, label, problems, frame[name].astype("float"))
    elif column.type == "date":
        dates = pd.to_datetime(text.where(~blank), format="%Y-%m-%d", errors="coerce")
        bad = ~blank & dates.isna()
        _report(problems, label, frame.loc[bad, "_row"], name, text[bad],
                "a date written YYYY-MM-DD")
        frame[name] = dates
    elif column.type in ("number", "censored_number"):
        values, qualifiers = _parse_numbers(frame, column, label, problems)
        frame[name] = values
        if column.type == "censored_number":
            frame[f"{name}_qualifier"] = qualifiers
        _check_range(frame, column, label, problems, values)


def _stripped(text: pd.Series) -> pd.Series:
    """``text.str.strip()``, computed once per distinct value (columns repeat a lot)."""
    distinct = text.unique()
    return text.map(dict(zip(distinct, (v.strip() for v in distinct), strict=True)))


def _parse_numbers(frame, column: Column, label, problems):
    """Parse a numeric column; returns (values, qualifiers). Blanks become NaN."""
    text = frame[column.name]
    values = pd.to_numeric(text, errors="coerce").astype(float)  # plain numbers, the common case, at C speed
    values[np.isinf(values)] = np.nan  # "inf" is not a measurement
    qualifiers = pd.Series("", index=text.index)
    rest = values.isna()
    parts = text[rest].str.extract(CENSORED)
    values[rest] = pd.to_numeric(parts["number"], errors="coerce").astype(float)
    qualifiers[rest] = parts["qualifier"].fillna("").astype(str)
    blank = pd.Series(False, index=text.index)
    blank[rest] = (_stripped(text[rest]) == "").to_numpy(dtype=bool)
    if column.type == "number":
        bad = ~blank & (values.isna() | (qualifiers != ""))
    else:
        bad = ~blank & values.isna()
    comma = pd.Series(False, index=text.index)
    comma[bad] = text[bad].str.match(DECIMAL_COMMA).to_numpy(dtype=bool)
    _report(problems, label, frame.loc[comma, "_row"], column.name, text[comma],
            "a number with a decimal point, not a decimal comma")
    other = bad & ~comma
    expected = "a number" if column.type == "number" else "a number, or '<' / '>' and a number"
    _report(problems, label, frame.loc[other, "_row"], column.name, text[other], expected)
    return values.where(~bad).astype(float), qualifiers.where(~bad, "")


def _parse_quantity(frame, sheet: Sheet, column: Column, label, problems) -> None:
    """Parse a quantity whose unit stands in another column and convert to the standard unit."""
    values, qualifiers = _parse_numbers(frame, column, label, problems)
    units = _stripped(frame[column.unit_column])
    if sheet.parameter_column and column.unit is None:
        targets = frame[sheet.parameter_column].map(sheet.parameters)
    else:
        targets = pd.Series(column.unit, index=frame.index)
    converted = pd.Series(np.nan, index=frame.index)
    for (unit, target), rows in frame.groupby([units, targets], dropna=True).groups.items():
        if unit == "":
            expected = f"a unit convertible to {target}"
            bad = rows[values[rows].notna()]
            _report(problems, label, frame.loc[bad, "_row"], column.unit_column,
                    units[bad], expected)
            continue
        try:
            converted[rows] = convert(values[rows].to_numpy(), unit, target)
        except UnitError:
            kind = "a unit convertible to" if _known(unit) else "a unit pint knows, convertible to"
            _report(problems, label, frame.loc[rows, "_row"], column.unit_column,
                    units[rows], f"{kind} {target}")
    frame[column.name] = converted
    if column.type == "censored_number":
        frame[f"{column.name}_qualifier"] = qualifiers
    if sheet.parameter_column and column.unit is None and column.unit_column == "unit":
        frame["unit"] = targets
    _check_range(frame, column, label, problems, converted)


def _known(unit: str) -> bool:
    try:
        parse_unit(unit)
    except UnitError:
        return False
    return True


def _check_range(frame, column: Column, label, problems, values: pd.Series) -> None:
    unit = f" {column.unit}" if column.unit else ""
    if column.min is not None:
        low = values < column.min
        _report(problems, label, frame.loc[low, "_row"], column.name,
                values[low].map(lambda v: f"{v:g}{unit}"), f"at least {column.min}{unit}")
    if column.max is not None:
        high = values > column.max
        _report(problems, label, frame.loc[high, "_row"], column.name,
                values[high].map(lambda v: f"{v:g}{unit}"), f"at most {column.max}{unit}")


def _check_keys(frame, sheet: Sheet, label, problems) -> None:
    if not sheet.key:
        return
    duplicated = frame.duplicated(list(sheet.key), keep="first") & frame[list(sheet.key)].notna(
    ).all(axis=1)
    for _, row in frame[duplicated].iterrows():
        key = ", ".join(f"{k}={row[k]}" for k in sheet.key)
        problems.append(Problem(label, f"one row per {' + '.join(sheet.key)}",
                                row=int(row["_row"]), column=sheet.key[-1],
                                value=f"duplicate of {key}"))


def _check_references(dictionary, frames, labels: dict[str, str], problems) -> None:
    """Every patient_id refers to the patient sheet; every (patient, course) to the courses."""
    patient_sheet = next(s for s in dictionary.values() if s.patient_sheet)
    known = set(frames[patient_sheet.name]["patient_id"].dropna())
    courses = frames.get("courses")
    known_courses = set()
    if courses is not None and "course" in courses:
        known_courses = set(zip(courses["patient_id"], courses["course"], strict=True))
    for sheet in dictionary.values():
        frame = frames[sheet.name]
        label = labels[sheet.name]
        if sheet.patient_sheet or "patient_id" not in frame:
            continue
        unknown = frame["patient_id"].notna() & ~frame["patient_id"].isin(known)
        _report(problems, label, frame.loc[unknown, "_row"], "patient_id",
                frame.loc[unknown, "patient_id"],
                f"a patient listed in {patient_sheet.filename}")
        course_column = "course" if "course" in frame else "after_course"
        if sheet.name == "courses" or course_column not in frame or not known_courses:
            continue
        pairs = pd.Series(list(zip(frame["patient_id"], frame[course_column], strict=True)),
                          index=frame.index)
        missing = ~unknown & frame[course_column].notna() & ~pairs.isin(known_courses)
        _report(problems, label, frame.loc[missing, "_row"], course_column,
                frame.loc[missing, course_column].astype(str),
                "a course listed for this patient in courses.csv")


def _check_date_order(frames, labels: dict[str, str], problems) -> None:
    """Infusions after diagnosis and in course order; samples and events after diagnosis."""
    patients = frames["patients"][["patient_id", "diagnosis_date"]]
    courses = frames["courses"].merge(patients, on="patient_id", how="left")
    label = labels["courses"]
    early = courses["infusion_date"] < courses["diagnosis_date"]
    _report(problems, label, courses.loc[early, "_row"], "infusion_date",
            courses.loc[early, "infusion_date"].dt.strftime("%Y-%m-%d"),
            "an infusion date on or after the diagnosis date in patients.csv")
    ordered = courses.sort_values(["patient_id", "course"])
    previous = ordered.groupby("patient_id")["infusion_date"].shift()
    backwards = ordered["infusion_date"] <= previous
    _report(problems, label, ordered.loc[backwards, "_row"], "infusion_date",
            ordered.loc[backwards, "infusion_date"].dt.strftime("%Y-%m-%d"),
            "an infusion date later than the previous course's")
    for name, column in (("assessments", "assessment_date"), ("cytokines", "sample_date"),
                         ("qpcr", "sample_date"), ("flow", "sample_date"),
                         ("events", "event_date")):
        frame = frames[name].merge(patients, on="patient_id", how="left")
        early = frame[column] < frame["diagnosis_date"]
        _report(problems, labels[name], frame.loc[early, "_row"], column,
                frame.loc[early, column].dt.strftime("%Y-%m-%d"),
                "a date on or after the diagnosis date in patients.csv")
