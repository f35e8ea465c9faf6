"""Markdown helpers for the documents' tables."""

from __future__ import annotations

import pandas as pd

from analysis.report.tables import markdown, pipe_table, superscript_powers


def test_pipe_table_sets_relative_widths_and_keeps_alignment():
    text = pipe_table(pd.DataFrame({"name": ["a"], "value": [1.5]}), widths=[3, 1])
    rule = text.splitlines()[1].strip("|").split("|")
    assert len(rule[0].strip(":")) == 375 and len(rule[1].strip(":")) == 125  # 3:1
    assert rule[1].endswith(":") and not rule[0].endswith(":")  # numbers right-aligned
    assert len(text.splitlines()[1]) > 400  # longer than qmdrender's column limit


def test_powers_of_ten_become_superscripts_once():
    text = pd.Series(["1.1 × 10^7", "10^-3 and 10^6", "footnote ^", "10^7^"])
    assert list(superscript_powers(text)) == ["1.1 × 10^7^", "10^-3^ and 10^6^",
                                              "footnote ^", "10^7^"]


def test_wide_tables_split_repeating_the_first_column():
    wide = pd.DataFrame({f"c{i}": [i] for i in range(12)})
    parts = markdown(wide, max_columns=5).split("\n\n")
    assert len(parts) == 3 and all(p.splitlines()[0].startswith("|   c0 |") for p in parts)


def test_cells_print_as_built_not_parsed_as_numbers_again():
    """tabulate would print "6.00" as "6" beside "8.03" (one precision lost in a column)."""
    table = pd.DataFrame({"Patient": ["a", "b"], "months": ["6.00", "8.03"],
                          "dose": ["1.00 × 10^7", "–"]})
    lines = markdown(table).splitlines()
    assert "6.00" in lines[2] and "8.03" in lines[3]
    assert lines[1].split("|")[2].endswith(":")  # a column of numbers stays right-aligned
    assert not lines[1].split("|")[3].endswith(":")


def test_the_raw_cells_caption_splits_by_basis_only_for_a_reconstruction():
    from analysis.report.tables import claim_cells_caption

    team = claim_cells_caption(reconstruction=False)
    assert "basis" not in team and "reconstruction" not in team and "imputed" not in team
    assert "by basis" in claim_cells_caption(reconstruction=True)


def test_a_remission_before_cart2_is_noted_as_the_sheets_record_it():
    """The article's account of its patient (chemotherapy first, CART2 against recurrence)
    is not in any sheet: the note says what the marrow showed."""
    from analysis.common.paths import ROOT
    from analysis.derivations.adam import derive_tables
    from analysis.report.tables import table2_notes
    from analysis.sheets.cohort import read_cohort

    tables = derive_tables(read_cohort(ROOT / "tests" / "cohorts" / "followup"))
    adrs = tables["adrs"].copy()
    pre = adrs[(adrs["course"] == 2) & (adrs["study_day"] < 0)].sort_values("study_day")
    adrs.loc[pre.index[0], "mrd_negative_cr"] = True
    patient = pre.iloc[0]["patient_id"]
    notes = table2_notes({**tables, "adrs": adrs})
    assert f"{patient}: in MRD-negative CR at the first marrow assessment before CART2." in notes
    assert not [n for n in notes if "chemotherapy" in n or "prevent" in n]


def test_notes_on_many_patients_read_the_per_patient_templates_once(bundled_derived,
                                                                     monkeypatch):
    """Each per-patient claim is made from templates read once per Claims, not once per
    patient (reading claims.yaml per patient made a 5,000-patient supplement take 15 min)."""
    from analysis.ledger import entries
    from analysis.ledger.claims import Claims
    from analysis.report.tables import table1_notes

    reads = []
    load = entries.load_per_patient
    monkeypatch.setattr(entries, "load_per_patient", lambda *a: reads.append(1) or load(*a))
    adsl = bundled_derived["adsl"]
    many = pd.concat([adsl.assign(patient_id=adsl["patient_id"] + f"-{i}") for i in range(4)],
                     ignore_index=True)
    tables = {**bundled_derived, "adsl": many}
    claims = Claims(tables, published_precision=False)
    notes = table1_notes(tables, claims)
    assert len(claims.per_patient) > 1 and len(notes) >= len(claims.per_patient) // 2
    assert len(reads) == 1
