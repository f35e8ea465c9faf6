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

from analysis.common.formatting import plural
from analysis.common.paths import is_workbook
from analysis.common.units import UnitError, convert, parse_unit
from analysis.sheets.dictionary import Column, Sheet, load_dictionary, load_rules
from analysis.sheets.privacy import find_identifiers, identifier_reason
from analysis.sheets.problems import InputError, InputWarning, Problem
from analysis.sheets.rawsheet import RawSheet, read_csv_sheet, structure_problems
from analysis.sheets.rules import check_rules
from analysis.sheets.workbook import EXCEL_ERRORS, read_workbook, with_letters

IDENTIFIER = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
DECIMAL_COMMA = r"[<>]?\s*\d+,\d+$"  # matched on stripped cells


def read_cohort(directory: Path | str, dictionary: dict[str, Sheet] | None = None
                ) -> dict[str, pd.DataFrame]:
    """Read and validate every sheet of a cohort directory; return frames keyed by sheet name.

    Raises InputError listing every problem when anything is wrong; what the dictionary's
    rules allow but warn about (``warn: true``) is issued as an :class:`InputWarning` each.
    """
    dictionary = dictionary or load_dictionary()
    problems: list[Problem] = []
    raw = read_sheets(Path(directory), dictionary, problems)
    frames = check_sheets(raw, dictionary, problems)
    if problems:
        raise InputError(with_letters(problems, raw))
    labels = {name: sheet.label for name, sheet in raw.items()}
    for found in with_letters(check_rules(load_rules(), frames, labels, dictionary, warn=True),
                              raw):
        warnings.warn(InputWarning(str(found)), stacklevel=2)
    return frames


def read_sheets(source: Path, dictionary: dict[str, Sheet], problems: list[Problem]
                ) -> dict[str, RawSheet]:
    """The raw sheets of a cohort folder (one CSV file per sheet) or Excel workbook (one
    worksheet per sheet, :mod:`analysis.sheets.workbook`); unreadable ones are left out, with
    their problems recorded. Any file is read as a workbook, so that an ``.xls`` or ``.csv``
    file is told apart from a missing folder."""
    if is_workbook(source) or source.is_file():
        return read_workbook(source, dictionary, problems)
    if not source.is_dir():
        problems.append(Problem(str(source), "a folder holding the raw sheets (one CSV file "
                                "per sheet) or an Excel workbook (.xlsx)", kind="no such folder"))
        return {}
    sheets = {}
    for sheet in dictionary.values():
        raw = read_csv_sheet(source / sheet.filename, source, problems)
        if raw is not None:
            sheets[sheet.name] = raw
    return sheets


def raw_text(source: Path | str, dictionary: dict[str, Sheet] | None = None
             ) -> dict[str, pd.DataFrame]:
    """The cells of every sheet of a cohort (CSV folder or workbook) as the sheets show them:
    frames of strings with ``_row``, the CSV line or Excel row, read by the same reader as
    :func:`read_cohort` but not checked (for naming and quoting raw cells once a cohort has
    been validated). Raises InputError when a sheet cannot be read."""
    dictionary = dictionary or load_dictionary()
    problems: list[Problem] = []
    raw = read_sheets(Path(source), dictionary, problems)
    if problems:
        raise InputError(with_letters(problems, raw))
    return {name: _frame(sheet) for name, sheet in raw.items()}


def check_sheets(raw: dict[str, RawSheet], dictionary: dict[str, Sheet],
                 problems: list[Problem]) -> dict[str, pd.DataFrame]:
    """Typed frames of the raw sheets, checked against the dictionary and each other."""
    frames = {}
    for name, sheet in raw.items():
        frame = _parse_sheet(dictionary[name], sheet, problems)
        if frame is not None:
            frames[name] = frame
    if len(frames) == len(dictionary) and not problems:  # rules need sound sheets
        labels = {name: sheet.label for name, sheet in raw.items()}
        _check_references(dictionary, frames, labels, problems)
        problems += check_rules(load_rules(), frames, labels, dictionary)
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
    if (title := _title_rows(sheet, source)) is not None:
        problems.append(title)
        return None
    problems.extend(structure_problems(source))
    raw = _frame(source)
    header = [c for c in raw.columns if c != "_row"]
    missing = [c for c in sheet.columns if c not in header]
    for name in missing:
        column = sheet.columns[name]
        holding = f" holding {_one_of(column)}" if column.meanings else ""
        problems.append(Problem(label, f"a column named '{name}'{holding}",
                                row=source.header_line, column=name, value=None))
    for name in header:
        if name not in sheet.columns and name not in sheet.ignored and name.strip() \
                and identifier_reason(name) is None:
            problems.append(Problem(label, "only the columns data-raw/dictionary.yaml declares "
                                    "for this sheet (extra columns under ignored_columns)",
                                    row=source.header_line, column=name, value=name))
    text_columns = {c.name for c in sheet.columns.values() if c.type in ("id", "text", "category")}
    problems.extend(find_identifiers(raw, label, text_columns, set(sheet.columns),
                                     source.header_line))
    if missing:
        return None
    frame = raw[["_row", *sheet.columns]].copy()
    _excel_errors(frame, sheet, label, problems)
    for column in sheet.columns.values():
        if column.unit_column is None and column.type != "unit":
            _parse_column(frame, sheet, column, label, problems)
    for column in sheet.columns.values():
        if column.unit_column is not None:
            _parse_quantity(frame, sheet, column, label, problems)
    frame = frame.drop(columns=[c for c in sheet.unit_columns if c != "unit"])
    _check_keys(frame, sheet, label, problems)
    if len(frame) == 0 and (sheet.required or sheet.rows):  # said once per empty sheet
        need = (f"exactly {plural(sheet.rows, 'data row')}" if sheet.rows
                else "at least one data row")
        problems.append(Problem(label, f"{need} below the header (this sheet is required; "
                                "see data-raw/dictionary.yaml)", kind="an empty sheet"))
    elif sheet.rows is not None and len(frame) != sheet.rows:
        problems.append(Problem(label, f"exactly {plural(sheet.rows, 'data row')}",
                                row=source.header_line, value=plural(len(frame), "row")))
    return frame


