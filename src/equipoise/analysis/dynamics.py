"""Richardson arms races and Lanchester battles: simulations and fits (docs/model.md §7).

Each result has ``to_frame()`` and ``to_dict()``. Fits are nonlinear least squares
on simulated trajectories, initialised by the classical difference regressions
(Richardson 1960; Engel 1954), with standard errors from the Jacobian at the optimum
and R² per series. A series is cut into windows of ``FIT_WINDOW`` steps, each
simulated from the observation at its start (multiple shooting, all windows at once):
a series of at most ``FIT_WINDOW + 1`` rows is one trajectory from the first
observation, and a long one fits in seconds without its simulation overflowing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from equipoise.analysis.results import Plottable, clean
from equipoise.domain.dynamics import (
    ArmsRace,
    ArmsRaceFile,
    Attrition,
    AttritionFile,
    arms_race_problems,
    attrition_problems,
)
from equipoise.domain.loading import (
    builtin_files,
    load_document,
    parse_yaml,
    read_text_file,
    resolve_source,
    scenario_from_text,
)
from equipoise.domain.references import suggest
from equipoise.engines.dynamics import (
    RichardsonCoefficients,
    richardson_eigenvalues,
    richardson_equilibrium,
    richardson_stable,
    richardson_windows,
    simulate_lanchester,
    simulate_richardson,
    square_law_invariant,
)
from equipoise.engines.types import FloatArray, IntArray
from equipoise.errors import InputError

if TYPE_CHECKING:  # pandas and SciPy load on first use, after the inputs have been read
    import pandas as pd

RICHARDSON_NAMES = ("k", "l", "a", "b", "g", "h")
FIT_WINDOW = 30
"""Steps (years or days) simulated from one observation before restarting at the next."""
_PENALTY = 1e10


def _windows(count: int) -> tuple[NDArray[np.intp], int]:
    """Start rows of the windows over ``count`` rows, and the padded number of steps."""
    steps = count - 1
    windows = -(-steps // FIT_WINDOW)
    return np.arange(windows) * FIT_WINDOW, windows * FIT_WINDOW


def _padded(values: FloatArray, total: int) -> FloatArray:
    """Per-step values (steps, ...) padded with zeros to ``total`` steps, as windows."""
    out = np.zeros((total, *values.shape[1:]))
    out[: len(values)] = values
    return out.reshape(-1, FIT_WINDOW, *values.shape[1:])


def _finite_residuals(values: FloatArray) -> FloatArray:
    """Residuals with overflowed trajectories (wild trial parameters) as a large penalty."""
    return np.nan_to_num(values, nan=_PENALTY, posinf=_PENALTY, neginf=-_PENALTY)


def _least_squares(residuals: Any, start: FloatArray, **options: Any) -> tuple[Any, FloatArray]:
    """scipy's least_squares (Levenberg-Marquardt, tolerances 1e-14) and the standard
    errors of its estimates; a failure on these data is reported as an input problem."""
    from scipy.optimize import least_squares

    try:
        with np.errstate(all="ignore"):
            fit = least_squares(
                residuals, start, method="lm", xtol=1e-14, ftol=1e-14, gtol=1e-14, **options
            )
    except (ValueError, np.linalg.LinAlgError) as error:
        raise InputError(
            f"the fit cannot be computed on these data ({error})",
            "check the series: constant, all-zero or wildly varying columns cannot be fitted",
        ) from None
    jacobian, fun = np.asarray(fit.jac, dtype=float), np.asarray(fit.fun, dtype=float)
    return fit, _standard_errors(jacobian, fun, len(start))


DEFAULT_BATTLE = "iwo-jima-1945"


def load_arms_race(source: str | Path) -> ArmsRace:
    """The arms_race block of a scenario (file or built-in name) or of an arms-race file."""
    text, label = resolve_source(source)
    parsed = parse_yaml(text, label, "arms-race file")
    if isinstance(parsed.data, dict) and "classes" in parsed.data:
        scenario = scenario_from_text(text, label)
        if scenario.arms_race is None:
            raise InputError(
                f"{label} has no arms_race block",
                "add one (see `equipoise show west-asia-2024`) or pass an arms-race file",
            )
        return scenario.arms_race
    checks = lambda data: arms_race_problems(data.get("arms_race"))  # noqa: E731
    return load_document(text, label, ArmsRaceFile, "arms-race file", checks).arms_race


def load_attrition(source: str | Path = DEFAULT_BATTLE) -> Attrition:
    """An attrition case from a YAML file or a built-in battle's name (Engel 1954's Iwo Jima)."""
    builtins = builtin_files("attrition")
    name = str(source)
    if name in builtins and not Path(name).exists():
        text, label = builtins[name], f"<built-in {name}>"
    else:
        path = Path(source)
        if not path.exists() and path.suffix not in (".yaml", ".yml"):
            raise InputError(
                f"'{name}' is neither a file nor a built-in battle",
                f"{suggest(name, builtins)} Built-in battles: {', '.join(sorted(builtins))}",
            )
        text, label = read_text_file(path, "attrition file"), str(path)
    checks = lambda data: attrition_problems(data.get("attrition"))  # noqa: E731
    return load_document(text, label, AttritionFile, "attrition file", checks).attrition


def coefficients_of(race: ArmsRace) -> RichardsonCoefficients:
    c = race.coefficients
    return RichardsonCoefficients(c.k, c.l, c.a, c.b, c.g, c.h)


def delivery_flows(race: ArmsRace) -> FloatArray:
    """(years, 2) extra flows into x and y from the race's deliveries."""
    flows = np.zeros((race.years, 2))
    for delivery in race.deliveries:
        flows[delivery.year - race.start_year, 0 if delivery.to == race.a else 1] += delivery.amount
    return flows


