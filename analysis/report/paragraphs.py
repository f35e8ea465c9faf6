"""Paragraphs of the paper that are assembled in code: the survival sentence, the IL-6
comparison, the named-patient course and expansion statements, the discussion and the
availability statement. Each takes the cohort's :class:`~analysis.ledger.claims.Claims`
(and what else it states) and returns Markdown; numbers carry their claim spans.
"""

from __future__ import annotations

from analysis.ledger.claims import Claims
from analysis.report import outcomes, prose


def survival(claims: Claims, efs_rule: str, article_reading: bool) -> str:
    """EFS and OS at 6 and 12 months: for a reconstruction (``article_reading``) under the
    readings the ledger compares, otherwise under the study's rule (:func:`prose.survival`);
    either way the values the cohort's ledger holds."""
    if not article_reading:
        return prose.survival(claims, efs_rule)
    n = claims.inline()
    return (
        f"EFS was {n['efs_6m'].data} at 6 months and {n['efs_12m'].data} at 12 months; OS was "
        f"{n['os_6m'].data} at 6 months and {n['os_12m'].data} at 12 months (@fig-course B). "
        "The 6-month estimate censors at transplantation, as the article states; the 12-month "
        "estimate counts relapse and death and ignores transplantation, a reading the article "
        "does not state: counting transplantation as an event cannot give the published value "
        "from the article's own facts, and censoring at transplantation gives it only for "
        "transplant dates the article does not report (see the audit in the supplement).")


def mann_whitney_note(claims: Claims) -> str:
    """What the group sizes of the IL-6 comparison allow the Mann-Whitney test to show, the
    sizes and the smallest attainable P value in their claim spans."""
    sizes = [int(claims.value(c)) for c in ("n_il6_fold_cart1", "n_il6_fold_cart2")]
    mw_sizes = f"{claims.marked('n_il6_fold_cart1')} and {claims.marked('n_il6_fold_cart2')}"
    if claims.applies("il6_fold_smallest_p"):
        return (f"With {mw_sizes} patients in the two groups the smallest P value the "
                f"exact test can give is {claims.marked('il6_fold_smallest_p')}.")
    if all(sizes):
        return (f"With {mw_sizes} patients in the two groups the normal approximation "
                "replaces the exact test.")
    return ("*The comparison needs IL-6 fold changes after both courses; this "
            "cohort lacks them, so it is left out.*")


def il6(claims: Claims) -> str:
    """IL-6 fold change and peak after CART1 and CART2, the test's reach, and the cytokine
    figure's last panels."""
    n = claims.inline()
    parts = []
    if claims.applies("il6_fold_cart1", "il6_fold_cart2", "il6_fold_p", "il6_peak_cart1",
                      "il6_peak_cart2", "il6_peak_p"):
        fold = [(f"il6_fold_cart{k}", f"{n[f'il6_fold_cart{k}'].data} after CART{k}")
                for k in (1, 2)]
        if any(prose.single(claims, c) for c, _ in fold):  # a group of one patient
            parts.append(
                f"The IL-6 fold change was {prose.medians(claims, fold)} "
                f"({claims.p('il6_fold_p')}), and the IL-6 peak "
                + prose.medians(claims, [(f"il6_peak_cart{k}", f"{n[f'il6_peak_cart{k}'].data}"
                                          f"{' pg/mL' if k == 2 else ''} after CART{k}")
                                         for k in (1, 2)])
                + f" ({claims.p('il6_peak_p')}; @fig-cytokines D–E).\n")
        else:
            parts.append(
                f"The median IL-6 fold change was {n['il6_fold_cart1'].data} after CART1 and "
                f"{n['il6_fold_cart2'].data} after CART2 ({claims.p('il6_fold_p')}), and the "
                f"median IL-6 peak {n['il6_peak_cart1'].data} against "
                f"{n['il6_peak_cart2'].data} pg/mL ({claims.p('il6_peak_p')}; "
                "@fig-cytokines D–E).\n")
    parts.append(" ".join([mann_whitney_note(claims),
                           "@fig-cytokines F–G sets IL-6 and IFN-γ beside the CAR copy number.",
                           prose.moved_with(claims)]))
    return "".join(parts)


def course_statements(claims: Claims) -> str:
    """The published cohort's antigen-negative relapses and named-patient course statements
    (pt01's relapse, pt03's MRD); for another cohort its own relapses, with their sites and
    antigens, and later courses (:func:`outcomes.after_cart2`)."""
    n = claims.inline()
    if claims.applies("pt01_relapse_months", "pt03_mrd_pre", "pt03_mrd_pre_day",
                      "pt03_mrd_neg_day", "pt03_mrd_last_day"):
        return (
            f"{prose.antigen_negative(claims)} In pt01 leukaemia returned {n['pt01_relapse_months'].data} months after CART2; the "
            "family declined transplantation, a third CAR-T was given, the disease relapsed again "
            "and treatment was stopped. In pt03, MRD fell from "
            f"{n['pt03_mrd_pre'].data}% on day {n['pt03_mrd_pre_day'].data} to below 0.01% on day "
            f"{n['pt03_mrd_neg_day'].data} and was still below 0.01% on day "
            f"{n['pt03_mrd_last_day'].data}, after transplantation (@fig-course D).")
    return outcomes.after_cart2(claims)


