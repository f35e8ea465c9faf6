"""The HTML documents as a reviewer reads them in headless Chromium: provenance popups that
stay inside the window, stay open under the pointer and pin from the keyboard; numbers as
one tab stop; no serious accessibility violation (axe-core); a language and alt text; no
page wider than a phone; claim ids that copy and paste."""

from __future__ import annotations

import json
import re

import pytest
from claimed import (NOT_COMPUTED, NOT_YET_CLAIMED_NUMBERS, SUPPLEMENT_NOT_COMPUTED,
                     unclaimed_numbers)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


def _open(page, path, size=DESKTOP):
    page.set_viewport_size(size)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")


def _popup_box(page) -> dict:
    return page.evaluate("""() => { const p = document.getElementById('claim-popup');
        const r = p.getBoundingClientRect();
        return {hidden: p.hidden, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                height: window.innerHeight, width: document.documentElement.clientWidth,
                text: p.innerText, href: (p.querySelector('a') || {}).href || ''}; }""")


def _near_bottom(page, claim: str) -> dict:
    """Scroll so that the last span of ``claim`` (the first may sit in the abstract, where
    the page cannot scroll it down) sits 12 px above the window's bottom."""
    return page.evaluate("""(claim) => {
        const s = [...document.querySelectorAll(`[data-claim="${claim}"]`)].at(-1);
        let r = s.getBoundingClientRect();
        window.scrollBy(0, r.bottom - (window.innerHeight - 12));
        r = s.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }""", claim)


def test_a_popup_near_the_bottom_of_the_window_is_whole_and_beside_its_number(
        rendered, chromium_page):
    page = chromium_page
    _open(page, rendered / "paper.html")
    for claim in ("efs_12m", "n_crs_any"):  # many raw cells / few
        span = _near_bottom(page, claim)
        assert DESKTOP["height"] - 40 < span["bottom"] <= DESKTOP["height"]
        page.hover(f'[data-claim="{claim}"] >> nth=-1')
        box = _popup_box(page)
        assert not box["hidden"]
        assert box["top"] >= 0 and box["bottom"] <= box["height"], box
        assert box["left"] >= 0 and box["right"] <= box["width"], box
        assert box["bottom"] <= span["top"] or box["top"] >= span["bottom"], (box, span)
        page.mouse.move(5, 5)
        page.wait_for_timeout(500)


def test_a_popup_stays_open_under_the_pointer_and_pins_with_enter(rendered, chromium_page):
    page = chromium_page
    _open(page, rendered / "paper.html")
    page.hover('[data-claim="n_crs_any"] >> nth=0')
    box = _popup_box(page)
    page.mouse.move((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2,
                    steps=5)
    page.wait_for_timeout(600)
    assert not _popup_box(page)["hidden"], "moving into the popup closed it"
    page.mouse.move(2, 2)
    page.wait_for_timeout(600)
    assert _popup_box(page)["hidden"], "leaving the popup left it open"
    page.focus('[data-claim="n_crs_any"] >> nth=0')
    page.keyboard.press("Enter")
    page.mouse.move(3, 3)
    page.wait_for_timeout(600)
    assert not _popup_box(page)["hidden"], "Enter did not pin the popup"
    assert page.evaluate("document.activeElement.id") == "claim-popup"
    page.keyboard.press("Escape")
    assert _popup_box(page)["hidden"]
    assert page.evaluate("document.activeElement.getAttribute('data-claim')") == "n_crs_any"


def test_a_bound_shows_its_relation_and_the_popup_links_to_the_full_trail(
        rendered, chromium_page):
    page = chromium_page
    _open(page, rendered / "paper.html")
    page.hover('[data-claim="crs_onset_latest"] >> nth=0')
    box = _popup_box(page)
    assert "≤ 6" in box["text"], box["text"]  # the article: CRS began within 6 days
    assert box["href"].endswith("supplement.html#trail-crs_onset_latest")
    page.goto(box["href"])
    page.wait_for_load_state("load")
    assert page.evaluate("""() => { const t = document.getElementById(
        'trail-crs_onset_latest'); return !!t && t.closest('details').open; }""")


def _claim_data(path) -> dict[str, dict]:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script[^>]*id="claim-data"[^>]*>(.*?)</script>', text,
                                re.DOTALL).group(1))


