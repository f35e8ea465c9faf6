"""Study facts in the documents: the article's, for its reconstruction, or only what a team's
study sheet and sheets hold.

The design (single-arm, phase I), the age limit and the release criteria of the products are
facts of the article's study; the sheets hold none of them. A reconstruction of the article's
cohort (:func:`analysis.common.paths.is_reconstruction`) states them as the article does; a
team's cohort gets its registry number, centres, dates and cut-off from its sheets and the
rest is left out, never carried over from the article.
"""

from __future__ import annotations

from analysis.common.formatting import markdown_text
from analysis.derivations.events import EFS_RULES
from analysis.derivations.store import Tables
from analysis.ledger.claims import Claims
from analysis.sheets.dictionary import load_dictionary


def _centres(manifest: dict, claims: Claims) -> str:
    """"2 centres (A, B)", the count in the span of its claim ``n_centres``."""
    names = markdown_text(", ".join(manifest["centres"]))
    return f"{claims.counted_as('n_centres', 'centre')} ({names})"


def scope(reconstruction: bool) -> str:
    """What this document computes: the article's results again, or the same analysis of
    another cohort."""
    if reconstruction:
        return ("This document recomputes its results from patient-level sheets; the "
                "reproducibility report in the supplement sets each recomputed number beside "
                "the published one.")
    return ("This document applies the same analysis to the cohort named in the notice above, "
            "from its own sheets; the supplement sets each of its numbers beside the published "
            "one, for comparison.")


def design(manifest: dict, reconstruction: bool, claims: Claims) -> str:
    """The design sentence of the Methods: the article's design for its reconstruction, the
    study sheet's registry (none named when the sheet has none) and the sheets' centres for
    a team's cohort, counted by the claim ``n_centres``."""
    registry = _registry(manifest)
    if reconstruction:
        return (f"This was a single-arm phase I study{registry} of patients aged 18 years or "
                f"younger who had relapsed after CD19 CAR-T, treated at {_centres(manifest, claims)}.")
    return (f"Patients who had relapsed after CD19 CAR-T were treated at {_centres(manifest, claims)}"
            f"{registry}.")


def _registry(manifest: dict) -> str:
    """" (registry NCT01234567)" from the study sheet, or nothing for a study it names no
    registry for."""
    registry = manifest.get("registry_id")
    return f" (registry {markdown_text(registry)})" if registry else ""


def release(reconstruction: bool) -> str:
    """The article's release criteria of the products (its reconstruction only)."""
    if not reconstruction:
        return ""
    return ("Products were released for a combined dose between 1 × 10^6^ and 2 × 10^7^ "
            "CAR-T cells/kg with at least 20% transduction and over 90% viability.")


def efs_rule(manifest: dict, reconstruction: bool) -> str:
    """Which EFS rule the reported estimates follow, and for the reconstruction where the
    audit of the article's rules is."""
    text = (f"the EFS reported below follows the rule the study sheet names "
            f"({EFS_RULES[manifest['efs_rule']]})")
    if not reconstruction:
        return text + "."
    return (text + ", except that for the published cohort each estimate is computed as the "
            "ledger needs it to compare with the article. The supplement's audit shows which "
            "rules the article's own facts rule out and under which transplant timings each "
            "of the others gives the published estimates.")


def conventions(reconstruction: bool) -> str:
    """How intervals and ages are measured; for the article's reconstruction also that these
    conventions are the ones that reproduce its published values (a team's cohort has no
    published values to reproduce)."""
    text = "Intervals in months are days divided by 30 and ages use years of 365.25 days"
    return text + (", the conventions that reproduce the published values." if reconstruction
                   else ".")


