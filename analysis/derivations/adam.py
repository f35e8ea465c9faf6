"""The derived tables, in the shapes clinical statisticians know (CDISC ADaM-like).

- ``adsl``: one row per patient (baseline, first relapse, transplantation, status);
- ``adcourse``: one row per patient and CAR-T course (doses, toxicity, response, biomarkers);
- ``adrs``: one row per disease assessment (marrow status, MRD, remission);
- ``adlb``: one row per lab sample and parameter (long, with study day);
- ``adevents``: one row per clinical event, with months from the course before it;
- ``adtte``: one row per patient, parameter (OS, EFS) and censoring rule, from CART2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derivations import dosing, events, labs, origin, response, timing, toxicity
from analysis.derivations.origin import from_column, note

KEYS = ["patient_id", "course"]
INDEX_COURSE = 2  # time-to-event rows start at the second CAR-T infusion (CART2)


def derive_tables(cohort: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """All derived tables from the validated raw sheets (see analysis.sheets.cohort.read_cohort)."""
    adrs = derive_adrs(cohort)
    adlb = labs.long_labs(cohort)
    adevents = derive_adevents(cohort)
    adcourse = derive_adcourse(cohort, adrs, adlb)
    adsl = derive_adsl(cohort, adrs, adevents)
    adtte = derive_adtte(cohort, adrs, adcourse)
    tables = {"adsl": adsl, "adcourse": adcourse, "adrs": adrs, "adlb": adlb,
              "adevents": adevents, "adtte": adtte}
    return {name: _as_written(frame.reset_index(drop=True)) for name, frame in tables.items()}


SIGNIFICANT = 10  # digits the derived tables are written with (store.write_table, %.10g)


def _as_written(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every float at :data:`SIGNIFICANT` significant digits, as it is
    written and read back: no binary noise of a unit conversion survives (0.03 ng/mL times
    1000 is 30.000000000000004 in floating point, written 30), so the tables in memory
    give the same ties, ranks and comparisons as the tables on disk."""
    out = frame.copy()
    for name in out.columns[[pd.api.types.is_float_dtype(t) for t in out.dtypes]]:
        values = out[name].to_numpy()
        finite = np.isfinite(values) & (values != 0)
        exponent = np.floor(np.log10(np.abs(values, where=finite, out=np.ones_like(values))))
        shift = (SIGNIFICANT - 1 - exponent).astype(int)
        up, down = 10.0 ** np.clip(shift, 0, None), 10.0 ** np.clip(-shift, 0, None)
        rounded = np.round(values * up / down) * down / up
        out[name] = np.where(finite, rounded, values)
    return out


def _infusions(cohort) -> pd.DataFrame:
    """Infusion date of each course, with the line of its courses row."""
    return cohort["courses"][[*KEYS, "infusion_date", "_row"]].rename(
        columns={"_row": from_column("courses")})


