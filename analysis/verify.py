"""Command ``python -m analysis.verify``: recompute every published number and compare.

Derives the cohort's tables if needed, evaluates the claims ledger, prints one line per
claim (id, published, computed, category) and the number of claims per category, writes
``claims.csv``, ``audit.csv``, ``data_gaps.csv`` (what the sheets cannot show) and
``provenance.csv`` (what each claim read, traced as it ran, down to the raw cells) and
``derived_sources.csv`` (the raw cells behind every derived value) into the cohort's output
folder, and exits with status 1 when a claim disagrees without a recorded explanation
(``unreproducible`` in claims.yaml).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis import audit, lineage, provenance, sources
from analysis.atomic import replace_dir
from analysis.claims import CATEGORIES, evaluate
from analysis.derive import derived_tables
from analysis.paths import cohort_paths


def category_counts(ledger: pd.DataFrame) -> str:
    """One line per category with its number of claims ("reproduced under the stated
    method: 80"), every category listed even when empty."""
    labels = {"reproduced": "reproduced under the stated method",
              "explained": "reproduced only under another reading (explained)",
              "circular": "circular (a stated value typed into the sheets, read back)",
              "not reproducible": "not reproducible",
              "not applicable": "not applicable to this cohort"}
    counts = ledger["category"].value_counts()
    width = max(len(label) for label in labels.values())
    return "\n".join(f"  {labels[c]:<{width}}  {int(counts.get(c, 0)):>4}" for c in CATEGORIES)


def unexplained(ledger: pd.DataFrame) -> list[str]:
    """Claims that are not reproducible and carry no recorded reason."""
    failing = ledger[(ledger["category"] == "not reproducible") & (ledger["note"] == "")]
    return list(failing["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.verify", description=__doc__)
    parser.add_argument("--data-raw", type=Path, default=None,
                        help="cohort directory with the raw sheets (default: data-raw/)")
    args = parser.parse_args(argv)
    paths = cohort_paths(args.data_raw)
    tables = derived_tables(paths)
    if tables is None:
        return 2
    ledger = evaluate(tables)
    findings = audit.run(tables)
    width = max(ledger["id"].str.len())
    print(f"{'id':<{width}}  {'published':>16}  {'computed':>16}  category")
    for row in ledger.itertuples():
        print(f"{row.id:<{width}}  {row.published:>16}  {row.computed:>16}  {row.category}")
    cell_sources = sources.cohort_lineage(paths)
    report = paths.output / "verify"
    with replace_dir(report) as staging:
        ledger.drop(columns="value").to_csv(staging / "claims.csv", index=False,
                                            lineterminator="\n")
        findings.to_csv(staging / "audit.csv", index=False, lineterminator="\n")
        audit.data_gaps(tables).to_csv(staging / "data_gaps.csv", index=False,
                                       lineterminator="\n")
        lineage.provenance_table(tables, cell_sources,
                                 basis=provenance.cell_rules(paths.raw)).to_csv(
            staging / "provenance.csv", index=False, lineterminator="\n")
        sources.as_frame(cell_sources).to_csv(staging / "derived_sources.csv", index=False,
                                              lineterminator="\n")
    print(f"\n{len(ledger)} claims:\n{category_counts(ledger)}")
    print(f"audit: {int(findings['consistent'].sum())}/{len(findings)} checks consistent; "
          f"tables written to {report}")
    failing = unexplained(ledger)
    if failing:
        print("not reproducible, without a recorded reason: " + ", ".join(failing),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
