"""Scenario files as validated, frozen pydantic models (DOMAIN.md §1, §8).

A scenario is a catalogue of system classes, states holding inventories of them,
the dyads to assess, backers who join a side, withdrawals, exchange settings and
calibration cases. YAML maps one-to-one onto these models: every key in the file is
a field here, unknown keys are errors, and ``load -> dump -> load`` gives an equal
object. Cross-references (a dyad naming a state, an inventory naming a class) are
checked in :mod:`equipoise.domain.references` so that all problems are reported at
once with their line numbers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationInfo, model_validator

MAX_COUNT = 10_000_000
MAX_VALUE = 1e9

Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, Strict(), Field(ge=1, le=MAX_COUNT)]
Probability = Annotated[float, Strict(), Field(ge=0.0, le=1.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Strict(), Field(ge=0.0, le=MAX_VALUE, allow_inf_nan=False)]
Positive = Annotated[float, Strict(), Field(gt=0.0, le=MAX_VALUE, allow_inf_nan=False)]
Name = Annotated[str, Strict(), Field(min_length=1, max_length=80)]
Text = Annotated[str, Strict(), Field(max_length=4000)]

OffensiveKind = Literal[
    "ballistic_missile", "cruise_missile", "drone", "strike_aircraft", "rocket_artillery"
]
OFFENSIVE_KINDS: tuple[str, ...] = (
    "ballistic_missile",
    "cruise_missile",
    "drone",
    "strike_aircraft",
    "rocket_artillery",
)
GUIDED_BY_DEFAULT = frozenset({"cruise_missile", "drone"})


class Frozen(BaseModel):
    """Base of every scenario model: immutable, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class OffensiveClass(Frozen):
    """A class of offensive system (DOMAIN.md §1).

    ``arrival`` is the probability a reliable round reaches its target unopposed;
    ``damage`` the value units one arriving countervalue round destroys;
    ``counterforce_kill`` the probability one arriving round destroys the launcher it
    is aimed at.
    """

    kind: OffensiveKind
    description: Text = ""
    reliability: Probability = 1.0
    arrival: Probability = 1.0
    damage: NonNegative
    counterforce_kill: Probability = 0.0
    rounds_per_launcher_per_wave: PositiveCount = 1
    guided: bool | None = None
    range_km: Positive | None = None
    source: Text = "illustrative"

    @property
    def is_guided(self) -> bool:
        """Whether electronic warfare degrades it (defaults by kind)."""
        return self.guided if self.guided is not None else self.kind in GUIDED_BY_DEFAULT


class AirDefenceClass(Frozen):
    """A class of air and missile defence battery (DOMAIN.md §1-2).

    ``layer`` 1 is the outermost; ``kill_probability`` maps offensive kinds or class
    names to single-shot kill probability (a class name overrides its kind).
    """

    kind: Literal["air_defence"]
    description: Text = ""
    layer: Annotated[int, Strict(), Field(ge=1, le=20)] = 1
    interceptors_per_battery: Count
    channels_per_battery: Count
    shots_per_threat: Annotated[int, Strict(), Field(ge=1, le=8)] = 1
    doctrine: Literal["shoot-shoot", "shoot-look-shoot"] = "shoot-shoot"
    kill_probability: dict[Name, Probability]
    source: Text = "illustrative"


