"""The bench's pipeline table: floors, totals and growth computed from measured rows."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import pipeline


def rows(size: int, floor: float, derive: float, verify: float, render: float) -> list[dict]:
    steps = {"floor": floor, "derive": derive, "verify": verify, "render": render}
    return [{"patients": size, "step": step, "seconds": seconds, "peak_mb": 10.0 * i + size}
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
