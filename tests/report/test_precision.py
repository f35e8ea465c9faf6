"""The precision policy in the rendered paper: no range, and no pair of values of one
quantity, mixes precisions (11.9 (6.11–16.33); 1 × 10^7 beside 7.3 × 10^6; 251.24 after
CART1 and 240 after CART2), for the follow-up cohort and for the bundled one, where only the
claims printed as the article prints them may."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.common.paths import cohort_paths

ROOT = Path(__file__).resolve().parents[2]
FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"

NUMBER = (r"(?<![\w.:^])(?:1:)?[−-]?\d+(?:\.\d+)?(?:\s*×\s*10\^[−-]?\d+\^)?%?"
          r"(?![\w^]|\.\d)")
UNIT = r"(?:\s*(?:%|days?|months?|years?|pg/mL|/kg|cells/kg))?"
RANGE = re.compile(rf"({NUMBER}){UNIT}\s*\(\s*(?:range,?\s*)?({NUMBER}){UNIT}\s*(?:–|to)\s*"
                   rf"({NUMBER})|({NUMBER}){UNIT}\s*(?:–|to)\s*({NUMBER})")
PAIR = re.compile(rf"({NUMBER}){UNIT} (?:after CART1 and|against|vs\.?) ({NUMBER})")


def precision(number: str) -> tuple[str, int]:
    """("sig", significant figures) for a number in powers of ten, else ("decimals", n)."""
    mantissa, times, _ = number.removeprefix("1:").partition("×")
    digits = mantissa.strip().rstrip("%").lstrip("−-")
    if times:
        return "sig", len(digits.replace(".", "").lstrip("0"))
    return "decimals", len(digits.partition(".")[2])


def paper_text(page: str, claims_as: str | None = None) -> str:
    """The paper's visible text, superscripts as ^x^; with ``claims_as`` each number the
    ledger prints (a claim's span) replaced by that word."""
    page = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", "", page, flags=re.DOTALL)
    page = re.sub(r"<sup>(.*?)</sup>", r"^\1^", page)
    page = re.sub(r"</t[dh]>", " ¦ ", page)  # table cells apart: "8.4 ¦ – ¦ 9" is no range
    if claims_as:
        page = re.sub(r'<span data-claim="[^"]+">.*?</span>', claims_as, page, flags=re.DOTALL)
    page = re.sub(r"</?span\b[^>]*>", "", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def mixed(text: str) -> list[str]:
    """Every range ("a (b–c)", "b–c", "b to c") and every pair of one quantity ("a after
    CART1 and b", "a against b") whose numbers do not share one precision."""
    found = []
    for pattern in (RANGE, PAIR):
        for match in pattern.finditer(text):
            numbers = [g for g in match.groups() if g]
            power = re.search(r"×.*", numbers[-1])
            if power and len(numbers) == 2 and "×" not in numbers[0]:
                numbers[0] += f" {power.group(0)}"  # one power for both: 1–3 × 10^6
            if len({precision(n) for n in numbers}) > 1:
                found.append(match.group(0))
    return found


ONE_VALUE_RANGE = re.compile(rf"(?<![\w.:^])({NUMBER}){UNIT}\s*\((?:range,?\s*)?\1{UNIT}"
                             rf"(?:\s*(?:–|to)\s*\1{UNIT})?\)")


def one_value_ranges(text: str) -> list[str]:
    """Every median printed with a range equal to itself: "1:1.0 (1:1.0)", "6.0 months
    (6.0–6.0)", "12 years (range 12)"."""
    return [m.group(0) for m in ONE_VALUE_RANGE.finditer(text)]


def test_the_one_value_range_check_finds_the_issues_example():
    assert one_value_ranges("a median of 1:1.0 (1:1.0), and") == ["1:1.0 (1:1.0)"]
    assert one_value_ranges("6.0 months (6.0–6.0) and 12 years (range 12)") == [
        "6.0 months (6.0–6.0)", "12 years (range 12)"]
    assert not one_value_ranges("1:1.0 (1:0.5 to 1:1.0); 6.0 months (3.0–8.0); 3 (30%)")


def test_the_check_finds_the_issues_examples():
    assert mixed("a median of 11.9 months (6.11–16.33)") == ["11.9 months (6.11–16.33"]
    assert mixed("1 × 10^7^/kg (range 7.3 × 10^6^–1.2 × 10^7^/kg)")
    assert mixed("was 251.24 after CART1 and 240 after CART2")
    assert mixed("from 1:0.9 to 1:1")
    assert not mixed("11.90 months (6.11–16.33); 1.00 × 10^7^ (7.30 × 10^6^–1.20 × 10^7^)")
    assert not mixed("251.24 after CART1 and 240.00 after CART2; days −5 to −3; 10–28 days")
    assert not mixed("Figure 2 D–E; CTCAE 4.03; pt01–pt05; 2019–2021; 1–3 × 10^6^/kg")
    assert mixed("1–3.5 × 10^6^/kg")
    table = "<table><tr><td>1928.8</td><td>–</td><td>2398.74</td></tr></table>"
    assert not mixed(paper_text(table))


@pytest.fixture(scope="module")
def followup_pages(tmp_path_factory) -> dict[str, str]:
    """The follow-up cohort's paper and supplement (HTML), rendered as `nox -s render --
    --data-raw DIR` renders them."""
    raw = tmp_path_factory.mktemp("precision") / "followup"
    shutil.copytree(FOLLOWUP, raw)
    try:
        for module in ("analysis.derive", "analysis.publish"):
            result = subprocess.run([sys.executable, "-m", module, "--data-raw", str(raw)],
                                    cwd=ROOT, capture_output=True, text=True, check=False)
            assert result.returncode == 0, result.stderr[-3000:]
        return {name: (cohort_paths(raw).output / f"{name}.html").read_text(encoding="utf-8")
                for name in ("paper", "supplement")}
    finally:
        shutil.rmtree(cohort_paths(raw).output.parent, ignore_errors=True)


def test_followup_documents_have_no_mixed_precision(followup_pages):
    supplement = paper_text(followup_pages["supplement"])
    assert not mixed(supplement), mixed(supplement)
    text = paper_text(followup_pages["paper"])
    assert not mixed(text), mixed(text)
    # a measured percentage keeps its decimals; a proportion of patients is whole, with counts
    assert re.search(r"transduction efficiency of the two products had a median of "
                     r"\d+\.\d\d% \(\d+\.\d\d%–\d+\.\d\d%\)", text)
    assert "67% (4 of 6)" in text
    # 6.33/6.67 × 10^6 cells: a CD22:CD19 ratio of 0.95, rounded half up
    assert "CD19:CD22 ratio had a median of 1:1.0," in text  # every product pair alike
    assert not one_value_ranges(text), one_value_ranges(text)
    assert "1.00 × 10^7^/kg (range" in text and " 1 × 10^7^" not in text


def test_bundled_paper_mixes_precision_only_in_the_articles_numbers(rendered):
    page = (rendered / "paper.html").read_text(encoding="utf-8")
    assert not mixed(paper_text(page, claims_as="CLAIM"))
    # the article's own mixed ranges are printed as it prints them, so the ledger compares
    text = paper_text(page)
    assert "15.93 months (11.9–33.13)" in text and mixed(text)
