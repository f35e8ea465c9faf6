"""Command ``python -m qmdrender``: render .qmd files to HTML, PDF and DOCX.

Each document is rendered into a staging folder and its outputs moved into place only when
everything succeeded. A document is skipped when its inputs (the .qmd, the ``--depends``
files, the engine and the formats) are unchanged since the last render and every output it
should have written is present. Several documents render in parallel, one process (and one
kernel) each. The output folder is ``project: output-dir`` of ``_quarto.yml`` unless
``--output-dir`` is given; Quarto reads the same file.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import glob
import hashlib
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qmdrender import compose, document, meca, pandoc, project, scholarly

FORMATS = {"html": "html", "pdf": "pdf", "docx": "docx", "jats": "xml"}  # -> file extension
QUARTO_FORMATS = {"html": "html", "pdf": "typst", "docx": "docx", "jats": "jats"}
WRITERS_AT_ONCE = 2  # conversions of one document run side by side (Pandoc, Typst)


def engine_line(engine: str) -> str:
    if engine == "quarto":
        return "qmdrender: engine = quarto (found on PATH)"
    return f"qmdrender: engine = builtin (nbclient + {pandoc.versions()}; quarto not found)"


def stamp(qmd: Path, depends: list[str], engine: str, formats: list[str]) -> str:
    """SHA-256 over the document, its dependencies, the engine and the formats."""
    digest = hashlib.sha256(f"{engine_line(engine)}|{','.join(formats)}".encode())
    files = {qmd.resolve()}
    for pattern in depends:
        files.update(Path(p).resolve() for p in glob.glob(pattern, recursive=True)
                     if Path(p).is_file())
    for path in sorted(files):
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def outputs(output_dir: Path, qmd: Path, formats: list[str]) -> list[Path]:
    """The files a render of ``qmd`` writes."""
    return [output_dir / f"{qmd.stem}.{FORMATS[f]}" for f in formats]


def render_builtin(qmd: Path, staging: Path, formats: list[str], name: str) -> None:
    """Execute ``qmd`` and write <name>.<format> (and <name>_files/) into staging.

    Quarto executes a document once per format, each with its own figure size and format;
    here it runs once, and again for a format only when an output depends on them. The
    conversions (Pandoc, Typst) then run side by side, :data:`WRITERS_AT_ONCE` at a time;
    the first failure in format order is raised once all of them have ended."""
    import datetime

    from qmdrender import execute  # nbclient and the kernel machinery: only when rendering

    doc = document.read(qmd, name)
    front = scholarly.front_matter(doc.front_matter, doc.front_matter_text,
                                   datetime.date.today())
    others = tuple(FORMATS[f] for f in formats if f != "html")
    staging = staging.resolve()  # the writers run in the document's folder (below)
    result, first, writes, texts = None, None, [], {}
    for fmt in sorted(formats, key=lambda f: f != "html"):
        settings = execute.figure_settings(doc, QUARTO_FORMATS[fmt])
        if result is None or (result[2] and settings != first):
            if result is not None:
                print(f"  {name}: figures depend on the format; running again for {fmt}",
                      file=sys.stderr, flush=True)
            result, first = execute.run(doc, settings), settings
        files = staging / f"{qmd.stem}_files" / f"figure-{QUARTO_FORMATS[fmt]}"
        markdown = compose.compose(doc, result[0], result[1], files, staging, front)
        markdown = texts.setdefault(markdown.text, markdown)  # the same text: read once
        target = staging / f"{qmd.stem}.{FORMATS[fmt]}"
        if fmt == "html":
            writes.append(functools.partial(pandoc.to_html, doc, markdown, target, others))
        else:
            writes.append(functools.partial(pandoc.WRITERS[fmt], doc, markdown, target))
    # pypandoc changes the process's folder around each call unless it is already the
    # document's: entered once here, so that calls from several threads cannot interleave
    with contextlib.chdir(doc.path.parent), ThreadPoolExecutor(WRITERS_AT_ONCE) as pool:
        for done in [pool.submit(write) for write in writes]:
            done.result()


def render_quarto(qmd: Path, staging: Path, formats: list[str], name: str) -> None:
    """One ``quarto render`` for all formats (PDF through Quarto's Typst format)."""
    to = ",".join(QUARTO_FORMATS[f] for f in formats)
    result = subprocess.run(["quarto", "render", str(qmd), "--to", to, "--output-dir",
                             str(staging)], check=False)
    if result.returncode != 0:
        raise document.QmdError(f"{name}: quarto render failed (exit {result.returncode}); "
                                "its messages are above")


def install(staging: Path, output_dir: Path, name: str) -> None:
    """Move one document's outputs from staging into the output folder."""
    output_dir.mkdir(parents=True, exist_ok=True)
    for item in sorted(staging.iterdir()):
        if item.name.startswith(name):
            target = output_dir / item.name
            if target.is_dir():
                shutil.rmtree(target)
            item.replace(target)


def up_to_date(qmd: Path, args: argparse.Namespace, engine: str, formats: list[str]) -> bool:
    """The stamp matches the inputs and every output is present."""
    stamp_file = args.output_dir / f".{qmd.stem}.stamp"
    return (all(p.is_file() for p in outputs(args.output_dir, qmd, formats))
            and stamp_file.is_file()
            and stamp_file.read_text() == stamp(qmd, args.depends, engine, formats))


def render_one(qmd: Path, args: argparse.Namespace, engine: str, formats: list[str]) -> int:
    """Render one document; 0 on success, 1 (outputs untouched) on a refusal or failure."""
    output_dir = args.output_dir
    current = stamp(qmd, args.depends, engine, formats)
    print(f"qmdrender: rendering {qmd}", file=sys.stderr)
    renderer = render_quarto if engine == "quarto" else render_builtin
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=output_dir, prefix=".staging-") as tmp:
            try:
                renderer(qmd.resolve(), Path(tmp), formats, str(qmd))
            except document.QmdError as error:
                print(f"qmdrender: {error}", file=sys.stderr)
                print(f"qmdrender: {qmd} stopped; previous outputs left in place",
                      file=sys.stderr)
                return 1
            except OSError:
                raise  # a folder that cannot be written: one line below
            except Exception as error:  # noqa: BLE001 - an engine bug: one line, no traceback
                print(f"qmdrender: {qmd}: internal error of the built-in engine: "
                      f"{type(error).__name__}: {error}", file=sys.stderr)
                return 1
            install(Path(tmp), output_dir, qmd.stem)
        (output_dir / f".{qmd.stem}.stamp").write_text(current)
    except OSError as error:  # an output folder that cannot be written (permissions, disk full)
        print(f"qmdrender: {qmd} stopped: {error.strerror or error} "
              f"({error.filename or output_dir}); previous outputs left in place",
              file=sys.stderr)
        return 1
    print(f"qmdrender: wrote {output_dir / qmd.stem}.{{{','.join(formats)}}}", file=sys.stderr)
    return 0


