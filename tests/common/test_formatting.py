"""The precision policy at its edges: P values, significant figures, durations, percentages."""

from __future__ import annotations

import pytest

from analysis.common.formatting import duration, p_clause, p_value, percent_of, render


@pytest.mark.parametrize(("p", "text"), [
    (0.019, "0.019"), (0.114, "0.11"), (0.05, "0.050"), (0.2, "0.20"), (1.0, "1.0"),
    (0.99999, "1.0"), (0.001, "0.0010"), (0.000999, "< 0.001"), (1e-12, "< 0.001"),
    (2 / 70, "0.029"),
])
def test_p_values_have_two_significant_figures(p, text):
    assert p_value(p) == text
    assert render(p, "p:2") == text


def test_p_clause_reads_for_equal_and_bound():
    assert p_clause("0.029") == "P = 0.029"
    assert p_clause("< 0.001") == "P < 0.001"


@pytest.mark.parametrize(("value", "text"), [
    (1.0e7, "1.00 × 10^7"), (1.39e7, "1.39 × 10^7"), (9.996e6, "1.00 × 10^7"),
    (9.994e6, "9.99 × 10^6"), (4.3e6, "4.30 × 10^6"), (1.175001e7, "1.18 × 10^7"),
])
def test_doses_keep_three_significant_figures(value, text):
    assert render(value, "sigfig:3", markup=False) == text
    assert render(value, "sig:2", markup=False) != text  # the article's style trims them


def test_durations_below_a_month_in_days():
    assert duration([10 / 30, 28 / 30]) == (["10", "28"], "days")
    assert duration([29.9 / 30]) == (["30"], "days")
    assert duration([1 / 30]) == (["1"], "day")
    assert duration([0.5, 1.0]) == (["0.5", "1"], "months")  # one unit for a range
    assert duration([1.0]) == (["1"], "month")
    assert duration([1.0, 1.0, 1.02]) == (["1", "1", "1"], "month")  # "1 month (1–1)"
    assert duration([26.27]) == (["26.3"], "months")
    assert duration([0.0, 3.0], "decimals:0") == (["0", "3"], "months")  # the article's


def test_percentages_whole_with_their_counts():
    assert percent_of(4, 6) == "67% (4 of 6)"
    assert percent_of(1, 1) == "100% (1 of 1)"
    assert percent_of(0, 9) == "0% (0 of 9)"
    assert percent_of(1, 200) == "0% (1 of 200)"
