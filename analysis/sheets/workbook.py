"""Raw sheets from an Excel workbook: one worksheet per sheet of the data dictionary.

``--data-raw cohort.xlsx`` reads a workbook whose worksheets carry the names and columns
of the CSV files in ``data-raw/`` (``patients``, ``courses``, ...). Each worksheet becomes a
:class:`analysis.sheets.rawsheet.RawSheet` labelled with the workbook and worksheet, and with each
row's Excel row number, so it passes through the same checks as a CSV file and messages
name the worksheet, the row and the column letter Excel shows.

Cells are read with openpyxl as Excel shows them: dates become ``YYYY-MM-DD`` (a time of
day other than midnight is refused), numbers the shortest text that reads back as the same
number (``24.0`` as ``24``), a percent-formatted number the percentage Excel displays with
its sign (0.945 as ``94.5%``, accepted only in a percent column), a formula its saved
value. An Excel error (``#N/A``) or a formula saved without its value is refused. A file
that is no workbook (an old ``.xls``, a password-protected workbook, a CSV file, an empty
or cut-short copy, Excel's ``~$`` owner file) is one problem saying what it is and what to
do.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
import zlib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import ParseError

import olefile
import openpyxl
from openpyxl.cell.read_only import EmptyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from analysis.sheets.dictionary import Sheet
from analysis.sheets.problems import Problem
from analysis.sheets.rawsheet import RawSheet

ZIP = b"PK"  # a zip archive (an .xlsx workbook is one)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS_XLSX = "an .xlsx workbook: open the file in Excel and save it as 'Excel Workbook (.xlsx)'"
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, ParseError, InvalidFileException,
              KeyError, ValueError, TypeError, IndexError, OSError)  # what openpyxl raises
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                "#BUSY!", "#UNKNOWN!")  # what Excel shows in a cell whose formula failed
NO_PASSWORD = ("a workbook without a password: in Excel, File > Info > Protect Workbook > "
               "Encrypt with Password, clear the password, and save")
CUT_SHORT = ("an incomplete .xlsx file (the end of its zip archive is missing; the copy may "
             "have been cut short)")
CSV_FOLDER = ("an .xlsx workbook; CSV sheets go in a folder, one file per sheet, passed as "
              "--data-raw FOLDER")
RESAVE = "a workbook as Excel saves it: open it in Excel and save it again"


def read_workbook(path: Path, dictionary: dict[str, Sheet], problems: list[Problem]
                  ) -> dict[str, RawSheet]:
    """The raw sheets of a workbook, one per worksheet named as a dictionary sheet; a file
    that is no workbook, missing worksheets and unreadable cells are recorded as problems."""
    label = str(path)
    fault = file_fault(path)
    if fault is not None:
        problems.append(Problem(label, fault[1], kind=fault[0]))
        return {}
    try:
        rows = _worksheet_rows(path, [s.name for s in dictionary.values()], data_only=True)
    except _Unreadable as error:
        problems.append(Problem(error.where(label), RESAVE, kind=error.kind))
        return {}
    sheets = {}
    for sheet in dictionary.values():
        if sheet.name not in rows:
            found = ", ".join(f"'{name}'" for name in rows.names) or "no worksheet"
            problems.append(Problem(label, f"a worksheet named '{sheet.name}' (see "
                                    f"data-raw/dictionary.yaml; the workbook has {found})"))
            continue
        raw = _raw_sheet(rows[sheet.name], f"{label}, worksheet '{sheet.name}'", problems)
        if raw is not None:
            sheets[sheet.name] = raw
    if rows.unsaved:
        _formulas(path, rows.unsaved, sheets, problems)
    return sheets


def file_fault(path: Path) -> tuple[str, str] | None:
    """What a file is when it is no .xlsx workbook, and what to do: (found, expected)."""
    if path.name.startswith("~$"):
        return ("Excel's owner file, written beside a workbook while it is open",
                f"the workbook itself ('{path.name[2:]}'), with Excel closed")
    if not path.is_file():
        return ("a folder" if path.is_dir() else "no such file",
                "an Excel workbook (.xlsx) holding the raw sheets")
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return "an empty file (0 bytes)", "the workbook as Excel saved it: copy it again"
    if head.startswith(OLE2):
        if _encrypted(path):
            return "a password-protected (encrypted) workbook", NO_PASSWORD
        return "an Excel 97-2003 workbook (.xls)", SAVE_AS_XLSX
    if head.startswith(ZIP):
        if not zipfile.is_zipfile(path):
            return CUT_SHORT, "the whole workbook: copy it again"
        return None
    if _text(head):
        return "a text (CSV) file", CSV_FOLDER
    return "a file that is not an Excel workbook", SAVE_AS_XLSX


def _encrypted(path: Path) -> bool:
    """True for an OLE2 file holding an encrypted Office package (a workbook with a password)."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
    except OSError:  # olefile: a damaged compound file
        return False


def _text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(head) - 4  # cut inside a character at the end
    return b"\x00" not in head


