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
    "fig-alt": "alternative text of the figure's image (an image shown with its own, "
               "IPython's `Image(alt=...)`, keeps that)",
    "layout-ncol": "subfigures in this many columns",
    "layout-nrow": "subfigures in this many rows",
    "tbl-cap": "table caption (`tbl-` label)",
}
EXECUTE_OPTIONS = ("eval", "echo", "include", "output", "warning", "error")

# With the Jupyter engine Quarto ignores these in a cell (document or format level only).
DOCUMENT_LEVEL_ONLY = ("fig-width", "fig-height")

# Quarto's default figure size (inches) and format per output format.
FIGURE_DEFAULTS = {"html": (7.0, 5.0, "png"), "docx": (5.0, 4.0, "png"),
                   "typst": (5.5, 3.5, "svg"), "jats": (7.0, 5.0, "png")}

# Front matter keys; ``format`` takes only the formats and options below.
FRONT_MATTER = {
    "title": "title block", "subtitle": "title block",
    "author": "a name, or a list of names or of `name`, `affiliations` (names), `orcid`, "
              "`email`, `corresponding`",
    "date": "a date (YYYY-MM-DD) or `today`",
    "date-format": "Quarto's date formats (`long`, `short`, `iso`, ...) or a pattern",
    "abstract": "title block", "keywords": "list of keywords (title block, PDF, Word, JATS)",
    "license": "a license name or `text`/`url`: Reuse section of the appendix",
    "citation": "`true` or CSL fields: Citation section of the appendix (BibTeX and text)",
    "bibliography": "citations resolved with citeproc, linked to the bibliography",
    "number-sections": "numbered headings, needed by `@sec-`",
    "execute": "defaults for " + ", ".join(f"`{o}`" for o in EXECUTE_OPTIONS),
    "jupyter": "`python3` only",
    "fig-width": "default figure width in inches (html 7, typst 5.5, docx 5)",
    "fig-height": "default figure height in inches (html 5, typst 3.5, docx 4)",
    "format": "`html`, `typst` (PDF), `docx`, `jats`: `default` or the options below",
}
_SIZES = {"fig-width": "default figure width (inches)",
          "fig-height": "default figure height (inches)"}
FORMAT_OPTIONS = {
    "html": {"toc": "table of contents, at the side on wide screens",
             "embed-resources": "`true` only (always embedded)",
             "include-in-header": "file(s) or `text:` into `<head>`",
             "include-after-body": "file(s) or `text:` before `</body>`", **_SIZES},
    "typst": {"papersize": "paper size", "fontsize": "font size", "toc": "table of contents",
              **_SIZES},
    "docx": {"toc": "table of contents",
             "reference-doc": "Word file giving styles, page size, margins, footers",
             **_SIZES},
    "jats": {},
}
DATE_FORMATS = {"full": "%A, %B {day}, %Y", "long": "%B {day}, %Y", "medium": "%b {day}, %Y",
                "short": "%-m/%-d/%y", "iso": "%Y-%m-%d"}

# Classes and attributes (of divs, spans, headings, images, tables): what is not listed is
# refused. Code blocks and code spans take any class (Pandoc's highlighting language).
CLASSES = {**{f"callout-{kind}": ("div", f"{kind} callout") for kind in
              ("note", "tip", "warning", "caution", "important")},
           "unnumbered": ("heading", "heading without a number"),
           "appendix": ("heading", "section moved to the appendix, before the references"),
           "uri": ("link", "Pandoc's autolink `<https://...>`"),
           "email": ("link", "Pandoc's autolink `<name@example.org>`"),
           "smallcaps": ("span", "Pandoc's small capitals")}
ATTRIBUTES = {"title": ("div", "callout title"),
              "layout-ncol": ("div", "columns of subfigures (`#fig-` div)"),
              "layout-nrow": ("div", "rows of subfigures (`#fig-` div)"),
              "fig-alt": ("image", "alternative text"),
              "width": ("image", "Pandoc's image width"),
              "height": ("image", "Pandoc's image height"),
              "tbl-colwidths": ("table", "relative column widths, e.g. `[60,40]`"),
              "data-*": ("span div", "HTML data attributes, kept")}
ENGINE_CLASSES = ("qmdrender-pagebreak",)  # written by the engine itself

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

CALLOUTS = ("note", "tip", "warning", "caution", "important")
SHORTCODES = ("pagebreak", "meta")


def refusal(where: str, construct: str) -> str:
    """The one message for everything outside the subset."""
    return REFUSAL.format(where=where, construct=construct)


def allowed(kind: str) -> str:
    """``element:name`` pairs of the classes or attributes allowed, for the Lua filter."""
    entries = CLASSES if kind == "classes" else ATTRIBUTES
    pairs = [f"{on}:{name}" for name, (ons, _) in entries.items() for on in ons.split()]
    if kind == "classes":
        pairs += [f"div:{name}" for name in ENGINE_CLASSES]
    return ",".join(pairs)


def table() -> str:
    """The supported subset as a Markdown table (README and ``qmdrender``'s docstring)."""
    rows = [("cell option", f"`{k}`", v) for k, v in CELL_OPTIONS.items()]
    rows += [("front matter", f"`{k}`", v) for k, v in FRONT_MATTER.items()]
    rows += [(f"format `{fmt}`", f"`{k}`", v)
             for fmt, options in FORMAT_OPTIONS.items() for k, v in options.items()]
    rows += [(f"class ({on})", f"`.{k}`", v) for k, (on, v) in CLASSES.items()]
    rows += [(f"attribute ({on})", f"`{k}`", v) for k, (on, v) in ATTRIBUTES.items()]
    rows += [("Markdown", k, v) for k, v in CONSTRUCTS.items()]
    lines = ["| kind | construct | built-in engine |", "| --- | --- | --- |"]
    lines += [f"| {kind} | {name} | {what} |" for kind, name, what in rows]
    return "\n".join(lines)
