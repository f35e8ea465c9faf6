"""Benchmark: seconds and peak memory of validation, derivation and analysis by cohort size.

``nox -s bench`` (or ``python benchmarks/bench.py --sizes 5 50 500``). Each size gets a
synthetic cohort (tools/synth.py, not timed) and a fresh Python process, so the peak memory
is that of the run alone. Typesetting (Quarto / pandoc / Typst) and figure drawing are not
included there; they are timed at the end (``benchmarks/render_bench.py``: the floor, a
from-scratch render and a no-change render, as multiples of the floor; ``--no-render``
skips); "analysis" is the claims ledger, the audit and the supplementary tables.
The pipeline table (benchmarks/pipeline.py) times derive, verify and a full render of each
cohort as a reader runs them, as multiples of a floor measured at the same size, with peak
memory and the growth from one size to the next; it is also written as CSV (``--out``).
A second table times the lineage of the raw cells behind every derived value
(analysis/provenance/sources.py) at every size, in a process of its own: "derive" is the plain
derivation, "with lineage" the derivation noting the raw rows and building the lineage
frames, and "lineage" the difference; with the render timings, also the lineage in floors.
Tracing every claim of the ledger to its raw cells (analysis/provenance/lineage.py, from that
lineage) is part of the pipeline table's verify and render steps.
The pipeline CSV is written again as each size finishes, so a later failure loses nothing. A
run that fails or passes ``--timeout`` seconds is reported in its row with the reason, the
next size runs, and the bench exits with status 1 at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pipeline
import render_bench

ROOT = Path(__file__).resolve().parent.parent
SIZES = [5, 50, 500, 5000, 50000]

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from analysis.sheets.cohort import read_cohort
from analysis.derivations.adam import derive_tables
from analysis.ledger.claims import evaluate
from analysis.ledger import audit
from analysis.report import tables
t1 = time.perf_counter()
cohort = read_cohort(sys.argv[1]); t2 = time.perf_counter()
derived = derive_tables(cohort); t3 = time.perf_counter()
evaluate(derived); audit.run(derived)
for make in (tables.table1, tables.table2, tables.table_s1):
    make(derived)
t4 = time.perf_counter()
rows = sum(len(f) for f in cohort.values())
print(json.dumps({"import": t1 - t0, "validate": t2 - t1, "derive": t3 - t2,
                  "analysis": t4 - t3, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


LINEAGE_CHILD = """
import json, sys, time, warnings
from analysis.sheets.cohort import read_cohort
from analysis.derivations.adam import derive_tables
from analysis.provenance.sources import derived_lineage
warnings.simplefilter("ignore")
cohort = read_cohort(sys.argv[1])
t0 = time.perf_counter(); derive_tables(cohort); t1 = time.perf_counter()
tables, cells = derived_lineage(cohort); t2 = time.perf_counter()
print(json.dumps({"derive": t1 - t0, "with lineage": t2 - t1,
                  "noted rows": sum(len(f) for f in cells.frames.values())}))