def _title_rows(sheet: Sheet, source: RawSheet) -> Problem | None:
    """A problem when the declared column names stand in a row below the first (a title
    above the header)."""
    if set(sheet.columns) <= set(source.header):
        return None
    for line, cells in list(zip(source.lines, source.rows, strict=True))[:10]:
        if set(sheet.columns) <= set(cells):
            return Problem(source.label, f"the column names in the first row (they are in "
                           f"row {line}: delete the rows above it)", row=source.header_line,
                           kind="a title row", value=" ".join(c for c in source.header if c))
    return None


def _excel_errors(frame, sheet: Sheet, label, problems) -> None:
    """Cells holding an Excel error (``#N/A``, ``#REF!``; from a workbook or a CSV file
    Excel wrote), reported once and then read as blank."""
    for name in sheet.columns:
        error = frame[name].str.strip().isin(EXCEL_ERRORS)
        for row, value in zip(frame.loc[error, "_row"], frame.loc[error, name], strict=True):
            problems.append(Problem(label, "a value, not an error Excel shows in place of a "
                                    "result (fix the formula or clear the cell)", row=int(row),
                                    column=name, kind="the Excel error", value=value))
        frame.loc[error, name] = ""


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
        _report(problems, label, frame.loc[blank, "_row"], name, text[blank],
                f"a value, {_one_of(column)}" if column.meanings else "a value")
    if column.type == "id":
        stray = ~blank & (text != stripped)
        _report(problems, label, frame.loc[stray, "_row"], name, text[stray],
                "an identifier without leading or trailing spaces")
        odd = ~blank & ~stray & ~text.str.fullmatch(IDENTIFIER)
        _report(problems, label, frame.loc[odd, "_row"], name, text[odd],
                "an identifier of letters, digits, '.', '_' and '-', starting and ending "
                "with a letter or digit")
        frame[name] = text.where(~blank, None)
    elif column.type in ("text", "category"):
        allowed = column.values or (tuple(sheet.parameters) if name == sheet.parameter_column
                                    else None)
        if allowed is not None:
            bad = ~blank & ~stripped.isin(allowed)
            _report(problems, label, frame.loc[bad, "_row"], name, text[bad],
                    _one_of(column, allowed))
        frame[name] = stripped.where(~blank, None)
    elif column.type == "integer":
        numbers = pd.to_numeric(text.where(~blank), errors="coerce")
        bad = ~blank & (numbers.isna() | (numbers % 1 != 0) | (numbers.abs() > 2**53))
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


def _one_of(column: Column, allowed: tuple[str, ...] | None = None) -> str:
    """'one of a, b', each value with what it means where the dictionary says so ('one of
    hsct_censored (events: relapse or death; censored at transplantation), ...')."""
    if column.meanings:
        return "one of " + ", ".join(f"{v} ({m})" for v, m in column.meanings.items())
    return "one of " + ", ".join(allowed or column.values or ())


def _stripped(text: pd.Series) -> pd.Series:
    """``text.str.strip()``, computed once per distinct value (columns repeat a lot)."""
    distinct = text.unique()
    stripped = dict(zip(distinct, (v.strip() for v in distinct), strict=True))
    return text.map(stripped).astype(object)


