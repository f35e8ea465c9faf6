"""Raw sheets from an Excel workbook: one worksheet per sheet of the data dictionary.

``--data-raw cohort.xlsx`` reads a workbook whose worksheets carry the names and columns
of the CSV files in ``data-raw/`` (``patients``, ``courses``, ...). Each worksheet becomes a
:class:`analysis.sheets.rawsheet.RawSheet` labelled with the workbook and worksheet, and with each
row's Excel row number, so it passes through the same checks as a CSV file and messages
name the worksheet and the row Excel shows. Cells are read by pandas with openpyxl; Excel
dates become ``YYYY-MM-DD`` (a time of day other than midnight is refused), numbers are
written as the shortest text that reads back as the same number (``24.0`` as ``24``), text
stays as it is and empty cells are blank.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from analysis.sheets.dictionary import Sheet
from analysis.sheets.problems import Problem
from analysis.sheets.rawsheet import RawSheet


def cell_text(value: object) -> str | None:
    """The text of one Excel cell as a CSV file would hold it; None for a date-time that is
    not a whole day (the caller reports it)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
            return None
        return f"{value:%Y-%m-%d}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def read_workbook(path: Path, dictionary: dict[str, Sheet], problems: list[Problem]
                  ) -> dict[str, RawSheet]:
    """The raw sheets of a workbook, one per worksheet named as a dictionary sheet; missing
    worksheets and unreadable cells are recorded as problems."""
    label = str(path)
    if not path.is_file():
        problems.append(Problem(label, "an Excel workbook (.xlsx) holding the raw sheets"))
        return {}
    try:
        book = pd.read_excel(path, sheet_name=None, header=None, dtype=object,
                             engine="openpyxl", na_filter=False)
    except (OSError, ValueError, KeyError) as exc:
        problems.append(Problem(label, "an Excel workbook (.xlsx) that openpyxl can read",
                                value=str(exc)))
        return {}
    sheets = {}
    for sheet in dictionary.values():
        if sheet.name not in book:
            problems.append(Problem(label, f"a worksheet named '{sheet.name}' (see "
                                    "data-raw/dictionary.yaml)",
                                    value=", ".join(map(str, book)) or "no worksheet"))
            continue
        sheets[sheet.name] = _raw_sheet(book[sheet.name], f"{label}, worksheet "
                                        f"'{sheet.name}'", problems)
    return {k: v for k, v in sheets.items() if v is not None}


def _raw_sheet(frame: pd.DataFrame, label: str, problems: list[Problem]) -> RawSheet | None:
    """Rows of cell text with their Excel row numbers (row 1 first; blank rows skipped)."""
    records = []
    for position, values in enumerate(frame.itertuples(index=False, name=None)):
        row = position + 1
        cells = []
        for column, value in enumerate(values):
            text = cell_text(value)
            if text is None:
                problems.append(Problem(label, "a date without a time of day", row=row,
                                        column=_column_letter(column), value=str(value)))
                text = ""
            cells.append(text)
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            records.append((row, tuple(cells)))
    if not records:
        problems.append(Problem(label, "a header row naming the columns", value=""))
        return None
    (header_line, header), *body = records
    width = len(header)
    rows = tuple(cells + ("",) * (width - len(cells)) if len(cells) < width else cells
                 for _, cells in body)
    return RawSheet(label, header, rows, tuple(line for line, _ in body), header_line)


def _column_letter(index: int) -> str:
    """Excel's column letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
