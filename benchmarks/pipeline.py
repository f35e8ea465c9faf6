"""Derive, verify and a full render by cohort size, each as a multiple of the floor.

For ``benchmarks/bench.py``. At each size the floor (render_bench: a one-cell document,
HTML and PDF, same engine) is measured again, so every ratio is to a floor of the same run
and of the same moment. Each step is the command a reader runs on that cohort
(``analysis.derive --force``, ``analysis.verify``, ``analysis.publish --force``), in a process
of its own; seconds are the median of the repetitions, peak memory (MB) the largest single
process of the step's tree. "x prev" is the step's seconds over those at the previous size.
A step that fails or runs past its time bound is a row of status "failed" with the reason;
the steps after a failed derive are "skipped" (they read what it writes).
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
COLUMNS = ["patients", "step", "status", "seconds", "floors", "peak_mb", "x_prev", "floor_s",
           "reason"]


def median_run(measure, runs: int) -> tuple[float, float]:
    """Median seconds and largest peak MB of ``runs`` calls of ``measure``."""
    results = [measure() for _ in range(runs)]
    return statistics.median(s for s, _ in results), max(mb for _, mb in results)


def timed(size: int, step: str, measure, runs: int) -> dict:
    """One row: the median of ``measure``, or status "failed" and the reason."""
    try:
        seconds, peak = median_run(measure, runs)
    except render_bench.StepFailed as failure:
        return {"patients": size, "step": step, "status": "failed", "reason": str(failure)}
    return {"patients": size, "step": step, "status": "ok", "seconds": seconds,
            "peak_mb": peak}


def time_size(size: int, cohort: Path, runs: int, timeout: float | None = None) -> list[dict]:
    """The floor and each step on one cohort (each bounded by ``timeout`` seconds): rows of
    patients, step, status, seconds, peak_mb and, for a failed or skipped step, reason."""
    rows = [timed(size, "floor", partial(render_bench.floor, timeout), runs)]
    for step, args in STEPS.items():
        if any(r["step"] == "derive" and r["status"] != "ok" for r in rows):
            rows.append({"patients": size, "step": step, "status": "skipped",
                         "reason": "derive failed"})
            continue
        command = [sys.executable, "-m", *args, "--data-raw", str(cohort)]
        rows.append(timed(size, step, partial(render_bench.measure, command, timeout), runs))
    from analysis.common.paths import cohort_paths  # the bench's venv has the project
    shutil.rmtree(cohort_paths(cohort).output.parent, ignore_errors=True)
    return rows


def table(rows: list[dict]) -> list[dict]:
    """Rows with a total per size, floors (seconds over that size's floor), growth over the
    previous size and the floor's seconds; the floor rows themselves are left out. A size
    whose floor failed has no floors; a total over a failed step is failed too."""
    out, previous = [], {}
    for size in dict.fromkeys(r["patients"] for r in rows):
        of_size = [r for r in rows if r["patients"] == size]
        floor = next((r.get("seconds") for r in of_size if r["step"] == "floor"), None)
        steps = [r for r in of_size if r["step"] != "floor"]
        broken = [r["step"] for r in steps if r["status"] != "ok"]
        steps.append({"patients": size, "step": "total", "status": "failed",
                      "reason": "not every step ran: " + ", ".join(broken)} if broken else
                     {"patients": size, "step": "total", "status": "ok",
                      "seconds": sum(r["seconds"] for r in steps),
                      "peak_mb": max(r["peak_mb"] for r in steps)})
        for r in steps:
            seconds, before = r.get("seconds"), previous.get(r["step"])
            out.append({**r, "floor_s": floor,
                        "floors": seconds / floor if seconds is not None and floor else None,
                        "x_prev": seconds / before if seconds is not None and before else None})
            previous[r["step"]] = seconds
    return out


def _number(value: float | None, spec: str, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def show(rows: list[dict]) -> str:
    """The table as text, one line a step and size; a failed step shows its reason."""
    header = (f"{'patients':>9} {'step':<7} {'seconds':>8} {'floors':>7} {'peak MB':>8} "
              f"{'x prev':>7} {'floor s':>8}")
    lines = [header]
    for r in rows:
        line = (f"{r['patients']:>9} {r['step']:<7} {_number(r.get('seconds'), '.1f', 8)} "
                f"{_number(r['floors'], '.2f', 7)} {_number(r.get('peak_mb'), '.0f', 8)} "
                f"{_number(r['x_prev'], '.1f', 7)} {_number(r['floor_s'], '.1f', 8)}")
        lines.append(line if r["status"] == "ok" else f"{line}  {r['status']}: {r['reason']}")
    lines.append("floors: seconds over the floor measured at that size (one-cell document, "
                 "HTML + PDF, same engine); x prev: over the previous size; peak MB: the "
                 "largest single process of the step")
    return "\n".join(lines)


def write_csv(rows: list[dict], path: Path) -> None:
    """The table as CSV (columns ``COLUMNS``; a value that was not measured is empty)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, extrasaction="ignore", lineterminator="\n",
                                restval="")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
