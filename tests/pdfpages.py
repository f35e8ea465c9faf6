"""Where the printed content of each PDF page ends, for the layout tests."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader


def page_fill(pdf: Path) -> list[float]:
    """Each page's filled height as a fraction of the page: from the top edge to the lowest
    text or image on it, the page number left out."""
    fills = []
    for page in PdfReader(pdf).pages:
        height, lowest = float(page.mediabox.height), []

        def text(content, cm, tm, font, size):
            if content.strip() and not content.strip().isdigit():
                lowest.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

        def operator(op, args, cm, tm):
            if op == b"Do":  # an image or form drawn with its lower-left corner at cm's origin
                lowest.append(cm[5])

        page.extract_text(visitor_text=text, visitor_operand_before=operator)
        fills.append(1 - min(lowest) / height if lowest else 0.0)
    return fills


def short_pages(pdf: Path, least: float = 0.75) -> list[int]:
    """Page numbers (from 1), the last page excepted, filled to less than `least` of the page:
    the gap a figure leaves when it does not float to where it fits."""
    fills = page_fill(pdf)
    return [number for number, fill in enumerate(fills[:-1], start=1) if fill < least]
