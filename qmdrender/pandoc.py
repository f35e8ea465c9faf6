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

from qmdrender import locate, subset
from qmdrender.compose import Composed
from qmdrender.document import Document, QmdError

HERE = Path(__file__).parent
STYLE = HERE / "style.css"
READER = HERE / "reader.html"  # side TOC, hover previews, heading anchors (no external file)
FILTER = HERE / "quarto.lua"
TYPST_HEADER = """\
#set document(date: none)
#show figure.where(kind: table): set block(breakable: true)
#show figure.where(kind: image): it => place(auto, float: true, clearance: 1.5em,
                                             layout(size => {
  let caption = measure(block(width: size.width, it.caption)).height
  let body = measure(block(width: size.width, it.body)).height
  let room = size.height - caption - 2em.to-absolute()
  block(breakable: false, width: 100%, {
    align(center, if body > room { scale(room / body * 100%, reflow: true, it.body) }
                  else { it.body })
    v(0.65em)
    it.caption
  })
}))
#show table: set text(size: 7.5pt)
#show table.cell: set par(justify: false)
#show table.cell: set text(hyphenate: true)
#show table.cell: it => { show "_": u => u + sym.zws; it }
#show figure.caption: it => text(size: 9pt, it.body)
#set table(inset: 4pt)"""
# Captions carry their number. Words in table cells may hyphenate and identifiers break after
# an underscore, so that no cell runs into the next. A figure and its caption are one
# unbreakable block, the image scaled down when both would not fit on one page, floated to the
# top or bottom of the page where it fits, so that the text goes on around it instead of
# leaving the rest of a page empty (as journals place figures).
READ_OPTIONS = ("--columns",)  # options of ours that change what the Markdown reader makes
EPOCH = "1700000000"  # DOCX timestamps: fixed, so that outputs are byte-identical between runs


class ConvertError(QmdError):
    """Pandoc or Typst failed; the message is one line with the file."""


def _format_options(document: Document, fmt: str) -> dict:
    return ((document.front_matter.get("format") or {}).get(fmt) or {})


def _common(document: Document, output: Path) -> list[str]:
    args = ["--standalone", "--fail-if-warnings", f"--lua-filter={FILTER}",
            f"--resource-path={output.parent}:{document.path.parent}",
            "--metadata=qmdrender-classes:" + subset.allowed("classes"),
            "--metadata=qmdrender-attributes:" + subset.allowed("attributes")]
    if not document.front_matter.get("lang"):
        args.append("--metadata=lang:en")  # Quarto's default language
    if document.front_matter.get("bibliography"):
        # after the filter: cross-references are links by then; citations link to the entry
        args += ["--citeproc", "--metadata=link-citations:true"]
    return args


def _pandoc(document: Document, markdown: Composed, to: str, output: Path,
            args: list[str]) -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    try:
        source = _read(document, markdown, [a for a in args if a.startswith(READ_OPTIONS)])
        pypandoc.convert_text(source, to, format="json", outputfile=str(output),
                              extra_args=[*_common(document, output), *args],
                              cworkdir=str(document.path.parent))
    except RuntimeError as error:
        raise _translate(document, markdown, str(error), to) from None


def _read(document: Document, markdown: Composed, options: list[str]) -> str:
    """The Markdown as Pandoc's JSON, read once for all writers given the same reader
    ``options`` (a failed read raises, for each of them, the same RuntimeError)."""
    with markdown.lock:
        key = tuple(options)
        if key not in markdown.reads:
            try:
                markdown.reads[key] = pypandoc.convert_text(
                    markdown.text, "json", format="markdown",
                    extra_args=["--fail-if-warnings", *options],
                    cworkdir=str(document.path.parent))
            except RuntimeError as error:
                markdown.reads[key] = error
        read = markdown.reads[key]
    if isinstance(read, RuntimeError):
        raise RuntimeError(*read.args)
    return read


def _where(document: Document, markdown: Composed, line: int | None) -> str:
    source = markdown.source_line(line)
    return f"{document.name}:{source}" if source else document.name


