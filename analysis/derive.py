"""Command ``python -m analysis.derive``: raw sheets -> checked, unit-converted derived tables.

Reads a cohort directory, validates it against the data dictionary, derives the analysis
tables and writes them, with their dictionary and a manifest (SHA-256 of every raw sheet
read, code version), into the cohort's ``data-derived/`` folder. The folder is replaced
only when everything succeeded. Exit status 2 means the input was rejected.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.common.paths import cohort_paths, shown_path
from analysis.derivations.store import derive
from analysis.sheets.problems import InputError


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
        derive(args.data_raw or paths.raw, out, force=args.force)  # messages: the name typed
    except InputError as error:
        print(error.report(), file=sys.stderr)
        print("derive: stopped; nothing was written", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"derive: interrupted; {shown_path(out)} left as it was", file=sys.stderr)
        return 130
    except OSError as error:
        print(f"derive: {error.strerror or error} ({error.filename or shown_path(out)}); "
              f"{shown_path(out)} left as it was", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
