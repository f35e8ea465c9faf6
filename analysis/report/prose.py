"""Sentences worded from results, for any cohort.

Each function computes the facts a sentence of the paper states and chooses the words from
them (a count decides singular or plural, a comparison decides "raised" or "kept", a
correlation decides "rose and fell with" or "showed no clear relation"), so no sentence
carries a fact of the published cohort into another. Numbers that the article states are
printed through :class:`analysis.ledger.claims.Claims`, at the article's precision for its cohort.
"""

from __future__ import annotations

import pandas as pd

from analysis.common.formatting import fixed, median_range, percent
from analysis.derivations.events import EFS_RULES
from analysis.ledger.claims import NOT_APPLICABLE, Claims, span
from analysis.results import measures as results

MINUS = "\u2212"


def _day(day: float) -> str:
    return f"{MINUS}{-int(day)}" if day < 0 else str(int(day))


def schedule(adcourse: pd.DataFrame, course: int, drug: str) -> str:
    """When a lymphodepleting drug was given before a course: "on days −5 to −3",
    "on days −4 and −3", "on day −3" when every patient had the same days, otherwise
    "over a median of 3 days (days −6 to −2)"."""
    rows = adcourse[adcourse["course"] == course].dropna(subset=[f"{drug}_days"])
    first, last = rows[f"{drug}_first_day"], rows[f"{drug}_last_day"]
    days = rows[f"{drug}_days"]
    if rows.empty:
        return "on days not recorded"
    if first.nunique() == 1 and last.nunique() == 1 and days.nunique() == 1:
        a, b, n = first.iloc[0], last.iloc[0], int(days.iloc[0])
        if n == 1:
            return f"on day {_day(a)}"
        if n == b - a + 1:
            return f"on days {_day(a)} {'and' if n == 2 else 'to'} {_day(b)}"
    return (f"over a median of {fixed(days.median(), 1)} days "
            f"(days {_day(first.min())} to {_day(last.max())})")


def lymphodepletion(claims: Claims) -> str:
    """The lymphodepletion before CART1 and CART2: daily doses per m² (medians, or one
    patient's doses), days, and whether the fludarabine dose changed between the courses."""
    adcourse = claims.tables["adcourse"]
    parts = []
    for course in (1, 2):
        flu, cy = f"ld_flu_cart{course}", f"ld_cy_cart{course}"
        if not claims.applies(flu, cy):
            parts.append(f"before CART{course} the lymphodepletion is not recorded")
            continue
        parts.append(
            f"before CART{course}, fludarabine {claims.marked(flu)} mg/m² daily "
            f"{schedule(adcourse, course, 'fludarabine')} and cyclophosphamide "
            f"{claims.marked(cy)} mg/m² daily {schedule(adcourse, course, 'cyclophosphamide')}")
    over = [c for c in ("ld_flu_cart1", "ld_cy_cart1", "ld_flu_cart2", "ld_cy_cart2")
            if claims.applies(c) and not single(claims, c)]
    who = "The patient" if claims.value("n_patients") == 1 else "Patients"
    text = (f"{who} received lymphodepletion " + "; ".join(parts)
            + (" (medians over patients)." if over else "."))
    if claims.applies("ld_flu_cart1", "ld_flu_cart2"):
        before, after = claims.value("ld_flu_cart1"), claims.value("ld_flu_cart2")
        if claims.text("ld_flu_cart1") == claims.text("ld_flu_cart2"):
            change = "the same as"
        else:
            change = "higher than" if after > before else "lower than"
        dose = ("The median fludarabine dose" if over else "The fludarabine dose")
        text += f" {dose} before CART2 was {change} before CART1."
    return text


RELAPSE_SITES = {"isolated BM": ("n_isolated_bm_relapse", "confined to the marrow"),
                 "isolated extramedullary": ("n_isolated_emd_relapse", "isolated extramedullary"),
                 "combined": ("n_combined_relapse_cart1", "combined (marrow and extramedullary)")}


