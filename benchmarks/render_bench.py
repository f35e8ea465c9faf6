"""Render timings for ``benchmarks/bench.py``, each read as a multiple of the floor.

The floor is the engine's own cost: a one-cell document that imports pandas, scipy, lifelines,
matplotlib and seaborn and prints one inline value, rendered to HTML and PDF by the same engine
``nox -s render`` uses. "full" is a from-scratch render of the bundled cohort (``derive
--force``, empty caches, both documents, every format); "no change" is ``derive`` and
``publish`` run again with nothing changed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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


class StepFailed(RuntimeError):
    """A timed command exited non-zero or ran past its time bound; the message says which."""


def measure(command: list[str], timeout: float | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one command run from the repository root.

    The peak is the kernel's ``ru_maxrss`` of the finished child (``os.wait4``): the largest
    single process of its tree, pandoc and Typst included. A command that fails, or runs past
    ``timeout`` seconds (its process group is then killed), raises :class:`StepFailed` with
    the reason (the end of its output, or the bound).
    """
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        timer = threading.Timer(timeout, os.killpg, (child.pid, signal.SIGKILL)) if timeout \
            else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if timer:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        if timeout and seconds >= timeout and child.returncode < 0:
            raise StepFailed(f"timed out after {timeout:g} s")
        if child.returncode != 0:
            log.seek(0)
            tail = log.read().decode(errors="replace").strip().splitlines()[-3:]
            raise StepFailed(f"exit {child.returncode}: " + " | ".join(tail))
    return seconds, usage.ru_maxrss / 1024


def _seconds(*commands: list[str]) -> float:
    return sum(measure(command)[0] for command in commands)


def floor(timeout: float | None = None) -> tuple[float, float]:
    """Seconds and peak MB to render the one-cell document to HTML and PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        qmd = Path(tmp) / "floor.qmd"
        qmd.write_text(FLOOR_QMD, encoding="utf-8")
        return measure([sys.executable, "-m", "qmdrender", str(qmd), "--output-dir",
                        str(Path(tmp) / "out"), "--to", "html,pdf", "--force"], timeout)


def floor_seconds() -> float:
    """Seconds to render the one-cell document to HTML and PDF."""
    return floor()[0]


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
