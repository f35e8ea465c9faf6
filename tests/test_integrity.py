"""Raw data are input only, outputs are deterministic, and a killed run leaves no half-written
outputs."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("agg")

from analysis.common.paths import ROOT
from analysis.report.figures import figure1, figure2, figure3, figure4, style


def _hashes(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


# Read at collection, before any fixture derives into data-derived/: what the commit holds.
COMMITTED = _hashes(ROOT / "data-derived")


def _derive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis.derive", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def test_derive_and_verify_never_write_into_the_raw_folder(cohort_copy, tmp_path):
    before = _hashes(cohort_copy)
    assert _derive("--data-raw", str(cohort_copy), "--out", str(tmp_path / "d")).returncode == 0
    subprocess.run([sys.executable, "-m", "analysis.verify", "--data-raw", str(cohort_copy)],
                   cwd=ROOT, capture_output=True, check=True)
    assert _hashes(cohort_copy) == before


def test_manifest_records_the_hash_of_every_raw_sheet(cohort_copy, tmp_path):
    out = tmp_path / "d"
    _derive("--data-raw", str(cohort_copy), "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    for name, digest in manifest["raw_sheets"].items():
        assert hashlib.sha256((cohort_copy / name).read_bytes()).hexdigest() == digest
    assert len(manifest["data_fingerprint"]) == 12


def test_two_derivations_are_byte_identical(tmp_path):
    for name in ("a", "b"):
        assert _derive("--out", str(tmp_path / name), "--force").returncode == 0
    assert _hashes(tmp_path / "a") == _hashes(tmp_path / "b")


def test_the_committed_derived_tables_are_what_the_code_derives(tmp_path):
    """data-derived/ as committed (tables, lineage and the manifest with its code fingerprint)
    is byte for byte what this code derives from data-raw/: nothing stale is shipped."""
    assert _derive("--out", str(tmp_path / "d"), "--force").returncode == 0
    assert _hashes(tmp_path / "d") == COMMITTED


def test_figures_are_byte_identical_across_runs(bundled_derived, tmp_path):
    style.style()
    for run in ("a", "b"):
        style.save(figure1.draw(bundled_derived), "figure1", tmp_path / run)
        style.save(figure2.draw(bundled_derived), "figure2", tmp_path / run)
        style.save(figure3.draw(bundled_derived), "figure3", tmp_path / run)
        style.save(figure4.draw(bundled_derived), "figure4", tmp_path / run)
    assert _hashes(tmp_path / "a") == _hashes(tmp_path / "b")


def test_a_killed_derivation_leaves_the_previous_output_intact(tmp_path):
    out = tmp_path / "derived"
    assert _derive("--out", str(out), "--force").returncode == 0
    previous = _hashes(out)
    for delay in (0.3, 0.8, 1.3, 1.8, 2.3):
        process = subprocess.Popen([sys.executable, "-m", "analysis.derive", "--out", str(out),
                                    "--force"], cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert _derive("--out", str(out)).returncode == 0  # recovers, rewrites if needed
        assert _hashes(out) == previous
