"""Sweeps: many variants of one scenario, one tidy row per variant and dyad.

The shape is SALib's (Herman & Usher 2017): *sample* a design over the inputs named
by ``--vary PATH=LOW:HIGH[:STEPS]`` (a grid, a Latin hypercube after McKay, Beckman &
Conover 1979, or a scrambled Sobol sequence), *evaluate* every variant, *analyze*
(:mod:`equipoise.analysis.sensitivity`). Every metric comes from the one evaluator
(:mod:`equipoise.analysis.evaluator`), named by the metric registry
(:mod:`equipoise.analysis.metrics`); the probability that retaliation crosses the
rival's threshold comes from the stochastic analysis (``equipoise analyze``) of each
variant, with the sweep's seed and trials, so any row can be reproduced with
``equipoise analyze --set PATH=VALUE ... --seed S --trials T``.

Variants that differ only in counts of held systems (launchers, rounds, batteries,
interceptors, EW units) are one batch for the evaluator: every count the engines use
is linear in them (docs/model.md §3), so each dyad side is built once as base arrays
plus the change per unit of each input, checked against the forces built from the
file at sample points. Variants that change parameters (kill probabilities,
thresholds, costs) are separate scenarios, evaluated one by one.

Work is cut in chunks of fixed size, whatever runs them: in-process (default), local
processes (``workers``) or an existing Dask distributed cluster (``scheduler``), so
the same seed gives byte-identical rows on every backend.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from equipoise.analysis.assess import analyze
from equipoise.analysis.deliveries import DeliveryItem
from equipoise.analysis.evaluator import DyadModel, Metrics, SideModel, evaluate
from equipoise.analysis.forces import SideForces, dyad_forces, ew_units
from equipoise.analysis.metrics import DYAD_METRICS, SIDE_METRICS, STATUS_LABELS, side_column
from equipoise.analysis.overrides import current_value, override, parse_path
from equipoise.analysis.settings import SAMPLINGS, Progress, RunSettings, progress_of
from equipoise.domain.holdings import Holding
from equipoise.domain.loading import load_scenario
from equipoise.domain.problems import suggest
from equipoise.domain.scenario import Scenario
from equipoise.engines.exchange import Side
from equipoise.engines.types import FloatArray, IntArray
from equipoise.errors import InputError

Sampling = Literal["grid", "lhs", "sobol"]
DISTRIBUTIONS: tuple[str, ...] = ("uniform", "triangular")
MAX_VARIANTS = 10_000_000
EXPECTED_CHUNK = 2_000
"""Variants per chunk for the expected-value evaluator (one batch each)."""
STOCHASTIC_CHUNK = 4
"""Variants per chunk when each variant's trials are run."""
MIN_BATCH = 4
"""Fewest variants of one group worth building the linear model for."""
COUNT_FIELDS = ("launchers", "rounds", "units", "interceptors")


@dataclass(frozen=True)
class Vary:
    """One input of a sweep: the value at ``path`` from ``low`` to ``high``.

    ``steps`` grid points (grid sweeps), or a ``distribution`` over [low, high] for
    sampled ones: uniform, or triangular with its peak at the midpoint. ``integer``
    inputs (counts) are rounded to whole numbers after sampling.
    """

    path: str
    low: float
    high: float
    steps: int | None = None
    distribution: str = "uniform"
    integer: bool = False

    def grid(self) -> FloatArray:
        """The grid values, evenly spaced (whole numbers for counts, duplicates removed)."""
        steps = self.steps if self.steps is not None else 2
        values = np.linspace(self.low, self.high, steps)
        return np.unique(np.round(values)) if self.integer else values

    def from_unit(self, unit: FloatArray) -> FloatArray:
        """Values for points of [0, 1] (inverse CDF of the distribution)."""
        u = np.clip(np.asarray(unit, dtype=float), 0.0, 1.0)
        if self.distribution == "triangular":
            values = np.asarray(
                stats.triang.ppf(u, 0.5, loc=self.low, scale=self.high - self.low), dtype=float
            )
        else:
            values = self.low + u * (self.high - self.low)
        return np.round(values) if self.integer else values

    def value(self, number: float) -> int | float:
        """A design value as the scenario file holds it."""
        return round(number) if self.integer else float(number)


