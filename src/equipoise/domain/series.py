"""Reading observed time series (spending, force sizes) from CSV files.

Every problem names the file, the line and the column: a missing column, a cell
that is not a number, a repeated or out-of-order time, too few rows.
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
from equipoise.errors import InputError, Problem, ScenarioError

FloatArray = NDArray[np.float64]


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
    ``consecutive``. Empty optional cells read as 0.
    """
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{label}: no such series file", "check the path") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as error:
        raise InputError(
            f"{label}: cannot read it ({type(error).__name__})", "name a UTF-8 CSV file"
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
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
    for name in required:
        if name not in header:
            problems.append(
                Problem(
                    label,
                    name,
                    f"missing column '{name}' (the header has {', '.join(header)})",
                    f"add a column named '{name}'; {suggest(name, header)}",
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
                        f"'{cell}' is not a number",
                        "write a plain number (no units or thousands separators)",
                        line,
                        position + 1,
                    )
                )
                number = math.nan
            values[name].append(number)
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
        for index in range(1, count):
            if stamps[index] != stamps[index - 1] + 1:
                problems.append(
                    Problem(
                        label,
                        time,
                        f"{time} {stamps[index]:g} does not follow {stamps[index - 1]:g}",
                        f"list every {time} once, in order, without gaps",
                        index + 2,
                    )
                )
                break
        if (stamps != np.round(stamps)).any():
            problems.append(Problem(label, time, f"{time} must be whole numbers", "", 2))
    if problems:
        raise ScenarioError(problems)
    return Series(label, {name: np.asarray(column, dtype=float) for name, column in values.items()})
