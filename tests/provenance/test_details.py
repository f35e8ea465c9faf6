"""Numbers in the paper carry their claim id; the HTML block holds what a reader sees on
them; PDF and Word print the number alone."""

from __future__ import annotations

import json
import re

import pypandoc
import pytest

from analysis.ledger.claims import Claims, span
from analysis.provenance.details import html_block, plain


def test_span_is_a_pandoc_bracketed_span_with_the_claim_id():
    assert span("cart2_dose_min", "4.3 × 10^6^") == '[4.3 × 10^6^]{data-claim="cart2_dose_min"}'
    with pytest.raises(ValueError, match="claim id"):
        span('x" onclick="y', "1")


def test_pdf_and_word_print_the_number_alone():
    text = f"The dose was {span('cart2_dose_min', '4.3 × 10^6^')}/kg."
    assert pypandoc.convert_text(text, "typst", format="markdown").strip() == (
        "The dose was 4.3 × 10#super[6]/kg.")
    html = pypandoc.convert_text(text, "html5", format="markdown").replace("\n", " ")
    assert '<span data-claim="cart2_dose_min">4.3 × 10<sup>6</sup></span>' in html


def test_every_inline_number_carries_its_claim(bundled_derived):
    claims = Claims(bundled_derived)
    for claim_id, markdown in claims.inline().items():
        assert markdown.data == span(claim_id, claims.text(claim_id))
    counted = claims.counted("patient")["n_patients"].data
    assert re.fullmatch(r'\[\d+ patients?\]\{data-claim="n_patients"\}', counted)


def test_the_html_block_is_json_that_cannot_close_its_script_early():
    block = html_block({"x": {"note": "a </script> b", "published": plain("1.1 × 10^7")}})
    assert block.startswith("```{=html}\n") and block.count("</script>") == 1
    payload = re.search(r'id="claim-data">(.*)</script>', block).group(1)
    assert json.loads(payload) == {"x": {"note": "a </script> b", "published": "1.1 × 10⁷"}}


def test_numbers_inside_sentences_carry_their_claim_only_when_asked(bundled_derived):
    plain_claims, marked = Claims(bundled_derived), Claims(bundled_derived, spans=True)
    assert plain_claims.marked("efs_12m") == "80%"
    assert marked.marked("efs_12m") == span("efs_12m", "80%")
    assert marked.p("il6_fold_p") == span("il6_fold_p", plain_claims.p("il6_fold_p"))
    durations = marked.duration("bca_cart1_median", "bca_cart1_min", "bca_cart1_max")
    assert re.findall(r'data-claim="(\w+)"', durations) == [
        "bca_cart1_median", "bca_cart1_min", "bca_cart1_max"]
