"""Reading observed time series (spending, force sizes) from CSV files.

Every problem names the file, the line and the column: a missing, repeated or
ambiguous column, a cell that is not a number or is out of range, a repeated or
out-of-order time, too few or too many rows.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from equipoise.domain.references import suggest
from equipoise.errors import Problem, ScenarioError

FloatArray = NDArray[np.float64]

MAX_ROWS = 200_000
"""Most data rows read from one series file."""
MAX_LEVEL = 1e15
"""Largest magnitude of a level or count (beyond it a number is almost surely a typo)."""
MAX_TIME = 1e6
"""Largest magnitude of a time stamp (year or day)."""


@dataclass(frozen=True)
class Series:
    """Numeric columns read from a CSV file, in file order."""

    source: str
    columns: dict[str, FloatArray]

    def __getitem__(self, name: str) -> FloatArray:
        return self.columns[name]

    @property
    def length(self) -> int:
        return len(next(iter(self.columns.values())))


def read_series(
    path: str | Path,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    time: str,
    min_rows: int = 3,
    consecutive: bool = True,
    nonnegative: bool = True,
) -> Series:
    """Read ``required`` (and any ``optional``) numeric columns from a CSV file.

    ``time`` must be whole numbers increasing by one from row to row when
    ``consecutive``. Empty optional cells read as 0. A ScenarioError's ``kind`` is
    ``"series file"`` (it shows every problem; `equipoise validate` reads scenarios).
    """
    try:
        return _read_series(
            path,
            required,
            optional,
            time=time,
            min_rows=min_rows,
            consecutive=consecutive,
            nonnegative=nonnegative,
        )
    except ScenarioError as error:
        raise ScenarioError(error.problems, kind="series file") from None


def _read_series(
    path: str | Path,
    required: Sequence[str],
    optional: Sequence[str],
    *,
    time: str,
    min_rows: int,
    consecutive: bool,
    nonnegative: bool,
) -> Series:
    from equipoise.domain.loading import read_text_file

    label = str(path)
    text = read_text_file(Path(path), "series file", encoding="utf-8-sig")
    if text.count("\n") > MAX_ROWS + 2:
        raise ScenarioError(
            [
                Problem(
                    label,
                    "",
                    f"more than {MAX_ROWS:,} data rows",
                    "fit a shorter span, or aggregate the rows (e.g. yearly instead of daily)",
                    MAX_ROWS + 2,
                )
            ]
        )
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ScenarioError(
            [Problem(label, "", f"not a CSV file: {error}", "save it as comma-separated text")]
        ) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ScenarioError(
            [
                Problem(
                    label,
                    "",
                    "the file is empty",
                    f"start with a header line: {','.join(required)}",
                    1,
                )
            ]
        )
    header = [cell.strip() for cell in rows[0]]
    problems = []
    for name in dict.fromkeys((*required, *optional)):
        positions = [index + 1 for index, cell in enumerate(header) if cell == name]
        folded = [
            index + 1
            for index, cell in enumerate(header)
            if cell != name and cell.casefold() == name.casefold()
        ]
        if len(positions) > 1:
            problems.append(
                Problem(
                    label,
                    name,
                    f"column '{name}' appears {len(positions)} times (columns "
                    f"{', '.join(map(str, positions))}), so it is ambiguous which to use",
                    "keep one column of that name: rename or delete the others",
                    1,
                    positions[1],
                )
            )
        elif folded and (positions or name in required):
            problems.append(
                Problem(
                    label,
                    name,
                    f"columns differ only in case from '{name}' (columns "
                    f"{', '.join(map(str, positions + folded))}), so it is ambiguous",
                    f"name exactly one column '{name}'",
                    1,
                    folded[0],
                )
            )
    if problems:
        raise ScenarioError(problems)
    for name in required:
        if name not in header:
            problems.append(
                Problem(
                    label,
                    name,
                    f"missing column '{name}' (the header has {', '.join(header)[:200]})",
                    f"add a column named '{name}'; {suggest(name, header[:100])}",
                    1,
                )
            )
    if problems:
        raise ScenarioError(problems)
    wanted = [name for name in (*required, *optional) if name in header]
    values: dict[str, list[float]] = {name: [] for name in wanted}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        for name in wanted:
            position = header.index(name)
            cell = row[position].strip() if position < len(row) else ""
            if cell == "" and name in optional:
                values[name].append(0.0)
                continue
            try:
                number = float(cell)
            except ValueError:
                number = math.nan
            limit = MAX_TIME if name == time else MAX_LEVEL
            if math.isfinite(number) and abs(number) > limit:
                problems.append(
                    Problem(
                        label,
                        name,
                        f"{cell[:40]} is out of range (at most {limit:g} in magnitude)",
                        "a number this large is almost certainly a typo; check the units",
                        line,
                        position + 1,
                    )
                )
                number = 0.0
            if math.isfinite(number) and nonnegative and number < 0:
                problems.append(
                    Problem(
                        label,
                        name,
                        f"{cell} is negative",
                        "levels and counts cannot be negative",
                        line,
                        position + 1,
                    )
                )
            if not math.isfinite(number):
                problems.append(
                    Problem(
                        label,
                        name,
                        f"'{cell[:40]}' is not a number",
                        "write a plain number (no units or thousands separators)",
                        line,
                        position + 1,
                    )
                )
                number = math.nan
            values[name].append(number)
            if len(problems) >= 20:
                raise ScenarioError(problems)
    if problems:
        raise ScenarioError(problems)
    count = len(values[time])
    if count < min_rows:
        raise ScenarioError(
            [
                Problem(
                    label,
                    "",
                    f"{count} data rows; at least {min_rows} are needed",
                    "add more rows",
                    len(rows),
                )
            ]
        )
    stamps = np.asarray(values[time])
    if consecutive:
        breaks = np.flatnonzero(np.diff(stamps) != 1)
        if breaks.size:
            index = int(breaks[0]) + 1
            problems.append(
                Problem(
                    label,
                    time,
                    f"{time} {stamps[index]:g} does not follow {stamps[index - 1]:g}",
                    f"list every {time} once, in order, without gaps",
                    index + 2,
                )
            )
        if (stamps != np.round(stamps)).any():
            problems.append(Problem(label, time, f"{time} must be whole numbers", "", 2))
    if problems:
        raise ScenarioError(problems)
    return Series(label, {name: np.asarray(column, dtype=float) for name, column in values.items()})
