"""How a stochastic run is made: trials, seed and worker processes, in one object.

Every entry point that draws random numbers takes these, with one default, so the
same question asked through any command is answered with the same run settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from equipoise.engines.random import SeedLike

DEFAULT_TRIALS = 10_000
SAMPLINGS: tuple[str, ...] = ("grid", "lhs", "sobol")
"""How a sweep places its variants: a full grid, a Latin hypercube or a Sobol sequence."""
METHODS: tuple[str, ...] = ("morris", "sobol", "oat")
"""Sensitivity-analysis methods."""


@dataclass(frozen=True)
class RunSettings:
    """``trials`` stochastic trials per exchange, from ``seed`` (``None``: fresh entropy),
    spread over ``workers`` processes; the same seed gives the same numbers whatever
    ``workers`` is."""

    trials: int = DEFAULT_TRIALS
    seed: SeedLike | None = 0
    workers: int = 1

    def __post_init__(self) -> None:
        if self.trials < 2:
            raise ValueError("trials must be at least 2")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    @classmethod
    def of(
        cls,
        settings: RunSettings | None = None,
        *,
        trials: int | None = None,
        seed: SeedLike | None = None,
        workers: int | None = None,
    ) -> RunSettings:
        """``settings`` (default: the defaults) with any value given here replacing its own."""
        base = settings or cls()
        return replace(
            base,
            trials=base.trials if trials is None else trials,
            seed=base.seed if seed is None else seed,
            workers=base.workers if workers is None else workers,
        )


Progress = Callable[[int], None]
"""A progress hook: called with the units of work just done (trials, plans, variants)."""


@contextmanager
def progress_of(
    progress: Progress | bool | None,
    total: int | Callable[[], int],
    label: str,
    *,
    unit: str = "trial",
) -> Iterator[Progress | None]:
    """The hook a run reports its work to, from the ``progress`` argument of a public
    function: ``True`` shows a bar of ``total`` units (a notebook widget in Jupyter, text
    elsewhere, via tqdm.auto), a callable is used as it is, anything else gives ``None``.

    ``total`` may be a function, called only when a bar is shown (counting the work can
    cost a little, e.g. the supplier search's plan space).
    """
    if progress is True:
        from tqdm.auto import tqdm

        size = total() if callable(total) else total
        with tqdm(total=size, desc=label, unit=unit) as bar:

            def advance(done: int) -> None:
                bar.update(done)

            yield advance
        return
    yield progress if callable(progress) else None