class _Unreadable(Exception):
    def __init__(self, kind: str, worksheet: str | None):
        super().__init__(kind)
        self.kind = kind
        self.worksheet = worksheet

    def where(self, label: str) -> str:
        return f"{label}, worksheet '{self.worksheet}'" if self.worksheet else label


class _Rows(dict):
    """Cells by row of each wanted worksheet; ``names`` lists every worksheet, ``unsaved``
    the (worksheet, row, column) of cells holding nothing (a formula without a saved value
    looks so until the formulas are read)."""

    names: list[str]
    unsaved: list[tuple[str, int, int]]


def _worksheet_rows(path: Path, wanted: list[str], data_only: bool) -> _Rows:
    rows = _Rows()
    rows.unsaved = []
    worksheet = None
    try:
        with warnings.catch_warnings():  # features openpyxl drops (extensions, images)
            warnings.simplefilter("ignore", UserWarning)
            with open(path, "rb") as handle:
                book = openpyxl.load_workbook(handle, read_only=True, data_only=data_only,
                                              keep_links=False)
                rows.names = list(book.sheetnames)
                for worksheet in (n for n in wanted if n in rows.names):
                    rows[worksheet] = cells = []
                    book[worksheet].reset_dimensions()  # exporters write wrong ones
                    for number, row in enumerate(book[worksheet].iter_rows(), start=1):
                        cells.append(row)
                        rows.unsaved += [(worksheet, number, column) for column, c in
                                         enumerate(row, start=1)
                                         if c.value is None and not isinstance(c, EmptyCell)]
                book.close()
    except UNREADABLE as error:
        raise _Unreadable(_describe(error), worksheet) from error
    return rows


def _describe(error: Exception) -> str:
    if isinstance(error, ParseError):
        return f"XML that cannot be read ({error})"
    if isinstance(error, KeyError):
        return f"a zip archive without the parts of a workbook ({error})"
    return f"a damaged workbook ({type(error).__name__}: {error})"


def _formulas(path: Path, unsaved: list[tuple[str, int, int]], sheets: dict[str, RawSheet],
              problems: list[Problem]) -> None:
    """Refuse the formulas among the empty cells: they were saved without their values."""
    formulas = _worksheet_rows(path, sorted({w for w, _, _ in unsaved}), data_only=False)
    text = {(w, row, column): c.value for w, rows in formulas.items()
            for row, cells in enumerate(rows, start=1)
            for column, c in enumerate(cells, start=1) if c.data_type == "f"}
    for worksheet, row, column in unsaved:
        if (worksheet, row, column) in text and worksheet in sheets:
            raw = sheets[worksheet]
            problems.append(Problem(
                raw.label, "a value, not a formula saved without its result (saved by a "
                "program that does not calculate: open and save the workbook in Excel, or "
                "paste values)", row=row, column=raw.column_name(column - 1),
                letter=get_column_letter(column), kind="the formula",
                value=str(text[worksheet, row, column])))


def cell_text(value: object, number_format: str = "General") -> str | None:
    """The text of one Excel cell as a CSV file would hold it; None for a date-time that is
    not a whole day (the caller reports it)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
            return None
        return f"{value:%Y-%m-%d}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)) and percent_format(number_format):
        return format((Decimal(repr(value)) * 100).normalize(), "f") + "%"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def percent_format(number_format: str | None) -> bool:
    """True for an Excel number format that shows a number times 100 with '%' ("0.0%")."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^]]*\]', "", number_format or "")
    return "%" in bare


def _raw_sheet(cells_by_row: list, label: str, problems: list[Problem]) -> RawSheet | None:
    """Rows of cell text with their Excel row numbers (row 1 first; blank rows skipped)."""
    records = []
    timed = []  # (row, column index, value) of date-times with a time of day
    for row, cells in enumerate(cells_by_row, start=1):
        texts = []
        for column, cell in enumerate(cells):
            text = cell_text(cell.value, getattr(cell, "number_format", "General"))
            if text is None:
                timed.append((row, column, cell.value))
                text = ""
            texts.append(text)
        while texts and texts[-1] == "":
            texts.pop()
        if texts:
            records.append((row, tuple(texts)))
    if not records:
        problems.append(Problem(label, "a header row naming the columns", value=""))
        return None
    (header_line, header), *body = records
    width = len(header)
    rows = tuple(cells + ("",) * (width - len(cells)) if len(cells) < width else cells
                 for _, cells in body)
    raw = RawSheet(label, header, rows, tuple(line for line, _ in body), header_line,
                   workbook=True)
    for row, column, value in timed:
        problems.append(Problem(label, "a date without a time of day", row=row,
                                column=raw.column_name(column),
                                letter=get_column_letter(column + 1), value=str(value)))
    return raw


def with_letters(problems: list[Problem], sheets: dict[str, RawSheet]) -> list[Problem]:
    """The problems, those in a worksheet with the letter of their column added."""
    letters = {raw.label: {name: get_column_letter(i + 1) for i, name in
                           reversed(list(enumerate(raw.header)))}
               for raw in sheets.values() if raw.workbook}
    return [replace(p, letter=letters[p.file].get(p.column)) if p.file in letters
            and p.letter is None and p.column is not None else p for p in problems]
