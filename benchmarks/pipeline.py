"""Derive, verify and a full render by cohort size, each as a multiple of the floor.

For ``benchmarks/bench.py``. At each size the floor (render_bench: a one-cell document,
HTML and PDF, same engine) is measured again, so every ratio is to a floor of the same run
and of the same moment. Each step is the command a reader runs on that cohort
(``analysis.derive --force``, ``analysis.verify``, ``analysis.publish --force``), in a process
of its own; seconds are the median of the repetitions, peak memory (MB) the largest single
process of the step's tree. "x prev" is the step's seconds over those at the previous size.
"""

from __future__ import annotations

import csv
import shutil
import statistics
import sys
from functools import partial
from pathlib import Path

import render_bench

STEPS = {"derive": ["analysis.derive", "--force"], "verify": ["analysis.verify"],
         "render": ["analysis.publish", "--force"]}
COLUMNS = ["patients", "step", "seconds", "floors", "peak_mb", "x_prev", "floor_s"]


def median_run(measure, runs: int) -> tuple[float, float]:
    """Median seconds and largest peak MB of ``runs`` calls of ``measure``."""
    results = [measure() for _ in range(runs)]
    return statistics.median(s for s, _ in results), max(mb for _, mb in results)


def time_size(size: int, cohort: Path, runs: int) -> list[dict]:
    """The floor and each step on one cohort: rows of patients, step, seconds, peak_mb."""
    rows = [{"patients": size, "step": "floor",
             **dict(zip(("seconds", "peak_mb"), median_run(render_bench.floor, runs)))}]
    for step, args in STEPS.items():
        command = [sys.executable, "-m", *args, "--data-raw", str(cohort)]
        seconds, peak = median_run(partial(render_bench.measure, command), runs)
        rows.append({"patients": size, "step": step, "seconds": seconds, "peak_mb": peak})
    from analysis.common.paths import cohort_paths  # the bench's venv has the project
    shutil.rmtree(cohort_paths(cohort).output.parent, ignore_errors=True)
    return rows


def table(rows: list[dict]) -> list[dict]:
    """Rows with a total per size, floors (seconds over that size's floor), growth over the
    previous size and the floor's seconds; the floor rows themselves are left out."""
    out, previous = [], {}
    for size in dict.fromkeys(r["patients"] for r in rows):
        of_size = [r for r in rows if r["patients"] == size]
        floor = next(r["seconds"] for r in of_size if r["step"] == "floor")
        steps = [r for r in of_size if r["step"] != "floor"]
        steps.append({"patients": size, "step": "total",
                      "seconds": sum(r["seconds"] for r in steps),
                      "peak_mb": max(r["peak_mb"] for r in steps)})
        for r in steps:
            before = previous.get(r["step"])
            out.append({**r, "floors": r["seconds"] / floor, "floor_s": floor,
                        "x_prev": r["seconds"] / before if before else None})
            previous[r["step"]] = r["seconds"]
    return out


def show(rows: list[dict]) -> str:
    """The table as text, one line a step and size."""
    header = (f"{'patients':>9} {'step':<7} {'seconds':>8} {'floors':>7} {'peak MB':>8} "
              f"{'x prev':>7} {'floor s':>8}")
    lines = [header]
    for r in rows:
        growth = f"{r['x_prev']:>7.1f}" if r["x_prev"] else f"{'':>7}"
        lines.append(f"{r['patients']:>9} {r['step']:<7} {r['seconds']:>8.1f} "
                     f"{r['floors']:>7.2f} {r['peak_mb']:>8.0f} {growth} {r['floor_s']:>8.1f}")
    lines.append("floors: seconds over the floor measured at that size (one-cell document, "
                 "HTML + PDF, same engine); x prev: over the previous size; peak MB: the "
                 "largest single process of the step")
    return "\n".join(lines)


def write_csv(rows: list[dict], path: Path) -> None:
    """The table as CSV (columns ``COLUMNS``; x_prev empty at the first size)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "x_prev": "" if r["x_prev"] is None else r["x_prev"]}
                         for r in rows)
