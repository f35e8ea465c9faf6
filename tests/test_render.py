"""End to end: the documents render, carry every computed number and figure, and load in a
browser with every image and cross-reference intact."""

from __future__ import annotations

import html
import json
import re
import zipfile
from pathlib import Path

from sentences import starting_with_a_numeral

from analysis.ledger.claims import Claims, evaluate
from analysis.report import tables
from analysis.report.figures import figure1, figure4


def _text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", raw)))


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.DOTALL)
    return " ".join(html.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)))
                    for p in paragraphs)


def test_html_pdf_and_docx_exist(rendered):
    for name in ("paper", "supplement"):
        assert (rendered / f"{name}.html").stat().st_size > 10_000
        assert (rendered / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        with zipfile.ZipFile(rendered / f"{name}.docx") as docx:
            assert docx.testzip() is None
    with zipfile.ZipFile(rendered / "paper.docx") as docx:
        assert len([n for n in docx.namelist() if n.startswith("word/media/")]) >= 4


def _missing_numbers(text: str, tables) -> list[tuple[str, str]]:
    """The ledger's computed numbers (claim id, text) that ``text`` does not contain."""
    return [(row.id, row.computed) for row in evaluate(tables).itertuples()
            if row.computed.replace("^", "") not in text]


def test_docx_carries_the_same_computed_numbers_as_the_html(rendered, bundled_derived):
    words = _docx_text(rendered / "paper.docx") + _docx_text(rendered / "supplement.docx")
    assert not _missing_numbers(words, bundled_derived)
    assert "Figure 1" in words and "Table 1" in words


def test_every_computed_number_is_in_the_documents(rendered, bundled_derived):
    text = _text(rendered / "paper.html") + _text(rendered / "supplement.html")
    assert not _missing_numbers(text, bundled_derived)


def test_no_python_object_or_error_leaks_into_the_text(rendered):
    for name in ("paper", "supplement"):
        text = _text(rendered / f"{name}.html")
        leaks = re.findall(r"<[\w.]+ object(?: at 0x[0-9a-f]+)?>|Traceback \(most recent|"
                           r"\bnan\b|\bNaN\b|\bNone\b", text)
        assert not leaks, (name, leaks)


def test_the_numeral_check_finds_a_sentence_starting_with_a_digit():
    page = ("<p>Before CART1, 6 patients were in CR (Li et al. 2023). 5 patients relapsed; "
            "Six did not.</p><table><tr><td>7 days</td></tr></table><div id=\"refs\">"
            "<p>2023. Blood.</p></div>")
    assert starting_with_a_numeral(page) == ["5 patients relapsed; Six did not."]
    clause = "<p>Fever began in 3 patients; 2 became hypotensive: 1 needed vasopressors.</p>"
    assert starting_with_a_numeral(clause) == [
        "Fever began in 3 patients; 2 became hypotensive: 1 needed vasopressors."]
    assert not starting_with_a_numeral("<p>Sites: 2 in the marrow, 1 elsewhere.</p>")


def test_no_sentence_starts_with_a_numeral(rendered):
    for name in ("paper", "supplement"):
        page = (rendered / f"{name}.html").read_text(encoding="utf-8")
        assert not starting_with_a_numeral(page), name


def test_prose_writes_zero_in_words_a_real_minus_and_no_setting_names(rendered):
    from analysis.derivations.events import EFS_RULES

    text = _text(rendered / "paper.html")
    methods = text[text.rindex("Design and patients"):text.rindex("Baseline and first")]
    assert not [rule for rule in EFS_RULES if rule in methods]  # the rule said in words
    assert not re.search(r"\b0 patients?\b|(?:^|[;,.:] |\band )0 [a-z]", text), re.findall(
        r".{40}\b0 [a-z]+.{20}", text)
    assert not re.search(r"\bday -\d", text) and re.search("\\bday \u2212\\d", text)


def test_every_figure_is_embedded_and_written(rendered):
    page = (rendered / "paper.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) >= 4
    for n in range(1, 5):
        for suffix in ("png", "pdf"):
            assert (rendered / "figures" / f"figure{n}.{suffix}").stat().st_size > 5_000
    for label in ("fig-design", "fig-cytokines", "fig-course", "fig-expansion"):
        assert f'id="{label}"' in page


def test_supplement_reports_claims_and_audit(rendered):
    text = _text(rendered / "supplement.html")
    assert re.search(r"reproduced \(\d+\)", text) and re.search(r"circular \(\d+\)", text)
    assert "inconsistent" in text and "censored at transplantation" in text
    # a reconstruction: its sections, numbered as before they were printed for it alone
    for words in ("typed into their cells by the reconstruction", "Audit of the article",
                  "Table 6: Consistency audit", "How the data were reconstructed",
                  "Table 8: Raw values per sheet by basis", "Table 9: Imputed values"):
        assert words in text, words


def test_browser_loads_every_image_and_resolves_every_reference(rendered, chromium_page):
    page = chromium_page
    for name in ("paper", "supplement"):
        page.goto((rendered / f"{name}.html").as_uri())
        broken = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length")
        dangling = page.eval_on_selector_all(
            "a[href^='#']", "links => links.filter(a => a.getAttribute('href').length > 1"
            " && !document.getElementById(decodeURIComponent(a.getAttribute('href')"
            ".slice(1)))).map(a => a.getAttribute('href'))")
        assert broken == 0, name
        assert dangling == [], (name, dangling)
        assert page.eval_on_selector_all("img", "imgs => imgs.length") >= (
            4 if name == "paper" else 0)


def test_numbers_in_the_paper_carry_their_claim_and_its_details(rendered):
    page = (rendered / "paper.html").read_text(encoding="utf-8")
    ids = re.findall(r'<span data-claim="([\w.-]+)"', page)
    assert len(ids) >= 100
    data = json.loads(re.search(r'<script type="application/json" id="claim-data">(.*?)'
                                r"</script>", page, re.DOTALL).group(1))
    assert set(ids) <= set(data)
    assert {"published", "computed", "category", "cells"} <= set(data[ids[0]])


def test_a_number_shows_its_provenance_in_the_browser(rendered, chromium_page):
    page = chromium_page
    page.goto((rendered / "paper.html").as_uri())
    popup = page.locator(".claim-popup")
    assert not popup.is_visible()
    number = page.locator('[data-claim="cart2_dose_min"]').first
    number.click()
    assert popup.is_visible()
    text = popup.inner_text()
    for expected in ("published", "computed", "category", "consistent with the reconstruction",
                     "courses.csv",
                     "imputed", "stated"):
        assert expected in text, expected
    page.keyboard.press("Escape")
    assert not popup.is_visible()
    page.locator('[data-claim="age_dx_median"]').first.hover()
    assert "age at diagnosis" in popup.inner_text()


def test_figures_and_tables_follow_the_data(bundled_tables):
    changed = {k: v.copy() for k, v in bundled_tables.items()}
    cart2 = changed["adcourse"]["course"] == 2
    changed["adcourse"].loc[cart2, "dose_cd19_per_kg"] *= 2
    assert tables.table2(changed).to_string() != tables.table2(bundled_tables).to_string()
    changed["adsl"]["hsct_after_cart2"] = False
    assert figure1.flow_counts(changed) != figure1.flow_counts(bundled_tables)
    assert figure1.flow_counts(changed)["bridged to HSCT"] == 0


def test_product_ratios_reach_figure4_and_its_caption(bundled_tables):
    """A products-sheet CD4/CD8 ratio becomes a day-0 point of panel F (drawn once, not in
    E too) and is counted in the caption."""
    assert figure4.product_ratios(bundled_tables, "CD4/CD8 T cells").empty
    changed = {k: v.copy() for k, v in bundled_tables.items()}
    cart2 = changed["adcourse"].index[changed["adcourse"]["course"] == 2][0]
    changed["adcourse"].loc[cart2, "product_cd4_cd8_cd22"] = 2.5
    assert figure4.product_ratios(changed, "CD4/CD8 T cells").empty
    shown = figure4.product_ratios(changed, "CD4/CD8 CAR-T cells")
    assert [0.0, 2.5, "CD22"] in shown[["study_day", "value", "source"]].values.tolist()
    caption = figure4.product_ratio_caption(Claims(changed, published_precision=False))
    assert "the products sheet for 1 patient, each product named beside its marker (CD22)" \
        in caption
    assert caption != figure4.product_ratio_caption(Claims(bundled_tables))


def test_a_deleted_figure_makes_the_next_render_run(tmp_path):
    from analysis.publish import FIGURE_LIST, _figures_missing

    output, figures_dir = tmp_path / "out", tmp_path / "figures"
    output.mkdir()
    figures_dir.mkdir()
    (output / FIGURE_LIST).write_text("figure1.png\nfigure1.pdf\n")
    for name in ("figure1.png", "figure1.pdf"):
        (figures_dir / name).write_bytes(b"x")
    assert not _figures_missing(output, figures_dir)
    (figures_dir / "figure1.pdf").unlink()
    assert _figures_missing(output, figures_dir)
