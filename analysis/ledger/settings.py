"""The ledger of one cohort: each claim computed under the cohort's own settings.

The arguments written in ``claims.yaml`` are the article's reading of each statement (the
6-month EFS censored at transplantation, the 12-month EFS ignoring it, the article's
cut-off). A reconstruction of the article's cohort
(:func:`analysis.common.paths.is_reconstruction`) keeps them, so that it compares with the
article. A team's cohort computes each estimate under its own study sheet
(:data:`analysis.ledger.claims.SETTINGS`: the EFS rule and the data cut-off), so that verify, ``claims.csv``, the supplement's ledger,
the popups, a ``--freeze`` lock file and the paper print the same values; and its ledger sets
apart the statements about named patients of the published cohort (``cohort: true``): a
patient of another cohort is never the article's pt03, whatever its code.
"""

from __future__ import annotations

import json

from analysis.common.paths import CohortPaths, is_reconstruction
from analysis.ledger.claims import SETTINGS, Claim, load_ledger


def study_settings(study: dict) -> dict[str, str]:
    """The settings of a study sheet row or a derived manifest: EFS rule and data cut-off
    (YYYY-MM-DD)."""
    cutoff = study["data_cutoff"]
    return {"efs_rule": str(study["efs_rule"]),
            "data_cutoff": cutoff if isinstance(cutoff, str) else f"{cutoff:%Y-%m-%d}"}


def cohort_settings(paths: CohortPaths) -> dict[str, str] | None:
    """The cohort's settings from its derived manifest; None for a reconstruction of the
    article's cohort, whose claims keep the article's reading."""
    if is_reconstruction(paths.raw):
        return None
    manifest = json.loads((paths.derived / "manifest.json").read_text(encoding="utf-8"))
    return study_settings(manifest)


def article_precision(paths: CohortPaths) -> bool:
    """Whether the cohort's documents print each claim as the article prints it (its digits,
    every duration in months): a reconstruction, read as the article (:func:`cohort_settings`
    None), whose ``claims.csv`` prints durations in months alone too. A team's records follow
    the cohort policy, a duration below a month in days, in the documents and beside the
    months of ``claims.csv`` alike (:func:`analysis.provenance.categories.categorised` keys
    its days on the same predicate: no provenance basis)."""
    return is_reconstruction(paths.raw)


def cohort_ledger(settings: dict[str, str] | None,
                  ledger: list[Claim] | None = None) -> list[Claim]:
    """The claims this cohort computes: for a reconstruction (``settings`` None) the
    ledger as written; otherwise every claim that does not name the published patients,
    under ``settings`` (:meth:`analysis.ledger.claims.Claim.under`)."""
    ledger = ledger or load_ledger()
    if settings is None:
        return ledger
    missing = [s for s in SETTINGS if s not in settings]
    if missing:
        raise ValueError(f"cohort settings {sorted(settings)}: missing {missing}")
    return [claim.under(settings) for claim in ledger if not claim.cohort]


def about_published_patients(settings: dict[str, str] | None,
                             ledger: list[Claim] | None = None) -> list[Claim]:
    """The claims set apart for this cohort: statements about named patients of the
    published cohort, which do not apply to a team's cohort (none for a reconstruction)."""
    if settings is None:
        return []
    return [claim for claim in ledger or load_ledger() if claim.cohort]
