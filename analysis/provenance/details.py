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
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.common import listings
from analysis.common.formatting import unescaped
from analysis.derivations.store import Tables
from analysis.ledger.claims import (NOT_STATED, Claim, Claims, compute, computed_text,
                                    load_ledger, missing)
from analysis.ledger.entries import load_computed
from analysis.provenance import categories
from analysis.provenance import cells as provenance
from analysis.provenance import lineage
from analysis.provenance.sources import Lineage

MAX_CELLS = 40  # raw cells a popup lists per claim (a small cohort); the counts cover all
TRAIL_SPANS = 12  # row and line spans of each claim's trail in the supplement's HTML
BASIS_LABELS = {"stated": "stated", "derived_from_stated": "derived from stated",
                "imputed": "imputed", "empty": "blank"}
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain(text: str) -> str:
    """Markdown as a reader sees it: '1.1 × 10^7^' with the power as Unicode superscripts
    ('1.1 × 10⁷'), sheet text without its backslash escapes ('pt01\\, pt03': 'pt01, pt03')."""
    powers = re.sub(r"10\^(-?\d+)\^?", lambda m: "10" + m.group(1).translate(SUPERSCRIPT),
                    str(text))
    return unescaped(powers)


class Traced(NamedTuple):
    """What the documents show of every claim's provenance, from one trace per claim."""

    ledger: pd.DataFrame  # :func:`analysis.provenance.categories.categorised`
    popups: dict[str, dict]  # :func:`details` but ``computed`` (:func:`printed_in`)
    trail: pd.DataFrame  # :func:`analysis.provenance.lineage.provenance_table`, TRAIL_SPANS


def traced(tables: Tables, sources: Lineage, basis: pd.DataFrame, reconstructed: bool = True,
           claims: list[Claim] | None = None,
           listed_patients: int = listings.LISTED_PATIENTS) -> Traced:
    """The categorised ledger, the popups' :func:`details` but the value the document
    printed (:func:`printed_in` adds it) and the trail of every claim
    (row and line lists cut after :data:`TRAIL_SPANS` spans; with the basis of its cells
    for a reconstruction), each claim traced once for all three
    (:func:`analysis.provenance.lineage.claim_traces`)."""
    claims = claims or load_ledger()
    first = first_cells(len(tables["adsl"]), listed_patients)
    traces = lineage.claim_traces(claims, tables, sources)
    lookup = provenance.by_cell(basis)
    listed: dict[str, dict] = {}

    def keep(claim: Claim, cells: pd.DataFrame) -> None:
        listed[claim.id] = _listing(cells, sources, reconstructed, first)

    ledger = categories.categorised(tables, sources, lookup if reconstructed else None,
                                    claims, traces, each=keep)
    for claim in claims:  # a team's cells: categorised counts them without looking them up
        if claim.id not in listed:
            keep(claim, categories.claim_cells(claim, tables, sources, lookup, traces[claim.id]))
    out = {}
    for row in ledger.itertuples():
        out[row.id] = {
            "what": row.what, "where": row.where, "published": plain(row.stated),
            "relation": row.relation,
            "category": row.category, "note": row.note,
            "counts": counts_text(row.bases), "total": sum(row.reads.values()),
            "reads": reads_text(row.reads), "trail": True, **listed[row.id]}
    with lineage.hooks():  # installed once for all the computed numbers
        out.update(unstated(load_computed(), tables, sources, basis, reconstructed, first))
    trail = lineage.provenance_table(tables, sources, claims, limit=TRAIL_SPANS,
                                     basis=lookup if reconstructed else None, traces=traces)
    return Traced(ledger, out, trail)


def unstated(claims: list[Claim], tables: Tables, sources: Lineage, basis: pd.DataFrame,
             reconstructed: bool = True, first: int = MAX_CELLS,
             ledger: pd.DataFrame | None = None) -> dict[str, dict]:
    """The popups of numbers the article does not state as claims (the computed and
    per-patient entries of claims.yaml), as :func:`traced` writes a claim's but for the
    comparison: "not stated in the article", with the raw cells behind them (the ``first``
    ones listed). For a reconstruction with its categorised ``ledger``
    (:func:`analysis.provenance.categories.categorised`), a per-patient number that one of
    its ``stated`` claims states (the claim agrees, and its computed text is this number's)
    shows that claim's published value, category and note."""
    lookup = provenance.by_cell(basis)
    out = {}
    for claim in claims:
        cells = categories.claim_cells(claim, tables, sources, lookup)
        bases = cells["basis"].value_counts().to_dict() if reconstructed else {}
        out[claim.id] = {
            "what": claim.what, "where": "", "published": NOT_STATED, "relation": "=",
            "category": NOT_STATED, "note": "", "counts": counts_text(bases),
            "total": len(cells), "reads": reads_text(cells["read"].value_counts().to_dict()),
            "trail": False, **_listing(cells, sources, reconstructed, first),
            **(_stated_as(claim, tables, ledger) if reconstructed and ledger is not None else {})}
    return out


