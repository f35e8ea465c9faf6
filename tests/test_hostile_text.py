"""Text from the sheets is data, never markup: a hostile value in every free-text column is
printed as written in HTML and PDF, and no script from it runs in a browser."""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.common.formatting import markdown_code, markdown_text
from analysis.common.paths import cohort_paths
from analysis.sheets.dictionary import load_dictionary

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ('hostile <img src=x onerror="window.pwned=1"> <script>window.pwned=2</script> '
           '*stars* _under_ #emph[typst] `tick` $x$ [link](#top) \\textbf{tex} a|b')
VISIBLE = ["<img src=x onerror=", "<script>window.pwned=2</script>", "*stars*", "#emph[typst]",
           "`tick`"]


def test_markdown_text_escapes_every_markup_character():
    escaped = markdown_text("a *b* <c> #d `e` \\f\nnext line")
    assert escaped == "a \\*b\\* \\<c\\> \\#d \\`e\\` \\\\f next line"
    assert markdown_code("a``b") == "``` a``b ```"


def free_text_columns() -> list[tuple[str, str]]:
    return [(sheet.name, column.name) for sheet in load_dictionary().values()
            for column in sheet.columns.values() if column.type == "text"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The bundled cohort with the hostile value in the first row of every free-text column;
    derived and rendered (HTML and PDF), its outputs removed afterwards."""
    raw = tmp_path_factory.mktemp("hostile") / "hostile-text"
    shutil.copytree(ROOT / "data-raw", raw)
    for sheet, column in free_text_columns():
        path = raw / f"{sheet}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        rows[1][rows[0].index(column)] = HOSTILE
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
    try:
        for module in ("analysis.derive", "analysis.publish"):
            result = subprocess.run([sys.executable, "-m", module, "--data-raw", str(raw)],
                                    cwd=ROOT, capture_output=True, text=True, check=False)
            assert result.returncode == 0, result.stderr[-3000:]
        yield cohort_paths(raw).output
    finally:
        shutil.rmtree(cohort_paths(raw).output.parent, ignore_errors=True)


def test_hostile_text_is_printed_as_written_in_html(hostile: Path):
    page = (hostile / "supplement.html").read_text(encoding="utf-8")
    assert "<script>window.pwned" not in page and 'onerror="window.pwned' not in page
    assert "<em>stars</em>" not in page
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())
    for fragment in VISIBLE:
        assert fragment in text, fragment


def test_hostile_text_is_printed_as_written_in_pdf(hostile: Path):
    pypdf = pytest.importorskip("pypdf")
    pdf = " ".join(page.extract_text() for page in pypdf.PdfReader(hostile / "supplement.pdf").pages)
    flat = " ".join(pdf.split())
    for fragment in ("*stars*", "#emph[typst]", "`tick`", "<script>window.pwned=2</script>"):
        assert fragment in flat, fragment


def test_no_script_from_the_sheets_runs_in_a_browser(hostile: Path, chromium_page):
    page = chromium_page
    for name in ("paper", "supplement"):
        page.goto((hostile / f"{name}.html").as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("window.pwned === undefined"), name
        assert page.eval_on_selector_all("img[onerror]", "imgs => imgs.length") == 0
