"""Write the reconstructed raw sheets of data-raw/ and their per-value provenance.

The trial's patient-level records are not public. This script documents, value by value,
how the bundled sheets were chosen: each patient's figures below are either stated in the
article for that patient and time (cited), computed only from stated values, or imputed
within the limits set by the figures the article reports; :func:`provenance_rules` records
which, cell by cell. It is run once by
hand (``python tools/reconstruct.py``); the pipeline itself only ever reads data-raw/.

Conventions: months are 30-day months and years 365.25 days (see data-raw/README.md).
"""

from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data-raw"
CUTOFF = date(2022, 8, 31)
YEAR_DAYS = 365.25

# ---------------------------------------------------------------------------------------
# Per-patient design. Day counts are from the CART2 infusion unless said otherwise.
# ---------------------------------------------------------------------------------------
PATIENTS = {
    "pt01": {
        "centre": "SCMC", "sex": "M", "age_dx": 3.62, "age_cart1": 7.36, "cart1_to_cart2_days": 357,
        "cart1_to_relapse_days": 122, "relapse1_site": "BM", "cytogenetics": "normal", "bcr_abl1": "no",
        "cns": "CNS1", "csf_blasts": "", "csf_wbc": "", "emd_pre": "none",
        "cart2_date": date(2019, 1, 15),
        "weight": (24.0, 26.0, 28.0), "height": (122.0, 128.0, 133.0),
        "cart1_dose": 10.0, "cart2_cd19": 2.21, "cart2_cd22": 2.09, "cart3_cd19": 4.0, "cart3_cd22": 4.0,
        "te1": 41.5, "te2": (22.0, 28.0), "bca1_days": 95, "bca2_days": 256, "bca2_recovers": True,
    },
    "pt02": {
        "centre": "SCHSU", "sex": "F", "age_dx": 5.10, "age_cart1": 9.20, "cart1_to_cart2_days": 405,
        "cart1_to_relapse_days": 285, "relapse1_site": "lymph node", "cytogenetics": "BCR-ABL1",
        "bcr_abl1": "yes", "cns": "CNS3", "csf_blasts": "88.63", "csf_wbc": "", "emd_pre": "CNS",
        "cart2_date": date(2018, 7, 20),
        "weight": (29.0, 32.0), "height": (134.0, 140.0),
        "cart1_dose": 10.0, "cart2_cd19": 5.00, "cart2_cd22": 5.00,
        "te1": 36.0, "te2": (38.4, 41.6), "bca1_days": 181, "bca2_days": 300, "bca2_recovers": False,
    },
    "pt03": {
        "centre": "SCMC", "sex": "M", "age_dx": 1.39, "age_cart1": 7.05, "cart1_to_cart2_days": 478,
        "cart1_to_relapse_days": 356, "relapse1_site": "BM", "cytogenetics": "normal", "bcr_abl1": "no",
        "cns": "CNS1", "csf_blasts": "", "csf_wbc": "", "emd_pre": "none",
        "last_contact": date(2022, 8, 26), "follow_up_days": 789,
        "weight": (22.0, 25.0), "height": (120.0, 127.0),
        "cart1_dose": 8.0, "cart2_cd19": 5.71, "cart2_cd22": 5.29,
        "te1": 47.0, "te2": (42.3, 47.4), "bca1_days": 293, "bca2_days": 347, "bca2_recovers": True,
    },
    "pt04": {
        "centre": "SCMC", "sex": "M", "age_dx": 11.87, "age_cart1": 12.38, "cart1_to_cart2_days": 994,
        "cart1_to_relapse_days": 986, "relapse1_site": "testis", "cytogenetics": "ETV6-RUNX1",
        "bcr_abl1": "no", "cns": "CNS1", "csf_blasts": "", "csf_wbc": "", "emd_pre": "testis",
        "last_contact": date(2022, 8, 15), "follow_up_days": 915,
        "weight": (40.0, 52.0), "height": (152.0, 166.0),
        "cart1_dose": 12.0, "cart2_cd19": 6.00, "cart2_cd22": 9.00,
        "te1": 52.0, "te2": (51.2, 55.0), "bca1_days": 240, "bca2_days": 420, "bca2_recovers": True,
    },
    "pt05": {
        "centre": "SCHSU", "sex": "F", "age_dx": 2.95, "age_cart1": 5.61, "cart1_to_cart2_days": 493,
        "cart1_to_relapse_days": 426, "relapse1_site": "BM", "cytogenetics": "hyperdiploid",
        "bcr_abl1": "no", "cns": "CNS3", "csf_blasts": "84", "csf_wbc": "25", "emd_pre": "CNS",
        "last_contact": date(2022, 8, 22), "follow_up_days": 1200,
        "weight": (19.0, 22.0), "height": (112.0, 119.0),
        "cart1_dose": 10.0, "cart2_cd19": 5.54, "cart2_cd22": 6.46,
        "te1": 58.0, "te2": (60.1, 69.0), "bca1_days": 150, "bca2_days": 525, "bca2_recovers": False,
    },
}

# pt01 after CART2: relapse (day 270 = 9 months), CART3, second relapse, death (16 months).
PT01_EVENTS = {"relapse2": 270, "cart3": 330, "relapse3": 420, "death": 480}
assert PT01_EVENTS["relapse3"] - PT01_EVENTS["cart3"] == 90  # the CART3 relapse marrow
PT02_LOST = 330
HSCT_DAY = {"pt03": 75, "pt04": 60, "pt05": 95}

