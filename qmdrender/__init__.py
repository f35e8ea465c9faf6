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
| cell option | `fig-alt` | alternative text of the figure's image |
| cell option | `fig-width` | figure width in inches (matplotlib); default 7 in every format |
| cell option | `fig-height` | figure height in inches (matplotlib); default 5 in every format |
| cell option | `layout-ncol` | subfigures in this many columns |
| cell option | `layout-nrow` | subfigures in this many rows |
| cell option | `tbl-cap` | table caption (`tbl-` label) |
| front matter | `title` | title block |
| front matter | `subtitle` | title block |
| front matter | `author` | title block |
| front matter | `date` | title block |
| front matter | `abstract` | title block |
| front matter | `bibliography` | citations resolved with citeproc |
| front matter | `number-sections` | numbered headings, needed by `@sec-` |
| front matter | `execute` | defaults for `eval`, `echo`, `include`, `output`, `warning`, `error` |
| front matter | `jupyter` | `python3` only |
| front matter | `format` | `html`, `typst` (PDF), `docx` with the options below |
| format `html` | `toc` | table of contents |
| format `html` | `embed-resources` | `true` only (always embedded) |
| format `html` | `include-in-header` | file(s) or `text:` into `<head>` |
| format `html` | `include-after-body` | file(s) or `text:` before `</body>` |
| format `typst` | `papersize` | paper size |
| format `typst` | `fontsize` | font size |
| format `typst` | `toc` | table of contents |
| format `docx` | `toc` | table of contents |
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