class ElectronicWarfareClass(Frozen):
    """Electronic warfare: multiplies the arrival probability of guided threats.

    With ``n`` units covering ``coverage_per_unit`` of the defended area each, the
    factor applied is ``1 - (1 - arrival_factor) * min(1, n * coverage_per_unit)``.
    """

    kind: Literal["electronic_warfare"]
    description: Text = ""
    arrival_factor: Probability
    coverage_per_unit: Annotated[float, Strict(), Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 1.0
    source: Text = "illustrative"


SystemClass = Annotated[
    OffensiveClass | AirDefenceClass | ElectronicWarfareClass, Field(discriminator="kind")
]


def class_role(system: OffensiveClass | AirDefenceClass | ElectronicWarfareClass) -> str:
    """'offensive', 'air_defence' or 'electronic_warfare'."""
    return "offensive" if isinstance(system, OffensiveClass) else system.kind


class Holding(Frozen):
    """How many of one class a party holds.

    Offensive classes take ``launchers`` and ``rounds``; air defence ``units``
    (batteries) and optionally ``interceptors`` (default: units x interceptors per
    battery); electronic warfare ``units``.
    """

    launchers: Count | None = None
    rounds: Count | None = None
    units: Count | None = None
    interceptors: Count | None = None
    source: Text | None = None


class State(Frozen):
    """A state: what it values, what it cannot accept losing, what it holds."""

    name: Text = ""
    value_at_risk: Positive = 100.0
    unacceptable_damage: Positive
    inventory: dict[Name, Holding] = Field(default_factory=dict)
    source: Text = "illustrative"


class Backer(Frozen):
    """A third party that joins a state's side in its dyads (DOMAIN.md §1).

    ``defence_only`` backers bring only air defence and electronic warfare.
    ``against`` limits the dyads it joins to those with these rivals (empty: all).
    A backer's launchers are not counterforce targets unless ``targetable``.
    """

    name: Text = ""
    joins: Name
    defence_only: bool = False
    targetable: bool = False
    against: tuple[Name, ...] = ()
    inventory: dict[Name, Holding] = Field(default_factory=dict)
    source: Text = "illustrative"


class Dyad(Frozen):
    """A pair of rival states to assess."""

    a: Name
    b: Name
    label: Text = ""


class Withdrawal(Frozen):
    """Units of one party pulled back, in the dyads with ``rivals`` (empty: all).

    Units pulled back to ``to_distance_km`` at or beyond their class's range leave
    the exchange; otherwise their arrival probability is multiplied by
    ``arrival_factor`` (default 1). Without a distance they leave the exchange
    unless an ``arrival_factor`` is given. Defence units can only be removed.
    """

    party: Name
    system: Name
    units: PositiveCount
    to_distance_km: Positive | None = None
    arrival_factor: Probability | None = None
    rivals: tuple[Name, ...] = ()
    note: Text = ""
    source: Text = "illustrative"


class ExchangeSettings(Frozen):
    """How exchanges are fought and how a striker ranks its options (DOMAIN.md §3)."""

    waves: Annotated[int, Strict(), Field(ge=1, le=50)] = 1
    split_levels: Annotated[int, Strict(), Field(ge=2, le=21)] = 11
    dealt_weight: NonNegative = 1.0
    suffered_weight: NonNegative = 1.0


class DeterrenceSettings(Frozen):
    """When a side counts as deterred.

    ``expected_value``: the rival's expected retaliation after this side's most
    disarming first strike reaches its unacceptable damage (the mean-field exchange
    that the deterrence map also draws). ``probability``: the stochastic probability
    of that is at least ``confidence``.
    """

    criterion: Literal["expected_value", "probability"] = "expected_value"
    confidence: Probability = 0.5


class CalibrationCase(Frozen):
    """A reported attack the model must reproduce within a band.

    ``attack`` maps offensive classes to rounds launched; the model's neutralised
    share (launched rounds that did not reach a target, whether intercepted, jammed
    or failed) must lie within ``tolerance`` of ``reported_neutralised_share``.
    """

    name: Name
    attacker: Name
    defender: Name
    attack: dict[Name, PositiveCount]
    waves: Annotated[int, Strict(), Field(ge=1, le=50)] = 1
    reported_neutralised_share: Probability
    tolerance: Probability
    source: Text


class Scenario(Frozen):
    """A whole scenario file."""

    schema_version: Literal[1] = 1
    name: Annotated[str, Strict(), Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
    title: Text
    description: Text = ""
    sources: dict[Name, Text] = Field(default_factory=dict)
    exchange: ExchangeSettings = Field(default_factory=ExchangeSettings)
    deterrence: DeterrenceSettings = Field(default_factory=DeterrenceSettings)
    classes: dict[Name, SystemClass]
    states: dict[Name, State]
    backers: dict[Name, Backer] = Field(default_factory=dict)
    dyads: tuple[Dyad, ...] = Field(min_length=1)
    withdrawals: tuple[Withdrawal, ...] = ()
    calibration: tuple[CalibrationCase, ...] = ()

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Scenario:
        context: Any = info.context
        if isinstance(context, dict) and context.get("references_checked"):
            return self
        from equipoise.domain.references import format_loc, reference_problems

        problems = reference_problems(self.model_dump(mode="python"))
        if problems:
            raise ValueError(
                "; ".join(f"{format_loc(p.loc)}: {p.message} ({p.fix})" for p in problems)
            )
        return self

    def party_inventory(self, party: str) -> dict[str, Holding]:
        """Inventory of a state or a backer."""
        if party in self.states:
            return self.states[party].inventory
        return self.backers[party].inventory
