"""Which numbers of a rendered document carry no claim: every number of the HTML body outside
the claim spans (``data-claim``) is either fixed by the method, the protocol or the layout
(a region or a pattern, each with its reason) or a gap listed here (computed, no claim
yet: issue 22), so that a new unclaimed number fails the tests that call
:func:`unclaimed_numbers` (tests/test_reader.py for the bundled cohort, the cohorts' own
tests for tests/cohorts/followup and tests/cohorts/registry12)."""

from __future__ import annotations

import re

# Numbers of the prose that are not computed for the cohort, so carry no claim: each pattern
# marks the number as ⟨n⟩ within its sentence, with the reason it is fixed.
NOT_COMPUTED = {
    r"Additional file ⟨\d⟩": "a supplement's file number",
    r"grade ⟨\d⟩": "a CRS grade (of the grading scale)",
    r"⟨\d+⟩ months|⟨\d+⟩-month": "the time point of a survival estimate",
    r"⟨38⟩ °C": "the fever threshold of the grading",
    r"(MRD ≥|below|limit of|at the) ⟨[\d.]+⟩%": "a threshold of a definition",
    r"(above|below|ratio of) ⟨1⟩ ": "the CD4/CD8 ratio of 1",
    r"than the ⟨1⟩–3 × 10|than the 1–⟨3⟩ × 10|–3 × ⟨10⟩": "the dose range of other reports",
}
# The same for the supplement's criteria and definitions.
SUPPLEMENT_NOT_COMPUTED = {
    r"age ⟨18⟩ years|between ⟨1⟩ × 10|and ⟨2⟩ × 10|× ⟨10⟩|at least ⟨20⟩%|above ⟨90⟩%":
        "a criterion of the protocol (age, dose range, release criteria)",
    r"cut-off of ⟨\d{4}⟩-": "the data cut-off, a setting of the study sheet",
    r"\(at day ⟨0⟩\)": "a rule's definition (no CR at the day of infusion)",
    r"Additional files? ⟨\d⟩|Additional files \d and ⟨\d⟩": "a supplement's file number",
}

