"""How provenance names a raw cell: in the words of the cohort's own spelling.

A cohort is a folder of CSV files (a cell is on a line of ``patients.csv``) or one Excel
workbook (a cell is on a row of worksheet ``patients``, numbered as Excel shows it). Either
way the cohort reader (:mod:`analysis.sheets.cohort`) numbers rows by the physical line or
Excel row, so the numbers are the same; :class:`Places` says them the way the team sees its
sheets: ``patients.csv, lines 2-13`` or ``worksheet patients, rows 2-13 of cohort.xlsx``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.common.paths import is_workbook


@dataclass(frozen=True)
class Places:
    """Names of raw sheets and rows for the cohort read from ``source`` (a CSV folder when
    None or a folder, a workbook when its name ends in ``.xlsx``)."""

    source: Path | None = None

    @property
    def workbook(self) -> bool:
        """True when the cohort is one Excel workbook."""
        return self.source is not None and is_workbook(Path(self.source))

    @property
    def sheet_word(self) -> str:
        """'worksheet' or 'sheet', as a column heading."""
        return "worksheet" if self.workbook else "sheet"

    @property
    def row_word(self) -> str:
        """'row' (Excel row) or 'line' (CSV line), as a column heading."""
        return "row" if self.workbook else "line"

    @property
    def origin(self) -> str:
        """The workbook's or the folder's name, without the local path ('cohort.xlsx',
        'cohort/'); '' when unknown."""
        if self.source is None:
            return ""
        return Path(self.source).name + ("" if self.workbook else "/")

    def sheet(self, name: str) -> str:
        """'patients.csv' or 'worksheet patients'."""
        return f"worksheet {name}" if self.workbook else f"{name}.csv"

    def rows(self, name: str, numbers: str) -> str:
        """Rows of one sheet, ``numbers`` already written ('2-4, 7'): 'patients.csv, lines
        2-4, 7' or 'worksheet patients, rows 2-4, 7 of cohort.xlsx'."""
        single = numbers.isdigit()
        word = self.row_word if single else f"{self.row_word}s"
        book = f" of {Path(self.source).name}" if self.workbook else ""
        return f"{self.sheet(name)}, {word} {numbers}{book}"

    def cell(self, name: str, row: int) -> str:
        """One raw row, as a popup shows it: 'patients.csv, line 3' or 'worksheet
        patients, row 3' (the workbook is named once, around the table)."""
        return f"{self.sheet(name)}, {self.row_word} {row}"
