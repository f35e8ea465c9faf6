"""Conformance of the built-in engine with Quarto: one small .qmd per construct, asserting what
the cited quarto.org page documents, and one per refusal, asserting file, line and construct."""

from __future__ import annotations

import html
import os
import re
import struct
import zipfile
from pathlib import Path

import pytest

import qmdrender
from qmdrender import cli, subset

ROOT = Path(__file__).resolve().parent.parent


def render(tmp_path: Path, capsys, body: str, front: str = "", to: str = "html",
           extra: tuple[str, ...] = ()) -> tuple[int, str, Path]:
    """Render ``body`` (with optional front matter) as doc.qmd; (exit code, stderr, folder)."""
    qmd = tmp_path / "doc.qmd"
    qmd.write_text((f"---\n{front}---\n" if front else "") + body, encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main([str(qmd), "--output-dir", str(out), "--engine", "builtin", "--to", to,
                     "--jobs", "1", *extra])
    return code, capsys.readouterr().err, out


def page(out: Path) -> str:
    return (out / "doc.html").read_text(encoding="utf-8")


def text(out: Path) -> str:
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", page(out), flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", raw)))


def refused(err: str, line: int, construct: str) -> bool:
    return (f"doc.qmd:{line}:" in err and construct in err
            and "is not supported by the built-in engine (use Quarto)" in err)


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


# Parsing: cells, options and inline code


