"""What a cohort is decides how its numbers print: the paper, the supplement and claims.csv
key the article's precision (and a team's durations in days) on one predicate."""

from __future__ import annotations

import shutil

import pytest

from analysis.common.paths import ROOT, cohort_paths
from analysis.ledger.settings import article_precision
from analysis.provenance.cells import reconstruction_basis

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"


@pytest.mark.parametrize("ships_provenance", [False, True])
def test_claims_csv_prints_days_exactly_where_the_documents_do(tmp_path, ships_provenance):
    raw = tmp_path / "cohort"
    shutil.copytree(FOLLOWUP, raw)
    if ships_provenance:  # a reconstruction outside data-raw/ (not the bundled folder)
        shutil.copyfile(ROOT / "data-raw" / "provenance.csv", raw / "provenance.csv")
    paths = cohort_paths(raw)
    assert not paths.bundled
    assert article_precision(paths) is ships_provenance
    # categorised() prints a team's short durations in days when there is no basis
    assert (reconstruction_basis(raw) is None) is not article_precision(paths)


@pytest.mark.parametrize("document", ["paper.qmd", "supplement.qmd"])
def test_the_documents_print_at_the_precision_the_predicate_gives(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    assert "published_precision=article_precision(paths)" in text
    assert "published_precision=paths.bundled" not in text