def relapse_sites(claims: Claims) -> str:
    """Where the relapse after CART1 was: marrow only, extramedullary only, or both, each
    count in its claim span (:data:`RELAPSE_SITES`)."""
    found = [f"{words} in {claims.counted_as(claim_id, 'patient')}"
             for claim_id, words in RELAPSE_SITES.values() if claims.value(claim_id)]
    if not found:
        return "no relapse site after CART1 is recorded."
    text = "the relapse after CART1 was " + _series(found)
    if claims.value("n_no_relapse_site_cart1"):
        text += ("; no relapse after CART1 is recorded for "
                 f"{claims.counted_as('n_no_relapse_site_cart1', 'patient')}")
    return text + "."


def cytogenetics(claims: Claims) -> str:
    """How many patients had cytogenetic abnormalities and how many of them a BCR-ABL1
    fusion (claims ``n_cytogenetic_abnormal``, ``n_bcr_abl1``), zero counts in words."""
    text = ("Cytogenetic abnormalities were present in "
            + claims.counted_as("n_cytogenetic_abnormal", "patient"))
    if not claims.value("n_cytogenetic_abnormal"):
        return text + "."
    fusion = _none_or(claims, "n_bcr_abl1")
    return text + (f", including {fusion} with a BCR-ABL1 fusion."
                   if claims.value("n_bcr_abl1") else f", {fusion} with a BCR-ABL1 fusion.")


def transplants(claims: Claims) -> str:
    """Transplantation after CART2 and what became of the patients with and without it: how
    many transplanted remained in MRD-negative CR at the cut-off, how many of the others
    died or were lost to follow-up (claims ``n_hsct_after_cart2``,
    ``n_hsct_in_cr_at_cutoff``, ``n_no_hsct_died``, ``n_no_hsct_lost``, ``n_patients``)."""
    transplanted = int(claims.value("n_hsct_after_cart2"))
    text = ("Allogeneic transplantation followed CART2 in "
            + claims.counted_as("n_hsct_after_cart2", "patient"))
    if transplanted:
        if transplanted == 1:
            text += (", who remained in MRD-negative CR at the cut-off"
                     if claims.value("n_hsct_in_cr_at_cutoff") else
                     ", who was not in MRD-negative CR at the cut-off")
        else:
            text += (f", {_none_or(claims, 'n_hsct_in_cr_at_cutoff')} of whom remained in "
                     "MRD-negative CR at the cut-off")
    if transplanted < int(claims.value("n_patients")):
        died, lost = (int(claims.value(c)) for c in ("n_no_hsct_died", "n_no_hsct_lost"))
        text += ("; of those not transplanted, none died or was lost to follow-up"
                 if not died and not lost else
                 f"; of those not transplanted, {_none_or(claims, 'n_no_hsct_died')} died and "
                 f"{_none_or(claims, 'n_no_hsct_lost')} {'were' if lost > 1 else 'was'} lost "
                 "to follow-up")
    return text + "."


def antigen_negative(claims: Claims) -> str:
    """Whether a relapse after CART2 had lost CD19 or CD22 (claim
    ``n_antigen_negative_relapse_cart2``, patients), as a sentence."""
    return ("A relapse after CART2 with CD19- or CD22-negative disease occurred in "
            f"{claims.counted_as('n_antigen_negative_relapse_cart2', 'patient')}.")


def _none_or(claims: Claims, claim_id: str) -> str:
    """A count claim for a sentence, 'none' or the number, in its span."""
    if claims.value(claim_id):
        return claims.marked(claim_id)
    return span(claim_id, "none") if claims.spans else "none"


