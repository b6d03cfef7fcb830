"""Cross-reference checks on a scenario: names that must exist, counts that must fit.

These run on the plain mapping read from the file (tolerating wrong types, which
the schema reports), so that ``equipoise validate`` can list structural and
reference problems together, each with the path of the field at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from equipoise.domain.common import MAX_COUNT
from equipoise.domain.dynamics import arms_race_problems
from equipoise.domain.problems import Loc, LocatedProblem, format_loc, suggest
from equipoise.domain.scenario import OFFENSIVE_KINDS
from equipoise.errors import InputError


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _role(system: Any) -> str | None:
    kind = _mapping(system).get("kind")
    if kind in OFFENSIVE_KINDS:
        return "offensive"
    if kind in ("air_defence", "electronic_warfare"):
        return str(kind)
    return None


_HOLDING_FIELDS = {
    "offensive": ({"launchers", "rounds"}, set()),
    "air_defence": ({"units"}, {"interceptors"}),
    "electronic_warfare": ({"units"}, set()),
}


def _state_reference(loc: Loc, name: Any, states: Mapping[str, Any]) -> list[LocatedProblem]:
    if isinstance(name, str) and name not in states:
        return [LocatedProblem(loc, f"unknown state '{name}'", suggest(name, states))]
    return []


def _holding_class(key: str, holding: Any) -> str:
    system = _mapping(holding).get("system")
    return system if isinstance(system, str) else key


def _inventory_problems(
    loc: Loc,
    inventory: Any,
    classes: Mapping[str, Any],
    states: Mapping[str, Any] | None = None,
    suppliers: Mapping[str, Any] | None = None,
) -> list[LocatedProblem]:
    problems: list[LocatedProblem] = []
    for key, holding in _mapping(inventory).items():
        here = (*loc, key)
        name = _holding_class(key, holding)
        if name not in classes:
            where = (*here, "system") if name != key else here
            problems.append(
                LocatedProblem(
                    where,
                    f"unknown system class '{name}'",
                    f"{suggest(name, classes)} Classes are defined under 'classes:'.",
                )
            )
            continue
        body = _mapping(holding)
        if states is not None:
            for index, rival in enumerate(_sequence(body.get("not_cleared_against"))):
                problems += _state_reference((*here, "not_cleared_against", index), rival, states)
        supplier = body.get("supplied_by")
        if suppliers is not None and isinstance(supplier, str) and supplier not in suppliers:
            problems.append(
                LocatedProblem(
                    (*here, "supplied_by"),
                    f"unknown supplier '{supplier}'",
                    f"{suggest(supplier, suppliers)} Suppliers are defined under 'suppliers:'.",
                )
            )
        role = _role(classes[name])
        if role is None or not isinstance(holding, Mapping):
            continue
        required, optional = _HOLDING_FIELDS[role]
        bookkeeping = {"source", "system", "not_cleared_against", "supplied_by"}
        given = {
            str(field)
            for field, value in holding.items()
            if value is not None and field not in bookkeeping
        }
        for missing in sorted(required - given):
            problems.append(
                LocatedProblem(
                    here,
                    f"holding '{key}' of {role.replace('_', ' ')} class '{name}' needs '{missing}'",
                    f"add '{missing}: <count>'",
                )
            )
        for extra in sorted(given - required - optional):
            allowed = ", ".join(sorted(required | optional))
            problems.append(
                LocatedProblem(
                    (*here, extra),
                    f"'{extra}' does not apply to {role.replace('_', ' ')} class '{name}'",
                    f"use {allowed}",
                )
            )
    return problems


def _class_problems(classes: Mapping[str, Any]) -> list[LocatedProblem]:
    problems: list[LocatedProblem] = []
    offensive_names = {n for n, c in classes.items() if _role(c) in ("offensive", None)}
    targets = set(OFFENSIVE_KINDS) | offensive_names
    for name, system in classes.items():
        if _role(system) != "air_defence":
            continue
        for key in _mapping(_mapping(system).get("kill_probability")):
            if key not in targets:
                problems.append(
                    LocatedProblem(
                        ("classes", name, "kill_probability", key),
                        f"'{key}' is neither an offensive kind nor an offensive class",
                        suggest(key, targets),
                    )
                )
    return problems


def _state_problems(
    states: Mapping[str, Any], classes: Mapping[str, Any], suppliers: Mapping[str, Any]
) -> list[LocatedProblem]:
    problems: list[LocatedProblem] = []
    for name, state in states.items():
        body = _mapping(state)
        problems += _inventory_problems(
            ("states", name, "inventory"), body.get("inventory"), classes, states, suppliers
        )
        value, threshold = body.get("value_at_risk", 100.0), body.get("unacceptable_damage")
        if (
            isinstance(value, int | float)
            and isinstance(threshold, int | float)
            and threshold > value
        ):
            problems.append(
                LocatedProblem(
                    ("states", name, "unacceptable_damage"),
                    f"unacceptable damage {threshold} exceeds value at risk {value}, "
                    "so no retaliation could ever reach it",
                    "lower unacceptable_damage or raise value_at_risk",
                )
            )
    return problems


def _backer_problems(
    backers: Mapping[str, Any],
    states: Mapping[str, Any],
    classes: Mapping[str, Any],
    suppliers: Mapping[str, Any],
) -> list[LocatedProblem]:
    problems: list[LocatedProblem] = []
    for name, backer in backers.items():
        body = _mapping(backer)
        if name in states:
            problems.append(
                LocatedProblem(
                    ("backers", name),
                    f"'{name}' is both a state and a backer",
                    "give the backer a different key",
                )
            )
        joins = body.get("joins")
        problems += _state_reference(("backers", name, "joins"), joins, states)
        for index, rival in enumerate(_sequence(body.get("against"))):
            unknown = _state_reference(("backers", name, "against", index), rival, states)
            problems += unknown
            if not unknown and rival == joins:
                problems.append(
                    LocatedProblem(
                        ("backers", name, "against", index),
                        f"'{name}' joins '{joins}' and cannot also be against it",
                        "remove it from 'against'",
                    )
                )
        problems += _inventory_problems(
            ("backers", name, "inventory"), body.get("inventory"), classes, states, suppliers
        )
    return problems


def _dyad_problems(dyads: list[Any], states: Mapping[str, Any]) -> list[LocatedProblem]:
    problems: list[LocatedProblem] = []
    seen: dict[frozenset[str], int] = {}
    for index, dyad in enumerate(dyads):
        body = _mapping(dyad)
        names = [body.get("a"), body.get("b")]
        for key, state in zip(("a", "b"), names, strict=True):
            if isinstance(state, str) and state not in states:
                problems.append(
                    LocatedProblem(
                        ("dyads", index, key),
                        f"dyad names a missing state '{state}'",
                        f"{suggest(state, states)} States are defined under 'states:'.",
                    )
                )
        if all(isinstance(n, str) for n in names):
            pair = frozenset(str(n) for n in names)
            if len(pair) == 1:
                problems.append(
                    LocatedProblem(
                        ("dyads", index),
                        f"a dyad needs two different states, got '{names[0]}' twice",
                        "change 'a' or 'b'",
                    )
                )
            elif pair in seen:
                problems.append(
                    LocatedProblem(
                        ("dyads", index),
                        f"dyad {names[0]}-{names[1]} repeats dyad {seen[pair] + 1}",
                        "remove one of them",
                    )
                )
            else:
                seen[pair] = index
    return problems


def _held_units(holding: Any, role: str | None) -> int | None:
    body = _mapping(holding)
    value = body.get("launchers") if role == "offensive" else body.get("units")
    return value if isinstance(value, int) else None


def _withdrawal_problems(data: Mapping[str, Any]) -> list[LocatedProblem]:
    problems: list[LocatedProblem] = []
    states, backers = _mapping(data.get("states")), _mapping(data.get("backers"))
    classes = _mapping(data.get("classes"))
    parties = {**states, **backers}
    totals: dict[tuple[str, str], int] = {}
    for index, withdrawal in enumerate(_sequence(data.get("withdrawals"))):
        body = _mapping(withdrawal)
        here: Loc = ("withdrawals", index)
        party, system = body.get("party"), body.get("system")
        if not isinstance(party, str) or not isinstance(system, str):
            continue
        if party not in parties:
            problems.append(
                LocatedProblem(
                    (*here, "party"), f"unknown state or backer '{party}'", suggest(party, parties)
                )
            )
            continue
        inventory = _mapping(_mapping(parties.get(party)).get("inventory"))
        if system not in inventory:
            problems.append(
                LocatedProblem(
                    (*here, "system"),
                    f"'{party}' holds no '{system}'",
                    suggest(system, inventory),
                )
            )
            continue
        role = _role(classes.get(_holding_class(system, inventory.get(system))))
        held = _held_units(inventory.get(system), role)
        units = body.get("units")
        if isinstance(units, int) and held is not None:
            totals[(party, system)] = totals.get((party, system), 0) + units
            if totals[(party, system)] > held:
                problems.append(
                    LocatedProblem(
                        (*here, "units"),
                        f"withdraws {totals[(party, system)]} units of '{system}' in all "
                        f"but '{party}' holds {held}",
                        f"withdraw at most {held}",
                    )
                )
        if role is not None and role != "offensive" and body.get("arrival_factor") is not None:
            problems.append(
                LocatedProblem(
                    (*here, "arrival_factor"),
                    "an arrival factor applies only to offensive systems",
                    "remove it; defence units can only be withdrawn",
                )
            )
        system_class = _mapping(classes.get(_holding_class(system, inventory.get(system))))
        if (
            body.get("to_distance_km") is not None
            and role == "offensive"
            and system_class.get("range_km") is None
        ):
            problems.append(
                LocatedProblem(
                    (*here, "to_distance_km"),
                    f"class '{system}' has no range_km, so a distance cannot be judged",
                    f"add range_km to class '{system}', or use arrival_factor instead",
                )
            )
        for position, rival in enumerate(_sequence(body.get("rivals"))):
            problems += _state_reference((*here, "rivals", position), rival, states)
    return problems


def _calibration_problems(data: Mapping[str, Any]) -> list[LocatedProblem]:
    problems: list[LocatedProblem] = []
    states = _mapping(data.get("states"))
    classes = _mapping(data.get("classes"))
    offensive = {n for n, c in classes.items() if _role(c) == "offensive"}
    broken = {n for n, c in classes.items() if _role(c) is None}
    for index, case in enumerate(_sequence(data.get("calibration"))):
        body = _mapping(case)
        for key in ("attacker", "defender"):
            problems += _state_reference(("calibration", index, key), body.get(key), states)
        if body.get("attacker") == body.get("defender") and body.get("attacker") is not None:
            problems.append(
                LocatedProblem(
                    ("calibration", index, "defender"),
                    "attacker and defender are the same state",
                    "name two different states",
                )
            )
        for name in _mapping(body.get("attack")):
            if name not in offensive and name not in broken:
                problems.append(
                    LocatedProblem(
                        ("calibration", index, "attack", name),
                        f"'{name}' is not an offensive class",
                        suggest(name, offensive),
                    )
                )
    return problems


def _capability_problems(states: Mapping[str, Any]) -> list[LocatedProblem]:
    from equipoise import data as nmc_data

    problems: list[LocatedProblem] = []
    for name, state in states.items():
        capability = _mapping(_mapping(state).get("capability"))
        if not capability:
            continue
        here: Loc = ("states", name, "capability")
        source = capability.get("source")
        if source == "given":
            if capability.get("cinc") is None:
                problems.append(
                    LocatedProblem(
                        here, "source 'given' needs a 'cinc' value", "add 'cinc: <share>'"
                    )
                )
            continue
        if source != "nmc":
            continue
        if capability.get("cinc") is not None:
            problems.append(
                LocatedProblem(
                    (*here, "cinc"),
                    "'cinc' is taken from the data when source is 'nmc'",
                    "remove 'cinc', or use 'source: given'",
                )
            )
        year = capability.get("year")
        if isinstance(year, int) and not 1816 <= year <= 2100:
            continue  # out of range: the schema says so, with the bounds
        if not isinstance(year, int):
            problems.append(
                LocatedProblem(
                    here, "source 'nmc' needs a 'year'", "add 'year: 2016' (the data end in 2016)"
                )
            )
            continue
        named = capability.get("state")
        try:
            record = nmc_data.resolve_state(named if isinstance(named, str) else name)
        except InputError as error:
            fix = (
                error.fix if named else f"{error.fix} Or name it with 'state: <CoW or ISO3 code>'."
            )
            problems.append(LocatedProblem((*here, "state") if named else here, error.message, fix))
            continue
        try:
            nmc_data.capability(record, year)
        except InputError as error:
            problems.append(LocatedProblem((*here, "year"), error.message, error.fix))
    return problems


MAX_TOTAL_COUNT = 100_000_000
"""Most launchers, rounds, units, interceptors and channels a scenario may hold in all,
counting every package at its max_quantity (the samplers need totals below 10^9)."""
MAX_PACKAGE_COUNT = 100_000
"""Most launchers, rounds, units and interceptors in one package."""


def _whole(value: Any) -> int:
    """A count the schema accepts (0 to MAX_COUNT), else 0: the schema reports the rest."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_COUNT:
        return value
    return 0