def criteria(manifest: dict, period: str, reconstruction: bool) -> str:
    """Additional file 1: the article's inclusion criteria with this cohort's dates and
    centres, or, for a team's cohort, what its sheets say of who was treated."""
    treated = (f"treatment with co-infused CD19 and CD22 CAR-T cells (in this cohort {period}, "
               f"followed to the data cut-off of {manifest['data_cutoff']}) at one of the "
               f"participating centres ({markdown_text(', '.join(manifest['centres']))})")
    if not reconstruction:
        return ("The cohort's inclusion and exclusion criteria are not part of its sheets. The "
                f"sheets show {treated}; ages, relapses and doses are in Additional files 2 and "
                "3.\n")
    return f"""The full criteria are not part of the article text available to this compendium. What the
article states, with the dates and centres of the cohort at hand computed from its sheets:

- age 18 years or younger at enrolment;
- B-ALL that relapsed after a first CD19-directed CAR-T (CART1);
- {treated}, with written informed consent;
- a manufactured product is usable when the combined CD19 and CD22 CAR-T dose is between
  1 × 10^6^ and 2 × 10^7^ cells/kg, transduction efficiency is at least 20% and viability
  above 90%.

Exclusion criteria are not available.
"""


def criteria_pointer(reconstruction: bool) -> str:
    """Where the Methods send the reader for who was treated (Additional file 1)."""
    if reconstruction:
        return ("Inclusion and exclusion criteria are summarised in Additional file 1 of the "
                "supplement.")
    return ("The cohort's inclusion and exclusion criteria are not part of its sheets; "
            "Additional file 1 of the supplement says what the sheets show of who was treated.")


MANUFACTURE = (
    "T cells were isolated from peripheral blood (PB), activated, and transduced separately "
    "with second-generation CD19 or CD22 CAR lentiviral vectors, both carrying a 4-1BB "
    "co-stimulatory domain and the CD3ζ signalling domain (@fig-design A). After about a week "
    "in culture the two products were counted, mixed at roughly 1:1 and given as one infusion "
    "(day 0).")


def manufacture(reconstruction: bool) -> str:
    """How the products were made: the article's account, stated for its reconstruction and
    attributed to the published study for a team's cohort (the sheets record doses only)."""
    if reconstruction:
        return MANUFACTURE
    return ("In the published study, T cells were isolated from peripheral blood (PB) and "
            "transduced separately with second-generation CD19 or CD22 CAR lentiviral vectors, "
            "both carrying a 4-1BB co-stimulatory domain and the CD3ζ signalling domain "
            "(@fig-design A), and the two products were mixed and given as one infusion "
            "(day 0). This cohort's sheets record each product's cells and dose, not how it "
            "was made.")


MARROW_SCHEDULE = ("at enrolment, on day 0, between days 7 and 14, on day 28, and at 3, 6 "
                   "and 12 months")
CYTOKINE_NAMES = {"TNF-alpha": "TNF-α", "IFN-gamma": "IFN-γ"}


def marrow(reconstruction: bool) -> str:
    """When marrow was examined: the protocol's schedule for the article's reconstruction;
    for a team's cohort, the assessments its sheets record, the published schedule named as
    such."""
    if reconstruction:
        return f"Marrow aspirates were examined {MARROW_SCHEDULE}:"
    return ("Marrow aspirates are read as the sheets record them (the published protocol "
            f"scheduled them {MARROW_SCHEDULE}):")


def cytokines(tables: Tables, reconstruction: bool) -> str:
    """Which serum cytokines were measured: the cytokines sheet's panel (data-raw/
    dictionary.yaml, in its order) for the article's reconstruction, and those of it that a
    team's sheets hold."""
    panel = list(load_dictionary()["cytokines"].parameters)
    if not reconstruction:
        lab = tables["adlb"]
        held = set(lab.loc[lab["source"] == "cytokines", "parameter"])
        panel = [name for name in panel if name in held]
        if not panel:
            return "No serum cytokine is recorded in this cohort's sheets"
    names = [CYTOKINE_NAMES.get(name, name) for name in panel]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "was" if len(names) == 1 else "were"
    return f"Serum {listed} {verb} measured by cytometric bead array"