# Disease assessments: (course, visit, day, blasts, mrd, csf, extramedullary)
ASSESSMENTS = {
    "pt01": [(1, "enrolment", -10, "52", "45.2", "negative", "none"),
             (1, "day28", 28, "1", "<0.01", "negative", "none"),
             (2, "enrolment", -10, "4", "3.5", "negative", "none"),
             (2, "day0", 0, "2", "1.2", "negative", "none"),
             (2, "day7_14", 14, "1", "0.05", "negative", "none"),
             (2, "day28", 28, "1", "0.02", "negative", "none"),
             (2, "month3", 90, "0.5", "<0.01", "negative", "none"),
             (2, "month6", 180, "0.5", "<0.01", "negative", "none"),
             (2, "unscheduled", 270, "15", "12.5", "negative", "none"),
             (3, "day28", 28, "1", "<0.01", "negative", "none"),
             (3, "unscheduled", 90, "24", "21.7", "negative", "none")],
    "pt02": [(1, "enrolment", -11, "30", "12.0", "positive", "CNS"),
             (1, "day28", 28, "1", "<0.01", "negative", "none"),
             (2, "enrolment", -12, "1", "<0.01", "negative", "none"),
             (2, "day0", 0, "1", "<0.01", "negative", "none"),
             (2, "day7_14", 14, "0.5", "<0.01", "negative", "none"),
             (2, "day28", 28, "0.5", "<0.01", "negative", "none"),
             (2, "month3", 91, "0.5", "<0.01", "negative", "none"),
             (2, "month6", 182, "1", "<0.01", "not done", "none")],
    "pt03": [(1, "enrolment", -9, "5", "3.2", "negative", "none"),
             (1, "day28", 28, "0.5", "<0.01", "negative", "none"),
             (2, "enrolment", -7, "10", "8.9", "negative", "none"),
             (2, "day0", 0, "3", "2.1", "negative", "none"),
             (2, "day7_14", 12, "1", "0.35", "negative", "none"),
             (2, "day28", 26, "0.5", "<0.01", "negative", "none"),
             (2, "month3", 92, "0.5", "<0.01", "negative", "none"),
             (2, "month6", 181, "", "<0.01", "negative", "none"),
             (2, "unscheduled", 322, "", "<0.01", "not done", "none")],
    "pt04": [(1, "enrolment", -12, "3", "0.5", "negative", "testis"),
             (1, "day28", 28, "1", "<0.01", "negative", "none"),
             (2, "enrolment", -7, "1", "<0.01", "negative", "testis"),
             (2, "day0", 0, "1", "<0.01", "negative", "testis"),
             (2, "day7_14", 14, "0.5", "<0.01", "negative", "none"),
             (2, "day28", 28, "0.5", "<0.01", "negative", "none"),
             (2, "month3", 89, "0.5", "<0.01", "negative", "none"),
             (2, "month6", 183, "", "<0.01", "not done", "none")],
    "pt05": [(1, "enrolment", -10, "40", "30.5", "positive", "CNS"),
             (1, "day28", 28, "1", "<0.01", "negative", "none"),
             (2, "enrolment", -8, "18", "15.6", "negative", "none"),
             (2, "day0", 0, "7", "6.1", "negative", "none"),
             (2, "day7_14", 14, "2", "0.8", "negative", "none"),
             (2, "day28", 28, "0.5", "<0.01", "negative", "none"),
             (2, "month3", 90, "0.5", "<0.01", "negative", "none"),
             (2, "month6", 182, "", "<0.01", "negative", "none"),
             (2, "month12", 365, "", "<0.01", "not done", "none")],
}

# CRS after CART2: (max temp, unit, fever day, hypotension, tocilizumab, onset, resolution).
# The article dates CRS by IL-6 (onset: IL-6 rises after infusion; end: IL-6 back at its
# pre-infusion level), so for the patients with an IL-6 series the IL-6 curve below is
# drawn to rise on the onset day and reach baseline on the resolution day.
CRS = {
    "pt01": ("38.6", "degC", 1, "no", "no", 1, 8),
    "pt02": ("38.9", "degC", 1, "no", "no", 1, 9),
    "pt03": ("40.1", "degC", 1, "yes", "yes", 1, 15),
    "pt04": ("39.8", "degC", 1, "yes", "yes", 1, 13),
    "pt05": ("102.2", "degF", 1, "no", "no", 1, 10),
}
CART1_IL6_END = 14  # day IL-6 returns to baseline after CART1 (no CRS sheet for CART1)

# IL-6 (pg/mL): course -> (baseline, peak, peak day). Fold = peak / baseline.
IL6 = {
    "pt01": {1: (11.3, 35.0, 3), 2: (40.0, 600.0, 4)},
    "pt03": {1: (13.46, 100.4, 5), 2: (1.53, 1300.0, 6)},
    "pt04": {1: (105.0, 2100.0, 4), 2: (1.92, 4800.0, 5)},
}
# Other cytokines after CART2: peak (pg/mL) per patient (Table S1, imputed) and baseline.
OTHER_CYTOKINES = {
    "IL-2": {"pt01": (1.2, 3.4), "pt03": (0.9, 6.8), "pt04": (1.1, 9.5)},
    "IL-4": {"pt01": (1.0, 2.1), "pt03": (1.3, 3.9), "pt04": (0.8, 4.4)},
    "IL-10": {"pt01": (3.2, 45.6), "pt03": (2.5, 310.2), "pt04": (4.1, 512.8)},
    "IL-17A": {"pt01": (2.0, 4.5), "pt03": (1.8, 12.3), "pt04": (2.2, 8.9)},
    "TNF-alpha": {"pt01": (1.5, 3.8), "pt03": (1.2, 8.7), "pt04": (1.6, 11.2)},
    "IFN-gamma": {"pt01": (2.8, 120.5), "pt03": (3.1, 1850.0), "pt04": (2.4, 2630.0)},
}
CYTOKINE_DAYS = [-1, 1, 3, 5, 7, 10, 14, 21, 28]

