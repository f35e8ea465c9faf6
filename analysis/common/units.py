"""The package's single pint unit registry, with the domain units of the trial sheets.

Domain units defined here:

- ``cell``: one cell (CAR-T doses, cell counts);
- ``copy``: one CAR transgene copy (qPCR);
- ``month_30d``: a month of 30 days, the convention behind the article's intervals
  (e.g. 356 days are reported as 11.87 months);
- ``ratio``: a dimensionless ratio (CD4/CD8).

Lab exports spell units loosely ("cells/uL", "copies/100ng", "%"); :func:`parse_unit`
normalises those spellings before pint reads them.
"""

from __future__ import annotations

import re

import pint

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.define("cell = [cell] = cells")
ureg.define("copy = [transgene_copy] = copies")
ureg.define("month_30d = 30 * day")
ureg.define("ratio = [] ")
Q_ = ureg.Quantity

# Spellings seen in lab exports -> pint spellings. Applied as whole-word substitutions.
_SPELLINGS = {
    "%": "percent",
    "uL": "microliter",
    "µL": "microliter",
    "ul": "microliter",
    "mL": "milliliter",
    "ug": "microgram",
    "µg": "microgram",
    "mm3": "millimeter**3",
    "m2": "meter**2",
    "copies": "copy",
    "cells": "cell",
    "DNA": "",
}


class UnitError(ValueError):
    """A unit string that pint cannot read, or that cannot convert to the expected unit."""


def parse_unit(text: str) -> pint.Unit | pint.Quantity:
    """Read a unit as written in a sheet ("pg/mL", "copies/100ng DNA", "1e6 cell", "degF").

    Returns a pint Unit, or a Quantity when the unit carries a factor ("1e6 cell").
    Raises UnitError for anything pint does not know.
    """
    cleaned = text.strip()
    if not cleaned:
        raise UnitError("empty unit")
    cleaned = re.sub(r"(?<=/)(\d+(?:\.\d+)?)\s*(?=[a-zA-Zµ])", r"(\1 ", cleaned)
    if "(" in cleaned and ")" not in cleaned:
        cleaned += ")"
    for spelled, pint_name in _SPELLINGS.items():
        cleaned = re.sub(rf"(?<![\w]){re.escape(spelled)}(?![\w])", pint_name, cleaned)
    cleaned = cleaned.replace("^", "**").strip()
    try:
        parsed = ureg.parse_expression(cleaned)
    except Exception as exc:  # pint raises several error types for bad strings
        raise UnitError(f"unknown unit {text!r}") from exc
    if isinstance(parsed, (int, float)):
        raise UnitError(f"unknown unit {text!r}")
    if parsed.magnitude == 1 and not _has_factor(cleaned):
        return parsed.units
    return parsed


def _has_factor(cleaned: str) -> bool:
    """True when a unit expression starts with or divides by a number ("1e6 cell", "/100 ng")."""
    return bool(re.search(r"(^|[/(])\s*\d", cleaned))


def convert(values, from_unit: str, to_unit: str):
    """Convert magnitudes (scalar or array) from ``from_unit`` to ``to_unit``.

    Handles offset units (temperatures) and units with factors ("1e6 cell").
    Raises UnitError when the units are unknown or of different dimensions.
    """
    source = parse_unit(from_unit)
    target = parse_unit(to_unit)
    quantity = Q_(values, source) if _is_unit(source) else values * source
    try:
        if _is_unit(target):
            return quantity.to(target).magnitude
        return (quantity / target).to("dimensionless").magnitude  # e.g. to "copies/100ng"
    except pint.DimensionalityError as exc:
        raise UnitError(f"{from_unit!r} cannot be converted to {to_unit!r}") from exc


def _is_unit(parsed) -> bool:
    return isinstance(parsed, pint.Unit)
