"""`python -m analysis.trace`: one published number followed back to the raw cells."""

from __future__ import annotations

import subprocess
import sys

from analysis.common.paths import ROOT
from analysis.provenance import cells as provenance
from analysis.trace import report


def test_a_trace_names_the_cells_with_their_text_and_basis(bundled_derived, bundled_lineage):
    text = report("pt03_cart2_dose", bundled_derived, bundled_lineage,
                  provenance.cell_rules(ROOT / "data-raw"))
    assert "published 1.1 × 10^7; computed 1.1 × 10^7; agrees; circular (" in text
    assert "results.measures.course_value" in text
    products = (ROOT / "data-raw" / "products.csv").read_text().splitlines()
    header = products[0].split(",")
    pt03_cart2 = [row.split(",") for row in products[1:] if row.startswith("pt03,2,")]
    for cells in pt03_cart2:  # both products of that course, with the count as written
        assert cells[header.index("car_t_cells")] in text


def test_cells_carry_their_basis():
    cells = provenance.cells_with_basis({"patients": {"patient_id": {2}, "csf_wbc_pre_cart1": {2}}},
                       provenance.cell_rules(ROOT / "data-raw"))
    by_column = cells.set_index("column")
    assert by_column.loc["patient_id", "basis"] == "stated"
    assert by_column.loc["csf_wbc_pre_cart1", "basis"] == "empty"  # blank in the sheet
    assert provenance.basis_counts(cells) in ("1 stated, 1 empty", "1 empty, 1 stated")


def test_an_unknown_claim_is_refused_with_suggestions():
    result = subprocess.run([sys.executable, "-m", "analysis.trace", "cart2_dose"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "cart2_dose_min" in result.stderr


def test_a_workbook_trace_names_worksheets_and_excel_rows(tmp_path):
    from workbooks import workbook

    from analysis.common.paths import cohort_paths
    from analysis.derivations.adam import derive_tables
    from analysis.provenance.sources import cohort_lineage
    from analysis.sheets.cohort import read_cohort

    book = workbook(ROOT / "tests" / "cohorts" / "followup", tmp_path / "followup.xlsx")
    tables = derive_tables(read_cohort(book))
    lineage = cohort_lineage(cohort_paths(book))
    text = report("cart2_dose_min", tables, lineage, provenance.cell_rules(book),
                  reconstructed=False)
    assert "raw cells in followup.xlsx: " in text
    assert "worksheet  row" in text and ".csv" not in text
    assert str(tmp_path) not in text


def test_every_claim_id_of_the_supplement_traces(rendered):
    import re

    from analysis.ledger.entries import load_computed, load_per_patient

    page = (rendered / "supplement.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'data-claim="([\w.-]+)"', page))
    computed = {c.id for c in load_computed()}
    templates = set(load_per_patient())
    kinds = {"count": {i for i in ids if i.startswith("ledger.")},
             "per patient": {i for i in ids if i.partition(".")[0] in templates},
             "computed": ids & computed}
    assert all(kinds.values()), kinds
    chosen = [sorted(found)[0] for found in kinds.values()] + [sorted(kinds["per patient"])[-1]]
    result = subprocess.run([sys.executable, "-m", "analysis.trace", *chosen], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for claim_id in chosen:
        assert f"{claim_id}: " in result.stdout
    assert "not stated in the article; computed" in result.stdout
    unknown = f"{sorted(templates)[0]}.no-such-patient"
    result = subprocess.run([sys.executable, "-m", "analysis.trace", unknown], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "no such patient" in result.stderr


def test_trace_says_what_the_popup_says_of_a_number_about_one_patient(rendered):
    """A per-patient number the article states for its patient (the CSF footnotes of
    Additional file 2) is stated, with the claim's published value and category, in trace
    as in the supplement's popup; one the article does not state is "not stated" in both."""
    import json
    import re

    from analysis.ledger.claims import NOT_STATED
    from analysis.ledger.entries import load_per_patient

    page = (rendered / "supplement.html").read_text(encoding="utf-8")
    popups = json.loads(re.search(r'id="claim-data">(.*?)</script>', page, re.DOTALL).group(1))
    ids = sorted(i for i in popups if i.partition(".")[0] in load_per_patient())
    assert {popups[i]["category"] == NOT_STATED for i in ids} == {True, False}, ids
    result = subprocess.run([sys.executable, "-m", "analysis.trace", *ids], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for claim_id in ids:
        block = re.search(rf"^{re.escape(claim_id)}: .*\n(.*)", result.stdout, re.MULTILINE)
        shown, compared = popups[claim_id], block.group(1)
        if shown["category"] == NOT_STATED:
            assert compared.startswith(f"  {NOT_STATED}; computed "), (claim_id, compared)
        else:
            assert compared.startswith(f"  published {shown['published']}; computed "), compared
            assert f"; {shown['category']} ({shown['note']})" in compared, (claim_id, compared)
            assert f"({shown['where']})" in block.group(0), block.group(0)
