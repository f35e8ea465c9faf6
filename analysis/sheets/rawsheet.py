"""A sheet as read from its source, before any check against the data dictionary.

Whatever the source (a CSV file, a worksheet of a workbook), a sheet reaches the checks in
:mod:`analysis.sheets.cohort` as a :class:`RawSheet`: a label naming it in messages, the header
cells, and the data rows as cell strings, each with the physical line (or worksheet row) it
starts on. Blank lines are skipped but counted, so a message's row number is the one an
editor shows. File-level problems (missing, not a regular file, outside the cohort folder,
byte-order mark, not UTF-8, an unterminated quote) are recorded here; problems of shape
(ragged rows, duplicate or blank column names, NUL characters) are checked for every source
by :func:`structure_problems`.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analysis.sheets.problems import Problem

csv.field_size_limit(sys.maxsize)  # cells of any size are read, then checked in linear time


@dataclass(frozen=True)
class RawSheet:
    """Header and rows of cell strings of one sheet, with physical line numbers."""

    label: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]  # physical line (worksheet row) where each data row starts
    header_line: int = 1
    workbook: bool = False  # a worksheet of a workbook (else a CSV file)

    def column_name(self, index: int) -> str | None:
        """The name in the header of the column at 0-based ``index`` (None past the header
        or for a blank name)."""
        return (self.header[index] or None) if index < len(self.header) else None


def read_csv_sheet(path: Path, folder: Path, problems: list[Problem]) -> RawSheet | None:
    """The sheet in the CSV file ``path`` inside the cohort ``folder``; None (problems
    recorded) when the file cannot be read as one."""
    label = str(path)
    data = _file_bytes(path, folder, problems)
    if data is None:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(label, "UTF-8 without a byte-order mark", row=1,
                                value="byte-order mark"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(label, "UTF-8 text", row=line,
                                value=data[exc.start: exc.start + 4].hex(" ")))
        return None
    if not text.strip():
        problems.append(Problem(label, "a header line naming the columns", value=""))
        return None
    return _parse_csv(text, label, problems)


def _file_bytes(path: Path, folder: Path, problems: list[Problem]) -> bytes | None:
    """The bytes of a regular file that lies inside ``folder`` (symlinks resolved)."""
    label = str(path)
    if not path.exists() and not path.is_symlink():
        problems.append(Problem(label, "this sheet to exist (see data-raw/dictionary.yaml)"))
        return None
    resolved = path.resolve()
    if not resolved.is_relative_to(Path(folder).resolve()):
        problems.append(Problem(label, "a file inside the cohort folder (not a link to "
                                "a file elsewhere)", value=str(resolved)))
        return None
    try:
        mode = os.stat(resolved).st_mode
        if not stat.S_ISREG(mode):
            problems.append(Problem(label, "a regular file", value=_kind(mode)))
            return None
        return resolved.read_bytes()
    except OSError as exc:
        problems.append(Problem(label, "a readable file", value=exc.strerror))
        return None


def _kind(mode: int) -> str:
    return "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"


def _parse_csv(text: str, label: str, problems: list[Problem]) -> RawSheet | None:
    """Rows of a CSV text with the physical line each starts on (blank lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if cells:
                records.append((start, cells))
    except csv.Error as exc:
        problems.append(Problem(label, _csv_expectation(str(exc)), row=end + 1,
                                value=str(exc)))
        return None
    if not records:
        problems.append(Problem(label, "a header line naming the columns", value=""))
        return None
    (header_line, header), *body = records
    return RawSheet(label, tuple(header), tuple(tuple(cells) for _, cells in body),
                    tuple(line for line, _ in body), header_line)


def _csv_expectation(error: str) -> str:
    if "end of data" in error:
        return "every quoted cell closed by a quote (\") before the end of the file"
    return "CSV cells separated by commas, with quotes (\") only around a whole cell"


def structure_problems(raw: RawSheet) -> list[Problem]:
    """Blank or repeated column names, rows whose cell count differs from the header's,
    and NUL characters."""
    problems = []
    for name, count in Counter(raw.header).items():
        if name.strip() == "":
            problems.append(Problem(raw.label, "a name for every column", row=raw.header_line,
                                    value=name))
        elif count > 1:
            problems.append(Problem(raw.label, "each column name once", row=raw.header_line,
                                    column=name, value=f"{count} columns named '{name}'"))
    width = len(raw.header)
    for line, cells in zip(raw.lines, raw.rows, strict=True):
        if len(cells) != width and raw.workbook:
            problems.append(Problem(raw.label, f"cells only in the {width} columns the header "
                                    "names", row=line, value=f"{len(cells)} cells"))
        elif len(cells) != width:
            problems.append(Problem(
                raw.label, f"{width} cells as in the header (a comma inside a cell, e.g. a "
                "decimal comma, must be quoted)", row=line, value=f"{len(cells)} cells"))
        if "\x00" not in "".join(cells):
            continue
        for name, cell in zip(raw.header, cells, strict=False):
            if "\x00" in cell:
                problems.append(Problem(raw.label, "text without NUL characters", row=line,
                                        column=name, value=cell))
    return problems
