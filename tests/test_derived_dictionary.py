"""Every derived column is documented, and every documented column exists."""

import yaml

from analysis.dictionary import DERIVED_DICTIONARY, derived_keys


def test_derived_dictionary_matches_the_tables(bundled_tables):
    documented = yaml.safe_load(DERIVED_DICTIONARY.read_text())["tables"]
    assert set(documented) == set(bundled_tables)
    for name, frame in bundled_tables.items():
        assert list(documented[name]["columns"]) == list(frame.columns), name


def test_derived_keys_identify_rows(bundled_tables):
    for name, key in derived_keys().items():
        assert not bundled_tables[name].duplicated(key).any(), name
