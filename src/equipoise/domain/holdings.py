"""A party's holding of one system class (shared by scenarios, packages and claims)."""

from __future__ import annotations

from collections.abc import Callable

from equipoise.domain.common import Count, Frozen, Name, Text


class Holding(Frozen):
    """How many of one class a party holds.

    The inventory key names the holding; its class is ``system`` when given, else
    the key itself (so one state can hold the same class twice, e.g. its own
    batteries and ones delivered under use restrictions). Offensive classes take
    ``launchers`` and ``rounds``; air defence ``units`` (batteries) and optionally
    ``interceptors`` (default: units x interceptors per battery); electronic
    warfare ``units``. A holding ``not_cleared_against`` a rival was delivered under
    a restriction: it does not fire in the dyad with that rival (docs/model.md §8).
    """

    system: Name | None = None
    launchers: Count | None = None
    rounds: Count | None = None
    units: Count | None = None
    interceptors: Count | None = None
    not_cleared_against: tuple[Name, ...] = ()
    supplied_by: Name | None = None
    source: Text | None = None

    def class_name(self, key: str) -> str:
        """The system class of the holding stored under ``key``."""
        return self.system or key

    def with_counts(self, transform: Callable[[int], int]) -> Holding:
        """The holding with ``transform`` applied to each count it states (launchers,
        rounds, units, interceptors); counts it leaves out stay out."""
        counts = ("launchers", "rounds", "units", "interceptors")
        return self.model_copy(
            update={
                name: None if getattr(self, name) is None else transform(getattr(self, name))
                for name in counts
            }
        )

    def scaled(self, factor: int) -> Holding:
        """The same holding ``factor`` times over (a package delivered N times)."""
        return self.with_counts(lambda value: value * factor)
