"""Sentences worded from the cohort's claims (analysis.report.prose)."""

import math
import re
from pathlib import Path

import pandas as pd

from analysis.ledger.claims import Claims
from analysis.report import prose


def _claims(values: dict, tables: dict | None = None) -> Claims:
    claims = Claims(tables or {}, published_precision=False)
    claims._values.update(values)  # the claims' values, as if computed from a cohort
    return claims


def _aplasia(cart1: float) -> dict:
    return {"bca_cart1_median": cart1, "bca_cart1_min": cart1, "bca_cart1_max": cart1,
            "bca_cart2_median": 3.5, "bca_cart2_min": 3.0, "bca_cart2_max": 4.0}


def _aplasia_rows(cart1: int) -> dict:
    """adcourse with ``cart1`` B-cell aplasia durations after CART1 and two after CART2."""
    return {"adcourse": pd.DataFrame({"course": [1] * cart1 + [2, 2],
                                      "bca_months": [6.0] * cart1 + [3.0, 4.0]})}


def test_aplasia_names_only_the_courses_where_it_was_recorded():
    text = prose.aplasia(_claims(_aplasia(math.nan), _aplasia_rows(0)))
    assert text == ("B-cell aplasia lasted a median of 3.5 months (3.0–4.0) after CART2; "
                    "it was not recorded after CART1")
    both = prose.aplasia(_claims(_aplasia(6.0), _aplasia_rows(3)))
    assert both.startswith("B-cell aplasia lasted a median of 6.0 months after CART1 and")


def test_one_patients_value_is_said_as_the_value_not_a_median():
    # one aplasia after CART1 (6.0 months), two after CART2 (3.0 and 4.0)
    text = prose.aplasia(_claims(_aplasia(6.0), _aplasia_rows(1)))
    assert text == ("B-cell aplasia lasted 6.0 months after CART1 and a median of 3.5 months "
                    "(3.0–4.0) after CART2")
    one = _claims({"age_dx_median": 7.0, "age_dx_min": 7.0, "age_dx_max": 7.0,
                   "age_cart1_median": 9.5, "age_cart1_min": 9.5, "age_cart1_max": 9.5,
                   "n_patients": 1},
                  {"adsl": pd.DataFrame({"age_at_diagnosis_years": [7.0]})})
    assert prose.ages(one) == "The patient was aged 7.00 years at diagnosis and 9.50 years at CART1."
    assert prose.lead(one, "age_dx", "The median age was", "The age was") == "The age was"
    two = _claims({"age_dx_median": 7.0, "age_dx_min": 7.0, "age_dx_max": 7.0},
                  {"adsl": pd.DataFrame({"age_at_diagnosis_years": [7.0, 7.0]})})
    assert prose.lead(two, "age_dx", "The median age was", "The age was") == "The median age was"


def test_the_paper_words_every_median_for_one_value():
    # each "median" the paper types before a median claim has its one-value wording (L(...))
    paper = (Path(__file__).resolve().parents[2] / "paper.qmd").read_text(encoding="utf-8")
    results = paper[paper.index("# Results"):paper.index("```{python}\n#| label: fig-design")]
    typed = re.sub(r"`\{python\}[^`]*`", "", results)
    assert "median" not in typed.lower(), re.findall(r".{30}median.{30}", typed)


def _cytokines(rho: float) -> dict:
    return {"il6_copies_rho": rho, "il6_copies_pairs": 4, "il6_copies_patients": 3}


def test_a_negligible_rank_correlation_claims_no_co_movement():
    weak = prose.moved_with(_claims(_cytokines(-0.2)), ("IL-6",))
    assert weak.startswith("IL-6 did not clearly move with the CAR copy number (Spearman ρ = −0.20")
    strong = prose.moved_with(_claims(_cytokines(0.6)), ("IL-6",))
    assert strong.startswith("IL-6 tended to rise and fall with the CAR copy number")
    assert prose.moved_with(_claims(_cytokines(-0.6)), ("IL-6",)).startswith(
        "IL-6 tended to move against")


