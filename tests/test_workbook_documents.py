"""A workbook is one more spelling of a cohort, through every command: the hand-written
follow-up cohort as a CSV folder and as a workbook (written with openpyxl) derives, renders and
verifies to the same tables, ledger and document numbers; the workbook's provenance names
worksheets and Excel rows, never a CSV file the team never had; no output holds the local
path of the cohort; derive warns about the patient without an end of follow-up.

One workbook render (every format) and one CSV-folder render (HTML only), each verified once,
shared by the tests of this module."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest
from pdfpages import short_pages
from sentences import starting_with_a_numeral
from workbooks import workbook

from analysis.common.paths import ROOT, cohort_paths
from analysis.sheets.dictionary import load_dictionary

FOLLOWUP = ROOT / "tests" / "cohorts" / "followup"
SHEETS = [sheet.name for sheet in load_dictionary().values()]


def _run(module: str, raw: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", module, *args, "--data-raw", str(raw)],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory):
    """The follow-up cohort in a temporary folder, as CSV folder and as workbook, each
    derived, rendered and verified (stderr of the workbook's derive kept)."""
    base = tmp_path_factory.mktemp("records")
    folder = base / "followup"
    shutil.copytree(FOLLOWUP, folder)
    book = workbook(FOLLOWUP, base / "followup.xlsx")
    made = {"base": base, "csv": cohort_paths(folder), "xlsx": cohort_paths(book),
            "derive": _run("analysis.derive", book).stderr}
    try:
        _run("analysis.publish", book)
        _run("analysis.verify", book)
        _run("analysis.derive", folder)
        _run("analysis.publish", folder, "--to", "html")
        _run("analysis.verify", folder)
        yield made
    finally:
        for raw in (folder, book):
            shutil.rmtree(cohort_paths(raw).output.parent, ignore_errors=True)


def _visible(page: str) -> str:
    """The text a reader sees (scripts, styles, the links to the other formats, which only
    the workbook's render wrote, and the collapsed trail of every number dropped)."""
    page = re.sub(r"<script\b.*?</script>|<style\b.*?</style>"
                  r"|<nav id=\"quarto-other-formats\".*?</nav>"
                  r"|<details class=\"claim-trails\">.*?</details>", "", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _claims(page: str) -> list[tuple[str, str]]:
    """Every number the page prints with its claim id, in order."""
    return [(claim, _visible(text)) for claim, text in re.findall(
        r'<span data-claim="([\w.-]+)">(.*?)</span>', page, flags=re.DOTALL)]


def test_derived_tables_are_byte_identical(cohorts):
    csv, xlsx = cohorts["csv"].derived, cohorts["xlsx"].derived
    names = sorted(p.name for p in csv.glob("*.csv"))
    assert names == sorted(p.name for p in xlsx.glob("*.csv")) and len(names) == 6
    for name in names:
        assert (csv / name).read_bytes() == (xlsx / name).read_bytes(), name


def test_verify_writes_the_same_ledger(cohorts):
    csv = (cohorts["csv"].output / "verify" / "claims.csv").read_text()
    assert (cohorts["xlsx"].output / "verify" / "claims.csv").read_text() == csv
    assert csv.count("\n") > 100


def _fingerprint(paths) -> str:
    return json.loads((paths.derived / "manifest.json").read_text())["data_fingerprint"]


def test_the_documents_print_the_same_numbers(cohorts):
    csv_print, xlsx_print = _fingerprint(cohorts["csv"]), _fingerprint(cohorts["xlsx"])
    assert csv_print != xlsx_print  # the hash of the workbook's bytes, not of the CSV files
    for document in ("paper.html", "supplement.html"):
        csv = (cohorts["csv"].output / document).read_text(encoding="utf-8")
        xlsx = (cohorts["xlsx"].output / document).read_text(encoding="utf-8")
        assert _claims(xlsx) == _claims(csv), document
        # all the text a reader sees, once the name of the sheets in the data notice (and
        # of the cells its warnings name) and the fingerprint of the sheets' bytes are aligned
        aligned = _visible(xlsx).replace("followup.xlsx", "followup/").replace(
            xlsx_print, csv_print)
        aligned = re.sub(r"followup/, worksheet '(\w+)', row (\d+), column [A-Z]+ ",
                         r"followup/\1.csv, row \2, column ", aligned)
        aligned = re.sub(r"followup/, worksheet '(\w+)'", r"\1.csv", aligned)
        assert aligned == _visible(csv), document
    paper = (cohorts["xlsx"].output / "paper.html").read_text(encoding="utf-8")
    assert len(_claims(paper)) > 50


def test_workbook_provenance_names_worksheets_and_excel_rows(cohorts):
    output = cohorts["xlsx"].output
    trail = (output / "verify" / "provenance.csv").read_text(encoding="utf-8")
    assert "worksheet patients, rows 2-7 of followup.xlsx: patient_id" in trail
    sources = (output / "verify" / "derived_sources.csv").read_text().splitlines()[0]
    assert sources.split(",") == ["table", "line", "column", "raw_sheet", "raw_row",
                                  "raw_column"]
    paper = (output / "paper.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="claim-data">(.*?)</script>', paper, re.DOTALL).group(1))
    cells = [cell for claim in data.values() for cell in claim["cells"]]
    assert cells and all(re.fullmatch(r"worksheet \w+, row \d+", c["where"]) for c in cells)
    assert {claim["origin"] for claim in data.values()} == {"followup.xlsx"}
    supplement = (output / "supplement.html").read_text(encoding="utf-8")
    assert "worksheet courses, rows " in supplement
    for text in (trail, paper, supplement):  # no CSV file of a raw sheet named anywhere
        assert not [s for s in SHEETS if f"{s}.csv" in text]


def test_trace_follows_a_number_to_worksheet_rows(cohorts, tmp_path):
    book = cohorts["xlsx"].raw
    text = _run("analysis.trace", book, "cart2_dose_min").stdout
    assert "raw cells in followup.xlsx: " in text
    assert re.search(r"worksheet\s+row\s+column\s+value", text)
    assert not [s for s in SHEETS if f"{s}.csv" in text]


def _texts(name: str, data: bytes):
    """(file name, text) of an output file and of every file packed inside it."""
    if name.endswith(".pdf"):
        yield name, "\n".join(page.extract_text() for page in pypdf.PdfReader(
            io.BytesIO(data)).pages)
    elif name.endswith((".docx", ".zip")):
        with zipfile.ZipFile(io.BytesIO(data)) as packed:
            for member in packed.namelist():
                yield from _texts(f"{name}/{member}", packed.read(member))
    elif not name.endswith((".png", ".jpg", ".jpeg", ".svg", ".emf", ".ttf", ".woff2")):
        yield name, data.decode("utf-8", errors="replace")


def test_no_output_holds_the_local_path_of_the_cohort(cohorts):
    local = [str(cohorts["base"]), str(cohorts["base"].resolve()), str(ROOT)]
    paths = cohorts["xlsx"]
    files = [p for folder in (paths.output, paths.derived) for p in folder.rglob("*")
             if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".html", ".pdf", ".docx", ".xml", ".zip", ".csv", ".json"} <= kinds
    leaks = [name for p in files for name, text in _texts(p.name, p.read_bytes())
             if any(path in text for path in local)]
    assert leaks == []


def test_no_sentence_starts_with_a_numeral(cohorts):
    for document in ("paper.html", "supplement.html"):
        page = (cohorts["xlsx"].output / document).read_text(encoding="utf-8")
        assert not starting_with_a_numeral(page), document


def test_the_data_notice_names_the_study(cohorts):
    for document in ("paper.html", "supplement.html"):
        text = _visible((cohorts["xlsx"].output / document).read_text(encoding="utf-8"))
        assert re.search(r"Study FU-2024 \. Computed from this study.s sheets "
                         r"\( followup\.xlsx \)", text), document
        assert re.search(r"Reading the sheets gave 1 warning; .*? followup\.xlsx, worksheet "
                         r"'patients', row 7, column A 'patient_id': found 'fu06'", text), document
    pdf = "".join(page.extract_text() for page in pypdf.PdfReader(
        cohorts["xlsx"].output / "paper.pdf").pages[:1])
    assert "FU-2024" in pdf


def test_no_pdf_page_is_left_mostly_empty(cohorts):
    for document in ("paper.pdf", "supplement.pdf"):
        assert short_pages(cohorts["xlsx"].output / document) == [], document


def test_derive_warns_of_the_patient_without_an_end_of_follow_up(cohorts):
    assert "1 warning about the input sheets:" in cohorts["derive"]
    assert "worksheet 'patients', row 7, column A 'patient_id': found 'fu06'" in (
        cohorts["derive"])
