"""The precision policy at its edges: ties, trailing zeros, significant figures, powers of
ten, P values, durations, proportions of patients against measurements."""

from __future__ import annotations

import pytest

from analysis.common import formatting as fmt
from analysis.common.formatting import duration, fixed, p_clause, p_value, percent, render


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (2.5, 0, "3"), (3.5, 0, "4"), (42.5, 0, "43"), (0.125, 2, "0.13"), (0.375, 2, "0.38"),
    (2.675, 2, "2.68"),  # binary 2.67499999...: the decimal a reader sees is a tie
    (1.005, 2, "1.01"), (44.845, 2, "44.85"), (2.4999, 0, "2"), (1250, -2, "1300"),
])
def test_ties_round_half_up_as_clinical_tables(value, decimals, text):
    assert fixed(value, decimals) == text
    assert f"{fmt.rounded(value, decimals):f}" == text


def test_half_up_is_not_pythons_rounding():
    """Python rounds these half to even (or on the binary value): the policy does not."""
    assert [round(v) for v in (2.5, 42.5)] == [2, 42]
    assert f"{0.125:.2f}" == "0.12" and f"{2.675:.2f}" == "2.67"
    assert [fixed(v, 0) for v in (2.5, 42.5)] == ["3", "43"]
    assert fixed(0.125, 2) == "0.13" and fixed(2.675, 2) == "2.68"


def test_ties_half_up_in_every_style():
    assert render(2.5, "percent:0") == "3%"
    assert render(42.5, "percent:0") == "43%"
    assert render(0.125, "ratio:2") == "1:0.13"
    assert render(100_645.0, "thousands:2", markup=False) == "100.65 × 10^3"
    assert render(1.25e7, "sig:2", markup=False) == "1.3 × 10^7"
    assert p_value(0.0125) == "0.013"
    assert fmt.percent_of(1, 40) == "3% (1 of 40)"  # 2.5%
    assert duration([10.5 / 30]) == (["11"], "days")


@pytest.mark.parametrize(("value", "style", "text"), [
    (11.9, "decimals:2", "11.90"), (15.1, "decimals:2", "15.10"), (240.0, "decimals:2", "240.00"),
    (0.0, "decimals:1", "0.0"), (25.0, "percent:2", "25.00%"), (1.0, "ratio:1", "1:1.0"),
    (100_600.0, "thousands:2", "100.60 × 10^3"),
])
def test_trailing_zeros_are_kept(value, style, text):
    assert render(value, style, markup=False) == text


def test_a_range_reads_at_one_precision():
    """The issue's range: each value at two decimals, none trimmed to fewer."""
    values = [11.9, 6.11, 16.33]
    texts = [render(v, "decimals:2") for v in values]
    assert f"{texts[0]} ({texts[1]}–{texts[2]})" == "11.90 (6.11–16.33)"
    assert {len(t.partition(".")[2]) for t in texts} == {2}


def test_the_article_typography_only_when_asked():
    """``published`` drops trailing zeros as the article prints them (the ledger's text)."""
    assert render(11.9, "decimals:2", published=True) == "11.9"
    assert render(0.2, "decimals:3", published=True) == "0.2"
    assert render(25.0, "percent:2", published=True) == "25%"
    assert render(1.0, "ratio:1", published=True) == "1:1"
    assert render(1e7, "sig:2", markup=False, published=True) == "1 × 10^7"
    assert render(42.5, "percent:0", published=True) == "43%"  # half up there too
    assert render(0.2004, "decimals:3", published=True) == "0.2"
    assert render(0.2006, "decimals:3", published=True) == "0.201"


@pytest.mark.parametrize(("value", "digits", "text"), [
    (0.019, 2, "0.019"), (0.99999, 2, "1.0"), (9.996e6, 3, "1.00E+7"), (9.994e6, 3, "9.99E+6"),
    (123.45, 4, "123.5"), (0.000123449, 2, "0.00012"), (0.0, 3, "0.0"),
])
def test_significant_figures_keep_their_count_across_a_decade(value, digits, text):
    assert str(fmt.significant(value, digits)) == text


@pytest.mark.parametrize(("value", "text"), [
    (1.0e7, "1.00 × 10^7"), (1.39e7, "1.39 × 10^7"), (9.996e6, "1.00 × 10^7"),
    (9.994e6, "9.99 × 10^6"), (4.3e6, "4.30 × 10^6"), (7.3e6, "7.30 × 10^6"),
    (1.175e7, "1.18 × 10^7"), (1.0e6, "1.00 × 10^6"), (5.5e-3, "5.50 × 10^-3"),
])
def test_doses_in_powers_of_ten_keep_three_significant_figures(value, text):
    assert render(value, "sig:3", markup=False) == text


