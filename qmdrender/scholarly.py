"""Quarto's scholarly front matter for Pandoc: authors with affiliations, ORCID, e-mail and
the corresponding author; ``date: today`` and ``date-format``; ``keywords``; ``license`` and
``citation`` (the Reuse and Citation sections of the appendix).

:func:`check` refuses (with the key's line) every form Quarto documents that is not handled
here; :func:`front_matter` gives the YAML Pandoc reads, the same for every format.
"""

from __future__ import annotations

import datetime as dt
import re

import yaml

from qmdrender import subset

AUTHOR_KEYS = ("name", "affiliations", "orcid", "email", "corresponding")
ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
TOKENS = re.compile(r"YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd")


class FrontMatterError(ValueError):
    """(dotted key, construct): refused at that key's line."""


def authors(value) -> list[dict]:
    """``author`` as a list of {name, affiliations, orcid, email, corresponding}."""
    entries = value if isinstance(value, list) else [value]
    out = []
    for n, entry in enumerate(entries):
        where = f"author.{n}" if isinstance(value, list) else "author"
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise FrontMatterError(where, f"author {entry!r}")
        for key in entry:
            if key not in AUTHOR_KEYS:
                raise FrontMatterError(f"{where}.{key}", f"author field '{key}'")
        if not isinstance(entry.get("name"), str):
            raise FrontMatterError(where, "an author without a `name` string")
        affiliations = entry.get("affiliations", [])
        affiliations = affiliations if isinstance(affiliations, list) else [affiliations]
        names = [a["name"] if isinstance(a, dict) and set(a) == {"name"} else a
                 for a in affiliations]
        if any(not isinstance(a, str) for a in names):
            raise FrontMatterError(f"{where}.affiliations",
                                   "affiliations other than names (strings or `name:`)")
        orcid = entry.get("orcid")
        if orcid is not None and not ORCID.match(str(orcid)):
            raise FrontMatterError(f"{where}.orcid", f"orcid '{orcid}' (0000-0000-0000-0000)")
        corresponding = entry.get("corresponding", False)
        if not isinstance(corresponding, bool):
            raise FrontMatterError(f"{where}.corresponding", "corresponding other than true/false")
        out.append({"name": entry["name"], "affiliations": names, "orcid": orcid,
                    "email": entry.get("email"), "corresponding": corresponding})
    return out


def parse_date(value, today: dt.date) -> dt.date | str:
    """``today``, a date, or YYYY-MM-DD / MM/DD/YYYY text; other text is returned unchanged."""
    if value == "today":
        return today
    if isinstance(value, dt.date):
        return value
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"):
        try:
            return dt.datetime.strptime(str(value), pattern).date()
        except ValueError:
            continue
    if value in ("now", "last-modified"):
        raise FrontMatterError("date", f"date: {value}")
    return str(value)


def format_date(date: dt.date, style: str | None) -> str:
    """Quarto's date styles (full, long, medium, short, iso) or a format string (MMM D, YYYY)."""
    style = style or "iso"
    if style in subset.DATE_FORMATS:
        return date.strftime(subset.DATE_FORMATS[style].replace("{day}", str(date.day)))
    parts = {"YYYY": f"{date:%Y}", "YY": f"{date:%y}", "MMMM": f"{date:%B}",
             "MMM": f"{date:%b}", "MM": f"{date:%m}", "M": str(date.month),
             "DD": f"{date:%d}", "D": str(date.day), "dddd": f"{date:%A}", "ddd": f"{date:%a}"}
    return TOKENS.sub(lambda m: parts[m.group(0)], style)


def check(front: dict) -> None:
    """Refuse what this module does not handle (raises :class:`FrontMatterError`)."""
    if "author" in front:
        authors(front["author"])
    if "date" in front:
        parse_date(front["date"], dt.date.today())
    if "date-format" in front and not isinstance(front["date-format"], str):
        raise FrontMatterError("date-format", "date-format other than a style or pattern")
    keywords = front.get("keywords")
    if keywords is not None and not (isinstance(keywords, list)
                                     and all(isinstance(k, str) for k in keywords)):
        raise FrontMatterError("keywords", "keywords other than a list of words")
    licence = front.get("license")
    if licence is not None and not (isinstance(licence, str) or isinstance(licence, dict)
                                    and set(licence) <= {"text", "url"}):
        raise FrontMatterError("license", "license other than a name or `text`/`url`")
    citation = front.get("citation")
    if citation is not None and not (citation is True or isinstance(citation, dict) and set(
            citation) <= {"type", "url", "doi", "container-title", "publisher"}):
        raise FrontMatterError("citation", "citation other than true or type/url/doi/"
                                           "container-title/publisher")


