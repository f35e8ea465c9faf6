"""A claim's category by construction: the comparison with the article refined by the basis
of every raw cell behind the claim.

:func:`analysis.ledger.claims.category` compares a computed value with the published one;
that stage cannot see where the raw values came from. Here a claim the comparison calls
``reproduced`` keeps that name only when every raw cell behind it (the values it read and
the cells read to select its rows, :func:`claim_cells`) is
stated in the article or derived from stated values only (``data-raw/provenance.csv``);
one resting on any other cell (imputed, or blank) is :data:`RECONSTRUCTED`: the stated
method gives the published value from values chosen to allow it, which shows the method
and the code agree with the article, not that the trial's records do. ``explained``,
``circular``, ``data gap``, ``not reproducible`` and ``not applicable`` keep their names.

A cohort without a provenance file (a team's own records) has nothing imputed and nothing
typed in to fit the article, and the article is not a test of it: its categories
(:data:`TEAM_CATEGORIES`, pass ``bases=None``) say only how its value compares with the
published one, as information: the same, different, or not available from its sheets.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np
import pandas as pd

from analysis.derivations.store import Tables
from analysis.ledger.claims import Claim, evaluate, load_ledger
from analysis.provenance import cells as provenance
from analysis.provenance import lineage
from analysis.provenance.sources import Lineage

RECONSTRUCTED = "consistent with the reconstruction"
CATEGORIES = ("reproduced", RECONSTRUCTED, "explained", "circular", "data gap",
              "not reproducible", "not applicable")
SUPPORTING = {"stated", "derived_from_stated"}  # bases that let a claim count as reproduced
SAME, DIFFERS, UNAVAILABLE = "same as published", "differs from published", "not available"
TEAM_CATEGORIES = (SAME, DIFFERS, UNAVAILABLE)  # a team's records against the article
APART = "about the published patients"  # set apart (analysis.ledger.settings)


def category(compared: str, bases: Collection[str] | None) -> str:
    """The claim's category from the comparison's category (``compared``, one of
    :data:`analysis.ledger.claims.CATEGORIES`) and the bases of the raw cells behind it
    (``None`` for a cohort without a provenance file, a team's records: one of
    :data:`TEAM_CATEGORIES`, the comparison with the article as information)."""
    if bases is None:
        return {"not reproducible": DIFFERS, "not applicable": UNAVAILABLE}.get(compared, SAME)
    if compared == "reproduced" and set(bases) - SUPPORTING:
        return RECONSTRUCTED
    return compared


READS = {"value": "behind the values read", "selection": "read to select rows"}


def read_parts(trace: dict) -> tuple[list[tuple[str, str, np.ndarray]], list[str]]:
    """The raw cells of a trace (:func:`analysis.provenance.lineage.claim_provenance`) as
    (sheet, column, lines) parts, each cell in one part, and how each part was read
    (:data:`READS`): ``value`` for the cells behind the values read, ``selection`` for
    the cells read only to select rows."""
    parts, reads = [], []
    for sheet, columns in trace["raw"].items():
        for column, lines in columns.items():
            parts.append((sheet, column, lines))
            reads.append("value")
    for sheet, columns in trace["raw_filters"].items():
        for column, lines in columns.items():
            behind = trace["raw"].get(sheet, {}).get(column)
            parts.append((sheet, column, lines if behind is None else
                          np.setdiff1d(lines, behind, assume_unique=True)))
            reads.append("selection")
    return parts, reads


def read_counts(trace: dict) -> dict[str, int]:
    """How many raw cells of a trace were read each way (:func:`read_parts`)."""
    counts = dict.fromkeys(READS, 0)
    for (_, _, lines), read in zip(*read_parts(trace), strict=True):
        counts[read] += len(lines)
    return counts


def claim_cells(claim: Claim, tables: Tables, sources: Lineage,
                lookup: provenance.CellBasis, trace: dict | None = None) -> pd.DataFrame:
    """Every raw cell behind a claim, once, sorted: sheet, line, column, value, basis (a
    cell ``lookup`` does not list, a blank one, is ``empty``; ``lookup``:
    :func:`analysis.provenance.cells.by_cell`) and ``read``: ``value`` for the cells behind
    the values the claim read, with the cells that identify their raw rows (patient, course),
    ``selection`` for the cells read only to select rows (:func:`read_parts`). ``trace``:
    the claim's :func:`analysis.provenance.lineage.claim_provenance` when the caller has it
    (the claim is not traced again)."""
    if trace is None:
        trace = lineage.claim_provenance(claim, tables, sources)
    parts, reads = read_parts(trace)
    return lookup.cells(parts, {"read": reads})


def _note(bases: pd.Series) -> str:
    """'30 of the 87 raw cells behind it are neither stated nor derived from stated values:
    imputed courses.weight, ...'."""
    other = bases[~bases.isin(SUPPORTING)]
    kinds = other.reset_index()[["sheet", "column", other.name]].drop_duplicates()
    named = ", ".join(f"{b} {sheet}.{column}" for sheet, column, b in kinds.itertuples(index=False))
    return (f"{len(other)} of the {len(bases)} raw cells behind it (with those read to select "
            f"rows) are neither stated in the article nor derived from stated values: {named}")


