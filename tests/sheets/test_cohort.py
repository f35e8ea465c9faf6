"""Malformed input, tried one kind at a time on a copy of the bundled sheets.

Each case must stop the run with one message naming the file, the row (where there is
one), the column, the value found and what was expected; the derive command must print
that message without a traceback, exit with status 2, and leave earlier outputs alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.common.paths import ROOT
from analysis.sheets.cohort import read_cohort
from analysis.sheets.dictionary import load_dictionary
from analysis.sheets.problems import InputError


def replace_cell(sheet: str, row: int, column: str, value: str):
    """Mutation: set one cell (row = CSV line number, header is line 1)."""
    def mutate(directory: Path) -> None:
        path = directory / f"{sheet}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        cells = lines[row - 1].split(",")
        cells[header.index(column)] = value
        lines[row - 1] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mutate


def rename_column(sheet: str, old: str, new: str):
    def mutate(directory: Path) -> None:
        path = directory / f"{sheet}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[0] = ",".join(new if c == old else c for c in lines[0].split(","))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mutate


def drop_column(sheet: str, column: str):
    def mutate(directory: Path) -> None:
        path = directory / f"{sheet}.csv"
        rows = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
        i = rows[0].index(column)
        path.write_text("\n".join(",".join(r[:i] + r[i + 1:]) for r in rows) + "\n",
                        encoding="utf-8")
    return mutate


def duplicate_row(sheet: str, row: int):
    def mutate(directory: Path) -> None:
        path = directory / f"{sheet}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines.append(lines[row - 1])
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mutate


def remove_sheet(sheet: str):
    def mutate(directory: Path) -> None:
        (directory / f"{sheet}.csv").unlink()
    return mutate


def write_bytes(sheet: str, transform):
    def mutate(directory: Path) -> None:
        path = directory / f"{sheet}.csv"
        path.write_bytes(transform(path.read_bytes()))
    return mutate


def append_row(sheet: str, copy_of: int, **cells: str):
    """Mutation: add a copy of line ``copy_of`` with some cells changed."""
    def mutate(directory: Path) -> None:
        path = directory / f"{sheet}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        row = lines[copy_of - 1].split(",")
        for column, value in cells.items():
            row[header.index(column)] = value
        path.write_text("\n".join([*lines, ",".join(row)]) + "\n", encoding="utf-8")
    return mutate


def cell(sheet: str, row: int, column: str) -> str:
    """The bundled value of one cell (row = CSV line number)."""
    lines = (ROOT / "data-raw" / f"{sheet}.csv").read_text(encoding="utf-8").splitlines()
    return lines[row - 1].split(",")[lines[0].split(",").index(column)]


def first_row_where(sheet: str, column: str, value: str) -> int:
    """CSV line number of the first row whose ``column`` equals ``value``."""
    frame = pd.read_csv(ROOT / "data-raw" / f"{sheet}.csv", dtype=str, keep_default_na=False)
    return int(frame.index[frame[column] == value][0]) + 2


DEATH = first_row_where("events", "event", "death")
DAY_AFTER_DEATH = str((pd.Timestamp(cell("events", DEATH, "event_date"))
                       + pd.Timedelta(days=1)).date())
LATER_COURSE = first_row_where("courses", "course", "2")

CASES = {
    "missing sheet": (remove_sheet("crs"), ["crs.csv", "exist"]),
    "missing column": (drop_column("patients", "sex"), ["patients.csv", "'sex'"]),
    "renamed column": (rename_column("courses", "weight", "body_weight"),
                       ["courses.csv", "'weight'"]),
    "text in numeric column": (replace_cell("courses", 2, "weight", "twenty"),
                               ["courses.csv", "row 2", "'weight'", "'twenty'", "a number"]),
    "unknown unit": (replace_cell("courses", 2, "weight_unit", "stone-ish"),
                     ["courses.csv", "row 2", "'weight_unit'", "'stone-ish'", "pint knows"]),
    "incompatible unit": (replace_cell("courses", 2, "weight_unit", "cm"),
                          ["courses.csv", "row 2", "'weight_unit'", "'cm'", "kilogram"]),
    "out of range": (replace_cell("products", 2, "viability", "140"),
                     ["products.csv", "row 2", "'viability'", "at most 100"]),
    "duplicate key": (duplicate_row("patients", 2), ["patients.csv", "duplicate", "one row per"]),
    "unknown patient": (replace_cell("cytokines", 2, "patient_id", "zz99"),
                        ["cytokines.csv", "row 2", "'patient_id'", "'zz99'", "patients.csv"]),
    "infusion before diagnosis": (replace_cell("courses", 2, "infusion_date", "1990-01-01"),
                                  ["courses.csv", "row 2", "'infusion_date'", "1990-01-01",
                                   "diagnosis"]),
    "CART2 before CART1": (
        replace_cell("courses", first_row_where("courses", "course", "2"), "infusion_date",
                     "2000-01-02"),
        ["courses.csv", "'infusion_date'", "previous course"]),
    "malformed date": (replace_cell("events", 2, "event_date", "31/08/2022"),
                       ["events.csv", "row 2", "'event_date'", "'31/08/2022'", "YYYY-MM-DD"]),
    "empty sheet": (write_bytes("flow", lambda b: b""), ["flow.csv", "header"]),
    "byte-order mark": (write_bytes("patients", lambda b: b"\xef\xbb\xbf" + b),
                        ["patients.csv", "byte-order mark"]),
    "not UTF-8": (write_bytes("patients", lambda b: b.replace(b"M", "Ä".encode("latin-1"), 1)),
                  ["patients.csv", "UTF-8"]),
    "decimal comma": (replace_cell("courses", 2, "weight", '"20,5"'),
                      ["courses.csv", "row 2", "'weight'", "decimal comma"]),
    "stray whitespace in ID": (replace_cell("courses", 2, "patient_id", " pt01"),
                               ["courses.csv", "row 2", "'patient_id'", "spaces"]),
    "category not allowed": (replace_cell("patients", 2, "sex", "X"),
                             ["patients.csv", "row 2", "'sex'", "one of M, F"]),
    "direct identifier column": (rename_column("patients", "centre", "patient_name"),
                                 ["patients.csv", "'patient_name'", "identifiers"]),
    "e-mail address in a cell": (replace_cell("patients", 2, "cytogenetics", "jo@example.org"),
                                 ["patients.csv", "row 2", "'cytogenetics'", "e-mail"]),
    "blank lines counted": (
        lambda d: (replace_cell("courses", 3, "weight", "twenty")(d),
                   write_bytes("courses", lambda b: b.replace(b"\n", b"\n\n", 1))(d)),
        ["courses.csv", "row 4, column 'weight'", "'twenty'"]),
    "ragged row": (replace_cell("courses", 2, "weight", "20,5"),
                   ["courses.csv", "row 2", "cells as in the header", "decimal comma"]),
    "unterminated quote": (write_bytes("events", lambda b: b + b'p1,death,"2020-01-01\n'),
                           ["events.csv", "quote"]),
    "duplicate column": (write_bytes("crs", lambda b: b.replace(b"\n", b",x\n").replace(
        b"course,", b"course,course,", 1)), ["crs.csv", "row 1", "each column name once"]),
    "NUL character": (replace_cell("patients", 3, "cytogenetics", "nor\x00mal"),
                      ["patients.csv", "row 3", "'cytogenetics'", "NUL"]),
    "sheet linked from outside": (
        lambda d: ((d / "study.csv").unlink(), (d / "study.csv").symlink_to("/etc/hostname")),
        ["study.csv", "inside the cohort folder"]),
    "sheet is a folder": (lambda d: ((d / "study.csv").unlink(), (d / "study.csv").mkdir()),
                          ["study.csv", "a regular file", "folder"]),
    "blank quantity with its unit present": (
        replace_cell("courses", 2, "weight", ""),
        ["courses.csv", "row 2", "'weight'", "a value (its unit is in 'weight_unit')"]),
    "infinite after conversion": (replace_cell("products", 2, "car_t_cells", "1e308"),
                                  ["products.csv", "row 2", "'car_t_cells'", "finite"]),
    "implausible after conversion": (
        replace_cell("products", 2, "car_t_cells", "1e9"),
        ["products.csv", "row 2", "'car_t_cells'", "at most 1e+11 cell"]),
    "implausible lab value": (replace_cell("cytokines", 2, "value", "1e12"),
                              ["cytokines.csv", "row 2", "'value'", "at most 1e+06 pg/mL"]),
    "infinity written out": (replace_cell("courses", 2, "height", "inf"),
                             ["courses.csv", "row 2", "'height'", "a finite number"]),
    "not a number written out": (replace_cell("courses", 2, "height", "NaN"),
                                 ["courses.csv", "row 2", "'height'", "a number"]),
    "date after the cut-off": (
        replace_cell("events", 2, "event_date", "2099-01-01"),
        ["events.csv", "row 2", "'event_date'", "2099-01-01", "data_cutoff in study.csv row 2"]),
    "event before its course": (
        replace_cell("events", 2, "after_course", "2"),
        ["events.csv", "row 2", "'event_date'", f"courses.csv row {LATER_COURSE}"]),
    "sample after the next course": (
        replace_cell("cytokines", 2, "sample_date", cell("courses", LATER_COURSE,
                                                         "infusion_date")),
        ["cytokines.csv", "row 2", "'sample_date'", "before", f"courses.csv row {LATER_COURSE}"]),
    "event after death": (
        append_row("events", DEATH, event="last_contact", event_date=DAY_AFTER_DEATH),
        ["events.csv", "'event_date'", DAY_AFTER_DEATH, f"events.csv row {DEATH}", "death"]),
    "two deaths": (append_row("events", DEATH, event_date="2000-01-01"),
                   ["events.csv", "'event'", f"row {DEATH} is one already"]),
    "CRS resolving before onset": (
        replace_cell("crs", 2, "crs_resolution_day", "0") if cell("crs", 2, "crs_onset_day")
        != "0" else replace_cell("crs", 2, "crs_onset_day", "5"),
        ["crs.csv", "row 2", "crs_onset_day in crs.csv row 2"]),
    "patient without a course": (
        append_row("patients", 2, patient_id="zz99"),
        ["patients.csv", "'patient_id'", "'zz99'", "at least one row for it in courses.csv"]),
    "parameter not in the dictionary": (replace_cell("cytokines", 2, "parameter", "IL-1b"),
                                        ["cytokines.csv", "row 2", "'parameter'", "one of IL-2"]),
    "two study rows": (append_row("study", 2, study_id="other"),
                       ["study.csv", "exactly 1 data row", "'2 rows'"]),
    "study without rows": (write_bytes("study", lambda b: b.split(b"\n")[0] + b"\n"),
                           ["study.csv", "found an empty sheet", "exactly 1 data row"]),
    "undeclared column": (write_bytes("crs", lambda b: b.replace(b"\n", b",x\n").replace(
        b",x\n", b",comment\n", 1)), ["crs.csv", "row 1", "'comment'", "ignored_columns"]),
    "phone number in a cell": (replace_cell("patients", 2, "cytogenetics", "+86 21 3862 6161"),
                               ["patients.csv", "row 2", "'cytogenetics'", "phone"]),
}


for name, reason in (("hosp_no", "hospital or record number"),
                     ("Patient Name", "person's name"), ("PatientName", "person's name"),
                     ("birthday", "birth date"), ("姓名", "person's name"),
                     ("住院号", "hospital or record number"), ("Home Address", "address")):
    CASES[f"identifier column {name}"] = (rename_column("patients", "cytogenetics", name),
                                          ["patients.csv", "row 1", f"'{name}'", reason])


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    directory = tmp_path / "cohort"
    shutil.copytree(ROOT / "data-raw", directory)
    return directory


def test_bundled_sheets_are_valid():
    frames = read_cohort(ROOT / "data-raw")
    assert len(frames["patients"]) > 0


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_stops_with_a_clear_message(cohort: Path, case: str):
    mutate, expected = CASES[case]
    mutate(cohort)
    with pytest.raises(InputError) as caught:
        read_cohort(cohort)
    message = caught.value.report()
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


def test_extra_column_declared_as_ignored_is_accepted(cohort: Path, tmp_path: Path):
    path = cohort / "patients.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",comment"] + [line + ",ok" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="'comment'"):
        read_cohort(cohort)
    spec = yaml.safe_load((ROOT / "data-raw" / "dictionary.yaml").read_text(encoding="utf-8"))
    spec["sheets"]["patients"]["ignored_columns"] = ["comment"]
    (tmp_path / "dictionary.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    frames = read_cohort(cohort, load_dictionary(tmp_path / "dictionary.yaml"))
    assert "comment" not in frames["patients"]


@pytest.mark.parametrize("column, value", [
    ("cytogenetics", "a" * 1_000_000), ("cytogenetics", "a@" + "b" * 1_000_000),
    ("cytogenetics", "+1" + " 1" * 500_000), ("age_at_diagnosis", "1" * 1_000_000 + "x")])
def test_huge_cells_are_checked_in_linear_time_with_short_messages(cohort: Path, column,
                                                                   value):
    replace_cell("patients", 2, column, value)(cohort)
    start = time.perf_counter()
    try:
        read_cohort(cohort)
    except InputError as error:
        assert max(len(line) for line in error.report().splitlines()) < 400
    assert time.perf_counter() - start < 5


def test_all_problems_of_a_run_are_listed_at_once(cohort: Path):
    replace_cell("courses", 2, "weight", "twenty")(cohort)
    replace_cell("events", 2, "event_date", "yesterday")(cohort)
    with pytest.raises(InputError) as caught:
        read_cohort(cohort)
    message = caught.value.report()
    assert "courses.csv" in message and "events.csv" in message


def test_derive_command_reports_without_traceback_and_keeps_outputs(cohort: Path,
                                                                     tmp_path: Path):
    out = tmp_path / "derived"
    command = [sys.executable, "-m", "analysis.derive", "--data-raw", str(cohort),
               "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    replace_cell("courses", 2, "weight", "twenty")(cohort)
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "courses.csv, row 2, column 'weight'" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
