"""Command ``python -m analysis.verify``: recompute every published number and compare.

Derives the cohort's tables if needed, evaluates the claims ledger, prints one line per
claim (id, published, computed, category) and the number of claims per category, writes
``claims.csv``, ``audit.csv``, ``data_gaps.csv`` (what the sheets cannot show) and
``provenance.csv`` (what each claim read, traced as it ran, down to the raw cells) and
``derived_sources.csv`` (the raw cells behind every derived value; above
:data:`analysis.common.listings.LISTED_PATIENTS` patients as its two factors,
``derived_rows.csv`` and ``derived_columns.csv``, see :func:`analysis.provenance.sources.factors`)
into the cohort's output folder. For the article's cohort it also audits the article (``audit.csv``) and exits with
status 1 when a claim disagrees without a recorded explanation (``unreproducible`` in
claims.yaml); for any other cohort the comparison with the article is information and the
exit status is 0 once every value is computed. ``--freeze FILE`` writes the cohort's own
values and ``--against FILE`` fails on any difference from them (:mod:`analysis.ledger.lock`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.common import listings
from analysis.common.atomic import replace_dir
from analysis.common.paths import cohort_paths
from analysis.derivations.store import derived_tables
from analysis.ledger import audit, lock
from analysis.ledger.settings import about_published_patients, cohort_ledger, cohort_settings
from analysis.provenance import categories, lineage, sources
from analysis.provenance import cells as provenance

TEAM_LABELS = {categories.SAME: "same as published",
               categories.DIFFERS: "differs from published (information, not a failure)",
               categories.UNAVAILABLE: "not available from this cohort's sheets",
               categories.APART: "about the published patients, not applicable to this cohort"}


def category_counts(ledger: pd.DataFrame, team: bool = False, apart: int = 0) -> str:
    """One line per category with its number of claims ("reproduced under the stated
    method: 80"), every category listed even when empty; for a team's records
    (``team``) the comparison with the article and the ``apart`` claims set apart."""
    if team:
        counts = {**ledger["category"].value_counts().to_dict(), categories.APART: apart}
        width = max(len(label) for label in TEAM_LABELS.values())
        return "\n".join(f"  {label:<{width}}  {int(counts.get(c, 0)):>4}"
                         for c, label in TEAM_LABELS.items())
    labels = {"reproduced": "reproduced (stated method, stated values only)",
              categories.RECONSTRUCTED: "consistent with the reconstruction (rests on "
                                        "imputed values)",
              "explained": "explained (only under another reading)",
              "circular": "circular (a stated value typed into the sheets, read back)",
              "data gap": "data gap (the sheets lack it; a proxy is used)",
              "not reproducible": "not reproducible",
              "not applicable": "not applicable to this cohort"}
    counts = ledger["category"].value_counts()
    width = max(len(label) for label in labels.values())
    return "\n".join(f"  {labels[c]:<{width}}  {int(counts.get(c, 0)):>4}"
                     for c in categories.CATEGORIES)


def unexplained(ledger: pd.DataFrame) -> list[str]:
    """Claims that are not reproducible and carry no recorded reason."""
    failing = ledger[(ledger["category"] == "not reproducible") & (ledger["note"] == "")]
    return list(failing["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.verify", description=__doc__)
    parser.add_argument("--data-raw", type=Path, default=None,
                        help="cohort directory of CSV sheets or Excel workbook (default: data-raw/)")
    parser.add_argument("--freeze", type=Path, default=None, metavar="FILE",
                        help="write this cohort's computed values to FILE (CSV)")
    parser.add_argument("--against", type=Path, default=None, metavar="FILE",
                        help="compare this cohort's values with FILE (from --freeze); "
                             "fail on any difference")
    args = parser.parse_args(argv)
    paths = cohort_paths(args.data_raw)
    tables = derived_tables(paths)
    if tables is None:
        return 2
    cell_sources = sources.cohort_lineage(paths)
    basis = provenance.reconstruction_basis(paths.raw)
    settings = cohort_settings(paths)  # None: the article's cohort, read as the article
    claims = cohort_ledger(settings)
    traces = lineage.claim_traces(claims, tables, cell_sources)  # each claim traced once
    ledger = categories.categorised(tables, cell_sources, basis, claims, traces)
    apart = about_published_patients(settings)
    findings = audit.run(tables) if paths.bundled else None
    width = max(ledger["id"].str.len())
    print(f"{'id':<{width}}  {'published':>18}  {'computed':>16}  category")
    for row in ledger.itertuples():
        print(f"{row.id:<{width}}  {row.stated:>18}  {row.computed:>16}  {row.category}")
    if settings:
        print(f"\ncomputed under the study's settings: EFS rule {settings['efs_rule']}, "
              f"data cut-off {settings['data_cutoff']}")
    if apart:
        print(f"about the published patients, not applicable to this cohort ({len(apart)}): "
              + ", ".join(c.id for c in apart))
    report = paths.output / "verify"
    with replace_dir(report) as staging:
        ledger.drop(columns=["value", "bases", "reads"]).to_csv(
            staging / "claims.csv", index=False, lineterminator="\n")
        if findings is not None:
            findings.to_csv(staging / "audit.csv", index=False, lineterminator="\n")
        audit.data_gaps(tables).to_csv(staging / "data_gaps.csv", index=False,
                                       lineterminator="\n")
        lineage.provenance_table(tables, cell_sources, claims, basis=basis,
                                 traces=traces).to_csv(
            staging / "provenance.csv", index=False, lineterminator="\n")
        raw_row = {"raw_line": f"raw_{cell_sources.places.row_word}"}  # an Excel row
        if listings.in_full(len(tables["adsl"])):
            sources.as_frame(cell_sources).rename(columns=raw_row).to_csv(
                staging / "derived_sources.csv", index=False, lineterminator="\n")
        else:  # the same, as the two factors that grow with the rows, not the cells
            for name, frame in zip(("derived_rows", "derived_columns"),
                                   sources.factors(cell_sources), strict=True):
                frame.rename(columns=raw_row).to_csv(staging / f"{name}.csv", index=False,
                                                     lineterminator="\n")
    team = basis is None  # a team's records: the comparison with the article is information
    print(f"\n{len(ledger) + len(apart)} claims:\n{category_counts(ledger, team, len(apart))}")
    print(f"audit: {int(findings['consistent'].sum())}/{len(findings)} checks consistent; "
          if findings is not None else
          "audit of the article: run only for the article's cohort; ",
          f"tables written to {report}", sep="")
    return gate(paths.bundled, ledger, args.freeze, args.against)


def gate(bundled: bool, ledger: pd.DataFrame, freeze: Path | None, against: Path | None
         ) -> int:
    """The exit status. The article's cohort fails (1) on a claim that is not reproducible
    without a recorded reason; for another cohort the comparison with the article is
    information only. ``freeze`` writes the cohort's values; ``against`` fails (1) on any
    difference from values frozen earlier."""
    status = 0
    failing = unexplained(ledger)
    if failing and bundled:
        print("not reproducible, without a recorded reason: " + ", ".join(failing),
              file=sys.stderr)
        status = 1
    elif not bundled:
        print("this cohort is not the article's: its differences from the published values "
              "are information, not failures")
    if freeze:
        lock.freeze(ledger, freeze)
        print(f"froze {len(ledger)} values to {freeze}")
    if against:
        changed = lock.differences(ledger, against)
        for row in changed.itertuples():
            print(f"differs from {against}: {row.id}: frozen {row.frozen}, now {row.now}",
                  file=sys.stderr)
        print(f"against {against}: {len(changed)} of {len(ledger)} values differ")
        status = max(status, int(len(changed) > 0))
    return status


if __name__ == "__main__":
    sys.exit(main())
