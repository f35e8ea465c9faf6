"""verify as a gate for any cohort: the article's comparison is information for another
cohort, --freeze writes the cohort's own values and --against fails on a difference."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from analysis.common.paths import ROOT, cohort_paths
from analysis.derivations.adam import derive_tables
from analysis.ledger import lock
from analysis.ledger.claims import evaluate, load_ledger
from analysis.ledger.settings import cohort_ledger, study_settings
from analysis.sheets.cohort import read_cohort
from analysis.verify import gate

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"


def followup_ledger() -> pd.DataFrame:
    cohort = read_cohort(FOLLOWUP)
    settings = study_settings(cohort["study"].iloc[0])
    return evaluate(derive_tables(cohort), cohort_ledger(settings))


@pytest.fixture(scope="module")
def ledger():
    return followup_ledger()


def test_frozen_values_round_trip(ledger, tmp_path):
    path = tmp_path / "locked.csv"
    lock.freeze(ledger, path)
    assert lock.differences(ledger, path).empty
    frozen = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("id")
    assert frozen.loc["n_patients", "value"] == "6.0"
    assert "pt03_peak_copies" not in frozen.index  # about the published patients: set apart


def test_a_changed_or_missing_value_is_a_difference(ledger, tmp_path):
    path = tmp_path / "locked.csv"
    lock.freeze(ledger, path)
    frozen = pd.read_csv(path, dtype=str, keep_default_na=False)
    frozen.loc[frozen["id"] == "cart2_dose_max", "value"] = "13900001.0"
    frozen = frozen[frozen["id"] != "orr_cart2"]
    frozen.to_csv(path, index=False)
    changed = lock.differences(ledger, path).set_index("id")
    assert list(changed.index) == ["cart2_dose_max", "orr_cart2"]
    assert changed.loc["orr_cart2", "frozen"] == "absent"
    assert gate(False, ledger, None, path) == 1


def test_not_a_frozen_file_is_refused(ledger, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,published\nx,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="other.csv: not a frozen results file"):
        lock.differences(ledger, path)


def test_gate_fails_only_the_articles_cohort_on_the_article(ledger):
    assert (ledger["category"] == "not reproducible").any()
    assert gate(False, ledger, None, None) == 0
    assert gate(True, ledger, None, None) == 1


def test_verify_passes_a_sound_followup_cohort(tmp_path):
    frozen = tmp_path / "locked.csv"
    result = subprocess.run(
        [sys.executable, "-m", "analysis.verify", "--data-raw", str(FOLLOWUP),
         "--freeze", str(frozen)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "audit of the article: run only for the article's cohort" in result.stdout
    assert not (cohort_paths(FOLLOWUP).output / "verify" / "audit.csv").exists()
    locked = pd.read_csv(frozen, dtype=str, keep_default_na=False).set_index("id")
    assert list(locked.index) == list(followup_ledger()["id"])
    # the lock holds the EFS the paper prints: under the study's rule (induction failure)
    assert locked.loc["efs_6m", "computed"] == locked.loc["efs_12m", "computed"] == "22%"
    apart = sum(claim.cohort for claim in load_ledger())
    assert apart >= 31
    assert f"about the published patients, not applicable to this cohort ({apart})" in \
        result.stdout
    assert not locked.index.str.contains(r"pt0\d").any()
