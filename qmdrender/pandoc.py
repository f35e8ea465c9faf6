"""Pandoc (from pypandoc-binary) to HTML, and Pandoc's Typst writer plus Typst to PDF."""

from __future__ import annotations

from pathlib import Path

import pypandoc
import typst

STYLE = Path(__file__).with_name("style.css")
TYPST_HEADER = """\
#set document(date: none)
#show figure: set block(breakable: true)
#show table: set text(size: 7.5pt)
#show table.cell: set par(justify: false)
#show figure.caption: it => text(size: 9pt, it.body)
#set table(inset: 4pt)"""  # captions carry their number


def _common(front: dict) -> list[str]:
    args = ["--standalone"]
    if front.get("bibliography"):
        args.append("--citeproc")
    return args


def to_html(markdown: str, output: Path, workdir: Path, front: dict) -> None:
    """Self-contained HTML5 (images, CSS embedded)."""
    html_options = ((front.get("format") or {}).get("html") or {})
    args = [*_common(front), "--embed-resources", f"--css={STYLE}",
            f"--resource-path={output.parent}:{workdir}", "--section-divs"]
    if html_options.get("toc"):
        args.append("--toc")
    pypandoc.convert_text(markdown, "html5", format="markdown", outputfile=str(output),
                          extra_args=args, cworkdir=str(workdir))


def to_pdf(markdown: str, output: Path, workdir: Path, front: dict) -> None:
    """PDF through Pandoc's Typst writer and the Typst compiler."""
    typst_options = ((front.get("format") or {}).get("typst") or {})
    args = [*_common(front), "--columns=400", f"--variable=header-includes:{TYPST_HEADER}",
            f"--variable=papersize:{typst_options.get('papersize', 'a4')}",
            f"--variable=fontsize:{typst_options.get('fontsize', '10pt')}"]
    source = output.with_suffix(".typ")
    pypandoc.convert_text(markdown, "typst", format="markdown", outputfile=str(source),
                          extra_args=args, cworkdir=str(workdir))
    typst.compile(str(source), output=str(output), root=str(output.parent))
    source.unlink()


def versions() -> str:
    """Pandoc and Typst versions, for the engine line and the up-to-date stamp."""
    return f"pandoc {pypandoc.get_pandoc_version()}, typst {typst.__version__}"
