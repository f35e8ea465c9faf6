"""Write a synthetic cohort of N patients that passes the data dictionary.

``python tools/synth.py --n 40 --seed 1 --out DIR`` (or ``nox -s synth -- ...``). The values
are random draws with realistic structure and gaps (not every patient has cytokines, qPCR
or flow; some have a third course; some relapse, are transplanted, die or are lost). They
are SYNTHETIC: the study id, the README written beside the sheets and any render say so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

CUTOFF = pd.Timestamp("2022-08-31")
START = pd.Timestamp("2012-01-01")


def _days(values) -> pd.TimedeltaIndex:
    return pd.to_timedelta(np.asarray(values, dtype=int), unit="D")


def _iso(dates) -> np.ndarray:
    return pd.DatetimeIndex(dates).strftime("%Y-%m-%d").to_numpy()


def patients(rng: np.random.Generator, n: int) -> pd.DataFrame:
    ids = np.array([f"syn{i:06d}" for i in range(1, n + 1)])
    age = rng.uniform(1.0, 14.0, n).round(2)
    cytogenetics = rng.choice(["normal", "BCR-ABL1", "ETV6-RUNX1", "hyperdiploid", "KMT2A-r"],
                              n, p=[0.45, 0.1, 0.2, 0.2, 0.05])
    cns = rng.choice(["CNS1", "CNS2", "CNS3"], n, p=[0.8, 0.1, 0.1])
    csf = np.where(cns == "CNS3", rng.uniform(20, 95, n).round(2).astype(str), "")
    emd = np.where(cns == "CNS3", "CNS", rng.choice(["none", "testis"], n, p=[0.93, 0.07]))
    return pd.DataFrame({
        "patient_id": ids, "centre": rng.choice(["SCMC", "SCHSU"], n),
        "sex": np.where(emd == "testis", "M", rng.choice(["M", "F"], n)),
        "age_at_diagnosis": [f"{a:.2f}" for a in age],
        "diagnosis_date": _iso(START + _days(rng.integers(0, 300, n))),  # courses end by the cut-off
        "cytogenetics": cytogenetics,
        "bcr_abl1": np.where(cytogenetics == "BCR-ABL1", "yes", "no"),
        "prior_car_t": "no", "cns_status_pre_cart1": cns, "csf_blasts_pre_cart1": csf,
        "csf_wbc_pre_cart1": np.where(cns == "CNS3", rng.integers(6, 60, n).astype(str), ""),
        "extramedullary_pre_cart1": emd,
    }), age


def courses(rng, people: pd.DataFrame, age: np.ndarray) -> pd.DataFrame:
    n = len(people)
    diagnosis = pd.to_datetime(people["diagnosis_date"]).to_numpy()
    first = diagnosis + _days(rng.integers(200, 1800, n))
    second = first + _days(rng.integers(250, 800, n))
    third = second + _days(rng.integers(200, 400, n))
    has_third = rng.random(n) < 0.1
    rows = []
    for course, dates, keep in ((1, first, np.ones(n, bool)), (2, second, np.ones(n, bool)),
                                (3, third, has_third)):
        years = age + (dates - diagnosis) / np.timedelta64(1, "D") / 365.25
        weight = np.clip(8 + 3.1 * years + rng.normal(0, 2, n), 8, 90).round(1)
        height = np.clip(75 + 6.0 * years + rng.normal(0, 4, n), 70, 190).round(0)
        rows.append(pd.DataFrame({
            "patient_id": people["patient_id"], "course": course,
            "infusion_date": _iso(dates), "weight": weight, "weight_unit": "kg",
            "height": height, "bsa": np.sqrt(height * weight / 3600).round(2),
        })[keep])
    return pd.concat(rows, ignore_index=True)


def lymphodepletion(table: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for drug, days, per_m2 in (("fludarabine", (-4, -3, -2), None),
                               ("cyclophosphamide", (-4, -3), 500.0)):
        for day in days:
            dose = per_m2 if per_m2 else np.where(table["course"] == 1, 40.0, 50.0)
            parts.append(pd.DataFrame({
                "patient_id": table["patient_id"], "course": table["course"], "drug": drug,
                "day": day, "dose": (dose * table["bsa"]).round(1), "dose_unit": "mg"}))
    return pd.concat(parts, ignore_index=True)


def products(rng, table: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for target in ("CD19", "CD22"):
        rows = table if target == "CD19" else table[table["course"] >= 2]
        per_kg = rng.uniform(2e6, 8e6, len(rows))
        parts.append(pd.DataFrame({
            "patient_id": rows["patient_id"].to_numpy(), "course": rows["course"].to_numpy(),
            "target": target, "car_t_cells": (per_kg * rows["weight"].to_numpy() / 1e6).round(2),
            "car_t_cells_unit": "1e6 cell",
            "transduction_efficiency": rng.uniform(20, 70, len(rows)).round(1),
            "viability": rng.uniform(90.5, 99, len(rows)).round(1), "cd4_cd8_ratio": ""}))
    return pd.concat(parts, ignore_index=True)


def _at(table: pd.DataFrame, days) -> np.ndarray:
    return _iso(pd.to_datetime(table["infusion_date"]).to_numpy() + _days(days))


def assessments(rng, table: pd.DataFrame) -> pd.DataFrame:
    n = len(table)
    parts = []
    for visit, day in (("enrolment", -10), ("day28", 28), ("month3", 90)):
        if visit == "enrolment":
            mrd = rng.choice(["<0.01", "0.5", "3.2", "12.0", "45.0"], n)
        else:
            mrd = np.where(rng.random(n) < 0.85, "<0.01", rng.choice(["0.05", "1.2"], n))
        keep = np.ones(n, bool) if visit != "month3" else rng.random(n) < 0.5
        blasts = np.where(mrd == "<0.01", "1", np.where(np.isin(mrd, ["12.0", "45.0"]), "30",
                                                          "2"))
        parts.append(pd.DataFrame({
            "patient_id": table["patient_id"], "course": table["course"], "visit": visit,
            "assessment_date": _at(table, np.full(n, day)), "bm_blasts": blasts, "mrd": mrd,
            "csf": "negative", "extramedullary": "none"})[keep])
    return pd.concat(parts, ignore_index=True)


def crs(rng, table: pd.DataFrame) -> pd.DataFrame:
    n = len(table)
    hypotension = rng.random(n) < 0.3
    onset = rng.integers(0, 4, n)
    return pd.DataFrame({
        "patient_id": table["patient_id"], "course": table["course"],
        "max_temperature": rng.uniform(37.4, 40.5, n).round(1), "temperature_unit": "degC",
        "fever_onset_day": onset, "hypotension": np.where(hypotension, "yes", "no"),
        "vasopressors": np.where(hypotension & (rng.random(n) < 0.2), "one", "none"),
        "oxygen": rng.choice(["none", "low_flow", "high_flow"], n, p=[0.8, 0.15, 0.05]),
        "tocilizumab": np.where(hypotension, "yes", "no"), "steroids": "no",
        "crs_onset_day": onset, "crs_resolution_day": onset + rng.integers(3, 14, n),
        "neurotoxicity_grade": rng.choice([0, 1, 2], n, p=[0.85, 0.1, 0.05]),
    })


def _series(rng, table, share, parameters, days, unit, scale):
    rows = table[rng.random(len(table)) < share]
    parts = []
    for parameter in parameters:
        base = rng.uniform(1, 20, len(rows))
        peak = base * rng.uniform(5, 500, len(rows)) * scale
        for day in days:
            shape = 0.0 if day < 0 else np.exp(-((day - 6) ** 2) / 40)
            value = np.maximum(base, peak * shape) if scale == 1 else peak * shape
            text = np.where(value < 10, "<10", value.round(2).astype(str)) if scale != 1 else \
                value.round(2).astype(str)
            parts.append(pd.DataFrame({
                "patient_id": rows["patient_id"], "course": rows["course"],
                "sample_date": _at(rows, np.full(len(rows), day)), "parameter": parameter,
                "value": text, "unit": unit}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def flow(rng, table: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for day in (28, 90, 180):
        recovered = rng.random(len(table)) < day / 300
        for parameter, aplastic, normal, unit in (("CD19+ B cells", 0.1, 8.0, "%"),
                                                  ("B cells", 15.0, 450.0, "cells/uL")):
            parts.append(pd.DataFrame({
                "patient_id": table["patient_id"], "course": table["course"],
                "sample_date": _at(table, np.full(len(table), day)), "specimen": "PB",
                "parameter": parameter, "value": np.where(recovered, normal, aplastic),
                "unit": unit}))
    ratios = table[rng.random(len(table)) < 0.3]
    for day, level in ((0, 1.8), (7, 0.6)):
        parts.append(pd.DataFrame({
            "patient_id": ratios["patient_id"], "course": ratios["course"],
            "sample_date": _at(ratios, np.full(len(ratios), day)), "specimen": "PB",
            "parameter": "CD4/CD8 T cells", "value": level, "unit": "ratio"}))
    return pd.concat(parts, ignore_index=True)


def events(rng, table: pd.DataFrame) -> pd.DataFrame:
    wide = table.pivot(index="patient_id", columns="course", values="infusion_date").apply(
        pd.to_datetime)
    n = len(wide)
    gap = (wide[2] - wide[1]).dt.days.to_numpy()
    relapse1 = wide[1] + _days(rng.integers(60, np.maximum(gap - 20, 61)))
    parts = [pd.DataFrame({"patient_id": wide.index, "event": "relapse",
                           "event_date": relapse1, "after_course": 1, "site": rng.choice(
                               ["BM", "BM", "BM", "testis", "lymph node", "BM+CNS"], n),
                           "cd19": "positive", "cd22": "positive"})]
    last = 3 if 3 in wide else 2
    after = wide[last].fillna(wide[2]) if last == 3 else wide[2]
    course = np.where(wide.get(3, pd.Series(pd.NaT, index=wide.index)).notna(), 3, 2)
    hsct = rng.random(n) < 0.45
    relapse = ~hsct & (rng.random(n) < 0.35)
    death = relapse & (rng.random(n) < 0.5)
    lost = ~death & (rng.random(n) < 0.05)
    parts.append(pd.DataFrame({"patient_id": wide.index, "event": "hsct",
                               "event_date": after + _days(rng.integers(40, 150, n)),
                               "after_course": course})[hsct])
    relapse_date = after + _days(rng.integers(60, 500, n))
    parts.append(pd.DataFrame({"patient_id": wide.index, "event": "relapse",
                               "event_date": relapse_date, "after_course": course,
                               "site": "BM", "cd19": "positive",
                               "cd22": rng.choice(["positive", "negative"], n, p=[0.9, 0.1])}
                              )[relapse])
    parts.append(pd.DataFrame({"patient_id": wide.index, "event": "death",
                               "event_date": relapse_date + _days(rng.integers(30, 300, n)),
                               "after_course": course})[death])
    end = (after + _days(rng.integers(200, 1500, n))).clip(upper=CUTOFF)
    parts.append(pd.DataFrame({"patient_id": wide.index,
                               "event": np.where(lost, "lost_to_follow_up", "last_contact"),
                               "event_date": end, "after_course": course})[~death])
    out = pd.concat(parts, ignore_index=True)
    out = out[out["event_date"] <= CUTOFF]
    out["event_date"] = _iso(out["event_date"])
    return out.drop_duplicates(["patient_id", "event", "event_date"]).sort_values(
        ["patient_id", "event_date", "event"])


def _observed(frame: pd.DataFrame, column: str, events: pd.DataFrame) -> pd.DataFrame:
    """Rows dated on or before the cut-off and the patient's death (if any)."""
    deaths = events[events["event"] == "death"].set_index("patient_id")["event_date"]
    dates = pd.to_datetime(frame[column])
    last = pd.to_datetime(frame["patient_id"].map(deaths)).fillna(CUTOFF).clip(upper=CUTOFF)
    return frame[dates <= last]


