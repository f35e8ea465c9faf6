"""Pandoc (from pypandoc-binary) to HTML and DOCX, and Pandoc's Typst writer plus Typst to PDF,
each through the Lua filter ``quarto.lua``. Pandoc and Typst failures become one line naming
the file (:class:`ConvertError`)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pypandoc
import typst

from qmdrender import subset
from qmdrender.document import Document, QmdError

HERE = Path(__file__).parent
STYLE = HERE / "style.css"
FILTER = HERE / "quarto.lua"
TYPST_HEADER = """\
#set document(date: none)
#show figure: set block(breakable: true)
#show table: set text(size: 7.5pt)
#show table.cell: set par(justify: false)
#show figure.caption: it => text(size: 9pt, it.body)
#set table(inset: 4pt)"""  # captions carry their number
EPOCH = "1700000000"  # DOCX timestamps: fixed, so that outputs are byte-identical between runs


class ConvertError(QmdError):
    """Pandoc or Typst failed; the message is one line with the file."""


def _format_options(document: Document, fmt: str) -> dict:
    return ((document.front_matter.get("format") or {}).get(fmt) or {})


def _common(document: Document, output: Path) -> list[str]:
    args = ["--standalone", "--fail-if-warnings", f"--lua-filter={FILTER}",
            f"--resource-path={output.parent}:{document.path.parent}",
            "--metadata=qmdrender-refused:" + ",".join(subset.REFUSED_CLASSES),
            "--metadata=qmdrender-refused-prefixes:" + ",".join(subset.REFUSED_CLASS_PREFIXES)]
    if document.front_matter.get("bibliography"):
        args.append("--citeproc")  # after the filter: cross-references are links by then
    return args


def _pandoc(document: Document, markdown: str, to: str, output: Path, args: list[str]) -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    try:
        pypandoc.convert_text(markdown, to, format="markdown", outputfile=str(output),
                              extra_args=[*_common(document, output), *args],
                              cworkdir=str(document.path.parent))
    except RuntimeError as error:
        raise _translate(document, str(error), to) from None


def _translate(document: Document, message: str, to: str) -> Exception:
    refused = re.search(r"QMDRENDER\|([^|]*)\|([^\n]*)", message)
    if refused:
        needle, construct = refused.groups()
        return QmdError(subset.refusal(f"{document.name}:{document.line_of(needle)}", construct))
    warning = re.search(r"\[WARNING\] ([^\n]*)", message)
    if warning:  # e.g. an image that is not there, a citation key not in the bibliography
        cause = warning.group(1).strip()
        needle = re.search(r"citation (\S+) not found|resource (\S+)", cause)
        where = document.name
        if needle:
            key = needle.group(1) and "@" + needle.group(1) or needle.group(2)
            where += f":{document.line_of(key)}"
        return ConvertError(f"{where}: pandoc could not write {to}: {cause}")
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    found = [i for i, line in enumerate(lines) if "rror" in line or "not found" in line]
    cause = " ".join(lines[found[0]:found[0] + 2]) if found else (lines or ["unknown error"])[-1]
    return ConvertError(f"{document.name}: pandoc could not write {to}: {cause}")


def _includes(document: Document, workdir: Path) -> list[str]:
    """``include-in-header`` / ``include-after-body`` of format html: files or ``text:``."""
    args = []
    for key in ("include-in-header", "include-after-body"):
        entries = _format_options(document, "html").get(key) or []
        for n, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            if isinstance(entry, dict) and set(entry) == {"text"}:
                path = workdir / f"{key}-{n}.html"
                path.write_text(entry["text"], encoding="utf-8")
            elif isinstance(entry, dict) and set(entry) == {"file"}:
                path = document.path.parent / entry["file"]
            elif isinstance(entry, str):
                path = document.path.parent / entry
            else:
                raise QmdError(subset.refusal(f"{document.name}:{document.line_of(key)}",
                                              f"{key} entry {entry!r}"))
            if not path.is_file():
                raise QmdError(f"{document.name}:{document.line_of(key)}: {key}: no file "
                               f"{path}")
            args.append(f"--{key}={path}")
    return args


def to_html(document: Document, markdown: str, output: Path) -> None:
    """Self-contained HTML5 (images, CSS embedded; MathML, so equations show offline)."""
    args = ["--embed-resources", f"--css={STYLE}", "--section-divs", "--mathml"]
    if _format_options(document, "html").get("toc"):
        args.append("--toc")
    with tempfile.TemporaryDirectory() as tmp:
        _pandoc(document, markdown, "html5", output, args + _includes(document, Path(tmp)))


def to_docx(document: Document, markdown: str, output: Path) -> None:
    """Word document with the figures embedded."""
    args = ["--toc"] if _format_options(document, "docx").get("toc") else []
    _pandoc(document, markdown, "docx", output, args)


def to_pdf(document: Document, markdown: str, output: Path) -> None:
    """PDF through Pandoc's Typst writer and the Typst compiler."""
    options = _format_options(document, "typst")
    args = ["--columns=400", f"--variable=header-includes:{TYPST_HEADER}",
            f"--variable=papersize:{options.get('papersize', 'a4')}",
            f"--variable=fontsize:{options.get('fontsize', '10pt')}"]
    if options.get("toc"):
        args.append("--toc")
    source = output.with_suffix(".typ")
    _pandoc(document, markdown, "typst", source, args)
    try:
        typst.compile(str(source), output=str(output), root=str(output.parent))
    except typst.TypstError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConvertError(f"{document.name}: Typst could not typeset the PDF: {first}") from None
    source.unlink()


WRITERS = {"html": to_html, "pdf": to_pdf, "docx": to_docx}


def versions() -> str:
    """Pandoc and Typst versions, for the engine line and the up-to-date stamp."""
    return f"pandoc {pypandoc.get_pandoc_version()}, typst {typst.__version__}"
