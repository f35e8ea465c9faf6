"""Conformance of the built-in engine with Quarto's scholarly front matter, appendix, HTML
reader features, JATS and the MECA bundle; each test cites the quarto.org page it relies on."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from test_qmdrender import page, pdf_text, refused, render, text

from qmdrender import cli, scholarly

AUTHORS = """author:
  - name: Ada Lovelace
    orcid: 0000-0002-1825-0097
    email: ada@example.org
    corresponding: true
    affiliations:
      - Analytical Engine Society
  - name: Charles Babbage
    affiliations:
      - name: Analytical Engine Society
      - Difference College
"""


def test_authors_affiliations_orcid_in_every_format(tmp_path, capsys):
    """https://quarto.org/docs/authoring/front-matter.html#authors-and-affiliations: authors
    with affiliations, ORCID and the corresponding author appear in the title block."""
    code, err, out = render(tmp_path, capsys, "Body.\n", front="title: T\n" + AUTHORS,
                            to="html,pdf,docx")
    assert code == 0, err
    source, words = page(out), text(out)
    assert "Ada Lovelace" in words and "Charles Babbage" in words and "true" not in words
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in source
    assert "Analytical Engine Society" in words and "Difference College" in words
    assert words.count("Analytical Engine Society") == 1  # one numbered affiliation
    assert "Corresponding author: Ada Lovelace" in words and "ada@example.org" in words
    pdf = pdf_text(out / "doc.pdf")
    assert "Ada Lovelace" in pdf and "Difference College" in pdf
    with zipfile.ZipFile(out / "doc.docx") as docx:
        xml = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode())
    assert "Babbage" in xml and "College" in xml


@pytest.mark.parametrize(("style", "expected"), [
    ("long", "March 7, 2005"), ("full", "Monday, March 7, 2005"), ("medium", "Mar 7, 2005"),
    ("short", "3/7/05"), ("iso", "2005-03-07"), ("MMM D, YYYY", "Mar 7, 2005"),
    ("DD/MM/YYYY", "07/03/2005"),
])
def test_date_formats(style, expected):
    """https://quarto.org/docs/reference/dates.html: the date styles and format strings, with
    the page's own example date (03/07/2005)."""
    date = scholarly.parse_date("03/07/2005", dt.date(2000, 1, 1))
    assert scholarly.format_date(date, style) == expected


def test_date_today_and_keywords(tmp_path, capsys):
    """https://quarto.org/docs/reference/dates.html: ``date: today`` is the current date;
    https://quarto.org/docs/authoring/front-matter.html: ``keywords``."""
    front = "title: T\ndate: today\ndate-format: iso\nkeywords: [alpha, beta]\n"
    code, err, out = render(tmp_path, capsys, "Body.\n", front=front)
    assert code == 0, err
    assert dt.date.today().isoformat() in text(out) and "today" not in text(out)
    assert '<meta name="keywords" content="alpha, beta" />' in page(out)


@pytest.mark.parametrize(("front", "line", "construct"), [
    ("author:\n  - name: A\n    degrees: PhD\n", 3, "author field 'degrees'"),
    ("author:\n  - name: A\n    orcid: 1234\n", 3, "orcid '1234'"),
    ("date: last-modified\n", 1, "date: last-modified"),
    ("title: t\nlicense:\n  type: creative-commons\n", 2, "license other than"),
])
def test_scholarly_forms_outside_the_subset(tmp_path, capsys, front, line, construct):
    """https://quarto.org/docs/journals/authors.html: author and license forms this engine
    does not implement are refused at their own line."""
    code, err, _ = render(tmp_path, capsys, "Body.\n", front=front)
    assert code == 1 and refused(err, line + 1, construct), err


def test_appendix_license_and_citation(tmp_path, capsys):
    """https://quarto.org/docs/authoring/appendices.html: ``.appendix`` sections move to the
    end, before the references; ``license`` adds Reuse and ``citation`` a Citation section
    (https://quarto.org/docs/authoring/create-citeable-articles.html), in HTML only: the
    attribution appendix is a feature of Quarto's HTML pages, and the PDF carries none."""
    (tmp_path / "refs.bib").write_text("@book{knuth, title={Texbook}, author={Knuth, D}, "
                                       "year=1984}\n")
    body = ("# Intro\n\nSee [@knuth].\n\n## Thanks {.appendix}\n\nGrateful.\n\n"
            "# Results\n\nLast words.\n\n# References {.unnumbered}\n")
    front = ("title: Paper\nauthor: Ada Lovelace\ndate: 2024-05-01\nbibliography: refs.bib\n"
             "license: CC BY\ncitation: true\n")
    code, err, out = render(tmp_path, capsys, body, front=front, to="html,pdf")
    assert code == 0, err
    words = text(out)
    order = [words.index(w) for w in ("Last words.", "Thanks", "Grateful.", "References",
                                      "Texbook", "Reuse", "CC BY", "Citation", "BibTeX")]
    assert order == sorted(order), order
    assert "Lovelace, Ada" in words or "Ada Lovelace. 2024." in words
    assert 'href="#ref-knuth"' in page(out)  # the citation links to its entry
    pdf = re.sub(r"\s+", " ", pdf_text(out / "doc.pdf"))
    assert pdf.index("Last words.") < pdf.index("Grateful.") < pdf.index("Texbook")
    assert "Reuse" not in pdf and "BibTeX" not in pdf


