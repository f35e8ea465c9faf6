"""Printing numbers: the article's precision for its cohort, one policy for every other.

A *style* says how a number is written: ``decimals:2`` (3.62), ``sig:2`` in scientific
notation (1.1 × 10^7), ``sigfig:3`` (the same, keeping trailing zeros: 1.00 × 10^7),
``percent:0`` (80%), ``ratio:1`` (1:0.9), ``count`` (3), ``thousands:2`` (100.65 × 10^3),
``p:2`` (a P value: 0.019, < 0.001), ``bool`` (a fact computed as 1 or 0, written "yes" or
"no") and ``text`` (a computed word or list, written as it is). The same style renders the
computed value in the paper
and rounds it for comparison with the published value in the reproducibility ledger.

The bundled cohort prints each number at the article's precision, so the ledger compares.
Every other cohort follows :data:`COHORT_POLICY`: P values with two significant figures
("< 0.001" below that), doses with three significant figures, durations in whole days
below a month and in months with one decimal above, percentages as whole numbers with
the counts behind them (:func:`percent_of`).
"""

from __future__ import annotations

import math
import re

TIMES = "\u00d7"
MINUS = "\u2212"  # a real minus sign in printed negative numbers (not the hyphen)
PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def markdown_text(value) -> str:
    """Sheet text as literal Markdown: each ASCII punctuation character backslash-escaped
    (Pandoc reads an escaped character as itself) and line breaks as spaces, so no value
    becomes markup (emphasis, HTML tags, links, Typst or LaTeX commands) in any format."""
    return PUNCTUATION.sub(r"\\\1", " ".join(str(value).splitlines()))


def markdown_code(value) -> str:
    """Text as a Markdown code span, fenced by more backticks than it contains in a row."""
    text = " ".join(str(value).splitlines())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _trim(text: str) -> str:
    """Drop trailing zeros after a decimal point ("6.0" -> "6")."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def fixed(value: float, decimals: int) -> str:
    """``value`` with a fixed number of decimals, trailing zeros dropped (15.10 -> 15.1)."""
    return _trim(f"{value:.{decimals}f}")


def scientific(value: float, digits: int, markup: bool = True, zeros: bool = False) -> str:
    """``value`` as mantissa × 10^exponent with ``digits`` significant digits (1.1 × 10^7).

    With ``markup`` the exponent is written as Pandoc superscript (``10^7^``); with ``zeros``
    trailing zeros are kept (1.00 × 10^7), as significant figures require.
    """
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, digits - 1)
    if abs(mantissa) >= 10:
        mantissa /= 10
        exponent += 1
    power = f"10^{exponent}^" if markup else f"10^{exponent}"
    text = f"{mantissa:.{digits - 1}f}"
    return f"{text if zeros else _trim(text)} {TIMES} {power}"


def thousands(value: float, decimals: int, markup: bool = True) -> str:
    """``value`` in units of 10^3 (100.65 × 10^3)."""
    power = "10^3^" if markup else "10^3"
    return f"{fixed(value / 1e3, decimals)} {TIMES} {power}"


def percent(value: float, decimals: int = 0) -> str:
    """A percentage given in percent units (80 -> "80%")."""
    return f"{fixed(value, decimals)}%"


def ratio(value: float, decimals: int = 1) -> str:
    """A 1:x ratio (0.93 -> "1:0.9")."""
    return f"1:{fixed(value, decimals)}"


P_FLOOR = 0.001


def p_value(p: float, digits: int = 2) -> str:
    """A P value with ``digits`` significant figures, trailing zeros kept (0.019, 0.11, 1.0,
    0.050), and "< 0.001" below 0.001."""
    if p < P_FLOOR:
        return f"< {P_FLOOR}"
    return f"{p:#.{digits}g}".rstrip(".")


def p_clause(text: str) -> str:
    """"P = 0.019" or "P < 0.001" from a printed P value."""
    return f"P {text}" if text.startswith("<") else f"P = {text}"


def render(value, style: str, markup: bool = True) -> str:
    """Write ``value`` in a named style ("decimals:2", "sig:2", "percent:0", "count", ...);
    with ``markup`` a negative number takes a real minus sign ("−7"), without it the hyphen
    of the published text ("-7")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    kind, _, arg = style.partition(":")
    if markup and kind != "text" and not isinstance(value, (str, bool)) and value < 0:
        return MINUS + render(-value, style, markup)
    digits = int(arg) if arg else 0
    if kind == "decimals":
        return fixed(value, digits)
    if kind == "sig":
        return scientific(value, digits, markup)
    if kind == "sigfig":
        return scientific(value, digits, markup, zeros=True)
    if kind == "p":
        return p_value(value, digits)
    if kind == "thousands":
        return thousands(value, digits, markup)
    if kind == "percent":
        return percent(value, digits)
    if kind == "ratio":
        return ratio(value, digits)
    if kind == "count":
        return str(int(value))
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "text":
        return markdown_text(value) if markup else str(value)
    raise ValueError(f"unknown number style {style!r}")


def plural(count: int, noun: str) -> str:
    """'1 course', '3 courses' (regular English plurals only)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


COHORT_POLICY = {"p": "p:2", "dose": "sigfig:3", "percent": "percent:0", "months": "decimals:1"}
DAYS_PER_MONTH = 30  # the compendium's month (analysis.derivations.timing)


def duration(months: list[float], month_style: str | None = None) -> tuple[list[str], str]:
    """Durations given in 30-day months, printed in one unit for all of them: whole days when
    every value is below a month, else months (``month_style``, default one decimal).

    With ``month_style`` given (the article's precision) months are kept whatever the values.
    Returns the printed values and the unit ("days" or "months"; "day" or "month" for a
    value, or every value, printed as 1).
    """
    if month_style is None and all(m < 1 for m in months):
        texts, unit = [str(round(m * DAYS_PER_MONTH)) for m in months], "day"
    else:
        texts = [render(m, month_style or COHORT_POLICY["months"]) for m in months]
        unit = "month"
    return texts, unit if set(texts) == {"1"} else unit + "s"


def percent_of(count: int, total: int) -> str:
    """A whole-number percentage with its counts ("67% (6 of 9)")."""
    return f"{percent(100.0 * count / total)} ({count} of {total})"
