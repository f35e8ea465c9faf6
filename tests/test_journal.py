"""The PDF and Word files as a journal receives them: each figure on the page of its caption,
no page left mostly empty before a figure, the title unbroken, A4 pages numbered in Word as in
the PDF, and the Word reference document the output of the script that makes it."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml
from pdfpages import short_pages
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
CAPTION = re.compile(r"^Figure (\d+):", re.MULTILINE)
A4_TWIPS = ("11906", "16838")  # 210 x 297 mm in twentieths of a point


def _pages(pdf: Path) -> list[tuple[str, int]]:
    """Each page's text and number of images."""
    return [(page.extract_text(), len(page.images)) for page in PdfReader(pdf).pages]


def test_every_figure_shares_its_page_with_its_caption(rendered):
    pages = _pages(rendered / "paper.pdf")
    html = (rendered / "paper.html").read_text(encoding="utf-8")
    figures = len(re.findall(r'<figure[^>]*id="fig-[^"]*"[^>]*class="quarto-float', html))
    captions = [(int(n), i) for i, (text, _) in enumerate(pages) for n in CAPTION.findall(text)]
    assert sorted(n for n, _ in captions) == list(range(1, figures + 1)), captions
    for number, page in captions:
        assert pages[page][1] >= 1, f"Figure {number}: caption on page {page + 1}, no image"
    assert sum(images for _, images in pages) == figures  # no image away from its caption


def test_no_page_is_left_mostly_empty_before_a_figure(rendered):
    for name in ("paper", "supplement"):
        assert short_pages(rendered / f"{name}.pdf") == [], name


def test_title_is_not_broken_at_a_hyphen(rendered):
    front = (ROOT / "paper.qmd").read_text(encoding="utf-8").split("---")[1]
    title = " ".join(yaml.safe_load(front)["title"].split())
    first = " ".join(PdfReader(rendered / "paper.pdf").pages[0].extract_text().split())
    assert title in first


def _docx_part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read(name).decode("utf-8")


def test_word_files_are_a4_with_a_page_number_in_the_footer(rendered):
    for name in ("paper", "supplement"):
        path = rendered / f"{name}.docx"
        section = re.search(r"<w:sectPr>.*?</w:sectPr>", _docx_part(path, "word/document.xml"),
                            re.DOTALL).group(0)
        size = re.search(r"<w:pgSz ([^>]*)/>", section).group(1)
        assert re.search(r'w:w="(\d+)"', size).group(1) == A4_TWIPS[0]
        assert re.search(r'w:h="(\d+)"', size).group(1) == A4_TWIPS[1]
        footer_id = re.search(r'<w:footerReference [^>]*r:id="([^"]+)"', section).group(1)
        rels = _docx_part(path, "word/_rels/document.xml.rels")
        target = re.search(rf'<Relationship [^>]*Id="{footer_id}"[^>]*>', rels).group(0)
        footer = _docx_part(path, "word/" + re.search(r'Target="([^"]+)"', target).group(1))
        assert re.search(r'w:instr=" PAGE "', footer), footer


def test_reference_docx_is_what_its_script_writes(tmp_path):
    out = tmp_path / "reference.docx"
    subprocess.run([sys.executable, ROOT / "tools/reference_docx.py", out], check=True,
                   capture_output=True)
    committed = ROOT / "analysis/report/assets/reference.docx"
    assert out.read_bytes() == committed.read_bytes(), (
        "run python tools/reference_docx.py to regenerate analysis/report/assets/reference.docx")
