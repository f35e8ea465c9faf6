"""Writing outputs when things go wrong: interrupted runs, missing folders, unwritable paths,
full disks, Ctrl-C and two derives of one cohort at once."""

from __future__ import annotations

import errno
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import derive
from analysis.common.atomic import MissingOutput, locked, replace_dir
from analysis.common.paths import ROOT
from analysis.derivations import adam, store
from analysis.derivations.store import load_derived


@pytest.fixture(scope="module")
def derived(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("written") / "derived"
    assert derive.main(["--out", str(out)]) == 0
    return out


@pytest.fixture
def out(derived: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "derived"
    shutil.copytree(derived, copy)
    return copy


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_leftover_staging_folders_are_removed_by_the_next_run(out: Path):
    stale = out.with_name(f".staging-{out.name}-0123456789ab")
    stale.mkdir()
    (stale / "half.csv").write_text("a,b\n")
    assert derive.main(["--out", str(out), "--force"]) == 0
    assert not stale.exists()
    assert not list(out.parent.glob(".staging-*"))


def test_a_run_killed_between_the_renames_leaves_the_old_state_readable(out: Path):
    before = contents(out)
    out.rename(out.with_name(f".old-{out.name}"))  # as a kill after the first rename leaves it
    tables = load_derived(out)
    assert tables and contents(out) == before
    assert not out.with_name(f".old-{out.name}").exists()


def test_a_missing_derived_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(MissingOutput, match="folder not found.*analysis.derive"):
        load_derived(tmp_path / "never-derived")


def test_a_failing_block_keeps_the_old_content(out: Path):
    before = contents(out)
    with pytest.raises(RuntimeError), replace_dir(out) as staging:
        (staging / "new.csv").write_text("x\n")
        raise RuntimeError("stop")
    assert contents(out) == before
    assert not list(out.parent.glob(".staging-*"))


def test_an_unwritable_path_is_one_line_naming_it(tmp_path: Path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    assert derive.main(["--out", str(blocker / "derived")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in err[-1] and str(blocker) in err[-1]


def test_a_full_disk_is_one_line_and_keeps_the_old_content(out: Path, monkeypatch, capsys):
    before = contents(out)

    def full(frame, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(store, "write_table", full)
    assert derive.main(["--out", str(out), "--force"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "No space left on device" in last and ".staging-" in last
    assert contents(out) == before and not list(out.parent.glob(".staging-*"))


def test_ctrl_c_stops_cleanly_and_keeps_the_old_content(out: Path, monkeypatch, capsys):
    before = contents(out)

    def interrupted(cohort):
        raise KeyboardInterrupt
    monkeypatch.setattr(adam, "derive_tables", interrupted)
    assert derive.main(["--out", str(out), "--force"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert contents(out) == before and not list(out.parent.glob(".staging-*"))


def test_a_second_derive_of_the_same_cohort_waits_for_the_first(out: Path):
    command = [sys.executable, "-m", "analysis.derive", "--out", str(out), "--force"]
    with locked(out):
        second = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert second.poll() is None, "the second derive did not wait for the lock"
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert load_derived(out)


def test_concurrent_derives_never_interleave(out: Path):
    command = [sys.executable, "-m", "analysis.derive", "--out", str(out), "--force"]
    runs = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(3)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert load_derived(out)
    assert not list(out.parent.glob(".staging-*")) and not list(out.parent.glob(".old-*"))


def test_an_infinite_derived_value_is_refused_and_nothing_written(out: Path, monkeypatch,
                                                                   capsys):
    before = contents(out)
    real = adam.derive_tables

    def infinite(cohort):
        tables = real(cohort)
        first = next(iter(tables))
        tables[first] = tables[first].assign(extra=float("inf"))
        return tables
    monkeypatch.setattr(adam, "derive_tables", infinite)
    assert derive.main(["--out", str(out), "--force"]) == 2
    assert "column 'extra'" in capsys.readouterr().err
    assert contents(out) == before
