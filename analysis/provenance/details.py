"""What a reader of the HTML paper sees when pointing at a number: the published and the
computed value, the claim's category and the raw cells behind it with their basis.

:func:`details` collects this per claim from the ledger (:func:`analysis.ledger.claims.evaluate`),
each claim's lineage (:func:`analysis.provenance.lineage.claim_provenance`) and the basis of every raw
cell (:func:`analysis.provenance.cells.cell_rules`). :func:`html_block` writes it as one JSON
script element inside a raw HTML block (PDF and Word drop it), which the script of
``analysis/report/assets/claim-popup.html`` (the html format's ``include-after-body``) reads to
show the details of every ``[number]{data-claim="id"}`` span.
"""

from __future__ import annotations

import html
import json
import re

import pandas as pd

from analysis.derivations.store import Tables
from analysis.ledger.claims import Claim, load_ledger
from analysis.provenance import categories, lineage
from analysis.provenance import cells as provenance
from analysis.provenance.sources import Lineage

MAX_CELLS = 40  # raw cells listed per claim; the counts cover all of them
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain(text: str) -> str:
    """'1.1 × 10^7' with the power as Unicode superscripts ('1.1 × 10⁷')."""
    return re.sub(r"10\^(-?\d+)\^?", lambda m: "10" + m.group(1).translate(SUPERSCRIPT),
                  str(text))


def raw_cells(claim: Claim, tables: Tables, sources: Lineage,
              basis: pd.DataFrame) -> pd.DataFrame:
    """The raw cells behind the values a claim read, with their text and basis."""
    trace = lineage.claim_provenance(claim, tables, sources)
    return provenance.cells_with_basis(trace["raw"], basis)


def details(tables: Tables, sources: Lineage, basis: pd.DataFrame,
            reconstructed: bool = True, claims: list[Claim] | None = None
            ) -> dict[str, dict]:
    """Per claim id: what and where, the published value with its relation ('≤ 7' for
    "within 1 week"; ``relation`` alone too) and the computed text, the category by
    construction (:func:`analysis.provenance.categories.categorised`; ``reconstructed``
    false for a cohort without a provenance file) and its note, the number of raw cells per
    basis and the first :data:`MAX_CELLS` cells (imputed ones first), each named as the
    cohort names it (``where``: CSV file and line, or worksheet and Excel row; the workbook
    or folder in ``origin``); ``claims``: the cohort's ledger
    (:func:`analysis.ledger.settings.cohort_ledger`, default as written)."""
    claims = claims or load_ledger()
    ledger = {c.id: c for c in claims}
    lookup = provenance.by_cell(basis)
    out = {}
    for row in categories.categorised(tables, sources, basis if reconstructed else None,
                                      claims).itertuples():
        cells = raw_cells(ledger[row.id], tables, sources, lookup)
        order = cells["basis"].map({"imputed": 0, "derived_from_stated": 1}).fillna(2)
        listed = cells.assign(order=order).sort_values("order", kind="stable").head(MAX_CELLS)
        out[row.id] = {
            "what": row.what, "where": row.where, "published": plain(row.stated),
            "relation": row.relation, "computed": plain(row.computed),
            "category": row.category, "note": row.note,
            "counts": provenance.basis_counts(cells), "total": len(cells),
            "origin": sources.places.origin,
            "cells": [{"sheet": r.sheet, "line": int(r.line),
                       "where": sources.places.cell(r.sheet, int(r.line)), "column": r.column,
                       "value": r.value, "basis": r.basis} for r in listed.itertuples()],
        }
    return out


def html_block(claim_details: dict[str, dict]) -> str:
    """A raw HTML block holding the details as JSON (``<script id="claim-data">``)."""
    payload = json.dumps(claim_details, ensure_ascii=False, separators=(",", ":"),
                         sort_keys=True).replace("</", "<\\/")
    return ('```{=html}\n<script type="application/json" id="claim-data">'
            f"{payload}</script>\n```\n")


def basis_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per claim of a categorised ledger
    (:func:`analysis.provenance.categories.categorised`): its category and how many of the
    raw cells behind it (the values read and the cells read to select rows, the cells its
    category is computed from) are stated, derived from stated values, imputed or blank."""
    names = [*provenance.BASES, "empty"]
    return pd.DataFrame([
        {"claim": row.id, "category": row.category, "raw cells": sum(row.bases.values()),
         **{name.replace("_", " ").replace("empty", "blank"): int(row.bases.get(name, 0))
            for name in names}}
        for row in ledger.itertuples()])


def html_details(trail: pd.DataFrame) -> str:
    """The full trail of every claim (:func:`analysis.provenance.lineage.provenance_table`) as a raw
    HTML block, a collapsed list that only the HTML output shows; each item's id is
    ``trail-<claim id>``, the target of the popups' "Full trail" link."""
    items = "".join(
        f"<li id=\"trail-{html.escape(r['id'])}\"><b>{html.escape(r['id'])}</b>: "
        f"{html.escape(r['functions'])}; reads "
        f"{html.escape(r['derived'])}; from {html.escape(r['raw cells'] or 'no raw cell')} "
        f"({html.escape(r.get('basis') or 'none')}).</li>" for r in trail.to_dict("records"))
    return ("```{=html}\n<details class=\"claim-trails\"><summary>The full trail of every "
            f"number</summary><ul>{items}</ul></details>\n```\n")
