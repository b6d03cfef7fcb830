"""Errors equipoise raises for bad input, each naming where and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's input: where it is, what is wrong, the fix."""

    source: str
    field: str
    message: str
    fix: str = ""
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class EquipoiseError(Exception):
    """Base of every error caused by what the user asked for (not a bug)."""

    def render(self) -> str:
        return str(self)


class InputError(EquipoiseError):
    """Bad input that is not a scenario file: an option, a name, a path."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def render(self) -> str:
        return f"{self.message}\n    fix: {self.fix}" if self.fix else self.message


OTHER_FILE_LIMIT = 20
"""Problems shown at once for a file that is not a scenario (no command lists them all)."""


class ScenarioError(EquipoiseError):
    """A scenario (or claims, or series) file with one or more problems.

    ``kind`` says which: ``"scenario"`` (the default), or e.g. ``"claims file"``,
    ``"series file"``. Only a scenario's remaining problems are left to
    ``equipoise validate``; another file's are shown (up to ``OTHER_FILE_LIMIT``).
    """

    def __init__(self, problems: list[Problem], *, kind: str = "scenario") -> None:
        if not problems:
            raise ValueError("ScenarioError needs at least one problem")
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.field))
        self.kind = kind
        super().__init__(self.render())

    def render(self, limit: int | None = None) -> str:
        scenario = self.kind == "scenario"
        if not scenario:  # validate reads scenarios only: show this file's problems here
            limit = OTHER_FILE_LIMIT if limit is None else max(limit, OTHER_FILE_LIMIT)
        shown = self.problems if limit is None else self.problems[:limit]
        text = "\n".join(problem.render() for problem in shown)
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            noun = "problem" if hidden == 1 else "problems"
            how = (
                "`equipoise validate` lists them all"
                if scenario
                else "fix these and run again to see them"
            )
            text += f"\n({hidden} more {noun} in {self.problems[0].source}; {how})"
        return text
