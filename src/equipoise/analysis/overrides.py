"""Change one value of a scenario by its path, validated exactly as if it were in the file.

``override(scenario, {"states.ISR.unacceptable_damage": 15})`` dumps the scenario to
the mapping its YAML file would hold, sets the value at the path, and loads the result
through the same loader and checks as a file (docs/model.md §1, §11), so a misspelt path
or a value out of range is refused with the path and the fix. Paths are written as
``equipoise validate`` prints them: dot-separated keys, ``[i]`` for list entries
(``dyads[0].a``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from equipoise.domain.loading import fields_at, load_scenario
from equipoise.domain.problems import Loc, format_loc, suggest
from equipoise.domain.scenario import Scenario
from equipoise.errors import InputError, ScenarioError

_KEY = r"[^.\[\]=\s]+"
_PATH = re.compile(rf"{_KEY}(?:\.{_KEY}|\[\d+\])*")
_PART = re.compile(rf"({_KEY})|\[(\d+)\]")


def parse_path(path: str) -> Loc:
    """'states.IRN.inventory.mrbm.launchers' or 'dyads[0].a' as a tuple of keys and indices."""
    text = path.strip()
    if _PATH.fullmatch(text) is None:
        raise InputError(
            f"'{path[:120]}' is not a scenario path",
            "write dot-separated keys, e.g. states.ISR.unacceptable_damage or dyads[0].a",
        )
    return tuple(key if key else int(index) for key, index in _PART.findall(text))


def parse_value(text: str) -> Any:
    """A --set value as YAML reads it in a file: 15 is a whole number, 0.9 a number,
    true a flag, [a, b] a list, {units: 2} a mapping, anything else text."""
    try:
        value = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        raise InputError(
            f"'{text[:80]}' is not a value a scenario file could hold",
            "write a number, true/false, text, [a, b] or {key: value}",
        ) from None
    return "" if value is None and text.strip() == "" else value


def parse_assignment(text: str) -> tuple[str, Any]:
    """'PATH=VALUE' (a --set option) as (path, value)."""
    path, equals, value = text.partition("=")
    if not equals or not path.strip():
        raise InputError(
            f"--set '{text[:120]}' is not PATH=VALUE",
            "write e.g. --set states.ISR.unacceptable_damage=15",
        )
    parse_path(path)
    return path.strip(), parse_value(value)


def _walk(data: dict[str, Any], loc: Loc, path: str, flag: str = "--set") -> tuple[Any, str | int]:
    """The container holding the last key of ``loc``, refusing unknown keys on the way
    (the error names ``flag``, the option the path came from)."""
    node: Any = data
    for depth, part in enumerate(loc):
        here = loc[:depth]
        last = depth == len(loc) - 1
        where = format_loc(here) or "the scenario"
        if isinstance(node, list):
            if not isinstance(part, int) or not 0 <= part < len(node):
                raise InputError(
                    f"{flag} {path}: {where} is a list of {len(node)} entries",
                    f"write {format_loc((*here, 0))} to {format_loc((*here, len(node) - 1))}",
                )
        elif isinstance(node, dict):
            if isinstance(part, int) or part not in node:
                model_fields = fields_at(Scenario, here)
                # a new entry of a user-named mapping (an inventory, the classes) is
                # allowed as the file allows it; anything else must exist already
                if model_fields or not last or isinstance(part, int):
                    choices = list(node) if node else model_fields
                    raise InputError(
                        f"{flag} {path}: '{part}' is not a key of {where}", suggest(part, choices)
                    )
        else:
            raise InputError(
                f"{flag} {path}: {where} is a single value, it has no '{part}'",
                f"stop the path at {where}",
            )
        if last:
            return node, part
        node = node[part]
    raise AssertionError("unreachable: parse_path never returns an empty path")


def override(
    scenario: Scenario | str, changes: Mapping[str, Any], *, flag: str = "--set"
) -> Scenario:
    """The scenario with each value at its path replaced, validated like a file.

    An unknown path, or a value the file could not hold, raises :class:`InputError`
    naming ``flag`` (the option the change came from), the path and the fix; the
    original scenario is never changed.
    """
    base = load_scenario(scenario)
    if not changes:
        return base
    data: dict[str, Any] = base.model_dump(mode="json")
    for path, value in changes.items():
        container, key = _walk(data, parse_path(path), path, flag)
        container[key] = value
    try:
        return load_scenario(data)
    except ScenarioError as error:
        shown = ", ".join(f"{p}={v!r}"[:100] for p, v in changes.items())
        problems = "; ".join(
            f"{p.field}: {p.message}" if p.field else p.message for p in error.problems[:3]
        )
        fix = next((p.fix for p in error.problems if p.fix), "check the path and the value")
        raise InputError(f"{flag} {shown}: {problems}", fix) from None


def current_value(scenario: Scenario, path: str) -> Any:
    """The value at ``path`` now (as the file would hold it), or an InputError."""
    data: dict[str, Any] = scenario.model_dump(mode="json")
    container, key = _walk(data, parse_path(path), path, "--vary")
    if isinstance(container, dict) and key not in container:
        raise InputError(f"--vary {path}: nothing is there yet", "set it first with --set")
    return container[key]


__all__ = ["current_value", "override", "parse_assignment", "parse_path", "parse_value"]
