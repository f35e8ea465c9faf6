"""Problems found in input sheets, collected so that one run reports all of them at once.

A problem names where it is (file or worksheet, row, column; in a workbook also the column
letter Excel shows), what was found and what was expected. A cell is reported once, for its
first problem: what follows from it (a blank left by an unreadable cell) is not repeated.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.common.formatting import plural

MAX_PER_KIND = 10  # problems of one kind (file, column, expectation) listed before summarising
MAX_VALUE = 80  # characters of an offending value shown in a message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what was found and what was expected."""

    file: str
    expected: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    kind: str | None = None  # what was found, in words ("the Excel error"), before the value
    letter: str | None = None  # the column's letter in a workbook ("C")

    def __str__(self) -> str:
        return f"{self.where()}{self.found()}; expected {self.expected}"

    def where(self) -> str:
        """File (or worksheet), row and column."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None or self.letter is not None:
            where += ", column " + " ".join(
                part for part in (self.letter, self.column and f"'{self.column}'") if part)
        return where

    def found(self) -> str:
        words = [w for w in (self.kind, self.value is not None and shorten(self.value)) if w]
        return f": found {' '.join(words)}" if words else ""


def shorten(value: str) -> str:
    """The value quoted as Python would, cut to about MAX_VALUE characters with its length."""
    if len(value) <= MAX_VALUE:
        return repr(value)
    return f"{value[:MAX_VALUE - 20]!r}... ({len(value)} characters)"


class InputWarning(UserWarning):
    """Something in the sheets that is allowed but changes what is derived (a patient
    without an end of follow-up); its message reads as a :class:`Problem`'s."""


class InputError(Exception):
    """Raised once validation has finished, carrying every problem it found."""

    def __init__(self, problems: list[Problem]):
        self.problems = first_per_cell(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """All problems, one a line, with long runs of one kind summarised."""
        lines = [f"{plural(len(self.problems), 'problem')} in the input sheets:"]
        seen: dict[tuple, int] = {}
        for problem in self.problems:
            kind = (problem.file, problem.column, problem.expected)
            seen[kind] = seen.get(kind, 0) + 1
            if seen[kind] <= MAX_PER_KIND:
                lines.append(f"  - {problem}")
        for (file, column, expected), count in seen.items():
            if count > MAX_PER_KIND:
                where = f"{file}, column '{column}'" if column is not None else file
                lines.append(f"  - ... and {count - MAX_PER_KIND} more in {where}"
                             f" (expected {expected})")
        return "\n".join(lines)


def first_per_cell(problems: list[Problem]) -> list[Problem]:
    """The problems with only the first of each cell (file, row and column) kept."""
    seen = set()
    kept = []
    for problem in problems:
        if problem.row is not None and problem.column is not None:
            cell = (problem.file, problem.row, problem.column)
            if cell in seen:
                continue
            seen.add(cell)
        kept.append(problem)
    return kept
