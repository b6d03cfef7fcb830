"""CSV of a record with its provenance inside the file.

SIPRI's terms and the ODC-BY 1.0 licence of the interception record ask that the
credit travel with the data, and a CSV has no field for it: the credit (and any
caveat) goes in leading ``# `` comment lines. ``pandas.read_csv(path, comment="#")``
reads the file back to the same frame; cells holding a ``#`` are quoted, so a
reader that cuts lines at ``#`` outside quotes loses nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Literal

import pandas as pd

COMMENT = "#"


def csv_with_provenance(frame: pd.DataFrame, lines: Iterable[str]) -> str:
    """``frame`` as CSV text (no index) after one ``# `` comment line per entry of
    ``lines`` (an entry holding newlines gives several comment lines)."""
    header = "".join(
        f"{COMMENT} {part}".rstrip() + "\n"
        for line in lines
        for part in str(line).splitlines() or [""]
    )
    return header + frame.to_csv(index=False, quoting=_quoting(frame))


def _quoting(frame: pd.DataFrame) -> Literal[0, 2]:
    """Quote every text cell if any text cell or column name holds the comment mark
    (csv's minimal quoting would leave it bare, and a reader would cut the row)."""
    names = any(COMMENT in str(name) for name in frame.columns)
    text = frame.select_dtypes(include=["object", "string"])
    cells = any(text[name].astype(str).str.contains(COMMENT, regex=False).any() for name in text)
    return csv.QUOTE_NONNUMERIC if names or cells else csv.QUOTE_MINIMAL


__all__ = ["csv_with_provenance"]