# qPCR (copies/ug DNA after conversion): patient -> course -> parameter -> {day: value}
QPCR = {
    "pt03": {2: {"total CAR": {2: 5200, 7: 100650, 14: 42300, 28: 12800, 60: 3100, 90: 1450,
                               120: 820, 180: 260, 270: 95, 347: 38, 380: "<10"}}},
    # pt04: CD19 CAR earlier (day 7 against day 14), higher and longer than CD22 CAR
    # (Results ¶7); total = CD19 + CD22 with its stated peak on day 7.
    "pt04": {2: {"CD19 CAR": {2: 8000, 7: 47630, 14: 20500, 28: 6000, 60: 1200, 90: 300,
                              120: "<10"},
                 "CD22 CAR": {2: 1000, 7: 12000, 14: 16000, 28: 600, 60: "<10"},
                 "total CAR": {2: 9000, 7: 59630, 14: 36500, 28: 6600, 60: 1200, 90: 300,
                               120: "<10"}}},
    "pt05": {1: {"total CAR": {7: 41200, 14: 38800, 28: 22600, 60: 14930, 90: "<10"}},
             2: {"total CAR": {89: 23450}}},
}
QPCR_PER_100NG = {("pt03", 180), ("pt04", 90)}  # rows exported per 100 ng DNA

# CD4/CD8 ratios around CART2: parameter -> patient -> {day: ratio}; day 0 = product.
CD4_CD8 = {
    "CD4/CD8 T cells": {"pt03": {0: 2.1, 2: 1.6, 4: 1.1, 6: 0.7, 10: 0.5},
                        "pt04": {0: 1.8, 2: 1.2, 4: 0.8, 6: 0.6, 10: 0.4},
                        "pt05": {0: 1.6, 2: 1.3, 4: 0.9, 6: 0.6, 10: 0.5}},
    "CD4/CD8 CAR-T cells": {"pt03": {0: 1.9, 2: 1.2, 4: 0.8, 6: 0.5, 10: 0.3},
                            "pt04": {0: 1.5, 2: 1.0, 4: 0.7, 6: 0.4, 10: 0.3},
                            "pt05": {0: 1.4, 2: 1.1, 4: 0.8, 6: 0.5, 10: 0.4}},
}
CAR_T_COUNTS = {"pt03": {7: 85.0, 14: 42.0, 28: 6.5}, "pt04": {7: 61.0, 14: 25.0, 28: 3.2}}


# ---------------------------------------------------------------------------------------
# Provenance rules. Every non-empty cell of every sheet is matched by exactly one rule, and a
# rule covers cells of one basis only:
#   stated               the article gives this value for this patient and time (source);
#   derived_from_stated  computed only from stated values (depends: the cells it is
#                        computed from, as sheet.column of the same patient and course;
#                        empty when it follows from the article's text alone);
#   imputed              chosen within the limits of the published figures (constrains).
# `where` filters rows: key=value, key!=value, alternatives with |, conditions joined by ;.
# Dates are imputed throughout: every date hangs on an imputed infusion date, even where
# the article states the study day (pt03's day 322, pt05's day 89).
# ---------------------------------------------------------------------------------------
R = "Results"
ALL = {
    "study": ["study_id", "registry_id", "data_cutoff", "efs_rule"],
    "patients": ["patient_id", "centre", "sex", "age_at_diagnosis", "diagnosis_date",
                 "cytogenetics", "bcr_abl1", "prior_car_t", "cns_status_pre_cart1",
                 "csf_blasts_pre_cart1", "csf_wbc_pre_cart1", "extramedullary_pre_cart1"],
    "assessments": ["patient_id", "course", "visit", "assessment_date", "bm_blasts", "mrd",
                    "csf", "extramedullary"],
    "cytokines": ["patient_id", "course", "sample_date", "parameter", "value", "unit"],
    "qpcr": ["patient_id", "course", "sample_date", "parameter", "value", "unit"],
    "flow": ["patient_id", "course", "sample_date", "specimen", "parameter", "value", "unit"],
    "events": ["patient_id", "event", "event_date", "after_course", "site", "cd19", "cd22"],
}
ASSESSMENT_CONSTRAINTS = (
    "protocol time points (Methods); every CART1 reaches MRD-negative CR; burden before CART1 "
    "high in 4, low in 1 (Results ¶1); one patient (pt02 chosen) already in MRD-negative CR at "
    "CART2 enrolment (Additional file 3 footnote *); MRD-negative CR after CART2 in all within "
    "0-3 months "
    "(Results ¶5); pt01 MRD < 5% on day 0 (Discussion ¶9); relapse marrows on the imputed "
    "relapse dates")
