"""The claims ledger: every published number, recomputed and compared at its printed precision.

``claims.yaml`` lists the claims; :func:`evaluate` computes them all from the derived tables
with the functions of :mod:`analysis.results`; :class:`Claims` serves the same values to the
paper (``claims.text("age_dx_median")``), so paper and ledger cannot drift apart.

Each evaluated claim falls in one category of the comparison with the article
(:func:`category`); :mod:`analysis.provenance.categories` then splits "reproduced" by the
basis of the raw cells behind the claim (stated or imputed), which this stage cannot see:

- ``reproduced``: the computation follows the method the article states and gives the
  published value (or, for a bound such as "within 6 days", satisfies it);
- ``explained``: the published value comes out only under another reading, recorded in the
  claim's ``explained`` text (which reading, under which conditions, and why the stated
  one cannot give it);
- ``circular``: the published value is one the article states and the reconstruction typed
  into the sheets (``circular`` says where); agreeing shows only that it was read back, so it
  is reported apart and not counted as reproduced;
- ``data gap``: the sheets lack what the statement needs; the value comes from a proxy the
  claim's ``data_gap`` text names;
- ``not reproducible``: the computed value differs from the published one;
- ``not applicable``: the claim names patients or data the cohort does not have (it cannot
  be computed).

``claims.yaml`` records why a claim is explained, circular, a data gap or unreproducible; it
has no way to call a claim reproduced (:func:`load_ledger` refuses unknown keys).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from analysis.common.formatting import (COHORT_POLICY, duration, median_range, p_clause,
                                        percent_of, plural, render, value_range)
from analysis.common.paths import ROOT
from analysis.derivations.store import Tables
from analysis.results import descriptive, followed
from analysis.results import measures as results

LEDGER = ROOT / "claims.yaml"
NOT_APPLICABLE = "[not available for this cohort]"


@dataclass(frozen=True)
class Claim:
    """One quantitative statement of the article."""

    id: str
    where: str
    what: str
    published: str
    style: str
    function: str
    args: dict
    relation: str = "="
    cohort: bool = False
    explained: str = ""
    circular: str = ""
    data_gap: str = ""
    unreproducible: str = ""
    setting: dict = field(default_factory=dict)
    stated: tuple[str, ...] = ()  # a per_patient entry's claims that state it for a patient

    def under(self, settings: dict[str, str]) -> Claim:
        """The claim computed under a cohort's own settings (:data:`SETTINGS`): each argument
        named in ``setting`` takes its template filled from ``settings``."""
        if not self.setting:
            return self
        return replace(self, args={**self.args, **{
            name: template.format(**settings) for name, template in self.setting.items()}})


KEYS = {"id", "where", "what", "published", "style", "relation", "compute", "cohort",
        "explained", "circular", "data_gap", "unreproducible", "setting"}
SETTINGS = ("efs_rule", "data_cutoff")  # study-sheet settings a claim's arguments may follow
RELATIONS = {"=": "", "<=": "≤ ", ">=": "≥ ", "<": "< ", ">": "> "}


def load_ledger(path: Path = LEDGER) -> list[Claim]:
    """Read the claims ledger."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)["claims"]
    claims = []
    for entry in entries:
        unknown = sorted(set(entry) - KEYS)
        if unknown:
            raise ValueError(f"claims.yaml: claim {entry.get('id')!r}: unknown key(s) "
                             f"{unknown}; expected {sorted(KEYS)} (a claim's category is "
                             "computed, never typed)")
        if entry.get("relation", "=") not in RELATIONS:
            raise ValueError(f"claims.yaml: claim {entry.get('id')!r}: relation "
                             f"{entry['relation']!r}; expected one of {sorted(RELATIONS)}")
        compute, setting = entry["compute"], dict(entry.get("setting") or {})
        try:
            {name: str(t).format(**{k: k for k in SETTINGS}) for name, t in setting.items()}
        except (KeyError, IndexError) as error:
            raise ValueError(f"claims.yaml: claim {entry.get('id')!r}: setting {setting!r} "
                             f"names {error}; expected templates of {list(SETTINGS)} such as "
                             "'{efs_rule}'") from None
        claims.append(Claim(
            id=entry["id"], where=entry["where"], what=entry["what"],
            published=str(entry["published"]), style=entry["style"],
            function=compute["function"], args=dict(compute.get("args") or {}),
            relation=entry.get("relation", "="), cohort=bool(entry.get("cohort", False)),
            explained=entry.get("explained", ""), circular=entry.get("circular", ""),
            data_gap=entry.get("data_gap", ""), unreproducible=entry.get("unreproducible", ""),
            setting={name: str(t) for name, t in setting.items()},
        ))
    ids = [c.id for c in claims]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"claims.yaml: duplicate ids {sorted(duplicates)}")
    return claims


