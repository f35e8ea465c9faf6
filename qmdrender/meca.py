"""A MECA bundle (NISO Manuscript Exchange Common Approach) of a rendered article, laid out
as Quarto manuscripts write it: ``<stem>-meca.zip`` holding ``manifest.xml``, the JATS
article (``article-metadata``), its renderings (PDF, Word: ``manuscript``) and supplementary
files (``manuscript-supporting-file``)."""

from __future__ import annotations

import mimetypes
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE manifest PUBLIC "-//MECA//DTD Manifest v1.0//en" "MECA_manifest.dtd">
<manifest manifest-version="1" xmlns="https://manuscriptexchange.org/schema/manifest" \
xmlns:xlink="http://www.w3.org/1999/xlink">
{items}
</manifest>
"""
RENDERINGS = (".pdf", ".docx")
STAMP = (1980, 1, 1, 0, 0, 0)  # fixed zip timestamps: the same bytes on every run


def _item(path: Path, kind: str) -> str:
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return (f"  <item item-type={quoteattr(kind)}>\n    <instance media-type={quoteattr(media)}"
            f" xlink:href={quoteattr(path.name)}/>\n  </item>")


def items(jats: Path, supporting: list[Path]) -> list[tuple[Path, str]]:
    """The files of the bundle with their MECA item types, article first."""
    entries = [(jats, "article-metadata")]
    entries += [(jats.with_suffix(s), "manuscript") for s in RENDERINGS
                if jats.with_suffix(s).is_file()]
    entries += [(p, "manuscript-supporting-file") for p in supporting]
    return entries


def bundle(jats: Path, supporting: list[Path]) -> Path:
    """Write ``<stem>-meca.zip`` beside the JATS file ``jats``; returns its path."""
    entries = items(jats, supporting)
    manifest = MANIFEST.format(items="\n".join(_item(p, k) for p, k in entries))
    target = jats.with_name(f"{jats.stem}-meca.zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("manifest.xml", STAMP), manifest)
        for path, _ in entries:
            info = zipfile.ZipInfo(path.name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return target
