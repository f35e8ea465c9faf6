"""Write the reconstructed raw sheets of data-raw/ and their per-value provenance.

The trial's patient-level records are not public. This script documents, value by value,
how the bundled sheets were chosen: each patient's figures below are either stated in the
article (cited), forced by stated facts through a definition, fixed by the stated protocol,
or imputed within the limits set by the aggregates the article reports. It is run once by
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
             (3, "day28", 28, "2", "0.1", "negative", "none")],
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
             (2, "enrolment", -9, "1", "<0.01", "negative", "testis"),
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

# CRS after CART2: (max temp, unit, fever day, hypotension, tocilizumab, onset, resolution)
CRS = {
    "pt01": ("38.6", "degC", 1, "no", "no", 1, 8),
    "pt02": ("38.9", "degC", 1, "no", "no", 1, 9),
    "pt03": ("40.1", "degC", 0, "yes", "yes", 0, 14),
    "pt04": ("39.8", "degC", 1, "yes", "yes", 1, 13),
    "pt05": ("102.2", "degF", 1, "no", "no", 1, 10),
}

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
    "pt04": {2: {"CD19 CAR": {2: 8000, 7: 41000, 14: 20500, 28: 6000, 60: 1200, 90: 300,
                              120: "<10"},
                 "CD22 CAR": {2: 1000, 7: 18630, 14: 4000, 28: 600, 60: "<10"},
                 "total CAR": {2: 9000, 7: 59630, 14: 24500, 28: 6600, 60: 1200, 90: 300,
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
# Provenance rules: every non-empty cell of every sheet is covered by at least one rule; the
# most specific rule (named patient, narrower `where`, named column) describes the cell.
# basis: stated | derived_from_stated | protocol | imputed
# ---------------------------------------------------------------------------------------
R = "Results"
PROVENANCE = [
    ("study", "*", "*", "study_id", "imputed", "", "label only"),
    ("study", "*", "*", "registry_id", "stated", "Methods, Study design: ChiCTR2000032211", ""),
    ("study", "*", "*", "data_cutoff", "stated", "Methods, Study design: cut-off 2022-08-31",
     ""),
    ("patients", "*", "*", "*", "imputed", "",
     ("no patient-level baseline in the available text; each value chosen freely unless a "
     "narrower rule applies")),
    ("patients", "*", "*", "patient_id", "stated", "Results: patients named pt01-pt05", ""),
    ("patients", "*", "*", "centre", "imputed", "Methods: two centres (SCMC, Soochow)",
     "which patient was treated where is not reported"),
    ("patients", "*", "*", "age_at_diagnosis", "imputed", f"{R} ¶1",
     ("median 3.62, range 1.39-11.87 years; with the dates, ages at CART1 (7.36, 5.61-12.38) "
     "and CART2 (8.36, 6.96-15.1)")),
    ("patients", "*", "*", "diagnosis_date", "derived_from_stated", f"{R} ¶1-2",
     "solved so that age at diagnosis plus time to CART1 gives the chosen age at CART1"),
    ("patients", "*", "*", "cytogenetics", "imputed", f"{R} ¶1",
     ("three patients with abnormalities, one BCR-ABL1; which ones and which abnormalities "
     "are imputed")),
    ("patients", "*", "*", "bcr_abl1", "imputed", f"{R} ¶1", "exactly one patient with BCR-ABL1"),
    ("patients", "*", "*", "prior_car_t", "stated", f"{R} ¶1: no CAR-T before CART1", ""),
    ("patients", "*", "*", "cns_status_pre_cart1", "imputed", "Additional file 2 footnotes",
     "two patients with CSF involvement (footnotes ^ and &)"),
    ("patients", "*", "*", "csf_blasts_pre_cart1", "stated",
     "Additional file 2 footnotes ^ (88.63%) and & (84%)", "patient assignment imputed"),
    ("patients", "*", "*", "csf_wbc_pre_cart1", "stated", "Additional file 2 footnote &: 25/mm3",
     "patient assignment imputed"),
    ("patients", "*", "*", "extramedullary_pre_cart1", "imputed",
     f"{R} ¶1; Additional file 2 footnote * (testis biopsy)",
     "four high-burden patients (MRD >= 5% or extramedullary disease), one low"),
    ("patients", "*", "*", "sex", "imputed", "",
     "pt04 male (testicular disease, stated); others imputed"),
    ("courses", "*", "*", "*", "imputed", "", "weights and heights plausible for age"),
    ("courses", "*", "*", "patient_id", "stated", f"{R}", ""),
    ("courses", "*", "*", "course", "stated", f"{R} ¶5: pt01 received a third CAR-T", ""),
    ("courses", "*", "*", "infusion_date", "derived_from_stated", f"{R} ¶2, ¶5",
     ("CART1-to-CART2 median 15.93 (11.9-33.13) months; follow-up median 26.3 months; CART2 "
     "between July 2018 and August 2022")),
    ("courses", "*", "*", "bsa", "derived_from_stated", "", ("Mosteller formula from height and "
     "weight")),
    ("products", "*", "*", "*", "imputed", "Methods: viability > 90%, transduction >= 20%",
     "release criteria"),
    ("products", "*", "*", "patient_id", "stated", f"{R}", ""),
    ("products", "*", "*", "course", "stated", f"{R}", ""),
    ("products", "*", "*", "target", "stated", "Methods: CD19 and CD22 products mixed", ""),
    ("products", "*", "*", "car_t_cells", "derived_from_stated", f"{R} ¶1-2; Discussion ¶4",
     ("dose per kg times weight; CART1 median 1e7 (8e6-1.2e7); CART2 total median 1.1e7 "
     "(4.3e6-1.5e7), CD19 5.54e6 (2.21e6-6e6), CD22 5.29e6 (2.09e6-9e6), ratio 1:1 "
     "(1:0.9-1:1.5); 3 higher / 1 same / 1 lower than CART1; pt03 and pt05 1.1-1.2e7")),
    ("products", "*", "*", "car_t_cells_unit", "imputed", "", "export unit"),
    ("products", "*", "course=2", "transduction_efficiency", "imputed", f"{R} ¶2",
     "mean of CD19 and CD22 transduction per patient: median 44.85% (25-64.55%)"),
    ("lymphodepletion", "*", "*", "*", "protocol", "Methods, Lymphodepletion",
     ("CART1: Flu 40 mg/m2 days -4..-2, Cy 500 mg/m2 days -4..-3; CART2: Flu 50 mg/m2 x 3 "
     "days, Cy 500 mg/m2 x 2 days; mg = mg/m2 x BSA")),
    ("lymphodepletion", "pt01", "course=3", "*", "imputed", f"{R} ¶5",
     "third CAR-T regimen not reported; CART2 regimen assumed"),
    ("assessments", "*", "*", "*", "imputed", "Methods, Tumor burden assessment",
     ("protocol time points; CART1 responses (all MRD-negative CR), burden before CART1 "
     "(4 high, 1 low), all MRD-negative CR after CART2 within 0-3 months")),
    ("assessments", "pt03", "course=2", "mrd", "stated",
     f"{R} ¶6; Fig. 3D: 8.9% on day -7, <0.01% on days 26 and 322", ("other pt03 values "
     "imputed")),
    ("assessments", "pt01", "course=2", "mrd", "stated", "Discussion ¶9: MRD < 5% on day 0",
     "values imputed below 5%"),
    ("crs", "*", "*", "*", "stated", (f"{R} ¶3: grades 1 (three) and 2 (two), fever within "
     "1 day, hypotension without vasopressors in two, tocilizumab in two, no steroids, no "
     "neurotoxicity; ¶4 onset within 6 days, duration 7-14 days"),
     "which patient had which grade, temperatures and days are imputed"),
    ("cytokines", "*", "*", "*", "imputed", "Fig. 2; Additional file 4",
     ("IL-6 fold change medians 7.46 vs 849.7 (P = 0.2), peaks 100.4 vs 1300 pg/mL (P = 0.4); "
     "three patients per course; curves and other cytokines imputed")),
    ("qpcr", "*", "*", "*", "imputed", "Fig. 4A-C", ("curve shapes: peak within a week then "
     "decline")),
    ("qpcr", "pt03", "course=2", "value", "stated",
     f"{R} ¶7: peak 100.65e3 copies/ug; detectable at day 347", "other values imputed"),
    ("qpcr", "pt04", "course=2", "value", "stated",
     f"{R} ¶7: peak 59.63e3 copies/ug; CD19 CAR earlier and higher than CD22 CAR",
     "other values imputed"),
    ("qpcr", "pt05", "*", "value", "stated",
     f"{R} ¶7: 23.45e3 copies/ug at day 89 after CART2, 14.93e3 at day 60 after CART1",
     "other values imputed"),
    ("flow", "*", "*", "*", "imputed", f"{R} ¶8-9; Fig. 4D-E",
     ("B-cell aplasia duration medians 6.03 (3.17-9.77) and 11.57 (8.53-17.5) months; "
     "CD4/CD8 ratio inverted within 6 days")),
    ("events", "*", "*", "*", "imputed", f"{R} ¶2, ¶5; Discussion",
     ("relapse after CART1: median 11.87 (4.07-32.87) months, 3 isolated BM, 2 isolated "
     "extramedullary (testis, lymph node), all CD19+; HSCT in three; EFS 100%/80% and OS "
     "100%/100% at 6/12 months")),
    ("events", "pt01", "*", "*", "stated", f"{R} ¶5; Discussion ¶8",
     ("relapse 9 months after CART2 (CD19+ CD22+), third CAR-T, second relapse, treatment "
     "abandoned; dates imputed")),
    ("events", "pt02", "event=lost_to_follow_up", "*", "stated", "Fig. 1B caption",
     "one non-transplanted patient lost to follow-up; patient and date imputed"),
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
    write("study", ["study_id", "registry_id", "data_cutoff"],
          [["CART2-SCMC", "ChiCTR2000032211", iso(CUTOFF)]])

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
            for day in CYTOKINE_DAYS:
                value = cytokine_curve(day, base, peak, peak_day)
                unit = "ng/L" if (pid, course, day) == ("pt03", 2, 7) else "pg/mL"
                rows.append([pid, course, iso(infusions[(pid, course)] + timedelta(days=day)),
                             "IL-6", value, unit])
    for name, by_patient in OTHER_CYTOKINES.items():
        for pid, (base, peak) in by_patient.items():
            peak_day = IL6[pid][2][2]
            for day in CYTOKINE_DAYS:
                rows.append([pid, 2, iso(infusions[(pid, 2)] + timedelta(days=day)), name,
                             cytokine_curve(day, base, peak, peak_day), "pg/mL"])
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
                         "constrains"], [list(rule) for rule in PROVENANCE])
    print(f"wrote {len(list(OUT.glob('*.csv')))} sheets to {OUT}")


def cytokine_curve(day: int, base: float, peak: float, peak_day: int) -> str:
    """Baseline before infusion, a rise to the peak on the first sampling day on or after
    ``peak_day``, then a halving every 1.5 days back towards baseline."""
    top = min(d for d in CYTOKINE_DAYS if d >= peak_day)
    if day < 0:
        value = base
    elif day == top:
        value = peak
    elif day < top:
        value = base + (peak - base) * 0.5 * day / top
    else:
        value = base + (peak - base) * 0.5 ** ((day - top) / 1.5)
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
    day = lambda pid, n: iso(cart2[pid] + timedelta(days=n))
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