def categorised(tables: Tables, sources: Lineage,
                basis: pd.DataFrame | provenance.CellBasis | None,
                ledger: list[Claim] | None = None, traces: dict[str, dict] | None = None,
                each: Callable[[Claim, pd.DataFrame], None] | None = None) -> pd.DataFrame:
    """The ledger (:func:`analysis.ledger.claims.evaluate`) with each claim's category by
    construction (:func:`category`); ``compared`` keeps the comparison's category, ``cells``
    counts the raw cells behind the claim by basis (``bases``: the same as a dict), ``reads``
    by how they were read (:func:`claim_cells`: ``value`` and ``selection``, adding up to
    the same total), and a claim consistent with the reconstruction has a note naming the
    cells it rests on. ``basis`` is ``None`` for a cohort without a provenance file (no
    basis is counted). ``traces``: :func:`analysis.provenance.lineage.claim_traces` of the
    ledger when the caller has them (no claim is traced again); each claim's value is the
    one its trace computed. ``each``, when given, is called with every claim and its
    :func:`claim_cells` when they are looked up (a basis is given), so that a caller needing
    them too does not look them up again."""
    ledger = ledger or load_ledger()
    if traces is None:
        traces = lineage.claim_traces(ledger, tables, sources)
    # a team's records (no basis; not settings.article_precision): short durations in days
    frame = evaluate(tables, ledger, days=basis is None,
                     values={claim.id: traces[claim.id]["value"] for claim in ledger})
    frame.insert(frame.columns.get_loc("category") + 1, "compared", frame["category"])
    lookup = None if basis is None else provenance.by_cell(basis)
    kinds, notes, counts, reads = [], [], [], []
    for claim, row in zip(ledger, frame.itertuples(), strict=True):
        trace = traces[claim.id]
        if lookup is None:  # no basis to count: how the cells were read is enough
            bases, kind = None, category(row.category, None)
            reads.append(read_counts(trace))
        else:
            cells = claim_cells(claim, tables, sources, lookup, trace)
            if each is not None:
                each(claim, cells)
            bases = cells.set_index(["sheet", "line", "column"])["basis"]
            kind = category(row.category, set(bases))
            reads.append({read: int((cells["read"] == read).sum()) for read in READS})
        kinds.append(kind)
        notes.append(_note(bases) if kind == RECONSTRUCTED
                     else "" if kind != row.category else row.note)
        counts.append({} if bases is None else bases.value_counts().to_dict())
    return frame.assign(category=kinds, note=notes, bases=counts, reads=reads, cells=[
        ", ".join(f"{n} {b.replace('_', ' ')}" for b, n in c.items()) for c in counts])
