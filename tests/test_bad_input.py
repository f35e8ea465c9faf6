"""Malformed input, tried one kind at a time on a copy of the bundled sheets.

Each case must stop the run with one message naming the file, the row (where there is
one), the column, the value found and what was expected; the derive command must print
that message without a traceback, exit with status 2, and leave earlier outputs alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.problems import InputError
from analysis.sheets import InputWarning, read_cohort

ROOT = Path(__file__).resolve().parent.parent


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


def first_row_where(sheet: str, column: str, value: str) -> int:
    """CSV line number of the first row whose ``column`` equals ``value``."""
    import pandas as pd
    frame = pd.read_csv(ROOT / "data-raw" / f"{sheet}.csv", dtype=str, keep_default_na=False)
    return int(frame.index[frame[column] == value][0]) + 2


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
    "phone number in a cell": (replace_cell("patients", 2, "cytogenetics", "+86 21 3862 6161"),
                               ["patients.csv", "row 2", "'cytogenetics'", "phone"]),
}


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


def test_unknown_extra_column_warns_but_does_not_stop(cohort: Path):
    path = cohort / "patients.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",comment"] + [line + ",ok" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(InputWarning, match="'comment'"):
        read_cohort(cohort)


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
