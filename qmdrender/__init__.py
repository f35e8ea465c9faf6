"""A Quarto-compatible renderer for this compendium's documents.

Uses the real ``quarto`` when it is on the PATH; otherwise executes the ``{python}`` cells
and inline expressions of a .qmd in a Jupyter kernel (nbclient), and turns the result into
HTML with Pandoc and into PDF with Pandoc's Typst writer and Typst. Supported syntax: YAML
front matter; cells with ``#|`` options label, fig-cap, tbl-cap, echo, output (incl. asis),
include; inline ``{python} expr``; ``@fig-``/``@tbl-`` cross-references; citations.
"""
