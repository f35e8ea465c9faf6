"""The supplementary tables (Additional files 2-4), built from the derived tables.

Cells are Markdown: every value that comes from the sheets passes through
:func:`analysis.common.formatting.markdown_text`, so it prints as written and never as markup.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.common.formatting import markdown_text, recorded, render
from analysis.derivations.events import EFS_RULES
from analysis.derivations.store import Tables
from analysis.ledger.claims import Claims, span
from analysis.results.descriptive import cr_marrow_gaps

CYTOKINES = ["IL-2", "IL-4", "IL-6", "IL-10", "IL-17A", "IFN-gamma", "TNF-alpha"]


def _dose(value: float) -> str:
    return "–" if pd.isna(value) else render(value, "sig:3")


def _number(value: float, digits: int = 2) -> str:
    return "–" if pd.isna(value) else render(value, f"decimals:{digits}")


def _course(tables: Tables, course: int) -> pd.DataFrame:
    rows = tables["adcourse"]
    return rows[rows["course"] == course].set_index("patient_id")


def _pre_mrd(tables: Tables, course: int) -> pd.Series:
    rows = tables["adrs"]
    rows = rows[(rows["course"] == course) & (rows["study_day"] < 0)].dropna(subset=["mrd_pct"])
    first = rows.sort_values("study_day").groupby("patient_id").first()
    return first["mrd_qualifier"].fillna("") + first["mrd_pct"].map(recorded) + "%"


def _text(values: pd.Series) -> pd.Series:
    """Sheet text as literal Markdown; missing values as '–'."""
    return values.map(lambda v: "–" if pd.isna(v) else markdown_text(v))


def table1(tables: Tables) -> pd.DataFrame:
    """Patient characteristics and response to CART1 (one row per patient)."""
    adsl = tables["adsl"].set_index("patient_id")
    cart1 = _course(tables, 1).reindex(adsl.index)
    table = pd.DataFrame({
        "Patient": _text(adsl.index.to_series()),
        "Sex": _text(adsl["sex"]),
        "Age at diagnosis (y)": adsl["age_at_diagnosis_years"].map(_number),
        "Cytogenetics": _text(adsl["cytogenetics"]),
        "CNS status": _text(adsl["cns_status_pre_cart1"]),
        "Extramedullary disease": _text(adsl["extramedullary_pre_cart1"]),
        "MRD before CART1": _pre_mrd(tables, 1).reindex(adsl.index).fillna("–"),
        "Burden": adsl["burden_pre_cart1"],
        "Age at CART1 (y)": cart1["age_years"].map(_number),
        "CART1 dose (cells/kg)": cart1["dose_total_per_kg"].map(_dose),
        "Response to CART1": np.where(cart1["best_mrd_negative_cr"].fillna(False).astype(bool),
                                      "MRD-negative CR", "no MRD-negative CR"),
        "BCA after CART1 (mo)": cart1["bca_months"].map(_number),
        "Relapse after CART1": _text(adsl["relapse_cart1_site"]) + " (CD19"
        + adsl["relapse_cart1_cd19"].map({"positive": "+", "negative": "−"}).fillna("?") + ")",
        "CART1 to relapse (mo)": adsl["cart1_to_relapse_months"].map(_number),
    })
    return table.reset_index(drop=True)


def table2(tables: Tables) -> pd.DataFrame:
    """Disease status and outcomes at CART2 (one row per patient with a CART2)."""
    adsl = tables["adsl"].set_index("patient_id")
    cart2 = _course(tables, 2)
    adsl = adsl.reindex(cart2.index)
    table = pd.DataFrame({
        "Patient": _text(cart2.index.to_series()),
        "Age at CART2 (y)": cart2["age_years"].map(_number),
        "CART1 to CART2 (mo)": adsl["cart1_to_cart2_months"].map(_number),
        "MRD before CART2": _pre_mrd(tables, 2).reindex(cart2.index).fillna("–"),
        "CD19 dose (cells/kg)": cart2["dose_cd19_per_kg"].map(_dose),
        "CD22 dose (cells/kg)": cart2["dose_cd22_per_kg"].map(_dose),
        "Total dose (cells/kg)": cart2["dose_total_per_kg"].map(_dose),
        "vs CART1": cart2["dose_vs_previous"].fillna("–"),
        "CRS grade": cart2["crs_grade"].map(lambda g: "–" if pd.isna(g) else str(int(g))),
        "Neurotoxicity": cart2["neurotoxicity_grade"].map(
            lambda g: "–" if pd.isna(g) else ("none" if g == 0 else f"grade {int(g)}")),
        "Response": np.where(cart2["best_mrd_negative_cr"].fillna(False).astype(bool),
                             "MRD-negative CR", "no MRD-negative CR"),
        "BCA (mo)": cart2["bca_months"].map(_number),
        "HSCT after CART2": np.where(adsl["hsct_after_cart2"].astype(bool), "yes", "no"),
        "Status at cut-off": adsl["status_at_cutoff"],
        "Follow-up (mo)": cart2["follow_up_months"].map(lambda v: _number(v, 1)),
    })
    return table.reset_index(drop=True)


def table_s1(tables: Tables) -> pd.DataFrame:
    """Peak serum cytokines after CART2 (pg/mL), one row per patient with cytokine data."""
    labs = tables["adlb"]
    rows = labs[(labs["course"] == 2) & labs["parameter"].isin(CYTOKINES)
                & (labs["study_day"] >= 0)]
    if rows.empty:
        return pd.DataFrame(columns=["Patient", *CYTOKINES])
    peaks = rows.pivot_table(index="patient_id", columns="parameter", values="value",
                             aggfunc="max").reindex(columns=CYTOKINES)
    table = peaks.map(lambda v: "–" if pd.isna(v) else recorded(v))
    table.columns = [c.replace("-gamma", "-γ").replace("-alpha", "-α") for c in table.columns]
    table.index = _text(table.index.to_series())
    return table.rename_axis("Patient").reset_index()


def claim_cells_caption(reconstruction: bool) -> str:
    """The caption of the supplement's raw cells per claim: a reconstruction's table splits
    them by basis too (its provenance file gives each cell's), a team's records by how they
    were read only."""
    read = ("the cells behind the values read (with their rows' keys) and those read only to "
            "select rows")
    if not reconstruction:
        return (f"Raw cells behind each published number: all of them, then {read}, which add "
                "up to the total; these are the cells each category is computed from.")
    return (f"Raw cells behind each published number: all of them, {read}; and by basis "
            "(stated in the article, derived from stated values, imputed or blank). Each split "
            "adds up to the total; these are the cells each category is computed from.")


def markdown(table: pd.DataFrame, max_columns: int = 8) -> str:
    """Pipe tables for the documents; a wide table is split into parts of at most
    ``max_columns`` columns, each repeating the first (identifying) column, so every part
    fits the page width. Cells are printed as built, never parsed as numbers and printed
    again ("6.00" stays "6.00", not "6"); a column of numbers only is right-aligned."""
    first, rest = table.columns[0], list(table.columns[1:])
    size = max_columns - 1
    parts = [table[[first, *rest[i:i + size]]] for i in range(0, max(len(rest), 1), size)]
    return "\n\n".join(part.to_markdown(index=False, disable_numparse=True,
                                         colalign=_alignment(part)) for part in parts)


def _alignment(table: pd.DataFrame) -> list[str]:
    """"right" for each column whose every cell reads as a number, else "left"."""
    return ["right" if pd.to_numeric(table[c].astype(str), errors="coerce").notna().all()
            else "left" for c in table.columns]


def superscript_powers(text: pd.Series) -> pd.Series:
    """'1.1 × 10^7' as Pandoc markup for a superscript exponent ('10^7^')."""
    return text.str.replace(r"10\^(-?\d+)(?!\^)", r"10^\1^", regex=True)


def claimed(ids: pd.Series, texts: pd.Series) -> pd.Series:
    """Each text in the span of the claim on its row (:func:`analysis.ledger.claims.span`):
    in HTML it opens the claim's provenance; PDF and Word print the text alone."""
    return pd.Series([span(i, t) for i, t in zip(ids, texts, strict=True)], index=texts.index)


def literal_with_powers(text: pd.Series) -> pd.Series:
    """Text printed as written (see markdown_text), except that powers of ten ('10^7',
    '10^-3') become superscripts."""
    escaped = text.map(markdown_text)
    return escaped.str.replace(r"10\\\^(\\-)?(\d+)", lambda m: f"10^{'-' if m[1] else ''}{m[2]}^",
                               regex=True)


def pipe_table(table: pd.DataFrame, widths: list[int]) -> str:
    """A pipe table whose columns take the given relative widths of the page (Pandoc reads
    them from the dashes under the header when a line is longer than its column limit: 72
    by default, 400 in qmdrender, so the rule is made 500 dashes long)."""
    lines = table.to_markdown(index=False).splitlines()
    rules = []
    for rule, width in zip(lines[1].strip("|").split("|"), widths, strict=True):
        dashes = "-" * max(3, width * 500 // sum(widths))
        rules.append((":" if rule.startswith(":") else "") + dashes
                     + (":" if rule.endswith(":") else ""))
    lines[1] = "|" + "|".join(rules) + "|"
    return "\n".join(lines)


def table1_notes(tables: Tables, claims: Claims | None = None) -> list[str]:
    """Footnotes of Table 1, from the data: CSF findings and testicular disease before CART1,
    each number the per-patient claim of claims.yaml as ``claims`` print it (in its span when
    they carry spans; default the cohort policy)."""
    claims = claims or Claims(tables, published_precision=False)
    notes = []
    for _, row in tables["adsl"].iterrows():
        patient = row["patient_id"]
        if pd.notna(row["csf_blasts_pre_cart1_pct"]):
            wbc = (claims.marked(claims.of_patient("csf_wbc_recorded", patient))
                   if pd.notna(row["csf_wbc_pre_cart1_per_mm3"]) else None)
            count = f" white cell count {wbc}/mm³ and" if wbc else ""
            blasts = claims.marked(claims.of_patient("csf_blasts_recorded", patient))
            notes.append(f"{markdown_text(patient)}: CSF flow cytometry before CART1 showed{count} "
                         f"immature cells {blasts}% of nucleated cells.")
        if str(row["extramedullary_pre_cart1"]).lower() == "testis":
            notes.append(f"{markdown_text(row['patient_id'])}: leukaemic infiltration of the testis before "
                         "CART1.")
    return notes


def table2_notes(tables: Tables, claims: Claims | None = None) -> list[str]:
    """Footnotes of Table 2, from the data: CART2 given in remission; later CAR-T courses;
    the status in CR at the cut-off (:func:`cr_at_cutoff_note`), the numbers from ``claims``
    (default the cohort policy)."""
    claims = claims or Claims(tables, published_precision=False)
    notes = []
    adrs = tables["adrs"]
    pre = adrs[(adrs["course"] == 2) & (adrs["study_day"] < 0)].sort_values("study_day")
    first = pre.groupby("patient_id").first()
    for patient in first.index[first["mrd_negative_cr"].fillna(False).astype(bool)]:
        notes.append(f"{markdown_text(patient)}: in MRD-negative CR at the first marrow "
                     "assessment before CART2.")
    later = tables["adcourse"][tables["adcourse"]["course"] > 2]
    events = tables["adevents"]
    relapsed = set(events.loc[(events["event"] == "relapse") & (events["after_course"] == 2),
                              "patient_id"])
    for patient in sorted(later["patient_id"].unique()):
        again = "relapsed after CART2 and " if patient in relapsed else ""
        later_courses = claims.of_patient("later_courses", patient)
        notes.append(f"{markdown_text(patient)}: {again}"
                     f"received {claims.counted_as(later_courses, 'further CAR-T course')}.")
    inferred = cr_at_cutoff_note(tables, claims)
    return notes + ([inferred] if inferred else [])


def cr_at_cutoff_note(tables: Tables, claims: Claims | None = None) -> str | None:
    """How the status 'in CR' at the cut-off rests on the sheets: on no relapse, death or
    loss recorded after the last marrow, which can lie months before the end of follow-up
    (the claims ``cr_cutoff_marrow_gap_min`` and ``_max`` as ``claims`` print them; default
    the cohort policy)."""
    gaps = cr_marrow_gaps(tables)
    if gaps.empty:
        return None
    claims = claims or Claims(tables, published_precision=False)
    between = claims.between("cr_cutoff_marrow_gap_min", "cr_cutoff_marrow_gap_max")
    return (f"Status 'in CR' at the cut-off ({', '.join(gaps.index.map(markdown_text))}) is inferred, not "
            "observed: no relapse, death or loss to follow-up is recorded after the last "
            f"marrow assessment, which was {between} months before the end of follow-up.")


DAGGER = "†"
DAGGER_NOTE = (f"{DAGGER}: imputed by the reconstruction: at least one raw value behind this "
               "cell is not given by the article for this patient (data-raw/provenance.csv).")

# Display column -> (derived table, derived columns, course, first pre-infusion row only);
# course None: the patient's row of a per-patient table. Table S1: see table_s1_sources.
TABLE1_SOURCES = {
    "Sex": ("adsl", ["sex"], None, False),
    "Age at diagnosis (y)": ("adsl", ["age_at_diagnosis_years"], None, False),
    "Cytogenetics": ("adsl", ["cytogenetics"], None, False),
    "CNS status": ("adsl", ["cns_status_pre_cart1"], None, False),
    "Extramedullary disease": ("adsl", ["extramedullary_pre_cart1"], None, False),
    "MRD before CART1": ("adrs", ["mrd_pct"], 1, True),
    "Burden": ("adsl", ["burden_pre_cart1"], None, False),
    "Age at CART1 (y)": ("adcourse", ["age_years"], 1, False),
    "CART1 dose (cells/kg)": ("adcourse", ["dose_total_per_kg"], 1, False),
    "Response to CART1": ("adcourse", ["best_mrd_negative_cr"], 1, False),
    "BCA after CART1 (mo)": ("adcourse", ["bca_months"], 1, False),
    "Relapse after CART1": ("adsl", ["relapse_cart1_site", "relapse_cart1_cd19"], None, False),
    "CART1 to relapse (mo)": ("adsl", ["cart1_to_relapse_months"], None, False),
}
TABLE2_SOURCES = {
    "Age at CART2 (y)": ("adcourse", ["age_years"], 2, False),
    "CART1 to CART2 (mo)": ("adsl", ["cart1_to_cart2_months"], None, False),
    "MRD before CART2": ("adrs", ["mrd_pct"], 2, True),
    "CD19 dose (cells/kg)": ("adcourse", ["dose_cd19_per_kg"], 2, False),
    "CD22 dose (cells/kg)": ("adcourse", ["dose_cd22_per_kg"], 2, False),
    "Total dose (cells/kg)": ("adcourse", ["dose_total_per_kg"], 2, False),
    "vs CART1": ("adcourse", ["dose_vs_previous"], 2, False),
    "CRS grade": ("adcourse", ["crs_grade"], 2, False),
    "Neurotoxicity": ("adcourse", ["neurotoxicity_grade"], 2, False),
    "Response": ("adcourse", ["best_mrd_negative_cr"], 2, False),
    "BCA (mo)": ("adcourse", ["bca_months"], 2, False),
    "HSCT after CART2": ("adsl", ["hsct_after_cart2"], None, False),
    "Status at cut-off": ("adsl", ["status_at_cutoff"], None, False),
    "Follow-up (mo)": ("adcourse", ["follow_up_months"], 2, False),
}


def table_s1_sources() -> dict:
    """Table S1's sources: each cytokine's values after infusion in the course (adlb)."""
    return {name.replace("-gamma", "-γ").replace("-alpha", "-α"): ("adlb", ["value"], 2, name)
            for name in CYTOKINES}


def _source_rows(tables: Tables, table: str, patient: str, course: int | None,
                 first_pre: bool | str) -> list[int]:
    """Row positions of ``table`` behind one patient's cell (see TABLE1_SOURCES); a string
    instead of ``first_pre`` names a lab parameter, read after infusion."""
    frame = tables[table]
    rows = frame[frame["patient_id"] == patient]
    if course is not None:
        rows = rows[rows["course"] == course]
    if isinstance(first_pre, str):
        return list(rows[(rows["parameter"] == first_pre) & (rows["study_day"] >= 0)].index)
    if first_pre:
        rows = rows[rows["study_day"] < 0].dropna(subset=["mrd_pct"]).sort_values(
            "study_day").head(1)
    return list(rows.index)


def imputed_cells(table: pd.DataFrame, spec: dict, tables: Tables, lineage,
                  basis: pd.DataFrame) -> pd.DataFrame:
    """For each cell of a per-patient table (first column: patient), whether a raw value
    behind it is imputed (the key columns that find a raw row are not counted): ``spec``
    maps display columns to their derived sources, ``lineage`` is
    :func:`analysis.provenance.sources.cohort_lineage`, ``basis``
    :func:`analysis.provenance.cells.cell_rules`."""
    imputed = {(sheet, row, column) for sheet, row, column in basis.loc[
        basis["basis"] == "imputed", ["sheet", "row", "column"]].itertuples(
            index=False, name=None) if column not in lineage.keys.get(sheet, ())}
    marks = pd.DataFrame(False, index=table.index, columns=table.columns)
    if not imputed:  # a team's own records, or a synthetic cohort
        return marks
    for index, patient in table.iloc[:, 0].items():
        for column, (source, columns, course, first_pre) in spec.items():
            rows = _source_rows(tables, source, patient, course, first_pre)
            raw = set().union(*(lineage.raw_cells(source, c, rows) for c in columns))
            marks.loc[index, column] = bool(raw & imputed)
    return marks


def mark(table: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    """The table with a dagger after every marked, non-empty cell."""
    return table.where(~marks | (table == "–"), table.astype(str) + DAGGER)


EFS_MONTHS = (6, 12)  # the time points of claims.yaml's efs_rule_<rule>_<m>m entries


def efs_by_rule(tables: Tables, study_rule: str, claims: Claims | None = None) -> pd.DataFrame:
    """EFS under every rule of :data:`analysis.derivations.events.EFS_RULES` side by side:
    events of patients, and the Kaplan-Meier estimate (%) at each of :data:`EFS_MONTHS`, each
    number the ``computed:`` claim ``efs_rule_<rule>_events`` (``_patients``, ``_6m``, ...)
    as ``claims`` print it (in its span when they carry spans; default the cohort policy);
    each rule in the words of the study sheet's dictionary, the study's rule marked."""
    claims = claims or Claims(tables, published_precision=False)
    rows = []
    for rule, text in EFS_RULES.items():
        ids = {part: f"efs_rule_{rule}_{part}" for part in
               ["events", "patients", *(f"{m}m" for m in EFS_MONTHS)]}
        missing = sorted(i for i in ids.values() if i not in claims.ledger)
        if missing:
            raise LookupError(f"claims.yaml: no computed entry {missing} for the EFS rule "
                              f"{rule!r} of the study sheet's dictionary")
        row = {"rule": text[0].upper() + text[1:] + (" (the study's rule)"
                                                     if rule == study_rule else ""),
               "events": f"{claims.marked(ids['events'])} of {claims.marked(ids['patients'])}"}
        for m in EFS_MONTHS:
            row[f"{m} months"] = (claims.marked(ids[f"{m}m"], counts=False)
                                  if claims.applies(ids[f"{m}m"]) else "–")
        rows.append(row)
    return pd.DataFrame(rows)