def derive_lineage(cohort: dict[str, pd.DataFrame]
                   ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The derived tables and, per table, the raw rows behind each row and column (see
    :mod:`analysis.derivations.origin`)."""
    with origin.recording() as notes:
        tables = derive_tables(cohort)
    return tables, origin.lineage_frames(notes, tables)


def derive_adrs(cohort) -> pd.DataFrame:
    """Disease assessments with study day, marrow status, MRD negativity and remission."""
    frame = cohort["assessments"].merge(_infusions(cohort), on=KEYS, how="left")
    frame["study_day"] = timing.study_day(frame["assessment_date"], frame["infusion_date"])
    frame = frame.rename(columns={"bm_blasts": "bm_blasts_pct", "mrd": "mrd_pct"})
    frame["marrow_status"] = response.marrow_status(frame["bm_blasts_pct"])
    frame["mrd_negative"] = response.mrd_negative(frame["mrd_pct"], frame["mrd_qualifier"])
    frame["cr"] = response.complete_remission(frame["bm_blasts_pct"], frame["mrd_pct"],
                                              frame["csf"], frame["extramedullary"])
    frame["mrd_negative_cr"] = frame["cr"] & frame["mrd_negative"]
    note("adrs", frame, "assessments", ["_row"])
    note("adrs", frame, "courses", ["_row"], line=from_column("courses"))
    columns = [*KEYS, "visit", "assessment_date", "study_day", "bm_blasts_pct",
               "bm_blasts_qualifier", "marrow_status", "mrd_pct", "mrd_qualifier",
               "mrd_negative", "csf", "extramedullary", "cr", "mrd_negative_cr", "_row"]
    return frame[columns].sort_values([*KEYS, "study_day"], kind="stable")


def derive_adevents(cohort) -> pd.DataFrame:
    """Clinical events with the months (30-day) since the infusion of the course before them."""
    infusions = _infusions(cohort).rename(columns={"course": "after_course"})
    frame = cohort["events"].merge(infusions, on=["patient_id", "after_course"], how="left")
    frame["days_from_course"] = timing.days_between(frame["infusion_date"], frame["event_date"])
    frame["months_from_course"] = timing.months_from_days(frame["days_from_course"])
    note("adevents", frame, "events", ["_row"])
    note("adevents", frame, "courses", ["_row"], line=from_column("courses"))
    columns = ["patient_id", "event", "event_date", "after_course", "days_from_course",
               "months_from_course", "site", "cd19", "cd22", "_row"]
    return frame[columns].sort_values(["patient_id", "event_date", "event"], kind="stable")


def derive_adcourse(cohort, adrs: pd.DataFrame, adlb: pd.DataFrame) -> pd.DataFrame:
    """One row per patient and course: age, doses, lymphodepletion, CRS, IL-6, response, BCA."""
    patients = cohort["patients"][["patient_id", "age_at_diagnosis", "diagnosis_date", "_row"]]
    courses = cohort["courses"].merge(
        patients.rename(columns={"_row": from_column("patients")}), on="patient_id")
    note("adcourse", courses, "courses", KEYS)
    note("adcourse", courses, "patients", KEYS, line=from_column("patients"))
    frame = courses[[*KEYS, "infusion_date", "weight", "bsa"]].rename(
        columns={"weight": "weight_kg", "bsa": "bsa_m2"})
    frame["age_years"] = timing.age_at(courses["age_at_diagnosis"], courses["diagnosis_date"],
                                       courses["infusion_date"])
    products = dosing.product_doses(cohort["products"], cohort["courses"])
    doses = dosing.course_doses(products)
    note("adcourse", products, "products", KEYS, columns=list(doses.columns.drop(KEYS)))
    doses["dose_vs_previous"] = dosing.dose_vs_previous(doses)
    _note_previous_course(cohort, products, doses)
    frame = frame.merge(doses, on=KEYS, how="left")
    ld = dosing.ld_intensity(cohort["lymphodepletion"], cohort["courses"])
    for drug, given in cohort["lymphodepletion"].groupby("drug"):
        note("adcourse", given, "lymphodepletion", KEYS,
             columns=[c for c in ld.columns if c.startswith(f"{drug}_")])
    frame = frame.merge(ld, on=KEYS, how="left")
    frame = frame.merge(_crs(cohort["crs"]), on=KEYS, how="left")
    frame = frame.merge(_il6(adlb), on=KEYS, how="left")
    frame = frame.merge(_best_response(adrs), on=KEYS, how="left")
    bca = labs.bca_duration(labs.b_cell_aplasia(adlb))
    b_cells = labs.b_cell_rows(adlb)
    for sheet, rows in b_cells[b_cells["study_day"] > 0].groupby("source"):
        note("adcourse", rows, sheet, KEYS, columns=list(bca.columns.drop(KEYS)))
    frame = frame.merge(bca, on=KEYS, how="left")
    end = events.end_of_follow_up(cohort["events"], cohort["patients"]["patient_id"],
                                  _cutoff(cohort))
    note("adcourse", events.last_known(cohort["events"]), "events", ["patient_id"],
         columns=["follow_up_months"])
    note("adcourse", cohort["study"], "study", [], columns=["follow_up_months"])
    frame["follow_up_months"] = timing.months_from_days(
        timing.days_between(frame["infusion_date"], frame["patient_id"].map(end)))
    return frame.sort_values(KEYS, kind="stable")


def _note_previous_course(cohort, products: pd.DataFrame, doses: pd.DataFrame) -> None:
    """The comparison with the previous course reads that course's products and weight."""
    ordered = doses.sort_values(KEYS)
    previous = ordered.assign(previous=ordered.groupby("patient_id")["course"].shift())
    pairs = previous.dropna(subset=["previous"])[[*KEYS, "previous"]]
    for sheet, rows in [("products", products), ("courses", cohort["courses"])]:
        read = pairs.merge(rows[["patient_id", "course", "_row"]].rename(
            columns={"course": "previous"}), on=["patient_id", "previous"])
        note("adcourse", read, sheet, KEYS, columns=["dose_vs_previous"])
    note("adcourse", products, "products", KEYS, columns=["dose_vs_previous"])


def _crs(crs: pd.DataFrame) -> pd.DataFrame:
    frame = crs.drop(columns="_row").rename(columns={"max_temperature": "max_temperature_c"})
    frame["crs_grade"] = toxicity.crs_grade(frame["max_temperature_c"], frame["hypotension"],
                                            frame["vasopressors"], frame["oxygen"])
    frame["crs_duration_days"] = toxicity.crs_duration_days(frame["crs_onset_day"],
                                                            frame["crs_resolution_day"])
    note("adcourse", crs, "crs", KEYS, columns=list(frame.columns.drop(KEYS)))
    return frame


def _il6(adlb: pd.DataFrame) -> pd.DataFrame:
    il6 = adlb[adlb["parameter"] == "IL-6"]
    peak_rows, baseline_rows = labs.peak_rows(il6), labs.baseline_rows(il6)
    peak = peak_rows.set_index(labs.KEYS)["value"].sort_index()
    baseline = baseline_rows.set_index(labs.KEYS)["value"]
    out = pd.DataFrame({
        "il6_baseline_pg_ml": baseline.reindex(peak.index),
        "il6_peak_pg_ml": peak,
        "il6_fold_change": labs.fold_change(peak, baseline),
    })
    for rows, columns in [(baseline_rows, ["il6_baseline_pg_ml", "il6_fold_change"]),
                          (peak_rows, ["il6_peak_pg_ml", "il6_fold_change"])]:
        note("adcourse", rows, "cytokines", KEYS, columns=columns)
    return out.reset_index().drop(columns="parameter")


def _after_infusion(adrs: pd.DataFrame) -> pd.DataFrame:
    """Assessments from the day of their course's infusion on (those that count for
    response)."""
    return adrs[adrs["study_day"] >= 0]


def _reached(after: pd.DataFrame) -> pd.DataFrame:
    """Per assessment on or after the infusion: whether it shows CR and MRD-negative CR."""
    return after[KEYS].assign(
        best_cr=after["cr"].fillna(False).astype(bool),
        best_mrd_negative_cr=after["mrd_negative_cr"].fillna(False).astype(bool))


def _best_response(adrs: pd.DataFrame) -> pd.DataFrame:
    after = _after_infusion(adrs)
    reached = _reached(after)
    out = reached.groupby(KEYS)[["best_cr", "best_mrd_negative_cr"]].any()
    note("adcourse", after, "assessments", KEYS, columns=["best_cr", "best_mrd_negative_cr"])
    negative = after[reached["best_mrd_negative_cr"]].sort_values("study_day", kind="stable")
    note("adcourse", negative.groupby(KEYS).head(1), "assessments", KEYS,
         columns=["time_to_mrd_negative_cr_months"])
    first_negative = negative.groupby(KEYS)["study_day"].min()
    out["time_to_mrd_negative_cr_months"] = timing.months_from_days(
        first_negative.reindex(out.index))
    return out.reset_index()


def _cutoff(cohort) -> pd.Timestamp:
    return cohort["study"]["data_cutoff"].iloc[0]


def _first_relapse(adevents: pd.DataFrame, course: int) -> pd.DataFrame:
    relapses = adevents[(adevents["event"] == "relapse") & (adevents["after_course"] == course)]
    return relapses.sort_values("event_date").groupby("patient_id").first()


def relapse_category(site: pd.Series) -> pd.Series:
    """'isolated BM', 'isolated extramedullary' or 'combined' from a relapse site list."""
    sites = site.fillna("").str.lower().str.split(r"\s*[+;,]\s*")
    marrow = sites.map(lambda s: "bm" in s).astype(bool)
    only_marrow = sites.map(lambda s: s == ["bm"]).astype(bool)
    category = np.select([only_marrow, ~marrow & site.notna(), marrow],
                         ["isolated BM", "isolated extramedullary", "combined"], default=None)
    return pd.Series(category, index=site.index)


def derive_adsl(cohort, adrs: pd.DataFrame, adevents: pd.DataFrame) -> pd.DataFrame:
    """One row per patient: baseline, relapse after CART1, intervals, HSCT and status."""
    patients = cohort["patients"].rename(columns={
        "age_at_diagnosis": "age_at_diagnosis_years",
        "csf_blasts_pre_cart1": "csf_blasts_pre_cart1_pct",
        "csf_wbc_pre_cart1": "csf_wbc_pre_cart1_per_mm3"}).drop(columns="_row")
    note("adsl", cohort["patients"], "patients", ["patient_id"])
    frame = patients.set_index("patient_id")
    frame["cytogenetic_abnormality"] = ~frame["cytogenetics"].str.lower().eq("normal")
    infusion = _infusions(cohort).pivot(index="patient_id", columns="course",
                                        values="infusion_date")
    frame["n_courses"] = cohort["courses"].groupby("patient_id").size().reindex(frame.index)
    note("adsl", cohort["courses"], "courses", ["patient_id"],
         columns=["n_courses", "status_at_cutoff"])
    pre = adrs[(adrs["course"] == 1) & (adrs["study_day"] < 0)].sort_values("study_day")
    first_pre = pre.groupby("patient_id").first()
    note("adsl", pre.groupby("patient_id").head(1), "assessments", ["patient_id"],
         columns=["burden_pre_cart1"])
    first_course = cohort["courses"][cohort["courses"]["course"] == 1]
    note("adsl", first_course, "courses", ["patient_id"],
         columns=["burden_pre_cart1", "cart1_to_relapse_months", "cart1_to_cart2_months"])
    frame["burden_pre_cart1"] = response.disease_burden(
        first_pre["mrd_pct"].reindex(frame.index),
        frame["extramedullary_pre_cart1"].where(
            ~frame["extramedullary_pre_cart1"].str.lower().eq("none"),
            first_pre["extramedullary"].reindex(frame.index)))
    relapse1 = _first_relapse(adevents, 1).reindex(frame.index)
    frame["relapse_cart1_site"] = relapse1["site"]
    frame["relapse_cart1_category"] = relapse_category(relapse1["site"])
    frame["relapse_cart1_cd19"] = relapse1["cd19"]
    frame["relapse_cart1_cd22"] = relapse1["cd22"]
    frame["cart1_to_relapse_months"] = relapse1["months_from_course"]
    note("adsl", relapse1.reset_index(), "events", ["patient_id"],
         columns=[c for c in frame.columns if c.startswith("relapse_cart1_")]
         + ["cart1_to_relapse_months"])
    cart1 = infusion.get(1, pd.Series(pd.NaT, index=infusion.index)).reindex(frame.index)
    cart2 = infusion.get(2, pd.Series(pd.NaT, index=infusion.index)).reindex(frame.index)
    frame["cart1_to_cart2_months"] = timing.months_from_days(timing.days_between(cart1, cart2))
    note("adsl", cohort["courses"][cohort["courses"]["course"] == 2], "courses", ["patient_id"],
         columns=["cart1_to_cart2_months"])
    after2 = adevents[adevents["after_course"] >= 2]
    hsct = after2[after2["event"] == "hsct"]
    frame["hsct_after_cart2"] = frame.index.isin(hsct["patient_id"])
    note("adsl", hsct, "events", ["patient_id"], columns=["hsct_after_cart2"])
    relapse2 = _first_relapse(adevents, 2).reindex(frame.index)
    note("adsl", relapse2.reset_index(), "events", ["patient_id"],
         columns=["relapse_cart2_antigen_negative"])
    frame["relapse_cart2_antigen_negative"] = relapse2["cd19"].eq("negative") | relapse2[
        "cd22"].eq("negative")
    frame["status_at_cutoff"] = _status(adrs, adevents, frame.index, frame["n_courses"])
    return frame.reset_index().sort_values("patient_id", kind="stable")


def _status(adrs: pd.DataFrame, adevents: pd.DataFrame, patients: pd.Index,
            n_courses: pd.Series) -> pd.Series:
    """'died', 'lost to follow-up', 'relapsed' (after the last course), 'in CR' (the last
    course reached MRD-negative CR), 'in CR with MRD' (it reached CR, never MRD-negative) or
    'active disease' (it never reached CR)."""
    def had(event: str) -> np.ndarray:
        return patients.isin(adevents.loc[adevents["event"] == event, "patient_id"])

    last_relapse = adevents[adevents["event"] == "relapse"].groupby("patient_id")[
        "after_course"].max().reindex(patients)
    read = adevents[adevents["event"].isin(["death", "lost_to_follow_up", "relapse"])]
    note("adsl", read, "events", ["patient_id"], columns=["status_at_cutoff"])
    relapsed = (last_relapse >= n_courses).fillna(False).to_numpy(dtype=bool)
    after = _after_infusion(adrs)
    last = after[after["course"].eq(after["patient_id"].map(n_courses))]
    note("adsl", last, "assessments", ["patient_id"], columns=["status_at_cutoff"])
    best = _reached(last).groupby("patient_id")[["best_cr", "best_mrd_negative_cr"]].any()
    best = best.reindex(patients, fill_value=False).to_numpy(dtype=bool)
    status = np.select(
        [had("death"), had("lost_to_follow_up"), relapsed, best[:, 1], best[:, 0]],
        ["died", "lost to follow-up", "relapsed", "in CR", "in CR with MRD"],
        default="active disease")
    return pd.Series(status, index=patients)


def derive_adtte(cohort, adrs: pd.DataFrame, adcourse: pd.DataFrame) -> pd.DataFrame:
    """OS and EFS rows (every EFS rule) from the CART2 infusion; a patient without CR after
    CART2 (``best_cr`` of adcourse, from the assessments of adrs) is an induction failure."""
    infusions = _infusions(cohort)
    index = infusions[infusions["course"] == INDEX_COURSE].set_index("patient_id")[
        "infusion_date"]
    reached = adcourse[adcourse["course"] == INDEX_COURSE].set_index("patient_id")["best_cr"]
    rows = events.survival_rows(cohort["events"], index, _cutoff(cohort),
                                ~reached.fillna(False).astype(bool))
    note("adtte", infusions[infusions["course"] == INDEX_COURSE], "courses", ["patient_id"],
         line=from_column("courses"))
    note("adtte", cohort["events"], "events", ["patient_id"])
    note("adtte", cohort["study"], "study", [])
    assessed = _after_infusion(adrs)
    note("adtte", assessed[assessed["course"] == INDEX_COURSE].assign(rule="induction_failure"),
         "assessments", ["patient_id", "rule"])
    return rows.sort_values(["paramcd", "rule", "patient_id"], kind="stable")
