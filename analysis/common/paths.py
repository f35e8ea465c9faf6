"""Where a cohort's inputs and outputs live.

The bundled cohort reads ``data-raw/`` and writes ``data-derived/``, ``figures/`` and
``_output/``. Any other cohort directory writes under ``_cohorts/<name>-<hash>/``, the hash
taken from the directory's absolute path, so that the bundled outputs are never touched and
two cohorts in folders of the same name (``/a/cohort``, ``/b/cohort``) never share outputs.
The cohort in use is passed to the documents through the environment variable
``CART2_DATA_RAW``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from qmdrender.project import output_dir

ROOT = Path(__file__).resolve().parents[2]
BUNDLED_RAW = ROOT / "data-raw"
ENV_VAR = "CART2_DATA_RAW"
FIGURES_ENV_VAR = "CART2_FIGURES_DIR"
OUTPUT = output_dir(ROOT)  # project: output-dir of _quarto.yml (_output/), as Quarto reads it
if OUTPUT is None:
    raise SystemExit(f"{ROOT / '_quarto.yml'}: project: output-dir is not set")


@dataclass(frozen=True)
class CohortPaths:
    """Input and output folders of one cohort."""

    raw: Path
    derived: Path
    figures: Path
    output: Path

    @property
    def bundled(self) -> bool:
        """True for the cohort bundled with the compendium (the article's patients)."""
        return self.raw == BUNDLED_RAW


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(source: Path) -> bool:
    """True when ``source`` names an Excel workbook rather than a folder of CSV files."""
    return source.suffix.lower() in WORKBOOK_SUFFIXES


def is_reconstruction(data_raw: Path) -> bool:
    """Whether a cohort's sheets are a reconstruction of the article's cohort: it ships a
    ``provenance.csv`` saying which values the article states and which were imputed. Its
    documents describe the reconstruction and its ledger reads each claim as the article
    does; a team's own records have no such file."""
    return Path(data_raw).is_dir() and (Path(data_raw) / "provenance.csv").is_file()


def output_name(raw: Path) -> str:
    """The output folder name of a cohort directory: its name and the first 8 hex digits of
    the SHA-256 of its absolute path ("cohort-1a2b3c4d")."""
    digest = hashlib.sha256(str(raw.resolve()).encode("utf-8")).hexdigest()[:8]
    return f"{raw.name}-{digest}"


def cohort_paths(data_raw: Path | str | None = None) -> CohortPaths:
    """Folders for the cohort whose raw sheets are in ``data_raw`` (default: the bundled one)."""
    raw = Path(data_raw).resolve() if data_raw else BUNDLED_RAW
    if raw == BUNDLED_RAW:
        return CohortPaths(raw, ROOT / "data-derived", ROOT / "figures", OUTPUT)
    base = ROOT / "_cohorts" / output_name(raw)
    return CohortPaths(raw, base / "data-derived", base / "figures", base / OUTPUT.name)


def current() -> CohortPaths:
    """The cohort chosen through ``CART2_DATA_RAW`` (the bundled one when unset).

    ``CART2_FIGURES_DIR``, when set, redirects figure files to a staging folder that the
    render swaps in once every document has rendered.
    """
    paths = cohort_paths(os.environ.get(ENV_VAR) or None)
    staging = os.environ.get(FIGURES_ENV_VAR)
    if staging:
        paths = CohortPaths(paths.raw, paths.derived, Path(staging), paths.output)
    return paths


def shown_path(path: Path) -> str:
    """A path as a message shows it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
