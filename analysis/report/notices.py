"""The notice at the top of each document saying whose data it shows."""

from __future__ import annotations

from analysis.common.formatting import markdown_code, markdown_text, plural
from analysis.common.paths import CohortPaths
from analysis.sheets.places import Places


def data_notice(paths: CohortPaths, study_id: str, warnings: list[str] = ()) -> str:
    """A Quarto callout (Markdown) naming the study (``study_id`` of its study sheet) and
    what kind of data it holds, with the derivation's ``warnings`` about the sheets (the
    derived manifest's); the sheets are named by the workbook's or folder's name, never by
    a local path."""
    if paths.bundled:
        text = ("**Reconstructed data.** The trial's patient-level records are not public. The "
                "sheets in `data-raw/` hold values chosen to fit the published article's "
                "aggregates and per-patient facts where its stated methods allow; they are not "
                "the trial's records. The supplement's ledger says which published values are "
                "reproduced from stated values alone, which agree only with the values chosen "
                "(consistent with the reconstruction), which only under another reading, which "
                "are stated values read back, and which cannot be reproduced; "
                "`data-raw/provenance.csv` marks each value as stated in the article or "
                "imputed.")
    elif study_id.upper().startswith("SYNTHETIC"):
        text = (f"**Synthetic cohort {markdown_code(study_id)}.** Every patient here was "
                f"generated at random by `tools/synth.py` (sheets in "
                f"{markdown_code(Places(paths.raw).origin)}); nothing describes real "
                "patients. Statements about named patients of the published cohort are left "
                "out.")
    else:
        text = (f"**Study {markdown_code(study_id)}.** Computed from this study's sheets "
                f"({markdown_code(Places(paths.raw).origin)}), not from the published "
                "cohort. Statements about named patients of the published cohort are left "
                "out where they do not apply.")
    return f"::: {{.callout-important}}\n{text}{_warned(warnings)}\n:::\n"


def _warned(warnings: list[str]) -> str:
    """The warnings as a list under the notice ('' without any)."""
    if not warnings:
        return ""
    says = "it says" if len(warnings) == 1 else "they say"
    items = "\n".join(f"- {markdown_text(text)}" for text in warnings)
    return (f"\n\nReading the sheets gave {plural(len(warnings), 'warning')}; the results "
            f"are computed as {says}:\n\n{items}")
