"""Excel input: the hand-written follow-up cohort as one workbook (a worksheet per sheet,
Excel dates and numbers as Excel stores them) gives byte-identical derived tables, and
problems name the worksheet and the Excel row."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from workbooks import workbook

from analysis.common.paths import ROOT
from analysis.derivations.adam import derive_tables
from analysis.derivations.store import write_table
from analysis.sheets.cohort import read_cohort
from analysis.sheets.problems import InputError
from analysis.sheets.workbook import cell_text

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"


def as_bytes(tables) -> dict[str, bytes]:
    out = {}
    for name, frame in tables.items():
        buffer = io.StringIO()
        write_table(frame, buffer)
        out[name] = buffer.getvalue().encode()
    return out


def test_workbook_and_csv_folder_derive_the_same_tables(tmp_path):
    book = workbook(FOLLOWUP, tmp_path / "followup.xlsx")
    from_csv = as_bytes(derive_tables(read_cohort(FOLLOWUP)))
    from_excel = as_bytes(derive_tables(read_cohort(book)))
    assert from_csv.keys() == from_excel.keys()
    for name in from_csv:
        assert from_excel[name] == from_csv[name], name


def test_problems_name_the_worksheet_and_excel_row(tmp_path):
    def edit(name, rows):
        if name == "courses":
            rows[2][3] = "twenty"  # Excel row 3
        return None if name == "qpcr" else rows

    book = workbook(FOLLOWUP, tmp_path / "bad.xlsx", edit)
    with pytest.raises(InputError) as caught:
        read_cohort(book)
    message = str(caught.value)
    assert "bad.xlsx, worksheet 'courses', row 3, column D 'weight': found 'twenty'" in message
    assert "a worksheet named 'qpcr'" in message


def test_references_between_worksheets_name_worksheets_not_csv_files(tmp_path):
    def edit(name, rows):
        if name == "events":
            rows[1][0] = "fu99"  # a patient the patients worksheet does not list
        if name == "crs":
            rows[1][1] = "7"  # a course fu01 never had
        return rows

    with pytest.raises(InputError) as caught:
        read_cohort(workbook(FOLLOWUP, tmp_path / "refs.xlsx", edit))
    message = str(caught.value)
    assert "expected a patient listed in refs.xlsx, worksheet 'patients'" in message
    assert "expected a course listed for this patient in refs.xlsx, worksheet 'courses'" in (
        message)
    assert ".csv" not in message


def test_a_blank_row_keeps_the_excel_row_numbers(tmp_path):
    def edit(name, rows):
        if name == "courses":
            rows.insert(2, [])  # Excel row 3 blank; the next row is Excel row 4
            rows[3][6] = "9"  # bsa out of range
        return rows

    with pytest.raises(InputError, match=r"worksheet 'courses', row 4, column G 'bsa'"):
        read_cohort(workbook(FOLLOWUP, tmp_path / "blank.xlsx", edit))


def test_excel_cells_as_text():
    assert cell_text(dt.datetime(2021, 1, 2)) == "2021-01-02"
    assert cell_text(dt.datetime(2021, 1, 2, 13, 5)) is None  # a time of day is refused
    assert cell_text(24.0) == "24"
    assert cell_text(0.1 + 0.2) == repr(0.1 + 0.2)
    assert cell_text(44.0924524) == "44.0924524"
    assert cell_text(None) == "" and cell_text("<0.01") == "<0.01"