def _vary_error(spec: str, problem: str, fix: str) -> InputError:
    return InputError(f"--vary {spec[:120]}: {problem}", fix)


def _number(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _vary_error(
            spec,
            f"'{text[:40]}' is not a finite number",
            "write PATH=LOW:HIGH[:STEPS], e.g. states.IRN.inventory.mrbm.launchers=100:300:5",
        )
    return value


def parse_vary(text: str, scenario: Scenario | None = None) -> Vary:
    """'PATH=LOW:HIGH[:STEPS|:DISTRIBUTION]' as a :class:`Vary`, checked against the
    scenario: the path must exist and both ends must be values the file could hold."""
    path, equals, spec = text.partition("=")
    parts = spec.split(":")
    if not equals or not path.strip() or len(parts) not in (2, 3):
        raise InputError(
            f"--vary '{text[:120]}' is not PATH=LOW:HIGH[:STEPS]",
            "write e.g. --vary states.ISR.unacceptable_damage=10:40:7",
        )
    path = path.strip()
    parse_path(path)
    low, high = _number(parts[0], text), _number(parts[1], text)
    if high <= low:
        raise _vary_error(text, "HIGH must be above LOW", "write LOW:HIGH, LOW < HIGH")
    steps: int | None = None
    distribution = "uniform"
    if len(parts) == 3:
        extra = parts[2].strip()
        if re.fullmatch(r"\d{1,7}", extra):
            steps = int(extra)
            if steps < 2:
                raise _vary_error(text, "a grid needs 2 steps or more", "use :2 or more")
        elif extra in DISTRIBUTIONS:
            distribution = extra
        else:
            raise _vary_error(
                text,
                f"'{extra[:40]}' is neither a number of steps nor a distribution",
                suggest(extra, DISTRIBUTIONS) + " Or write a number of grid steps.",
            )
    whole = all(re.fullmatch(r"\s*[+-]?\d+\s*", p) for p in parts[:2])
    if scenario is None:
        return Vary(path, low, high, steps, distribution, whole)
    now = current_value(scenario, path)
    if isinstance(now, bool) or not isinstance(now, int | float | None):
        raise _vary_error(
            path,
            f"its value is {str(now)[:40]!r}, not a number",
            "vary a numeric field (a count, a probability, a threshold)",
        )
    integer = isinstance(now, int)
    if now is None:  # unset (e.g. war_cost): a count field refuses a float there
        try:
            override(scenario, {path: (low + high) / 2}, flag="--vary")
        except InputError:
            integer = whole
    vary = Vary(path, low, high, steps, distribution, integer)
    override(scenario, {path: vary.value(low)}, flag="--vary")
    override(scenario, {path: vary.value(high)}, flag="--vary")
    return vary


def design(
    varies: Sequence[Vary],
    *,
    samples: int | None = None,
    sampling: Sampling | None = None,
    seed: int = 0,
) -> FloatArray:
    """The design matrix (variants x inputs): the full grid over every input's steps,
    or ``samples`` points of a Latin hypercube (``lhs``, default) or a scrambled Sobol
    sequence (``sobol``, Owen scrambling; powers of two keep its balance)."""
    if not varies:
        raise InputError("a sweep needs at least one --vary", "add --vary PATH=LOW:HIGH[:STEPS]")
    method = sampling or ("grid" if samples is None else "lhs")
    if method not in SAMPLINGS:
        raise InputError(f"unknown sampling '{method}'", suggest(method, SAMPLINGS))
    if method == "grid":
        axes = [v.grid() for v in varies]
        count = math.prod(len(a) for a in axes)
        if count > MAX_VARIANTS:
            raise InputError(
                f"the grid has {count:,} variants, above the limit of {MAX_VARIANTS:,}",
                "use fewer steps, or --samples N for a sampled design",
            )
        mesh = np.meshgrid(*axes, indexing="ij")
        return np.column_stack([m.ravel() for m in mesh])
    if samples is None or not 1 <= samples <= MAX_VARIANTS:
        raise InputError(
            f"a {method} design needs --samples from 1 to {MAX_VARIANTS:,}", "add --samples 256"
        )
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    sampler: qmc.QMCEngine = (
        qmc.LatinHypercube(len(varies), rng=rng)
        if method == "lhs"
        else qmc.Sobol(len(varies), scramble=True, rng=rng)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Sobol: balance needs 2**m points
        unit = sampler.random(samples)
    return np.column_stack([v.from_unit(unit[:, i]) for i, v in enumerate(varies)])


# --- which inputs the evaluator can batch -----------------------------------------------


@dataclass(frozen=True)
class HoldingCount:
    """A path to one count of a held system: 'states.IRN.inventory.mrbm.launchers'."""

    owner: str
    """'states' or 'backers'."""
    party: str
    key: str
    field: str
    holding: Holding

    def path_of(self, field: str) -> str:
        """The path of another count of the same holding."""
        return f"{self.owner}.{self.party}.inventory.{self.key}.{field}"

    @classmethod
    def at(cls, scenario: Scenario, path: str) -> HoldingCount | None:
        """The count ``path`` names, or None if it names anything else."""
        loc = parse_path(path)
        if len(loc) != 5 or loc[0] not in ("states", "backers") or loc[2] != "inventory":
            return None
        owner, party, _, key, name = map(str, loc)
        holding = scenario.party_inventory(party).get(key)
        if holding is None or name not in COUNT_FIELDS:
            return None
        return cls(owner, party, key, name, holding)


def batchable(scenario: Scenario, vary: Vary) -> bool:
    """Whether an input is a count of a held system that no withdrawal touches: the
    engine arrays are then linear in it, and variants go through the evaluator as one
    batch. (A battery count with a written interceptor stock is linear only above 0.)"""
    count = HoldingCount.at(scenario, vary.path)
    if count is None:
        return False
    if any(w.party == count.party and w.system == count.key for w in scenario.withdrawals):
        return False
    return not (count.field == "units" and count.holding.interceptors is not None and vary.low < 1)


def _side_model(
    zero: Scenario,
    ones: Sequence[Scenario],
    spans: FloatArray,
    low: SideForces,
    high: Sequence[SideForces],
) -> SideModel:
    """One side at the inputs' low ends (``zero``, forces ``low``), and what one unit of
    each input adds, from the scenarios ``ones`` with one input at its high end each."""
    base = low.side

    def rows(get: Callable[[Side], FloatArray]) -> FloatArray:
        return np.array(
            [
                (get(one.side)[0] - get(base)[0]) / span
                for one, span in zip(high, spans, strict=True)
            ],
            dtype=float,
        ).reshape(len(high), get(base).shape[1])

    ew = ew_units(zero, low.state, low.rival)
    classes = tuple(sorted(ew))
    ew_rows = [
        [(ew_units(one, low.state, low.rival).get(n, 0) - ew[n]) / span for n in classes]
        for one, span in zip(ones, spans, strict=True)
    ]
    return SideModel(
        base,
        rows(lambda s: s.offence.launchers),
        rows(lambda s: s.offence.rounds),
        rows(lambda s: s.defence.interceptors),
        rows(lambda s: s.defence.channels),
        classes,
        np.array([ew[n] for n in classes], dtype=float),
        np.array(ew_rows, dtype=float).reshape(len(ones), len(classes)),
    )


def _same_shape(one: SideForces, zero: SideForces) -> bool:
    return (
        one.elements == zero.elements
        and one.layers == zero.layers
        and one.side.offence.launchers.shape == zero.side.offence.launchers.shape
        and one.side.defence.interceptors.shape == zero.side.defence.interceptors.shape
    )


def linear_models(
    scenario: Scenario, varies: Sequence[Vary]
) -> tuple[Scenario, tuple[DyadModel, ...]] | None:
    """The scenario with every input at its low end, and each dyad as a linear function
    of the inputs' distance from it (the evaluator's :class:`DyadModel`); None if the
    forces do not keep their shape across the range."""
    zero = override(scenario, {v.path: v.value(v.low) for v in varies}, flag="--vary")
    spans = np.array([v.value(v.high) - v.value(v.low) for v in varies], dtype=float)
    if np.any(spans <= 0):
        return None
    ones = [override(zero, {v.path: v.value(v.high)}, flag="--vary") for v in varies]
    models = []
    for dyad in zero.dyads:
        forces = dyad_forces(zero, dyad.a, dyad.b)
        high = [dyad_forces(one, dyad.a, dyad.b) for one in ones]
        if not all(_same_shape(h.a, forces.a) and _same_shape(h.b, forces.b) for h in high):
            return None
        a_side = _side_model(zero, ones, spans, forces.a, [h.a for h in high])
        b_side = _side_model(zero, ones, spans, forces.b, [h.b for h in high])
        models.append(DyadModel(dyad.a, dyad.b, a_side, b_side, forces.a_first, forces.b_first))
    return zero, tuple(models)


def _matches(zero: Scenario, models: Sequence[DyadModel], exact: Scenario, q: FloatArray) -> bool:
    """Whether the linear models give the file's own forces at one design point."""
    for model in models:
        forces = dyad_forces(exact, model.a, model.b)
        for side_model, side in ((model.a_side, forces.a.side), (model.b_side, forces.b.side)):
            batch = side_model.batch(zero, q[np.newaxis, :])
            pairs = (
                (batch.offence.launchers, side.offence.launchers),
                (batch.offence.rounds, side.offence.rounds),
                (batch.defence.interceptors, side.defence.interceptors),
                (batch.defence.channels, side.defence.channels),
                (batch.defence.guided_arrival_factor, side.defence.guided_arrival_factor),
            )
            if not all(np.allclose(x, y, rtol=0.0, atol=1e-9) for x, y in pairs):
                return False
    return True


# --- evaluating chunks of variants ------------------------------------------------------


def _variant(scenario: Scenario, varies: Sequence[Vary], row: FloatArray) -> Scenario:
    """The scenario with each input at its value in one design row."""
    values = {v.path: v.value(x) for v, x in zip(varies, row, strict=True)}
    return override(scenario, values, flag="--vary")


def _one_by_one(
    scenario: Scenario,
    varies: Sequence[Vary],
    values: FloatArray,
    seed: int,
    first_strike: bool = True,
) -> Metrics:
    """Each variant as its own scenario (the path for parameters, and the reference)."""
    columns: dict[str, list[FloatArray]] = {}
    dyads: tuple[tuple[str, str], ...] = ()
    for row in values:
        variant = _variant(scenario, varies, row)
        metrics = evaluate(variant, (), np.zeros((1, 0)), first_strike=first_strike, seed=seed)
        dyads = metrics.dyads
        for name, array in metrics.values.items():
            columns.setdefault(name, []).append(array)
    stacked = {name: np.concatenate(arrays, axis=0) for name, arrays in columns.items()}
    return Metrics(dyads, stacked, np.zeros(values.shape[0]))


def _batched(
    scenario: Scenario,
    varies: Sequence[Vary],
    values: FloatArray,
    seed: int,
    first_strike: bool = True,
) -> Metrics:
    """Variants differing only in counts of held systems, as one evaluator batch
    (a handful of them are cheaper one by one than building the linear model)."""
    if values.shape[0] < MIN_BATCH:
        return _one_by_one(scenario, varies, values, seed, first_strike)
    built = linear_models(scenario, varies)
    if built is not None:
        zero, models = built
        lows = np.array([v.value(v.low) for v in varies], dtype=float)
        q = values - lows
        checks = sorted({0, values.shape[0] // 2, values.shape[0] - 1})
        exact = [_variant(scenario, varies, values[i]) for i in checks]
        if all(_matches(zero, models, e, q[i]) for e, i in zip(exact, checks, strict=True)):
            items = [DeliveryItem(v.path, str(parse_path(v.path)[1]), {}) for v in varies]
            return evaluate(zero, items, q, models=models, first_strike=first_strike, seed=seed)
    return _one_by_one(scenario, varies, values, seed, first_strike)


@dataclass(frozen=True)
class Chunk:
    """A picklable unit of work: some rows of the design, evaluated wherever it runs."""

    index: int
    scenario: Scenario
    varies: tuple[Vary, ...]
    batch: tuple[bool, ...]
    rows: IntArray
    values: FloatArray
    trials: int | None
    seed: int
    first_strike: bool = True

    def __call__(self) -> pd.DataFrame:
        metrics = self.expected()
        probabilities = self.stochastic() if self.trials else None
        return tidy(
            self.scenario.name,
            self.seed,
            self.trials,
            self.varies,
            self.rows,
            self.values,
            metrics,
            probabilities,
        )

    def expected(self) -> Metrics:
        """Expected-value metrics of the chunk's variants (batched where it can be)."""
        fixed = [i for i, b in enumerate(self.batch) if not b]
        counts = [i for i, b in enumerate(self.batch) if b]
        if not counts:
            return _one_by_one(
                self.scenario, self.varies, self.values, self.seed, self.first_strike
            )
        groups, inverse = np.unique(self.values[:, fixed], axis=0, return_inverse=True)
        inverse = inverse.ravel()
        pieces: list[tuple[IntArray, Metrics]] = []
        for g, group in enumerate(groups):
            members = np.flatnonzero(inverse == g)
            base = _variant(self.scenario, [self.varies[i] for i in fixed], group)
            metrics = _batched(
                base,
                [self.varies[i] for i in counts],
                self.values[np.ix_(members, np.array(counts, dtype=np.int64))],
                self.seed,
                self.first_strike,
            )
            pieces.append((members, metrics))
        order = np.concatenate([m for m, _ in pieces])
        back = np.argsort(order, kind="stable")
        names = pieces[0][1].values.keys()
        values = {n: np.concatenate([m.values[n] for _, m in pieces], axis=0)[back] for n in names}
        return Metrics(pieces[0][1].dyads, values, np.zeros(self.values.shape[0]))

    def stochastic(self) -> dict[str, FloatArray]:
        """P(retaliation crosses the rival's threshold) per side, from each variant's trials."""
        assert self.trials is not None
        out: dict[str, list[list[float]]] = {"a": [], "b": []}
        for row in self.values:
            result = analyze(
                _variant(self.scenario, self.varies, row), RunSettings(self.trials, self.seed)
            )
            out["a"].append([d.sides[0].retaliation_probability.mean for d in result.dyads])
            out["b"].append([d.sides[1].retaliation_probability.mean for d in result.dyads])
        return {f"retaliation_probability_{k}": np.array(v, dtype=float) for k, v in out.items()}


def tidy(
    scenario: str,
    seed: int,
    trials: int | None,
    varies: Sequence[Vary],
    rows: IntArray,
    values: FloatArray,
    metrics: Metrics,
    probabilities: Mapping[str, FloatArray] | None = None,
) -> pd.DataFrame:
    """One row per (variant, dyad): the inputs, then every registry metric, side metrics
    as ``NAME_a`` / ``NAME_b`` for the dyad's first and second state."""
    n, dyads = values.shape[0], metrics.dyads
    columns: dict[str, Any] = {
        "variant": np.repeat(rows, len(dyads)),
        "scenario": scenario,
        "seed": seed,
        "trials": 0 if trials is None else trials,
    }
    for i, vary in enumerate(varies):
        column = np.repeat(values[:, i], len(dyads))
        columns[vary.path] = column.astype(np.int64) if vary.integer else column
    columns["dyad"] = np.tile([f"{a}-{b}" for a, b in dyads], n)
    columns["a"] = np.tile([a for a, _ in dyads], n)
    columns["b"] = np.tile([b for _, b in dyads], n)

    def flat(array: FloatArray) -> FloatArray:
        return np.asarray(array, dtype=float).reshape(n * len(dyads))

    sides: tuple[tuple[Literal["a", "b"], int], ...] = (("a", 0), ("b", 1))
    for metric in SIDE_METRICS:
        for suffix, index in sides:
            name = side_column(metric.name, suffix)
            if metric.arrays:
                column = flat(metrics.values[metric.arrays[index]])
                columns[name] = column.astype(bool) if metric.name == "deterred" else column
            elif probabilities is not None and f"{metric.name}_{suffix}" in probabilities:
                columns[name] = flat(probabilities[f"{metric.name}_{suffix}"])
            else:
                columns[name] = np.full(n * len(dyads), np.nan)
    for metric in DYAD_METRICS:
        if metric.name == "status":
            codes = flat(metrics.values["a_deterred"]) + 2 * flat(metrics.values["b_deterred"])
            columns["status"] = np.array(STATUS_LABELS)[codes.astype(np.int64)]
        else:
            columns[metric.name] = flat(metrics.values[metric.arrays[0]])
    return pd.DataFrame(columns)


# --- running chunks on a backend ---------------------------------------------------------


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep: ``partial`` holds the rows of every chunk that finished."""

    def __init__(self, partial: pd.DataFrame, total: int) -> None:
        super().__init__(
            f"sweep interrupted: {partial['variant'].nunique()} of {total} variants done"
        )
        self.partial = partial
        self.total = total


def _run_chunk(chunk: Chunk) -> pd.DataFrame:
    """A chunk's rows (a named function: Dask names its tasks after it)."""
    return chunk()


def _in_process(chunks: Sequence[Chunk]) -> Iterator[tuple[int, pd.DataFrame]]:
    for chunk in chunks:
        yield chunk.index, chunk()


def _local(chunks: Sequence[Chunk], workers: int) -> Iterator[tuple[int, pd.DataFrame]]:
    executor = ProcessPoolExecutor(workers)
    try:
        index = {executor.submit(_run_chunk, chunk): chunk.index for chunk in chunks}
        for future in as_completed(index):
            yield index[future], future.result()
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _dask(chunks: Sequence[Chunk], scheduler: Any) -> Iterator[tuple[int, pd.DataFrame]]:
    try:
        from distributed import Client
        from distributed import as_completed as completed_on_cluster
    except ImportError:
        raise InputError(
            "--scheduler needs Dask distributed", "pip install 'equipoise[dask]'"
        ) from None
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, set_as_default=False) if own else scheduler  # type: ignore[no-untyped-call]
    except (OSError, ValueError, TimeoutError) as error:
        raise InputError(
            f"cannot reach the Dask scheduler at {scheduler}: {error}",
            "start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
            "then pass --scheduler tcp://HOST:8786",
        ) from None
    try:
        futures = [client.submit(_run_chunk, chunk, pure=False) for chunk in chunks]
        index = {future.key: chunk.index for future, chunk in zip(futures, chunks, strict=True)}
        try:
            for future in completed_on_cluster(futures, loop=client.loop):  # type: ignore[no-untyped-call]
                yield index[future.key], future.result()
        finally:
            client.cancel(futures)
    finally:
        if own:
            client.close()


def chunks_of(
    scenario: Scenario,
    varies: Sequence[Vary],
    values: FloatArray,
    *,
    trials: int | None,
    seed: int,
    chunk_size: int | None = None,
    first_strike: bool = True,
) -> list[Chunk]:
    """The design cut in chunks of fixed size (never by worker count), in order."""
    size = chunk_size or (STOCHASTIC_CHUNK if trials else EXPECTED_CHUNK)
    batch = tuple(batchable(scenario, v) for v in varies)
    return [
        Chunk(
            i,
            scenario,
            tuple(varies),
            batch,
            np.arange(start, min(start + size, len(values))),
            values[start : start + size],
            trials,
            seed,
            first_strike,
        )
        for i, start in enumerate(range(0, len(values), size))
    ]


def run_design(
    scenario: Scenario | str | Path,
    varies: Sequence[Vary],
    values: FloatArray,
    *,
    trials: int | None = None,
    seed: int = 0,
    workers: int = 1,
    scheduler: Any = None,
    chunk_size: int | None = None,
    progress: Progress | bool | None = None,
    first_strike: bool = True,
) -> pd.DataFrame:
    """Evaluate every row of a design matrix; the tidy rows in design order.

    Without ``first_strike`` the striker's split search is skipped: deterrence,
    survivability and retaliation stay, the metrics of the chosen strike (first-strike
    advantage, damage striking first, P(prevail), the bargaining range) are NaN.
    ``progress`` receives the variants (rows of ``values``) in each chunk finished;
    ``True`` shows a bar. Ctrl-C raises :class:`SweepInterrupted` holding the rows
    finished so far.
    """
    model = load_scenario(scenario)
    chunks = chunks_of(
        model,
        varies,
        np.asarray(values, dtype=float),
        trials=trials,
        seed=seed,
        chunk_size=chunk_size,
        first_strike=first_strike,
    )
    if scheduler is not None:
        results = _dask(chunks, scheduler)
    elif workers > 1:
        results = _local(chunks, workers)
    else:
        results = _in_process(chunks)
    done: dict[int, pd.DataFrame] = {}
    with progress_of(progress, len(values), f"sweep {model.name}", unit="variant") as report:
        try:
            for index, frame in results:
                done[index] = frame
                if report is not None:
                    report(len(chunks[index].rows))
        except KeyboardInterrupt:
            raise SweepInterrupted(_joined(done, varies), len(values)) from None
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()
    return _joined(done, varies)


def _joined(done: Mapping[int, pd.DataFrame], varies: Sequence[Vary]) -> pd.DataFrame:
    if not done:
        return pd.DataFrame(
            columns=["variant", "scenario", "seed", "trials", *(v.path for v in varies)]
        )
    return pd.concat([done[i] for i in sorted(done)], ignore_index=True)


def parse_varies(scenario: Scenario, vary: Sequence[str | Vary]) -> list[Vary]:
    """The inputs to vary ('PATH=LOW:HIGH[:STEPS]' or :class:`Vary`), each path once."""
    varies = [v if isinstance(v, Vary) else parse_vary(v, scenario) for v in vary]
    if len({v.path for v in varies}) != len(varies):
        raise InputError("the same path is varied twice", "give each --vary path once")
    return varies


def vary_notes(scenario: Scenario, varies: Sequence[Vary]) -> list[str]:
    """A note for each count varied on its own while its holding states other counts:
    those stay as they are, unlike a map axis or ``whatif --add`` over the holding, which
    scale every count together (more launchers, same total rounds, is another question)."""
    varied = {v.path for v in varies}
    notes = []
    for vary in varies:
        count = HoldingCount.at(scenario, vary.path)
        if count is None:
            continue
        kept = [
            f"{getattr(count.holding, other)} {other}"
            for other in COUNT_FIELDS
            if other != count.field
            and getattr(count.holding, other) is not None
            and count.path_of(other) not in varied
        ]
        if kept:
            name = f"{count.party}.{count.key}"
            notes.append(
                f"--vary {vary.path} changes {count.field} only: {count.party}'s {count.key} "
                f"keeps its {' and '.join(kept)}; a map axis {name} or whatif --add "
                f"{name}=+N scales every count of the holding together"
            )
    return notes


def sweep_design(
    scenario: Scenario,
    vary: Sequence[str | Vary],
    *,
    samples: int | None = None,
    sampling: Sampling | None = None,
    seed: int = 0,
) -> tuple[list[Vary], FloatArray]:
    """The inputs and the design matrix a sweep evaluates (one row per variant)."""
    varies = parse_varies(scenario, vary)
    return varies, design(varies, samples=samples, sampling=sampling, seed=seed)


def sweep(
    scenario: Scenario | str | Path,
    vary: Sequence[str | Vary],
    *,
    samples: int | None = None,
    sampling: Sampling | None = None,
    trials: int | None = None,
    seed: int = 0,
    workers: int = 1,
    scheduler: Any = None,
    chunk_size: int | None = None,
    progress: Progress | bool | None = None,
    first_strike: bool = True,
) -> pd.DataFrame:
    """Every variant of ``scenario`` over the ``vary`` inputs ('PATH=LOW:HIGH[:STEPS]'),
    as tidy rows: variant, scenario, seed, trials, each input, dyad, every metric.

    A grid over each input's steps by default; ``samples`` points of a Latin hypercube
    (or ``sampling='sobol'``). With ``trials`` each variant's stochastic analysis gives
    the retaliation probabilities (seeded with ``seed``: common random numbers across
    variants); without, they are NaN. ``workers`` local processes or a Dask
    ``scheduler`` (an address or a ``distributed.Client``) give the same rows.
    ``first_strike=False`` skips the striker's split search (see :func:`run_design`).
    ``progress`` receives the variants finished, out of the design's rows; ``True``
    shows a bar.
    """
    model = load_scenario(scenario)
    varies, values = sweep_design(model, vary, samples=samples, sampling=sampling, seed=seed)
    return run_design(
        model,
        varies,
        values,
        trials=trials,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        chunk_size=chunk_size,
        progress=progress,
        first_strike=first_strike,
    )


__all__ = [
    "DISTRIBUTIONS",
    "SAMPLINGS",
    "Chunk",
    "SweepInterrupted",
    "Vary",
    "batchable",
    "design",
    "linear_models",
    "parse_vary",
    "run_design",
    "sweep",
    "tidy",
]