def write_cohort(n: int, seed: int, out: Path) -> None:
    """Write every sheet of a synthetic cohort, and a README saying it is synthetic."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    people, age = patients(rng, n)
    table = courses(rng, people, age)
    two = table[table["course"] <= 2]
    sheets = {
        "study": pd.DataFrame({"study_id": [f"SYNTHETIC-n{n}-seed{seed}"],
                               "registry_id": [""],  # not registered: no registry is named
                               "data_cutoff": [CUTOFF.strftime("%Y-%m-%d")],
                               "efs_rule": ["hsct_censored"]}),
        "patients": people, "courses": table, "lymphodepletion": lymphodepletion(table),
        "products": products(rng, table), "assessments": assessments(rng, table),
        "crs": crs(rng, two[two["course"] == 2]),
        "cytokines": pd.concat([
            _series(rng, two[two["course"] == 2], 0.5, ["IL-6", "IL-10", "IFN-gamma"],
                    (-1, 3, 7, 14), "pg/mL", 1),
            _series(rng, two[two["course"] == 1], 0.3, ["IL-6"], (-1, 3, 7, 14), "pg/mL", 1)]),
        "qpcr": _series(rng, two, 0.6, ["total CAR"], (7, 14, 28, 90), "copies/ug", 100),
        "flow": flow(rng, two), "events": events(rng, table),
    }
    for name, column in (("assessments", "assessment_date"), ("cytokines", "sample_date"),
                         ("qpcr", "sample_date"), ("flow", "sample_date")):
        sheets[name] = _observed(sheets[name], column, sheets["events"])
    for name, frame in sheets.items():
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    (out / "README.md").write_text(
        f"# SYNTHETIC cohort ({n} patients, seed {seed})\n\n"
        "Written by `nox -s synth` (tools/synth.py) for testing and benchmarking. Random "
        "values with realistic structure; **not patient data** and not the published "
        "cohort.\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s synth --", description=__doc__)
    parser.add_argument("--n", type=int, required=True, help="number of patients")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    write_cohort(args.n, args.seed, args.out)
    print(f"synth: wrote a synthetic cohort of {args.n} patients to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