def test_a_popup_links_to_a_full_trail_only_where_the_supplement_has_one(rendered,
                                                                        chromium_page):
    """Claims of the ledger link to their entry in the supplement's list of trails; numbers
    the article does not state (and the ledger's own counts) have no entry there, so their
    popup names the trace command alone instead of a link that leads nowhere."""
    supplement = (rendered / "supplement.html").read_text(encoding="utf-8")
    trails = set(re.findall(r'<li id="trail-([^"]+)"', supplement))
    for name in ("paper", "supplement"):
        data = _claim_data(rendered / f"{name}.html")
        linked = {claim for claim, entry in data.items() if entry["trail"]}
        assert linked <= trails, (name, sorted(linked - trails)[:5])
        assert trails & set(data) <= linked, name
        assert len(linked) < len(data), name  # numbers without a trail entry are present
    data = _claim_data(rendered / "paper.html")
    shown = set(re.findall(r'data-claim="([^"]+)"',
                           (rendered / "paper.html").read_text(encoding="utf-8")))
    unlinked = next(claim for claim, entry in data.items() if claim in shown and
                    not entry["trail"])
    _open(chromium_page, rendered / "paper.html")
    chromium_page.hover(f'[data-claim="{unlinked}"] >> nth=0')
    box = _popup_box(chromium_page)
    assert not box["href"] and f"nox -s trace -- {unlinked}" in box["text"], box


def test_the_numbers_are_one_tab_stop_and_the_arrow_keys_move_between_them(
        rendered, chromium_page):
    page = chromium_page
    _open(page, rendered / "paper.html")
    counts = page.evaluate("""() => ({
        numbers: document.querySelectorAll('[data-claim][role=button]').length,
        stops: document.querySelectorAll('[data-claim][tabindex="0"]').length})""")
    assert counts["numbers"] > 50 and counts["stops"] == 1, counts
    page.focus('[data-claim][tabindex="0"]')
    first = page.evaluate("document.activeElement.getAttribute('data-claim')")
    page.keyboard.press("ArrowRight")
    second = page.evaluate("document.activeElement.getAttribute('data-claim')")
    assert second and second != first
    assert page.evaluate("document.activeElement.tabIndex") == 0


@pytest.mark.parametrize("name", ["paper", "supplement"])
def test_axe_core_finds_no_serious_or_critical_violation(rendered, chromium_page, name):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = chromium_page
    for size in (DESKTOP, PHONE):
        _open(page, rendered / f"{name}.html", size)
        violations = axe.Axe().run(page).response["violations"]
        serious = [(v["id"], v["impact"], len(v["nodes"])) for v in violations
                   if v["impact"] in SERIOUS]
        assert not serious, (size, serious)


@pytest.mark.parametrize("name", ["paper", "supplement"])
def test_a_language_and_alt_text_for_every_image(rendered, chromium_page, name):
    page = chromium_page
    _open(page, rendered / f"{name}.html")
    assert page.evaluate("document.documentElement.lang") == "en"
    alts = page.evaluate("[...document.images].map(i => i.getAttribute('alt') || '')")
    assert all(alt.strip() for alt in alts), alts


