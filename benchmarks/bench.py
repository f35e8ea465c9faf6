"""Benchmark: seconds and peak memory of validation, derivation and analysis by cohort size.

``nox -s bench`` (or ``python benchmarks/bench.py --sizes 5 50 500``). Each size gets a
synthetic cohort (tools/synth.py, not timed) and a fresh Python process, so the peak memory
is that of the run alone. Typesetting (Quarto / pandoc / Typst) and figure drawing are not
included there; they are timed at the end (``benchmarks/render_bench.py``: the floor, a
from-scratch render and a no-change render, as multiples of the floor; ``--no-render`` skips); "analysis" is the claims ledger, the audit and the supplementary tables;
"sources" is the search for the raw cells behind every derived value (analysis/sources.py,
a few hundred reruns of the derivation), timed up to ``--sources-up-to`` patients.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import render_bench

ROOT = Path(__file__).resolve().parent.parent
SIZES = [5, 50, 500, 5000, 50000]
SOURCES_UP_TO = 500

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from analysis.sheets import read_cohort
from analysis.derivations.adam import derive_tables
from analysis.claims import evaluate
from analysis import audit, tables
t1 = time.perf_counter()
cohort = read_cohort(sys.argv[1]); t2 = time.perf_counter()
derived = derive_tables(cohort); t3 = time.perf_counter()
evaluate(derived); audit.run(derived)
for make in (tables.table1, tables.table2, tables.table_s1):
    make(derived)
t4 = time.perf_counter()
if sys.argv[2] == "yes":
    from analysis.sources import derived_sources
    derived_sources(cohort)
t5 = time.perf_counter()
rows = sum(len(f) for f in cohort.values())
print(json.dumps({"import": t1 - t0, "validate": t2 - t1, "derive": t3 - t2,
                  "analysis": t4 - t3, "sources": t5 - t4 if sys.argv[2] == "yes" else None,
                  "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(size: int, workdir: Path, sources: bool) -> dict:
    cohort = workdir / f"n{size}"
    subprocess.run([sys.executable, str(ROOT / "tools" / "synth.py"), "--n", str(size),
                    "--seed", "1", "--out", str(cohort)], check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", CHILD, str(cohort), "yes" if sources else "no"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"bench: the run on {size} patients failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--sources-up-to", type=int, default=SOURCES_UP_TO,
                        help="time the raw-cell search for cohorts up to this size")
    parser.add_argument("--no-render", action="store_true",
                        help="skip the render timings (floor, full, no change)")
    args = parser.parse_args(argv)
    header = (f"{'patients':>9} {'raw rows':>10} {'validate s':>11} {'derive s':>9} "
              f"{'analysis s':>11} {'total s':>8} {'x prev':>7} {'peak MB':>8} {'sources s':>10}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            print(f"bench: {size} patients ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            result = run(size, Path(tmp), size <= args.sources_up_to)
            result["size"] = size
            results.append(result)
            print(f"bench: {size} patients done in {time.perf_counter() - started:.1f} s "
                  "(including synthesis)", file=sys.stderr, flush=True)
    print(header)
    previous = None
    for r in results:
        total = r["validate"] + r["derive"] + r["analysis"]
        growth = f"{total / previous:>7.1f}" if previous else f"{'':>7}"
        print(f"{r['size']:>9} {r['rows']:>10} {r['validate']:>11.2f} {r['derive']:>9.2f} "
              f"{r['analysis']:>11.2f} {total:>8.2f} {growth} {r['peak_mb']:>8.0f} "
              + (f"{r['sources']:>10.1f}" if r["sources"] is not None else f"{'-':>10}"))
        previous = total
    print("x prev: total time over that of the previous size (linear growth: the size ratio);"
          " sources is not in the total")
    if not args.no_render:
        print(render_bench.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
