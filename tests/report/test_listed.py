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
