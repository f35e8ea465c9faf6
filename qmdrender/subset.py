"""The subset of Quarto the built-in engine implements: one place, used by the parser to refuse
everything else and by the README/docstring table (``table()``, checked by a test).

Each entry names a construct and says what the engine does with it, as Quarto documents it.
"""

from __future__ import annotations

REFUSAL = "{where}: {construct} is not supported by the built-in engine (use Quarto)"

# Cell options (``#|`` lines, one YAML block) and the ``execute:`` defaults they override.
CELL_OPTIONS = {
    "label": "cell label; `fig-` / `tbl-` make a numbered figure / table",
    "eval": "`false`: the cell is not run",
    "echo": "`true`: the code is shown above its output",
    "include": "`false`: run, show neither code nor output",
    "output": "`false`: hide output; `asis`: printed text is Markdown",
    "warning": "`false`: warnings (and stderr) hidden",
    "error": "`true`: an exception is shown and the render goes on",
    "fig-cap": "figure caption (`fig-` label)",
    "fig-subcap": "list of subfigure captions, (a), (b), ...",
    "fig-alt": "alternative text of the figure's image",
    "fig-width": "figure width in inches (matplotlib); default 7 in every format",
    "fig-height": "figure height in inches (matplotlib); default 5 in every format",
    "layout-ncol": "subfigures in this many columns",
    "layout-nrow": "subfigures in this many rows",
    "tbl-cap": "table caption (`tbl-` label)",
}
EXECUTE_OPTIONS = ("eval", "echo", "include", "output", "warning", "error")

# Front matter keys; ``format`` takes only the formats and options below.
FRONT_MATTER = {
    "title": "title block", "subtitle": "title block", "author": "title block",
    "date": "title block", "abstract": "title block",
    "bibliography": "citations resolved with citeproc",
    "number-sections": "numbered headings, needed by `@sec-`",
    "execute": "defaults for " + ", ".join(f"`{o}`" for o in EXECUTE_OPTIONS),
    "jupyter": "`python3` only",
    "format": "`html`, `typst` (PDF), `docx` with the options below",
}
FORMAT_OPTIONS = {
    "html": {"toc": "table of contents", "embed-resources": "`true` only (always embedded)",
             "include-in-header": "file(s) or `text:` into `<head>`",
             "include-after-body": "file(s) or `text:` before `</body>`"},
    "typst": {"papersize": "paper size", "fontsize": "font size", "toc": "table of contents"},
    "docx": {"toc": "table of contents"},
}

# Markdown constructs Quarto adds to Pandoc's Markdown (Pandoc's own syntax is Pandoc's).
CONSTRUCTS = {
    "```{python} cell": "Quarto's fences: 3+ backticks, optional space before `{python}`,"
                        " closed by the same count",
    "`{python} expr` inline": "one line, an expression; Markdown() shown as Markdown",
    "::: {#fig-x} div": "numbered figure, last paragraph is the caption; subfigures",
    "::: {#tbl-x} div": "numbered table, last paragraph is the caption",
    "`: caption {#tbl-x}`": "numbered Markdown table",
    "`![cap](img){#fig-x}`": "numbered figure",
    "`$$ ... $$ {#eq-x}`": "numbered equation",
    "`@fig-` `@tbl-` `@eq-` `@sec-`": "cross-references (`-@x`: number only)",
    "callouts": "`.callout-` note, tip, warning, caution, important; `title=` or first heading",
    "`{{< pagebreak >}}`": "page break (PDF, DOCX; HTML print)",
    "`{{< meta key >}}`": "front matter value",
    "`[text]{attr=...}` spans": "Pandoc spans, attributes kept",
    "rich outputs": "DataFrame / text/html as tables, SVG/PNG/JPEG images, plain text",
    "math": "MathML in HTML (offline), Typst math in PDF, Word equations in DOCX",
}

# Quarto classes and attributes with no implementation here: refused where they appear.
REFUSED_CLASSES = ("callout", "columns", "column", "panel-tabset", "panel-input",
                   "panel-sidebar", "panel-fill", "panel-center", "content-visible",
                   "content-hidden", "aside", "margin", "lightbox", "incremental",
                   "nonincremental", "fragment", "hidden", "unlisted")
REFUSED_CLASS_PREFIXES = ("column-", "callout-", "panel-", "quarto-")
CALLOUTS = ("note", "tip", "warning", "caution", "important")
SHORTCODES = ("pagebreak", "meta")


def refusal(where: str, construct: str) -> str:
    """The one message for everything outside the subset."""
    return REFUSAL.format(where=where, construct=construct)


def table() -> str:
    """The supported subset as a Markdown table (README and ``qmdrender``'s docstring)."""
    rows = [("cell option", f"`{k}`", v) for k, v in CELL_OPTIONS.items()]
    rows += [("front matter", f"`{k}`", v) for k, v in FRONT_MATTER.items()]
    rows += [(f"format `{fmt}`", f"`{k}`", v)
             for fmt, options in FORMAT_OPTIONS.items() for k, v in options.items()]
    rows += [("Markdown", k, v) for k, v in CONSTRUCTS.items()]
    lines = ["| kind | construct | built-in engine |", "| --- | --- | --- |"]
    lines += [f"| {kind} | {name} | {what} |" for kind, name, what in rows]
    return "\n".join(lines)
