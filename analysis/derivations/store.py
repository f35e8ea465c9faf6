"""The derived tables on disk: derive a cohort into its folder, and read them back.

:func:`derive` validates a cohort's raw sheets (:mod:`analysis.sheets`), derives the analysis
tables (:mod:`analysis.derivations.adam`) and writes them, with their dictionary and a
manifest (SHA-256 of every raw sheet read, code version, the input warnings) and the
tables' row lineage (``lineage.csv.gz``: the raw rows behind each derived row, see
:mod:`analysis.provenance.sources`), into the cohort's ``data-derived/`` folder, replaced
only when everything succeeded; an up-to-date folder is recognised from its manifest before
any sheet is read (its warnings are shown again). :func:`load_derived` reads the tables for
every later stage.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from analysis.common.atomic import existing, locked, replace_dir
from analysis.common.formatting import plural
from analysis.common.paths import ROOT, CohortPaths, is_workbook, shown_path
from analysis.sheets.dictionary import DERIVED_DICTIONARY, RAW_DICTIONARY, load_dictionary
from analysis.sheets.problems import InputError, InputWarning, Problem

if TYPE_CHECKING:  # pandas, pint and scipy are imported only when there is work to do, so
    import pandas as pd  # the check that a cohort is up to date starts in a fraction of a second

Tables: TypeAlias = "dict[str, pd.DataFrame]"  # derived tables by name (adsl, adcourse, ...)
DATE_COLUMNS = ("date", "infusion_date", "sample_date", "assessment_date", "event_date")

MANIFEST = "manifest.json"
LINEAGE = "lineage.csv.gz"  # not *.csv: load_derived reads the tables only
LINEAGE_TABLE = ["table", "row", "label", "sheet", "line"]


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def code_fingerprint() -> str:
    """SHA-256 over the analysis package's sources and dictionaries (first 12 hex digits)."""
    digest = hashlib.sha256()
    sources = sorted((ROOT / "analysis").rglob("*.py")) + [RAW_DICTIONARY, DERIVED_DICTIONARY]
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def git_revision() -> str:
    """Short git commit of the checkout (with '-dirty' for uncommitted changes), or 'unknown'."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def input_manifest(raw_dir: Path) -> dict:
    """What a derivation depends on: raw sheet hashes and the code fingerprint."""
    if is_workbook(raw_dir):
        sheets = {raw_dir.name: sha256(raw_dir)}
    else:
        sheets = {s.filename: sha256(raw_dir / s.filename) for s in load_dictionary().values()}
    data = hashlib.sha256("".join(f"{k}={v};" for k, v in sheets.items()).encode())
    return {
        "raw_sheets": sheets,
        "data_fingerprint": data.hexdigest()[:12],
        "code_fingerprint": code_fingerprint(),
    }


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a derived table as CSV with a fixed float format (byte-stable across runs)."""
    frame.to_csv(path, index=False, float_format="%.10g", lineterminator="\n",
                 date_format="%Y-%m-%d")


def write_lineage(frames: dict[str, pd.DataFrame], path: Path) -> None:
    """Write the row lineage of the derived tables (per table: row position, the derived
    columns fed, raw sheet and line; :func:`analysis.derivations.adam.derive_lineage`) as
    one gzipped CSV, byte-stable across runs."""
    import pandas as pd

    pd.concat([frame.assign(table=name) for name, frame in frames.items()],
              ignore_index=True)[LINEAGE_TABLE].to_csv(
        path, index=False, lineterminator="\n",
        compression={"method": "gzip", "compresslevel": 1, "mtime": 0})


def load_lineage(directory: Path) -> dict[str, pd.DataFrame] | None:
    """The row lineage :func:`write_lineage` wrote into a ``data-derived`` folder, per table,
    in the order written; None when the folder has none (derived by an older version)."""
    import pandas as pd

    path = Path(directory) / LINEAGE
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype={"table": str, "row": "int64", "label": "category",
                                     "sheet": "category", "line": "int64"},
                        keep_default_na=False)
    return {str(name): part.drop(columns="table").reset_index(drop=True)
            for name, part in frame.groupby("table", sort=False)}


