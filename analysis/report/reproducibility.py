"""The supplement's reproducibility report in words: what the ledger holds and what each
category means, the notes on explained claims, where each number comes from, the audit and
the data gaps, and how the data were reconstructed.

What it says about the data follows from what the cohort is. A reconstruction (it ships a
``provenance.csv``) gets the categories by basis, the audit of the article (its own cohort
only) and the reconstruction's tables; a team's records get the comparison with the article
as information (:data:`analysis.provenance.categories.TEAM_CATEGORIES`) and none of the
reconstruction's sections."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from analysis.common.formatting import plural
from analysis.common.paths import is_reconstruction
from analysis.derivations.store import Tables
from analysis.ledger import audit
from analysis.ledger.claims import span
from analysis.provenance import categories
from analysis.provenance import cells as provenance
from analysis.provenance.details import count_id
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


TEAM_WORDS = {
    categories.SAME: "this cohort's value, computed by the article's method and printed at "
                     "the article's precision, is the published one",
    categories.DIFFERS: "this cohort's value differs from the published one: a difference "
                        "between two cohorts, not an error in either",
    categories.UNAVAILABLE: "this cohort's sheets hold none of the values the statement needs",
}
APART_WORDS = ("statements about named patients of the published cohort; they do not apply to "
               "this cohort and are left out of the table")


def category_words(team: bool) -> dict[str, str]:
    """The groups the ledger's introduction counts, with what each means, in the order of
    :data:`analysis.provenance.categories.CATEGORIES` (for a team's records, ``team``:
    :data:`~analysis.provenance.categories.TEAM_CATEGORIES` and the claims set apart), as
    :func:`analysis.provenance.details.ledger_counts` counts them."""
    return {**TEAM_WORDS, categories.APART: APART_WORDS} if team else CATEGORY_WORDS


COMPARED = ("The computed value is printed at the article's precision and compared with the "
            "published text (P values at three decimals: stricter than the article's one "
            "decimal, at which the exact test and a normal approximation print alike, so this "
            "checks the compendium's test, not which test the article used); statements the "
            "article makes only as a bound ('within 6 days') are compared as bounds.")


def ledger_intro(ledger: pd.DataFrame, team: bool = False, apart: int = 0,
                 settings: dict[str, str] | None = None) -> str:
    """How many claims a categorised ledger (:func:`analysis.provenance.categories.categorised`)
    holds, how they are compared, and each category's count; for a team's records
    (``team``) the comparison as information, under the cohort's ``settings``, with the
    ``apart`` claims about the published patients counted and left out. Each count is in
    the span of its :func:`analysis.provenance.details.count_id`."""
    counts = ledger["category"].value_counts()
    total = span(count_id(), plural(len(ledger) + apart, "claim"))
    if team:
        intro = (f"**The ledger holds {total}.** Each quantitative or factual "
                 "statement of the article that the sheets can speak to is listed in "
                 "`claims.yaml` with the function that computes it, and computed here for "
                 "this cohort, as the paper prints it"
                 + (f" (EFS under the study's rule, follow-up to its cut-off of "
                    f"{settings['data_cutoff']})" if settings else "")
                 + ". The article's value is shown beside it for comparison: this cohort is "
                 f"not the article's, so the comparison is information, not a test. {COMPARED}"
                 " Each claim falls in one group:\n")
        counts = {**counts.to_dict(), categories.APART: apart}
    else:
        intro = (f"**The ledger holds {total}.** Each quantitative or factual statement of "
                 "the article that the sheets can speak to is listed in `claims.yaml` with the "
                 "function that computes it; the paper prints the same computed values. "
                 f"{COMPARED} Each claim falls in one category:\n")
    lines = [intro] + [f"- *{name}* ({span(count_id(name), str(int(counts.get(name, 0))))}): "
                       f"{text}" for name, text in category_words(team).items()]
    return "\n".join(lines) + "\n"


def ledger_notes(ledger: pd.DataFrame) -> str:
    """One bullet per explained, data-gap or not reproducible claim with its recorded reason."""
    rows = ledger[ledger["category"].isin(["explained", "data gap", "not reproducible"])
                  & (ledger["note"] != "")]
    return "".join(f"- **{row.id}** ({row.category}): {row.note}\n" for row in rows.itertuples())


def audit_table(data: Tables, bundled: bool, ids: Collection[str] = ()) -> str:
    """The audit's findings as a table (published cohort only), else why it does not run;
    each published value a finding depends on in its claim's span when its id is among
    ``ids`` (:func:`analysis.ledger.audit.cited_in_spans`)."""
    if not bundled:
        return ("*The audit judges the article's reported results against the article's "
                "own cohort, so it runs only for that cohort; this cohort's numbers are "
                "compared with the article in the table above for information.*")
    findings = audit.run(data)
    return tables.pipe_table(findings.assign(
        consistent=findings["consistent"].map({True: "consistent", False: "**inconsistent**"}),
        depends_on=tables.superscript_powers(findings["depends_on"]).map(
            lambda text: audit.cited_in_spans(text, ids)),
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


def table_div(label: str, body: str, caption: str) -> str:
    """A numbered Quarto table (``::: {#tbl-x}`` div, caption last), as a table cell
    renders, for a table that only some cohorts get."""
    return f"::::: {{#{label}}}\n{body}\n\n{caption}\n:::::\n"


SOURCES = ('Traced while each number above was computed (`analysis/provenance/lineage.py`), not '
           "written by hand: for each published number, how many raw cells of the cohort's "
           'sheets stand behind it, split two ways that each add up to that total. By how they '
           'were read: the cells behind the values the number was computed from (with the cells '
           'that identify their raw rows: patient and course, the keys by which derived rows are '
           'matched to raw rows), and the cells read only to select rows (the columns a filter '
           'reads across rows to choose the ones that count). By basis: how many the article '
           'states for that patient and time, how many follow from stated values only, how many '
           'were imputed (`provenance.csv`) and how many are blank. The popups of the HTML '
           'documents count the same cells. These are the cells each category above is computed '
           'from: a number is *reproduced* only when every one of them is stated or derived from '
           'stated values. The raw cells behind each derived value are carried by the derivation '
           'itself (`analysis/provenance/sources.py`): every step that builds a derived row '
           'notes the raw rows it reads, and the derived dictionary declares for every derived '
           'column the raw columns it is computed from.')
SOURCES_TEAM = ('Traced while each number above was computed (`analysis/provenance/lineage.py`), not '
           "written by hand: for each published number, how many raw cells of the cohort's "
           'sheets stand behind it, by how they '
           'were read: the cells behind the values the number was computed from (with the cells '
           'that identify their raw rows: patient and course, the keys by which derived rows are '
           'matched to raw rows), and the cells read only to select rows (the columns a filter '
           'reads across rows to choose the ones that count). The popups of the HTML documents '
           'count the same cells. The raw cells behind each derived value are carried by the '
           'derivation itself (`analysis/provenance/sources.py`): every step that builds a '
           'derived row notes the raw rows it reads, and the derived dictionary declares for '
           'every derived column the raw columns it is computed from.')


def sources_intro(team: bool) -> str:
    """What the table of raw cells behind each number counts (by basis for a
    reconstruction only)."""
    return (SOURCES_TEAM if team else SOURCES) + "\n"


AUDIT_INTRO = """Each check asks whether a method or definition the article states can give
the result it reports; the evidence is computed, not typed. Published numbers are read as the
intervals their printed precision allows, so a check fails only when no values consistent
with the printed ones could pass it. Each finding says what it follows from: the article's
stated facts alone, or values the reconstruction chose (named in the table), and a verdict
about the article is drawn only from the former. Identities that hold by construction of the
reconstruction (an age at CART2 equal to the age at CART1 plus the interval, a total dose
equal to its parts) are not checked: they cannot fail."""
GAPS_INTRO = ("Definitions of the article that need values the sheets do not hold. These are "
              "limits of the check, not inconsistencies of the article.")


def audit_section(data: Tables, bundled: bool, team: bool, ids: Collection[str] = ()) -> str:
    """The audit of the article and what the sheets cannot show, as Markdown sections. The
    audit judges the article against its own cohort: a team's records get only what their
    sheets cannot show. ``ids``: the claims whose cited values carry their span
    (:func:`audit_table`)."""
    gaps = data_gap_list(data)
    if team:
        return ("## What the sheets cannot show\n\nDefinitions of the article that need values "
                f"the sheets do not hold; these results cannot be checked as defined.\n\n{gaps}")
    audit_text = (table_div("tbl-audit", audit_table(data, bundled, ids),
                            "Consistency audit: stated methods against reported results, with "
                            "what each finding rests on.") if bundled
                  else audit_table(data, bundled) + "\n")
    return (f"## Audit of the article\n\n{AUDIT_INTRO}\n\n{audit_text}\n"
            f"### What the sheets cannot show\n\n{GAPS_INTRO}\n\n{gaps}")


def reconstruction_section(raw: Path) -> str:
    """How the data were reconstructed: raw values per sheet by basis and the imputed groups
    (``provenance.csv``); nothing for a cohort that is not a reconstruction."""
    if not is_reconstruction(raw):
        return ""
    counts = provenance.summary(raw)
    groups = provenance.imputed_groups(raw)
    parts = ["## How the data were reconstructed\n",
             table_div("tbl-provenance", counts.reset_index().to_markdown(index=False),
                       "Raw values per sheet by basis: stated in the article for that patient "
                       "and time, derived only from stated values, or imputed within the "
                       "published figures (`data-raw/provenance.csv`; each value is matched by "
                       "exactly one rule).")]
    if len(groups):
        parts.append(table_div("tbl-imputed", tables.pipe_table(groups, widths=[16, 21, 11, 7, 45]),
                               "Imputed values grouped by the published figures that constrain "
                               "them (`data-raw/provenance.csv`); `nox -s trace` shows which of "
                               "them each published number rests on."))
    return "\n".join(parts)
