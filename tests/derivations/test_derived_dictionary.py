"""Every derived column is documented, and every documented column exists."""

import yaml

from analysis.sheets.dictionary import (
    DERIVED_DICTIONARY,
    derived_from,
    derived_keys,
    load_dictionary,
)


def test_derived_dictionary_matches_the_tables(bundled_tables):
    documented = yaml.safe_load(DERIVED_DICTIONARY.read_text())["tables"]
    assert set(documented) == set(bundled_tables)
    for name, frame in bundled_tables.items():
        assert list(documented[name]["columns"]) == list(frame.columns), name


def test_derived_keys_identify_rows(bundled_tables):
    for name, key in derived_keys().items():
        assert not bundled_tables[name].duplicated(key).any(), name


def test_quantities_name_the_unit_cells_they_are_converted_from():
    """A derived quantity computed from a raw value that carries its unit per row (a
    ``unit_column``) also comes from that unit cell; text columns (a qualifier, a label)
    do not carry the quantity."""
    documented = yaml.safe_load(DERIVED_DICTIONARY.read_text())["tables"]
    raw = load_dictionary()
    missing = []
    for name, columns in derived_from().items():
        for column, sources in columns.items():
            if documented[name]["columns"][column]["type"] == "text":
                continue
            for sheet, raw_column in sources:
                unit = raw[sheet].columns[raw_column].unit_column
                if unit and (sheet, unit) not in sources:
                    missing.append((name, column, f"{sheet}.{unit}"))
    assert not missing