EVENT_DATES = (
    "relapse after CART1 median 11.87 (4.07-32.87) months; EFS 100%/80%, OS 100%/100% at 6/12 "
    "months; median follow-up 26.3 months; pt01 relapse 9 months after CART2; pt03 "
    "transplanted before day 322; dates hang on the imputed infusion dates")
CR_AT_CUTOFF = (
    "last contact before the cut-off: median follow-up 26.3 months. The article states that "
    "the transplanted patients were in MRD-negative CR at the cut-off (Abstract; Fig. 1B; "
    "Discussion ¶7); the sheets hold no marrow near the cut-off, so the status 'in CR' "
    "derived from them is an inference from the absence of a recorded relapse, death or loss")


def rest(sheet: str, *named: str) -> str:
    """The columns of ``sheet`` other than ``named``, joined for a rule."""
    return "|".join(c for c in ALL[sheet] if c not in named)


def provenance_rules(infusions: dict) -> list[tuple]:
    """The rules, with the sample dates of the stated qPCR values computed from the
    (imputed) infusion dates."""
    def on(pid: str, course: int, day: int) -> str:
        return iso(infusions[(pid, course)] + timedelta(days=day))

    pt03_peak, pt04_peak = on("pt03", 2, 7), on("pt04", 2, 7)
    pt05_cart1 = on("pt05", 1, 60)
    pt03_visits = "visit=enrolment|day28|unscheduled"
    copies = "stated value; its sample date hangs on the imputed infusion date"
    measured = rest("qpcr", "sample_date")
    return [
        ("study", "*", "*", "study_id", "imputed", "", "a label chosen for the export", ""),
        ("study", "*", "*", "registry_id", "stated", "Methods, Study design: ChiCTR2000032211",
         "", ""),
        ("study", "*", "*", "data_cutoff", "stated",
         "Methods, Study design: cut-off August 31, 2022", "", ""),
        ("study", "*", "*", "efs_rule", "stated",
         ("Methods, Efficacy evaluation: patients were censored at allo-HSCT (the same "
          "paragraph also lists bridging to transplantation as an event: of its two "
          "contradictory rules this is the one chosen)"), "", ""),
        # patients
        ("patients", "*", "*", "patient_id", "stated", f"{R}: patients named pt01-pt05", "", ""),
        ("patients", "*", "*", "prior_car_t", "stated", f"{R} ¶1: no CAR-T before CART1", "",
         ""),
        ("patients", "pt04", "*", "sex", "derived_from_stated",
         "Additional file 3 footnote +: testicular oedema in pt04 after CART2", "", ""),
        ("patients", "*", "patient_id!=pt04", "sex", "imputed", "", "not reported", ""),
        ("patients", "*", "*", "centre", "imputed", "Methods: two centres (SCMC, Soochow)",
         "which patient was treated where is not reported", ""),
        ("patients", "*", "*", "age_at_diagnosis", "imputed", f"{R} ¶1",
         ("median 3.62, range 1.39-11.87 years; with the dates, ages at CART1 (7.36, "
          "5.61-12.38) and CART2 (8.36, 6.96-15.1)"), ""),
        ("patients", "*", "*", "diagnosis_date", "imputed", f"{R} ¶1-2",
         "solved so that age at diagnosis plus time to CART1 gives the chosen age at CART1",
         "patients.age_at_diagnosis|courses.infusion_date"),
        ("patients", "*", "*", "cytogenetics", "imputed", f"{R} ¶1",
         "three patients with abnormalities, one of them BCR-ABL1", ""),
        ("patients", "*", "*", "bcr_abl1", "imputed", f"{R} ¶1",
         "exactly one patient with BCR-ABL1", ""),
        ("patients", "*", "*", "cns_status_pre_cart1", "imputed", "Additional file 2 footnotes",
         "two patients with CSF involvement (footnotes ^ and &)", ""),
        ("patients", "*", "*", "csf_blasts_pre_cart1|csf_wbc_pre_cart1", "imputed",
         "Additional file 2 footnotes ^ (88.63%) and & (84%, 25/mm3)",
         "the values are printed but not which patient they belong to", ""),
        ("patients", "*", "*", "extramedullary_pre_cart1", "imputed",
         f"{R} ¶1; Additional file 2 footnote * (testis biopsy)",
         "four high-burden patients (MRD >= 5% or extramedullary disease), one low", ""),
        # courses
        ("courses", "*", "*", "patient_id|course", "stated",
         f"{R}: every patient received CART1 and CART2; ¶5: pt01 a third CAR-T", "", ""),
        ("courses", "*", "*", "infusion_date", "imputed", f"{R} ¶2, ¶5",
         ("CART1-to-CART2 median 15.93 (11.9-33.13) months; follow-up median 26.3 months; "
          "CART2 between July 2018 and August 2022"), ""),
        ("courses", "*", "*", "weight|weight_unit|height", "imputed", "",
         "weights and heights plausible for age", ""),
        ("courses", "*", "*", "bsa", "imputed", "",
         "Mosteller formula from the imputed height and weight", "courses.height|courses.weight"),
        # products
        ("products", "*", "*", "patient_id|course", "stated",
         f"{R}: every patient received CART1 and CART2; ¶5: pt01 a third CAR-T", "", ""),
        ("products", "*", "course=1|2", "target", "stated",
         "Methods: CD19 CAR-T at CART1; CD19 and CD22 products mixed at CART2", "", ""),
        ("products", "*", "course!=1|2", "target", "imputed", f"{R} ¶5",
         "the third CAR-T's product is not reported", ""),
        ("products", "*", "*", "car_t_cells", "imputed", f"{R} ¶1-2; Discussion ¶4",
         ("dose per kg times the imputed weight; CART1 median 1e7 (8e6-1.2e7); CART2 total "
          "median 1.1e7 (4.3e6-1.5e7), CD19 5.54e6 (2.21e6-6e6), CD22 5.29e6 (2.09e6-9e6), "
          "ratio 1:1 (1:0.9-1:1.5); 3 higher / 1 same / 1 lower than CART1; pt03 and pt05 "
          "1.1-1.2e7"), "courses.weight"),
        ("products", "*", "*", "car_t_cells_unit", "imputed", "", "export unit", ""),
        ("products", "*", "course=2", "transduction_efficiency", "imputed", f"{R} ¶2",
         "mean of CD19 and CD22 transduction per patient: median 44.85% (25-64.55%)", ""),
        ("products", "*", "course!=2", "transduction_efficiency|viability", "imputed",
         "Methods: release criteria", "transduction >= 20%, viability > 90%", ""),
        ("products", "*", "course=2", "viability", "imputed", "Methods: release criteria",
         "viability > 90%", ""),
        # lymphodepletion
        ("lymphodepletion", "*", "course=1|2", "patient_id|course|drug", "stated",
         f"Methods, Lymphodepletion; {R} ¶1-2: all patients, before CART1 and CART2", "", ""),
        ("lymphodepletion", "*", "course=1", "day", "stated",
         "Methods, Lymphodepletion: Flu days -4 to -2, Cy days -4 to -3", "", ""),
        ("lymphodepletion", "*", "course=2", "day", "imputed", "Methods, Lymphodepletion",
         "Flu on three days and Cy on two before CART2; which days is not stated", ""),
        ("lymphodepletion", "*", "course=1|2", "dose|dose_unit", "imputed",
         "Methods, Lymphodepletion",
         "stated mg/m2 (Flu 40 then 50, Cy 500) times the imputed BSA", "courses.bsa"),
        ("lymphodepletion", "*", "course!=1|2", "patient_id|course|drug|day|dose|dose_unit",
         "imputed", f"{R} ¶5", "third CAR-T regimen not reported; CART2 regimen assumed", ""),
        # assessments: only pt03's three CART2 MRD values are stated
        ("assessments", "pt03", f"course=2;{pt03_visits}", "patient_id|course|mrd", "stated",
         f"{R} ¶5; Fig. 3D: MRD 8.9% on day -7, < 0.01% on days 26 and 322", "", ""),
        ("assessments", "pt03", f"course=2;{pt03_visits}", rest("assessments", "patient_id",
                                                               "course", "mrd"),
         "imputed", f"{R} ¶5", "study days -7, 26 and 322 stated; " + ASSESSMENT_CONSTRAINTS,
         "courses.infusion_date"),
        ("assessments", "pt03", f"course=2;{pt03_visits.replace('=', '!=')}", "*", "imputed",
         "Methods, Tumor burden assessment", ASSESSMENT_CONSTRAINTS, ""),
        ("assessments", "pt03", "course!=2", "*", "imputed", "Methods, Tumor burden assessment",
         ASSESSMENT_CONSTRAINTS, ""),
        ("assessments", "*", "patient_id!=pt03", "*", "imputed",
         "Methods, Tumor burden assessment", ASSESSMENT_CONSTRAINTS, ""),
        # crs
        ("crs", "*", "*", "patient_id|course", "stated",
         f"{R} ¶3: CRS after CART2 in all five", "", ""),
        ("crs", "*", "*", "vasopressors", "stated",
         f"{R} ¶3: no CRS of grade 3 or more; hypotension without vasopressors", "", ""),
        ("crs", "*", "*", "steroids", "imputed", f"{R} ¶3: none received dexamethasone",
         "no dexamethasone (stated); other corticosteroids are not reported and taken as none",
         ""),
        ("crs", "*", "*", "neurotoxicity_grade", "stated",
         f"{R} ¶3: no neurologic toxicity", "", ""),
        ("crs", "*", "*", "max_temperature|temperature_unit|fever_onset_day", "imputed",
         f"{R} ¶3", "fever >= 38 degC within 1 day in all", ""),
        ("crs", "*", "*", "hypotension|oxygen|tocilizumab", "imputed", f"{R} ¶3",
         ("grade 1 in three, grade 2 in two; hypotension in two, tocilizumab in the two with "
          "grade 2; which patients is not stated"), ""),
        ("crs", "*", "*", "crs_onset_day|crs_resolution_day", "imputed", f"{R} ¶4",
         ("onset within 6 days, duration 7-14 days; where an IL-6 series exists, onset is its "
          "rise and resolution its return to the pre-infusion level (the article's definition)"),
         "cytokines.value"),
        # cytokines: no value is stated (Table S1 is not in the available text)
        ("cytokines", "*", "*", "*", "imputed", "Fig. 2; Additional file 4",
         ("IL-6 fold change medians 7.46 vs 849.7 (P = 0.2), peaks 100.4 vs 1300 pg/mL "
          "(P = 0.4); seven cytokines in pt01, pt03 and pt04 after CART2; IL-6 back at "
          "baseline when CRS ends; sample days, curves and other cytokines imputed"), ""),
        # qpcr: four stated values; a measurement row's keys share the basis of its value
        ("qpcr", "*", "*", "sample_date", "imputed", "Fig. 4A-C",
         "peak within a week; pt03 detectable on day 347; pt05 on days 60 and 89",
         "courses.infusion_date"),
        ("qpcr", "pt03", f"sample_date={pt03_peak}", measured, "stated",
         f"{R} ¶7: pt03 peak 100.65 x 10^3 copies/ug", copies, ""),
        ("qpcr", "pt03", f"sample_date!={pt03_peak}", measured, "imputed", "Fig. 4A",
         "decline after the peak; detectable on day 347", ""),
        ("qpcr", "pt04", f"sample_date={pt04_peak};parameter=total CAR", measured, "stated",
         f"{R} ¶7: pt04 peak 59.63 x 10^3 copies/ug", copies, ""),
        ("qpcr", "pt04", f"sample_date={pt04_peak};parameter!=total CAR", measured,
         "imputed", "Fig. 4B", "CD19 CAR earlier, higher and longer than CD22 CAR", ""),
        ("qpcr", "pt04", f"sample_date!={pt04_peak}", measured, "imputed", "Fig. 4B",
         "CD19 CAR earlier, higher and longer than CD22 CAR; decline after the peak", ""),
        ("qpcr", "pt05", "course=2", measured, "stated",
         f"{R} ¶7: pt05 23.45 x 10^3 copies/ug on day 89 after CART2", copies, ""),
        ("qpcr", "pt05", f"course=1;sample_date={pt05_cart1}", measured, "stated",
         f"{R} ¶7: pt05 14.93 x 10^3 copies/ug on day 60 after CART1", copies, ""),
        ("qpcr", "pt05", f"course=1;sample_date!={pt05_cart1}", measured, "imputed",
         "Fig. 4C", "curve shape: peak within a week then decline", ""),
        # flow
        ("flow", "*", "*", "*", "imputed", f"{R} ¶8-9; Fig. 4D-E",
         ("B-cell aplasia duration medians 6.03 (3.17-9.77) and 11.57 (8.53-17.5) months; pt05 "
          "still aplastic after CART2; CD4/CD8 ratio above 1 in products and blood, inverted "
          "within 6 days"), ""),
        # events
        ("events", "*", "after_course=1", "patient_id|event|after_course|cd19", "stated",
         f"{R} ¶1: every patient responded to CART1, then relapsed CD19-positive", "", ""),
        ("events", "*", "after_course=1", "event_date|site|cd22", "imputed", f"{R} ¶2",
         ("relapse after CART1 median 11.87 (4.07-32.87) months; 3 isolated BM, 2 isolated "
          "extramedullary (testis, lymph node); which patient where is not stated; CD22 not "
          "reported"), "courses.infusion_date"),
        ("events", "pt01", "event=relapse;after_course=2",
         "patient_id|event|after_course|cd19|cd22", "stated",
         f"{R} ¶5; Discussion ¶8: pt01 relapsed CD19+ CD22+ 9 months after CART2", "", ""),
        ("events", "pt01", "event=relapse;after_course=3", "patient_id|event|after_course",
         "stated", f"{R} ¶5: pt01 relapsed after the third CAR-T", "", ""),
        ("events", "pt01", "event=relapse;after_course=2|3", "event_date|site", "imputed",
         f"{R} ¶5", EVENT_DATES, "courses.infusion_date"),
        ("events", "pt01", "event=relapse;after_course=3", "cd19|cd22", "imputed", f"{R} ¶5",
         "antigens of the relapse after the third CAR-T are not reported", ""),
        ("events", "*", "event=hsct;patient_id=pt03|pt04", "patient_id|event|after_course",
         "stated", f"{R} ¶5 (pt03 post HSCT on day 322); Fig. 3A caption (pt04)", "", ""),
        ("events", "*", "event=hsct;patient_id!=pt03|pt04", "patient_id|event|after_course",
         "derived_from_stated",
         ("Abstract; Discussion ¶4, ¶7: three patients transplanted after CART2, pt03 and "
          "pt04 among them; the two not transplanted died or were lost to follow-up, and pt05 "
          "was in MRD-negative CR at the cut-off (Discussion ¶4), so pt05 is the third"), "", ""),
        ("events", "*", "event=hsct", "event_date", "imputed", "",
         EVENT_DATES, "courses.infusion_date"),
        ("events", "*", "event=death|lost_to_follow_up", "*", "imputed",
         "Fig. 1B caption; Discussion ¶7",
         ("of the two patients not transplanted one died and one was lost to follow-up; "
          "which is which is not stated; " + EVENT_DATES), ""),
        ("events", "*", "event=last_contact", "*", "imputed", "Abstract; Fig. 1B",
         CR_AT_CUTOFF, ""),
    ]


