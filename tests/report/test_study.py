"""Study facts in the documents come from the study sheet or are left out."""

from __future__ import annotations

import re

import pytest

from analysis.common.formatting import unescaped
from analysis.ledger.claims import Claims, spanned_ids, unspanned
from analysis.report import study

MANIFEST = {"centres": ["A", "B"], "registry_id": "NCT09999999"}


def _claims(centres: int = 2) -> Claims:
    claims = Claims({}, published_precision=False, spans=True)
    claims._values["n_centres"] = centres  # as if computed from a cohort's sheets
    return claims


@pytest.mark.parametrize("reconstruction", [True, False])
def test_the_registry_is_named_as_the_study_sheet_gives_it(reconstruction):
    assert "(registry NCT09999999)" in study.design(MANIFEST, reconstruction, _claims())


@pytest.mark.parametrize("registry", [None, ""])
@pytest.mark.parametrize("reconstruction", [True, False])
def test_a_study_without_a_registry_names_none(registry, reconstruction):
    text = study.design({**MANIFEST, "registry_id": registry}, reconstruction, _claims())
    assert "registry" not in text and "None" not in text and "nan" not in text
    assert not re.search(r"\(\s*\)|\s[.,]", text) and text.endswith(".")
    assert "2 centres (A, B)" in unescaped(unspanned(text))


@pytest.mark.parametrize("reconstruction", [True, False])
def test_the_number_of_centres_is_its_claim(reconstruction):
    text = study.design({"centres": ["A"], "registry_id": ""}, reconstruction, _claims(1))
    assert spanned_ids([text]) == {"n_centres"}
    assert '[1 centre]{data-claim="n_centres"}' in text