def test_html_reader_features(tmp_path, capsys):
    """https://quarto.org/docs/output-formats/html-basics.html: a side table of contents,
    hover previews of cross-references and citations, heading anchors, and links to the other
    formats rendered (https://quarto.org/docs/output-formats/html-multi-format.html), all in
    the one file."""
    playwright = pytest.importorskip("playwright.sync_api")
    (tmp_path / "refs.bib").write_text("@book{knuth, title={The TeXbook}, author={Knuth, D},"
                                       " year=1984}\n")
    body = ("# Intro {#sec-intro}\n\nSee @tbl-n and [@knuth].\n\n"
            "| a |\n|---|\n| 1 |\n\n: Numbers here {#tbl-n}\n\n# More\n\nText.\n")
    front = "bibliography: refs.bib\nformat:\n  html:\n    toc: true\n"
    code, err, out = render(tmp_path, capsys, body, front=front, to="html,pdf,docx")
    assert code == 0, err
    source = page(out)
    assert 'href="doc.pdf"' in source and 'href="doc.docx"' in source
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?:', source)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            tab = browser.new_page(viewport={"width": 1500, "height": 900})
            tab.goto((out / "doc.html").as_uri())
            box = tab.locator("nav#TOC").bounding_box()
            body_box = tab.locator("#sec-intro").bounding_box()
            assert box["x"] > body_box["x"] + body_box["width"] - 5  # beside the text
            assert tab.locator("#sec-intro .anchorjs-link").count() == 1
            tab.hover("a[href='#tbl-n']")
            assert "Numbers here" in tab.locator("#quarto-preview").inner_text()
            tab.mouse.move(0, 0)
            tab.hover(".citation a")
            assert "TeXbook" in tab.locator("#quarto-preview").inner_text()
            browser.close()
    except playwright.Error as error:  # no browser on this machine
        pytest.skip(f"chromium not usable: {error}")


def test_jats_and_meca_bundle(tmp_path, capsys):
    """https://quarto.org/docs/output-formats/jats.html (``format: jats``) and
    https://quarto.org/docs/manuscripts/components.html (the MECA bundle): the JATS article
    parses, and the bundle's manifest lists every file it holds, article first."""
    (tmp_path / "supp.qmd").write_text("---\ntitle: Supplement\n---\nMore data.\n")
    qmd = tmp_path / "doc.qmd"
    qmd.write_text("---\ntitle: The article\nauthor: Ada Lovelace\nkeywords: [k1]\n"
                   "format:\n  html: default\n  jats: default\n---\n# Intro\n\nBody text.\n")
    out = tmp_path / "out"
    code = cli.main([str(qmd), str(tmp_path / "supp.qmd"), "--output-dir", str(out),
                     "--engine", "builtin", "--to", "html,pdf,docx,jats", "--jobs", "1",
                     "--meca", str(qmd)])
    assert code == 0, capsys.readouterr().err
    article = ET.parse(out / "doc.xml").getroot()
    assert article.tag == "article"
    assert article.findtext(".//article-title") == "The article"
    assert article.findtext(".//kwd") == "k1" and "Body text." in ET.tostring(
        article, encoding="unicode")
    with zipfile.ZipFile(out / "doc-meca.zip") as bundle:
        names = set(bundle.namelist())
        manifest = ET.fromstring(bundle.read("manifest.xml"))
        ET.fromstring(bundle.read("doc.xml"))
    ns = {"m": "https://manuscriptexchange.org/schema/manifest",
          "x": "http://www.w3.org/1999/xlink"}
    listed = [(i.get("item-type"), i.find("m:instance", ns).get(f"{{{ns['x']}}}href"))
              for i in manifest.findall("m:item", ns)]
    assert listed[0] == ("article-metadata", "doc.xml")
    assert {href for _, href in listed} | {"manifest.xml"} == names
    assert ("manuscript", "doc.pdf") in listed and ("manuscript", "doc.docx") in listed
    assert ("manuscript-supporting-file", "supp.pdf") in listed