def _holding_count(key: str, holding: Any, classes: Mapping[str, Any]) -> int:
    """Launchers, rounds, units, interceptors and engagement channels of one holding."""
    body = _mapping(holding)
    count = sum(_whole(body.get(field)) for field in ("launchers", "rounds", "units"))
    system = _mapping(classes.get(_holding_class(key, holding)))
    units = _whole(body.get("units"))
    if system.get("kind") == "air_defence":
        given = body.get("interceptors")
        count += (
            _whole(given)
            if given is not None
            else units * _whole(system.get("interceptors_per_battery"))
        )
        count += units * _whole(system.get("channels_per_battery"))
    return count


def _count_problems(data: Mapping[str, Any]) -> list[LocatedProblem]:
    """Totals the simulation can sample: at most MAX_TOTAL_COUNT in all."""
    classes = _mapping(data.get("classes"))
    problems: list[LocatedProblem] = []
    total, largest = 0, -1
    largest_at: Loc = ("states",)
    for group in ("states", "backers"):
        for name, party in _mapping(data.get(group)).items():
            for key, holding in _mapping(_mapping(party).get("inventory")).items():
                count = _holding_count(key, holding, classes)
                total += count
                if count > largest:
                    largest, largest_at = count, (group, name, "inventory", key)
    for name, supplier in _mapping(data.get("suppliers")).items():
        for package, content in _mapping(_mapping(supplier).get("packages")).items():
            body = _mapping(content)
            here: Loc = ("suppliers", name, "packages", package)
            count = sum(
                _holding_count(key, holding, classes)
                for key, holding in _mapping(body.get("systems")).items()
            )
            if count > MAX_PACKAGE_COUNT:
                problems.append(
                    LocatedProblem(
                        (*here, "systems"),
                        f"one package holds {count:,} launchers, rounds, units, interceptors "
                        f"and channels; the limit is {MAX_PACKAGE_COUNT:,}",
                        "describe a smaller package and raise its max_quantity instead",
                    )
                )
            count *= max(_whole(body.get("max_quantity")), 1)
            total += count
            if count > largest:
                largest, largest_at = count, here
    for case in _sequence(data.get("calibration")):
        total += sum(_whole(rounds) for rounds in _mapping(_mapping(case).get("attack")).values())
    if total > MAX_TOTAL_COUNT:
        problems.append(
            LocatedProblem(
                largest_at,
                f"the scenario holds {total:,} launchers, rounds, units, interceptors and "
                f"channels in all (packages at their max_quantity); the limit is "
                f"{MAX_TOTAL_COUNT:,}",
                "use smaller counts; the largest holding is here",
            )
        )
    return problems


