"""Scenario files as validated, frozen pydantic models (docs/model.md §1, §11).

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

from pydantic import Field, Strict, ValidationInfo, field_validator, model_validator

from equipoise.domain.claims import ClaimsBlock
from equipoise.domain.common import (
    MAX_VALUE,
    Count,
    Frozen,
    Name,
    NonNegative,
    Positive,
    PositiveCount,
    Probability,
    Text,
)
from equipoise.domain.dynamics import ArmsRace
from equipoise.domain.holdings import Holding as Holding

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
MAX_ENTRIES = 500
"""Most entries in one catalogue, inventory or list of a scenario (classes, states, ...)."""
MAX_DYADS = 100
"""Most dyads one scenario assesses."""
MIN_COST = 1e-6
"""Smallest package cost: budget / cost must stay a finite number of packages."""


class OffensiveClass(Frozen):
    """A class of offensive system (docs/model.md §1).

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
    """A class of air and missile defence battery (docs/model.md §1-2).

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
    kill_probability: dict[Name, Probability] = Field(max_length=MAX_ENTRIES)
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


class Capability(Frozen):
    """A state's material capability base (docs/model.md §6).

    ``source: nmc`` takes its CINC in ``year`` from the Correlates of War National
    Material Capabilities data shipped with equipoise (``state`` names it by CoW
    abbreviation, CoW code or ISO3 code; default: the state's key).
    ``source: given`` uses the ``cinc`` written here.
    """

    source: Literal["nmc", "given"]
    year: Annotated[int, Strict(), Field(ge=1816, le=2100)] | None = None
    state: Name | None = None
    cinc: Annotated[float, Strict(), Field(gt=0.0, le=1.0, allow_inf_nan=False)] | None = None


class State(Frozen):
    """A state: what it values, what it cannot accept losing, what it holds.

    ``war_cost`` is Fearon's (1995) cost of war as a share of the disputed good.
    """

    name: Text = ""
    value_at_risk: Positive = 100.0
    unacceptable_damage: Positive
    war_cost: Probability | None = None
    capability: Capability | None = None
    inventory: dict[Name, Holding] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    source: Text = "illustrative"


class Backer(Frozen):
    """A third party that joins a state's side in its dyads (docs/model.md §1).

    ``defence_only`` backers bring only air defence and electronic warfare.
    ``against`` limits the dyads it joins to those with these rivals (empty: all).
    A backer's launchers are not counterforce targets unless ``targetable``.
    """

    name: Text = ""
    joins: Name
    defence_only: bool = False
    targetable: bool = False
    against: tuple[Name, ...] = Field(default=(), max_length=MAX_ENTRIES)
    inventory: dict[Name, Holding] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    source: Text = "illustrative"


class Package(Frozen):
    """What a supplier can deliver as one unit of sale (docs/model.md §8).

    ``systems`` are holdings per package (``system`` defaults to the key);
    ``cost`` is per package, paid evenly over ``delay_years`` (at least one year);
    ``max_quantity`` caps how many one recipient may get; ``recipients`` limits
    who it is offered to (empty: anyone the supplier arms).
    """

    description: Text = ""
    systems: dict[Name, Holding] = Field(min_length=1, max_length=MAX_ENTRIES)
    cost: Annotated[float, Strict(), Field(ge=MIN_COST, le=MAX_VALUE, allow_inf_nan=False)]
    delay_years: Annotated[int, Strict(), Field(ge=0, le=50)] = 0
    max_quantity: Annotated[int, Strict(), Field(ge=1, le=100)] = 1
    recipients: tuple[Name, ...] = ()
    source: Text = "illustrative"


class Budget(Frozen):
    """A supplier's budget, in the same units as package costs."""

    total: NonNegative
    per_year: NonNegative | None = None


class NotCleared(Frozen):
    """Systems delivered to ``recipient`` but not cleared for use against ``rival``."""

    recipient: Name
    rival: Name
    classes: tuple[Name, ...] = Field(min_length=1)
    note: Text = ""


class RecipientCap(Frozen):
    """Most a supplier gives one recipient: in cost, or in packages."""

    max_cost: NonNegative | None = None
    max_packages: Annotated[int, Strict(), Field(ge=0, le=1000)] | None = None


class RedLines(Frozen):
    """What a supplier will not do (docs/model.md §8)."""

    no_classes: dict[Name, tuple[Name, ...]] = Field(default_factory=dict)
    not_cleared: tuple[NotCleared, ...] = ()
    caps: dict[Name, RecipientCap] = Field(default_factory=dict)


Relation = Literal["ally", "partner", "neutral", "hostile"]


class Supplier(Frozen):
    """A third party that arms states: catalogue, budget, relations, red lines.

    It delivers only to states it counts as ``ally`` or ``partner``.
    """

    name: Text = ""
    budget: Budget
    relations: dict[Name, Relation] = Field(default_factory=dict)
    packages: dict[Name, Package] = Field(min_length=1, max_length=MAX_ENTRIES)
    red_lines: RedLines = Field(default_factory=RedLines)
    source: Text = "illustrative"

    def arms(self, state: str) -> bool:
        """Whether the supplier delivers to ``state`` at all."""
        return self.relations.get(state) in ("ally", "partner")


class UncertainInput(Frozen):
    """An input the scenario's author is unsure of, and its plausible range: the HTML
    report shows how each dyad's outputs move across it (one at a time, docs/model.md
    §3; any input can be swept with ``equipoise sensitivity``)."""

    path: Annotated[str, Strict(), Field(min_length=1, max_length=300)]
    low: Annotated[float, Strict(), Field(allow_inf_nan=False)]
    high: Annotated[float, Strict(), Field(allow_inf_nan=False)]
    source: Text = "illustrative"

    @field_validator("high")
    @classmethod
    def _above_low(cls, high: float, info: ValidationInfo) -> float:
        low = info.data.get("low")
        if low is not None and not low < high:
            raise ValueError(f"high ({high:g}) must be above low ({low:g})")
        return high

    @property
    def vary(self) -> str:
        """As ``--vary`` takes it."""
        return f"{self.path}={self.low:g}:{self.high:g}"


class SearchSettings(Frozen):
    """How `equipoise recommend` searches for a plan.

    Plans with at most ``max_enumeration`` combinations are enumerated (proven
    optimal); larger spaces get a seeded local search stopped after
    ``time_limit_s``. Every plan is scored by the same evaluator as every other
    command, with the striker's split grid of ``exchange``.
    """

    max_enumeration: Annotated[int, Strict(), Field(ge=1, le=1_000_000)] = 20_000
    time_limit_s: Annotated[float, Strict(), Field(gt=0, le=3600, allow_inf_nan=False)] = 20.0


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
    """How exchanges are fought and how a striker ranks its options (docs/model.md §3).

    The striker weighs ``split_levels`` counterforce fractions per capable element
    while the grid has at most ``max_split_candidates`` points; beyond that one
    shared fraction for all capable elements.
    """

    waves: Annotated[int, Strict(), Field(ge=1, le=50)] = 1
    split_levels: Annotated[int, Strict(), Field(ge=2, le=21)] = 11
    max_split_candidates: Annotated[int, Strict(), Field(ge=1, le=4096)] = 4096
    dealt_weight: NonNegative = 1.0
    suffered_weight: NonNegative = 1.0


class DeterrenceSettings(Frozen):
    """When a side counts as deterred.

    ``expected_value``: the rival's expected retaliation after this side's most
    disarming first strike reaches its unacceptable damage (the mean-field exchange).
    ``probability``: the stochastic probability of that, estimated from ``trials``
    trials per variant (seeded by the variant, so every command gets the same
    estimate for the same forces), is at least ``confidence``: more than 0 (at 0
    deterrence would hold at probability 0, whatever the forces) and at most 1 (at 1
    the retaliation must reach the threshold in every trial).
    """

    criterion: Literal["expected_value", "probability"] = "expected_value"
    confidence: Annotated[float, Strict(), Field(gt=0.0, le=1.0, allow_inf_nan=False)] = 0.5
    trials: Annotated[int, Strict(), Field(ge=2, le=100_000)] = 1_000


class BargainingSettings(Frozen):
    """Where the probability of victory in Fearon's bargaining range comes from.

    ``exchange``: each side's share of the destruction in the exchange it opens and
    in the one the rival opens (so a first-strike advantage narrows the range);
    ``capability``: the contest function of the states' capabilities,
    C_A^m / (C_A^m + C_B^m) with m = ``exponent``.
    """

    probability: Literal["exchange", "capability"] = "exchange"
    exponent: Annotated[float, Strict(), Field(gt=0.0, le=20.0, allow_inf_nan=False)] = 1.0


class CalibrationCase(Frozen):
    """A reported attack the model must reproduce within a band.

    ``attack`` maps offensive classes to rounds launched; the model's neutralised
    share (launched rounds that did not reach a target, whether intercepted, jammed
    or failed) must lie within ``tolerance`` of ``reported_neutralised_share``.
    """

    name: Name
    attacker: Name
    defender: Name
    attack: dict[Name, PositiveCount] = Field(min_length=1, max_length=MAX_ENTRIES)
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
    bargaining: BargainingSettings = Field(default_factory=BargainingSettings)
    classes: dict[Name, SystemClass] = Field(max_length=MAX_ENTRIES)
    states: dict[Name, State] = Field(max_length=MAX_ENTRIES)
    backers: dict[Name, Backer] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    dyads: tuple[Dyad, ...] = Field(min_length=1, max_length=MAX_DYADS)
    withdrawals: tuple[Withdrawal, ...] = Field(default=(), max_length=MAX_ENTRIES)
    calibration: tuple[CalibrationCase, ...] = Field(default=(), max_length=MAX_ENTRIES)
    arms_race: ArmsRace | None = None
    suppliers: dict[Name, Supplier] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    search: SearchSettings = Field(default_factory=SearchSettings)
    claims: ClaimsBlock | None = None
    uncertain: tuple[UncertainInput, ...] = Field(default=(), max_length=20)

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

    def called(self, state: str) -> str:
        """What a reader is shown for a state: its name ('Iran'), else its code."""
        known = self.states.get(state)
        return (known.name if known is not None else "") or state

    def party_inventory(self, party: str) -> dict[str, Holding]:
        """Inventory of a state or a backer."""
        if party in self.states:
            return self.states[party].inventory
        return self.backers[party].inventory
