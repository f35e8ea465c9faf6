"""The data notice names the study from its study sheet and never a local path."""

from __future__ import annotations

from analysis.common.paths import cohort_paths
from analysis.report.notices import data_notice


def test_a_team_cohort_is_named_by_its_study_id_without_its_path(tmp_path):
    for raw in (tmp_path / "records" / "cohort.xlsx", tmp_path / "records" / "csv"):
        text = data_notice(cohort_paths(raw), "FU-2024")
        assert "**Study ` FU-2024 `.**" in text
        assert str(tmp_path) not in text and "records" not in text
        assert f"` {raw.name}{'' if raw.suffix else '/'} `" in text  # the name alone


def test_a_synthetic_cohort_says_so_without_its_path(tmp_path):
    text = data_notice(cohort_paths(tmp_path / "syn20"), "SYNTHETIC-20-1")
    assert "Synthetic cohort ` SYNTHETIC-20-1 `" in text and "` syn20/ `" in text
    assert str(tmp_path) not in text


def test_the_bundled_cohort_says_it_is_reconstructed():
    assert "**Reconstructed data.**" in data_notice(cohort_paths(), "whatever")


def test_the_derivations_warnings_are_listed_in_the_notice(tmp_path):
    paths = cohort_paths(tmp_path / "fu")
    assert "warning" not in data_notice(paths, "FU-2024", [])
    # as derive keeps them in the manifest (tests/cohorts/followup: fu06 has no end of
    # follow-up), the folder named, not its path
    found = ["fu/patients.csv, row 7, column 'patient_id': found 'fu06'; expected ...",
             "fu/events.csv, row 3: another"]
    text = data_notice(paths, "FU-2024", found)
    assert "Reading the sheets gave 2 warnings" in text
    listed = [line for line in text.splitlines() if line.startswith("- ")]
    assert [line.replace("\\", "") for line in listed] == [f"- {w}" for w in found]
    assert text.rstrip().endswith(":::")
