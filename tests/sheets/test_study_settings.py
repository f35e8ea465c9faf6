"""Study settings a team may leave out or get wrong: a missing or blank EFS rule is refused
with the four rules and what each means (from data-raw/dictionary.yaml); a patient without
an end of follow-up is a warning naming the patient, and the derive goes on."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from workbooks import workbook

from analysis.common.paths import ROOT, cohort_paths
from analysis.derivations.events import ALIVE_CONTACTS, EFS_RULES
from analysis.sheets.cohort import read_cohort
from analysis.sheets.dictionary import load_dictionary, load_rules
from analysis.sheets.problems import InputError, InputWarning

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"
MEANINGS = load_dictionary()["study"].columns["efs_rule"].meanings


@pytest.fixture
def cohort(tmp_path) -> Path:
    folder = tmp_path / "cohort"
    shutil.copytree(FOLLOWUP, folder)
    return folder


def _study(folder: Path, header: str, row: str) -> None:
    (folder / "study.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")


def _refusal(folder: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_cohort(folder)
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_the_rules_and_their_meanings_are_written_once():
    assert list(MEANINGS) == list(load_dictionary()["study"].columns["efs_rule"].values)
    assert EFS_RULES == MEANINGS  # what the derivation and the documents name
    assert len(MEANINGS) == 4 and all(MEANINGS.values())


def test_a_study_sheet_without_efs_rule_is_told_the_four_rules(cohort):
    _study(cohort, "study_id,registry_id,data_cutoff", "FU-2024,NCT09999999,2024-06-30")
    message = _refusal(cohort)
    assert "study.csv, row 1, column 'efs_rule'" in message
    assert "a column named 'efs_rule' holding one of" in message
    for rule, meaning in MEANINGS.items():
        assert f"{rule} ({meaning})" in message


def test_a_blank_efs_rule_is_told_the_four_rules(cohort):
    _study(cohort, "study_id,registry_id,data_cutoff,efs_rule",
           "FU-2024,NCT09999999,2024-06-30,")
    message = _refusal(cohort)
    assert "study.csv, row 2, column 'efs_rule': found ''; expected a value, one of" in message
    for rule, meaning in MEANINGS.items():
        assert f"{rule} ({meaning})" in message


def test_an_unknown_efs_rule_is_told_what_each_rule_means(cohort):
    _study(cohort, "study_id,registry_id,data_cutoff,efs_rule",
           "FU-2024,NCT09999999,2024-06-30,censored")
    message = _refusal(cohort)
    assert "found 'censored'; expected one of" in message
    assert all(f"{rule} ({meaning})" in message for rule, meaning in MEANINGS.items())


def test_the_end_of_follow_up_rule_names_what_the_derivation_ends_follow_up_on():
    rule = next(r for r in load_rules() if r.get("warn"))
    assert rule["where"]["event"] == ["death", *ALIVE_CONTACTS]


def _ended(folder: Path) -> None:
    """Give every patient an end of follow-up (fu06 has none in the follow-up cohort)."""
    with open(folder / "events.csv", "a", encoding="utf-8") as sheet:
        sheet.write("fu06,last_contact,2024-06-01,2,,,\n")


def test_a_patient_without_end_of_follow_up_is_a_warning_naming_the_patient(cohort):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = read_cohort(cohort)  # the derive still succeeds
    found = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
    assert len(found) == 1
    assert "patients.csv, row 7, column 'patient_id': found 'fu06'" in found[0]
    assert "death, last_contact or lost_to_follow_up" in found[0]
    assert len(frames["patients"]) == 6
    _ended(cohort)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        read_cohort(cohort)


def test_a_workbook_warning_names_the_worksheet_and_excel_row(tmp_path):
    book = workbook(FOLLOWUP, tmp_path / "followup.xlsx")
    with pytest.warns(InputWarning, match=r"worksheet 'patients', row 7, column A "
                                          r"'patient_id': found 'fu06'"):
        read_cohort(book)


def test_derive_shows_the_warning_every_time_and_keeps_it_without_the_path(cohort):
    try:
        for _ in range(2):  # the second derive finds the tables up to date
            result = subprocess.run([sys.executable, "-m", "analysis.derive", "--data-raw",
                                     str(cohort)], cwd=ROOT, capture_output=True, text=True,
                                    check=False)
            assert result.returncode == 0, result.stderr
            assert "1 warning about the input sheets:" in result.stderr
            assert "found 'fu06'" in result.stderr
        manifest = json.loads((cohort_paths(cohort).derived / "manifest.json").read_text())
        assert len(manifest["warnings"]) == 1
        assert manifest["warnings"][0].startswith("cohort/patients.csv, row 7")
        assert str(cohort.parent) not in json.dumps(manifest)
    finally:
        shutil.rmtree(cohort_paths(cohort).derived.parent, ignore_errors=True)
