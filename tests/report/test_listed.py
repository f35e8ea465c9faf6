"""Above the listing size a document prints the first rows of a per-patient table and links
the whole of it, written beside the documents as CSV and XLSX; popups list the first cells
behind a number with the total. The size is a parameter, so a small cohort stands in for a
large one."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.common.listings import FIRST_ROWS, LISTINGS
from analysis.report.listed import per_patient


@pytest.fixture()
def table() -> pd.DataFrame:
    n = FIRST_ROWS + 3
    return pd.DataFrame({"patient": [f"p{i:02d}" for i in range(n)], "age": range(n)})


def test_a_cohort_listed_in_full_prints_every_row_and_writes_nothing(table, tmp_path):
    shown, sentence = per_patient(table, "additional_file_2", len(table), tmp_path,
                                  listed_patients=len(table))
    assert shown.equals(table) and sentence == ""
    assert not (tmp_path / LISTINGS).exists()


def test_above_the_size_the_first_rows_are_printed_and_every_row_linked(table, tmp_path):
    shown, sentence = per_patient(table, "additional_file_2", len(table), tmp_path,
                                  listed_patients=len(table) - 1)
    assert shown.equals(table.head(FIRST_ROWS))
    for ext in ("csv", "xlsx"):
        link = f"{LISTINGS}/additional_file_2.{ext}"
        assert f"[{link}]({link})" in sentence
    assert f"Above {len(table) - 1} patients" in sentence
    assert f"{FIRST_ROWS} of {len(table)}" in sentence
    assert pd.read_csv(tmp_path / LISTINGS / "additional_file_2.csv").equals(table)
    assert pd.read_excel(tmp_path / LISTINGS / "additional_file_2.xlsx").equals(table)


def test_popups_above_the_size_list_the_first_cells_and_count_them_all(bundled_derived):
    from analysis.common.paths import cohort_paths
    from analysis.provenance import details
    from analysis.provenance import cells as provenance
    from analysis.provenance.sources import cohort_lineage

    paths = cohort_paths(None)
    sources, basis = cohort_lineage(paths), provenance.cell_rules(paths.raw)
    n_patients = len(bundled_derived["adsl"])
    full = details.details(bundled_derived, sources, basis)
    bounded = details.details(bundled_derived, sources, basis, listed_patients=n_patients - 1)
    assert any(len(popup["cells"]) > FIRST_ROWS for popup in full.values())
    assert full.keys() == bounded.keys()
    for claim_id, popup in bounded.items():
        assert len(popup["cells"]) == min(FIRST_ROWS, popup["total"])
        assert popup["cells"] == full[claim_id]["cells"][:FIRST_ROWS]
        assert {k: v for k, v in popup.items() if k != "cells"} == {
            k: v for k, v in full[claim_id].items() if k != "cells"}


def test_the_table_per_claim_is_linked_above_the_size_and_says_what_popups_list(tmp_path):
    from analysis.report.listed import per_claim

    counts = pd.DataFrame({"claim": ["n_patients", "orr_cart2"], "raw cells": [12, 40]})
    assert per_claim(counts, "raw_cells_per_claim", 5, tmp_path, listed_patients=5) == ""
    assert not (tmp_path / LISTINGS).exists()
    sentence = per_claim(counts, "raw_cells_per_claim", 5, tmp_path, listed_patients=4)
    assert f"the first {FIRST_ROWS} raw cells" in sentence
    assert "`nox -s trace -- ID`" in sentence
    assert f"[{LISTINGS}/raw_cells_per_claim.csv]({LISTINGS}/raw_cells_per_claim.csv)" in sentence
    assert pd.read_csv(tmp_path / LISTINGS / "raw_cells_per_claim.csv").equals(counts)


def test_the_readme_states_the_listing_size_the_code_uses():
    from pathlib import Path

    from analysis.common.listings import LISTED_PATIENTS, WORKBOOK_ROWS
    from analysis.provenance.details import MAX_CELLS

    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    assert f"above {LISTED_PATIENTS} patients (`LISTED_PATIENTS`" in readme
    assert f"the first {FIRST_ROWS} rows of Additional files 2-4" in readme
    assert f"CSV alone above {WORKBOOK_ROWS:,} rows" in readme
    assert f"the first {FIRST_ROWS} raw cells behind its number ({MAX_CELLS} up to" in readme


def test_notes_on_patients_not_printed_go_to_a_listing_file(table, tmp_path):
    from analysis.report.listed import patient_notes

    notes = ["p00: CSF blasts before CART1.", f"p{FIRST_ROWS + 1:02d}: testis.",
             "Status 'in CR' at the cut-off is inferred."]
    shown, _ = per_patient(table, "additional_file_2", len(table), tmp_path,
                           listed_patients=len(table) - 1)
    kept, sentence = patient_notes(notes, table, shown, "additional_file_2_notes", tmp_path)
    assert kept == [notes[0], notes[2]]
    assert "(1)" in sentence and f"[{LISTINGS}/additional_file_2_notes.csv]" in sentence
    assert pd.read_csv(tmp_path / LISTINGS / "additional_file_2_notes.csv")["note"].tolist() == [
        notes[1]]
    assert patient_notes(notes, table, table, "additional_file_2_notes", tmp_path) == (notes, "")