NOT_STATED = "not stated in the article"  # the published value of a computed entry


def _published_number(claim: Claim) -> float:
    """The published value as a number, read back through the claim's style."""
    text = claim.published.replace(" × 10^", "e").replace("%", "").replace("1:", "", 1)
    if claim.style.startswith("thousands"):
        return float(text.removesuffix("e3")) * 1e3
    return float(text)


def compute(claim: Claim, tables: Tables) -> float | str:
    """The claim's value from the derived tables: a number, text (``text`` style) or NaN."""
    if (claim.cohort and "patient" in claim.args
            and claim.args["patient"] not in set(tables["adsl"]["patient_id"])):
        return math.nan
    modules = [m for m in (results, descriptive, followed) if hasattr(m, claim.function)]
    if not modules:
        raise ValueError(f"claims.yaml: {claim.id}: no function {claim.function!r} in "
                         "analysis.results (measures, descriptive, followed)")
    value = getattr(modules[0], claim.function)(tables, **claim.args)
    return value if isinstance(value, str) else (math.nan if value is None else float(value))


def missing(value: float | str | None) -> bool:
    """True when a computed value is absent (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def agrees(claim: Claim, value: float | str) -> bool:
    """Whether the computed value, printed in the claim's style, matches the published one."""
    if missing(value):
        return False
    bound = {"<=": float.__le__, ">=": float.__ge__, "<": float.__lt__, ">": float.__gt__}
    if claim.relation in bound:
        return bound[claim.relation](float(value), _published_number(claim))
    return render(value, claim.style, markup=False, published=True) == claim.published


def stated(published: str, relation: str) -> str:
    """The published value with its relation, as the article's statement reads: '≤ 7' for
    "within 1 week", '> 90%' for "above 90%", the value alone for an equality."""
    return f"{RELATIONS[relation]}{published}"


CATEGORIES = ("reproduced", "explained", "circular", "data gap", "not reproducible",
              "not applicable")


def category(claim: Claim, value: float | str) -> str:
    """The claim's category (one of :data:`CATEGORIES`, see the module docstring)."""
    if missing(value):
        return "not applicable"
    if not agrees(claim, value):
        return "not reproducible"
    if claim.circular:
        return "circular"
    if claim.data_gap:
        return "data gap"
    return "explained" if claim.explained else "reproduced"


def computed_text(claim: Claim, value, days: bool = False) -> str:
    """The computed value at the article's precision ("NA" when it does not apply); with
    ``days`` a duration below a month also in whole days, as a team's documents print it
    ("0 (21 days)": the ledger's unit beside the paper's)."""
    if missing(value):
        return "NA"
    text = render(value, claim.style, markup=False, published=True)
    if days and quantity(claim) == "months":
        shown, unit = duration([value])
        text += f" ({shown[0]} {unit})" if unit.startswith("day") else ""
    return text


