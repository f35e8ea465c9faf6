"""Other cohorts through `--data-raw`: a synthetic 40-patient cohort, a one-patient cohort and a
cohort without cytokines render end to end, with what does not apply left out and noted, and
the bundled cohort's outputs untouched."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sentences import starting_with_a_numeral

from analysis.common.paths import cohort_paths

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_OUTPUTS = ["data-derived", "figures", "_output"]


def fingerprint() -> dict[str, str]:
    """SHA-256 of every file under the bundled cohort's output folders."""
    files = sorted(p for d in BUNDLED_OUTPUTS for p in (ROOT / d).rglob("*") if p.is_file())
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def synthesise(n: int, seed: int, out: Path) -> Path:
    subprocess.run([sys.executable, "tools/synth.py", "--n", str(n), "--seed", str(seed),
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    return out


def render(raw: Path) -> str:
    """Derive and render a cohort as `nox -s render -- --data-raw DIR` does; the paper's text."""
    for module in ("analysis.derive", "analysis.publish"):
        result = subprocess.run([sys.executable, "-m", module, "--data-raw", str(raw)],
                                cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
    output = cohort_paths(raw).output
    for document in ("paper", "supplement"):
        for suffix in ("html", "pdf"):
            assert (output / f"{document}.{suffix}").stat().st_size > 10_000
    for document in ("paper", "supplement"):
        said = starting_with_a_numeral((output / f"{document}.html").read_text("utf-8"))
        assert not said, (document, said)
    page = (output / "paper.html").read_text(encoding="utf-8")
    page = re.sub(r"<script\b.*?</script>|</?span\b[^>]*>", "", page, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", page)  # inline spans (claim ids) dropped, not spaced
    text = " ".join(html.unescape(text).split())
    leaks = re.findall(r"<[\w.]+ object(?: at 0x[0-9a-f]+)?>|\bnan\b|\bNaN\b|\bNone\b", text)
    assert not leaks, leaks
    return text


@pytest.fixture(scope="module")
def bundled_before():
    return fingerprint()


@pytest.fixture
def cleanup():
    made = []
    yield made
    for raw in made:
        shutil.rmtree(cohort_paths(raw).output.parent, ignore_errors=True)


def test_synthetic_cohort_renders_and_says_synthetic(tmp_path, bundled_before, cleanup):
    raw = synthesise(40, 11, tmp_path / "test-syn40")
    cleanup.append(raw)
    text = render(raw)
    assert "Synthetic cohort" in text and "SYNTHETIC" in text
    assert "Across the 40 patients, the median age" in text
    figures = cohort_paths(raw).figures
    assert sorted(p.name for p in figures.glob("*.png")) == [f"figure{i}.png" for i in range(1, 5)]
    assert "In pt03, MRD fell" not in text  # named-patient statement of the published cohort
    assert fingerprint() == bundled_before


def test_one_patient_cohort_leaves_out_what_needs_more(tmp_path, bundled_before, cleanup):
    raw = synthesise(1, 12, tmp_path / "test-one")
    cleanup.append(raw)
    text = render(raw)
    assert "The patient was aged" in text and "1 patients" not in text  # one value, no median
    assert not re.search(r"\b[Mm]edian (?:age|CART|follow-up)|a median of", text)
    assert "relapsed after CART2" in text  # its own course, worded from its results
    assert "left out for this cohort" in text  # discussion of the published cohort
    assert fingerprint() == bundled_before


def test_cohort_without_cytokines_notes_the_gap(tmp_path, bundled_before, cleanup):
    raw = synthesise(8, 13, tmp_path / "test-nocytokines")
    cleanup.append(raw)
    sheet = raw / "cytokines.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    text = render(raw)
    assert "The median IL-6 fold change" not in text  # one note, not a row of gaps
    assert text.count("not available for this cohort") <= 2
    assert "this cohort lacks them, so it is left out" in text
    assert fingerprint() == bundled_before
