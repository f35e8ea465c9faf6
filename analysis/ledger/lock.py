"""Locking a cohort's own results, as a follow-up team does at database lock.

``verify --freeze FILE`` writes every claim's computed value for the cohort at hand (CSV:
id, what, computed as printed, value at full precision); ``verify --against FILE`` computes
them again and lists each claim whose value differs from the frozen one, or that appears
on one side only. The comparison is with the cohort's own earlier numbers, not with the
article.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

COLUMNS = ["id", "what", "computed", "value"]


def _text(value: float | str) -> str:
    """A value as stored: ``repr`` of a float (round-trips exactly), "NA" when missing."""
    if isinstance(value, str):
        return value
    return "NA" if value is None or math.isnan(value) else repr(float(value))


def freeze(ledger: pd.DataFrame, path: Path) -> None:
    """Write the evaluated ledger's values (analysis.ledger.claims.evaluate) to ``path``."""
    frozen = ledger[COLUMNS[:-1]].assign(value=ledger["value"].map(_text))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frozen.to_csv(path, index=False, lineterminator="\n")


def _same(frozen: str, now: str) -> bool:
    try:
        return math.isclose(float(frozen), float(now), rel_tol=1e-9, abs_tol=1e-12)
    except ValueError:
        return frozen == now


def differences(ledger: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Claims whose value differs from the one frozen in ``path`` (columns id, frozen, now);
    a claim present on one side only shows "absent" on the other."""
    frozen = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frozen.columns]
    if missing:
        raise ValueError(f"{path}: not a frozen results file (columns {missing} missing; "
                         f"expected {', '.join(COLUMNS)}, as written by verify --freeze)")
    then = dict(zip(frozen["id"], frozen["value"], strict=True))
    now = dict(zip(ledger["id"], ledger["value"].map(_text), strict=True))
    rows = [{"id": i, "frozen": then.get(i, "absent"), "now": now.get(i, "absent")}
            for i in [*now, *(i for i in then if i not in now)]
            if i not in then or i not in now or not _same(then[i], now[i])]
    return pd.DataFrame(rows, columns=["id", "frozen", "now"])
