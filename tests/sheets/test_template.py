"""The template workbook (``nox -s template``), read back with openpyxl: a worksheet per
sheet with its header, drop-downs, formats and ranges from the dictionary, a worksheet
describing every column; filled in with the follow-up cohort it derives the same tables as
the CSV folder, left empty it is refused once per empty required sheet."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries
from test_workbook import as_bytes

from analysis.common.paths import ROOT
from analysis.common.units import UnitError, convert
from analysis.derivations.adam import derive_tables
from analysis.sheets.cohort import read_cohort
from analysis.sheets.dictionary import load_dictionary
from analysis.sheets.problems import InputError
from analysis.sheets.template import main, unit_targets, write_template

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"
DICTIONARY = load_dictionary()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "cohort.xlsx"
    write_template(path)
    return path


@pytest.fixture(scope="module")
def book(template):
    return openpyxl.load_workbook(template)


def validations(worksheet) -> dict[str, object]:
    """The data validation of each column letter (each covers row 2 to the last row)."""
    out = {}
    for validation in worksheet.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            low_col, low_row, high_col, high_row = range_boundaries(cells.coord)
            assert (low_col, low_row, high_row) == (high_col, 2, 1_048_576), cells.coord
            out[get_column_letter(low_col)] = validation
    return out


def listed(book, validation) -> list[str]:
    """The values a list validation offers, read from the worksheet its formula names."""
    sheet, cells = validation.formula1.lstrip("=").split("!")
    return [c.value for row in book[sheet][cells.replace("$", "")] for c in row]


def test_a_worksheet_per_sheet_with_its_header(book):
    assert book.sheetnames == ["README", "columns", "lists", *DICTIONARY]
    assert book["lists"].sheet_state == "hidden"
    for sheet in DICTIONARY.values():
        worksheet = book[sheet.name]
        assert [c.value for c in worksheet[1]] == list(sheet.columns)
        assert worksheet.max_row == 1
        assert worksheet.freeze_panes == "A2"


def test_every_sheet_must_exist_says_the_readme(book):
    text = " ".join(str(c.value) for row in book["README"].iter_rows() for c in row if c.value)
    assert "Every sheet must exist, even when it stays empty" in text
    for sheet in DICTIONARY.values():
        assert sheet.name in text and sheet.description in text


def test_categories_and_units_have_drop_downs(book):
    units_used = cohort_units()
    for sheet in DICTIONARY.values():
        by_letter = validations(book[sheet.name])
        for index, column in enumerate(sheet.columns.values(), start=1):
            validation = by_letter.get(get_column_letter(index))
            if column.name == sheet.parameter_column:
                assert listed(book, validation) == list(sheet.parameters)
                assert validation.errorStyle == "stop"
            elif column.type == "category":
                assert validation.type == "list", (sheet.name, column.name)
                assert listed(book, validation) == list(column.values)
                assert validation.errorStyle == "stop"
            elif column.type == "unit":
                offered = listed(book, validation)
                assert validation.errorStyle == "warning"  # other spellings pint reads pass
                targets = unit_targets(sheet, column)
                assert targets and set(targets) <= set(offered)
                for spelling in offered:
                    assert any(converts(spelling, t) for t in targets), spelling
                assert units_used[sheet.name, column.name] <= set(offered)


def converts(spelling: str, target: str) -> bool:
    try:
        convert(1.0, spelling, target)
    except UnitError:
        return False
    return True


def cohort_units() -> dict[tuple[str, str], set[str]]:
    """The unit spellings the bundled and the follow-up cohort use, per unit column."""
    used: dict[tuple[str, str], set[str]] = {}
    for folder in (ROOT / "data-raw", FOLLOWUP):
        for sheet in DICTIONARY.values():
            units = [c.name for c in sheet.columns.values() if c.type == "unit"]
            with open(folder / sheet.filename, encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    for name in units:
                        used.setdefault((sheet.name, name), set()).add(row[name])
    return used


def test_dates_numbers_and_ranges(book):
    for sheet in DICTIONARY.values():
        worksheet = book[sheet.name]
        by_letter = validations(worksheet)
        for index, column in enumerate(sheet.columns.values(), start=1):
            letter = get_column_letter(index)
            number_format = worksheet.column_dimensions[letter].number_format
            validation = by_letter.get(letter)
            if column.type == "date":
                assert number_format == "yyyy-mm-dd"
            elif column.type == "integer":
                assert number_format == "0"
                assert validation.type == "whole" and validation.operator == "between"
                assert (float(validation.formula1), float(validation.formula2)) == (
                    column.min, column.max)
            elif column.type == "number":
                assert number_format == "General"
                if column.unit_column is None:  # a range in the standard unit
                    assert validation.type == "decimal"
                    assert (float(validation.formula1), float(validation.formula2)) == (
                        column.min, column.max)
                else:  # its range depends on the row's unit
                    assert validation is None
            else:  # identifiers, text, categories, units, "<0.01": kept as typed
                assert number_format == "@", (sheet.name, column.name)
                if column.type in ("id", "text", "censored_number"):
                    assert validation is None


def test_the_columns_worksheet_describes_every_column(book):
    rows = list(book["columns"].iter_rows(values_only=True))
    heading, body = rows[0], rows[1:]
    assert heading[:5] == ("sheet", "column", "required", "type", "meaning")
    assert "accepted unit spellings" in heading and "allowed values" in heading
    described = {(r[0], r[1]): dict(zip(heading, r, strict=True)) for r in body}
    assert list(described) == [(s.name, c) for s in DICTIONARY.values() for c in s.columns]
    for sheet in DICTIONARY.values():
        for column in sheet.columns.values():
            row = described[sheet.name, column.name]
            assert row["required"] == ("yes" if column.required else "no")
            assert row["meaning"] == column.description
            if column.unit and column.unit_column is None:
                assert row["standard unit"] == column.unit
            for value in column.values or ():
                assert value in row["allowed values"]
            if column.type == "unit":
                for target in unit_targets(sheet, column):
                    assert target in row["accepted unit spellings"]
    assert "IL-6 (in pg/mL" in described["cytokines", "parameter"]["allowed values"]
    assert "lb" in described["courses", "weight_unit"]["accepted unit spellings"]


def typed(text: str, kind: str) -> object:
    """A CSV cell as a person types it into the template column of type ``kind``."""
    if text == "":
        return None
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    return text


def test_filled_in_it_derives_like_the_csv_folder(template, tmp_path):
    book = openpyxl.load_workbook(template)
    for sheet in DICTIONARY.values():
        with open(FOLLOWUP / sheet.filename, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                book[sheet.name].append([typed(row[c], column.type)
                                         for c, column in sheet.columns.items()])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    from_csv = as_bytes(derive_tables(read_cohort(FOLLOWUP)))
    from_excel = as_bytes(derive_tables(read_cohort(filled)))
    assert from_excel.keys() == from_csv.keys()
    for name in from_csv:
        assert from_excel[name] == from_csv[name], name


def test_left_empty_it_is_refused_once_per_empty_required_sheet(template):
    with pytest.raises(InputError) as caught:
        read_cohort(template)
    needed = [s.name for s in DICTIONARY.values() if s.required or s.rows]
    assert needed  # the dictionary asks for rows somewhere
    assert [str(p) for p in caught.value.problems] == [
        f"{template}, worksheet '{name}': found an empty sheet; expected "
        f"{'exactly 1 data row' if DICTIONARY[name].rows == 1 else 'at least one data row'}"
        " below the header (this sheet is required; see data-raw/dictionary.yaml)"
        for name in needed]


def test_the_command_writes_once_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "cohort.xlsx"
    assert main(["--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[3:] == list(DICTIONARY)
    first = out.read_bytes()
    assert main(["--out", str(out)]) == 2
    assert out.read_bytes() == first
    assert main(["--out", str(tmp_path / "cohort.csv")]) == 2
    assert main(["--out", str(tmp_path / "missing" / "cohort.xlsx")]) == 2
    errors = capsys.readouterr().err.splitlines()
    missing = tmp_path / "missing"
    assert errors == [
        f"template: {out}: exists already; choose another name or move it away (it is not"
        + " replaced)",
        f"template: {tmp_path / 'cohort.csv'}: expected a file name ending in .xlsx",
        f"template: {missing / 'cohort.xlsx'}: its folder {missing} does not exist"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.xlsx"]


def test_the_module_runs_as_a_command(tmp_path):
    out = tmp_path / "t.xlsx"
    done = subprocess.run([sys.executable, "-m", "analysis.sheets.template", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert out.is_file() and "fill it in" in done.stdout
