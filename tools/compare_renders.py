"""Compare two renders of a cohort, as a restructuring that must change no output is checked.

    python tools/compare_renders.py OLD_DIR NEW_DIR

Each directory holds what a render wrote (``data-derived/``, ``figures/``, ``_output/``).
Data and figure files are compared byte for byte; documents by their text (PDF text through
pypdf, Word's document.xml, HTML source) with whitespace collapsed and the code fingerprint,
revision and module paths masked, since those are expected to change with the code.
Prints each difference as the words that differ and exits 1 if there is any.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import zipfile
from pathlib import Path

from pypdf import PdfReader

MASKS = [(r"\b[0-9a-f]{12}(-dirty)?\b", "HASH"), (r"analysis/[a-z_/]+\.py", "MODULE"),
         (r"\b(analysis\.)?[a-z_]+(\.[a-z_]+)*\.(?=[a-z_]+\b)", "")]


def document_text(path: Path) -> str | None:
    """The text a document shows, masked; None for a file compared byte for byte."""
    if path.suffix == ".pdf" and "figures" not in path.parts:
        text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    elif path.suffix == ".docx":
        text = zipfile.ZipFile(path).read("word/document.xml").decode()
    elif path.suffix == ".html":
        text = path.read_text()
    else:
        return None
    for pattern, replacement in MASKS:
        text = re.sub(pattern, replacement, text)
    return re.sub(r"\s+", " ", text)


def differences(old: Path, new: Path) -> list[str]:
    """One line per file that differs beyond the masked parts."""
    found = []
    for a in sorted(p for p in old.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = a.relative_to(old)
        b = new / rel
        if not b.is_file():
            found.append(f"{rel}: missing in {new}")
        elif a.name == "manifest.json":
            ja, jb = json.loads(a.read_text()), json.loads(b.read_text())
            keys = sorted(k for k in ja.keys() | jb.keys()
                          if ja.get(k) != jb.get(k) and k != "code_fingerprint")
            found += [f"{rel}: {k} differs" for k in keys]
        elif (ta := document_text(a)) is None:
            if a.read_bytes() != b.read_bytes():
                found.append(f"{rel}: bytes differ")
        elif ta != (tb := document_text(b)):
            wa, wb = ta.split(" "), tb.split(" ")
            ops = difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes()
            words = [f"{' '.join(wa[i1:i2])!r} -> {' '.join(wb[j1:j2])!r}"
                     for op, i1, i2, j1, j2 in ops if op != "equal"]
            found.append(f"{rel}: " + "; ".join(words)[:600])
    return found


if __name__ == "__main__":
    found = differences(Path(sys.argv[1]), Path(sys.argv[2]))
    print("\n".join(found) or "no differences")
    sys.exit(1 if found else 0)
