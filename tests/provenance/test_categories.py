"""A claim's category follows from the basis of the raw cells behind it: nothing resting on
an imputed cell is called reproduced, and claims.yaml cannot say otherwise."""

from __future__ import annotations

import re

import pytest

from analysis.common.paths import ROOT, cohort_paths
from analysis.ledger.claims import load_ledger
from analysis.provenance import categories
from analysis.provenance import cells as provenance
from analysis.provenance.sources import cohort_lineage


@pytest.fixture(scope="module")
def categorised(bundled_derived):
    paths = cohort_paths(None)
    return categories.categorised(bundled_derived, cohort_lineage(paths),
                                  provenance.reconstruction_basis(paths.raw)).set_index("id")


def test_the_rule():
    assert categories.category("reproduced", {"stated", "derived_from_stated"}) == "reproduced"
    assert categories.category("reproduced", {"stated", "imputed"}) == categories.RECONSTRUCTED
    assert categories.category("reproduced", {"stated", "empty"}) == categories.RECONSTRUCTED
    assert categories.category("circular", {"imputed"}) == "circular"
    assert categories.category("not reproducible", {"stated"}) == "not reproducible"
    # a team's own records: nothing imputed, nothing typed in; the comparison is information
    for compared in ("reproduced", "circular", "explained", "data gap"):
        assert categories.category(compared, None) == categories.SAME
    assert categories.category("not reproducible", None) == "differs from published"
    assert categories.category("not applicable", None) == "not available"


def test_no_claim_is_reproduced_while_an_imputed_cell_stands_behind_it(categorised):
    reproduced = categorised[categorised["category"] == "reproduced"]
    for claim_id, row in reproduced.iterrows():
        assert set(row["bases"]) <= categories.SUPPORTING, claim_id
    assert categorised.loc["cart2_dose_min", "category"] == categories.RECONSTRUCTED
    assert categorised.loc["cart2_dose_min", "compared"] == "reproduced"
    assert "imputed courses.weight" in categorised.loc["cart2_dose_min", "note"]
    assert categorised.loc["ld_all_cart1", "category"] == "reproduced"
    resting = categorised[categorised["bases"].map(lambda b: "imputed" in b)]
    assert not (resting["category"] == "reproduced").any()


def test_a_data_gap_is_named_not_explained(categorised):
    row = categorised.loc["n_car_t_related_death"]
    assert row["category"] == "data gap" and "proxy" in row["note"]
    assert sum(row["bases"].values()) > 0  # the cells behind the proxy are counted


def test_claims_yaml_cannot_type_a_category(tmp_path):
    text = (ROOT / "claims.yaml").read_text(encoding="utf-8").replace(
        "  - {id: n_patients,", "  - {id: n_patients, category: reproduced,", 1)
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key.*category"):
        load_ledger(path)


def test_no_recorded_reason_calls_a_claim_reproduced(categorised):
    """claims.yaml may say why a claim is what it is, never that it is reproduced when the
    provenance says otherwise."""
    for claim in load_ledger():
        texts = f"{claim.explained} {claim.circular} {claim.data_gap} {claim.what}"
        if categorised.loc[claim.id, "category"] != "reproduced":
            assert not re.search(r"(?<!not )\breproduced\b", texts), claim.id


def test_a_cohort_without_provenance_is_not_a_reconstruction():
    followup = ROOT / "tests" / "cohorts" / "followup"
    assert provenance.reconstruction_basis(followup) is None
    assert provenance.is_reconstruction(ROOT / "data-raw")