def _paths_frame(
    time: str,
    stamps: IntArray,
    names: tuple[str, str],
    levels: FloatArray,
    inflow: str,
    inflows: FloatArray,
) -> pd.DataFrame:
    """Both sides' levels per time step, then what flowed into each (``inflow`` names
    its column from the side's name)."""
    import pandas as pd

    columns = {time: stamps, names[0]: levels[:, 0], names[1]: levels[:, 1]}
    return pd.DataFrame(columns | {inflow.format(n): inflows[:, i] for i, n in enumerate(names)})


@dataclass(frozen=True, repr=False)
class ArmsRaceResult(Plottable):
    """A simulated Richardson arms race with its equilibrium and stability."""

    race: ArmsRace
    trajectory: FloatArray
    equilibrium: tuple[float, float]
    stable: bool
    eigenvalues: tuple[complex, complex]

    def to_frame(self) -> pd.DataFrame:
        """One row per year boundary: levels of both sides and that year's deliveries."""
        race = self.race
        years = np.arange(race.start_year, race.start_year + race.years + 1)
        flows = np.vstack([delivery_flows(race), np.zeros((1, 2))])
        sides = (race.a, race.b)
        return _paths_frame("year", years, sides, self.trajectory, "delivered_to_{}", flows)

    def to_dict(self) -> dict[str, Any]:
        race = self.race
        return clean(
            {
                "a": race.a,
                "b": race.b,
                "units": race.units,
                "coefficients": race.coefficients.model_dump(),
                "equilibrium": {race.a: self.equilibrium[0], race.b: self.equilibrium[1]},
                "stable": self.stable,
                "eigenvalues": [[e.real, e.imag] for e in self.eigenvalues],
                "trajectory": self.to_frame().to_dict(orient="records"),
                "source": race.source,
            }
        )


def arms_race(race: ArmsRace) -> ArmsRaceResult:
    """Simulate a Richardson arms race year by year (exact for yearly deliveries)."""
    coefficients = coefficients_of(race)
    trajectory = simulate_richardson(
        coefficients, race.x0, race.y0, race.years, delivery_flows(race)[np.newaxis]
    )[0]
    x_star, y_star = richardson_equilibrium(coefficients)
    eigen = richardson_eigenvalues(coefficients)[0]
    return ArmsRaceResult(
        race,
        trajectory,
        (float(np.asarray(x_star).ravel()[0]), float(np.asarray(y_star).ravel()[0])),
        bool(np.asarray(richardson_stable(coefficients)).ravel()[0]),
        (complex(eigen[0]), complex(eigen[1])),
    )


