"""Problems found in input sheets, collected so that one run reports all of them at once."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.formatting import plural

MAX_PER_KIND = 10  # problems of one kind (file, column, expectation) listed before summarising


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
        found = f": found {self.value!r}" if self.value is not None else ""
        return f"{where}{found}; expected {self.expected}"


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