def _series(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


COPIES = {"IL-6": "il6_copies", "IFN-gamma": "ifng_copies"}  # claim ids' stems
NEGLIGIBLE_RHO = 0.3  # |ρ| below this is a negligible correlation (Mukaka, Malawi Med J 2012)


def moved_with(claims: Claims, cytokines: tuple[str, ...] = ("IL-6", "IFN-gamma")) -> str:
    """How each cytokine moved with the CAR copy number after CART2, described by a Spearman
    rank correlation over same-day samples (claims ``<stem>_rho``, ``_pairs``, ``_patients``
    of :data:`COPIES`); a ρ of magnitude below :data:`NEGLIGIBLE_RHO` is no co-movement
    and is worded so. No P value is given: several same-day pairs of one patient are not
    independent observations, so a test treating them as such would overstate the
    evidence."""
    sentences = []
    for name in cytokines:
        label, stem = name.replace("-gamma", "-γ"), COPIES[name]
        if not claims.applies(f"{stem}_rho"):
            sentences.append(f"Too few same-day {label} and CAR copy samples were taken "
                             f"({claims.counted_as(stem + '_pairs', 'pair')}) to relate them.")
            continue
        rho = claims.value(f"{stem}_rho")
        verb = ("did not clearly move with" if abs(rho) < NEGLIGIBLE_RHO else
                "tended to rise and fall with" if rho > 0 else "tended to move against")
        sentences.append(
            f"{label} {verb} the CAR copy number (Spearman ρ = {claims.marked(stem + '_rho')} "
            f"over {claims.counted_as(stem + '_pairs', 'same-day pair')} from "
            f"{claims.counted_as(stem + '_patients', 'patient')}; "
            "pairs from one patient are not independent, so no P value is given).")
    return " ".join(sentences)


def single(claims: Claims, claim_id: str) -> bool:
    """Whether a summary claim (a median, minimum or maximum) summarises one value: a median
    of one patient is that patient's value, and the sentence says the value, not a median."""
    claim = claims.ledger[claim_id]
    return (claim.function == "summary" and claims.applies(claim_id)
            and results.summary(claims.tables, **{**claim.args, "stat": "n"}) == 1)


def lead(claims: Claims, stem: str, many: str, one: str) -> str:
    """``many`` (a sentence's words before a median, "The median CART1 dose was"), or ``one``
    ("The CART1 dose was") when the claim ``<stem>_median`` summarises one value."""
    return one if single(claims, f"{stem}_median") else many


def medians(claims: Claims, parts: list[tuple[str, str]]) -> str:
    """Medians of several groups as one phrase, each part a (median claim id, its phrase):
    "a median of 6.0 months after CART1 and 11.6 months after CART2", or with a group of
    one value its value alone, "6.0 months after CART1 and a median of 11.6 months after
    CART2"."""
    if not any(single(claims, c) for c, _ in parts):
        return "a median of " + _series([p for _, p in parts])
    return _series([("" if single(claims, c) else "a median of ") + p for c, p in parts])


def ages(claims: Claims) -> str:
    """The ages at diagnosis and at CART1 (claims ``age_dx_*``, ``age_cart1_*``, years)
    over the cohort's patients, as medians with ranges, or one patient's ages."""
    at = f"{median(claims, 'age_dx', ' years at diagnosis', 'range ')} and " + median(
        claims, "age_cart1", " years at CART1")
    if single(claims, "age_dx_median"):
        return f"The patient was aged {at}."
    return f"Across the {claims.counted_as('n_patients', 'patient')}, the median age was {at}."


def median(claims: Claims, stem: str, unit: str = "", label: str = "", sep: str = "–") -> str:
    """The claims ``<stem>_median``, ``_min`` and ``_max`` as one phrase in their spans,
    "7.25 years (range 3.20–12.00)", the median alone when the range is one value
    (:func:`analysis.common.formatting.median_range`)."""
    ids = [f"{stem}_{s}" for s in ("median", "min", "max")]
    if not claims.applies(*ids):
        return NOT_APPLICABLE
    return median_range(*(claims.text(c) for c in ids), unit=unit, label=label, sep=sep,
                        shown=tuple(claims.marked(c) for c in ids))


RATIOS = (("cd4cd8_t", "T cells"), ("cd4cd8_car", "CAR-T cells"))  # claim stems, labels


def cd4cd8(claims: Claims) -> str:
    """The CD4/CD8 ratios of CART2 before and after infusion, from the patients with both
    values (:func:`analysis.results.measures.ratio_pairs`): medians before and lowest after,
    how many pairs started above 1 and went below 1, each number in its claim span."""
    if not claims.value("cd4cd8_pairs"):
        return ("No patient has a CD4/CD8 ratio measured both before and after infusion, so "
                "its change is not described.")
    parts = [f"{label} ({claims.counted_as(stem + '_patients', 'patient')}) from "
             + ("a median of " if claims.value(stem + "_patients") > 1 else "")  # one patient
             + f"{claims.marked(stem + '_before')} to {claims.marked(stem + '_after')}"
             for stem, label in RATIOS if claims.value(stem + "_patients")]
    text = ("Where the CD4/CD8 ratio was measured both before infusion (blood, or the product "
            "for CAR-T cells) and after it, the ratio went, from before to its lowest after, "
            f"for {_series(parts)}. It was above 1 before infusion in "
            f"{claims.marked('cd4cd8_pairs_above_before')} of "
            f"{claims.counted_as('cd4cd8_pairs', 'pair')} "
            f"and below 1 after in {claims.marked('cd4cd8_pairs_below_after')}")
    if claims.applies("cd4cd8_inversion_day"):
        text += f", by day {claims.marked('cd4cd8_inversion_day')} at the latest"
    return (text + f"; in {claims.marked('n_cd4cd8_reduced')} of these patients every ratio "
            "was lower after infusion than before.")


def treatment_period(claims: Claims) -> str:
    """The months of the first and last CART2 infusion ("between July 2018 and August
    2022", "in July 2018"), the claims ``cart2_first_infusion_month`` and
    ``cart2_last_infusion_month`` as ``claims`` print them."""
    first, last = "cart2_first_infusion_month", "cart2_last_infusion_month"
    if not claims.applies(first, last):
        return "at dates not recorded"
    if claims.text(first) == claims.text(last):
        return f"in {claims.marked(first)}"
    return f"between {claims.marked(first)} and {claims.marked(last)}"


def km_claim(claims: Claims, parameter: str, months: int, rule: str) -> str | None:
    """The id of the cohort's claim of a Kaplan–Meier estimate at ``months`` under ``rule``
    (the cohort's ledger computes EFS under the study's rule), if it has one."""
    for claim in claims.ledger.values():
        if claim.function == "km_estimate" and claim.args == {
                "parameter": parameter, "months": months, "rule": rule}:
            return claim.id
    return None


def km_text(claims: Claims, parameter: str, months: int, rule: str) -> str | None:
    """A Kaplan–Meier estimate as a whole percentage, in its claim's span when the ledger
    has that claim (the value the ledger holds); None when it cannot be estimated."""
    claim_id = km_claim(claims, parameter, months, rule)
    if claim_id and claims.applies(claim_id):
        return claims.marked(claim_id, counts=False)
    value = results.km_estimate(claims.tables, parameter, months, rule)
    return None if pd.isna(value) else percent(value)


def _analysed(parameter: str, rule: str) -> str:
    """The claim counting the patients of a survival analysis (claims.yaml's computed
    ``efs_rule_<rule>_patients`` and ``os_patients``)."""
    return "os_patients" if parameter == "OS" else f"efs_rule_{rule}_patients"


def survival(claims: Claims, efs_rule: str, months: tuple[int, ...] = (6, 12)) -> str:
    """EFS under the study's rule and OS at the given months after CART2, whole percentages
    with the number of patients analysed, in their claims' spans."""
    parts = []
    for parameter, rule in (("EFS", efs_rule), ("OS", "death")):
        analysed = _analysed(parameter, rule)
        values = [km_text(claims, parameter, m, rule) for m in months]
        if not claims.value(analysed) or None in values:
            parts.append(f"{parameter} cannot be estimated for this cohort")
            continue
        at = [f"{v} at {m} months" for v, m in zip(values, months, strict=True)]
        parts.append(f"{parameter} was {_series(at)} (n = {claims.marked(analysed)})")
    rule_text = EFS_RULES[efs_rule].removeprefix("events: ")
    return (f"{'; '.join(parts)} (@fig-course B). EFS follows the study's rule: "
            f"{rule_text}.")


def aplasia(claims: Claims) -> str:
    """How long B-cell aplasia lasted after each course (claims ``bca_cart<n>_median``,
    ``_min``, ``_max``, months), naming only the courses where it can be computed."""
    stems = {"CART1": "bca_cart1", "CART2": "bca_cart2"}
    ids = {course: [f"{stem}_{s}" for s in ("median", "min", "max")]
           for course, stem in stems.items()}
    found = [(c[0], f"{claims.duration(*c)} after {course}")
             for course, c in ids.items() if claims.applies(*c)]
    missed = [course for course, c in ids.items() if not claims.applies(*c)]
    if not found:
        return "The duration of B-cell aplasia was not recorded after either CAR-T"
    text = "B-cell aplasia lasted " + medians(claims, found)
    if missed:
        text += f"; it was not recorded after {missed[0]}"
    return text
