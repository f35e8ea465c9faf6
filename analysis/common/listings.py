"""Listings: per-patient tables that a large cohort's documents link to instead of printing.

Up to :data:`LISTED_PATIENTS` patients the documents print every row of a per-patient table
(the supplement's Additional files 2-4) and every raw cell behind each published number.
Above it they print the first :data:`FIRST_ROWS` rows and the counts, and the full table
is written beside the documents, in the output folder's ``listings/``, as CSV and, up to
:data:`WORKBOOK_ROWS` rows, as an Excel workbook (:func:`write_listing`; a longer one takes
minutes to write and more than a spreadsheet opens comfortably, so it is CSV only). ``nox -s verify`` writes the lineage of every derived value in full up to the
same size and, above it, as its two factors (:mod:`analysis.provenance.sources`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

LISTED_PATIENTS = 50  # patients up to which the documents print per-patient tables in full
FIRST_ROWS = 10  # rows of a listing the documents print above that size
LISTINGS = "listings"  # folder of the listing files, inside the output folder
WORKBOOK_ROWS = 100_000  # rows up to which a listing is also written as a workbook


def in_full(n_patients: int, listed_patients: int = LISTED_PATIENTS) -> bool:
    """Whether a cohort of ``n_patients`` has its per-patient tables printed in full (up to
    ``listed_patients``, by default :data:`LISTED_PATIENTS`)."""
    return n_patients <= listed_patients


def write_listing(frame: pd.DataFrame, output: Path, name: str) -> list[Path]:
    """Write ``frame`` as ``<output>/listings/<name>.csv`` and ``.xlsx`` (CSV only above
    :data:`WORKBOOK_ROWS` rows); the paths written, relative to ``output``."""
    folder = Path(output) / LISTINGS
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / f"{name}.csv"]
    frame.to_csv(written[0], index=False, lineterminator="\n")
    if len(frame) <= WORKBOOK_ROWS:
        written.append(folder / f"{name}.xlsx")
        frame.to_excel(written[1], index=False, sheet_name=name[:31], engine="openpyxl")
    return [path.relative_to(output) for path in written]
