"""What the documents of one render compute alike, computed by the first that needs it.

``python -m analysis.publish`` renders the paper and the supplement side by side, and both
need every claim traced to its raw cells (their popups, the supplement's tables). It sets
:data:`ENV_VAR` to a folder of its own for the render; :func:`once` computes a result there
once, under a lock, and the other document reads it. Without that folder (a document
rendered on its own, a test) it simply computes.
"""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ENV_VAR = "CART2_SHARED_DIR"  # set by analysis.publish for one render, removed after it
T = TypeVar("T")


def once(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its result as another document of the same render computed it
    (``<ENV_VAR folder>/<name>.pickle``; a document that finds it still being computed
    waits for it)."""
    folder = os.environ.get(ENV_VAR)
    if not folder:
        return compute()
    path = Path(folder) / f"{name}.pickle"
    with (Path(folder) / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.is_file():
            return pickle.loads(path.read_bytes())
        result = compute()
        path.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        return result
