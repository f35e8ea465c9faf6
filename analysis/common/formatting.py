"""Printing numbers: one precision policy for every document, the article's for its claims.

A *style* says how a number is written: ``decimals:2`` (3.62), ``sig:3`` in scientific
notation with significant figures (1.00 × 10^7), ``percent:0`` (80%), ``ratio:1`` (1:0.9),
``count`` (3), ``thousands:2`` (100.65 × 10^3), ``p:2`` (a P value: 0.019, < 0.001),
``bool`` (a fact computed as 1 or 0, written "yes" or "no") and ``text`` (a computed word or
list, written as it is). The same style renders the computed value in the paper and rounds
it for comparison with the published value in the reproducibility ledger.

The policy (the README's "How numbers are printed"):

- rounding is half up on the decimal a reader sees (2.5 -> 3, 42.5 -> 43), with
  :data:`decimal.ROUND_HALF_UP`, as clinical tables round;
- trailing zeros are kept: a precision is a number of decimals or of significant figures,
  so a median and its range, or one quantity after two courses, read alike
  (11.90 (6.11–16.33); 1.00 × 10^7 beside 7.30 × 10^6);
- P values have two significant figures ("< 0.001" below that), doses three;
- a proportion of patients is a whole percentage with its counts (:func:`percent_of`); a
  measurement in percent (transduction efficiency, viability) keeps its quantity's decimals;
- a value read from a sheet and listed as it stands is printed as recorded (:func:`recorded`).

Only the claims of the bundled cohort are printed as the article prints them (``published``
in :func:`render`: trailing zeros dropped as the article drops them, 15.93 (11.9–33.13)), so
that the ledger compares its text; every other number, and every claim of another cohort
(:data:`COHORT_POLICY`), follows the policy.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

TIMES = "\u00d7"
MINUS = "\u2212"  # a real minus sign in printed negative numbers (not the hyphen)
PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def markdown_text(value) -> str:
    """Sheet text as literal Markdown: each ASCII punctuation character backslash-escaped
    (Pandoc reads an escaped character as itself) and line breaks as spaces, so no value
    becomes markup (emphasis, HTML tags, links, Typst or LaTeX commands) in any format."""
    return PUNCTUATION.sub(r"\\\1", " ".join(str(value).splitlines()))


def unescaped(text: str) -> str:
    """Text escaped by :func:`markdown_text` as a reader sees it (its backslashes dropped)."""
    return re.sub(r"\\" + PUNCTUATION.pattern, r"\1", text)


def markdown_code(value) -> str:
    """Text as a Markdown code span, fenced by more backticks than it contains in a row."""
    text = " ".join(str(value).splitlines())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def _decimal(value) -> Decimal:
    """A number as the decimal it prints as (its shortest repr: 0.1 is 0.1, not
    0.1000000000000000055...), so that rounding sees the digits a reader sees."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def rounded(value, decimals: int) -> Decimal:
    """``value`` rounded half up to ``decimals`` places, as clinical tables round
    (2.5 -> 3, 42.5 -> 43, 0.125 -> 0.13); ``decimals`` may be negative (1250 -> 1.3E+3)."""
    return _decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def significant(value, digits: int) -> Decimal:
    """``value`` rounded half up to ``digits`` significant figures (0.99999 -> 1.0 at two,
    9.996e6 -> 1.00E+7 at three): a rounding that carries into a new decade keeps ``digits``."""
    exact = _decimal(value)
    if exact == 0:
        return exact
    result = rounded(exact, digits - 1 - exact.adjusted())
    if result.adjusted() > exact.adjusted():  # 9.996 -> 10.00: one digit too many
        result = rounded(result, digits - 1 - result.adjusted())
    return result


