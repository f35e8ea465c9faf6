"""Workbooks as clinics send them, one fault at a time on the follow-up cohort as a workbook.

Each case must stop the run with one message naming the file (as given), the worksheet,
row and column where there is one, what was found and what to do; never a traceback and
never a value silently changed. The derive command must print that message, exit with
status 2, leave earlier outputs alone and leave nothing behind (no lock file, no folder).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest
import xlwt
from openpyxl.utils import get_column_letter
from test_workbook import FOLLOWUP, as_bytes, workbook

from analysis.common.paths import ROOT, cohort_paths
from analysis.derivations.adam import derive_tables
from analysis.sheets.cohort import read_cohort
from analysis.sheets.dictionary import load_dictionary
from analysis.sheets.problems import InputError

SHEETS = list(load_dictionary())


def letter(sheet: str, column: str) -> str:
    """Excel's letter of a column of the follow-up cohort's sheet."""
    header = (FOLLOWUP / f"{sheet}.csv").read_text("utf-8").splitlines()[0].split(",")
    return get_column_letter(header.index(column) + 1)


def edit_book(change):
    """Mutation: the follow-up workbook with ``change(book)`` applied before it is saved."""
    def make(path: Path) -> Path:
        workbook(FOLLOWUP, path)
        book = openpyxl.load_workbook(path)
        change(book)
        book.save(path)
        return path
    return make


def set_cell(sheet: str, row: int, column: str, value, number_format: str | None = None):
    """Mutation: one cell (row = Excel row, the header is row 1) set to ``value``."""
    def change(book) -> None:
        cell = book[sheet][f"{letter(sheet, column)}{row}"]
        cell.value = value
        if number_format:
            cell.number_format = number_format
    return edit_book(change)


def title_row(sheet: str, title: str):
    def change(book) -> None:
        book[sheet].insert_rows(1)
        book[sheet]["A1"] = title
    return edit_book(change)


def header_only(sheet: str):
    def change(book) -> None:
        book[sheet].delete_rows(2, book[sheet].max_row)
    return edit_book(change)


def extra_cells(sheet: str, rows: int):
    """Mutation: a note right of the last named column in the first ``rows`` data rows."""
    def change(book) -> None:
        worksheet = book[sheet]
        for row in range(2, rows + 2):
            worksheet.cell(row, worksheet.max_column + 1, "checked")
    return edit_book(change)


def renamed_worksheets(missing: str, extra: int):
    def change(book) -> None:
        book[missing].title = "Sheet for the lab (to do)"
        for i in range(extra):
            book.create_sheet(f"notes from the ward, part {i + 1}")
    return edit_book(change)


def file_bytes(data: bytes | str):
    def make(path: Path) -> Path:
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path
    return make


def cut_short(path: Path) -> Path:
    data = workbook(FOLLOWUP, path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def old_xls(path: Path) -> Path:
    book = xlwt.Workbook()
    book.add_sheet("patients").write(0, 0, "patient_id")
    book.save(str(path))
    return path


def encrypted(path: Path) -> Path:
    plain = workbook(FOLLOWUP, path.with_name("plain.xlsx"))
    with open(plain, "rb") as source, open(path, "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("secret", out)
    return path


def broken_xml(sheet: str):
    """Mutation: the worksheet's XML cut in half inside the zip archive."""
    def make(path: Path) -> Path:
        plain = workbook(FOLLOWUP, path.with_name("plain.xlsx"))
        part = f"xl/worksheets/sheet{SHEETS.index(sheet) + 1}.xml"
        with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as out:
            for item in source.infolist():
                data = source.read(item.filename)
                out.writestr(item, data[: len(data) // 2] if item.filename == part else data)
        return path
    return make


def owner_file(path: Path) -> Path:
    owner = path.with_name("~$" + path.name)
    owner.write_bytes(b"\x06clinic" + b"\x20" * 50 + b"\x00" * 100)  # as Excel leaves it
    return owner


def symlink_to(make):
    """The file ``make`` writes, given by a symbolic link of another name."""
    def link(path: Path) -> Path:
        target = make(path.with_name("target-" + path.name))
        path.symlink_to(target)
        return path
    return link


CSV = (FOLLOWUP / "patients.csv").read_text("utf-8")

FILE_CASES = {
    "CSV file named .xlsx": (file_bytes(CSV), ["cohort.xlsx", "a text (CSV) file", "folder"]),
    "old Excel file named .xlsx": (old_xls, ["cohort.xlsx", "Excel 97-2003", "save it as"]),
    "empty file": (file_bytes(b""), ["cohort.xlsx", "empty file", "copy it again"]),
    "cut short": (cut_short, ["cohort.xlsx", "incomplete", "copy it again"]),
    "password-protected": (encrypted, ["cohort.xlsx", "password", "clear the password"]),
    "Excel's owner file": (owner_file, ["~$cohort.xlsx", "owner file", "'cohort.xlsx'"]),
    "broken worksheet XML": (broken_xml("courses"),
                             ["cohort.xlsx, worksheet 'courses'", "XML", "save it again"]),
    "zip without a workbook": (file_bytes(b"PK\x05\x06" + b"\x00" * 18),
                               ["cohort.xlsx", "a zip archive without the parts of a workbook"]),
    "linked under another name": (symlink_to(file_bytes(CSV)),
                                  ["/cohort.xlsx", "a text (CSV) file"]),
}

CELL_CASES = {
    "error cell in an optional column": (
        set_cell("assessments", 2, "mrd", "#N/A"),
        [(f"worksheet 'assessments', row 2, column {letter('assessments', 'mrd')} 'mrd': "
          "found the Excel error '#N/A'"), "fix the formula or clear the cell"]),
    "error cell in a required column": (
        set_cell("courses", 3, "weight", "#DIV/0!"),
        [f"row 3, column {letter('courses', 'weight')} 'weight': found the Excel error '#DIV/0!'"]),
    "error cell in a unit column": (set_cell("courses", 2, "weight_unit", "#REF!"),
                                    ["'weight_unit': found the Excel error '#REF!'"]),
    "formula without a saved value": (
        set_cell("products", 2, "viability", "=B2*100"),
        [(f"worksheet 'products', row 2, column {letter('products', 'viability')} "
          "'viability': found the formula '=B2*100'"), "open and save the workbook in Excel"]),
    "time of day in a date cell": (
        set_cell("courses", 2, "infusion_date", dt.datetime(2021, 1, 10, 9)),
        [(f"row 2, column {letter('courses', 'infusion_date')} 'infusion_date': found "
          "'2021-01-10 09:00:00'; expected a date without a time of day")]),
    "percent format in a plain-number column": (
        set_cell("products", 3, "cd4_cd8_ratio", 0.018, "0.0%"),
        ["row 3, column", "'cd4_cd8_ratio': found '1.8%'", "without '%'", "divided by 100"]),
    "percent format in a lab value": (
        set_cell("flow", 4, "value", 0.001, "0.0%"),
        ["worksheet 'flow', row 4", "'value': found '0.1%'", "its unit goes in 'unit'"]),
    "title row above the header": (
        title_row("patients", "Patients enrolled"),
        ["worksheet 'patients', row 1: found a title row 'Patients enrolled'",
         "they are in row 2"]),
    "required sheet with a header only": (
        header_only("patients"), ["worksheet 'patients': found an empty sheet",
                                  "at least one data row"]),
    "cells right of the header": (extra_cells("courses", 12),
                                  ["worksheet 'courses', row 2", "cells only in the 7 columns",
                                   "and 2 more in", "(expected cells only"]),
    "worksheet missing among many": (
        renamed_worksheets("qpcr", 8),
        ["a worksheet named 'qpcr'", "'Sheet for the lab (to do)'",
         "'notes from the ward, part 8'"]),
}

ONE_PROBLEM = {"error cell in a required column", "formula without a saved value",
               "time of day in a date cell", "title row above the header",
               "required sheet with a header only", "worksheet missing among many",
               "error cell in a unit column"}


@pytest.mark.parametrize("case", {**FILE_CASES, **CELL_CASES},
                         ids=list({**FILE_CASES, **CELL_CASES}))
def test_a_faulty_workbook_stops_with_a_clear_message(tmp_path: Path, case: str):
    make, expected = {**FILE_CASES, **CELL_CASES}[case]
    path = make(tmp_path / "cohort.xlsx")
    with pytest.raises(InputError) as caught:
        read_cohort(path)
    message = caught.value.report()
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"
    for wrong in ("found ''", "'None'", "quoted", "Traceback"):
        assert wrong not in message, message
    if case in ONE_PROBLEM or case in FILE_CASES:
        assert message.startswith("1 problem in"), message


def derived_with(edits) -> dict[str, bytes]:
    """Derived tables (as bytes) of the follow-up workbook after ``edits`` (a mutation)."""
    return as_bytes(derive_tables(read_cohort(edits)))


@pytest.fixture(scope="module")
def from_csv() -> dict[str, bytes]:
    return as_bytes(derive_tables(read_cohort(FOLLOWUP)))


@pytest.mark.parametrize("sheet, row, column, stored, shown", [
    ("products", 2, "viability", 0.95, "0.0%"),
    ("assessments", 2, "mrd", 0.35, "0%"),  # Excel shows 35%; its value is 0.35
    ("assessments", 4, "bm_blasts", 0.08, "0.00%"),
])
def test_a_percent_cell_is_the_percentage_excel_shows(tmp_path, from_csv, sheet, row, column,
                                                      stored, shown):
    book = set_cell(sheet, row, column, stored, shown)(tmp_path / "percent.xlsx")
    assert derived_with(book) == from_csv


def test_a_percent_sign_in_a_csv_percent_column_is_the_same_value(tmp_path, from_csv):
    folder = tmp_path / "cohort"
    folder.mkdir()
    for sheet in load_dictionary().values():
        (folder / sheet.filename).write_bytes((FOLLOWUP / sheet.filename).read_bytes())
    products = folder / "products.csv"
    products.write_text(products.read_text("utf-8").replace(",95.0,", ",95.0%,"), "utf-8")
    assert derived_with(folder) == from_csv


def test_a_formula_is_read_by_its_saved_value(tmp_path, from_csv):
    plain = workbook(FOLLOWUP, tmp_path / "plain.xlsx")
    part = f"xl/worksheets/sheet{SHEETS.index('courses') + 1}.xml"
    cell = f'<c r="{letter("courses", "height")}2" t="n"><v>110</v></c>'
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(tmp_path / "f.xlsx", "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                assert cell.encode() in data
                data = data.replace(cell.encode(), cell.replace("<v>", "<f>100+10</f><v>")
                                    .encode())
            out.writestr(item, data)
    assert derived_with(tmp_path / "f.xlsx") == from_csv


@pytest.mark.parametrize("case", ["linked under another name", "password-protected",
                                  "broken worksheet XML", "Excel's owner file"])
def test_derive_refuses_without_traceback_and_leaves_nothing(tmp_path: Path, case: str):
    make, _ = FILE_CASES[case]
    given = make(tmp_path / "cohort.xlsx")
    outputs = cohort_paths(given).derived.parent
    result = subprocess.run([sys.executable, "-m", "analysis.derive", "--data-raw", given.name],
                            cwd=tmp_path, capture_output=True, text=True, check=False,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{given.name}" in result.stderr and "target-" not in result.stderr
    assert not outputs.exists(), f"{outputs} left behind"


def test_a_rejected_derive_keeps_earlier_outputs_and_no_lock(tmp_path: Path):
    book = workbook(FOLLOWUP, tmp_path / "cohort.xlsx")
    out = tmp_path / "derived"
    command = [sys.executable, "-m", "analysis.derive", "--data-raw", str(book),
               "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    set_cell("courses", 2, "weight", "#N/A")(book)
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "found the Excel error '#N/A'" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.xlsx", "derived"]