def evaluate(tables: Tables, ledger: list[Claim] | None = None,
             days: bool = False, values: dict[str, float | str] | None = None
             ) -> pd.DataFrame:
    """Every claim with its published and computed text (:func:`computed_text`), whether
    they agree and its category; ``note`` carries what claims.yaml records for that category
    (the other reading, the cells typed in, or why the value cannot be reproduced).
    ``values``: the claims' values by id when they were computed already (as tracing
    computes them), not computed again."""
    rows = []
    for claim in ledger or load_ledger():
        value = values[claim.id] if values is not None else compute(claim, tables)
        kind = category(claim, value)
        notes = {"explained": claim.explained, "circular": claim.circular,
                 "data gap": claim.data_gap, "not reproducible": claim.unreproducible}
        rows.append({
            "id": claim.id, "where": claim.where, "what": claim.what,
            "published": claim.published, "stated": stated(claim.published, claim.relation),
            "computed": computed_text(claim, value, days),
            "relation": claim.relation, "agrees": agrees(claim, value),
            "category": kind, "note": notes.get(kind, ""),
            "explained": claim.explained, "function": claim.function,
            "value": value,
        })
    return pd.DataFrame(rows)


def harmonised_styles(ledger: list[Claim]) -> dict[str, str]:
    """Each claim's style, with the values of one quantity that a sentence sets side by side
    all at the finest precision among them: the median, minimum and maximum (ids ending in
    _median, _min, _max) and the same quantity after each course (_cart1, _cart2 before
    them). The article prints a range such as 6.96-15.1 and IL-6 fold changes 7.46 and
    849.7; another cohort's should not read 13.34-13.3, or 251.24 and 240.0."""
    groups: dict[str, list[Claim]] = {}
    for claim in ledger:
        quantity_id = re.sub(r"_cart\d+$", "", re.sub(r"_(median|min|max)$", "", claim.id))
        groups.setdefault(quantity_id, []).append(claim)
    styles = {}
    for members in groups.values():
        kinds = {m.style.partition(":")[0] for m in members}
        finest = max(members, key=lambda m: int(m.style.partition(":")[2] or 0)).style
        for member in members:
            styles[member.id] = finest if len(kinds) == 1 else member.style
    return styles


PROPORTIONS = {"percent", "percent_ratio_reduced", "km_estimate"}  # of patients


def quantity(claim: Claim) -> str:
    """What a claim measures, as the precision policy sees it: "p" (a P value), "dose"
    (cells per kg), "months" (a duration in 30-day months), "percent" (a proportion of
    patients, or a survival estimate) or "other" (a measurement in percent, such as the
    transduction efficiency, among them: it keeps its decimals)."""
    column = str(claim.args.get("column", ""))
    if claim.function == "mann_whitney_p":
        return "p"
    if "dose" in column and claim.style.startswith(("sig", "thousands")):
        return "dose"
    if column.endswith("_months") or claim.function == "event_months":
        return "months"
    return "percent" if claim.function in PROPORTIONS else "other"


def cohort_styles(ledger: list[Claim]) -> dict[str, str]:
    """Each claim's style for a cohort other than the published one: the policy of
    :data:`analysis.common.formatting.COHORT_POLICY` by quantity, otherwise the harmonised style."""
    harmonised = harmonised_styles(ledger)
    return {c.id: COHORT_POLICY.get(quantity(c), harmonised[c.id]) for c in ledger}


def percent_counts(claim: Claim, tables: Tables) -> tuple[int, int] | None:
    """The counts behind a percentage claim: (patients counted, patients in the denominator)
    for a proportion, (None, patients analysed) for a Kaplan-Meier estimate."""
    args = claim.args
    if claim.function == "percent":
        return (results.count(tables, args["table"], args["where"], args.get("course")),
                results.count(tables, args["table"], course=args.get("course")))
    if claim.function == "percent_ratio_reduced":
        lower = results.ratio_pairs(tables, args["course"]).groupby("patient_id")["lower"].all()
        return int(lower.sum()), len(lower)
    if claim.function == "km_estimate":
        rows = tables["adtte"]
        return None, int(((rows["paramcd"] == args["parameter"])
                          & (rows["rule"] == args["rule"])).sum())
    return None


