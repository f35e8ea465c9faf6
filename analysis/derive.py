"""Command ``python -m analysis.derive``: raw sheets -> checked, unit-converted derived tables.

Reads a cohort directory, validates it against the data dictionary, derives the analysis
tables and writes them, with their dictionary and a manifest (SHA-256 of every raw sheet
read, code version), into the cohort's ``data-derived/`` folder. The folder is replaced
only when everything succeeded. Exit status 2 means the input was rejected.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.atomic import locked, replace_dir
from analysis.dictionary import DERIVED_DICTIONARY, RAW_DICTIONARY, load_dictionary
from analysis.formatting import plural
from analysis.paths import ROOT, CohortPaths, cohort_paths, is_workbook
from analysis.problems import InputError, Problem

if TYPE_CHECKING:  # pandas, pint and scipy are imported only when there is work to do, so
    import pandas as pd  # the check that a cohort is up to date starts in a fraction of a second

    from analysis.results import Tables

MANIFEST = "manifest.json"


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


def derive(raw_dir: Path, out_dir: Path, force: bool = False) -> dict:
    """Validate ``raw_dir`` and (re)write ``out_dir``; returns the manifest.

    When the manifest in ``out_dir`` names the same sheet hashes and code fingerprint, the
    sheets were validated and derived before: nothing is read again."""
    if not force:
        with locked(out_dir):
            previous = _up_to_date(raw_dir, out_dir)
        if previous is not None:
            return previous
    from analysis.sheets import read_cohort

    print(f"derive: reading sheets from {_show(raw_dir)}", file=sys.stderr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cohort = read_cohort(raw_dir)
    for warning in caught:
        print(f"derive: warning: {warning.message}", file=sys.stderr)
    with locked(out_dir):  # another derive of this cohort waits, then finds it up to date
        return _write(cohort, raw_dir, out_dir, force)


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
    print(f"derive: {_show(out_dir)} is up to date", file=sys.stderr)
    return old


def _write(cohort: dict[str, pd.DataFrame], raw_dir: Path, out_dir: Path, force: bool) -> dict:
    if not force and (previous := _up_to_date(raw_dir, out_dir)) is not None:
        return previous  # another derive of this cohort finished while this one waited
    manifest = input_manifest(raw_dir)
    from analysis.derivations.adam import derive_tables

    n_patients = len(cohort["patients"])
    print(f"derive: {plural(n_patients, 'patient')} validated; deriving tables",
          file=sys.stderr)
    tables = derive_tables(cohort)
    _check_finite(tables)
    manifest["tables"] = {}
    with replace_dir(out_dir) as staging:
        for name, frame in tables.items():
            write_table(frame, staging / f"{name}.csv")
            manifest["tables"][f"{name}.csv"] = sha256(staging / f"{name}.csv")
        shutil.copyfile(DERIVED_DICTIONARY, staging / "dictionary.yaml")
        manifest["n_patients"] = n_patients
        study = cohort["study"].iloc[0]
        manifest["study_id"] = str(study["study_id"])
        manifest["registry_id"] = str(study["registry_id"])
        manifest["data_cutoff"] = f"{study['data_cutoff']:%Y-%m-%d}"
        manifest["efs_rule"] = str(study["efs_rule"])
        manifest["centres"] = sorted(cohort["patients"]["centre"].astype(str).unique())
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"derive: wrote {len(tables)} tables to {_show(out_dir)} "
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
    from analysis.results import load_derived

    try:
        derive(paths.raw, paths.derived)
    except InputError as error:
        print(error.report(), file=sys.stderr)
        return None
    return load_derived(paths.derived)


def _show(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.derive", description=__doc__)
    parser.add_argument("--data-raw", type=Path, default=None,
                        help="cohort directory of CSV sheets or Excel workbook (default: data-raw/)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the derived tables (default: the cohort's own)")
    parser.add_argument("--force", action="store_true", help="derive even if up to date")
    args = parser.parse_args(argv)
    paths = cohort_paths(args.data_raw)
    out = args.out or paths.derived
    try:
        derive(paths.raw, out, force=args.force)
    except InputError as error:
        print(error.report(), file=sys.stderr)
        print("derive: stopped; nothing was written", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"derive: interrupted; {_show(out)} left as it was", file=sys.stderr)
        return 130
    except OSError as error:
        print(f"derive: {error.strerror or error} ({error.filename or _show(out)}); "
              f"{_show(out)} left as it was", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