def _translate(document: Document, markdown: Composed, message: str, to: str) -> Exception:
    refused = re.search(r"QMDRENDER\|([^|]*)\|([^\n]*)", message)
    if refused:
        position, construct = refused.groups()
        line = locate.composed_line(markdown.text, position)
        return QmdError(subset.refusal(_where(document, markdown, line), construct))
    warning = re.search(r"\[WARNING\] ([^\n]*)", message)
    if warning:  # e.g. an image that is not there, a citation key not in the bibliography
        cause = warning.group(1).strip()
        key = re.search(r"citation (\S+) not found", cause)
        resource = re.search(r"resource (\S+)", cause)
        line = None
        if key:
            line = locate.composed_line(markdown.text, f"Cite:{key.group(1)}:1")
        elif resource:
            line = locate.image_line(markdown.text, resource.group(1))
        return ConvertError(f"{_where(document, markdown, line)}: pandoc could not write {to}: "
                            f"{cause}")
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
                line = document.key_line(f"format.html.{key}")
                raise QmdError(subset.refusal(f"{document.name}:{line}",
                                              f"{key} entry {entry!r}"))
            if not path.is_file():
                line = document.key_line(f"format.html.{key}")
                raise QmdError(f"{document.name}:{line}: {key}: no file {path}")
            args.append(f"--{key}={path}")
    return args


OTHER_FORMATS = {"pdf": "PDF", "docx": "MS Word", "xml": "JATS", "meca.zip": "MECA"}


def to_html(document: Document, markdown: Composed, output: Path,
            others: tuple[str, ...] = ()) -> None:
    """Self-contained HTML5 (images, CSS and script embedded; MathML, so equations show
    offline); ``others``: suffixes of the other formats rendered, linked beside the TOC."""
    args = ["--embed-resources", f"--css={STYLE}", "--section-divs", "--mathml",
            f"--include-after-body={READER}"]
    if _format_options(document, "html").get("toc"):
        args.append("--toc")
    links = [f"{output.stem}.{suffix}" for suffix in others if suffix in OTHER_FORMATS]
    with tempfile.TemporaryDirectory() as tmp:
        if links:
            items = "".join(f'<li><a href="{link}">{OTHER_FORMATS[link.split(".", 1)[1]]}</a>'
                            "</li>" for link in links)
            other = Path(tmp) / "other-formats.html"
            other.write_text('<nav id="quarto-other-formats" aria-label="Other formats">'
                             '<p class="quarto-other-formats-title">Other Formats</p>'
                             f"<ul>{items}</ul></nav>\n")
            args.append(f"--include-before-body={other}")
        _pandoc(document, markdown, "html5", output, args + _includes(document, Path(tmp)))


def to_jats(document: Document, markdown: Composed, output: Path) -> None:
    """JATS XML (Pandoc's JATS Archiving writer, as Quarto's ``format: jats``)."""
    _pandoc(document, markdown, "jats_archiving", output, [])


def to_docx(document: Document, markdown: Composed, output: Path) -> None:
    """Word document with the figures embedded; page setup and styles from ``reference-doc``
    (a file beside the document) when given, else Pandoc's defaults."""
    options = _format_options(document, "docx")
    args = ["--toc"] if options.get("toc") else []
    if options.get("reference-doc"):
        reference = document.path.parent / options["reference-doc"]
        if not reference.is_file():
            line = document.key_line("format.docx.reference-doc")
            raise QmdError(f"{document.name}:{line}: reference-doc: no file {reference}")
        args.append(f"--reference-doc={reference}")
    _pandoc(document, markdown, "docx", output, args)


def to_pdf(document: Document, markdown: Composed, output: Path) -> None:
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


WRITERS = {"html": to_html, "pdf": to_pdf, "docx": to_docx, "jats": to_jats}


def versions() -> str:
    """Pandoc and Typst versions, for the engine line and the up-to-date stamp."""
    return f"pandoc {pypandoc.get_pandoc_version()}, typst {typst.__version__}"
