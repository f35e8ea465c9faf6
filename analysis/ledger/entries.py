"""The ledger file's entries that the article does not state: ``computed:`` numbers and
``per_patient:`` templates of numbers about one patient, loaded as claims without a
published value."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml

from analysis.ledger.claims import LEDGER, Claim, load_ledger

COMPUTED_KEYS = {"id", "what", "style", "compute"}


def load_computed(path: Path = LEDGER) -> list[Claim]:
    """The ``computed:`` entries of the ledger file: numbers the documents print that the
    article does not state, as claims without a published value (``published`` and
    ``where`` empty). They are computed and traced as claims are and never compared with
    the article; :func:`load_ledger` leaves them out."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader).get("computed")
    out = []
    for entry in entries or []:
        unknown = sorted(set(entry) - COMPUTED_KEYS)
        if unknown:
            raise ValueError(f"claims.yaml: computed {entry.get('id')!r}: unknown key(s) "
                             f"{unknown}; expected {sorted(COMPUTED_KEYS)}")
        compute = entry["compute"]
        out.append(Claim(id=entry["id"], where="", what=entry["what"], published="",
                         style=entry["style"], function=compute["function"],
                         args=dict(compute.get("args") or {})))
    ids = [c.id for c in [*load_ledger(path), *out]]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"claims.yaml: ids used twice (claims and computed) {sorted(duplicates)}")
    return out


def load_per_patient(path: Path = LEDGER) -> dict[str, Claim]:
    """The ``per_patient:`` entries of the ledger file by id: templates of numbers about one
    patient that the documents print (their ``what`` and text arguments name the patient as
    ``{patient}``); :func:`for_patient` makes one a claim. Like the computed entries, never
    compared with the article; ``stated`` names the claims by which the article states such
    a number for one of its patients."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader).get("per_patient")
    out = {}
    for entry in entries or []:
        unknown = sorted(set(entry) - COMPUTED_KEYS - {"stated"})
        if unknown:
            raise ValueError(f"claims.yaml: per_patient {entry.get('id')!r}: unknown key(s) "
                             f"{unknown}; expected {sorted(COMPUTED_KEYS | {'stated'})}")
        compute = entry["compute"]
        out[entry["id"]] = Claim(id=entry["id"], where="", what=entry["what"], published="",
                                 style=entry["style"], function=compute["function"],
                                 args=dict(compute.get("args") or {}),
                                 stated=tuple(entry.get("stated") or ()))
    written = {c.id for c in load_ledger(path)}
    taken = sorted(set(out) & (written | {c.id for c in load_computed(path)}))
    if taken:
        raise ValueError(f"claims.yaml: per_patient ids {taken} are ids of claims or computed "
                         "entries too")
    stray = sorted({i for c in out.values() for i in c.stated} - written)
    if stray:
        raise ValueError(f"claims.yaml: per_patient entries state {stray}, which are no claims")
    return out


def patient_claim_id(template: str, patient: str) -> str:
    """The id of a per-patient claim, ``<template>.<patient>`` (characters of the patient
    id other than letters, digits, '_' and '-' as '-', so that the id stays one word)."""
    return template + "." + re.sub(r"[^\w-]", "-", str(patient))


def for_patient(template: Claim, patient: str) -> Claim:
    """A per-patient template (:func:`load_per_patient`) as the claim about ``patient``."""
    args = {name: value.format(patient=patient) if isinstance(value, str) else value
            for name, value in template.args.items()}
    return replace(template, id=patient_claim_id(template.id, patient), args=args,
                   what=f"{template.what}, {patient}")