@pytest.mark.parametrize("name", ["paper", "supplement"])
def test_no_page_is_wider_than_a_phone_and_wide_tables_scroll(rendered, chromium_page, name):
    page = chromium_page
    _open(page, rendered / f"{name}.html", PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    unwrapped = page.evaluate("""() => [...document.querySelectorAll('table')]
        .filter(t => !t.closest('.claim-popup'))
        .filter(t => getComputedStyle(t.parentElement).overflowX !== 'auto').length""")
    assert unwrapped == 0


def test_claim_ids_in_the_supplement_copy_as_written(rendered):
    for name in ("paper", "supplement"):
        text = (rendered / f"{name}.html").read_text(encoding="utf-8")
        assert "\u200b" not in text and "&#8203;" not in text




def _numbers_outside_claims(page, scope: str) -> list[str]:
    """Every number in the elements ``scope`` selects that is not inside a claim span,
    marked ⟨n⟩ in its sentence; identifiers (CD19, IL-6, CART2, pt03), citations, figure
    captions and code are not numbers of the prose."""
    return page.evaluate(r"""(scope) => {
        const found = [];
        const number = /(?<![\p{L}\p{N}_.\-−^·/])\d+(?:\.\d+)?(?![\p{L}\p{N}_])/gu;
        for (const root of document.querySelectorAll(scope)) {
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                if (node.parentElement.closest('[data-claim], figcaption, code, sup, a, ' +
                        '.citation, script, style, h1, h2, h3')) continue;
                const text = node.textContent.replace(/\s+/g, ' ');
                let m;
                while ((m = number.exec(text))) {
                    found.push(text.slice(Math.max(0, m.index - 30), m.index) + '⟨' + m[0] +
                               '⟩' + text.slice(m.index + m[0].length, m.index + m[0].length + 30));
                }
            }
        }
        return found; }""", scope)


def _unclaimed(found: list[str], fixed: dict[str, str] = NOT_COMPUTED) -> list[str]:
    return [text for text in found if not any(re.search(p, text) for p in fixed)]


PAPER_SCOPE = ("section#abstract p, section#results p, section#results td, section#discussion p, "
               "section#data-and-code-availability p")


def test_every_computed_number_of_the_results_carries_its_claim(rendered, chromium_page):
    page = chromium_page
    _open(page, rendered / "paper.html")
    found = _numbers_outside_claims(page, PAPER_SCOPE)
    assert len(found) > 10  # the allowed ones are found, so the scope is right
    assert not _unclaimed(found), _unclaimed(found)
    # the test sees a number whose span is taken away
    page.evaluate("""() => { for (const id of ['n_combined_relapse_cart1', 'n_isolated_bm_relapse',
                                            'cd4cd8_t_before', 'il6_fold_smallest_p',
                                            'n_patients_recorded']) {
        const s = document.querySelector(`[data-claim="${id}"]`);
        if (s) { s.replaceWith(document.createTextNode(s.textContent)); } } }""")
    missing = _unclaimed(_numbers_outside_claims(page, PAPER_SCOPE))
    assert sum(bool(re.fullmatch(r"⟨\d+⟩ patients", t)) for t in missing) >= 2, missing
    assert any("⟨1.8⟩" in t for t in missing) and any("⟨0.10⟩" in t for t in missing), missing
    assert any("⟨3⟩ patients" in t for t in missing), missing


# The supplement's numbers: the recomputed values and the raw cells behind each, EFS under
# each rule, the criteria and the notes of Additional files 2-4 (their listing cells, the
# published values, the ledger's notes and the audit's texts are left out).
SUPPLEMENT_SCOPE = ", ".join([
    "#tbl-ledger td:nth-child(5)", "#tbl-claim-cells td:nth-child(n+3)", "#tbl-efs-rules td",
    "section[id^=additional-file] > ul > li", "section[id^=additional-file] > p"])


def test_every_recomputed_number_and_cell_count_of_the_supplement_carries_its_claim(
        rendered, chromium_page):
    page = chromium_page
    _open(page, rendered / "supplement.html")
    found = _numbers_outside_claims(page, SUPPLEMENT_SCOPE)
    assert len(found) > 5  # the criteria are found, so the scope is right
    fixed = {**SUPPLEMENT_NOT_COMPUTED, **NOT_YET_CLAIMED_NUMBERS}
    assert not _unclaimed(found, fixed), _unclaimed(found, fixed)
    claimed = page.evaluate(f"""() => [...document.querySelectorAll(
        '{SUPPLEMENT_SCOPE}')].filter(td => td.querySelector('[data-claim]')).length""")
    assert claimed > 1000, claimed
    # hovering a count near the window's bottom shows the same count, the popup whole
    span = _near_bottom(page, "os_6m")
    page.hover('[data-claim="os_6m"] >> nth=-1')
    box = _popup_box(page)
    assert not box["hidden"] and box["top"] >= 0 and box["bottom"] <= box["height"], box
    assert box["bottom"] <= span["top"] or box["top"] >= span["bottom"], (box, span)
    total = page.evaluate("""() => [...document.querySelectorAll(
        '#tbl-claim-cells [data-claim="os_6m"]')][0].textContent""")
    assert re.search(rf"raw cells\s+{total} ", box["text"]), (total, box["text"])
    # the test sees a number whose span is taken away
    page.evaluate("""() => { for (const id of ['efs_rule_hsct_event_6m',
                                            'cr_cutoff_marrow_gap_max']) {
        const s = document.querySelector(`[data-claim="${id}"]`), parent = s.parentElement;
        s.replaceWith(document.createTextNode(s.textContent)); parent.normalize(); } }""")
    missing = _unclaimed(_numbers_outside_claims(page, SUPPLEMENT_SCOPE), fixed)
    assert any(re.fullmatch(r"⟨\d+⟩%", t) for t in missing), missing
    assert any("⟩ months before the end" in t for t in missing), missing


def _spans_and_popups(page) -> tuple[list[list[str]], dict]:
    """Every claim span's text (outside the supplement's tables of the ledger's comparison
    text and of raw-cell counts, whose spans hold other texts, and of the audit, whose spans
    hold the published values it cites), powers of ten in Unicode
    superscripts as the popups write them, and the popups' data."""
    return page.evaluate(r"""() => {
        const superscript = t => [...t].map(c => '⁰¹²³⁴⁵⁶⁷⁸⁹'['0123456789'.indexOf(c)]
                                                  || (c === '-' || c === '−' ? '⁻' : c)).join('');
        const text = s => { const copy = s.cloneNode(true);
            copy.querySelectorAll('sup').forEach(u => u.replaceWith(superscript(u.textContent)));
            return copy.textContent.replace(/\s+/g, ' '); };
        return [[...document.querySelectorAll('[data-claim]')]
                    .filter(s => !s.closest('#tbl-ledger, #tbl-claim-cells, #tbl-audit'))
                    .map(s => [s.dataset.claim, text(s)]),
                JSON.parse(document.getElementById('claim-data').textContent)]; }""")


def _printed_alike(value: str, text: str) -> bool:
    """Whether a popup's computed value is the number its span prints ('1.8' is not in
    '1.80', '-7' not in '−7'); a zero count may read as a word ('none', 'no patient'), a
    duration printed in days has its unit in the popup ('10 days'; the span holds '10')."""
    if value == "0" and re.fullmatch(r"none|no \w+", text):
        return True
    value = re.sub(r" days?$", "", value)
    return bool(re.search(rf"(?<![\d.]){re.escape(value)}(?![\d])", text))


@pytest.mark.parametrize("name", ["paper", "supplement"])
def test_a_popup_prints_its_number_as_the_text_does(rendered, chromium_page, name):
    page = chromium_page
    _open(page, rendered / f"{name}.html")
    spans, popups = _spans_and_popups(page)
    assert len({claim for claim, _ in spans}) > {"paper": 100, "supplement": 15}[name]
    unlike = [(claim, text, popups[claim]["computed"]) for claim, text in spans
              if not _printed_alike(popups[claim]["computed"], text)]
    assert not unlike, unlike


@pytest.mark.parametrize("name", ["paper", "supplement"])
def test_every_computed_number_of_either_document_carries_its_claim(
        rendered, chromium_page, name):
    page = chromium_page
    _open(page, rendered / f"{name}.html")
    assert not unclaimed_numbers(page), unclaimed_numbers(page)
    # a number whose span is taken away is found
    page.evaluate("""() => { const s = document.querySelector('[data-claim]');
        s.replaceWith(document.createTextNode(' 12345 ')); }""")
    assert any("⟨12345⟩" in t for t in unclaimed_numbers(page))
