"""Sentences about what followed CART2, worded from any cohort's results: relapses after
CART2 and their sites and antigens, later CAR-T courses and their outcome, and the CAR copy
number's latest peak and the decline after it.

For the published cohort the paper states these facts for named patients (pt01's relapse,
pt03's copies); :mod:`analysis.report.paragraphs` prints those claims. Any other cohort gets
these sentences instead, computed from its derived tables, so no sentence names a published
patient or carries one of their facts.
"""

from __future__ import annotations

from analysis.ledger.claims import Claims

SITES = {"marrow": "in the marrow only", "extramedullary": "extramedullary only",
         "combined": "in the marrow and elsewhere"}  # claim relapse_cart2_<key> -> words
ORDINALS = {3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth",
            9: "ninth"}  # the courses claims.yaml counts (course<n>_patients)
STATUSES = {"in_cr": "in MRD-negative CR", "in_cr_mrd": "in CR with detectable MRD",
            "died": "dead", "lost": "lost to follow-up", "active": "with active disease",
            "relapsed": "in relapse"}  # claim later_course_status_<key> -> words


def _series(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _count(claims: Claims, claim_id: str) -> int:
    return int(claims.value(claim_id))


def _after(claims: Claims, stem: str, n: int) -> str:
    """When, after the infusion: "4.0 months after infusion" (one patient), "a median of
    5.0 months (3.0–9.0) after infusion" (the range left out when it is one value)."""
    if n == 1:
        return f"{claims.duration(f'{stem}_median')} after infusion"
    return f"a median of {claims.duration(*(f'{stem}_{s}' for s in ('median', 'min', 'max')))}" \
        " after infusion"


def relapses_after(claims: Claims) -> str:
    """Relapses after CART2: how many patients, when, where and with which antigen lost."""
    n = _count(claims, "relapse_cart2_patients")
    if n == 0:
        return "No patient relapsed after CART2."
    places = [_by(claims, f"relapse_cart2_{key}", words, n) for key, words in SITES.items()
              if _count(claims, f"relapse_cart2_{key}")]
    where = _series(places) if places else ""
    lost = [f"{antigen}-negative" if n == 1 else f"{antigen}-negative disease in "
            f"{claims.marked(f'relapse_cart2_{antigen.lower()}_negative')}"
            for antigen in ("CD19", "CD22")
            if _count(claims, f"relapse_cart2_{antigen.lower()}_negative")]
    if lost:
        antigens = f"with {_series(lost)} disease" if n == 1 else _series(lost)
    elif _count(claims, "relapse_cart2_both_expressed") == n:
        antigens = ("with" if n == 1 else "each with") + " CD19 and CD22 still expressed"
    else:
        antigens = ""
    text = (f"After CART2, {claims.counted_as('relapse_cart2_patients', 'patient')} relapsed, "
            f"{_after(claims, 'relapse_cart2_months', n)}")
    if n == 1:
        return text + "".join(f", {p}" for p in (where, antigens) if p) + "."
    return text + (f": {where}" if where else "") + (f"; {antigens}" if antigens else "") + "."


def _by(claims: Claims, claim_id: str, words: str, total: int) -> str:
    """'in the marrow only' for one patient's relapse, 'in the marrow only in 2' among
    several, 'all in the marrow only' for every one of several."""
    if total == 1:
        return words
    if _count(claims, claim_id) == total:
        return f"all {words}"
    return f"{words} in {claims.marked(claim_id)}"

def later_courses(claims: Claims) -> str:
    """Who received CAR-T courses after CART2, and what followed the last one."""
    given = {c: _count(claims, f"course{c}_patients") for c in ORDINALS}
    courses = [c for c, k in given.items() if k]
    if not courses:
        return "No patient received a CAR-T course after CART2."
    first = claims.counted_as(f"course{courses[0]}_patients", "patient")
    if len({given[c] for c in courses}) == 1:  # the same patients received each
        text = (_series([f"a {ORDINALS[c]}" for c in courses]) + " CAR-T course "
                + ("was" if len(courses) == 1 else "were") + f" given to {first}")
    else:  # a later course implies every one before it
        text = (f"a {ORDINALS[courses[0]]} CAR-T course was given to {first}"
                + "".join(f", a {ORDINALS[c]} to {claims.marked(f'course{c}_patients')} of them"
                          for c in courses[1:]))
    states = [(f"later_course_status_{key}", words) for key, words in STATUSES.items()
              if _count(claims, f"later_course_status_{key}")]
    verb = " was " if _count(claims, states[0][0]) == 1 else " were "  # agrees with the first
    at_cutoff = _series([f"{claims.marked(c)}{verb if i == 0 else ' '}{words}"
                         for i, (c, words) in enumerate(states)])
    who = "it" if len(courses) == 1 else "the last of them"
    return (f"{text[0].upper()}{text[1:]}. After {who}, "
            f"{claims.counted_as('later_course_cr', 'patient')} reached MRD-negative CR and "
            f"{claims.counted_as('later_course_relapsed', 'patient')} relapsed; at the "
            f"cut-off, {at_cutoff}.")


def after_cart2(claims: Claims) -> str:
    """The course after CART2, for a cohort other than the published one: relapses and later
    courses, pointing at the swimmer plot and the MRD panel."""
    return (f"{relapses_after(claims)} {later_courses(claims)} @fig-course A shows each "
            "patient's course and @fig-course D the marrow MRD around CART2.")


def copies_peak(claims: Claims) -> str:
    """The CAR copy number after CART2 among patients with serial samples (claims
    ``n_expansion_qpcr``, ``peak_day_latest`` and ``copies_*``): the median peak, the latest
    peak and how far the copies fell after it."""
    n = _count(claims, "n_expansion_qpcr")
    if n == 0:
        return ""
    day = claims.marked("peak_day_latest")
    if n > 1:
        text = (f"Copies peaked at a median of {claims.marked('copies_peak_median')} "
                f"copies/µg DNA, by day {day} at the latest")
    else:
        text = (f"Copies peaked at {claims.marked('copies_latest_peak_value')} copies/µg DNA "
                f"on day {day}")
    if not claims.applies("copies_after_peak_share"):
        return text + "; no sample follows the latest peak."
    share, last = claims.value("copies_after_peak_share"), claims.marked("copies_after_peak_day")
    if share == 0:
        text += f"; after the latest peak (day {day}) they were below detection by day {last}"
    elif share < 100:
        text += (f"; after the latest peak (day {day}) they fell to "
                 f"{claims.marked('copies_after_peak_share')}% of it by day {last}")
    else:
        text += f"; after the latest peak (day {day}) they had not fallen by day {last}"
    fell = _count(claims, "copies_fell_patients")
    among = ("in each patient" if fell == n else f"in {claims.marked('copies_fell_patients')} "
             f"of the {claims.counted_as('n_expansion_qpcr', 'patient')}")
    return text + f"; copies fell at every sample after the peak {among}."
