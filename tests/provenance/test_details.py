"""Numbers in the paper carry their claim id; the HTML block holds what a reader sees on
them; PDF and Word print the number alone."""

from __future__ import annotations

import json
import re

import pypandoc
import pytest

from analysis.ledger.claims import Claims, span
import pandas as pd

from analysis.provenance import details
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
    note = 'a </script> <script>x=1</script> <img onerror="y"> & b'
    block = html_block({"x": {"note": note, "published": plain("1.1 × 10^7")}})
    assert block.startswith("```{=html}\n") and block.count("</script>") == 1
    payload = re.search(r'id="claim-data">(.*)</script>', block).group(1)
    assert not set("<>&") & set(payload)
    assert json.loads(payload) == {"x": {"note": note, "published": "1.1 × 10⁷"}}


def test_numbers_inside_sentences_carry_their_claim_only_when_asked(bundled_derived):
    plain_claims, marked = Claims(bundled_derived), Claims(bundled_derived, spans=True)
    assert plain_claims.marked("efs_12m") == "80%"
    assert marked.marked("efs_12m") == span("efs_12m", "80%")
    assert marked.p("il6_fold_p") == span("il6_fold_p", plain_claims.p("il6_fold_p"))
    durations = marked.duration("bca_cart1_median", "bca_cart1_min", "bca_cart1_max")
    assert re.findall(r'data-claim="(\w+)"', durations) == [
        "bca_cart1_median", "bca_cart1_min", "bca_cart1_max"]


@pytest.fixture(scope="module")
def bundled_counts(bundled_derived):
    """The supplement's table of raw cells per claim and the popups' details, as the
    documents compute them for the bundled cohort."""
    from analysis.common.paths import cohort_paths
    from analysis.provenance import categories, details
    from analysis.provenance import cells as provenance
    from analysis.provenance.sources import cohort_lineage

    paths = cohort_paths(None)
    sources, basis = cohort_lineage(paths), provenance.cell_rules(paths.raw)
    ledger = categories.categorised(bundled_derived, sources, basis)
    return (details.basis_table(ledger).set_index("claim"),
            details.details(bundled_derived, sources, basis), sources)


def test_the_supplement_table_and_the_popup_count_the_same_raw_cells(bundled_counts,
                                                                      bundled_derived):
    from analysis.ledger.claims import load_ledger
    from analysis.provenance import categories, lineage

    table, popups, sources = bundled_counts
    reads, bases = list(categories.READS.values()), ["stated", "derived from stated",
                                                     "imputed", "blank"]
    assert list(table.columns) == ["category", "raw cells", *reads, *bases]
    for claim in load_ledger():
        row, popup = table.loc[claim.id], popups[claim.id]
        # the lineage's own set of cells (values and filters) is the total everywhere
        total = len(lineage.claim_raw_cells(claim, bundled_derived, sources))
        assert row["raw cells"] == popup["total"] == total, claim.id
        assert row[reads].sum() == total and row[bases].sum() == total, claim.id
        assert popup["reads"] == ", ".join(f"{row[r]} {r}" for r in reads if row[r]), claim.id
        assert popup["counts"] == ", ".join(f"{row[b]} {b}" for b in bases if row[b]), claim.id
    # a survival estimate: its event dates are values read, the assessments only select
    assert table.loc["os_6m", reads[1]] > 0 and table.loc["os_6m", reads[0]] > 0


def test_the_popup_lists_the_cells_behind_the_values_first(bundled_counts):
    _, popups, _ = bundled_counts
    listed = [c["read"] for c in popups["os_6m"]["cells"]]
    assert listed == sorted(listed, key=lambda r: r != "behind the values read")
    assert {c["basis"] for c in popups["os_6m"]["cells"]} <= {
        "stated", "derived_from_stated", "imputed", "empty"}


def test_a_number_the_article_does_not_state_says_so_and_shows_its_raw_cells(bundled_counts):
    from analysis.ledger.claims import NOT_STATED, load_ledger
    from analysis.ledger.entries import load_computed

    _, popups, _ = bundled_counts
    computed = {c.id for c in load_computed()}
    assert computed and not computed & {c.id for c in load_ledger()}  # verify never sees them
    for claim_id in computed:
        popup = popups[claim_id]
        assert popup["published"] == NOT_STATED and popup["computed"] != "NA", claim_id
        assert popup["total"] == len(popup["cells"]) or len(popup["cells"]) == 40, claim_id
    assert popups["il6_copies_rho"]["total"] > 0


def test_the_ledgers_counts_name_the_claims_they_count():
    ledger = pd.DataFrame({"id": ["a", "b", "c"],
                           "category": ["reproduced", "circular", "reproduced"]})
    counts = details.ledger_counts(ledger)
    assert counts["ledger.claims"]["computed"] == "3"
    assert counts["ledger.reproduced"]["computed"] == "2"
    assert counts["ledger.reproduced"]["note"].endswith("a, c")
    assert counts["ledger.not_applicable"]["computed"] == "0"
    assert details.count_id("data gap") == "ledger.data_gap"
    team = details.ledger_counts(ledger.assign(category="same as published"), True, ["x"])
    assert team["ledger.about_the_published_patients"]["computed"] == "1"
    assert team["ledger.claims"]["computed"] == "4"
