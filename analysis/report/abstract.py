"""The paper's abstract, worded from the cohort's results: response, toxicity, follow-up,
survival and transplantation, each number in its claim span. Quarto's ``abstract:`` front
matter cannot run code, so the paper prints this in an unnumbered *Abstract* section right
after the title.
"""

from __future__ import annotations

from analysis.common.formatting import plural
from analysis.derivations.events import EFS_RULES
from analysis.ledger.claims import Claims, span
from analysis.report import prose

PROBLEM = (
    "Children with B-cell acute lymphoblastic leukaemia (B-ALL) who relapse after a first "
    "CD19-directed CAR-T infusion (CART1) respond poorly when the same product is given "
    "again. ")
BACKGROUND = PROBLEM + (
    "This compendium recomputes, from patient-level sheets, every number, table and "
    "figure of a single-arm phase I study in which CD19- and CD22-directed CAR-T cells were "
    "manufactured separately and infused together as a second CAR-T (CART2).")
TEAM_BACKGROUND = PROBLEM + (
    "A published study gave CD19- and CD22-directed CAR-T cells, manufactured separately, "
    "together as a second CAR-T (CART2); this document applies its analysis to another "
    "cohort treated so, from that cohort's own sheets.")
METHODS = (
    "Patients relapsing after CD19 CAR-T received lymphodepletion and one mixed CD19/CD22 "
    "CAR-T infusion; response, toxicity, cytokines and CAR-T kinetics were followed, and "
    "event-free (EFS) and overall survival (OS) estimated by Kaplan–Meier.")
DATA = ("The data statement under this abstract names the sheets these numbers are computed "
        "from and says whether they are trial records; the supplement sets each number beside "
        "the published one.")
MONTHS = (6, 12)


def _marked(claims: Claims, claim_id: str, text: str) -> str:
    """``text`` in the claim's span when the document asked for spans."""
    return span(claim_id, text) if claims.spans else text


def _count(claims: Claims, claim_id: str, zero: str = "no patient") -> str:
    """A count of patients in its span: in words for zero, with the noun otherwise."""
    value = int(claims.value(claim_id))
    return _marked(claims, claim_id, zero if value == 0 else plural(value, "patient"))


def _response(claims: Claims) -> str:
    if not claims.applies("orr_cart2"):
        return "The response to CART2 cannot be assessed for this cohort."
    text = ("The MRD-negative complete remission (CR) rate after CART2 was "
            f"{claims.marked('orr_cart2')}")
    if claims.applies("time_to_mrd_neg_min", "time_to_mrd_neg_max"):
        text += (f", reached {claims.duration('time_to_mrd_neg_min', 'time_to_mrd_neg_max')} "
                 "after infusion")
    return text + "."


def _toxicity(claims: Claims) -> str:
    """CRS of any grade and of grade 3 or higher, and neurotoxicity."""
    if int(claims.value("n_crs_any")) == 0:
        text = f"Cytokine release syndrome (CRS) developed in {_count(claims, 'n_crs_any')}"
    else:
        severe = int(claims.value("n_crs_grade3plus"))
        grade = (f"of grade 3 or higher in {_count(claims, 'n_crs_grade3plus')}" if severe
                 else f"{_marked(claims, 'n_crs_grade3plus', 'none')} of grade 3 or higher")
        text = (f"Cytokine release syndrome (CRS) developed in {_count(claims, 'n_crs_any')}, "
                f"{grade}")
    neuro = int(claims.value("n_neurotoxicity"))
    text += ("; neurotoxicity was recorded in " + _count(claims, "n_neurotoxicity") if neuro
             else f"; {_marked(claims, 'n_neurotoxicity', 'no neurotoxicity')} was recorded")
    return text + "."


def _estimates(claims: Claims, parameter: str, rule: str) -> list[str] | None:
    """The estimate at each of MONTHS, in the claim's span where the ledger has that claim."""
    out = [prose.km_text(claims, parameter, months, rule) for months in MONTHS]
    return None if None in out else out


def _survival(claims: Claims, efs_rule: str, article_reading: bool) -> str:
    """Follow-up, OS and EFS at 6 and 12 months, and transplantation after CART2."""
    sentences = []
    if claims.applies("follow_up_median"):
        words = prose.lead(claims, "follow_up", "Median follow-up", "Follow-up")
        sentences.append(f"{words} was {claims.duration('follow_up_median')}.")
    at = " at 6 months and {} at 12 months"
    os_ = _estimates(claims, "OS", "death")
    if os_:
        sentences.append(f"OS was {os_[0]}{at.format(os_[1])}.")
    if article_reading:  # the readings the ledger compares (see paragraphs.survival)
        efs = [claims.marked("efs_6m"), claims.marked("efs_12m")]
        rule = (", the 12-month estimate only under a reading of the EFS rule that the "
                "article does not state")
    else:
        efs = _estimates(claims, "EFS", efs_rule)
        rule = f" under the study's rule ({EFS_RULES[efs_rule]})"
    if efs:
        sentences.append(f"EFS was {efs[0]}{at.format(efs[1])}{rule}.")
    hsct = _count(claims, "n_hsct_after_cart2")
    sentences.append(f"Allogeneic transplantation followed CART2 in {hsct}.")
    return " ".join(sentences)


def abstract(claims: Claims, efs_rule: str, article_reading: bool) -> str:
    """The abstract as Markdown paragraphs: background, methods, results computed for this
    cohort (numbers in their claim spans), and where the data come from. With
    ``article_reading`` (a reconstruction, :func:`analysis.ledger.settings.cohort_settings`)
    the background is the article's study and the EFS estimates are the ledger's readings of
    the article; else another cohort's, under the study's rule."""
    results_text = " ".join([
        f"CART2 was given to {_count(claims, 'n_patients')}.", _response(claims),
        _toxicity(claims), _survival(claims, efs_rule, article_reading)])
    background = BACKGROUND if article_reading else TEAM_BACKGROUND
    return "\n\n".join([f"**Background.** {background}", f"**Methods.** {METHODS}",
                        f"**Results.** {results_text}", f"**Data.** {DATA}"]) + "\n"

