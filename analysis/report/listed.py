"""What the documents print of a per-patient table: all of it for a small cohort, the first
rows and a link to the listing files for a large one (:mod:`analysis.common.listings`); the
supplement's table of raw cells per claim, printed whole, also as a listing file for a large
one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.common.listings import FIRST_ROWS, LISTED_PATIENTS, in_full, write_listing
from analysis.provenance.details import first_cells


def links(files: list[Path]) -> str:
    """'[listings/x.csv](listings/x.csv) and [listings/x.xlsx](listings/x.xlsx)'."""
    return " and ".join(f"[{path.as_posix()}]({path.as_posix()})" for path in files)


def per_patient(table: pd.DataFrame, name: str, n_patients: int, output: Path,
                listed_patients: int = LISTED_PATIENTS) -> tuple[pd.DataFrame, str]:
    """The rows of ``table`` a document prints and a sentence on the others: every row and
    no sentence for a cohort listed in full (up to ``listed_patients``); otherwise the first
    rows, with the whole table written to ``listings/<name>`` in ``output`` and the sentence
    linking it."""
    if in_full(n_patients, listed_patients) or len(table) <= FIRST_ROWS:
        return table, ""
    files = write_listing(table, output, name)
    return table.head(FIRST_ROWS), (
        f"Above {listed_patients:,} patients the per-patient tables print their first "
        f"{FIRST_ROWS} rows: here {FIRST_ROWS} of {len(table):,}; every row is in "
        f"{links(files)}, beside this document.")


def per_claim(table: pd.DataFrame, name: str, n_patients: int, output: Path,
              listed_patients: int = LISTED_PATIENTS) -> str:
    """For a cohort above ``listed_patients``: ``table`` (one row per claim, printed in
    full) also written to ``listings/<name>`` in ``output``, and a sentence linking it and
    saying how many raw cells a popup lists (:func:`analysis.provenance.details.first_cells`);
    an empty string otherwise."""
    if in_full(n_patients, listed_patients):
        return ""
    files = write_listing(table, output, name)
    shown = first_cells(n_patients, listed_patients)
    return (f"Above {listed_patients:,} patients a popup lists the first {shown} raw cells "
            "behind its number and counts them all; `nox -s trace -- ID` lists every one. "
            f"This table is also in {links(files)}, beside this document.")
