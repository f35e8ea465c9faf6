"""Write the Word reference document the documents' DOCX format names (``reference-doc``):
Pandoc's own default reference.docx with an A4 page (2.5 cm margins, as the PDF's page size)
and a centred page number (a Word PAGE field) in the footer.

    python tools/reference_docx.py [OUT]   # default analysis/report/assets/reference.docx

Pandoc takes the page size, margins and footers of its output from the reference document.
The file is written with fixed timestamps, so that the same Pandoc gives the same bytes
(``tests/report/test_reference_docx.py`` checks that the committed file is this output).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pypandoc

OUT = Path(__file__).resolve().parents[1] / "analysis/report/assets/reference.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FOOTER_TYPE = R + "/footer"
FOOTER_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
A4 = '<w:pgSz w:w="11906" w:h="16838" />'  # twentieths of a point: 210 x 297 mm
MARGINS = ('<w:pgMar w:top="1418" w:right="1418" w:bottom="1418" w:left="1418" '
           'w:header="709" w:footer="709" w:gutter="0" />')  # 2.5 cm
FOOTER = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}">'
          '<w:p><w:pPr><w:jc w:val="center" /></w:pPr>'
          '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>')


def pandoc_default() -> dict[str, bytes]:
    """Pandoc's default reference.docx, member name -> bytes, in archive order."""
    result = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file",
                             "reference.docx"], capture_output=True, check=True)
    with zipfile.ZipFile(io.BytesIO(result.stdout)) as docx:
        return {name: docx.read(name) for name in docx.namelist()}


def with_page_setup(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The parts with an A4 page, margins and a footer holding the page number."""
    parts = dict(parts)
    document = parts["word/document.xml"].decode()
    section = (f'<w:sectPr><w:footerReference xmlns:r="{R}" w:type="default" r:id="rIdFooter1" />'
               f"{A4}{MARGINS}")
    document, count = re.subn(r"<w:sectPr>", section, document)
    if count != 1:
        raise SystemExit("reference_docx: Pandoc's reference.docx no longer has one <w:sectPr>")
    parts["word/document.xml"] = document.encode()
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        f'<Relationship Type="{FOOTER_TYPE}" Id="rIdFooter1" Target="footer1.xml" />'
        "</Relationships>")).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        f'<Override PartName="/word/footer1.xml" ContentType="{FOOTER_CONTENT}" /></Types>')
    ).encode()
    parts["word/footer1.xml"] = FOOTER.encode()
    return parts


def write(parts: dict[str, bytes], out: Path) -> None:
    """A zip with fixed timestamps (1980-01-01), members in the given order."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        for name, data in parts.items():
            docx.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                          compress_type=zipfile.ZIP_DEFLATED)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    write(with_page_setup(pandoc_default()), out)
    print(f"reference_docx: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