def derive(raw_dir: Path, out_dir: Path, force: bool = False) -> dict:
    """Validate ``raw_dir`` and (re)write ``out_dir``; returns the manifest.

    When the manifest in ``out_dir`` names the same sheet hashes and code fingerprint, the
    sheets were validated and derived before: nothing is read again."""
    if not force and Path(out_dir).is_dir():  # no folder yet: nothing to lock or compare
        with locked(out_dir):
            previous = _up_to_date(raw_dir, out_dir)
        if previous is not None:
            return previous
    from analysis.sheets.cohort import read_cohort

    print(f"derive: reading sheets from {shown_path(raw_dir)}", file=sys.stderr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cohort = read_cohort(raw_dir)
    for warning in caught:
        if not issubclass(warning.category, InputWarning):
            print(f"derive: warning: {warning.message}", file=sys.stderr)
    found = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
    _show_warnings(found)
    kept = [text.replace(str(raw_dir), Path(raw_dir).name, 1) for text in found]  # no path
    with locked(out_dir):  # another derive of this cohort waits, then finds it up to date
        return _write(cohort, raw_dir, out_dir, force, kept)


def _show_warnings(found: list[str]) -> None:
    """The input warnings as the input problems are listed, one a line."""
    if found:
        print(f"derive: {plural(len(found), 'warning')} about the input sheets:\n"
              + "\n".join(f"  - {text}" for text in found), file=sys.stderr)


def _up_to_date(raw_dir: Path, out_dir: Path) -> dict | None:
    """The manifest in ``out_dir`` when it was derived from these very sheets and code."""
    previous = out_dir / MANIFEST
    if not previous.is_file():
        return None
    try:
        manifest = input_manifest(raw_dir)
    except OSError:  # a sheet missing or unreadable: the full read reports it
        return None
    old = json.loads(previous.read_text())
    if {k: old.get(k) for k in manifest} != manifest:
        return None
    print(f"derive: {shown_path(out_dir)} is up to date", file=sys.stderr)
    _show_warnings(old.get("warnings", []))
    return old


def _write(cohort: dict[str, pd.DataFrame], raw_dir: Path, out_dir: Path, force: bool,
           found: list[str]) -> dict:
    if not force and (previous := _up_to_date(raw_dir, out_dir)) is not None:
        return previous  # another derive of this cohort finished while this one waited
    manifest = input_manifest(raw_dir)
    import pandas as pd

    from analysis.derivations.adam import derive_lineage

    n_patients = len(cohort["patients"])
    print(f"derive: {plural(n_patients, 'patient')} validated; deriving tables",
          file=sys.stderr)
    tables, lineage = derive_lineage(cohort)
    _check_finite(tables)
    manifest["tables"] = {}
    with replace_dir(out_dir) as staging:
        for name, frame in tables.items():
            write_table(frame, staging / f"{name}.csv")
            manifest["tables"][f"{name}.csv"] = sha256(staging / f"{name}.csv")
        write_lineage(lineage, staging / LINEAGE)
        shutil.copyfile(DERIVED_DICTIONARY, staging / "dictionary.yaml")
        manifest["n_patients"] = n_patients
        study = cohort["study"].iloc[0]
        manifest["study_id"] = str(study["study_id"])
        registry = study.get("registry_id")  # optional: a study may not be registered
        manifest["registry_id"] = None if pd.isna(registry) else str(registry)
        manifest["data_cutoff"] = f"{study['data_cutoff']:%Y-%m-%d}"
        manifest["efs_rule"] = str(study["efs_rule"])
        manifest["centres"] = sorted(cohort["patients"]["centre"].astype(str).unique())
        manifest["warnings"] = found
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"derive: wrote {len(tables)} tables to {shown_path(out_dir)} "
          f"(data {manifest['data_fingerprint']}, code {manifest['code_fingerprint']})",
          file=sys.stderr)
    return manifest


def _check_finite(tables: dict[str, pd.DataFrame]) -> None:
    """Refuse sheets whose values, each plausible, combine into an infinite derived value."""
    import numpy as np

    problems = [Problem(f"derived table {name}", "finite values from the sheets",
                        column=column, value=f"{int(count)} infinite")
                for name, frame in tables.items()
                for column, count in np.isinf(frame.select_dtypes("number").astype(float)
                                              ).sum().items() if count]
    if problems:
        raise InputError(problems)


def derived_tables(paths: CohortPaths) -> Tables | None:
    """A cohort's derived tables, derived first when its sheets or the code changed; None
    (with the problems printed) when the sheets are rejected."""
    try:
        derive(paths.raw, paths.derived)
    except InputError as error:
        print(error.report(), file=sys.stderr)
        return None
    return load_derived(paths.derived)


def load_derived(directory: Path) -> Tables:
    """Read every derived table (``*.csv``) of a ``data-derived`` folder (MissingOutput if
    there is none)."""
    import pandas as pd

    tables = {}
    for path in sorted(existing(Path(directory)).glob("*.csv")):
        frame = pd.read_csv(path)
        for column in frame.columns:
            if column.endswith("_date") or column in DATE_COLUMNS:
                frame[column] = pd.to_datetime(frame[column])
        tables[path.stem] = frame
    return tables
