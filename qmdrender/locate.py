"""Source lines of the elements the Lua filter names.

Pandoc's Markdown reader keeps no source positions, so the filter names an element by its
place in document order (``Div:3``, the third div; ``Cite:fig-a:2``, the second citation of
``fig-a``). The same Markdown is parsed again with Pandoc's ``commonmark_x+sourcepos``
reader, which records the position of every element (``data-pos``); the element with the
same place there gives its line in the composed Markdown, and the composed line map
(:class:`qmdrender.compose.Composed`) gives its line in the .qmd file.
"""

from __future__ import annotations

import json
import re

import pypandoc

ATTR_AT = {"Div": 0, "Span": 0, "Image": 0, "Link": 0, "Code": 0, "CodeBlock": 0,
           "Header": 1, "Table": 0}
START = re.compile(r"(\d+):\d+")


def _attr(node: dict):
    index = ATTR_AT.get(node["t"])
    if index is None:
        return None
    attr = node["c"][index]
    return attr if isinstance(attr, list) and len(attr) == 3 else None


def _tokens(tree: dict) -> list[tuple[str, str | None, int]]:
    """Every element in document order: (tag, text of a Str or the caption marker, line)."""
    out: list[tuple[str, str | None, int]] = []

    def walk(node, line: int) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, line)
            return
        if not isinstance(node, dict) or "t" not in node:
            return
        attr = _attr(node)
        keys = dict(attr[2]) if attr else {}
        if "data-pos" in keys:
            line = min(int(m) for m in START.findall(keys["data-pos"]))
        tag = node["t"]
        if attr and "wrapper" not in keys:
            out.append((tag, None, line))
        elif tag == "Str":
            out.append(("Str", node["c"], line))
        elif tag == "Math" and node["c"][0]["t"] == "DisplayMath":
            out.append(("DisplayMath", None, line))
        elif tag in ("Space", "SoftBreak", "LineBreak"):
            out.append(("Space", None, line))
        elif tag == "Para":
            out.append(("Para", None, line))
        walk(node.get("c"), line)

    walk(tree["blocks"], 1)
    return out


def _nth(tokens, tag: str, n: int) -> int | None:
    found = [line for kind, _, line in tokens if kind == tag]
    return found[n - 1] if 0 < n <= len(found) else None


def _caption(tokens, n: int) -> int | None:
    """The n-th ``: caption`` paragraph (CommonMark has no table captions)."""
    found = [tokens[i + 1][2] for i in range(len(tokens) - 2) if tokens[i][0] == "Para"
             and tokens[i + 1][:2] == ("Str", ":") and tokens[i + 2][0] == "Space"]
    return found[n - 1] if 0 < n <= len(found) else None


def _cite(tokens, key: str, n: int) -> int | None:
    """The n-th ``@key`` at the start of a word (CommonMark splits it into several Str)."""
    found = []
    for i, (kind, text, line) in enumerate(tokens):
        if kind != "Str" or text != "@":
            continue
        if i and tokens[i - 1][0] == "Str" and re.search(r"\w$", tokens[i - 1][1] or ""):
            continue  # an e-mail address
        word, j = "", i + 1
        while j < len(tokens) and tokens[j][0] == "Str" and len(word) < len(key):
            word += tokens[j][1]
            j += 1
        following = tokens[j][1] if j < len(tokens) and tokens[j][0] == "Str" else ""
        if word == key and not re.match(r"[\w-]", following or ""):
            found.append(line)
    return found[n - 1] if 0 < n <= len(found) else None


def composed_line(markdown: str, position: str) -> int | None:
    """Line in ``markdown`` of the element the filter named ``position`` (None: not found)."""
    tree = json.loads(pypandoc.convert_text(markdown, "json", format="commonmark_x+sourcepos"))
    tokens = _tokens(tree)
    parts = position.split(":")
    if parts[0] == "Cite" and len(parts) == 3:
        return _cite(tokens, parts[1], int(parts[2]))
    if len(parts) != 2 or not parts[1].isdigit():
        return None
    if parts[0] == "Table":
        return _caption(tokens, int(parts[1]))
    return _nth(tokens, parts[0], int(parts[1]))


def image_line(markdown: str, src: str) -> int | None:
    """Line of the first image whose source is ``src``."""
    tree = json.loads(pypandoc.convert_text(markdown, "json", format="commonmark_x+sourcepos"))
    found: list[int] = []

    def walk(node, line: int) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, line)
        elif isinstance(node, dict) and "t" in node:
            attr = _attr(node)
            keys = dict(attr[2]) if attr else {}
            if "data-pos" in keys:
                line = min(int(m) for m in START.findall(keys["data-pos"]))
            if node["t"] == "Image" and node["c"][2][0] == src:
                found.append(line)
            walk(node.get("c"), line)

    walk(tree["blocks"], 1)
    return found[0] if found else None
