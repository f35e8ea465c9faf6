"""Command ``python -m analysis.trace CLAIM [CLAIM ...]``: published numbers followed back to
the raw cells.

For each claim of ``claims.yaml``: the published and the computed value, the functions that
computed it, the derived columns and rows it read, and every raw cell behind the values on
those rows (by CSV file and line, or by worksheet and Excel row for a workbook), with the
text in the sheet and whether the article states that value or it was
imputed (and what constrains it), from the cohort's ``provenance.csv``; first the total,
split as the supplement and the popups split it (behind the values read, read only to select
rows; by basis). With ``--filters`` also the cells read only to select rows. Exit status 2 for an unknown claim or bad input.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

import pandas as pd

from analysis.common.paths import cohort_paths
from analysis.derivations.store import Tables, derived_tables
from analysis.ledger.claims import NOT_STATED, Claim, load_ledger
from analysis.ledger.entries import for_patient, load_computed, load_per_patient, patient_claim_id
from analysis.ledger.settings import about_published_patients, cohort_ledger, cohort_settings
from analysis.provenance import categories, details, lineage, sources
from analysis.provenance import cells as provenance


def report(claim_id: str, tables: Tables, cell_sources: sources.Lineage,
           basis: pd.DataFrame | provenance.CellBasis, filters: bool = False,
           reconstructed: bool = True, ledger: list[Claim] | None = None) -> str:
    """The trace of one claim as text, with its category by construction
    (:mod:`analysis.provenance.categories`; ``reconstructed`` false for a cohort without a
    provenance file), computed as the cohort's ledger computes it (``ledger``:
    :func:`analysis.ledger.settings.cohort_ledger`, default as written)."""
    claim = {c.id: c for c in [*(ledger or load_ledger()), *load_computed()]}[claim_id]
    trace = lineage.claim_provenance(claim, tables, cell_sources)
    row = categories.categorised(tables, cell_sources, basis if reconstructed else None,
                                 [claim], {claim.id: trace}).iloc[0]
    all_cells = categories.claim_cells(claim, tables, cell_sources, provenance.by_cell(basis),
                                       trace)
    where, compared = claim.where, (
        f"  published {row['stated']}; computed {row['computed']}; "
        + (f"{'agrees' if row['agrees'] else 'DISAGREES'}; " if reconstructed else "")
        + f"{row['category']}" + (f" ({row['note']})" if row["note"] else ""))
    if not claim.where:  # what its popup says: not stated, or stated as one of its claims
        shown = unstated_popup(claim, tables, cell_sources, basis, reconstructed, ledger)
        where, compared = shown["where"], (
            f"  {NOT_STATED}; computed {row['computed']}" if shown["category"] == NOT_STATED
            else f"  published {shown['published']}; computed {row['computed']}; "
                 f"{shown['category']} ({shown['note']})")
    lines = [f"{claim.id}: {claim.what}" + (f" ({where})" if where else ""), compared,
             f"  functions: {lineage.functions_text(trace)}",
             f"  derived: {lineage.derived_text(trace)}"]
    places = cell_sources.places
    origin = f" in {places.origin}" if places.origin else ""
    lines.append(f"  raw cells{origin}: {len(all_cells)} ({details.reads_text(row['reads'])}"
                 + (f"; {details.counts_text(row['bases'])})" if row["bases"] else ")"))
    for read in list(categories.READS)[:2 if filters else 1]:
        cells = all_cells[all_cells["read"] == read].reset_index(drop=True)
        lines.append(f"  raw cells {categories.READS[read]}: {len(cells)}"
                     + (f" ({provenance.basis_counts(cells)})" if len(cells) else ""))
        if len(cells):
            notes = {text: i for i, text in enumerate(
                dict.fromkeys(t for t in cells["constrains"] if t), start=1)}
            cells["note"] = [f"[{notes[t]}]" if t else "" for t in cells["constrains"]]
            shown = cells[["sheet", "line", "column", "value", "basis", "note"]].rename(
                columns={"sheet": places.sheet_word, "line": places.row_word})
            lines.append("    " + shown.to_string(index=False).replace("\n", "\n    "))
            lines += [f"    [{i}] {text}" for text, i in notes.items()]
    return "\n".join(lines)


def unstated_popup(claim: Claim, tables: Tables, cell_sources: sources.Lineage,
                   basis: pd.DataFrame | provenance.CellBasis, reconstructed: bool,
                   ledger: list[Claim] | None = None) -> dict:
    """The popup of a number the article does not state as a claim
    (:func:`analysis.provenance.details.unstated`), with the claims that state it for a
    patient (its ``stated``) categorised as the supplement's ledger categorises them."""
    stated = [c for c in ledger or load_ledger() if c.id in claim.stated]
    categorised = (categories.categorised(tables, cell_sources, basis, stated)
                   if stated and reconstructed else None)
    return details.unstated([claim], tables, cell_sources, basis, reconstructed,
                            ledger=categorised)[claim.id]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.trace", description=__doc__)
    parser.add_argument("claims", nargs="+", help="claim ids, as in claims.yaml")
    parser.add_argument("--data-raw", type=Path, default=None,
                        help="cohort directory of CSV sheets or Excel workbook (default: data-raw/)")
    parser.add_argument("--filters", action="store_true",
                        help="also list the cells read only to select rows")
    args = parser.parse_args(argv)
    # an id copied from the PDF may hold the invisible breaks Typst sets in narrow columns
    args.claims = [re.sub(r"[\u200b\u00ad\s]", "", c) for c in args.claims]
    counts = [details.count_id(c) for c in
              [None, *categories.CATEGORIES, *categories.TEAM_CATEGORIES, categories.APART]]
    known = [c.id for c in [*load_ledger(), *load_computed()]] + counts
    templates = load_per_patient()  # '<template>.<patient>': a number about one patient
    for claim_id in args.claims:
        template, _, patient = claim_id.partition(".")
        if claim_id not in known and not (template in templates and patient):
            close = difflib.get_close_matches(claim_id, known, n=3)
            print(f"trace: no claim {claim_id!r} in claims.yaml"
                  + (f"; did you mean {', '.join(close)}?" if close else ""), file=sys.stderr)
            return 2
    paths = cohort_paths(args.data_raw)
    tables = derived_tables(paths)
    if tables is None:
        return 2
    cell_sources = sources.cohort_lineage(paths)
    basis = provenance.cell_basis(paths.raw)
    reconstructed = provenance.is_reconstruction(paths.raw)
    settings = cohort_settings(paths)
    ledger = cohort_ledger(settings)
    set_apart = {c.id for c in load_ledger()} - {claim.id for claim in ledger}
    apart = [c for c in args.claims if c in set_apart]
    if apart:
        print(f"trace: {', '.join(apart)}: about named patients of the published cohort, "
              "not applicable to this cohort", file=sys.stderr)
        return 2
    asked = [c for c in args.claims if c not in known]  # '<template>.<patient>'
    patients = {patient_claim_id(t, p): for_patient(templates[t], p)
                for t in {c.partition(".")[0] for c in asked}
                for p in tables["adsl"]["patient_id"]}
    unknown = [c for c in asked if c not in patients]
    if unknown:
        print(f"trace: {', '.join(unknown)}: no such patient in this cohort", file=sys.stderr)
        return 2
    reported = [*ledger, *(patients[c] for c in args.claims if c in patients)]
    ledger_counts = {}
    if set(args.claims) & set(counts):  # the ledger's own counts: every claim categorised
        ledger_counts = details.ledger_counts(
            details.traced(tables, cell_sources, basis, reconstructed, ledger).ledger,
            not reconstructed, [c.id for c in about_published_patients(settings)])
    with pd.option_context("display.max_colwidth", 40, "display.width", 200):
        print("\n\n".join(details.count_report(c, ledger_counts) if c in counts else
                           report(c, tables, cell_sources, basis, args.filters, reconstructed,
                                  reported) for c in args.claims))
    return 0


if __name__ == "__main__":
    sys.exit(main())
