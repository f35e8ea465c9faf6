"""What data-raw/provenance.csv (written by tools/reconstruct.py) says of a value matches
the article: the section a rule cites holds the sentence, a value is stated only as far as
the article states it, one that follows from stated facts is derived from them, and a
paragraph is numbered as the ledger numbers it."""

from __future__ import annotations

import re

import pandas as pd

from analysis.common.paths import ROOT
from analysis.ledger.claims import load_ledger
from analysis.provenance.cells import cell_rules, read_rules

RAW = ROOT / "data-raw"


def _rules():
    return read_rules(RAW)


def _cells():
    return cell_rules(RAW)


def test_the_efs_rule_cites_the_section_that_states_it():
    source = _rules().query("sheet == 'study' and columns == 'efs_rule'")["source"].iloc[0]
    assert source.startswith("Methods, Efficacy evaluation") and "contradict" in source
    assert "Statistical analysis" not in source


def test_steroids_are_not_stated_beyond_dexamethasone():
    """The article says no patient received dexamethasone, not that none had steroids."""
    cells = _cells()
    steroids = cells[(cells["sheet"] == "crs") & (cells["column"] == "steroids")]
    assert len(steroids) and (steroids["basis"] == "imputed").all()
    assert steroids["constrains"].str.contains("dexamethasone").all()


def test_a_transplant_that_follows_from_stated_facts_is_derived_from_them():
    cells = _cells()
    events = pd.read_csv(RAW / "events.csv", dtype=str, keep_default_na=False)
    hsct = {i + 2 for i in events.index[events["event"] == "hsct"]}
    rows = cells[(cells["sheet"] == "events") & cells["row"].isin(hsct)]
    who = rows[rows["column"] == "patient_id"]
    assert set(who["basis"]) <= {"stated", "derived_from_stated"}
    assert (who["basis"] == "derived_from_stated").sum() == 1
    assert (rows.loc[rows["column"] == "event_date", "basis"] == "imputed").all()


def test_paragraphs_are_numbered_as_the_ledger_numbers_them():
    """A patient's stated MRD values cite the Results paragraph the ledger's claims on them
    cite."""
    ledger = {c.args.get("patient"): c for c in load_ledger() if c.function == "mrd_at"}
    rules = _rules()
    for patient, claim in ledger.items():
        cited = set(re.findall(r"Results ¶(\d+)", claim.where))
        stated = rules[(rules["sheet"] == "assessments") & (rules["patient_id"] == patient)
                       & (rules["basis"] == "stated")]
        assert len(stated), patient
        for source in stated["source"]:
            assert set(re.findall(r"Results ¶(\d+)", source)) <= cited, (patient, source)


def test_the_enrolment_in_mrd_negative_cr_is_among_the_constraints():
    """Additional file 3 footnote *: one patient was in MRD-negative CR when enrolled for
    CART2; the marrow rows that make it so say which footnote constrains them."""
    cells = _cells()
    marrow = pd.read_csv(RAW / "assessments.csv", dtype=str, keep_default_na=False)
    enrolment = marrow[(marrow["visit"] == "enrolment") & (marrow["course"] == "2")
                       & (marrow["mrd"].str.startswith("<"))]
    assert len(enrolment)
    rows = cells[(cells["sheet"] == "assessments") & cells["row"].isin(enrolment.index + 2)
                 & (cells["column"] == "mrd")]
    assert rows["constrains"].str.contains("Additional file 3 footnote \\*").all()