def test_negative_numbers_take_a_real_minus_in_documents():
    assert render(-0.43, "decimals:2") == "−0.43"  # a Spearman rho in a sentence
    assert render(-0.43, "decimals:2", markup=False) == "-0.43"  # the published hyphen


def test_powers_of_ten_as_superscripts_and_the_article_style():
    assert render(1.1e7, "sig:2") == "1.1 × 10^7^"
    assert render(1.0e7, "sig:2") == "1.0 × 10^7^"  # beside 7.3 × 10^6^, not "1 × 10^7^"
    assert render(6.0e6, "sig:1", markup=False) == "6 × 10^6"
    assert render(-2.0e6, "sig:2") == "−2.0 × 10^6^"
    assert render(0.0, "sig:3") == "0"


@pytest.mark.parametrize(("p", "text"), [
    (0.019, "0.019"), (0.114, "0.11"), (0.05, "0.050"), (0.2, "0.20"), (1.0, "1.0"),
    (0.99999, "1.0"), (0.001, "0.0010"), (0.000999, "< 0.001"), (1e-12, "< 0.001"),
    (2 / 70, "0.029"), (0.0995, "0.10"),
])
def test_p_values_have_two_significant_figures(p, text):
    assert p_value(p) == text
    assert render(p, "p:2") == text


def test_p_clause_reads_for_equal_and_bound():
    assert p_clause("0.029") == "P = 0.029"
    assert p_clause("< 0.001") == "P < 0.001"


def test_durations_below_a_month_in_days():
    assert duration([10 / 30, 28 / 30]) == (["10", "28"], "days")
    assert duration([29.9 / 30]) == (["30"], "days")
    assert duration([1 / 30]) == (["1"], "day")
    assert duration([0.5, 1.0]) == (["0.5", "1.0"], "months")  # one unit, one precision
    assert duration([1.0]) == (["1.0"], "months")
    assert duration([26.27]) == (["26.3"], "months")
    assert duration([0.0, 3.0], "decimals:0") == (["0", "3"], "months")  # the article's


def test_proportions_of_patients_are_whole_percentages_with_their_counts():
    assert fmt.percent_of(4, 6) == "67% (4 of 6)"
    assert fmt.percent_of(1, 1) == "100% (1 of 1)"
    assert fmt.percent_of(0, 9) == "0% (0 of 9)"
    assert fmt.percent_of(1, 200) == "1% (1 of 200)"  # 0.5% rounds half up
    assert fmt.percent_of(1, 8) == "13% (1 of 8)"  # 12.5%


def test_measurements_in_percent_keep_their_decimals():
    """A transduction efficiency of 42.5% is a measurement, not 43% of patients."""
    assert percent(42.5, 2) == "42.50%"
    assert percent(42.5, 1) == "42.5%"
    assert percent(42.5) == "43%"


@pytest.mark.parametrize(("value", "text"), [
    (1300.0, "1300"), (100.4, "100.4"), (7.46, "7.46"), (0.005, "0.005"), (25, "25"),
    (0.1 + 0.2, "0.3"), (1e-5, "0.00001"), (123456789.0, "123456789"), (0.0, "0"),
])
def test_recorded_values_print_as_the_sheet_holds_them(value, text):
    assert fmt.recorded(value) == text


def test_unescaped_gives_back_the_sheet_text_markdown_text_escaped():
    for text in ("pt01, pt03", "a*b_c <x> [y](z) 1.1", "back\\slash"):
        assert fmt.unescaped(fmt.markdown_text(text)) == text


def test_a_range_of_one_value_prints_that_value_once():
    assert fmt.value_range("3", "7") == "3–7"
    assert fmt.value_range("28", "28") == "28"
    assert fmt.value_range("1:0.5", "1:1.0", " to ") == "1:0.5 to 1:1.0"
    assert fmt.median_range("1:1.0", "1:1.0", "1:1.0", sep=" to ") == "1:1.0"
    assert fmt.median_range("7.25", "3.20", "12.00", " years", "range ") == (
        "7.25 years (range 3.20–12.00)")
    # one patient, or every value alike: the median alone, never "12.00 years (12.00)"
    assert fmt.median_range("12.00", "12.00", "12.00", " years", "range ") == "12.00 years"


def test_a_range_compares_what_it_prints_and_shows_the_marked_up_text():
    shown = ("[5]{#m}", "[3]{#l}", "[9]{#h}")
    assert fmt.median_range("5", "3", "9", shown=shown) == "[5]{#m} ([3]{#l}–[9]{#h})"
    assert fmt.median_range("5", "5", "5", shown=shown) == "[5]{#m}"
    assert fmt.value_range("3", "3", shown=("[3]{#l}", "[3]{#h}")) == "[3]{#l}"
