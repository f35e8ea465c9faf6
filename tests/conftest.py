"""Shared fixtures: the bundled cohort derived once per test session into a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.derivations.adam import derive_tables
from analysis.derivations.store import load_derived
from analysis.sheets.cohort import read_cohort

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bundled_tables():
    """Derived tables of the bundled cohort, computed in memory."""
    return derive_tables(read_cohort(ROOT / "data-raw"))


@pytest.fixture(scope="session")
def bundled_derived(tmp_path_factory, bundled_tables):
    """The bundled cohort's derived tables as written to and read back from CSV."""
    from analysis.derivations.store import write_table

    directory = tmp_path_factory.mktemp("derived")
    for name, frame in bundled_tables.items():
        write_table(frame, directory / f"{name}.csv")
    return load_derived(directory)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    """The bundled cohort's paper and supplement rendered (HTML, PDF, DOCX) by the built-in
    engine into a temporary folder, once per session."""
    from analysis.common.paths import FIGURES_ENV_VAR

    out = tmp_path_factory.mktemp("render")
    env = {**os.environ, FIGURES_ENV_VAR: str(out / "figures")}
    subprocess.run([sys.executable, "-m", "analysis.derive"], cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-m", "qmdrender", "paper.qmd", "supplement.qmd",
                    "--output-dir", str(out), "--engine", "builtin", "--force",
                    "--to", "html,pdf,docx"],
                   cwd=ROOT, env=env, check=True)
    return out


@pytest.fixture
def cohort_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled raw sheets."""
    directory = tmp_path / "cohort"
    shutil.copytree(ROOT / "data-raw", directory)
    return directory


@pytest.fixture(scope="session")
def bundled_lineage():
    """The lineage of the bundled cohort's derived tables (analysis.provenance.sources)."""
    from analysis.provenance.sources import derived_lineage

    return derived_lineage(read_cohort(ROOT / "data-raw"))[1]


@pytest.fixture(scope="session")
def bundled_sources(bundled_lineage):
    """The raw cells behind every derived value of the bundled cohort, from its lineage."""
    from analysis.provenance.sources import derived_sources

    return derived_sources(bundled_lineage)


@pytest.fixture(scope="session")
def bundled_oracle():
    """The same found by the perturbation search of tests/oracle.py (slow: computed once)."""
    from oracle import derived_sources

    return derived_sources(read_cohort(ROOT / "data-raw"))


@pytest.fixture
def chromium_page():
    """A page in headless Debian Chromium driven by Playwright (skipped without either)."""
    if shutil.which("chromium") is None:
        pytest.skip("Debian chromium not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield browser.new_page()
        finally:
            browser.close()
