"""File models for dynamics over time: Richardson arms races and Lanchester attrition.

An arms race is a block of a scenario (``arms_race:``) or a file of its own with
that single key; an attrition case is a file with an ``attrition:`` key (the
built-in one is Engel's 1954 fit of the battle of Iwo Jima).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, Strict, ValidationInfo, model_validator

from equipoise.domain.common import Frozen, Name, NonNegative, Real, Text, Year
from equipoise.domain.problems import Loc, LocatedProblem, format_loc


class RichardsonParameters(Frozen):
    """dx/dt = k·y − a·x + g, dy/dt = l·x − b·y + h (Richardson 1960).

    ``k``, ``l``: reaction to the rival's level (defence); ``a``, ``b``: fatigue or
    expense; ``g``, ``h``: grievances (may be negative: goodwill).
    """

    k: NonNegative
    l: NonNegative
    a: NonNegative
    b: NonNegative
    g: Real = 0.0
    h: Real = 0.0


class ArmsDelivery(Frozen):
    """A supplier delivery or transfer adding to one side's level during one year."""

    to: Name
    year: Year
    amount: NonNegative
    note: Text = ""


class ArmsRace(Frozen):
    """A Richardson arms race between two sides over whole years.

    ``a`` is the x series, ``b`` the y series; ``x0``, ``y0`` their levels at the
    start of ``start_year``. Deliveries enter as extra flows in their year.
    """

    a: Name
    b: Name
    units: Text = "spending, arbitrary units"
    start_year: Year
    years: Annotated[int, Strict(), Field(ge=1, le=500)]
    x0: NonNegative
    y0: NonNegative
    coefficients: RichardsonParameters
    deliveries: tuple[ArmsDelivery, ...] = ()
    source: Text = "illustrative"

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> ArmsRace:
        return _raise_unless_checked(self, info, arms_race_problems(self.model_dump(), ()))


class ArmsRaceFile(Frozen):
    """A file holding only an arms race."""

    arms_race: ArmsRace


class Reinforcement(Frozen):
    """Troops arriving at a constant rate during one day (day 1 is the first)."""

    day: Annotated[int, Strict(), Field(ge=1, le=100_000)]
    troops: NonNegative


class AttritionSide(Frozen):
    """One side of a Lanchester battle."""

    name: Name
    initial: NonNegative
    reinforcements: tuple[Reinforcement, ...] = ()


class Attrition(Frozen):
    """A Lanchester battle (Lanchester 1916): law, sides, coefficients, duration.

    ``alpha`` is A's effectiveness against B (B's losses per A unit per day under
    the square law), ``beta`` B's against A.
    """

    name: Annotated[str, Strict(), Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
    title: Text = ""
    law: Literal["square", "linear"] = "square"
    a: AttritionSide
    b: AttritionSide
    alpha: NonNegative
    beta: NonNegative
    days: Annotated[int, Strict(), Field(ge=1, le=100_000)]
    source: Text = "illustrative"

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Attrition:
        return _raise_unless_checked(self, info, attrition_problems(self.model_dump(), ()))


class AttritionFile(Frozen):
    """A file holding one attrition case."""

    attrition: Attrition


ModelT = TypeVar("ModelT")


def _raise_unless_checked(
    model: ModelT, info: ValidationInfo, problems: list[LocatedProblem]
) -> ModelT:
    """In Python use, raise the located problems; the file loader reports them itself."""
    context: Any = info.context
    if problems and not (isinstance(context, dict) and context.get("references_checked")):
        raise ValueError("; ".join(f"{format_loc(p.loc) or 'here'}: {p.message}" for p in problems))
    return model


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def arms_race_problems(race: Any, loc: Loc = ("arms_race",)) -> list[LocatedProblem]:
    """Cross-field checks of an arms race: two sides, deliveries to them, within the years."""
    body = _mapping(race)
    problems = []
    a, b = body.get("a"), body.get("b")
    if isinstance(a, str) and a == b:
        problems.append(
            LocatedProblem((*loc, "b"), f"both sides are '{a}'", "name two different sides")
        )
    start, years = body.get("start_year"), body.get("years")
    for index, delivery in enumerate(body.get("deliveries") or ()):
        entry = _mapping(delivery)
        target, year = entry.get("to"), entry.get("year")
        if isinstance(target, str) and target not in (a, b):
            problems.append(
                LocatedProblem(
                    (*loc, "deliveries", index, "to"),
                    f"delivery to '{target}': not '{a}' or '{b}'",
                    f"deliver to '{a}' or '{b}'",
                )
            )
        if isinstance(year, int) and isinstance(start, int) and isinstance(years, int):
            last = start + years - 1
            if not start <= year <= last:
                problems.append(
                    LocatedProblem(
                        (*loc, "deliveries", index, "year"),
                        f"delivery in {year} is outside {start}-{last}",
                        f"use a year from {start} to {last}",
                    )
                )
    return problems


def attrition_problems(case: Any, loc: Loc = ("attrition",)) -> list[LocatedProblem]:
    """Cross-field checks of a battle: reinforcements within its days."""
    body = _mapping(case)
    days = body.get("days")
    problems = []
    for key in ("a", "b"):
        side = _mapping(body.get(key))
        for index, reinforcement in enumerate(side.get("reinforcements") or ()):
            day = _mapping(reinforcement).get("day")
            if isinstance(day, int) and isinstance(days, int) and day > days:
                problems.append(
                    LocatedProblem(
                        (*loc, key, "reinforcements", index, "day"),
                        f"reinforcement on day {day} is after the last day ({days})",
                        f"use a day from 1 to {days}, or raise 'days'",
                    )
                )
    return problems


__all__ = [
    "ArmsDelivery",
    "ArmsRace",
    "ArmsRaceFile",
    "Attrition",
    "AttritionFile",
    "AttritionSide",
    "Reinforcement",
    "RichardsonParameters",
    "arms_race_problems",
    "attrition_problems",
]