def expansion(claims: Claims) -> str:
    """CAR-T expansion by qPCR, with the published cohort's named-patient comparisons when
    they apply, else the cohort's own peak and decline (:func:`outcomes.copies_peak`)."""
    n, np_ = claims.inline(), claims.counted("patient")
    if claims.applies("pt03_peak_copies", "pt04_peak_copies", "pt05_copies_cart2",
                      "pt05_copies_cart1", "pt03_last_detected_day"):
        return (
            f"qPCR showed clear expansion in the {np_['n_expansion_qpcr'].data} with serial "
            f"samples, peaking at {n['pt03_peak_copies'].data} copies/µg DNA in pt03 and "
            f"{n['pt04_peak_copies'].data} copies/µg in pt04, by day {n['peak_day_latest'].data} "
            "after infusion, and then declining (@fig-expansion A). CAR copies were still "
            f"detectable in pt03 on day {n['pt03_last_detected_day'].data}. In pt04 the CD19 CAR "
            "expanded earlier, higher and for longer than the CD22 CAR (@fig-expansion B). In "
            f"pt05, {n['pt05_copies_cart2'].data} copies/µg were found on day "
            f"{n['pt05_copies_cart2_day'].data} after CART2, against "
            f"{n['pt05_copies_cart1'].data} on day {n['pt05_copies_cart1_day'].data} after CART1 "
            "(@fig-expansion C).")
    text = (f"qPCR showed expansion in {np_['n_expansion_qpcr'].data} with serial samples "
            "(@fig-expansion A).")
    return " ".join(filter(None, [text, outcomes.copies_peak(claims)]))


def discussion(claims: Claims, bundled: bool) -> str:
    """The discussion and conclusions of the published cohort, or a note that they are left
    out for another cohort."""
    if not bundled:
        return ("*The discussion and conclusions interpret the published cohort and are left "
                "out for this cohort; the results above are computed from its sheets.*")
    n = claims.inline()
    mw_sizes = f"{n['n_il6_fold_cart1'].data} and {n['n_il6_fold_cart2'].data}"
    return f"""
Repeating a CD19 CAR-T after relapse has given modest and short-lived responses in earlier
series [@gauthier2021; @holland2022; @wudhikarn2021]. In this small study every patient
reached MRD-negative CR after co-infused CD19 and CD22 CAR-T, CRS stayed at grade 2 or
below, and no neurotoxicity occurred. The median CART2 dose, {n["cart2_dose_median"].data}/kg,
was higher than the 1–3 × 10^6^/kg typical of other second-infusion reports, and higher
CAR-T doses have been linked with better outcomes without added toxicity [@stefanski2022;
@gauthier2021]. Targeting two antigens may also reduce escape through antigen loss
[@majzner2018]; no antigen-negative relapse was seen after CART2.

IL-6 rose more after CART2 than after CART1, consistent with stronger expansion, but the
comparison involves {mw_sizes} patients and cannot be significant at the 5% level.
Transplantation after CART2 was followed by continuing remission in all transplanted
patients, whereas of those not transplanted {n["n_no_hsct_died"].data} died and
follow-up was lost for {n["n_no_hsct_lost"].data}; with so few patients this supports,
but cannot establish, consolidation with allogeneic transplantation. The relapse after CART2 expressed both CD19 and CD22, which
points to insufficient CAR-T persistence or activity rather than antigen escape; low
antigen burden at infusion [@gardner2017] and immune responses against murine-derived
single-chain variable fragments [@turtle2016; @myers2021] are possible contributors.

The main limitations are the small number of patients and, for this compendium, that the
patient-level values are reconstructed rather than the trial's records: they were chosen
to fit the aggregates and per-patient facts the article states, values the article does not
constrain are imputed (see `data-raw/provenance.csv`), and the supplement's ledger says
which published values the stated methods reproduce and which they do not.

# Conclusions


Co-administration of CD19 and CD22 CAR-T cells as a second CAR-T was feasible and induced
MRD-negative remission in every treated child, with manageable toxicity, and offered a
bridge to transplantation.
"""


def availability(manifest: dict, revision: str, patients: str) -> str:
    """The data and code statement: fingerprints of the sheets and code, the revision, and
    ``patients`` ('5 patients', the claim ``n_patients_recorded`` as the document prints it)."""
    return (
        f"This document was computed from raw sheets with data fingerprint "
        f"`{manifest['data_fingerprint']}` (SHA-256 of the sheets, recorded in the "
        "`manifest.json` beside the cohort's derived tables), "
        f"analysis code fingerprint `{manifest['code_fingerprint']}` and compendium revision "
        f"`{revision}`, for {patients}. "
        "Every number above is computed by the `analysis` package; the supplement lists each "
        "published number beside the recomputed one.")