def _stated_as(claim: Claim, tables: Tables, ledger: pd.DataFrame) -> dict:
    """What a per-patient number's popup takes from the first of its ``stated`` claims that
    states it: where, the published value, the category and its note (empty when none)."""
    value, written = compute(claim, tables), {c.id: c for c in load_ledger()}
    rows = ledger[ledger["id"].isin(claim.stated) & ledger["agrees"]]
    for row in rows.itertuples():
        if not missing(value) and row.computed == computed_text(written[row.id], value):
            return {"where": row.where, "published": plain(row.stated), "category": row.category,
                    "note": f"the article states it as {row.id}" + (f": {row.note}" if row.note
                                                                    else "")}
    return {}


def details(tables: Tables, sources: Lineage, basis: pd.DataFrame,
            reconstructed: bool = True, claims: list[Claim] | None = None,
            printed: Claims | None = None,
            listed_patients: int = listings.LISTED_PATIENTS) -> dict[str, dict]:
    """Per claim id: what and where, the published value with its relation ('≤ 7' for
    "within 1 week"; ``relation`` alone too) and the computed text as the document prints
    it (``printed``: the document's :class:`analysis.ledger.claims.Claims`, default the
    bundled cohort's), the category by
    construction (:func:`analysis.provenance.categories.categorised`; ``reconstructed``
    false for a cohort without a provenance file) and its note, the number of raw cells per
    basis (``counts``) and by how they were read (``reads``), adding up to ``total`` as in
    the supplement's table (:func:`basis_table`), and the first cells (:func:`first_cells`:
    those behind the values first, imputed ones first among them), each named as the
    cohort names it (``where``: CSV file and line, or worksheet and Excel row; the workbook
    or folder in ``origin``); ``claims``: the cohort's ledger
    (:func:`analysis.ledger.settings.cohort_ledger`, default as written). The popups of
    :func:`traced`."""
    popups = traced(tables, sources, basis, reconstructed, claims, listed_patients).popups
    return printed_in(popups, printed or Claims(tables, ledger=claims or load_ledger()))


def first_cells(n_patients: int, listed_patients: int = listings.LISTED_PATIENTS) -> int:
    """How many raw cells a popup lists: :data:`MAX_CELLS` for a cohort whose documents list
    every patient (:func:`analysis.common.listings.in_full`), else
    :data:`analysis.common.listings.FIRST_ROWS`, so that a large cohort's HTML stays small
    (the counts cover every cell; ``nox -s trace -- ID`` lists them all)."""
    return MAX_CELLS if listings.in_full(n_patients, listed_patients) else listings.FIRST_ROWS


def printed_in(popups: dict[str, dict], claims: Claims) -> dict[str, dict]:
    """The popups of :func:`traced` with each computed value (``computed``) as the document's
    sentences printed it (:attr:`Claims.printed`, '10 days' for a duration printed in days),
    else as :meth:`Claims.text` prints it without counts, in plain text ('NA' when it does
    not apply): the document's own, after the last of its numbers."""
    return {claim_id: {**popup, "computed": plain(claims.printed.get(claim_id)
                                                  or claims.text(claim_id, counts=False))
                       if claims.applies(claim_id) else "NA"}
            for claim_id, popup in popups.items()}


def _listing(cells: pd.DataFrame, sources: Lineage, reconstructed: bool, first: int) -> dict:
    """The ``first`` raw cells of :func:`categories.claim_cells` for a popup, those behind
    the values first and, among them, imputed ones first; where the cohort keeps them
    (``origin``)."""
    basis = cells["basis"].to_numpy()
    rank = (3 * (cells["read"].to_numpy() != "value")
            + np.where(basis == "imputed", 0, np.where(basis == "derived_from_stated", 1, 2)))
    listed = cells.iloc[np.argsort(rank, kind="stable")[:first]]
    return {"origin": sources.places.origin, "cells": [
        {"sheet": r.sheet, "line": int(r.line), "where": sources.places.cell(r.sheet, int(r.line)),
         "column": r.column, "value": r.value, "read": categories.READS[r.read],
         "basis": r.basis if reconstructed else ""} for r in listed.itertuples()]}


def labelled(bases: dict[str, int]) -> dict[str, int]:
    """Counts by basis under the supplement's labels (:data:`BASIS_LABELS`), every label
    present; a basis the provenance file could not settle (uncovered, ambiguous) is
    ``other``."""
    out = {label: int(bases.get(name, 0)) for name, label in BASIS_LABELS.items()}
    out["other"] = int(sum(n for name, n in bases.items() if name not in BASIS_LABELS))
    return out