def _trim(text: str) -> str:
    """Drop trailing zeros after a decimal point ("6.0" -> "6"): the article's typography,
    used only where its printed values are reproduced (see :func:`render`)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(number: Decimal, trim: bool) -> str:
    """A decimal in positional notation, trailing zeros kept unless ``trim``."""
    text = f"{number:f}"
    return _trim(text) if trim else text


def fixed(value: float, decimals: int, trim: bool = False) -> str:
    """``value`` with ``decimals`` decimals, rounded half up, trailing zeros kept
    (15.10 stays 15.10; ``trim`` gives 15.1)."""
    return _plain(rounded(value, decimals), trim)


def scientific(value: float, digits: int, markup: bool = True, trim: bool = False) -> str:
    """``value`` as mantissa × 10^exponent with ``digits`` significant figures, rounded half
    up, trailing zeros kept (1.00 × 10^7 beside 7.30 × 10^6; ``trim`` gives 1 × 10^7).

    With ``markup`` the exponent is written as Pandoc superscript (``10^7^``).
    """
    number = significant(value, digits)
    if number == 0:
        return "0"
    exponent = number.adjusted()
    power = f"10^{exponent}^" if markup else f"10^{exponent}"
    return f"{_plain(number.scaleb(-exponent), trim)} {TIMES} {power}"


def thousands(value: float, decimals: int, markup: bool = True, trim: bool = False) -> str:
    """``value`` in units of 10^3 with ``decimals`` decimals (100.65 × 10^3)."""
    power = "10^3^" if markup else "10^3"
    return f"{fixed(_decimal(value).scaleb(-3), decimals, trim)} {TIMES} {power}"


def percent(value: float, decimals: int = 0, trim: bool = False) -> str:
    """A percentage given in percent units (80 -> "80%", 42.5 -> "43%"; at two decimals
    42.5 -> "42.50%")."""
    return f"{fixed(value, decimals, trim)}%"


def ratio(value: float, decimals: int = 1, trim: bool = False) -> str:
    """A 1:x ratio (0.93 -> "1:0.9", 1 -> "1:1.0")."""
    return f"1:{fixed(value, decimals, trim)}"


P_FLOOR = 0.001


def p_value(p: float, digits: int = 2) -> str:
    """A P value with ``digits`` significant figures, rounded half up, trailing zeros kept
    (0.019, 0.11, 1.0, 0.050), and "< 0.001" below 0.001."""
    if p < P_FLOOR:
        return f"< {P_FLOOR}"
    return _plain(significant(p, digits), trim=False)


def p_clause(text: str) -> str:
    """"P = 0.019" or "P < 0.001" from a printed P value."""
    return f"P {text}" if text.startswith("<") else f"P = {text}"


def render(value, style: str, markup: bool = True, published: bool = False) -> str:
    """Write ``value`` in a named style ("decimals:2", "sig:2", "percent:0", "count",
    "recorded", ...),
    rounded half up with trailing zeros kept. With ``published`` trailing zeros are dropped
    as the article drops them (0.2 at "decimals:3", 25% at "percent:2"), for the claims the
    ledger compares with its printed text. With ``markup`` a negative number takes a real
    minus sign ("−7"), without it the hyphen of the published text ("-7")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    kind, _, arg = style.partition(":")
    if markup and kind != "text" and not isinstance(value, (str, bool)) and value < 0:
        return MINUS + render(-value, style, markup, published)
    digits = int(arg) if arg else 0
    if kind == "decimals":
        return fixed(value, digits, published)
    if kind == "sig":
        return scientific(value, digits, markup, published)
    if kind == "p":
        return p_value(value, digits)
    if kind == "thousands":
        return thousands(value, digits, markup, published)
    if kind == "percent":
        return percent(value, digits, published)
    if kind == "ratio":
        return ratio(value, digits, published)
    if kind == "count":
        return str(int(value))
    if kind == "recorded":  # a value of the sheets as it stands there
        return recorded(value)
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "text":
        return markdown_text(value) if markup else str(value)
    raise ValueError(f"unknown number style {style!r}")


def recorded(value: float) -> str:
    """A value read from a sheet, printed as recorded (1300, 100.4, 0.005): no exponent, and
    rounded only at 12 significant figures, past any digit a sheet holds, which drops the
    binary noise of a unit conversion (0.30000000000000004 -> 0.3)."""
    return f"{significant(value, 12).normalize():f}"


def value_range(low: str, high: str, sep: str = "–",
                shown: tuple[str, str] | None = None) -> str:
    """A minimum and a maximum as printed, "3–7" (``sep`` between them: " to " between ratios,
    "1:0.5 to 1:1.0"), or one value, "3", when they print alike. ``shown``: the two as the
    document prints them (in their claim spans), compared as ``low`` and ``high``."""
    first, last = shown or (low, high)
    return first if low == high else f"{first}{sep}{last}"


def median_range(median: str, low: str, high: str, unit: str = "", label: str = "",
                 sep: str = "–", shown: tuple[str, str, str] | None = None) -> str:
    """A median with its range, "7.25 years (range 3.20–12.00)": ``unit`` after the median,
    ``label`` before the range, ``sep`` between its ends (:func:`value_range`).

    A range whose ends print alike (one patient, or every value the same) is left out, so
    the median is printed once, "1:1.0", never "1:1.0 (1:1.0)". ``shown``: the three as the
    document prints them (in their claim spans), compared as ``median``, ``low``, ``high``.
    """
    first, *ends = shown or (median, low, high)
    if low == high:
        return f"{first}{unit}"
    return f"{first}{unit} ({label}{value_range(low, high, sep, tuple(ends))})"


def plural(count: int, noun: str) -> str:
    """'1 course', '3 courses' (regular English plurals only)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


COHORT_POLICY = {"p": "p:2", "dose": "sig:3", "percent": "percent:0", "months": "decimals:1"}
DAYS_PER_MONTH = 30  # the compendium's month (analysis.derivations.timing)


def duration(months: list[float], month_style: str | None = None) -> tuple[list[str], str]:
    """Durations given in 30-day months, printed in one unit for all of them: whole days when
    every value is below a month, else months (``month_style``, default one decimal).

    With ``month_style`` given (the article's precision) months are kept whatever the values.
    Returns the printed values and the unit ("days" or "months"; "day" or "month" for a
    value, or every value, printed as 1).
    """
    if month_style is None and all(m < 1 for m in months):
        texts, unit = [fixed(m * DAYS_PER_MONTH, 0) for m in months], "day"
    else:
        texts = [render(m, month_style or COHORT_POLICY["months"]) for m in months]
        unit = "month"
    return texts, unit if set(texts) == {"1"} else unit + "s"


def percent_of(count: int, total: int) -> str:
    """A whole-number percentage with its counts ("67% (6 of 9)")."""
    return f"{percent(100.0 * count / total)} ({count} of {total})"
