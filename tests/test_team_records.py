"""A team's own records (tests/cohorts/followup, no provenance file) through render and
verify: the documents describe no reconstruction, name none of the published patients, word
the comparison with the article as information, and print the EFS the ledger holds."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from claimed import unclaimed_numbers
from sentences import starting_with_a_numeral

from analysis.common.paths import ROOT, cohort_paths
from analysis.ledger.claims import load_ledger
from analysis.provenance.categories import TEAM_CATEGORIES
from analysis.provenance.details import NOT_STATED

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"
RECONSTRUCTION_WORDS = ("How the data were reconstructed", "typed into their cells",
                        "consistent with the reconstruction", "imputed", "circular",
                        "Audit of the article", "Raw values per sheet by basis")


def _text(path: Path) -> str:
    page = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|</?span\b[^>]*>", "",
                  path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The follow-up cohort rendered and verified (with a lock file) as a team would."""
    frozen = tmp_path_factory.mktemp("lock") / "locked.csv"
    runs = {}
    for module, extra in (("analysis.derive", []), ("analysis.publish", []),
                          ("analysis.verify", ["--freeze", str(frozen)])):
        runs[module] = subprocess.run(
            [sys.executable, "-m", module, "--data-raw", str(FOLLOWUP), *extra], cwd=ROOT,
            capture_output=True, text=True, check=False)
        assert runs[module].returncode == 0, runs[module].stderr[-3000:]
    return cohort_paths(FOLLOWUP).output, runs["analysis.verify"].stdout, frozen


def test_a_teams_records_read_as_such(outputs):
    output, _, _ = outputs
    for name in ("paper", "supplement"):
        text = _text(output / f"{name}.html")
        assert not re.search(r"\bpt0\d", text), name  # no published patient named
        assert not re.search(r"not reproduc|unreproduc", text, re.IGNORECASE), name
        for words in RECONSTRUCTION_WORDS:
            assert words not in text, (name, words)
    supplement = _text(output / "supplement.html")
    assert re.search(r"same as published \(\d+\)", supplement)
    assert re.search(r"differs from published \(\d+\): this cohort.s value differs", supplement)
    apart = sum(c.cohort for c in load_ledger())  # claims naming the published patients
    assert f"about the published patients ({apart})" in supplement
    assert "What the sheets cannot show" in supplement


def test_no_sentence_starts_with_a_numeral(outputs):
    output, _, _ = outputs
    for name in ("paper", "supplement"):
        page = (output / f"{name}.html").read_text(encoding="utf-8")
        assert not starting_with_a_numeral(page), name


def test_popups_compare_as_information(outputs):
    output, _, _ = outputs
    page = (output / "paper.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="claim-data">(.*?)</script>',
                      page, re.DOTALL).group(1)
    details = json.loads(block)
    # numbers the article does not state are labelled so (analysis.provenance.details)
    assert {d["category"] for d in details.values()} <= {*TEAM_CATEGORIES, NOT_STATED}
    assert not any(re.search(r"pt0\d", claim_id) for claim_id in details)
    assert all(c["basis"] == "" for d in details.values() for c in d["cells"])
    assert details["orr_cart2"]["category"] == "differs from published"


def test_the_ledger_and_the_lock_hold_the_efs_the_paper_prints(outputs):
    output, stdout, frozen = outputs
    page = (output / "paper.html").read_text(encoding="utf-8")
    ledger = pd.read_csv(output / "verify" / "claims.csv", dtype=str,
                         keep_default_na=False).set_index("id")
    locked = pd.read_csv(frozen, dtype=str, keep_default_na=False).set_index("id")
    for claim in ("efs_6m", "efs_12m"):
        printed = set(re.findall(rf'<span data-claim="{claim}"[^>]*>([^<]+)</span>', page))
        assert printed == {ledger.loc[claim, "computed"]} == {locked.loc[claim, "computed"]}
    assert ledger.loc["efs_6m", "computed"] == "22%"  # induction failure counted (by hand)
    assert not ledger.index.str.contains(r"pt0\d").any()
    assert "not reproducible" not in stdout
    assert "differs from published (information, not a failure)" in stdout


def test_trace_shows_a_teams_cells_as_recorded_and_compares_as_information():
    result = subprocess.run(
        [sys.executable, "-m", "analysis.trace", "--data-raw", str(FOLLOWUP), "orr_cart2"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    # every cell behind the ORR is one of the team's own records: no rule to match, no verdict
    assert re.search(r"raw cells behind the values read: (\d+) \(\1 recorded\)", out), out
    assert "published 100%; computed 67%; differs from published\n" in out
    for verdict in ("uncovered", "DISAGREES", "agrees"):
        assert verdict not in out


@pytest.mark.parametrize("name", ["paper", "supplement"])
def test_every_computed_number_carries_its_claim(outputs, chromium_page, name):
    chromium_page.goto((outputs[0] / f"{name}.html").as_uri())
    chromium_page.wait_for_load_state("load")
    found = unclaimed_numbers(chromium_page)
    assert not found, found