def _parse_numbers(frame, column: Column, label, problems):
    """Parse a numeric column; returns (values, qualifiers). Blanks become NaN.

    Linear in the cell size: no regular expression runs over a whole cell.
    """
    text = frame[column.name]
    stripped = _stripped(text)
    blank = stripped == ""
    stripped, percent = _percent_sign(stripped, column)
    _report(problems, label, frame.loc[percent, "_row"], column.name, text[percent],
            _percent_expected(column))
    values = pd.to_numeric(stripped.where(~blank & ~percent), errors="coerce").astype(float)
    qualifiers = pd.Series("", index=text.index)
    if column.type == "censored_number":
        limit = ~blank & values.isna() & stripped.str[:1].isin(["<", ">"])
        qualifiers[limit] = stripped[limit].str[:1]
        values[limit] = pd.to_numeric(stripped[limit].str[1:].str.lstrip(),
                                      errors="coerce").astype(float)
    bad = ~blank & ~percent & ~np.isfinite(values)
    comma = pd.Series(False, index=text.index)
    comma[bad] = stripped[bad].str.match(DECIMAL_COMMA).to_numpy(dtype=bool)
    _report(problems, label, frame.loc[comma, "_row"], column.name, text[comma],
            "a number with a decimal point, not a decimal comma")
    infinite = bad & np.isinf(values)
    _report(problems, label, frame.loc[infinite, "_row"], column.name, text[infinite],
            "a finite number")
    other = bad & ~comma & ~infinite
    expected = "a number" if column.type == "number" else "a number, or '<' / '>' and a number"
    _report(problems, label, frame.loc[other, "_row"], column.name, text[other], expected)
    return values.where(~bad).astype(float), qualifiers.where(~bad, "")


def _percent_sign(stripped: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Cells without a trailing '%' where the column is in percent ("94.5%" is 94.5, as Excel
    shows a percent-formatted 0.945), and the cells whose '%' is refused elsewhere."""
    sign = stripped.str.endswith("%")
    if column.unit == "percent" and column.unit_column is None:
        return stripped.where(~sign, stripped.str[:-1].str.rstrip()), sign & False
    return stripped, sign


def _percent_expected(column: Column) -> str:
    if column.unit_column is not None:
        return (f"a number without '%' (its unit goes in '{column.unit_column}'; in Excel, "
                "a cell formatted as a percentage holds the number divided by 100)")
    return (f"a number without '%' (this column is in {column.unit or 'plain numbers'}; in "
            "Excel, a cell formatted as a percentage holds the number divided by 100)")


def _parse_quantity(frame, sheet: Sheet, column: Column, label, problems) -> None:
    """Parse a quantity whose unit stands in another column and convert to the standard unit."""
    values, qualifiers = _parse_numbers(frame, column, label, problems)
    blank = _stripped(frame[column.name]) == ""
    if column.required:
        _report(problems, label, frame.loc[blank, "_row"], column.name,
                frame.loc[blank, column.name], f"a value (its unit is in '{column.unit_column}')")
    units = _stripped(frame[column.unit_column])
    if sheet.parameter_column and column.unit is None:
        targets = frame[sheet.parameter_column].map(sheet.parameters)
    else:
        targets = pd.Series(column.unit, index=frame.index)
    converted = pd.Series(np.nan, index=frame.index)
    known = targets.notna()  # an unknown parameter is reported by its own column
    for (unit, target), rows in frame[known].groupby([units[known], targets[known]]
                                                     ).groups.items():
        if unit == "":
            expected = f"a unit convertible to {target}"
            bad = rows[values[rows].notna()]
            _report(problems, label, frame.loc[bad, "_row"], column.unit_column,
                    units[bad], expected)
            continue
        try:
            with np.errstate(over="ignore"):  # an overflow is reported as not finite
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
    _check_range(frame, column, label, problems, converted, sheet)


def _known(unit: str) -> bool:
    try:
        parse_unit(unit)
    except UnitError:
        return False
    return True


def _check_range(frame, column: Column, label, problems, values: pd.Series,
                 sheet: Sheet | None = None) -> None:
    """Values finite and within the dictionary's plausible bounds (per parameter in long
    sheets), in the standard unit."""
    if sheet is not None and sheet.parameter_column and column.unit is None:
        groups = [(frame[sheet.parameter_column] == name, b.min, b.max, b.unit)
                  for name, b in sheet.bounds.items()]
    else:
        groups = [(pd.Series(True, index=frame.index), column.min, column.max, column.unit)]
    for rows, low, high, unit in groups:
        suffix = f" {unit}" if unit else ""
        for bad, expected in ((rows & values.notna() & ~np.isfinite(values), "a finite value"),
                              (rows & (values < low), f"at least {low:g}{suffix}"),
                              (rows & (values > high), f"at most {high:g}{suffix}")):
            _report(problems, label, frame.loc[bad, "_row"], column.name,
                    values[bad].map(lambda v, s=suffix: f"{v:g}{s}"), expected)


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
    """Every patient_id refers to the patient sheet; every (patient, course) to the courses
    (each named as its label names it: a CSV file or a workbook's worksheet)."""
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
                f"a patient listed in {Path(labels[patient_sheet.name]).name}")
        course_column = "course" if "course" in frame else "after_course"
        if sheet.name == "courses" or course_column not in frame or not known_courses:
            continue
        pairs = pd.Series(list(zip(frame["patient_id"], frame[course_column], strict=True)),
                          index=frame.index)
        missing = ~unknown & frame[course_column].notna() & ~pairs.isin(known_courses)
        _report(problems, label, frame.loc[missing, "_row"], course_column,
                frame.loc[missing, course_column].astype(str),
                f"a course listed for this patient in {Path(labels['courses']).name}")
