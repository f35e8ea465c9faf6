"""Per-claim provenance is traced from the computation: the rows it names are the ones the
number depends on."""

from __future__ import annotations

import csv

import pytest

from analysis.common.paths import ROOT
from analysis.derivations.adam import derive_tables
from analysis.ledger.claims import compute, load_ledger
from analysis.provenance import lineage
from analysis.sheets.cohort import read_cohort

CLAIMS = {c.id: c for c in load_ledger()}


def _lines(path) -> dict[int, dict]:
    with open(path, encoding="utf-8") as handle:
        return {i + 2: row for i, row in enumerate(csv.DictReader(handle))}


def test_patient_claim_traces_to_that_patients_raw_lines(bundled_derived, bundled_lineage,
                                                        cohort_copy):
    trace = lineage.claim_provenance(CLAIMS["pt03_mrd_pre"], bundled_derived, bundled_lineage)
    assert trace["patients"] == ["pt03"]
    assert "analysis.results.measures.mrd_at" in trace["functions"]
    assert {"mrd_pct"} <= trace["derived"]["adrs"]["columns"]
    lines = trace["raw"]["assessments"]["mrd"]
    rows = _lines(cohort_copy / "assessments.csv")
    assert len(lines) and all(rows[n]["patient_id"] == "pt03" for n in lines)


def test_changing_a_traced_cell_changes_the_claim_and_an_untraced_one_does_not(
        bundled_tables, bundled_lineage, cohort_copy):
    claim = CLAIMS["pt03_mrd_pre"]
    before = compute(claim, derive_tables(read_cohort(cohort_copy)))
    trace = lineage.claim_provenance(claim, bundled_tables, bundled_lineage)
    path = cohort_copy / "assessments.csv"
    rows = _lines(path)
    traced = min(trace["raw"]["assessments"]["mrd"])
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


def test_count_claim_reads_every_patient(bundled_derived, bundled_lineage):
    trace = lineage.claim_provenance(CLAIMS["n_patients"], bundled_derived, bundled_lineage)
    assert len(trace["patients"]) == len(bundled_derived["adsl"])
    assert set(trace["raw"]["patients"]["patient_id"].tolist()) == set(
        _lines(ROOT / "data-raw/patients.csv"))


def test_course_claim_traces_to_the_cells_it_is_computed_from(bundled_derived, bundled_lineage,
                                                              cohort_copy):
    """A dose per kg of one patient's CART2 comes from the car_t_cells of that course's
    products and the weight at that course; changing one of them changes the claim, changing
    the same cell of another course does not."""
    claim = CLAIMS["pt03_cart2_dose"]
    trace = lineage.claim_provenance(claim, bundled_derived, bundled_lineage)
    products = _lines(cohort_copy / "products.csv")
    courses = _lines(cohort_copy / "courses.csv")
    traced = set(trace["raw"]["products"]["car_t_cells"].tolist())
    assert traced == {n for n, r in products.items() if (r["patient_id"], r["course"]) == (
        "pt03", "2")}
    assert {courses[n]["course"] for n in trace["raw"]["courses"]["weight"]} == {"2"}
    before = compute(claim, derive_tables(read_cohort(cohort_copy)))
    other = next(n for n, r in products.items() if r["patient_id"] == "pt03" and n not in traced)
    assert _edited(cohort_copy / "products.csv", other, "car_t_cells", "999", claim) == before
    assert _edited(cohort_copy / "products.csv", min(traced), "car_t_cells", "999",
                   claim) != before


def _edited(path, line: int, column: str, value: str, claim):
    """The claim computed with one raw cell replaced."""
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    rows[line - 1][rows[0].index(column)] = value
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return compute(claim, derive_tables(read_cohort(path.parent)))


def test_table_has_one_row_per_claim(bundled_derived, bundled_lineage):
    table = lineage.provenance_table(bundled_derived, bundled_lineage)
    assert list(table["id"]) == list(CLAIMS)
    assert table["derived"].str.len().gt(0).all()
    assert table["functions"].str.contains("results.").all()
    assert table["raw cells"].str.len().gt(0).all()


def test_long_line_lists_are_cut_with_their_count():
    assert lineage.spans({2, 3, 4, 7}) == "2-4, 7"
    assert lineage.spans(set(range(2, 60, 2)), limit=3) == "2, 4, 6, … (29 in all)"
    assert lineage.spans({2, 3, 4, 7}, limit=2) == "2-4, 7"


def test_claim_raw_cells_are_the_cells_of_its_trace(bundled_derived, bundled_lineage,
                                                    cohort_copy):
    claim = CLAIMS["pt03_cart2_dose"]
    cells = lineage.claim_raw_cells(claim, bundled_derived, bundled_lineage)
    trace = lineage.claim_provenance(claim, bundled_derived, bundled_lineage)
    assert cells == {(sheet, line, column) for kind in ("raw", "raw_filters")
                     for sheet, columns in trace[kind].items()
                     for column, lines in columns.items() for line in lines}
    products = _lines(cohort_copy / "products.csv")
    doses = {line for sheet, line, column in cells if (sheet, column) == ("products",
                                                                           "car_t_cells")}
    assert doses == {n for n, row in products.items()
                     if (row["patient_id"], row["course"]) == ("pt03", "2")}


def test_tracing_agrees_with_the_profile_hook_it_replaced(bundled_derived, bundled_lineage):
    """The linear tracer names the same functions, derived reads, patients and raw cells
    as the profile-hook tracer of tests/claim_oracle.py, for every claim of the bundled
    cohort."""
    import claim_oracle

    for claim in CLAIMS.values():
        old = claim_oracle.claim_provenance(claim, bundled_derived, bundled_lineage)
        new = lineage.claim_provenance(claim, bundled_derived, bundled_lineage)
        for part in ("raw", "raw_filters"):
            assert {sheet: {column: set(lines.tolist()) for column, lines in columns.items()}
                    for sheet, columns in new[part].items()} == old[part], (claim.id, part)
        assert new["patients"] == old["patients"], claim.id
        assert {table: {"columns": e["columns"], "rows": set(e["rows"].tolist())}
                for table, e in new["derived"].items()} == old["derived"], claim.id
        assert lineage.functions_text(new) == lineage.functions_text(old), claim.id


def test_tables_not_indexed_by_row_position_are_refused(bundled_derived):
    shifted = {**bundled_derived, "adsl": bundled_derived["adsl"].set_index("patient_id")}
    with pytest.raises(ValueError, match="adsl: not indexed by row position"):
        lineage.TracedTables(shifted)
