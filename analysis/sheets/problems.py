"""Problems found in input sheets, collected so that one run reports all of them at once."""

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

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        found = f": found {shorten(self.value)}" if self.value is not None else ""
        return f"{where}{found}; expected {self.expected}"


def shorten(value: str) -> str:
    """The value quoted as Python would, cut to about MAX_VALUE characters with its length."""
    if len(value) <= MAX_VALUE:
        return repr(value)
    return f"{value[:MAX_VALUE - 20]!r}... ({len(value)} characters)"


class InputError(Exception):
    """Raised once validation has finished, carrying every problem it found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
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
                lines.append(
                    f"  - ... and {count - MAX_PER_KIND} more in {file}, column '{column}'"
                    f" (expected {expected})"
                )
        return "\n".join(lines)