@dataclass(frozen=True, repr=False)
class FitResult(Plottable):
    """Least-squares estimates with standard errors and goodness of fit."""

    model: str
    names: tuple[str, ...]
    estimates: FloatArray
    standard_errors: FloatArray
    r_squared: dict[str, float]
    rmse: dict[str, float]
    observations: int
    fitted: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    def estimate(self, name: str) -> float:
        return float(self.estimates[self.names.index(name)])

    def standard_error(self, name: str) -> float:
        return float(self.standard_errors[self.names.index(name)])

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: estimate, standard error, t ratio."""
        import pandas as pd

        return pd.DataFrame(
            {
                "parameter": self.names,
                "estimate": self.estimates,
                "standard_error": self.standard_errors,
                "t": self.estimates
                / np.where(self.standard_errors > 0, self.standard_errors, np.nan),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "model": self.model,
                "parameters": self.to_frame().to_dict(orient="records"),
                "r_squared": self.r_squared,
                "rmse": self.rmse,
                "observations": self.observations,
                "fitted": self.fitted.to_dict(orient="records"),
                "notes": list(self.notes),
            }
        )


def _require_finite(columns: dict[str, FloatArray], time: str, stamps: FloatArray) -> None:
    for name, values in columns.items():
        bad = ~np.isfinite(np.asarray(values, dtype=float))
        if bad.any():
            at = ", ".join(f"{stamps[i]:g}" for i in np.flatnonzero(bad)[:5])
            raise InputError(
                f"{name} is missing or not a number at {time} {at}",
                "fill the gap or fit a span without missing values",
            )


def _standard_errors(jacobian: FloatArray, residuals: FloatArray, parameters: int) -> FloatArray:
    """Square roots of the diagonal of the Gauss-Newton covariance at the optimum."""
    dof = residuals.size - parameters
    if dof <= 0:
        return np.full(parameters, np.nan)
    variance = float(residuals @ residuals) / dof
    try:
        cov = np.linalg.inv(jacobian.T @ jacobian) * variance
    except np.linalg.LinAlgError:
        return np.full(parameters, np.nan)
    return np.asarray(np.sqrt(np.clip(np.diag(cov), 0.0, None)), dtype=float)


def _fit_result(
    model: str,
    parameters: tuple[str, ...],
    estimates: FloatArray,
    errors: FloatArray,
    time: tuple[str, FloatArray],
    observed: dict[str, FloatArray],
    fitted: dict[str, FloatArray],
    notes: tuple[str, ...],
) -> FitResult:
    """A FitResult with its fitted table, R² and RMSE per series.

    ``fitted`` holds the trajectories after the first observation, where the fit
    starts; the table repeats the first observation in its fitted column.
    """
    import pandas as pd

    columns: dict[str, FloatArray] = {time[0]: time[1]}
    for name, values in observed.items():
        columns[f"{name}_observed"] = values
        columns[f"{name}_fitted"] = np.concatenate([[values[0]], fitted[name]])
    return FitResult(
        model,
        parameters,
        estimates,
        errors,
        {name: _r_squared(observed[name][1:], fitted[name]) for name in observed},
        {
            name: float(np.sqrt(np.mean((observed[name][1:] - fitted[name]) ** 2)))
            for name in observed
        },
        sum(len(series) for series in fitted.values()),
        pd.DataFrame(columns),
        notes,
    )


def _r_squared(observed: FloatArray, fitted: FloatArray) -> float:
    total = float(((observed - observed.mean()) ** 2).sum())
    residual = float(((observed - fitted) ** 2).sum())
    return 1.0 - residual / total if total > 0 else math.nan


def fit_richardson(
    years: FloatArray,
    x: FloatArray,
    y: FloatArray,
    flows: FloatArray | None = None,
    names: tuple[str, str] = ("x", "y"),
) -> FitResult:
    """Fit k, l, a, b, g, h to two yearly series by least squares on the trajectory.

    Started from the first observations; ``flows`` (years − 1, 2) are known yearly
    inputs (deliveries). Data are rescaled by their mean level for conditioning;
    k, l, a, b are unit-free, g and h are reported in the data's units.
    """
    count = len(years)
    _require_finite({"year": years, names[0]: x, names[1]: y}, "year", years)
    if count < 5:
        raise InputError(
            f"{count} years are too few to fit six coefficients",
            "give at least 5 consecutive years",
        )
    scale = float(np.mean(np.concatenate([x, y]))) or 1.0
    xs, ys = x / scale, y / scale
    inputs = np.zeros((count - 1, 2)) if flows is None else np.asarray(flows, float) / scale
    mid_x, mid_y = (xs[1:] + xs[:-1]) / 2, (ys[1:] + ys[:-1]) / 2
    design_x = np.column_stack([mid_y, -mid_x, np.ones(count - 1)])
    design_y = np.column_stack([mid_x, -mid_y, np.ones(count - 1)])
    (k0, a0, g0), *_ = np.linalg.lstsq(design_x, np.diff(xs) - inputs[:, 0], rcond=None)
    (l0, b0, h0), *_ = np.linalg.lstsq(design_y, np.diff(ys) - inputs[:, 1], rcond=None)
    observed = np.concatenate([xs[1:], ys[1:]])
    starts, total = _windows(count)
    levels = np.column_stack([xs, ys])[starts]
    windows = _padded(inputs, total)

    def residuals(theta: FloatArray) -> FloatArray:
        coefficients = RichardsonCoefficients(*theta)
        path = richardson_windows(coefficients, levels, windows).reshape(-1, 2)[: count - 1]
        return _finite_residuals(np.concatenate([path[:, 0], path[:, 1]]) - observed)

    start = np.nan_to_num(np.array([k0, l0, a0, b0, g0, h0]))
    fit, errors = _least_squares(residuals, start)
    estimates = np.asarray(fit.x, dtype=float).copy()
    estimates[4:] *= scale
    errors[4:] *= scale
    fitted_path = (fit.fun + observed) * scale
    fitted = {names[0]: fitted_path[: count - 1], names[1]: fitted_path[count - 1 :]}
    notes = []
    negative = [n for n, v in zip(RICHARDSON_NAMES[:4], estimates[:4], strict=True) if v < 0]
    if negative:
        notes.append(
            f"negative {', '.join(negative)}: the signs contradict Richardson's reading "
            "(reaction and fatigue coefficients are positive in his model)"
        )
    coefficients = RichardsonCoefficients(*estimates)
    stable = bool(np.asarray(richardson_stable(coefficients)).ravel()[0])
    notes.append(
        "fitted system is " + ("stable (a·b > k·l)" if stable else "unstable (a·b <= k·l)")
    )
    return _fit_result(
        "richardson",
        RICHARDSON_NAMES,
        estimates,
        errors,
        ("year", years),
        {names[0]: x, names[1]: y},
        fitted,
        tuple(notes),
    )


def reinforcement_rates(attrition: Attrition) -> FloatArray:
    """(days, 2) troops arriving per day on each side."""
    rates = np.zeros((attrition.days, 2))
    for column, side in enumerate((attrition.a, attrition.b)):
        for reinforcement in side.reinforcements:
            rates[reinforcement.day - 1, column] += reinforcement.troops
    return rates


@dataclass(frozen=True, repr=False)
class AttritionResult(Plottable):
    """A simulated Lanchester battle, day by day."""

    attrition: Attrition
    path: FloatArray

    def to_frame(self) -> pd.DataFrame:
        names = (self.attrition.a.name, self.attrition.b.name)
        days = np.arange(self.attrition.days + 1)
        rates = np.vstack([np.zeros((1, 2)), reinforcement_rates(self.attrition)])
        frame = _paths_frame("day", days, names, self.path, "{}_reinforcements", rates)
        if self.attrition.law == "square":
            frame["square_law_invariant"] = square_law_invariant(
                self.path[:, 0], self.path[:, 1], self.attrition.alpha, self.attrition.beta
            )
        return frame

    def to_dict(self) -> dict[str, Any]:
        case = self.attrition
        return clean(
            {
                "name": case.name,
                "title": case.title,
                "law": case.law,
                "alpha": case.alpha,
                "beta": case.beta,
                "days": self.to_frame().to_dict(orient="records"),
                "source": case.source,
            }
        )


def attrition(case: Attrition, steps_per_day: int = 50) -> AttritionResult:
    """Simulate a Lanchester battle with its reinforcement schedule."""
    rates = reinforcement_rates(case)
    path = simulate_lanchester(
        case.a.initial,
        case.b.initial,
        case.alpha,
        case.beta,
        case.days,
        law=case.law,
        reinforce_a=rates[np.newaxis, :, 0],
        reinforce_b=rates[np.newaxis, :, 1],
        steps_per_day=steps_per_day,
    )[0]
    return AttritionResult(case, path)


def fit_lanchester(
    days: FloatArray,
    a: FloatArray,
    b: FloatArray,
    reinforce_a: FloatArray | None = None,
    reinforce_b: FloatArray | None = None,
    *,
    law: str = "square",
    names: tuple[str, str] = ("a", "b"),
    steps_per_day: int = 10,
) -> FitResult:
    """Fit α (A's effectiveness) and β (B's) to daily force sizes.

    ``reinforce_*`` give troops arriving during each day (aligned with ``days``;
    the first row's value is ignored). Initialised by Engel's (1954) ratio of
    losses to the opponent's troop-days. Ten Runge-Kutta steps a day keep the
    integration error far below any observation's (the simulation uses 50).
    """
    count = len(days)
    _require_finite({"day": days, names[0]: a, names[1]: b}, "day", days)
    if count < 3:
        raise InputError(
            f"{count} days are too few to fit two coefficients", "give at least 3 days"
        )
    rates_a = np.zeros(count - 1) if reinforce_a is None else np.asarray(reinforce_a, float)[1:]
    rates_b = np.zeros(count - 1) if reinforce_b is None else np.asarray(reinforce_b, float)[1:]
    mid_a, mid_b = (a[1:] + a[:-1]) / 2, (b[1:] + b[:-1]) / 2
    losses_a = rates_a - np.diff(a)
    losses_b = rates_b - np.diff(b)
    exposure_a = mid_b if law == "square" else mid_a * mid_b
    exposure_b = mid_a if law == "square" else mid_a * mid_b
    beta0 = max(losses_a.sum() / max(exposure_a.sum(), 1e-12), 1e-9)
    alpha0 = max(losses_b.sum() / max(exposure_b.sum(), 1e-12), 1e-9)
    scale = np.array([max(float(np.abs(a).max()), 1.0), max(float(np.abs(b).max()), 1.0)])
    observed = np.concatenate([a[1:] / scale[0], b[1:] / scale[1]])
    starts, total = _windows(count)
    windows_a, windows_b = _padded(rates_a, total), _padded(rates_b, total)

    def residuals(theta: FloatArray) -> FloatArray:
        path = simulate_lanchester(
            a[starts],
            b[starts],
            theta[0],
            theta[1],
            FIT_WINDOW,
            law=law,
            reinforce_a=windows_a,
            reinforce_b=windows_b,
            steps_per_day=steps_per_day,
        )[:, 1:].reshape(-1, 2)[: count - 1]
        scaled = np.concatenate([path[:, 0] / scale[0], path[:, 1] / scale[1]])
        return _finite_residuals(scaled - observed)

    start = np.array([alpha0, beta0])
    fit, errors = _least_squares(residuals, start, x_scale=start)
    fitted = fit.fun + observed
    return _fit_result(
        f"lanchester-{law}",
        ("alpha", "beta"),
        np.asarray(fit.x, dtype=float),
        errors,
        ("day", days),
        {names[0]: a, names[1]: b},
        {names[0]: fitted[: count - 1] * scale[0], names[1]: fitted[count - 1 :] * scale[1]},
        (
            f"alpha: {names[0]}'s effectiveness against {names[1]}; "
            f"beta: {names[1]}'s against {names[0]}",
        ),
    )