def _affiliation_numbers(people: list[dict]) -> list[str]:
    names: list[str] = []
    for person in people:
        for name in person["affiliations"]:
            if name not in names:
                names.append(name)
    return names


def _md(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|^~@$])", r"\\\1", text)


def _author_line(person: dict, affiliations: list[str]) -> str:
    marks = ",".join(str(affiliations.index(a) + 1) for a in person["affiliations"])
    text = _md(person["name"]) + (f"^{marks}^" if marks else "")
    if person["corresponding"]:
        text += "^✉^"
    if person["orcid"]:
        text += f" [ORCID {person['orcid']}](https://orcid.org/{person['orcid']})"
    return text


def _year(front: dict, today: dt.date) -> str:
    date = parse_date(front.get("date", "today"), today)
    return str(date.year) if isinstance(date, dt.date) else str(today.year)


def attribution(front: dict, today: dt.date) -> str:
    """Markdown of the Reuse (license) and Citation sections, as Quarto's HTML appendix."""
    parts = []
    licence = front.get("license")
    if licence:
        text = licence if isinstance(licence, str) else licence.get("text", "")
        url = None if isinstance(licence, str) else licence.get("url")
        parts.append("## Reuse {.unnumbered .appendix}\n\n"
                     + (f"[{_md(text or url)}]({url})" if url else _md(text)))
    if front.get("citation"):
        people = [p["name"] for p in authors(front.get("author", []))] if front.get(
            "author") else []
        title = str(front.get("title", ""))
        fields = front["citation"] if isinstance(front["citation"], dict) else {}
        text = f"{', '.join(people)}. {_year(front, today)}. “{title}.”"
        for key in ("container-title", "publisher"):
            if fields.get(key):
                text += f" *{fields[key]}*."
        link = (f"https://doi.org/{fields['doi']}" if fields.get("doi") else fields.get("url"))
        if link:
            text += f" <{link}>."
        bib = [f"@{fields.get('type', 'article')}{{{_key(people, front, today)},",
               f"  author = {{{' and '.join(people)}}},", f"  title = {{{title}}},",
               f"  year = {{{_year(front, today)}}},"]
        bib += [f"  doi = {{{fields['doi']}}}," for _ in [0] if fields.get("doi")]
        bib += [f"  url = {{{fields['url']}}}," for _ in [0] if fields.get("url")]
        bib.append("}")
        parts.append("## Citation {.unnumbered .appendix}\n\nBibTeX citation:\n\n```bibtex\n"
                     + "\n".join(bib) + "\n```\n\nFor attribution, please cite this work as:\n\n"
                     + text)
    return "\n\n".join(parts)


def _key(people: list[str], front: dict, today: dt.date) -> str:
    first = re.sub(r"\W", "", (people[0].split()[-1] if people else "anonymous")).lower()
    return f"{first}{_year(front, today)}"


def front_matter(front: dict, text: str, today: dt.date) -> str:
    """The front matter Pandoc reads: authors as title-block lines, affiliations, the
    formatted date, keywords and the attribution sections (``qmdrender-attribution``)."""
    scholarly = {"author", "date", "date-format", "keywords", "license", "citation"}
    if not scholarly & set(front):
        return text
    out = {k: v for k, v in front.items() if k not in scholarly}
    if "author" in front:
        people = authors(front["author"])
        affiliations = _affiliation_numbers(people)
        out["author"] = [_author_line(p, affiliations) for p in people]
        out["author-meta"] = [p["name"] for p in people]
        notes = [f"^{n}^ {_md(a)}" for n, a in enumerate(affiliations, start=1)]
        notes += [f"^✉^ Corresponding author: {_md(p['name'])}"
                  + (f" <{p['email']}>" if p["email"] else "")
                  for p in people if p["corresponding"]]
        if notes:
            out["qmdrender-affiliations"] = "\\\n".join(notes)
    if "date" in front:
        date = parse_date(front["date"], today)
        out["date"] = (format_date(date, front.get("date-format"))
                       if isinstance(date, dt.date) else date)
        if isinstance(date, dt.date):
            out["date-meta"] = date.isoformat()
    if front.get("keywords"):
        out["keywords"] = front["keywords"]
        out["tags"] = front["keywords"]  # what Pandoc's JATS template reads as <kwd>
    appendix = attribution(front, today)
    if appendix:
        out["qmdrender-attribution"] = appendix
    return yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=1000)
