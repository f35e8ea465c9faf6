"""Descriptive statistics, the Mann–Whitney test and number styles, on hand-worked cases."""

import math

import pytest

from analysis.common.formatting import render
from analysis.results.statistics import (
    attainable_mann_whitney_p,
    mann_whitney,
    median_range,
)


def test_median_range_of_five_is_the_middle_value():
    assert median_range([5.61, 12.38, 7.36, 6.0, 9.1]) == {
        "median": 7.36, "min": 5.61, "max": 12.38, "n": 5}


def test_median_range_ignores_missing_and_handles_none_left():
    assert median_range([1.0, None, 3.0])["median"] == 2.0
    assert math.isnan(median_range([None])["median"])


@pytest.mark.parametrize(("a", "b", "u", "p"), [
    ([1, 2, 3], [4, 5, 6], 0, 0.1),
    ([1, 2, 5], [4, 6, 7], 1, 0.2),
    ([1, 5, 6], [2, 3, 7], 4, 1.0),
])
def test_exact_mann_whitney_three_against_three(a, b, u, p):
    result = mann_whitney(a, b)
    assert result["u"] == u and result["p"] == pytest.approx(p)


def test_attainable_p_values_for_three_and_three():
    assert attainable_mann_whitney_p(3, 3) == [0.1, 0.2, 0.4, 0.7, 1.0]


@pytest.mark.parametrize(("value", "style", "text"), [
    (3.6249, "decimals:2", "3.62"),
    (15.1, "decimals:2", "15.10"),
    (1.1e7, "sig:2", "1.1 × 10^7"),
    (6.0e6, "sig:1", "6 × 10^6"),
    (9.96e6, "sig:2", "1.0 × 10^7"),
    (5.54e6, "sig:3", "5.54 × 10^6"),
    (100650.0, "thousands:2", "100.65 × 10^3"),
    (80.0, "percent:0", "80%"),
    (0.927, "ratio:1", "1:0.9"),
    (3, "count", "3"),
])
def test_number_styles(value, style, text):
    assert render(value, style, markup=False) == text


def test_superscript_markup_for_the_paper():
    assert render(1.1e7, "sig:2") == "1.1 × 10^7^"
