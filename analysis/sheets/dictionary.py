"""The data dictionaries: what each sheet and column holds, its type, unit and allowed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from analysis.common.paths import ROOT

RAW_DICTIONARY = ROOT / "data-raw" / "dictionary.yaml"
DERIVED_DICTIONARY = ROOT / "analysis" / "derivations" / "derived_dictionary.yaml"

TYPES = {"id", "text", "category", "integer", "number", "censored_number", "date", "unit"}
QUANTITIES = {"integer", "number", "censored_number"}  # types that need plausible bounds


@dataclass(frozen=True)
class Column:
    """One column of a sheet as the dictionary declares it; ``meanings`` says what each
    allowed value means when the dictionary gives ``values`` as a mapping."""

    name: str
    type: str
    description: str = ""
    unit: str | None = None
    unit_column: str | None = None
    values: tuple[str, ...] | None = None
    meanings: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    min: float | None = None
    max: float | None = None
    required: bool = False


@dataclass(frozen=True)
class Parameter:
    """One parameter of a long (repeated-measure) sheet: its standard unit and bounds."""

    unit: str
    min: float
    max: float


@dataclass(frozen=True)
class Sheet:
    """One sheet (CSV file) as the dictionary declares it."""

    name: str
    description: str
    key: tuple[str, ...]
    columns: dict[str, Column]
    patient_sheet: bool = False
    parameter_column: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)  # parameter -> standard unit
    bounds: dict[str, Parameter] = field(default_factory=dict)
    rows: int | None = None  # the exact number of rows, when the sheet has a fixed size
    required: bool = False  # at least one data row (other sheets may be empty)
    ignored: tuple[str, ...] = ()  # extra columns accepted and left out

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def unit_columns(self) -> set[str]:
        return {c.unit_column for c in self.columns.values() if c.unit_column}


def _column(name: str, spec: dict, long: bool) -> Column:
    if spec.get("type") not in TYPES:
        raise ValueError(f"dictionary: column {name!r} has unknown type {spec.get('type')!r}")
    per_parameter = long and spec.get("unit_column") and spec.get("unit") is None
    if spec["type"] in QUANTITIES and not per_parameter and (
            spec.get("min") is None or spec.get("max") is None):
        raise ValueError(f"dictionary: column {name!r} needs plausible bounds (min and max)")
    values = spec.get("values")  # a list, or a mapping of each value to what it means
    meanings = ({str(k): str(v) for k, v in values.items()} if isinstance(values, dict)
                else {})
    return Column(
        name=name,
        type=spec["type"],
        description=spec.get("description", ""),
        unit=spec.get("unit"),
        unit_column=spec.get("unit_column"),
        values=tuple(str(v) for v in values) if values is not None else None,
        meanings=meanings,
        min=spec.get("min"),
        max=spec.get("max"),
        required=bool(spec.get("required", False)),
    )


@cache
def load_dictionary(path: Path = RAW_DICTIONARY) -> dict[str, Sheet]:
    """Read a dictionary YAML file into Sheet objects, keyed by sheet name."""
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    sheets = {}
    for name, sheet in spec["sheets"].items():
        long = sheet.get("parameter_column") is not None
        columns = {col: _column(col, c, long) for col, c in sheet["columns"].items()}
        bounds = {str(k): _parameter(name, str(k), v)
                  for k, v in (sheet.get("parameters") or {}).items()}
        sheets[name] = Sheet(
            name=name,
            description=sheet.get("description", ""),
            key=tuple(sheet.get("key", ())),
            columns=columns,
            patient_sheet=bool(sheet.get("patient_sheet", False)),
            parameter_column=sheet.get("parameter_column"),
            parameters={k: b.unit for k, b in bounds.items()},
            bounds=bounds,
            rows=sheet.get("rows"),
            required=bool(sheet.get("required", False)),
            ignored=tuple(sheet.get("ignored_columns", ())),
        )
    return sheets


def _parameter(sheet: str, name: str, spec: dict) -> Parameter:
    if not isinstance(spec, dict) or not {"unit", "min", "max"} <= set(spec):
        raise ValueError(f"dictionary: parameter {name!r} of {sheet} needs unit, min and max")
    return Parameter(str(spec["unit"]), float(spec["min"]), float(spec["max"]))


@cache
def load_rules(path: Path = RAW_DICTIONARY) -> list[dict]:
    """The cross-sheet rules the dictionary declares (see :mod:`analysis.sheets.rules`)."""
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return list(spec.get("rules", []))


@cache
def derived_keys(path: Path = DERIVED_DICTIONARY) -> dict[str, list[str]]:
    """The columns that identify a row of each derived table."""
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {name: list(table["key"]) for name, table in spec["tables"].items()}


@cache
def derived_from(path: Path = DERIVED_DICTIONARY) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """Per derived table and column, the raw (sheet, column) pairs it is computed from (its
    ``from:`` list); a name that is not a column of the raw dictionary is refused."""
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    raw = load_dictionary()
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for name, table in spec["tables"].items():
        out[name] = {}
        for column, entry in table["columns"].items():
            if "from" not in entry:
                raise ValueError(f"{path}: {name}.{column} has no 'from:' list of raw columns")
            pairs = []
            for source in entry["from"]:
                sheet, _, raw_column = str(source).partition(".")
                if sheet not in raw or raw_column not in raw[sheet].columns:
                    raise ValueError(f"{path}: {name}.{column} comes 'from' {source!r}, which "
                                     "is not a sheet.column of data-raw/dictionary.yaml")
                pairs.append((sheet, raw_column))
            out[name][column] = pairs
    return out