def _arms_race_problems(data: Mapping[str, Any]) -> list[LocatedProblem]:
    states = _mapping(data.get("states"))
    race = _mapping(data.get("arms_race"))
    problems = arms_race_problems(race) if race else []
    for key in ("a", "b"):
        problems += _state_reference(("arms_race", key), race.get(key), states)
    return problems


__all__ = [
    "MAX_PACKAGE_COUNT",
    "MAX_TOTAL_COUNT",
    "Loc",
    "LocatedProblem",
    "format_loc",
    "reference_problems",
    "suggest",
]


def _class_or_kind_problems(
    loc: Loc, names: Any, classes: Mapping[str, Any]
) -> list[LocatedProblem]:
    valid = set(classes) | set(OFFENSIVE_KINDS) | {"air_defence", "electronic_warfare"}
    return [
        LocatedProblem(
            (*loc, index), f"'{name}' is neither a class nor a kind", suggest(name, valid)
        )
        for index, name in enumerate(_sequence(names))
        if isinstance(name, str) and name not in valid
    ]


def _supplier_problems(
    suppliers: Mapping[str, Any], states: Mapping[str, Any], classes: Mapping[str, Any]
) -> list[LocatedProblem]:
    problems: list[LocatedProblem] = []
    for name, supplier in suppliers.items():
        here: Loc = ("suppliers", name)
        body = _mapping(supplier)
        if name in states:
            problems.append(
                LocatedProblem(
                    here, f"'{name}' is both a state and a supplier", "rename one of them"
                )
            )
        for state in _mapping(body.get("relations")):
            problems += _state_reference((*here, "relations", state), state, states)
        for package, content in _mapping(body.get("packages")).items():
            at: Loc = (*here, "packages", package)
            systems = _mapping(content).get("systems")
            problems += _inventory_problems((*at, "systems"), systems, classes)
            for index, recipient in enumerate(_sequence(_mapping(content).get("recipients"))):
                problems += _state_reference((*at, "recipients", index), recipient, states)
        red = _mapping(body.get("red_lines"))
        for state, names in _mapping(red.get("no_classes")).items():
            at = (*here, "red_lines", "no_classes", state)
            problems += _state_reference(at, state, states)
            problems += _class_or_kind_problems(at, names, classes)
        for index, rule in enumerate(_sequence(red.get("not_cleared"))):
            at = (*here, "red_lines", "not_cleared", index)
            entry = _mapping(rule)
            problems += _state_reference((*at, "recipient"), entry.get("recipient"), states)
            problems += _state_reference((*at, "rival"), entry.get("rival"), states)
            problems += _class_or_kind_problems((*at, "classes"), entry.get("classes"), classes)
        for state in _mapping(red.get("caps")):
            problems += _state_reference((*here, "red_lines", "caps", state), state, states)
    return problems


