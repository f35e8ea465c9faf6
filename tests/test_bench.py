"""The bench's pipeline table: floors, totals and growth computed from measured rows."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench
import pipeline
import render_bench


def rows(size: int, floor: float, derive: float, verify: float, render: float) -> list[dict]:
    steps = {"floor": floor, "derive": derive, "verify": verify, "render": render}
    return [{"patients": size, "step": step, "status": "ok", "seconds": seconds,
             "peak_mb": 10.0 * i + size}
            for i, (step, seconds) in enumerate(steps.items())]


def test_floors_totals_and_growth(tmp_path: Path) -> None:
    table = pipeline.table(rows(5, 2.0, 1.0, 3.0, 4.0) + rows(500, 4.0, 4.0, 6.0, 30.0))
    by = {(r["patients"], r["step"]): r for r in table}
    assert "floor" not in {r["step"] for r in table}
    assert by[5, "verify"]["floors"] == pytest.approx(1.5)
    assert by[500, "verify"]["floors"] == pytest.approx(1.5)  # each size its own floor
    assert by[5, "total"]["seconds"] == pytest.approx(8.0)
    assert by[500, "total"]["peak_mb"] == pytest.approx(530.0)
    assert by[5, "render"]["x_prev"] is None
    assert by[500, "render"]["x_prev"] == pytest.approx(7.5)
    assert by[500, "total"]["x_prev"] == pytest.approx(5.0)
    out = tmp_path / "results" / "pipeline.csv"
    pipeline.write_csv(table, out)
    written = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["step"] for r in written] == ["derive", "verify", "render", "total"] * 2
    assert written[0]["x_prev"] == "" and float(written[6]["x_prev"]) == pytest.approx(7.5)
    assert "500 total" in " ".join(pipeline.show(table).split())


def test_median_run_quotes_the_median_and_the_largest_peak() -> None:
    results = iter([(3.0, 100.0), (1.0, 300.0), (2.0, 200.0)])
    assert pipeline.median_run(lambda: next(results), 3) == (2.0, 300.0)


def failing_step(fail: str):
    """A stand-in for render_bench.measure: ``fail`` (a module name) fails, the rest take 1 s."""
    def measure(command: list[str], timeout: float | None = None) -> tuple[float, float]:
        if fail in command:
            raise render_bench.StepFailed("exit 1: boom")
        return 1.0, 50.0
    return measure


@pytest.mark.parametrize(("fail", "after"), [("analysis.verify", "ok"),
                                             ("analysis.derive", "skipped")])
def test_a_failed_step_is_a_row_with_its_reason_and_the_others_still_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail: str, after: str) -> None:
    monkeypatch.setattr(render_bench, "measure", failing_step(fail))
    monkeypatch.setattr(render_bench, "floor", lambda timeout=None: (2.0, 40.0))
    rows = pipeline.time_size(5, tmp_path / "n5", 1)
    by = {r["step"]: r for r in rows}
    step = fail.removeprefix("analysis.")
    assert by[step]["status"] == "failed" and by[step]["reason"] == "exit 1: boom"
    assert by["render"]["status"] == after
    table = pipeline.table(rows + rows_of(500))
    total = next(r for r in table if r["patients"] == 5 and r["step"] == "total")
    assert total["status"] == "failed" and step in total["reason"]
    later = {r["step"]: r for r in table if r["patients"] == 500}
    assert later[step]["x_prev"] is None and later["total"]["x_prev"] is None
    shown = pipeline.show(table)
    assert "failed: exit 1: boom" in shown
    out = tmp_path / "pipeline.csv"
    pipeline.write_csv(table, out)
    written = {(r["patients"], r["step"]): r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert written["5", step]["status"] == "failed" and written["5", step]["seconds"] == ""
    assert written["500", "total"]["status"] == "ok"


def rows_of(size: int) -> list[dict]:
    return rows(size, 2.0, 1.0, 1.0, 1.0)


def test_a_command_past_its_bound_is_stopped_and_reported() -> None:
    with pytest.raises(render_bench.StepFailed, match="timed out after 0.2 s"):
        render_bench.measure([sys.executable, "-c", "import time; time.sleep(30)"], 0.2)
    with pytest.raises(render_bench.StepFailed, match="exit 3: .*gone"):
        render_bench.measure([sys.executable, "-c", "print('gone'); raise SystemExit(3)"])


def test_the_bench_writes_each_size_as_it_finishes_and_exits_1_on_a_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    out, seen = tmp_path / "pipeline.csv", []

    def bench_size(size, workdir, runs, timeout):
        seen.append(out.read_text(encoding="utf-8") if out.exists() else "")
        if size == 50:
            failed = {"failed": "timed out after 1 s", "size": size}
            return failed, failed, [{"patients": size, "step": "floor", "status": "ok",
                                     "seconds": 2.0, "peak_mb": 1.0},
                                    *({"patients": size, "step": s, "status": "failed",
                                       "reason": "timed out after 1 s"} for s in pipeline.STEPS)]
        steps = {"validate": 0.1, "derive": 0.1, "analysis": 0.1, "rows": 9, "peak_mb": 9.0}
        lineage = {"derive": 0.1, "with lineage": 0.2, "noted rows": 9, "lineage": 0.1}
        return {**steps, "size": size}, {**lineage, "size": size}, rows_of(size)

    monkeypatch.setattr(bench, "bench_size", bench_size)
    code = bench.main(["--sizes", "5", "50", "500", "--no-render", "--out", str(out)])
    assert code == 1
    assert "" == seen[0] and "5,derive,ok" in seen[1] and "50,render,failed" in seen[2]
    written = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["patients"] for r in written} == {"5", "50", "500"}
    printed = capsys.readouterr()
    assert "50  failed: timed out after 1 s" in printed.out
    assert "failed" in printed.err
    monkeypatch.setattr(bench, "bench_size", lambda *a: bench_size(5, *a[1:]))
    assert bench.main(["--sizes", "5", "--no-render", "--out", str(out)]) == 0
