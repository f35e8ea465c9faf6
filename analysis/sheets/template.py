"""A workbook to start a cohort from, written from the data dictionary.

``python -m analysis.sheets.template --out cohort.xlsx`` (``nox -s template -- --out
cohort.xlsx``) writes one worksheet per sheet of ``data-raw/dictionary.yaml`` with its header
row, in the dictionary's order, ready to be filled in and passed as ``--data-raw
cohort.xlsx``. Every column is set up from the dictionary:

- categories (and the parameters of long lab sheets) get a drop-down list that refuses
  anything else; unit columns a drop-down of common spellings convertible to the column's
  standard unit that warns on another spelling (any unit pint reads and converts is
  accepted);
- integers are formatted ``0`` and bounded by the dictionary's range; numbers without a unit
  column are bounded by their range in the standard unit; dates are formatted
  ``yyyy-mm-dd``; identifiers, text, units and detection-limit numbers (``<0.01``) are
  formatted as text, so that Excel keeps them as typed.

Two worksheets the reader ignores come first: ``README`` (how to fill it in; every sheet
must stay, even when empty) and ``columns`` (each column's meaning, unit, accepted unit
spellings, allowed values, range and whether it is required). A hidden worksheet ``lists``
holds the drop-down values.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analysis.common.units import UnitError, convert
from analysis.sheets.dictionary import Column, Sheet, load_dictionary

README, COLUMNS, LISTS = "README", "columns", "lists"
LAST_ROW = 1_048_576  # Excel's last row: validations and formats cover the whole column
# Unit spellings lab exports commonly use; a unit column offers those convertible to its unit.
SPELLINGS = ("kg", "g", "lb", "mg", "cell", "1e6 cell", "1e8 cell", "degC", "degF",
             "pg/mL", "ng/L", "ng/mL", "copies/ug", "copies/100ng", "cells/uL", "cells/L",
             "cells/mm3", "%", "ratio", "cm", "m2", "year")
FORMATS = {"date": "yyyy-mm-dd", "integer": "0", "number": "General"}  # others: text ("@")
HEADINGS = ("sheet", "column", "required", "type", "meaning", "standard unit",
            "accepted unit spellings", "allowed values", "range")


def unit_targets(sheet: Sheet, column: Column) -> list[str]:
    """The standard units a unit column's values must convert to (one per parameter in a
    long sheet)."""
    measured = [c for c in sheet.columns.values() if c.unit_column == column.name]
    targets = [c.unit for c in measured if c.unit]
    if sheet.parameter_column and any(c.unit is None for c in measured):
        targets += sheet.parameters.values()
    return list(dict.fromkeys(targets))


def spellings(targets: list[str]) -> list[str]:
    """The common spellings convertible to one of ``targets``, the targets themselves first."""
    out = list(targets)
    for spelling in SPELLINGS:
        for target in targets:
            try:
                convert(1.0, spelling, target)
            except UnitError:
                continue
            out.append(spelling)
            break
    return list(dict.fromkeys(out))


def choices(sheet: Sheet, column: Column) -> list[str] | None:
    """The values a column's drop-down offers: its categories, the parameters of a long
    sheet, or unit spellings; None for a column without a drop-down."""
    if column.name == sheet.parameter_column:
        return list(sheet.parameters)
    if column.type == "category":
        return list(column.values or ())
    if column.type == "unit":
        return spellings(unit_targets(sheet, column))
    return None


def write_template(path: Path, dictionary: dict[str, Sheet] | None = None) -> None:
    """Write the template workbook for ``dictionary`` (default: data-raw/dictionary.yaml)."""
    dictionary = dictionary or load_dictionary()
    clash = {README, COLUMNS, LISTS} & set(dictionary)
    if clash:
        raise ValueError(f"dictionary: a sheet may not be named {', '.join(sorted(clash))}")
    book = openpyxl.Workbook()
    book.remove(book.active)
    _readme(book.create_sheet(README), dictionary)
    described = book.create_sheet(COLUMNS)
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    for sheet in dictionary.values():
        _data_sheet(book.create_sheet(sheet.name), sheet, lists)
    _columns(described, dictionary)
    book.save(path)


def _readme(worksheet: Worksheet, dictionary: dict[str, Sheet]) -> None:
    required = ", ".join(s.name for s in dictionary.values() if s.required or s.rows)
    paragraphs = [
        ("Each worksheet after 'columns' is one sheet of data-raw/dictionary.yaml; row 1 "
         "names its columns. Type one record per row below it; do not rename, reorder or "
         "delete worksheets or header cells."),
        ("Every sheet must exist, even when it stays empty: keep its worksheet with the "
         f"header row only. Sheets that need at least one row: {required}."),
        ("The worksheet 'columns' says what each column holds, its unit, the unit spellings "
         "accepted, the allowed values and whether it is required."),
        ("Drop-down lists offer the allowed values; unit columns accept any unit that "
         "converts to the column's standard unit. Type dates as dates; a value below or "
         "above a detection limit as text such as <0.01."),
        ("This worksheet, 'columns' and the hidden 'lists' are ignored when the workbook is "
         "read. Then run: nox -s render -- --data-raw cohort.xlsx"),
    ]
    worksheet.append(["How to fill in this workbook"])
    worksheet["A1"].font = Font(bold=True)
    for text in paragraphs:
        worksheet.append([text])
    worksheet.append([])
    worksheet.append(["sheet"])
    worksheet.cell(worksheet.max_row, 1).font = Font(bold=True)
    worksheet.cell(worksheet.max_row, 2, "rows").font = Font(bold=True)
    worksheet.cell(worksheet.max_row, 3, "what it holds").font = Font(bold=True)
    for sheet in dictionary.values():
        worksheet.append([sheet.name, _rows(sheet), sheet.description])
    worksheet.column_dimensions["A"].width = 18
    worksheet.column_dimensions["B"].width = 28
    worksheet.column_dimensions["C"].width = 90


def _rows(sheet: Sheet) -> str:
    if sheet.rows is not None:
        return f"exactly {sheet.rows}"
    return "at least 1" if sheet.required else "any number, may be empty"


def _data_sheet(worksheet: Worksheet, sheet: Sheet, lists: Worksheet) -> None:
    worksheet.append(list(sheet.columns))
    worksheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns.values(), start=1):
        letter = get_column_letter(index)
        header = worksheet.cell(1, index)
        header.font = Font(bold=True)
        header.number_format = "@"
        header.comment = Comment(_meaning(sheet, column), "dictionary")
        worksheet.column_dimensions[letter].width = max(12, len(column.name) + 3)
        worksheet.column_dimensions[letter].number_format = FORMATS.get(column.type, "@")
        validation = _validation(sheet, column, lists)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            worksheet.add_data_validation(validation)


def _validation(sheet: Sheet, column: Column, lists: Worksheet) -> DataValidation | None:
    """The data validation of one column, its drop-down values written to ``lists``."""
    values = choices(sheet, column)
    if values is not None:
        index = 1 if lists["A1"].value is None else lists.max_column + 1
        letter = get_column_letter(index)
        lists.cell(1, index, f"{sheet.name}.{column.name}")
        for row, value in enumerate(values, start=2):
            lists.cell(row, index, value).number_format = "@"
        source = f"={LISTS}!${letter}$2:${letter}${len(values) + 1}"
        unit = column.type == "unit"
        return DataValidation(
            type="list", formula1=source, allow_blank=True, showErrorMessage=True,
            errorStyle="warning" if unit else "stop", errorTitle=column.name,
            error=("Not a common spelling: any unit that converts to "
                   f"{' or '.join(unit_targets(sheet, column))} is accepted." if unit else
                   "Choose one of the values in the list."))
    bounded = column.min is not None and column.max is not None
    if column.type == "integer" and bounded:
        kind = "whole"
    elif column.type == "number" and column.unit_column is None and bounded:
        kind = "decimal"
    else:
        return None
    unit = f" {column.unit}" if column.unit and column.unit != "dimensionless" else ""
    return DataValidation(
        type=kind, operator="between", formula1=_number(column.min),
        formula2=_number(column.max), allow_blank=True, showErrorMessage=True,
        errorStyle="stop", errorTitle=column.name,
        error=f"Expected a {'whole ' if kind == 'whole' else ''}number from "
              f"{_number(column.min)} to {_number(column.max)}{unit}.")


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() and abs(value) < 1e6 else repr(
        float(value))


def _meaning(sheet: Sheet, column: Column) -> str:
    unit = f" ({column.unit})" if column.unit and column.unit != "dimensionless" else ""
    need = "required" if column.required else "optional"
    return f"{column.description}{unit}; {need}."


def _columns(worksheet: Worksheet, dictionary: dict[str, Sheet]) -> None:
    worksheet.append(list(HEADINGS))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    worksheet.freeze_panes = "A2"
    for sheet in dictionary.values():
        for column in sheet.columns.values():
            worksheet.append(describe(sheet, column))
    for index, width in enumerate((16, 24, 10, 16, 60, 18, 40, 60, 22), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    for row in worksheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def describe(sheet: Sheet, column: Column) -> list[str]:
    """One row of the ``columns`` worksheet, in the order of HEADINGS."""
    if column.unit_column:
        standard = column.unit or ", ".join(f"{name}: {unit}" for name, unit
                                            in sheet.parameters.items())
        standard = f"{standard} (unit in '{column.unit_column}')"
    else:
        standard = column.unit or ""
    accepted = ""
    if column.type == "unit":
        targets = unit_targets(sheet, column)
        accepted = (", ".join(spellings(targets)) + "; or any unit that converts to "
                    + " or ".join(targets))
    return [sheet.name, column.name, "yes" if column.required else "no", column.type,
            column.description, standard, accepted, _allowed(sheet, column),
            _range(sheet, column)]


def _allowed(sheet: Sheet, column: Column) -> str:
    if column.name == sheet.parameter_column:
        return "; ".join(f"{name} (in {bound.unit}, {_number(bound.min)} to "
                         f"{_number(bound.max)})" for name, bound in sheet.bounds.items())
    if column.meanings:
        return "; ".join(f"{value}: {meaning}" for value, meaning in column.meanings.items())
    if column.values:
        return ", ".join(column.values)
    if column.type == "censored_number":
        return 'a number, or a detection limit such as "<0.01" or ">5000"'
    if column.type == "date":
        return "a date"
    return ""


def _range(sheet: Sheet, column: Column) -> str:
    if column.min is None or column.max is None:
        return "per parameter" if column.unit_column and sheet.parameter_column else ""
    unit = f" {column.unit}" if column.unit and column.unit != "dimensionless" else ""
    return f"{_number(column.min)} to {_number(column.max)}{unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.sheets.template",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True,
                        help="the workbook to write (.xlsx; an existing file is not replaced)")
    args = parser.parse_args(argv)
    out: Path = args.out
    problem = None
    if out.suffix.lower() != ".xlsx":
        problem = "expected a file name ending in .xlsx"
    elif out.exists() or out.is_symlink():
        problem = "exists already; choose another name or move it away (it is not replaced)"
    elif not out.parent.is_dir():
        problem = f"its folder {out.parent} does not exist"
    if problem is None:
        staging = out.with_name(f".{out.name}.partial")
        try:
            write_template(staging)
            staging.rename(out)
        except OSError as error:
            staging.unlink(missing_ok=True)
            problem = f"cannot be written ({error.strerror or error})"
    if problem is not None:
        print(f"template: {out}: {problem}", file=sys.stderr)
        return 2
    print(f"template: wrote {out} (fill it in, then: nox -s render -- --data-raw {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
