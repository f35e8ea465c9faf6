"""Command ``python -m qmdrender``: render .qmd files to HTML and PDF.

Each document is rendered into a staging folder and its outputs moved into place only when
everything succeeded. A document whose inputs (the .qmd, the ``--depends`` files and the
engine) are unchanged since the last render is skipped.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from qmdrender import compose, document, execute, pandoc


def engine_line(engine: str) -> str:
    if engine == "quarto":
        return "qmdrender: engine = quarto (found on PATH)"
    return f"qmdrender: engine = builtin (nbclient + {pandoc.versions()}; quarto not found)"


def stamp(qmd: Path, depends: list[str], engine: str, formats: list[str]) -> str:
    """SHA-256 over the document, its dependencies and the engine."""
    digest = hashlib.sha256(f"{engine_line(engine)}|{','.join(formats)}".encode())
    files = {qmd.resolve()}
    for pattern in depends:
        files.update(Path(p).resolve() for p in glob.glob(pattern, recursive=True)
                     if Path(p).is_file())
    for path in sorted(files):
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def render_builtin(qmd: Path, staging: Path, formats: list[str]) -> None:
    """Execute ``qmd`` and write <name>.html / <name>.pdf (and <name>_files/) into staging."""
    doc = document.read(qmd)
    cell_outputs, inline_outputs = execute.run(doc)
    files = staging / f"{qmd.stem}_files"
    markdown = compose.compose(doc, cell_outputs, inline_outputs, files, staging)
    if "html" in formats:
        pandoc.to_html(markdown, staging / f"{qmd.stem}.html", qmd.parent, doc.front_matter)
    if "pdf" in formats:
        pandoc.to_pdf(markdown, staging / f"{qmd.stem}.pdf", qmd.parent, doc.front_matter)


def render_quarto(qmd: Path, staging: Path, formats: list[str]) -> None:
    """Render with the real Quarto (HTML, and PDF through its Typst format)."""
    for fmt in formats:
        to = "typst" if fmt == "pdf" else fmt
        subprocess.run(["quarto", "render", str(qmd), "--to", to, "--output-dir", str(staging)],
                       check=True)


def install(staging: Path, output_dir: Path, name: str) -> None:
    """Move one document's outputs from staging into the output folder."""
    output_dir.mkdir(parents=True, exist_ok=True)
    for item in sorted(staging.iterdir()):
        if item.name.startswith(name):
            target = output_dir / item.name
            if target.is_dir():
                shutil.rmtree(target)
            item.replace(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qmdrender", description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--to", default="html,pdf")
    parser.add_argument("--engine", choices=["auto", "quarto", "builtin"], default="auto")
    parser.add_argument("--depends", action="append", default=[])
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    engine = args.engine
    if engine == "auto":
        engine = "quarto" if shutil.which("quarto") else "builtin"
    formats = args.to.split(",")
    print(engine_line(engine), file=sys.stderr)
    renderer = render_quarto if engine == "quarto" else render_builtin
    for qmd in args.files:
        stamp_file = args.output_dir / f".{qmd.stem}.stamp"
        current = stamp(qmd, args.depends, engine, formats)
        if not args.force and stamp_file.is_file() and stamp_file.read_text() == current:
            print(f"qmdrender: {qmd} up to date", file=sys.stderr)
            continue
        print(f"qmdrender: rendering {qmd}", file=sys.stderr)
        args.output_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=args.output_dir, prefix=".staging-") as tmp:
            try:
                renderer(qmd.resolve(), Path(tmp), formats)
            except (execute.RenderError, compose.CrossrefError) as error:
                print(f"qmdrender: {error}", file=sys.stderr)
                print("qmdrender: stopped; previous outputs left in place", file=sys.stderr)
                return 1
            install(Path(tmp), args.output_dir, qmd.stem)
        stamp_file.write_text(current)
        print(f"qmdrender: wrote {args.output_dir / qmd.stem}.{{{args.to}}}", file=sys.stderr)
    return 0