# Regions whose numbers are not computed values of this cohort, with the reason.
NOT_COMPUTED_REGIONS = {
    "h1, h2, h3, h4, h5, h6": "a heading (section numbers)",
    "#title-block-header, header": "the title block: the cited volume and pages, the date",
    "#references, .citation, sup, a": "a reference, a citation or a link",
    "code, pre": "a file name, a command or an identifier",
    ".claim-trails": "the trail of a claim: addresses of raw cells (CSV lines, Excel rows)",
    ".callout-important": "the data notice: how the sheets were read (each warning with its "
                          "file and row)",
    "#tbl-ledger td:nth-child(2)": "where the article states a claim (its paragraphs and figures)",
    "#tbl-ledger td:nth-child(3)": "what a claim states, in words (the article's thresholds, "
                                   "dates and time points)",
    "#tbl-ledger td:nth-child(4)": "the value the article publishes (stated, never computed)",
    "#published-numbers-recomputed li:has(> strong:first-child)":
        "a reason claims.yaml records for a claim's category (text of the ledger)",
}
# Regions whose numbers are computed but carry no claim yet (issue 22): listed, so the gap
# is visible and a new region of unclaimed numbers fails.
NOT_YET_CLAIMED = {
    "#tbl-cart1 td, #tbl-cart2 td, #tbl-cytokines td":
        "a cell of a per-patient listing (Additional files 2-4; imputed cells carry a dagger)",
    "#tbl-provenance td, #tbl-imputed td": "the counts and constraints of provenance.csv",
    "#tbl-audit td:nth-child(1), #tbl-audit td:nth-child(5)":
        "the audit's checks and evidence, computed from published values by the audit",
}
# Numbers within a sentence that are computed but carry no claim yet (issue 22).
NOT_YET_CLAIMED_NUMBERS = {
    r"read from the sheets \(⟨\d+⟩ and \d+\)|read from the sheets \(\d+ and ⟨\d+⟩\)|"
    r"the ⟨\d+⟩ published intervals": "the group sizes and counts the audit depends on",
}
# Numbers within a sentence (marked ⟨n⟩) that are fixed by the method, the protocol or the
# document's layout, with the reason.
FIXED_NUMBERS = {
    **NOT_COMPUTED, **SUPPLEMENT_NOT_COMPUTED, **NOT_YET_CLAIMED_NUMBERS,
    r"¶⟨\d+⟩|Fig\. ⟨\d+⟩|Figure ⟨\d+⟩": "where the article states a value (paragraph, figure)",
    r"in the ⟨28⟩ days after|at most ⟨200⟩ per µL|below ⟨1⟩%|a ratio of ⟨1⟩\)":
        "a figure's fixed window or reference line (its caption)",
    r"months of ⟨30⟩ days|months of ⟨30.4375⟩ days|years of ⟨365.25⟩ days":
        "a convention the audit tries",
    r"(Table|Figure) ⟨\d+⟩": "a table or figure number",
    r"^⟨\d+⟩ months$|at ⟨\d+⟩ and 12 months|at 6 and ⟨12⟩ months": "a survival time point",
    r"‘within ⟨6⟩ days’": "the example of a bound in the ledger's introduction",
    r"day ⟨0⟩|days? ⟨\d+⟩ and \d+, on day|days \d+ and ⟨\d+⟩, on day|on day ⟨28⟩|at ⟨3⟩, 6|"
    r"at 3, ⟨6⟩|6 and ⟨12⟩ months: morph": "the protocol's assessment schedule",
    r"M\d [<>] ⟨\d+⟩%|M2 ⟨5⟩–25|M2 5–⟨25⟩|< ⟨5⟩% marrow|MRD < ⟨0.01⟩%|below ⟨0.01⟩%|"
    r"B cells < ⟨1⟩%|≤ ⟨200⟩ B cells": "a threshold of the article's response definitions",
    r"CTCAE ⟨4.03⟩|⟨4⟩-1BB|roughly ⟨1⟩:1|roughly 1:⟨1⟩": "a name (grading scale, domain) or the "
                                                       "protocol's mixing ratio",
    r"at most ⟨16⟩ values|divided by ⟨30⟩|years of ⟨365.25⟩": "a convention of the statistics",
    r"combined dose between ⟨1⟩ × 10|least ⟨20⟩% transduction|over ⟨90⟩% viability|"
    r"aged ⟨18⟩ years": "a criterion of the protocol (Methods)",
    r"at the ⟨5⟩% level": "the significance level",
    r"\(more than ⟨12⟩\)|whiskers to ⟨1.5⟩ IQR|at least ⟨5⟩ results|fewer than ⟨5⟩":
        "a drawing rule of the figures (patients drawn as a group above 12, Tukey's whiskers, "
        "boxes from five values)",
    r"cut-off of ⟨\d{4}⟩-": "the data cut-off, a setting of the study sheet",
}


def _numbers_outside(page, skip: dict[str, str]) -> list[str]:
    """Every number of the document's body outside claim spans and outside the regions
    ``skip`` names, marked ⟨n⟩ in its sentence and preceded by its section's id."""
    return page.evaluate(r"""(skip) => {
        const found = [];
        const number = /(?<![\p{L}\p{N}_.\-−^·/])\d+(?:\.\d+)?(?![\p{L}\p{N}_])/gu;
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const parent = node.parentElement;
            if (parent.closest('[data-claim], script, style, #claim-popup') ||
                skip.some(s => parent.closest(s))) continue;
            const text = node.textContent.replace(/\s+/g, ' ');
            const section = (parent.closest('section') || {}).id || '';
            let m;
            while ((m = number.exec(text))) {
                found.push(section + ': ' + text.slice(Math.max(0, m.index - 30), m.index)
                           + '⟨' + m[0] + '⟩'
                           + text.slice(m.index + m[0].length, m.index + m[0].length + 30));
            }
        }
        return found; }""", list(skip))


def unclaimed_numbers(page) -> list[str]:
    """The numbers of the document open in ``page`` that neither carry a claim nor are
    fixed or a listed gap, each as '<section id>: ... ⟨n⟩ ...'."""
    found = _numbers_outside(page, {**NOT_COMPUTED_REGIONS, **NOT_YET_CLAIMED})
    return [text for text in found if not any(re.search(p, text.partition(": ")[2])
                                              for p in FIXED_NUMBERS)]
