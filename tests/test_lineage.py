"""Per-claim provenance is traced from the computation: the rows it names are the ones the
number depends on."""

from __future__ import annotations

import csv

from analysis import lineage
from analysis.claims import compute, load_ledger
from analysis.derivations.adam import derive_tables
from analysis.sheets import read_cohort

CLAIMS = {c.id: c for c in load_ledger()}


def _lines(path) -> dict[int, dict]:
    with open(path, encoding="utf-8") as handle:
        return {i + 2: row for i, row in enumerate(csv.DictReader(handle))}


def test_patient_claim_traces_to_that_patients_raw_lines(bundled_derived, cohort_copy):
    trace = lineage.claim_provenance(CLAIMS["pt03_mrd_pre"], bundled_derived)
    assert trace["patients"] == ["pt03"]
    assert "analysis.results.mrd_at" in trace["functions"]
    assert {"mrd_pct"} <= trace["derived"]["adrs"]["columns"]
    lines = trace["raw"]["assessments"]
    rows = _lines(cohort_copy / "assessments.csv")
    assert lines and all(rows[n]["patient_id"] == "pt03" for n in lines)


def test_changing_a_traced_cell_changes_the_claim_and_an_untraced_one_does_not(cohort_copy):
    claim = CLAIMS["pt03_mrd_pre"]
    before = compute(claim, derive_tables(read_cohort(cohort_copy)))
    trace = lineage.claim_provenance(claim, derive_tables(read_cohort(cohort_copy)))
    path = cohort_copy / "assessments.csv"
    rows = _lines(path)
    traced = min(trace["raw"]["assessments"])
    untraced = next(n for n, r in rows.items() if r["patient_id"] != "pt03" and r["mrd"])

    def with_mrd(line: int, value: str) -> float:
        text = path.read_text(encoding="utf-8").splitlines()
        header = text[0].split(",")
        cells = text[line - 1].split(",")
        original = cells[header.index("mrd")]
        cells[header.index("mrd")] = value
        text[line - 1] = ",".join(cells)
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        value = compute(claim, derive_tables(read_cohort(cohort_copy)))
        cells[header.index("mrd")] = original
        text[line - 1] = ",".join(cells)
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        return value

    assert with_mrd(untraced, "42") == before
    assert with_mrd(traced, "42") == 42


def test_count_claim_reads_every_patient(bundled_derived):
    trace = lineage.claim_provenance(CLAIMS["n_patients"], bundled_derived)
    assert len(trace["patients"]) == len(bundled_derived["adsl"])


def test_table_has_one_row_per_claim(bundled_derived):
    table = lineage.provenance_table(bundled_derived)
    assert list(table["id"]) == list(CLAIMS)
    assert table["derived"].str.len().gt(0).all()
    assert table["functions"].str.contains("results.").all()
