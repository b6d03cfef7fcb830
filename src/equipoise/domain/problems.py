"""Problems found in a file, located by the path of the field at fault."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LocatedProblem:
    """A problem at a path in the scenario (file and line are added by the loader)."""

    loc: Loc
    message: str
    fix: str = ""


def format_loc(loc: Loc) -> str:
    """A field path as users write it: ``states.IRN.inventory.mrbm`` or ``dyads[0].a``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def suggest(name: object, choices: Iterable[str]) -> str:
    """'did you mean ...' text for a misspelt name, or a list of valid names."""
    options = sorted({str(choice) for choice in choices})
    if not options:
        return "there is nothing to refer to yet; define it first"
    close = difflib.get_close_matches(str(name), options, n=3, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    shown = ", ".join(f"'{o}'" for o in options[:12])
    more = f" (and {len(options) - 12} more)" if len(options) > 12 else ""
    return f"use one of {shown}{more}."