"""


def synthesize(size: int, workdir: Path) -> Path:
    """A synthetic cohort of ``size`` patients (tools/synth.py, seed 1), made once."""
    cohort = workdir / f"n{size}"
    if not cohort.is_dir():
        subprocess.run([sys.executable, str(ROOT / "tools" / "synth.py"), "--n", str(size),
                        "--seed", "1", "--out", str(cohort)], check=True, capture_output=True)
    return cohort


def child(script: str, size: int, cohort: Path, timeout: float | None = None) -> dict:
    """Run a timing script on a cohort in a fresh process; its last line is JSON. A failed
    run or one past ``timeout`` seconds is ``{"failed": reason}``."""
    try:
        out = subprocess.run([sys.executable, "-c", script, str(cohort)], cwd=ROOT,
                             capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"failed": f"timed out after {timeout:g} s"}
    if out.returncode != 0:
        return {"failed": f"exit {out.returncode}: "
                + " | ".join(out.stderr.strip().splitlines()[-3:])}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(size: int, workdir: Path, timeout: float | None = None) -> dict:
    return {**child(CHILD, size, synthesize(size, workdir), timeout), "size": size}


def run_lineage(size: int, workdir: Path, timeout: float | None = None) -> dict:
    """Seconds of the derivation with and without lineage."""
    result = {**child(LINEAGE_CHILD, size, synthesize(size, workdir), timeout), "size": size}
    if "failed" not in result:
        result["lineage"] = result["with lineage"] - result["derive"]
    return result


def print_rows(results: list[dict], measure: Callable[[dict], float],
               line: Callable[[dict, str], str]) -> None:
    """One line per size: ``line(result, growth)`` for a measured size, where growth is its
    ``measure`` (seconds) over the previous measured size's (blank first and after a failure);
    the reason for a failed size."""
    previous = None
    for r in results:
        if "failed" in r:
            print(f"{r['size']:>9}  failed: {r['failed']}")
            previous = None
            continue
        growth = f"{measure(r) / previous:>7.1f}" if previous else f"{'':>7}"
        print(line(r, growth))
        previous = measure(r)


def print_lineage(results: list[dict], floor: float | None = None) -> None:
    """The lineage table; with ``floor`` (seconds), the lineage also in floors."""
    print(f"{'patients':>9} {'noted rows':>11} {'derive s':>9} {'with lineage s':>15} "
          f"{'lineage s':>10} {'floors':>7} {'x prev':>7}")
    print_rows(results, lambda r: r["with lineage"], lambda r, growth: (
        f"{r['size']:>9} {r['noted rows']:>11} {r['derive']:>9.2f} "
        f"{r['with lineage']:>15.2f} {r['lineage']:>10.2f} "
        + (f"{r['lineage'] / floor:>7.2f}" if floor else f"{'-':>7}") + f" {growth}"))
    print("lineage: the derivation with lineage minus the plain one"
          + (f", and in floors of {floor:.1f} s" if floor else "")
          + "; x prev: growth of the derivation with lineage")


def print_steps(results: list[dict]) -> None:
    """The table of validation, derivation and analysis seconds by size."""
    print(f"{'patients':>9} {'raw rows':>10} {'validate s':>11} {'derive s':>9} "
          f"{'analysis s':>11} {'total s':>8} {'x prev':>7} {'peak MB':>8}")
    def total(r: dict) -> float:
        return r["validate"] + r["derive"] + r["analysis"]

    print_rows(results, total, lambda r, growth: (
        f"{r['size']:>9} {r['rows']:>10} {r['validate']:>11.2f} {r['derive']:>9.2f} "
        f"{r['analysis']:>11.2f} {total(r):>8.2f} {growth} {r['peak_mb']:>8.0f}"))
    print("x prev: total time over that of the previous size (linear growth: the size ratio)")


def bench_size(size: int, workdir: Path, runs: int, timeout: float | None,
               ) -> tuple[dict, dict, list[dict]]:
    """Every measurement of one size: the steps, the lineage and the pipeline rows."""
    cohort = synthesize(size, workdir)
    return (run(size, workdir, timeout), run_lineage(size, workdir, timeout),
            pipeline.time_size(size, cohort, runs, timeout))


def main(argv: list[str] | None = None) -> int:
    """Bench every size; each size's pipeline rows are written to ``--out`` as it finishes.
    Exit status 1 if any run failed (it is reported in its row and the next size runs)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--no-render", action="store_true",
                        help="skip the render timings (floor, full, no change)")
    parser.add_argument("--runs", type=int, default=1,
                        help="repetitions of each pipeline step and floor (median quoted)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds after which one run is stopped and recorded as failed")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results"
                        / "pipeline.csv", help="CSV of the pipeline table")
    args = parser.parse_args(argv)
    results, lineages, steps = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            print(f"bench: {size} patients ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            result, lineage, rows = bench_size(size, Path(tmp), args.runs, args.timeout)
            results.append(result)
            lineages.append(lineage)
            steps += rows
            pipeline.write_csv(pipeline.table(steps), args.out)
            print(f"bench: {size} patients done in {time.perf_counter() - started:.1f} s "
                  f"(including synthesis); rows so far in {args.out}", file=sys.stderr,
                  flush=True)
    print_steps(results)
    print()
    floor, failed = None, []
    if not args.no_render:
        try:
            floor = render_bench.floor_seconds()
        except render_bench.StepFailed as failure:
            print(f"floor failed: {failure}")
            failed.append(failure)
    print_lineage(lineages, floor)
    print()
    table = pipeline.table(steps)
    print(pipeline.show(table))
    print(f"written to {args.out}")
    failed += [r for r in [*results, *lineages] if "failed" in r] + [
        r for r in table if r["status"] != "ok"]
    if floor:
        print()
        try:
            print(render_bench.report(floor))
        except render_bench.StepFailed as failure:
            print(f"render timings failed: {failure}")
            failed.append(failure)
    if failed:
        print(f"bench: {len(failed)} run(s) failed; see the rows above", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
