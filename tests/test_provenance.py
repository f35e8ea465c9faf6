"""Every raw value has provenance: stated in the article, derived, protocol or imputed."""

from analysis.paths import ROOT
from analysis.provenance import BASES, cell_rules, imputed_groups, read_rules


def test_every_raw_cell_is_covered_by_a_provenance_rule():
    cells = cell_rules(ROOT / "data-raw")
    uncovered = cells[cells["basis"] == "uncovered"]
    assert uncovered.empty, uncovered.head().to_string()


def test_rules_use_known_bases_and_name_their_source():
    rules = read_rules(ROOT / "data-raw")
    assert set(rules["basis"]) <= set(BASES)
    stated = rules[rules["basis"] == "stated"]
    assert (stated["source"] != "").all()


def test_stated_values_exist_for_the_named_patient_facts():
    cells = cell_rules(ROOT / "data-raw")
    pt03 = cells[(cells["sheet"] == "qpcr") & (cells["basis"] == "stated")]
    assert "100650" in set(pt03["value"])


def test_every_imputed_group_names_what_constrains_it():
    groups = imputed_groups(ROOT / "data-raw")
    assert len(groups) > 0
    assert (groups["constrained by"].str.len() > 0).all(), groups.to_string()
    cells = cell_rules(ROOT / "data-raw")
    assert groups["values"].sum() == cells["basis"].isin(["imputed",
                                                          "derived_from_stated"]).sum()
