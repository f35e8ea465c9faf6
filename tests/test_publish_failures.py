"""Render (``analysis.publish``) on output folders that cannot be written: the run ends with
one line naming the path, without a traceback, and leaves no staging folder or lock file."""

from __future__ import annotations

import errno
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import publish
from analysis.common.paths import ROOT, cohort_paths

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"


@pytest.fixture
def outputs(tmp_path: Path):
    """A copy of the follow-up cohort and its (not yet existing) output folder."""
    cohort = tmp_path / "cohort"
    shutil.copytree(FOLLOWUP, cohort)
    base = cohort_paths(cohort).derived.parent
    yield cohort, base
    if base.is_dir():
        shutil.rmtree(base)
    base.unlink(missing_ok=True)


def render(cohort: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis.publish", "--data-raw", str(cohort),
                           "--to", "html"], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_an_output_folder_that_is_a_file_ends_with_one_line(outputs):
    cohort, base = outputs
    base.mkdir(parents=True)
    (base / "_output").write_text("not a folder")
    result = render(cohort)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("render: stopped;") and f"{base.name}/_output" in last, last
    assert sorted(p.name for p in base.iterdir()) == ["_output"]  # no staging, no lock


def test_a_cohort_folder_that_cannot_be_made_ends_with_one_line(outputs):
    cohort, base = outputs
    base.parent.mkdir(exist_ok=True)
    base.write_text("in the way")
    result = render(cohort)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        (f"render: File exists ({base}); previous documents in _cohorts/{base.name}/_output and "
         f"figures in _cohorts/{base.name}/figures are unchanged")]


def test_a_full_disk_ends_with_one_line(outputs, monkeypatch, capsys):
    cohort, base = outputs

    def full(target):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(publish, "replace_dir", full)
    assert publish.main(["--data-raw", str(cohort)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"render: No space left on device ({base / 'figures'})"), lines
