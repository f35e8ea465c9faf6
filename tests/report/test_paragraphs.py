"""Paragraphs assembled in code (analysis.report.paragraphs), worded from the cohort."""

import pandas as pd

from analysis.ledger.claims import Claims
from analysis.report import paragraphs


def _tables(cart1: int, cart2: int) -> dict:
    courses = [1] * cart1 + [2] * cart2
    return {"adcourse": pd.DataFrame({"course": courses + [2],
                                      "il6_fold_change": [3.0] * len(courses) + [None]})}


def test_the_mann_whitney_note_gives_the_smallest_exact_p_for_the_group_sizes():
    note = paragraphs.mann_whitney_note(Claims(_tables(3, 3)))
    assert note.startswith("With 3 and 3 patients")
    assert "smallest P value the exact test can give is 0.1" in note


def test_the_mann_whitney_note_names_the_approximation_for_large_groups():
    assert "normal approximation" in paragraphs.mann_whitney_note(Claims(_tables(10, 12)))


def test_the_mann_whitney_note_says_when_a_group_is_empty():
    assert "left out" in paragraphs.mann_whitney_note(Claims(_tables(0, 4)))


def test_the_availability_statement_names_the_fingerprints_and_the_patients():
    text = paragraphs.availability({"data_fingerprint": "abc", "code_fingerprint": "def"},
                                   "rev", "1 patient")
    assert "`abc`" in text and "`def`" in text and "`rev`" in text and "1 patient." in text
    assert "data-derived" not in text  # the bundled cohort's folder; another's is elsewhere
