"""Command ``python -m analysis.publish``: render paper and supplement for one cohort.

Runs the document renderer (:mod:`qmdrender`: Quarto when installed, otherwise the built-in
engine) on ``paper.qmd`` and ``supplement.qmd`` with the cohort chosen by ``--data-raw``,
writing HTML, PDF, DOCX and JATS XML into the cohort's output folder (``_output/`` for the
bundled cohort), and the paper's MECA bundle (``paper-meca.zip``: JATS, PDF, Word, the
supplement's files as supplementary material). The documents are rendered again when any input they read changed (the code, the lock
file, ``claims.yaml``, the cohort's raw sheets and provenance, the derived tables) or when any
output, a figure included, is missing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from analysis.common import shared
from analysis.common.atomic import replace_dir
from analysis.common.paths import (
    ENV_VAR,
    FIGURES_ENV_VAR,
    ROOT,
    cohort_paths,
    is_workbook,
    shown_path,
)

DOCUMENTS = ["paper.qmd", "supplement.qmd"]
DEPENDS = ["analysis/**/*.py", "analysis/**/*.yaml", "analysis/**/*.html", "analysis/**/*.docx", "qmdrender/**/*", "references.bib",
           "_quarto.yml", "uv.lock", "claims.yaml", "data-raw/dictionary.yaml"]
FIGURE_LIST = ".figures"  # in the output folder: the figure files the last render wrote


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.publish", description=__doc__)
    parser.add_argument("--data-raw", type=Path, default=None,
                        help="cohort directory of CSV sheets or Excel workbook (default: data-raw/)")
    parser.add_argument("--force", action="store_true", help="render even if up to date")
    parser.add_argument("--engine", default="auto", choices=["auto", "quarto", "builtin"])
    parser.add_argument("--to", default="html,pdf,docx,jats")
    args = parser.parse_args(argv)
    paths = cohort_paths(args.data_raw)
    raw = str(paths.raw) if is_workbook(paths.raw) else str(paths.raw / "*")
    depends = [*DEPENDS, raw, str(paths.derived.relative_to(ROOT) / "**" / "*")]
    command = [sys.executable, "-m", "qmdrender", *DOCUMENTS,
               "--output-dir", str(paths.output), "--engine", args.engine, "--to", args.to]
    for pattern in depends:
        command += ["--depends", pattern]
    if "jats" in args.to.split(","):
        command += ["--meca", DOCUMENTS[0]]
    if args.force or _figures_missing(paths.output, paths.figures):
        command.append("--force")
    unchanged = (f"previous documents in {shown_path(paths.output)} and figures in "
                 f"{shown_path(paths.figures)} are unchanged")
    try:
        with replace_dir(paths.figures) as staging, tempfile.TemporaryDirectory() as once:
            env = {**os.environ, ENV_VAR: str(paths.raw), FIGURES_ENV_VAR: str(staging),
                   shared.ENV_VAR: once}
            result = subprocess.run(command, cwd=ROOT, env=env, check=False)
            written = sorted(p.name for p in staging.iterdir())
            if result.returncode != 0 or not written:
                raise _KeepFigures(result.returncode)
            (paths.output / FIGURE_LIST).write_text("\n".join(written) + "\n")
    except _KeepFigures as kept:
        if kept.returncode != 0:
            print(f"render: stopped; {unchanged}", file=sys.stderr)
            return kept.returncode
    except OSError as error:  # an output folder that cannot be written (permissions, disk full)
        print(f"render: {error.strerror or error} ({error.filename or shown_path(paths.figures)});"
              f" {unchanged}", file=sys.stderr)
        return 1
    print(f"render: documents in {paths.output}, figures in {paths.figures}", file=sys.stderr)
    return 0


def _figures_missing(output: Path, figures: Path) -> bool:
    """True when a figure the last render wrote is no longer there."""
    listed = output / FIGURE_LIST
    names = listed.read_text().split() if listed.is_file() else []
    return any(not (figures / name).is_file() for name in names)


class _KeepFigures(Exception):
    """The render failed or was up to date: the previous figures stay in place."""

    def __init__(self, returncode: int):
        super().__init__(returncode)
        self.returncode = returncode


if __name__ == "__main__":
    sys.exit(main())
