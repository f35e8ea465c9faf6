"""Study facts in the documents come from the study sheet or are left out."""

from __future__ import annotations

import re

import pytest

from analysis.common.formatting import unescaped
from analysis.report import study

MANIFEST = {"centres": ["A", "B"], "registry_id": "NCT09999999"}


@pytest.mark.parametrize("reconstruction", [True, False])
def test_the_registry_is_named_as_the_study_sheet_gives_it(reconstruction):
    assert "(registry NCT09999999)" in study.design(MANIFEST, reconstruction)


@pytest.mark.parametrize("registry", [None, ""])
@pytest.mark.parametrize("reconstruction", [True, False])
def test_a_study_without_a_registry_names_none(registry, reconstruction):
    text = study.design({**MANIFEST, "registry_id": registry}, reconstruction)
    assert "registry" not in text and "None" not in text and "nan" not in text
    assert not re.search(r"\(\s*\)|\s[.,]", text) and text.endswith(".")
    assert "2 centres (A, B)" in unescaped(text)
