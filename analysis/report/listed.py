"""What the documents print of a per-patient table: all of it for a small cohort, the first
rows and a link to the listing files for a large one (:mod:`analysis.common.listings`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.common.listings import FIRST_ROWS, LISTED_PATIENTS, in_full, write_listing


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
        f"The first {FIRST_ROWS} of {len(table):,} rows; every row is in {links(files)}, "
        "beside this document.")