def _child(qmd: Path, argv: list[str]) -> int:
    """Render one document in its own process (own kernel, own core)."""
    return subprocess.run([sys.executable, "-m", "qmdrender", str(qmd), *argv, "--jobs", "1",
                           "--quiet-engine"], check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qmdrender", description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--output-dir", type=Path, default=None)
    parser.add_argument("--to", default="html,pdf", help="comma-separated: html, pdf, docx, jats")
    parser.add_argument("--meca", type=Path, action="append", default=[],
                        help="after rendering, bundle this document's JATS, PDF and Word with "
                             "the other documents' outputs as supplementary files")
    parser.add_argument("--engine", choices=["auto", "quarto", "builtin"], default="auto")
    parser.add_argument("--depends", action="append", default=[])
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="documents rendered at once")
    parser.add_argument("--quiet-engine", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    formats = args.to.split(",")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        parser.error(f"--to {args.to}: unknown format {unknown[0]} (html, pdf, docx, jats)")
    if args.meca and "jats" not in formats:
        parser.error("--meca needs jats among the --to formats")
    args.output_dir = args.output_dir or project.output_dir(args.files[0].resolve().parent)
    if args.output_dir is None:
        parser.error("no --output-dir and no project: output-dir in _quarto.yml")
    engine = args.engine
    if engine == "auto":
        engine = "quarto" if shutil.which("quarto") else "builtin"
    if not args.quiet_engine:
        print(engine_line(engine), file=sys.stderr)
    stale = []
    for qmd in args.files:
        if not args.force and up_to_date(qmd, args, engine, formats):
            print(f"qmdrender: {qmd} up to date", file=sys.stderr)
        else:
            stale.append(qmd)
    if args.jobs > 1 and len(stale) > 1:
        rest = ["--output-dir", str(args.output_dir), "--to", args.to, "--engine", engine,
                *(a for d in args.depends for a in ("--depends", d)), "--force"]
        with ThreadPoolExecutor(args.jobs) as pool:
            code = max(pool.map(lambda f: _child(f, rest), stale))
    else:
        code = max((render_one(qmd, args, engine, formats) for qmd in stale), default=0)
    if code == 0:
        for article in args.meca:
            supporting = [o for qmd in args.files if qmd.stem != article.stem
                          for o in outputs(args.output_dir, qmd, formats)]
            target = meca.bundle(args.output_dir / f"{article.stem}.xml", supporting)
            print(f"qmdrender: wrote {target}", file=sys.stderr)
    return code