def test_a_ratio_range_of_one_value_reads_as_that_value():
    alike = _claims({"ratio_min": 1.0, "ratio_max": 1.0})
    assert alike.between("ratio_min", "ratio_max", " to ") == "1:1.0"
    apart = _claims({"ratio_min": 0.5, "ratio_max": 1.0})
    assert apart.between("ratio_min", "ratio_max", " to ") == "1:0.5 to 1:1.0"


def test_the_paper_prints_every_range_through_claims_between():
    # a minimum and a maximum printed one by one read "1:1.0 to 1:1.0" when they are alike
    paper = (Path(__file__).resolve().parents[2] / "paper.qmd").read_text(encoding="utf-8")
    assert not re.search(r"""N\[["']\w+_(min|max)["']\]""", paper)


def test_a_median_with_a_range_of_one_value_prints_the_median_once():
    alike = _claims({"ratio_median": 1.0, "ratio_min": 1.0, "ratio_max": 1.0})
    assert prose.median(alike, "ratio", sep=" to ") == "1:1.0"
    ages = _claims({"age_dx_median": 7.25, "age_dx_min": 3.2, "age_dx_max": 12.0})
    assert prose.median(ages, "age_dx", " years", "range ") == "7.25 years (range 3.20–12.00)"


def test_the_paper_prints_every_median_with_its_range_through_one_helper():
    paper = (Path(__file__).resolve().parents[2] / "paper.qmd").read_text(encoding="utf-8")
    assert not re.search(r"""N\[["']\w+_median["']\]""", paper)


def _outcome(**counts) -> dict:
    return {"n_patients": 6, "n_hsct_after_cart2": 1, "n_hsct_in_cr_at_cutoff": 1,
            "n_no_hsct_died": 2, "n_no_hsct_lost": 1, **counts}


def test_transplant_sentence_is_worded_from_the_counts():
    assert prose.transplants(_claims(_outcome())) == (
        "Allogeneic transplantation followed CART2 in 1 patient, who remained in MRD-negative "
        "CR at the cut-off; of those not transplanted, 2 died and 1 was lost to follow-up.")
    text = prose.transplants(_claims(_outcome(n_hsct_after_cart2=3, n_hsct_in_cr_at_cutoff=0,
                                              n_no_hsct_died=0, n_no_hsct_lost=0)))
    assert text == ("Allogeneic transplantation followed CART2 in 3 patients, none of whom "
                    "remained in MRD-negative CR at the cut-off; of those not transplanted, "
                    "none died or was lost to follow-up.")
    every = prose.transplants(_claims(_outcome(n_patients=1, n_no_hsct_died=0,
                                               n_no_hsct_lost=0)))
    assert "not transplanted" not in every
    assert prose.transplants(_claims(_outcome(n_hsct_after_cart2=0, n_no_hsct_lost=0))) == (
        "Allogeneic transplantation followed CART2 in no patient; of those not transplanted, "
        "2 died and none was lost to follow-up.")


def test_counts_in_sentences_are_words_when_zero_and_never_fragments():
    texts = [prose.antigen_negative(_claims({"n_antigen_negative_relapse_cart2": n}))
             for n in (0, 1)]
    assert texts == ["A relapse after CART2 with CD19- or CD22-negative disease occurred in "
                     "no patient.", "A relapse after CART2 with CD19- or CD22-negative disease "
                     "occurred in 1 patient."]
    assert prose.cytogenetics(_claims({"n_cytogenetic_abnormal": 1, "n_bcr_abl1": 0})) == (
        "Cytogenetic abnormalities were present in 1 patient, none with a BCR-ABL1 fusion.")
    assert prose.cytogenetics(_claims({"n_cytogenetic_abnormal": 6, "n_bcr_abl1": 1})) == (
        "Cytogenetic abnormalities were present in 6 patients, including 1 with a BCR-ABL1 "
        "fusion.")
    assert prose.cytogenetics(_claims({"n_cytogenetic_abnormal": 0, "n_bcr_abl1": 0})) == (
        "Cytogenetic abnormalities were present in no patient.")