def mosteller(height_cm: float, weight_kg: float) -> float:
    """Body surface area (m²) by Mosteller's formula, to 2 decimals."""
    return round(math.sqrt(height_cm * weight_kg / 3600), 2)


def iso(day: date) -> str:
    return day.isoformat()


def write(name: str, header: list[str], rows: list[list]) -> None:
    with (OUT / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def solve_dates(pid: str, p: dict) -> dict:
    """CART1, CART2 and diagnosis dates meeting the patient's ages and intervals."""
    if "cart2_date" in p:
        cart2 = p["cart2_date"]
    else:
        cart2 = p["last_contact"] - timedelta(days=p["follow_up_days"])
    cart1 = cart2 - timedelta(days=p["cart1_to_cart2_days"])
    guess = round((p["age_cart1"] - p["age_dx"]) * YEAR_DAYS)
    for shift in sorted(range(-3, 4), key=abs):
        days = guess + shift
        if round(p["age_dx"] + days / YEAR_DAYS, 2) == p["age_cart1"]:
            return {"cart1": cart1, "cart2": cart2, "diagnosis": cart1 - timedelta(days=days)}
    raise SystemExit(f"{pid}: no diagnosis date gives age {p['age_cart1']} at CART1")


def main() -> None:
    dates = {pid: solve_dates(pid, p) for pid, p in PATIENTS.items()}
    write("study", ["study_id", "registry_id", "data_cutoff", "efs_rule"],
          [["CART2-SCMC", "ChiCTR2000032211", iso(CUTOFF), "hsct_censored"]])

    write("patients", ["patient_id", "centre", "sex", "age_at_diagnosis", "diagnosis_date",
                       "cytogenetics", "bcr_abl1", "prior_car_t", "cns_status_pre_cart1",
                       "csf_blasts_pre_cart1", "csf_wbc_pre_cart1", "extramedullary_pre_cart1"],
          [[pid, p["centre"], p["sex"], f"{p['age_dx']:.2f}", iso(dates[pid]["diagnosis"]),
            p["cytogenetics"], p["bcr_abl1"], "no", p["cns"], p["csf_blasts"], p["csf_wbc"],
            p["emd_pre"]] for pid, p in PATIENTS.items()])

    infusions = {}
    courses, products, ld = [], [], []
    for pid, p in PATIENTS.items():
        cart_dates = [dates[pid]["cart1"], dates[pid]["cart2"]]
        doses = [[("CD19", p["cart1_dose"])], [("CD19", p["cart2_cd19"]),
                                               ("CD22", p["cart2_cd22"])]]
        te = [[p["te1"]], list(p["te2"])]
        if pid == "pt01":
            cart_dates.append(dates[pid]["cart2"] + timedelta(days=PT01_EVENTS["cart3"]))
            doses.append([("CD19", p["cart3_cd19"]), ("CD22", p["cart3_cd22"])])
            te.append([35.0, 33.0])
        for course, (when, dose, tes) in enumerate(zip(cart_dates, doses, te, strict=True),
                                                   start=1):
            infusions[(pid, course)] = when
            weight, height = p["weight"][course - 1], p["height"][course - 1]
            bsa = mosteller(height, weight)
            courses.append([pid, course, iso(when), f"{weight:g}", "kg", f"{height:g}",
                            f"{bsa:.2f}"])
            for (target, per_kg), efficiency in zip(dose, tes, strict=True):
                cells = round(per_kg * weight, 4)  # 1e6 cells
                products.append([pid, course, target, f"{cells:g}", "1e6 cell",
                                 f"{efficiency:.1f}", f"{94.0 + 0.5 * course:.1f}",
                                 ""])
            flu = 40 if course == 1 else 50
            for day in (-4, -3, -2):
                ld.append([pid, course, "fludarabine", day, f"{flu * bsa:.1f}", "mg"])
            for day in (-4, -3):
                mg = 500 * bsa
                if pid == "pt04" and course == 2 and day == -3:
                    ld.append([pid, course, "cyclophosphamide", day, f"{mg / 1000:g}", "g"])
                else:
                    ld.append([pid, course, "cyclophosphamide", day, f"{mg:.1f}", "mg"])
    write("courses", ["patient_id", "course", "infusion_date", "weight", "weight_unit", "height",
                      "bsa"], courses)
    write("products", ["patient_id", "course", "target", "car_t_cells", "car_t_cells_unit",
                       "transduction_efficiency", "viability", "cd4_cd8_ratio"], products)
    write("lymphodepletion", ["patient_id", "course", "drug", "day", "dose", "dose_unit"], ld)

    rows = []
    for pid, items in ASSESSMENTS.items():
        for course, visit, day, blasts, mrd, csf, emd in items:
            when = infusions[(pid, course)] + timedelta(days=day)
            rows.append([pid, course, visit, iso(when), blasts, mrd, csf, emd])
    write("assessments", ["patient_id", "course", "visit", "assessment_date", "bm_blasts", "mrd",
                          "csf", "extramedullary"], rows)

    write("crs", ["patient_id", "course", "max_temperature", "temperature_unit",
                  "fever_onset_day", "hypotension", "vasopressors", "oxygen", "tocilizumab",
                  "steroids", "crs_onset_day", "crs_resolution_day", "neurotoxicity_grade"],
          [[pid, 2, t, unit, fever, hypo, "none", "none", toci, "no", onset, resolution, 0]
           for pid, (t, unit, fever, hypo, toci, onset, resolution) in CRS.items()])

    rows = []
    for pid, by_course in IL6.items():
        for course, (base, peak, peak_day) in by_course.items():
            end = CRS[pid][6] if course == 2 else CART1_IL6_END
            for day in cytokine_days(end):
                value = cytokine_curve(day, base, peak, peak_day, end)
                unit = "ng/L" if (pid, course, day) == ("pt03", 2, 7) else "pg/mL"
                rows.append([pid, course, iso(infusions[(pid, course)] + timedelta(days=day)),
                             "IL-6", value, unit])
    for name, by_patient in OTHER_CYTOKINES.items():
        for pid, (base, peak) in by_patient.items():
            peak_day, end = IL6[pid][2][2], CRS[pid][6]
            for day in cytokine_days(end):
                rows.append([pid, 2, iso(infusions[(pid, 2)] + timedelta(days=day)), name,
                             cytokine_curve(day, base, peak, peak_day, end), "pg/mL"])
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    write("cytokines", ["patient_id", "course", "sample_date", "parameter", "value", "unit"], rows)

    rows = []
    for pid, by_course in QPCR.items():
        for course, by_parameter in by_course.items():
            for parameter, series in by_parameter.items():
                for day, value in series.items():
                    when = iso(infusions[(pid, course)] + timedelta(days=day))
                    if (pid, day) in QPCR_PER_100NG and not isinstance(value, str):
                        rows.append([pid, course, when, parameter, f"{value / 10:g}",
                                     "copies/100ng"])
                    else:
                        rows.append([pid, course, when, parameter, value, "copies/ug"])
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    write("qpcr", ["patient_id", "course", "sample_date", "parameter", "value", "unit"], rows)

    write("flow", ["patient_id", "course", "sample_date", "specimen", "parameter", "value",
                   "unit"], flow_rows(infusions))
    write("events", ["patient_id", "event", "event_date", "after_course", "site", "cd19", "cd22"],
          event_rows(dates, infusions))
    write("provenance", ["sheet", "patient_id", "where", "columns", "basis", "source",
                         "constrains", "depends"],
          [list(rule) for rule in provenance_rules(infusions)])
    print(f"wrote {len(list(OUT.glob('*.csv')))} sheets to {OUT}")


def cytokine_days(end: int) -> list[int]:
    """Sampling days of a course: the fixed schedule plus the day before and the day of the
    return to baseline (``end``), so that the samples show when CRS ended."""
    return sorted(set(CYTOKINE_DAYS) | {end - 1, end})


def cytokine_curve(day: int, base: float, peak: float, peak_day: int, end: int) -> str:
    """Baseline before infusion, a linear rise to the peak on the first sampling day on or
    after ``peak_day``, then a quadratic fall that reaches baseline on day ``end`` and
    stays there."""
    top = min(d for d in cytokine_days(end) if d >= peak_day)
    if day < 0 or day >= end:
        value = base
    elif day <= top:
        value = base + (peak - base) * (0.5 * day / top if day < top else 1.0)
    else:
        value = base + (peak - base) * ((end - day) / (end - top)) ** 2
    return f"{value:.2f}".rstrip("0").rstrip(".")


def flow_rows(infusions: dict) -> list[list]:
    rows = []
    for parameter, by_patient in CD4_CD8.items():
        for pid, series in by_patient.items():
            for day, ratio in series.items():
                specimen = "product" if day == 0 and "CAR-T" in parameter else "PB"
                rows.append([pid, 2, iso(infusions[(pid, 2)] + timedelta(days=day)), specimen,
                             parameter, f"{ratio:g}", "ratio"])
    for pid, series in CAR_T_COUNTS.items():
        for day, count in series.items():
            rows.append([pid, 2, iso(infusions[(pid, 2)] + timedelta(days=day)), "PB",
                         "CAR-T count", f"{count:g}", "cells/uL"])
    for pid, p in PATIENTS.items():
        for course, last, recovers in ((1, p["bca1_days"], True),
                                       (2, p["bca2_days"], p["bca2_recovers"])):
            days = sorted({14, 28, 60, 90, 180, 270, 365} & set(range(1, last)) | {last})
            if recovers:
                days.append(last + 15)
            for day in days:
                aplastic = day <= last
                pct, count = (0.1, 12) if aplastic else (6.5, 420)
                when = iso(infusions[(pid, course)] + timedelta(days=day))
                rows.append([pid, course, when, "PB", "CD19+ B cells", f"{pct:g}", "%"])
                if pid == "pt02" and course == 1:
                    rows.append([pid, course, when, "PB", "B cells", f"{count * 1e6:g}",
                                 "cells/L"])
                else:
                    rows.append([pid, course, when, "PB", "B cells", f"{count:g}", "cells/uL"])
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3], r[4]))
    return rows


