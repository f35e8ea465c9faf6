"""A cohort's CSV folder written as one Excel workbook, as a team would type it in: a
worksheet per sheet, dates and numbers as Excel values (shared by the workbook tests)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl

from analysis.sheets.dictionary import load_dictionary


def typed(text: str) -> object:
    """A CSV cell as Excel would hold it after typing it in: dates and numbers as values."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.datetime.fromisoformat(text)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d*\.\d+", text):
        return float(text)
    return text or None


def workbook(folder: Path, path: Path, edit=None) -> Path:
    """Write the CSV sheets of ``folder`` as worksheets of one workbook (``edit`` may change
    the rows of a sheet first)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in load_dictionary().values():
        rows = list(csv.reader(io.StringIO((folder / sheet.filename).read_text("utf-8"))))
        if edit:
            rows = edit(sheet.name, rows)
        if rows is None:
            continue
        worksheet = book.create_sheet(sheet.name)
        for row in rows:
            worksheet.append([typed(c) for c in row])
    book.save(path)
    return path
