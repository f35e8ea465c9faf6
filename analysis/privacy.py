"""Guard against direct identifiers (HIPAA Safe Harbor) entering the raw sheets.

Two checks: column names that announce an identifier (name, record number, birth date,
address, phone, e-mail, national ID), and cell values shaped like one (e-mail addresses,
phone numbers, national ID and social security numbers). Columns the data dictionary
declares are trusted by name but their values are still checked.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.problems import Problem

IDENTIFYING_NAMES = re.compile(
    r"(^|_)(name|first_?name|last_?name|surname|initials|mrn|medical_record|record_number|"
    r"hospital_number|national_id|id_card|id_number|ssn|social_security|passport|"
    r"birth|dob|date_of_birth|birthdate|address|street|city|zip|postcode|postal_code|"
    r"phone|telephone|mobile|fax|e_?mail)($|_)",
    re.IGNORECASE,
)

IDENTIFYING_VALUES = {
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "a phone number": re.compile(
        r"\+\d{1,3}[\s-]?\d[\d\s-]{6,}\d"  # international, with +
        r"|(?<![\w.])\(?\d{3}\)?[\s.-]\d{3,4}[\s.-]\d{4}(?![\w.])"  # (021) 3862-6161
        r"|(?<![\w.])1[3-9]\d{9}(?![\w.])"  # mobile number, 11 digits
    ),
    "a national ID number": re.compile(r"(?<![\w.])\d{17}[\dXx](?![\w.])"),
    "a social security number": re.compile(r"(?<![\w.])\d{3}-\d{2}-\d{4}(?![\w.])"),
}

ANY_IDENTIFYING_VALUE = re.compile("|".join(f"(?:{p.pattern})" for p in IDENTIFYING_VALUES.values()))


def find_identifiers(raw: pd.DataFrame, label: str, text_columns: set[str],
                     declared: set[str]) -> list[Problem]:
    """Problems for identifier-like column names and cell values in one raw sheet (all text).

    Values are scanned in ``text_columns`` and in every column the dictionary does not
    declare; declared numeric columns are left to the number checks.
    """
    problems = []
    for column in raw.columns:
        if column == "_row":
            continue
        if column not in declared and IDENTIFYING_NAMES.search(column):
            problems.append(Problem(label, "no direct identifiers (de-identify the sheet first)",
                                    row=1, column=column, value=column))
        if column in declared and column not in text_columns:
            continue
        values = raw[column].astype(str)
        suspect = {v for v in values.unique() if ANY_IDENTIFYING_VALUE.search(v)}
        if not suspect:
            continue
        for kind, pattern in IDENTIFYING_VALUES.items():
            looks = {v for v in suspect if pattern.search(v)}
            hits = values.isin(looks)
            for row, value in zip(raw.loc[hits, "_row"], values[hits], strict=True):
                problems.append(Problem(label, f"no direct identifiers; this looks like {kind}",
                                        row=int(row), column=column, value=value))
    return problems
