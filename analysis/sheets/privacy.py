"""Guard against direct identifiers (HIPAA Safe Harbor) entering the raw sheets.

Two checks: column names that announce an identifier (name, record number, birth date,
address, phone, e-mail, national ID), and cell values shaped like one (e-mail addresses,
phone numbers, national ID and social security numbers). Columns the data dictionary
declares are trusted by name but their values are still checked.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.sheets.problems import Problem

# What a column name announces, by the words it is made of (after splitting camelCase,
# spaces and punctuation into lower-case words) or, for Chinese names, by what it contains.
IDENTIFYING_WORDS = {
    "a person's name": r"name|names|first_?name|last_?name|surname|given_?name|family_?name|"
                       r"full_?name|initials|patient_?name",
    "a hospital or record number": r"mrn|medical_record|record_(?:number|no)|hospital_number|"
                                   r"hosp|hosp_?no|hospital_?no|inpatient_?(?:no|number)|"
                                   r"admission_?(?:no|number)|chart_?(?:no|number)|case_?no",
    "a national or insurance number": r"national_id|id_card|id_number|ssn|social_security|"
                                      r"passport|insurance_?(?:no|number)",
    "a birth date": r"birth|dob|date_of_birth|birthdate|birthday|bday",
    "an address": r"address|street|city|zip|postcode|postal_code",
    "a phone number or e-mail address": r"phone|telephone|mobile|fax|e_?mail",
}
IDENTIFYING_CHINESE = {
    "a person's name": "姓名|名字|患者名",
    "a hospital or record number": "住院号|病历号|病案号|门诊号",
    "a national or insurance number": "身份证|医保",
    "a birth date": "出生|生日",
    "an address": "地址|住址",
    "a phone number or e-mail address": "电话|手机|邮箱",
}
NAME_PATTERNS = {
    kind: re.compile(rf"(?:^|_)(?:{words})(?:$|_)|{IDENTIFYING_CHINESE[kind]}")
    for kind, words in IDENTIFYING_WORDS.items()
}


def identifier_reason(column: str) -> str | None:
    """What an identifying column name announces ("a person's name"), or None."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column)
    words = re.sub(r"[\W_]+", "_", words).strip("_").lower()
    return next((kind for kind, pattern in NAME_PATTERNS.items() if pattern.search(words)),
                None)


IDENTIFYING_VALUES = {
    # the look-behind starts a match only where a run starts: linear in the cell size
    "an e-mail address": re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+"),
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
                     declared: set[str], header_line: int = 1) -> list[Problem]:
    """Problems for identifier-like column names and cell values in one raw sheet (all text).

    Values are scanned in ``text_columns`` and in every column the dictionary does not
    declare; declared numeric columns are left to the number checks.
    """
    problems = []
    for column in raw.columns:
        if column == "_row":
            continue
        reason = None if column in declared else identifier_reason(column)
        if reason is not None:
            problems.append(Problem(label, f"no direct identifiers: the column name announces "
                                    f"{reason} (de-identify the sheet first)",
                                    row=header_line, column=column, value=column))
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