class Claims:
    """The claims of one cohort, for inline use in the paper. With ``published_precision``
    (the published cohort) each number is printed as the article prints it; otherwise by the
    cohort policy (:func:`cohort_styles`), percentages with their counts. The numbers the
    documents print that the article does not state (:func:`analysis.ledger.entries.load_computed`) are served alike."""

    def __init__(self, tables: Tables, published_precision: bool = True,
                 spans: bool = False, ledger: list[Claim] | None = None):
        self.tables = tables
        self.spans = spans  # numbers in sentences carry their claim id (see marked)
        written = load_ledger()
        ledger = ledger or written  # the cohort's (analysis.ledger.settings.cohort_ledger)
        from analysis.ledger.entries import load_computed  # entries.py builds on this module

        ledger = [*ledger, *load_computed()]  # and the numbers the article does not state
        self.ledger = {c.id: c for c in ledger}
        self.set_apart = {c.id for c in written} - set(self.ledger)
        self.published_precision = published_precision
        self.styles = ({c.id: c.style for c in ledger} if published_precision
                       else cohort_styles(ledger))
        self._values: dict[str, float] = {}
        self.printed: dict[str, str] = {}  # claim id -> its number as a sentence first printed it
        self.per_patient: list[Claim] = []  # the claims about one patient served so far

    def of_patient(self, template: str, patient: str) -> str:
        """The id of the claim about ``patient`` made from the ``per_patient:`` entry
        ``template`` of claims.yaml, served from now on as any claim is (in its cohort's
        style, a count as written)."""
        from analysis.ledger.entries import for_patient, load_per_patient

        self._templates = getattr(self, "_templates", None) or load_per_patient()  # read once
        claim = for_patient(self._templates[template], patient)
        if claim.id not in self.ledger:
            self.ledger[claim.id] = claim
            self.styles[claim.id] = claim.style
            self.per_patient.append(claim)
        return claim.id

    def value(self, claim_id: str) -> float | str:
        """The computed value of a claim (NaN when it does not apply to this cohort, or is
        set apart from its ledger)."""
        if claim_id in self.set_apart:
            return math.nan
        if claim_id not in self._values:
            self._values[claim_id] = compute(self.ledger[claim_id], self.tables)
        return self._values[claim_id]

    def text(self, claim_id: str, counts: bool = True) -> str:
        """The computed value printed in the cohort's style (Pandoc superscripts); for
        another cohort a percentage carries its counts ("67% (6 of 9)", "80% (n = 9)")
        unless ``counts`` is false (a sentence that gives them once)."""
        value = self.value(claim_id)
        if missing(value):
            raise LookupError(f"claim {claim_id!r} does not apply to this cohort")
        claim = self.ledger[claim_id]
        counts = (None if not counts or self.published_precision
                  or quantity(claim) != "percent" else percent_counts(claim, self.tables))
        if counts is None:
            return render(value, self.styles[claim_id], published=self.published_precision)
        if counts[0] is None:
            return f"{render(value, self.styles[claim_id])} (n = {counts[1]})"
        return percent_of(*counts)

    def applies(self, *claim_ids: str) -> bool:
        """True when every named claim can be computed for this cohort."""
        return all(not missing(self.value(c)) for c in claim_ids)

    def duration(self, *claim_ids: str) -> str:
        """Durations in one unit, with the unit: one claim "26.3 months"; minimum and maximum
        "10–28 days" ("28 days" when they print alike); median, minimum and maximum
        "11.87 months (4.07–32.87)" ("6 months" when the range is one value). Days below a month for another cohort
        (:func:`analysis.common.formatting.duration`)."""
        if not self.applies(*claim_ids):
            return NOT_APPLICABLE
        if self.published_precision:
            texts, unit = [self.text(c) for c in claim_ids], "months"
        else:
            texts, unit = duration([self.value(c) for c in claim_ids])
        days = unit.startswith("day")  # another cohort's durations below a month
        shown = [self._span(c, t, f"{t} {unit}" if days else t)
                 for c, t in zip(claim_ids, texts, strict=True)]
        if len(texts) == 1:
            return f"{shown[0]} {unit}"
        if len(texts) == 2:
            return f"{value_range(*texts, shown=tuple(shown))} {unit}"
        return median_range(*texts, unit=f" {unit}", shown=tuple(shown))

    def between(self, low: str, high: str, sep: str = "–") -> str:
        """A minimum and a maximum as "3–7" (``sep`` between them: " to " for ratios,
        "1:0.9 to 1:1.5"), or "3" when they print alike, each in its span."""
        if not self.applies(low, high):
            return NOT_APPLICABLE
        texts = (self.text(low), self.text(high))
        return value_range(*texts, sep, (self._span(low, texts[0]), self._span(high, texts[1])))

    def p(self, claim_id: str) -> str:
        """A P value as a clause: "P = 0.2", "P < 0.001"."""
        if not self.applies(claim_id):
            return NOT_APPLICABLE
        return self._span(claim_id, p_clause(self.text(claim_id)), self.text(claim_id))

    def marked(self, claim_id: str, counts: bool = True) -> str:
        """The claim's text for a sentence: in its span (:func:`span`) when the document
        asked for spans, else plain (compare values with :meth:`text`, never this)."""
        return self._span(claim_id, self.text(claim_id, counts))

    def counted_as(self, claim_id: str, noun: str) -> str:
        """A count claim for a sentence, 'no patient' / '1 patient' / '3 patients' (``noun``
        in the singular), in its span when the document asked for spans."""
        n = int(self.value(claim_id))
        return self._span(claim_id, f"no {noun}" if n == 0 else plural(n, noun), str(n))

    def _span(self, claim_id: str, text: str, number: str | None = None) -> str:
        """``text`` in the claim's span when the document asked for spans; the number it
        shows (``number``, default ``text``) noted in :attr:`printed` for the popups."""
        self.printed.setdefault(claim_id, text if number is None else number)
        return span(claim_id, text) if self.spans else text

    def inline(self) -> dict:
        """Every claim as an IPython Markdown object for inline use in a Quarto document,
        wrapped in a span carrying its id (:func:`span`); claims that do not apply to the
        cohort print a visible note instead of a number."""
        from IPython.display import Markdown

        return {c: Markdown(span(c, self.text(c)) if self.applies(c) else NOT_APPLICABLE)
                for c in self.ledger}

    def counted(self, noun: str) -> dict:
        """Every count claim as Markdown 'no patient' / '1 patient' / '3 patients' (``noun``
        in the singular, the whole phrase in the claim's span), so that sentences read right
        for any count."""
        return self._counts(lambda n: f"no {noun}" if n == 0 else plural(n, noun))

    def counts(self) -> dict:
        """Every count claim as Markdown, the number in its span, or 'none' when zero (a
        count standing alone as subject or object: 'none needed vasopressors')."""
        return self._counts(lambda n: "none" if n == 0 else str(n))

    def _counts(self, words) -> dict:
        """Every count claim's value written by ``words`` (an int -> str), in its span."""
        from IPython.display import Markdown

        return {c.id: Markdown(span(c.id, words(int(self.value(c.id))))
                               if self.applies(c.id) else NOT_APPLICABLE)
                for c in self.ledger.values() if c.style == "count"}


def span(claim_id: str, text: str) -> str:
    """``text`` as a Pandoc bracketed span carrying its claim id, ``[3]{data-claim="id"}``:
    in HTML the span shows the number's provenance on hover or click (analysis/report/assets/
    claim-popup.html); PDF and Word print the text alone."""
    if not re.fullmatch(r"[\w.-]+", claim_id):
        raise ValueError(f"claim id {claim_id!r}: expected letters, digits, '_', '.' or '-'")
    return f'[{text}]{{data-claim="{claim_id}"}}'


SPAN = re.compile(r'\[((?:[^\[\]]|\[[^\]]*\])*)\]\{data-claim="([\w.-]+)"\}')  # text, claim id


def spanned_ids(texts: list[str]) -> set[str]:
    """The ids of the claims whose spans (:func:`span`) the texts hold."""
    return {m[2] for text in texts for m in SPAN.finditer(text)}


def unspanned(text: str) -> str:
    """``text`` with each claim span (:func:`span`) replaced by the text inside it."""
    return SPAN.sub(r"\1", text)
