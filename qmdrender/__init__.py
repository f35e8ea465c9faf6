"""A Quarto-compatible renderer for this compendium's documents.

Uses the real ``quarto`` when it is on the PATH; otherwise the built-in engine executes the
``{python}`` cells and inline expressions of a .qmd in a Jupyter kernel (nbclient) and turns the
result into HTML and DOCX with Pandoc and into PDF with Pandoc's Typst writer and Typst.

For every construct the built-in engine either does what Quarto's documentation says or stops
with ``file:line: <construct> is not supported by the built-in engine (use Quarto)``. The
supported subset (``qmdrender.subset.table()``, checked against this docstring by a test):

| kind | construct | built-in engine |
| --- | --- | --- |
| cell option | `label` | cell label; `fig-` / `tbl-` make a numbered figure / table |
| cell option | `eval` | `false`: the cell is not run |
| cell option | `echo` | `true`: the code is shown above its output |
| cell option | `include` | `false`: run, show neither code nor output |
| cell option | `output` | `false`: hide output; `asis`: printed text is Markdown |
| cell option | `warning` | `false`: warnings (and stderr) hidden |
| cell option | `error` | `true`: an exception is shown and the render goes on |
| cell option | `fig-cap` | figure caption (`fig-` label) |
| cell option | `fig-subcap` | list of subfigure captions, (a), (b), ... |
| cell option | `fig-alt` | alternative text of the figure's image (an image shown with its own, IPython's `Image(alt=...)`, keeps that) |
| cell option | `layout-ncol` | subfigures in this many columns |
| cell option | `layout-nrow` | subfigures in this many rows |
| cell option | `tbl-cap` | table caption (`tbl-` label) |
| front matter | `title` | title block |
| front matter | `subtitle` | title block |
| front matter | `author` | a name, or a list of names or of `name`, `affiliations` (names), `orcid`, `email`, `corresponding` |
| front matter | `date` | a date (YYYY-MM-DD) or `today` |
| front matter | `date-format` | Quarto's date formats (`long`, `short`, `iso`, ...) or a pattern |
| front matter | `abstract` | title block |
| front matter | `keywords` | list of keywords (title block, PDF, Word, JATS) |
| front matter | `license` | a license name or `text`/`url`: Reuse section of the appendix |
| front matter | `citation` | `true` or CSL fields: Citation section of the appendix (BibTeX and text) |
| front matter | `bibliography` | citations resolved with citeproc, linked to the bibliography |
| front matter | `number-sections` | numbered headings, needed by `@sec-` |
| front matter | `execute` | defaults for `eval`, `echo`, `include`, `output`, `warning`, `error` |
| front matter | `jupyter` | `python3` only |
| front matter | `fig-width` | default figure width in inches (html 7, typst 5.5, docx 5) |
| front matter | `fig-height` | default figure height in inches (html 5, typst 3.5, docx 4) |
| front matter | `format` | `html`, `typst` (PDF), `docx`, `jats`: `default` or the options below |
| format `html` | `toc` | table of contents, at the side on wide screens |
| format `html` | `embed-resources` | `true` only (always embedded) |
| format `html` | `include-in-header` | file(s) or `text:` into `<head>` |
| format `html` | `include-after-body` | file(s) or `text:` before `</body>` |
| format `html` | `fig-width` | default figure width (inches) |
| format `html` | `fig-height` | default figure height (inches) |
| format `typst` | `papersize` | paper size |
| format `typst` | `fontsize` | font size |
| format `typst` | `toc` | table of contents |
| format `typst` | `fig-width` | default figure width (inches) |
| format `typst` | `fig-height` | default figure height (inches) |
| format `docx` | `toc` | table of contents |
| format `docx` | `reference-doc` | Word file giving styles, page size, margins, footers |
| format `docx` | `fig-width` | default figure width (inches) |
| format `docx` | `fig-height` | default figure height (inches) |
| class (div) | `.callout-note` | note callout |
| class (div) | `.callout-tip` | tip callout |
| class (div) | `.callout-warning` | warning callout |
| class (div) | `.callout-caution` | caution callout |
| class (div) | `.callout-important` | important callout |
| class (heading) | `.unnumbered` | heading without a number |
| class (heading) | `.appendix` | section moved to the appendix, before the references |
| class (link) | `.uri` | Pandoc's autolink `<https://...>` |
| class (link) | `.email` | Pandoc's autolink `<name@example.org>` |
| class (span) | `.smallcaps` | Pandoc's small capitals |
| attribute (div) | `title` | callout title |
| attribute (div) | `layout-ncol` | columns of subfigures (`#fig-` div) |
| attribute (div) | `layout-nrow` | rows of subfigures (`#fig-` div) |
| attribute (image) | `fig-alt` | alternative text |
| attribute (image) | `width` | Pandoc's image width |
| attribute (image) | `height` | Pandoc's image height |
| attribute (table) | `tbl-colwidths` | relative column widths, e.g. `[60,40]` |
| attribute (span div) | `data-*` | HTML data attributes, kept |
| Markdown | ```{python} cell | Quarto's fences: 3+ backticks, optional space before `{python}`, closed by the same count |
| Markdown | `{python} expr` inline | one line, an expression; Markdown() shown as Markdown |
| Markdown | ::: {#fig-x} div | numbered figure, last paragraph is the caption; subfigures |
| Markdown | ::: {#tbl-x} div | numbered table, last paragraph is the caption |
| Markdown | `: caption {#tbl-x}` | numbered Markdown table |
| Markdown | `![cap](img){#fig-x}` | numbered figure |
| Markdown | `$$ ... $$ {#eq-x}` | numbered equation |
| Markdown | `@fig-` `@tbl-` `@eq-` `@sec-` | cross-references (`-@x`: number only) |
| Markdown | callouts | `.callout-` note, tip, warning, caution, important; `title=` or first heading |
| Markdown | `{{< pagebreak >}}` | page break (PDF, DOCX; HTML print) |
| Markdown | `{{< meta key >}}` | front matter value |
| Markdown | `[text]{attr=...}` spans | Pandoc spans, attributes kept |
| Markdown | rich outputs | DataFrame / text/html as tables, SVG/PNG/JPEG images, plain text |
| Markdown | math | MathML in HTML (offline), Typst math in PDF, Word equations in DOCX |
"""
