"""What the documents print of a per-patient table: all of it for a small cohort, the first
rows and a link to the listing files for a large one (:mod:`analysis.common.listings`); the
supplement's table of raw cells per claim, printed whole, also as a listing file for a large
one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.common.listings import FIRST_ROWS, LISTED_PATIENTS, in_full, write_listing
from analysis.ledger.claims import unspanned
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


def patient_notes(notes: list[str], table: pd.DataFrame, shown: pd.DataFrame, name: str,
                  output: Path) -> tuple[list[str], str]:
    """The notes of a per-patient table about the rows a document prints: when ``shown`` is
    the first rows of ``table`` (:func:`per_patient`), the notes on its other patients (a
    note on a patient starts 'patient: ', as the table's first column prints the patient)
    are written to ``listings/<name>`` in ``output`` and a sentence links them; every other
    note is kept."""
    if len(shown) == len(table):
        return notes, ""
    hidden = {f"{patient}: " for patient in table.iloc[len(shown):, 0]}

    def about_hidden(note: str) -> bool:
        return any(note[:at + 2] in hidden for at in range(len(note)) if note.startswith(": ", at))

    moved = [note for note in notes if about_hidden(note)]
    if not moved:
        return notes, ""
    files = write_listing(pd.DataFrame({"note": [unspanned(note) for note in moved]}), output,
                          name)
    return [note for note in notes if not about_hidden(note)], (
        f"The notes on the other patients ({len(moved):,}) are in {links(files)}.")
