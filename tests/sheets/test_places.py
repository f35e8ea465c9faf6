"""Raw cells named in the words of the cohort's spelling: CSV file and line, or worksheet
and Excel row of the workbook (never a CSV file the team never had)."""

from __future__ import annotations

from pathlib import Path

from analysis.sheets.places import Places


def test_a_csv_folder_names_files_and_lines():
    places = Places(Path("/somewhere/cohort"))
    assert not places.workbook
    assert places.rows("patients", "2-13") == "patients.csv, lines 2-13"
    assert places.rows("patients", "4") == "patients.csv, line 4"
    assert places.cell("courses", 3) == "courses.csv, line 3"
    assert (places.sheet_word, places.row_word) == ("sheet", "line")
    assert places.origin == "cohort/"  # the folder's name, not its path


def test_a_workbook_names_worksheets_and_excel_rows():
    places = Places(Path("/somewhere/cohort.xlsx"))
    assert places.workbook
    assert places.rows("patients", "2-13") == "worksheet patients, rows 2-13 of cohort.xlsx"
    assert places.rows("patients", "4") == "worksheet patients, row 4 of cohort.xlsx"
    assert places.cell("courses", 3) == "worksheet courses, row 3"
    assert (places.sheet_word, places.row_word) == ("worksheet", "row")
    assert places.origin == "cohort.xlsx"
    assert ".csv" not in places.rows("patients", "2") + places.cell("patients", 2)


def test_without_a_source_cells_are_named_as_csv_lines():
    assert Places().rows("study", "2") == "study.csv, line 2"
    assert Places().origin == ""