def _package_reference(name: str, suppliers: Mapping[str, Any]) -> tuple[list[str], str]:
    """Suppliers offering a package named 'PACKAGE' or 'SUPPLIER.PACKAGE'."""
    supplier, dot, package = name.partition(".")
    if dot and package in _mapping(_mapping(suppliers.get(supplier)).get("packages")):
        return [supplier], package
    offering = [
        s for s, body in suppliers.items() if name in _mapping(_mapping(body).get("packages"))
    ]
    return offering, name


def claims_problems(
    claims: Any, scenario: Mapping[str, Any], loc: Loc = ("claims",)
) -> list[LocatedProblem]:
    """Cross-references of a claims block against the scenario it is used with."""
    from equipoise.domain.claims import DEFAULT_LIKELIHOOD_RATIOS

    body = _mapping(claims)
    states = _mapping(scenario.get("states"))
    suppliers = _mapping(scenario.get("suppliers"))
    classes = _mapping(scenario.get("classes"))
    kinds = set(DEFAULT_LIKELIHOOD_RATIOS) | set(_mapping(body.get("likelihood_ratios")))
    items = _mapping(body.get("items"))
    problems: list[LocatedProblem] = []
    for name, claim in items.items():
        here: Loc = (*loc, "items", name)
        entry = _mapping(claim)
        delivery = _mapping(entry.get("delivery"))
        at: Loc = (*here, "delivery")
        problems += _state_reference((*at, "recipient"), delivery.get("recipient"), states)
        package, systems = delivery.get("package"), _mapping(delivery.get("systems"))
        if (package is None) == (not systems):
            problems.append(
                LocatedProblem(
                    at,
                    "a claimed delivery needs either 'package' or 'systems', not both or neither",
                    "name a supplier package (package: SUPPLIER.PACKAGE) or list the systems",
                )
            )
        if isinstance(package, str):
            offering, short = _package_reference(package, suppliers)
            catalogue = [
                f"{s}.{p}"
                for s, b in suppliers.items()
                for p in _mapping(_mapping(b).get("packages"))
            ]
            if not offering:
                problems.append(
                    LocatedProblem(
                        (*at, "package"),
                        f"unknown package '{package}'",
                        suggest(package, catalogue)
                        if catalogue
                        else "the scenario has no suppliers",
                    )
                )
            elif len(offering) > 1:
                problems.append(
                    LocatedProblem(
                        (*at, "package"),
                        f"package '{short}' is offered by several suppliers",
                        "write " + " or ".join(f"{s}.{short}" for s in offering),
                    )
                )
        if systems:
            problems += _inventory_problems((*at, "systems"), systems, classes, states, suppliers)
        supplier = delivery.get("supplier")
        if isinstance(supplier, str) and supplier not in suppliers:
            problems.append(
                LocatedProblem(
                    (*at, "supplier"),
                    f"unknown supplier '{supplier}'",
                    suggest(supplier, suppliers),
                )
            )
        for index, source in enumerate(_sequence(entry.get("sources"))):
            kind = _mapping(source).get("kind")
            if isinstance(kind, str) and kind not in kinds:
                problems.append(
                    LocatedProblem(
                        (*here, "sources", index, "kind"),
                        f"unknown source kind '{kind}'",
                        f"{suggest(kind, kinds)} Or define it under 'likelihood_ratios'.",
                    )
                )
    seen: dict[str, int] = {}
    for index, group in enumerate(_sequence(body.get("exclusive"))):
        here = (*loc, "exclusive", index)
        members = [m for m in _sequence(group) if isinstance(m, str)]
        if len(set(members)) < 2:
            problems.append(
                LocatedProblem(
                    here,
                    "an exclusive group needs at least two different claims",
                    "add the alternatives",
                )
            )
        for position, member in enumerate(members):
            if member not in items:
                problems.append(
                    LocatedProblem(
                        (*here, position), f"unknown claim '{member}'", suggest(member, items)
                    )
                )
            elif member in seen:
                problems.append(
                    LocatedProblem(
                        (*here, position),
                        f"claim '{member}' is already in exclusive group {seen[member]}",
                        "merge the two groups, or take the claim out of one",
                    )
                )
            else:
                seen[member] = index
        raw = [_mapping(items.get(m)).get("prior") for m in members if m in items]
        priors = [
            float(p)
            for p in raw
            if isinstance(p, int | float) and not isinstance(p, bool) and abs(p) <= 1e9
        ]
        if len(priors) == len(raw) and sum(priors) > 1 + 1e-12:
            problems.append(
                LocatedProblem(
                    here,
                    f"mutually exclusive claims have priors summing to {sum(priors):g} > 1",
                    "lower the priors so that at most one of them can be true",
                )
            )
    return problems


def reference_problems(data: Mapping[str, Any]) -> list[LocatedProblem]:
    """Every cross-reference problem in a scenario mapping."""
    classes = _mapping(data.get("classes"))
    states = _mapping(data.get("states"))
    backers = _mapping(data.get("backers"))
    suppliers = _mapping(data.get("suppliers"))
    return [
        *_class_problems(classes),
        *_state_problems(states, classes, suppliers),
        *_backer_problems(backers, states, classes, suppliers),
        *_supplier_problems(suppliers, states, classes),
        *_dyad_problems(_sequence(data.get("dyads")), states),
        *_withdrawal_problems(data),
        *_calibration_problems(data),
        *_capability_problems(states),
        *_arms_race_problems(data),
        *_count_problems(data),
        *(claims_problems(data.get("claims"), data) if data.get("claims") is not None else []),
    ]
