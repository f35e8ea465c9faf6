"""Render timings for ``benchmarks/bench.py``, each read as a multiple of the floor.

The floor is the engine's own cost: a one-cell document that imports pandas, scipy, lifelines,
matplotlib and seaborn and prints one inline value, rendered to HTML and PDF by the same engine
``nox -s render`` uses. "full" is a from-scratch render of the bundled cohort (``derive
--force``, empty caches, both documents, every format); "no change" is ``derive`` and
``publish`` run again with nothing changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_QMD = """\
---
title: Floor
---

```{python}
import lifelines, matplotlib, pandas, scipy, seaborn
value = pandas.Series([1, 2, 3]).median()
```

The median is `{python} value`.
"""


def _seconds(*commands: list[str]) -> float:
    started = time.perf_counter()
    for command in commands:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"bench: {' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def floor_seconds() -> float:
    """Seconds to render the one-cell document to HTML and PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        qmd = Path(tmp) / "floor.qmd"
        qmd.write_text(FLOOR_QMD, encoding="utf-8")
        return _seconds([sys.executable, "-m", "qmdrender", str(qmd), "--output-dir",
                         str(Path(tmp) / "out"), "--to", "html,pdf", "--force"])


def full_seconds() -> float:
    """Seconds for derive --force and a render of both documents in every format, no caches."""
    shutil.rmtree(ROOT / "_output" / ".cache", ignore_errors=True)
    return _seconds([sys.executable, "-m", "analysis.derive", "--force"],
                    [sys.executable, "-m", "analysis.publish", "--force"])


def no_change_seconds() -> float:
    """Seconds for derive and publish when nothing changed since the last render."""
    return _seconds([sys.executable, "-m", "analysis.derive"],
                    [sys.executable, "-m", "analysis.publish"])


def report(floor: float | None = None) -> str:
    """The floor line and the renders as multiples of it (``floor`` measured if not given)."""
    floor = floor or floor_seconds()
    full = full_seconds()
    unchanged = no_change_seconds()
    return (f"floor      {floor:6.1f} s  (one-cell document, HTML + PDF, same engine)\n"
            f"full       {full:6.1f} s  = {full / floor:.2f} floors  (derive --force, "
            "both documents, html+pdf+docx, empty caches)\n"
            f"no change  {unchanged:6.1f} s  = {unchanged / floor:.2f} floors")