def counts_text(bases: dict[str, int]) -> str:
    """'33 stated, 2 derived from stated, 111 imputed' (blank cells 'blank'), in the order
    of the supplement's table (:func:`basis_table`)."""
    return ", ".join(f"{n} {label}" for label, n in labelled(bases).items() if n)


def reads_text(reads: dict[str, int]) -> str:
    """'62 behind the values read, 84 read to select rows'."""
    return ", ".join(f"{reads[name]} {label}" for name, label in categories.READS.items()
                     if reads.get(name))


JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def html_block(claim_details: dict[str, dict]) -> str:
    """A raw HTML block holding the details as JSON (``<script id="claim-data">``), with
    ``<``, ``>`` and ``&`` as JSON escapes so no text from the sheets reads as markup there."""
    payload = json.dumps(claim_details, ensure_ascii=False, separators=(",", ":"),
                         sort_keys=True).translate(JSON_IN_HTML)
    return ('```{=html}\n<script type="application/json" id="claim-data">'
            f"{payload}</script>\n```\n")


def basis_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per claim of a categorised ledger
    (:func:`analysis.provenance.categories.categorised`): its category, how many raw cells
    stand behind it, how many of them lie behind the values it read (with the cells that
    identify their rows) and how many were read only to select rows, and, for a
    reconstruction, how many are stated, derived from stated values, imputed or blank. Both
    splits add up to the total, as in the popups (:func:`details`)."""
    with_basis = any(ledger["bases"].map(bool))
    table = pd.DataFrame([
        {"claim": row.id, "category": row.category, "raw cells": sum(row.reads.values()),
         **{label: int(row.reads[name]) for name, label in categories.READS.items()},
         **(labelled(row.bases) if with_basis else {})}
        for row in ledger.itertuples()])
    return table.drop(columns=["other"]) if "other" in table and not table["other"].any() else table


def html_details(trail: pd.DataFrame) -> str:
    """The full trail of every claim (:func:`analysis.provenance.lineage.provenance_table`) as a raw
    HTML block, a collapsed list that only the HTML output shows; each item's id is
    ``trail-<claim id>``, the target of the popups' "Full trail" link."""
    items = "".join(
        f"<li id=\"trail-{html.escape(r['id'])}\"><b>{html.escape(r['id'])}</b>: "
        f"{html.escape(r['functions'])}; reads "
        f"{html.escape(r['derived'])}; values from "
        f"{html.escape(r['raw cells'] or 'no raw cell')}"
        + (f" ({html.escape(r['basis'])})" if r.get("basis") else "")
        + (f"; rows selected with {html.escape(r['raw cells read by filters'])}"
           if r["raw cells read by filters"] else "") + ".</li>"
        for r in trail.to_dict("records"))
    return ("```{=html}\n<details class=\"claim-trails\"><summary>The full trail of every "
            f"number</summary><ul>{items}</ul></details>\n```\n")


def count_id(category: str | None = None) -> str:
    """The id of one of the ledger's own counts, as the supplement's introduction to the
    ledger prints them: ``ledger.claims`` for every claim, ``ledger.data_gap`` for the
    claims of the category 'data gap'."""
    return "ledger." + re.sub(r"\W+", "_", category or "claims").strip("_")


def ledger_counts(ledger: pd.DataFrame, team: bool = False,
                  apart: list[str] | None = None) -> dict[str, dict]:
    """What each count of the ledger's introduction shows on hover, by :func:`count_id`:
    how many claims of a categorised ledger
    (:func:`analysis.provenance.categories.categorised`) fall in each category
    (:data:`~analysis.provenance.categories.CATEGORIES`; for a team's records, ``team``,
    :data:`~analysis.provenance.categories.TEAM_CATEGORIES` and the ``apart`` ids, set apart
    for this cohort) and in all, with the ids counted. A count of claims rests on the
    claims' categories, not on raw cells."""
    apart = apart or []
    shown = [*categories.TEAM_CATEGORIES, categories.APART] if team else categories.CATEGORIES
    members = {name: (apart if name == categories.APART
                      else list(ledger.loc[ledger["category"] == name, "id"]))
               for name in shown}
    members[None] = [*ledger["id"], *apart]
    return {count_id(name): {
        "what": (f"claims of the ledger in the category ‘{name}’" if name
                 else "claims of the ledger"),
        "where": "", "published": NOT_STATED, "relation": "=", "category": NOT_STATED,
        "note": "the claims counted: " + ", ".join(ids) if ids else "no claim",
        "counts": "", "total": 0, "reads": "", "origin": "", "cells": [], "trail": False,
        "computed": str(len(ids))} for name, ids in members.items()}


def count_report(claim_id: str, counts: dict[str, dict]) -> str:
    """One of the ledger's counts (:func:`ledger_counts`) as ``python -m analysis.trace``
    prints it: what it counts, the count and the claims counted."""
    count = counts[claim_id]
    return f"{claim_id}: {count['what']}\n  computed {count['computed']}; {count['note']}"
