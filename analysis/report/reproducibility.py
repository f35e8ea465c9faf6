"""The supplement's reproducibility report in words: what the ledger holds and what each
category means, the notes on explained claims, the audit table and the data gaps."""

from __future__ import annotations

import pandas as pd

from analysis.common.formatting import plural
from analysis.derivations.store import Tables
from analysis.ledger import audit
from analysis.provenance import categories
from analysis.report import tables

CATEGORY_WORDS = {
    "reproduced": "the method the article states, applied to raw values the article states "
                  "(or derived from stated values only), gives the published value",
    categories.RECONSTRUCTED: "the stated method gives the published value, but at least one "
                              "raw cell behind it was imputed (or is blank): it shows the "
                              "method and the code agree with values chosen to allow the "
                              "result, not that the trial's records give it; the note names "
                              "the imputed cells",
    "explained": "the value comes out only under another reading than the stated one; the "
                 "note says which reading, under which conditions, and why the stated method "
                 "cannot give it",
    "circular": "a value the article states for given patients, typed into their cells by "
                "the reconstruction and read back: agreement shows only that it was read "
                "back",
    "data gap": "the sheets lack what the statement needs; the note names the proxy used",
    "not reproducible": "the computed value differs from the published one",
    "not applicable": "the claim names patients or data this cohort does not have",
}


def ledger_intro(ledger: pd.DataFrame) -> str:
    """How many claims a categorised ledger (:func:`analysis.provenance.categories.categorised`)
    holds, how they are compared, and each category's count."""
    counts = ledger["category"].value_counts()
    intro = (f"**{plural(len(ledger), 'claim')}.** Each quantitative or factual statement of the "
             "article that the sheets can speak to is listed in `claims.yaml` with the function "
             "that computes it; the paper prints the same computed values. The computed value "
             "is printed at the article's precision and compared with the published text (P "
             "values at three decimals: stricter than the article's one decimal, at which the "
             "exact test and a normal approximation print alike, so this checks the "
             "compendium's test, not which test the article used); "
             "statements the article makes only as a bound ('within 6 days') are compared as "
             "bounds. Each claim falls in one category:\n")
    lines = [intro] + [f"- *{name}* ({int(counts.get(name, 0))}): {text}"
              for name, text in CATEGORY_WORDS.items()]
    return "\n".join(lines) + "\n"


def ledger_notes(ledger: pd.DataFrame) -> str:
    """One bullet per explained, data-gap or not reproducible claim with its recorded reason."""
    rows = ledger[ledger["category"].isin(["explained", "data gap", "not reproducible"])
                  & (ledger["note"] != "")]
    return "".join(f"- **{row.id}** ({row.category}): {row.note}\n" for row in rows.itertuples())


def audit_table(data: Tables, bundled: bool) -> str:
    """The audit's findings as a table (published cohort only), else why it does not run."""
    if not bundled:
        return ("*The audit judges the article's reported results against the article's "
                "own cohort, so it runs only for that cohort; this cohort's numbers are "
                "compared with the article in the table above for information.*")
    findings = audit.run(data)
    return tables.pipe_table(findings.assign(
        consistent=findings["consistent"].map({True: "consistent", False: "**inconsistent**"}),
        depends_on=tables.superscript_powers(findings["depends_on"]),
        evidence=tables.superscript_powers(findings["evidence"])).rename(
        columns={"follows_from": "follows from", "depends_on": "depends on"}),
        widths=[18, 10, 12, 25, 35])


def data_gap_list(data: Tables) -> str:
    """One bullet per definition the sheets cannot check, or a line saying there is none."""
    gaps = audit.data_gaps(data)
    if gaps.empty:
        return "*None: the sheets hold every value the article's definitions need.*\n"
    return "".join(f"- {gap.definition}: the sheets hold no {gap.missing}; {gap.consequence}.\n"
                   for gap in gaps.itertuples())