def test_cell_options_are_one_yaml_block(tmp_path, capsys):
    """https://quarto.org/docs/reference/cells/cells-jupyter.html: ``#|`` lines are YAML, so a
    folded ``fig-cap: >-`` spans lines and options after it (the label) still apply."""
    body = ("```{python}\n#| fig-cap: >-\n#|   A folded\n#|   caption.\n#| label: fig-one\n"
            "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()\n```\n\nSee @fig-one.\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    assert 'id="fig-one"' in page(out)
    assert "Figure 1: A folded caption." in text(out)
    assert "See Figure 1." in text(out)


def test_fences_follow_quarto_rules(tmp_path, capsys):
    """https://quarto.org/docs/computations/python.html: a cell is ```` ```{python} ```` (a space
    before the brace allowed); a four-backtick cell closes only at four backticks; a plain
    ```` ```python ```` block and a cell shown inside a ````` ````markdown ````` block are not run."""
    body = ("``` {python}\nprint('spaced ran')\n```\n\n"
            "````{python}\ns = '''\n```\n'''\nprint('four ran', len(s))\n````\n\n"
            "```python\nprint('plain block')\n```\n\n"
            "````markdown\n```{python}\nprint('shown only')\n```\n````\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    words = text(out)
    assert "spaced ran" in words and "four ran 5" in words
    assert "print('plain block')" in words and "print('shown only')" in words
    assert words.count("shown only") == 1


def test_inline_code_is_one_line_expression(tmp_path, capsys):
    """https://quarto.org/docs/computations/inline-code.html: `` `{python} expr` `` inserts the
    value; a Markdown() value is Markdown; code spans that only mention it are left alone."""
    body = ("```{python}\nfrom IPython.display import Markdown\nr = 5\n```\n\n"
            "Radius `{python} r`, double `{python} Markdown(f'**{2 * r}**')`, "
            "literal ``` ``{python} r`` ```.\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    assert "Radius 5, double <strong>10</strong>" in page(out)
    assert "{python} r" in text(out)


def test_inline_code_across_lines_is_refused(tmp_path, capsys):
    """https://quarto.org/docs/computations/inline-code.html: inline code is one code span."""
    code, err, _ = render(tmp_path, capsys, "x\n\nA `{python} 1 +\n2` b\n")
    assert code == 1 and refused(err, 3, "inline `{python}` code not closed on its line")


def test_inline_statement_is_refused(tmp_path, capsys):
    """https://quarto.org/docs/computations/inline-code.html: inline code is an expression."""
    code, err, _ = render(tmp_path, capsys, "A `{python} x = 1` b\n")
    assert code == 1 and "doc.qmd:1:" in err and "not a Python expression" in err


def test_bad_option_yaml_names_its_line(tmp_path, capsys):
    """https://quarto.org/docs/reference/cells/cells-jupyter.html: options are YAML."""
    body = "# T\n\n```{python}\n#| label: a\n#| fig-cap: [unclosed\nx = 1\n```\n"
    code, err, _ = render(tmp_path, capsys, body, front="title: t\n")
    assert code == 1 and "doc.qmd:8:" in err and "not valid YAML" in err


@pytest.mark.parametrize(("body", "line", "construct"), [
    ("```{python}\n#| lable: fig-x\nx = 1\n```\n", 2, "cell option 'lable'"),
    ("```{r}\n1\n```\n", 1, "`{r}` cell"),
    ("- item\n\n  ```{python}\n  x = 1\n  ```\n", 3, "an indented `{python}` cell"),
    ("```{python echo=false}\nx = 1\n```\n", 1, "options in the fence"),
    ("```{python}\n#| echo: fenced\nx = 1\n```\n", 2, "echo: 'fenced'"),
    ("```{python}\n#| fig-cap: no label\nx = 1\n```\n", 2, "fig-cap without a 'fig-' label"),
    ("Text `{r} 1 + 1`.\n", 1, "inline `{r}` code"),
    ("Text\n\n{{< video x.mp4 >}}\n", 3, "shortcode {{< video x.mp4 >}}"),
    ("::: {.panel-tabset}\n## A\n\nx\n:::\n", 1, "the class .panel-tabset on a div"),
    ("Text [aside]{.column-margin}.\n", 1, "the class .column-margin on a span"),
    ("::: {.callout-note collapse=\"true\"}\nx\n:::\n", 1, "callout attribute 'collapse'"),
    ("::: {.callout-danger}\nx\n:::\n", 1, "the class .callout-danger on a div"),
    ("Text.\n\nSee @fig-missing.\n", 3, "unresolved cross-reference @fig-missing"),
    ("# A {#sec-a}\n\nSee @sec-a.\n", 3, "@sec- references without number-sections"),
    ("Text [@knuth1984].\n", 1, "the citation @knuth1984 without a bibliography"),
    ("![a](a.png){#fig-a}\n\n![b](b.png){#fig-a}\n", 3, "a second label 'fig-a'"),
    ("::: {#fig-a fig-cap=\"C\"}\n![](a.png)\n:::\n", 1, "the attribute fig-cap on a div"),
    ("::: {#tbl-a layout-ncol=2}\n| a |\n|---|\n| 1 |\n\nC\n:::\n", 1,
     "the attribute layout-ncol on a div"),
    ("![a](a.png){fig-align=\"left\"}\n", 1, "the attribute fig-align on an image"),
])
def test_refusals_name_file_line_and_construct(tmp_path, capsys, body, line, construct):
    """https://quarto.org/docs/authoring/markdown-basics.html and the pages of each construct:
    what the built-in engine does not implement stops the render, never a silent difference."""
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes((ROOT / "tests" / "fixtures" / "qmdrender" /
                                       "pixel.png").read_bytes())
    code, err, out = render(tmp_path, capsys, body)
    assert code == 1 and refused(err, line, construct), err
    assert not (out / "doc.html").exists()


@pytest.mark.parametrize(("front", "line", "construct"), [
    ("title: t\ncrossref:\n  fig-title: Fig\n", 3, "front matter key 'crossref'"),
    ("format:\n  pdf:\n    toc: true\n", 3, "format 'pdf'"),
    ("format:\n  html:\n    theme: cosmo\n", 4, "html option 'theme'"),
    ("execute:\n  cache: true\n", 3, "execute option 'cache'"),
    ("format:\n  html:\n    embed-resources: false\n", 4, "embed-resources other than true"),
])
def test_front_matter_outside_the_subset_is_refused(tmp_path, capsys, front, line, construct):
    """https://quarto.org/docs/reference/formats/html.html: options this engine lacks stop it."""
    code, err, _ = render(tmp_path, capsys, "Text.\n", front=front)
    assert code == 1 and refused(err, line, construct), err


# Execution options


def test_eval_false_does_not_run(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html: ``eval: false`` does not
    evaluate the cell (its code is shown when echoed)."""
    body = ("```{python}\n#| eval: false\n#| echo: true\nprint('SIDE' + 'EFFECT')\n```\n\n"
            "```{python}\nprint('after')\n```\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    assert "print('SIDE' + 'EFFECT')" in text(out) and "SIDEEFFECT" not in text(out)
    assert "after" in text(out)


def test_echo_include_and_output(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html: ``echo`` shows the code,
    ``include: false`` runs the cell and shows nothing, ``output: false`` hides results and
    ``output: asis`` passes printed text through as Markdown."""
    body = ("```{python}\n#| echo: true\nprint('shown')\n```\n\n"
            "```{python}\n#| include: false\nhidden = 41\nprint('INCLUDED')\n```\n\n"
            "```{python}\n#| output: false\n#| echo: false\nprint('OUTPUT')\n```\n\n"
            "```{python}\n#| output: asis\nprint('**bold** text')\n```\n\n"
            "Value `{python} hidden + 1`.\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    words = text(out)
    assert "print('shown')" in words and "INCLUDED" not in words and "hidden = 41" not in words
    assert "OUTPUT" not in words and "Value 42." in words
    assert "<strong>bold</strong> text" in page(out)


def test_warning_option(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html: ``warning`` includes
    warnings in the output (default) or leaves them out."""
    cell = ("```{{python}}\n#| warning: {}\n#| echo: false\nimport warnings\n"
            "warnings.warn('{}')\n```\n\n")
    code, err, out = render(tmp_path, capsys,
                           cell.format("true", "SHOWNWARN") + cell.format("false", "HIDDENWARN"))
    assert code == 0, err
    assert "SHOWNWARN" in text(out) and "HIDDENWARN" not in text(out)


def test_error_true_shows_the_error_and_goes_on(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html: ``error: true`` includes
    errors in the output and does not halt the render."""
    body = "```{python}\n#| error: true\n1 / 0\n```\n\n```{python}\nprint('went on')\n```\n"
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    assert "ZeroDivisionError" in text(out) and "went on" in text(out)


def test_failing_cell_names_the_failing_line(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html: errors halt the render
    (``error: false``); the message gives the file line of the failing statement, counting the
    front matter, and the exception, without the engine's traceback."""
    body = ("Text.\n\n```{python}\n#| label: broken\ndef f(x):\n    return 1 / x\n\n"
            "y = 2\nf(0)\n```\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "doc.html").write_text("previous")
    code, err, _ = render(tmp_path, capsys, body, front="title: t\nauthor: a\n")
    assert code == 1
    assert "doc.qmd:10: ZeroDivisionError: division by zero" in err
    assert re.search(r"in the cell 'broken' at \S*doc.qmd:7\n", err)
    assert "doc.qmd:13: f(0)" in err and "doc.qmd:10: return 1 / x" in err
    assert "site-packages" not in err and "Traceback" not in err
    assert (out / "doc.html").read_text() == "previous"


# Figures and tables


def test_figure_cell_caption_alt_and_document_size(tmp_path, capsys):
    """https://quarto.org/docs/authoring/figures.html: ``fig-cap`` with a ``fig-`` label makes
    a numbered figure, ``fig-alt`` its alternative text; ``fig-width``/``fig-height`` in the
    front matter set the default plot size in inches
    (https://quarto.org/docs/computations/execution-options.html#figure-options)."""
    body = ("```{python}\n#| label: fig-wide\n#| fig-cap: Wide.\n#| fig-alt: A line.\n"
            "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()\n```\n")
    code, err, out = render(tmp_path, capsys, body, front="fig-width: 8\nfig-height: 2\n")
    assert code == 0, err
    assert "Figure 1: Wide." in text(out) and 'alt="A line."' in page(out)
    width, height = png_size(next((out / "doc_files").rglob("*.png")).read_bytes())
    assert width / height == pytest.approx(4, rel=0.2)  # plots are cropped to their ink


def test_an_image_shown_with_its_own_alt_keeps_it(tmp_path, capsys):
    """An alternative text computed in the cell (IPython's ``Image(alt=...)``, the output's
    ``alt`` metadata as nbconvert reads it) is the image's, before the cell's ``fig-alt``."""
    body = ("```{python}\n#| label: fig-own\n#| fig-cap: Own.\n#| fig-alt: Static.\n"
            "import matplotlib.pyplot as plt\nfrom IPython.display import Image, display\n"
            "plt.plot([1, 2]); plt.savefig('own.png'); plt.close()\n"
            "display(Image(filename='own.png', alt=f'{1 + 2} points'))\n```\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    assert 'alt="3 points"' in page(out) and "Static." not in page(out)


def test_cell_level_figure_size_is_refused(tmp_path, capsys):
    """https://quarto.org/docs/reference/cells/cells-jupyter.html: with the Jupyter engine
    ``fig-width`` has no effect in a cell (document or project level only); refused there."""
    body = "Text.\n\n```{python}\n#| label: fig-a\n#| fig-width: 8\nx = 1\n```\n"
    code, err, _ = render(tmp_path, capsys, body)
    assert code == 1 and refused(err, 5, "cell option 'fig-width' (with the Jupyter engine")


def test_default_figure_size_follows_the_format(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html#figure-options: the
    default figure size depends on the format (HTML 7 x 5 in, Word 5 x 4 in, Typst 5.5 x 3.5
    in as SVG); a figure of its own size is the same in every format, run once."""
    body = ("```{python}\nimport matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()\n```\n")
    code, err, out = render(tmp_path, capsys, body, to="html,docx,pdf")
    assert code == 0, err
    html = png_size(next((out / "doc_files" / "figure-html").glob("*.png")).read_bytes())
    docx = png_size(next((out / "doc_files" / "figure-docx").glob("*.png")).read_bytes())
    svg = next((out / "doc_files" / "figure-typst").glob("*.svg")).read_text()
    assert html[0] / docx[0] == pytest.approx(7 / 5, rel=0.1)
    assert html[1] / docx[1] == pytest.approx(5 / 4, rel=0.1)
    points = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    assert float(points[0]) / float(points[1]) == pytest.approx(5.5 / 3.5, rel=0.15)
    assert err.count("running again") == 2
    fixed = ("```{python}\nimport matplotlib.pyplot as plt\nfig = plt.figure(figsize=(3, 3))\n"
             "fig.savefig('own.png'); plt.close(fig)\nprint('saved')\n```\n")
    code, err, _ = render(tmp_path, capsys, fixed, to="html,docx,pdf", extra=("--force",))
    assert code == 0 and "running again" not in err, err


def test_subfigures_from_one_cell(tmp_path, capsys):
    """https://quarto.org/docs/authoring/figures.html#subfigures: ``fig-subcap`` captions each
    plot of the cell (a), (b) under one figure number; ``layout-ncol`` places them side by
    side; each subfigure can be referenced."""
    body = ("```{python}\n#| label: fig-pair\n#| fig-cap: Two plots.\n"
            "#| fig-subcap:\n#|   - Left\n#|   - Right\n#| layout-ncol: 2\n"
            "import matplotlib.pyplot as plt\nfor k in (1, 2):\n"
            "    plt.figure(); plt.plot([0, k]); plt.show()\n```\n\nSee @fig-pair-2.\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    words = text(out)
    assert "(a) Left" in words and "(b) Right" in words and "Figure 1: Two plots." in words
    assert words.count("Figure 1") == 2 and "See Figure 1(b)." in words
    assert page(out).count('class="quarto-layout-cell"') == 2
    assert page(out).count('class="quarto-layout-row"') == 1


def test_figure_div_image_and_table_caption(tmp_path, capsys):
    """https://quarto.org/docs/authoring/cross-references.html: ``::: {#fig-x}`` divs (caption:
    the last paragraph), images with ``{#fig-x}`` and tables captioned ``: caption {#tbl-x}``
    are numbered in order and referenced."""
    pixel = (ROOT / "tests" / "fixtures" / "qmdrender" / "pixel.png").read_bytes()
    (tmp_path / "a.png").write_bytes(pixel)
    body = ("![First](a.png){#fig-first}\n\n::: {#fig-second}\n![](a.png)\n\nSecond.\n:::\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Numbers {#tbl-num}\n\n"
            "See @fig-first, @fig-second and @tbl-num.\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    words = text(out)
    assert "Figure 1: First" in words and "Figure 2: Second." in words
    assert "Table 1: Numbers" in words and "{#tbl-num}" not in words
    assert "See Figure 1, Figure 2 and Table 1." in words


def test_table_cell_caption_above(tmp_path, capsys):
    """https://quarto.org/docs/authoring/tables.html: ``tbl-cap`` with a ``tbl-`` label gives a
    numbered caption placed above the table."""
    body = ("```{python}\n#| label: tbl-frame\n#| tbl-cap: A frame.\nimport pandas as pd\n"
            "pd.DataFrame({'col': [7, 8]})\n```\n\nSee @tbl-frame.\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    source = page(out)
    assert "Table 1: A frame." in text(out) and "See Table 1." in text(out)
    assert source.index("Table 1: A frame.") < source.index("<table")


def test_a_table_scrolls_in_a_labelled_region_with_its_attributes_in_one_order(tmp_path, capsys):
    """The scroll box's attributes come out in the order written, in every run (a Lua table's
    keys would not)."""
    code, err, out = render(tmp_path, capsys, "| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert code == 0, err
    assert ('<div class="table-scroll" role="region" tabindex="0" '
            'aria-label="Table, scrolls sideways">') in page(out)


# Cross-references, equations, sections, callouts, shortcodes


def test_equations_are_numbered_and_referenced(tmp_path, capsys):
    """https://quarto.org/docs/authoring/cross-references.html#equations: ``$$ ... $$ {#eq-x}``
    is numbered and ``@eq-x`` reads "Equation N"; HTML math is MathML (shows offline)."""
    body = "Text.\n\n$$\nE = mc^2\n$$ {#eq-energy}\n\nSee @eq-energy.\n"
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    assert "{#eq-energy}" not in text(out) and "See Equation 1." in text(out)
    assert 'id="eq-energy"' in page(out) and "<math" in page(out) and "(1)" in page(out)


def test_section_references_with_number_sections(tmp_path, capsys):
    """https://quarto.org/docs/authoring/cross-references.html#sections: with
    ``number-sections: true`` headings are numbered and ``@sec-x`` reads "Section N"."""
    body = "# Intro\n\n## Detail {#sec-detail}\n\nSee @sec-detail and `@sec-detail`.\n"
    code, err, out = render(tmp_path, capsys, body, front="number-sections: true\n")
    assert code == 0, err
    assert "1.1 Detail" in text(out) and "See Section 1.1 and @sec-detail." in text(out)


def test_code_spans_and_email_addresses_are_not_references(tmp_path, capsys):
    """https://quarto.org/docs/authoring/cross-references.html: references are ``@label`` in
    the text; a code span or an e-mail address is not one."""
    body = "Write to someone@fig-tree.org or type `@fig-a`.\n"
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    assert "someone@fig-tree.org" in text(out) and "@fig-a" in text(out)


@pytest.mark.parametrize("kind", subset.CALLOUTS)
def test_callouts_with_titles(tmp_path, capsys, kind):
    """https://quarto.org/docs/authoring/callouts.html: five callout types; the title is the
    ``title`` attribute, else the first heading inside, else the type's name."""
    body = (f"::: {{.callout-{kind}}}\n## Own title\n\nBody one.\n:::\n\n"
            f"::: {{.callout-{kind} title=\"Attr title\"}}\nBody two.\n:::\n\n"
            f"::: {{.callout-{kind}}}\nBody three.\n:::\n")
    code, err, out = render(tmp_path, capsys, body, to="html,pdf")
    assert code == 0, err
    source = page(out)
    assert source.count(f'class="callout callout-{kind}"') == 3
    assert "<h2" not in source
    words = text(out)
    assert "Own title" in words and "Attr title" in words and kind.capitalize() in words
    pdf = pdf_text(out / "doc.pdf")
    assert "Own title" in pdf and "Attr title" in pdf and "Body three" in pdf


def pdf_text(path: Path) -> str:
    pypdf = pytest.importorskip("pypdf")
    return " ".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def test_pagebreak_and_meta_shortcodes(tmp_path, capsys):
    """https://quarto.org/docs/authoring/markdown-basics.html#page-breaks and
    https://quarto.org/docs/authoring/variables.html: ``{{< pagebreak >}}`` starts a new page;
    ``{{< meta key >}}`` inserts a front matter value."""
    body = "First page of {{< meta title >}}.\n\n{{< pagebreak >}}\n\nSecond page.\n"
    code, err, out = render(tmp_path, capsys, body, front="title: Meta Title\n", to="html,pdf")
    assert code == 0, err
    pypdf = pytest.importorskip("pypdf")
    pages = pypdf.PdfReader(out / "doc.pdf").pages
    assert len(pages) == 2 and "Second page" in pages[1].extract_text()
    assert "First page of Meta Title." in text(out) and "page-break" in page(out)


def test_rich_outputs(tmp_path, capsys):
    """https://quarto.org/docs/computations/python.html: a DataFrame and ``text/html`` display
    as tables, SVG and PNG as images, ``display()`` of plain text as text."""
    body = ("```{python}\nimport pandas as pd\nfrom IPython.display import HTML, SVG, display\n"
            "display(pd.DataFrame({'alpha': [1]}))\n"
            "display(HTML('<table><tr><td>cellhtml</td></tr></table>'))\n"
            "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
            "<rect width=\"10\" height=\"10\"/></svg>'))\n"
            "display('plain words')\n```\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    source = page(out)
    assert source.count("<table") == 2 and "cellhtml" in source and "alpha" in source
    assert "data:image/svg+xml" in source and "plain words" in source


def test_spans_and_html_includes(tmp_path, capsys):
    """https://quarto.org/docs/output-formats/html-basics.html#includes and
    https://quarto.org/docs/authoring/markdown-basics.html#divs-and-spans: bracketed spans keep
    their attributes; ``include-in-header``/``include-after-body`` add text or files."""
    (tmp_path / "after.html").write_text("<script>var AFTER = 1;</script>\n")
    front = ("format:\n  html:\n    include-in-header:\n      - text: |\n"
             "          <style>.claim{color:red}</style>\n"
             "    include-after-body: after.html\n")
    code, err, out = render(tmp_path, capsys, "Value [42]{data-claim=\"n_pts\"}.\n",
                            front=front)
    assert code == 0, err
    source = page(out)
    assert '<span data-claim="n_pts">42</span>' in source
    assert source.index(".claim{color:red}") < source.index("<body")
    assert source.index("var AFTER = 1;") > source.index("<body")


def test_docx_output(tmp_path, capsys):
    """https://quarto.org/docs/output-formats/ms-word.html: Word output with figures embedded
    and cross-references resolved."""
    body = ("```{python}\n#| label: fig-w\n#| fig-cap: In Word.\nimport matplotlib.pyplot as plt\n"
            "plt.plot([1, 2]); plt.show()\n```\n\nSee @fig-w; n = `{python} 2 + 3`.\n")
    code, err, out = render(tmp_path, capsys, body, to="html,docx")
    assert code == 0, err
    with zipfile.ZipFile(out / "doc.docx") as docx:
        xml = docx.read("word/document.xml").decode()
        assert any(n.startswith("word/media/") for n in docx.namelist())
    words = re.sub(r"<[^>]+>", "", xml)
    assert "Figure 1: In Word." in words and "See Figure 1; n = 5." in words


@pytest.mark.parametrize(("body", "line", "cause"), [
    ("Text.\n\n![A](missing.png)\n", 6, "Could not fetch resource missing.png"),
    ("Text [@nokey].\n", 4, "Citeproc: citation nokey not found"),
])
def test_pandoc_warnings_stop_the_render(tmp_path, capsys, body, line, cause):
    """https://quarto.org/docs/authoring/figures.html and
    https://quarto.org/docs/authoring/citations.html: an image that is not there or a key not
    in the bibliography is an error naming the file and line, not a broken output."""
    (tmp_path / "refs.bib").write_text("@book{k, title={T}, author={A}, year=2000}\n")
    code, err, out = render(tmp_path, capsys, body, front="bibliography: refs.bib\n")
    assert code == 1 and f"doc.qmd:{line}: pandoc could not write html5: {cause}" in err, err
    assert not (out / "doc.html").exists()


def test_typst_failure_is_one_line(tmp_path, capsys):
    """https://quarto.org/docs/output-formats/typst.html: a Typst error names the document."""
    code, err, _ = render(tmp_path, capsys, "```{=typst}\n#unknown-function()\n```\n",
                          to="pdf")
    assert code == 1 and "doc.qmd: Typst could not typeset the PDF:" in err
    assert "Traceback" not in err


def test_a_failing_conversion_leaves_the_previous_outputs(tmp_path, capsys):
    """The conversions of one document run side by side: when one fails (here Typst), the
    others' finished files are not installed, and the previous outputs stay as they were."""
    code, err, out = render(tmp_path, capsys, "First.\n", to="html,pdf,docx")
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, err, _ = render(tmp_path, capsys, "Second.\n\n```{=typst}\n#unknown-function()\n```\n",
                          to="html,pdf,docx", extra=("--force",))
    assert code == 1 and "doc.qmd: Typst could not typeset the PDF:" in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_writers_of_the_same_text_share_one_read(tmp_path, capsys, monkeypatch):
    """Pandoc reads a document's Markdown once for the writers whose text and reader options
    are the same (HTML, Word and JATS; the PDF reads with ``--columns=400``), and writes each
    format from that read as it would from the Markdown."""
    import pypandoc

    reads, convert = [], pypandoc.convert_text
    def counted(source, to, format, **kwargs):
        if format == "markdown" and to == "json":
            reads.append(kwargs["extra_args"])
        return convert(source, to, format, **kwargs)
    monkeypatch.setattr(pypandoc, "convert_text", counted)
    body = "| a | b |\n|---|---|\n| " + "word " * 30 + "| x |\n\n: Wide {#tbl-w}\n"
    code, err, out = render(tmp_path, capsys, body, to="html,pdf,docx,jats")
    assert code == 0, err
    assert sorted(reads) == [["--fail-if-warnings"], ["--fail-if-warnings", "--columns=400"]]
    direct = convert((tmp_path / "doc.qmd").read_text(), "html5", format="markdown",
                     extra_args=["--lua-filter=" + str(ROOT / "qmdrender" / "quarto.lua"),
                                 "--metadata=qmdrender-classes:",
                                 "--metadata=qmdrender-attributes:"])
    widths = re.compile(r'<col style="width: (\d+)%" />')
    assert widths.findall(direct) and widths.findall(page(out)) == widths.findall(direct)


def test_a_reading_warning_stops_every_format(tmp_path, capsys):
    """A warning of Pandoc's Markdown reader (an unclosed div) stops the render with one line
    naming the first format, as a writer's warning does; nothing is written."""
    code, err, out = render(tmp_path, capsys, "::: {.callout-note}\nOpen.\n", to="html,docx")
    assert code == 1 and "doc.qmd: pandoc could not write html5:" in err and "unclosed" in err
    assert not out.exists() or not any(out.iterdir())


def test_conversions_from_another_folder_leave_the_working_folder(tmp_path, capsys,
                                                                  monkeypatch):
    """A relative output folder and a bibliography beside the document, rendered from another
    folder: the conversions run in the document's folder and the working folder is restored."""
    (tmp_path / "doc").mkdir()
    (tmp_path / "doc" / "refs.bib").write_text("@book{k, title={T}, author={A}, year=2000}\n")
    (tmp_path / "doc" / "doc.qmd").write_text("---\nbibliography: refs.bib\n---\n\n"
                                              "As in [@k].\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code = cli.main(["../doc/doc.qmd", "--output-dir", "out", "--engine", "builtin",
                     "--to", "html,pdf,docx", "--jobs", "1"])
    assert code == 0, capsys.readouterr().err
    assert Path.cwd() == tmp_path / "elsewhere"
    assert sorted(p.name for p in Path("out").iterdir()) == [
        ".doc.stamp", "doc.docx", "doc.html", "doc.pdf"]
    assert "(A 2000)" in text(Path("out"))


# The up-to-date stamp


def test_stamp_renders_again_when_an_output_or_input_changes(tmp_path, capsys):
    """https://quarto.org/docs/projects/code-execution.html#freeze: re-use is only safe while
    inputs are unchanged; here any missing output or changed dependency renders again."""
    dep = tmp_path / "dep.txt"
    dep.write_text("1")
    args = ("--depends", str(dep))
    code, err, out = render(tmp_path, capsys, "Text.\n", extra=args)
    assert code == 0 and "rendering" in err
    assert "up to date" in render(tmp_path, capsys, "Text.\n", extra=args)[1]
    (out / "doc.html").unlink()
    assert "rendering" in render(tmp_path, capsys, "Text.\n", extra=args)[1]
    assert (out / "doc.html").is_file()
    dep.write_text("2")
    assert "rendering" in render(tmp_path, capsys, "Text.\n", extra=args)[1]


def test_output_dir_from_quarto_yml(tmp_path, capsys):
    """https://quarto.org/docs/projects/quarto-projects.html: ``project: output-dir``."""
    (tmp_path / "_quarto.yml").write_text("project:\n  output-dir: built\n")
    (tmp_path / "doc.qmd").write_text("Text.\n")
    assert cli.main([str(tmp_path / "doc.qmd"), "--engine", "builtin", "--jobs", "1"]) == 0
    assert (tmp_path / "built" / "doc.html").is_file()


# The supported subset, documented


def test_subset_table_is_in_readme_and_docstring():
    """The table of supported constructs is generated from ``qmdrender.subset``, which the
    parser and the filter use to refuse everything else."""
    table = subset.table()
    assert table in (ROOT / "README.md").read_text(encoding="utf-8")
    assert table in qmdrender.__doc__
    assert set(subset.CELL_OPTIONS) >= set(subset.EXECUTE_OPTIONS)


def test_outputs_are_byte_identical_between_runs(tmp_path, capsys):
    """Two renders of the same document give the same bytes in every format."""
    body = ("```{python}\n#| label: fig-p\n#| fig-cap: P.\nimport matplotlib.pyplot as plt\n"
            "plt.plot([1, 2]); plt.show()\n```\n\nSee @fig-p.\n")
    first = {}
    for run in range(2):
        code, err, out = render(tmp_path, capsys, body, to="html,pdf,docx", extra=("--force",))
        assert code == 0, err
        for suffix in ("html", "pdf", "docx"):
            data = (out / f"doc.{suffix}").read_bytes()
            assert first.setdefault(suffix, data) == data, (run, suffix)


def test_failure_in_a_function_of_an_earlier_cell(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html: the message points at the
    failing statement wherever it is in the document, here inside an earlier cell's function."""
    body = ("```{python}\ndef ratio(a, b):\n    return a / b\n```\n\n"
            "```{python}\nratio(1, 0)\n```\n")
    code, err, _ = render(tmp_path, capsys, body)
    assert code == 1 and "doc.qmd:3: ZeroDivisionError" in err
    assert "doc.qmd:7: ratio(1, 0)" in err and "doc.qmd:3: return a / b" in err


def test_every_construct_in_pdf_and_docx(tmp_path, capsys):
    """https://quarto.org/docs/output-formats/typst.html and
    https://quarto.org/docs/output-formats/ms-word.html: the same numbering, subfigures,
    equations, sections and callouts reach the PDF and the Word document."""
    body = ("# Methods {#sec-m}\n\n$$\na^2 + b^2 = c^2\n$$ {#eq-p}\n\n"
            "```{python}\n#| label: fig-two\n#| fig-cap: Both.\n#| fig-subcap: [One, Two]\n"
            "#| layout-ncol: 2\nimport matplotlib.pyplot as plt\nfor k in (1, 2):\n"
            "    plt.figure(); plt.plot([0, k]); plt.show()\n```\n\n"
            "::: {.callout-warning}\nCareful.\n:::\n\n"
            "See @sec-m, @eq-p and @fig-two-1.\n")
    code, err, out = render(tmp_path, capsys, body, front="number-sections: true\n",
                            to="pdf,docx")
    assert code == 0, err
    pdf = re.sub(r"\s+", " ", pdf_text(out / "doc.pdf"))
    with zipfile.ZipFile(out / "doc.docx") as docx:
        words = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode())
    for found in (pdf, words):
        assert "See Section 1, Equation 1 and Figure 1(a)." in found
        assert "Figure 1: Both." in found and "(a) One" in found and "(b) Two" in found
        assert "Warning" in found and "Careful." in found
    assert "(1)" in pdf


def test_quarto_on_path_renders_each_document_once_for_all_formats(tmp_path, capsys,
                                                                      monkeypatch):
    """https://quarto.org/docs/get-started/hello/text-editor.html: ``quarto render doc.qmd
    --to html,typst,docx`` renders every format in one run (Python executed once)."""
    log = tmp_path / "calls.txt"
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho \"$@\" >> " + str(log) + "\n"
                    "out=$(echo \"$@\" | sed 's/.*--output-dir //')\n"
                    "for f in html pdf docx; do echo x > \"$out/doc.$f\"; done\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    (tmp_path / "doc.qmd").write_text("Text.\n")
    code = cli.main([str(tmp_path / "doc.qmd"), "--output-dir", str(tmp_path / "out"),
                     "--to", "html,pdf,docx", "--jobs", "1"])
    assert code == 0, capsys.readouterr().err
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and "--to html,typst,docx" in calls[0]
    assert (tmp_path / "out" / "doc.docx").is_file()
    fake.write_text("#!/bin/sh\nexit 3\n")
    code = cli.main([str(tmp_path / "doc.qmd"), "--output-dir", str(tmp_path / "out"),
                     "--to", "html,pdf,docx", "--jobs", "1", "--force"])
    assert code == 1 and "quarto render failed (exit 3)" in capsys.readouterr().err
    assert (tmp_path / "out" / "doc.docx").read_text() == "x\n"


def test_layout_nrow_and_jpeg_output(tmp_path, capsys):
    """https://quarto.org/docs/authoring/figures.html#complex-layouts: ``layout-nrow`` sets the
    rows of the subfigures; a JPEG display is an image like PNG
    (https://quarto.org/docs/computations/python.html)."""
    body = ("```{python}\n#| label: fig-grid\n#| fig-cap: Grid.\n#| layout-nrow: 2\n"
            "import io\nimport matplotlib.pyplot as plt\nfrom IPython.display import Image\n"
            "for k in range(4):\n    fig = plt.figure(); plt.plot([0, k]); buf = io.BytesIO()\n"
            "    fig.savefig(buf, format='jpg'); plt.close(fig)\n"
            "    display(Image(data=buf.getvalue(), format='jpeg'))\n```\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    source = page(out)
    assert source.count('class="quarto-layout-row"') == 2
    assert source.count('class="quarto-layout-cell"') == 4
    assert source.count("data:image/jpeg;base64,") == 4 and "Figure 1: Grid." in text(out)


# Second round (issue 23): Quarto's defaults, refusal by allowlist at the construct's line


def test_format_default_and_single_format_render(tmp_path, capsys):
    """https://quarto.org/docs/output-formats/html-basics.html: ``format: html`` and
    ``format: {html: default}`` are Quarto's ways to take a format's defaults."""
    for front in ("format:\n  html: default\n  typst: default\n", "format: html\n"):
        code, err, out = render(tmp_path, capsys, "Text.\n", front=front, extra=("--force",))
        assert code == 0 and "Traceback" not in err, err
        assert "Text." in text(out)


def test_echo_is_true_by_default(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html: ``echo`` defaults to true
    (the code is shown), and ``execute: echo: false`` turns it off for the document."""
    body = "```{python}\nprint(6 * 7)\n```\n"
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0 and "print(6 * 7)" in text(out) and "42" in text(out), err
    code, err, out = render(tmp_path, capsys, body, front="execute:\n  echo: false\n",
                            extra=("--force",))
    assert code == 0 and "print(6 * 7)" not in text(out) and "42" in text(out), err


def test_dataframe_leaves_no_stray_text(tmp_path, capsys):
    """https://quarto.org/docs/computations/python.html: a DataFrame displays as a table and
    nothing else (pandas' scoped style sheet is not shown as text)."""
    body = ("```{python}\n#| echo: false\nimport pandas as pd\n"
            "pd.DataFrame({'alpha': [1, 2]})\n```\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    words = text(out)
    assert "alpha" in words and "`" not in words and "{=html}" not in words
    assert "vertical-align" not in words


@pytest.mark.parametrize(("body", "line", "construct"), [
    ("# Title fig-a\n\nText [x]{.fancy}.\n", 3, "the class .fancy on a span"),
    ("Para.\n\n::: {.columns}\nx\n:::\n", 3, "the class .columns on a div"),
    ("A {#fig-a}\n\n![a](a.png){#fig-a}\n\n![b](b.png){#fig-a}\n", 5, "a second label 'fig-a'"),
    (("`{#tbl-t}` text.\n\n| a |\n|---|\n| 1 |\n\n: T {#tbl-t}\n\n| b |\n|---|\n| 2 |\n\n"
      ": U {#tbl-t}\n"), 13, "a second label 'tbl-t'"),
    ("Text @fig-x in `@fig-x`.\n\nMore @fig-x.\n", 1, "unresolved cross-reference @fig-x"),
    ("```{.python filename=\"a.py\"}\nx = 1\n```\n", 1, "the attribute filename on a code"),
    ("![a](a.png){.lightbox}\n", 1, "the class .lightbox on an image"),
    ("| a | b |\n|---|---|\n| 1 | 2 |\n\n: Cap {tbl-colwidths=\"[x]\"}\n", 5, "tbl-colwidths"),
    ("# Head {.smaller}\n", 1, "the class .smaller on a heading"),
])
def test_allowlist_refuses_at_the_construct(tmp_path, capsys, body, line, construct):
    """https://quarto.org/docs/authoring/markdown-basics.html: classes and attributes outside
    the subset are refused at the element's own line (found from a parse that keeps source
    positions), even when the same text occurs earlier."""
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes((ROOT / "tests" / "fixtures" / "qmdrender" /
                                       "pixel.png").read_bytes())
    code, err, _ = render(tmp_path, capsys, body)
    assert code == 1 and refused(err, line, construct), err


def test_error_in_cell_output_points_at_the_cell(tmp_path, capsys):
    """https://quarto.org/docs/computations/execution-options.html: Markdown printed by a cell
    (``output: asis``) is checked like the file's; a refusal names the cell's line."""
    body = "Text.\n\n```{python}\n#| output: asis\nprint('[x]{.odd}')\n```\n"
    code, err, _ = render(tmp_path, capsys, body)
    assert code == 1 and refused(err, 3, "the class .odd on a span"), err


def test_table_column_widths(tmp_path, capsys):
    """https://quarto.org/docs/authoring/tables.html#column-widths: ``tbl-colwidths`` on a
    Markdown table sets the relative column widths."""
    body = ("| a | b |\n|---|---|\n| 1 | 2 |\n\n: Cap {#tbl-w tbl-colwidths=\"[75,25]\"}\n")
    code, err, out = render(tmp_path, capsys, body)
    assert code == 0, err
    widths = re.findall(r'<col style="width: (\d+)%" />', page(out))
    assert widths == ["75", "25"] and "tbl-colwidths" not in page(out)