def event_rows(dates: dict, infusions: dict) -> list[list]:
    rows = []
    for pid, p in PATIENTS.items():
        relapse = dates[pid]["cart1"] + timedelta(days=p["cart1_to_relapse_days"])
        rows.append([pid, "relapse", iso(relapse), 1, p["relapse1_site"], "positive",
                     "positive"])
    cart2 = {pid: d["cart2"] for pid, d in dates.items()}

    def day(pid: str, n: int) -> str:
        return iso(cart2[pid] + timedelta(days=n))

    rows += [["pt01", "relapse", day("pt01", PT01_EVENTS["relapse2"]), 2, "BM", "positive",
              "positive"],
             ["pt01", "relapse", day("pt01", PT01_EVENTS["relapse3"]), 3, "BM", "positive",
              "positive"],
             ["pt01", "death", day("pt01", PT01_EVENTS["death"]), 3, "", "", ""],
             ["pt02", "lost_to_follow_up", day("pt02", PT02_LOST), 2, "", "", ""]]
    for pid, hsct_day in HSCT_DAY.items():
        rows.append([pid, "hsct", day(pid, hsct_day), 2, "", "", ""])
        rows.append([pid, "last_contact", iso(PATIENTS[pid]["last_contact"]), 2, "", "", ""])
    rows.sort(key=lambda r: (r[0], r[2], r[1]))
    return rows


if __name__ == "__main__":
    main()
