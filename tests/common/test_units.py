"""Unit conversions that real lab exports contain."""

import math

import pytest

from analysis.common.units import UnitError, convert, parse_unit


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (5.0, "copies/100ng", "copy/microgram", 50.0),
        (5.0, "copies/100 ng DNA", "copies/ug DNA", 50.0),
        (1500.0, "ng/L", "pg/mL", 1500.0),
        (2.0, "ng/mL", "pg/mL", 2000.0),
        (100.4, "degF", "degC", 38.0),
        (2e9, "cells/L", "cell/microliter", 2000.0),
        (0.35e9, "cells/L", "cells/uL", 350.0),
        (175.0, "1e6 cell", "cell", 1.75e8),
        (25.0, "%", "percent", 25.0),
        (1.2, "ratio", "dimensionless", 1.2),
        (25.0, "cells/mm3", "cell/microliter", 25.0),
        (21500.0, "g", "kg", 21.5),
        (0.81, "m^2", "m2", 0.81),
    ],
)
def test_lab_export_units_convert(value, unit, target, expected):
    assert math.isclose(convert(value, unit, target), expected, rel_tol=1e-9)


def test_offset_units_convert_arrays():
    import numpy as np

    out = convert(np.array([98.6, 104.0]), "degF", "degC")
    assert np.allclose(out, [37.0, 40.0])


@pytest.mark.parametrize("unit", ["furlongs/fortnightx", "", "pg/", "copies/zz"])
def test_unknown_units_are_refused(unit):
    with pytest.raises(UnitError):
        parse_unit(unit)


@pytest.mark.parametrize(("unit", "target"), [("pg/mL", "kg"), ("degC", "percent"),
                                              ("copies/ug", "cell/microliter")])
def test_incompatible_units_are_refused(unit, target):
    with pytest.raises(UnitError, match="cannot be converted"):
        convert(1.0, unit, target)
