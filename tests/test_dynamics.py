"""Richardson arms races, Lanchester attrition and Fearon's bargaining range (DOMAIN.md §4-5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from equipoise.analysis.dynamics import (
    attrition,
    fit_lanchester,
    fit_richardson,
    load_attrition,
    reinforcement_rates,
)
from equipoise.engines.dynamics import (
    BargainingRange,
    RichardsonCoefficients,
    contest_probability,
    richardson_equilibrium,
    richardson_stable,
    simulate_lanchester,
    simulate_richardson,
    square_law_invariant,
)
from equipoise.errors import InputError

coefficient = st.floats(0.0, 1.0)
grievance = st.floats(-2.0, 2.0)


@given(k=coefficient, l=coefficient, a=coefficient, b=coefficient, g=grievance, h=grievance)
def test_richardson_equilibrium_and_stability_closed_form(
    k: float,
    l: float,
    a: float,
    b: float,
    g: float,
    h: float,
) -> None:
    """Richardson (1960): x* = (bg + kh)/(ab − kl), y* = (ah + lg)/(ab − kl); stable iff ab > kl
    (with a, b >= 0 and not both zero)."""
    det = a * b - k * l
    assume(abs(det) > 1e-6)
    c = RichardsonCoefficients(k, l, a, b, g, h)
    x_star, y_star = richardson_equilibrium(c)
    assert float(x_star) == pytest.approx((b * g + k * h) / det, rel=1e-9, abs=1e-9)
    assert float(y_star) == pytest.approx((a * h + l * g) / det, rel=1e-9, abs=1e-9)
    # it is an equilibrium: both derivatives vanish there
    assert k * y_star - a * x_star + g == pytest.approx(
        0.0, abs=1e-6 * (1 + abs(x_star) + abs(y_star))
    )
    assert l * x_star - b * y_star + h == pytest.approx(
        0.0, abs=1e-6 * (1 + abs(x_star) + abs(y_star))
    )
    assert bool(richardson_stable(c)) == (a * b > k * l and a + b > 0)


@given(
    k=coefficient,
    l=coefficient,
    a=coefficient,
    b=coefficient,
    g=grievance,
    h=grievance,
    x0=st.floats(0, 50),
    y0=st.floats(0, 50),
)
def test_richardson_trajectory_is_the_analytic_solution(
    k: float,
    l: float,
    a: float,
    b: float,
    g: float,
    h: float,
    x0: float,
    y0: float,
) -> None:
    """z(t) = z* + V e^{Λt} V⁻¹ (z0 − z*) for the linear system, compared year by year."""
    matrix = np.array([[-a, k], [l, -b]])
    assume(abs(a * b - k * l) > 1e-3)
    eigenvalues, vectors = np.linalg.eig(matrix)
    assume(abs(eigenvalues[0] - eigenvalues[1]) > 1e-3)
    assume(np.linalg.cond(vectors) < 1e6)
    years = 15
    c = RichardsonCoefficients(k, l, a, b, g, h)
    path = simulate_richardson(c, x0, y0, years)[0]
    z_star = -np.linalg.solve(matrix, np.array([g, h]))
    coefficients = np.linalg.solve(vectors, np.array([x0, y0]) - z_star)
    t = np.arange(years + 1)
    analytic = (
        z_star + (vectors @ (np.exp(np.outer(eigenvalues, t)) * coefficients[:, None])).T.real
    )
    scale = 1 + np.abs(analytic).max()
    assert np.allclose(path, analytic, atol=1e-8 * scale, rtol=1e-8)


def test_deliveries_enter_as_flows_in_their_year() -> None:
    """With no reactions, fatigue or grievance, a delivery of 5 in year 3 adds exactly 5 then."""
    c = RichardsonCoefficients(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    flows = np.zeros((1, 6, 2))
    flows[0, 2, 0] = 5.0
    path = simulate_richardson(c, 1.0, 2.0, 6, flows)[0]
    assert list(path[:, 0]) == pytest.approx([1, 1, 1, 6, 6, 6, 6])
    assert list(path[:, 1]) == pytest.approx([2] * 7)


def test_fit_recovers_known_richardson_coefficients() -> None:
    """Noiseless data from known coefficients come back exactly; with 1 % noise, within 3 s.e."""
    truth = {"k": 0.2, "l": 0.15, "a": 0.3, "b": 0.25, "g": 1.0, "h": 2.0}
    c = RichardsonCoefficients(**truth)
    flows = np.zeros((1, 25, 2))
    flows[0, 10, 1] = 3.0
    path = simulate_richardson(c, 10.0, 15.0, 25, flows)[0]
    years = np.arange(1990.0, 2016.0)
    exact = fit_richardson(years, path[:, 0], path[:, 1], flows[0])
    for name, value in truth.items():
        assert exact.estimate(name) == pytest.approx(value, rel=1e-6)
    rng = np.random.default_rng(4)
    noisy = fit_richardson(
        years,
        path[:, 0] * (1 + 0.01 * rng.standard_normal(26)),
        path[:, 1] * (1 + 0.01 * rng.standard_normal(26)),
        flows[0],
    )
    for name, value in truth.items():
        assert abs(noisy.estimate(name) - value) <= 3 * noisy.standard_error(name), name
    assert min(noisy.r_squared.values()) > 0.9


def test_fit_refuses_gaps_and_short_series() -> None:
    years = np.arange(2000.0, 2010.0)
    x = np.linspace(1, 2, 10)
    with pytest.raises(InputError, match="missing or not a number"):
        fit_richardson(years, np.where(years == 2005, np.nan, x), x)
    with pytest.raises(InputError, match="too few"):
        fit_richardson(years[:4], x[:4], x[:4])


battles = st.lists(
    st.tuples(st.floats(100, 10_000), st.floats(100, 10_000), st.floats(0, 1), st.floats(0, 1)),
    min_size=1,
    max_size=50,
)


def _invariant_holds(
    params: list[tuple[float, float, float, float]], law: str, scale: float
) -> None:
    a0, b0, u, v = (np.array(column) for column in zip(*params, strict=True))
    alpha, beta = scale * (0.01 + u), scale * (0.01 + v)
    path = simulate_lanchester(a0, b0, alpha, beta, 20, law=law)
    for row in range(len(params)):
        a, b = path[row, :, 0], path[row, :, 1]
        alive = (a > 1e-6 * a0[row]) & (b > 1e-6 * b0[row])
        if law == "square":
            invariant = square_law_invariant(a[alive], b[alive], alpha[row], beta[row])
            size = alpha[row] * a0[row] ** 2 + beta[row] * b0[row] ** 2
        else:
            invariant = alpha[row] * a[alive] - beta[row] * b[alive]
            size = alpha[row] * a0[row] + beta[row] * b0[row]
        assert np.allclose(invariant, invariant[0], atol=1e-8 * size)


@given(battles)
def test_square_law_invariant_is_conserved_without_reinforcements(
    params: list[tuple[float, float, float, float]],
) -> None:
    """Lanchester (1916): α·A² − β·B² stays constant while both sides fight (a batch of battles)."""
    _invariant_holds(params, "square", 0.1)


@given(battles)
def test_linear_law_invariant_is_conserved(params: list[tuple[float, float, float, float]]) -> None:
    """Linear law (unaimed fire): dA/dt = −β·A·B, dB/dt = −α·A·B conserve α·A − β·B."""
    _invariant_holds(params, "linear", 1e-4)


def _iwo_jima():  # type: ignore[no-untyped-def]
    return load_attrition("iwo-jima-1945")


def engel_curve(days: int) -> np.ndarray:
    """Engel (1954) / Braun §4.5: dx/dt = −a·y + P(t), dy/dt = −b·x, a = 0.0544, b = 0.0106,
    x(0) = 0, y(0) = 21,500, P = 54,000/day on day 1, 6,000 on day 3, 13,000 on day 6.

    Solved in closed form day by day: with ω = √(ab) and constant P the particular
    solution is (x, y) = (0, P/a) and the rest is cosh/sinh."""
    a, b = 0.0544, 0.0106
    omega = math.sqrt(a * b)
    landings = {1: 54_000.0, 3: 6_000.0, 6: 13_000.0}
    x, y = 0.0, 21_500.0
    out = [(x, y)]
    for day in range(1, days + 1):
        p = landings.get(day, 0.0)
        xp, yp = 0.0, p / a
        dx, dy = x - xp, y - yp
        cosh, sinh = math.cosh(omega), math.sinh(omega)
        x = xp + dx * cosh - math.sqrt(a / b) * dy * sinh
        y = yp + dy * cosh - math.sqrt(b / a) * dx * sinh
        out.append((x, y))
    return np.array(out)


def test_engel_iwo_jima_reinforcements_reproduce_his_model_curve() -> None:
    """The built-in Iwo Jima case (Engel 1954's coefficients and landings) gives the
    model curve of his equations, here in closed form, day by day over the 36 days."""
    case = _iwo_jima()
    assert (case.alpha, case.beta, case.days) == (0.0106, 0.0544, 36)
    rates = reinforcement_rates(case)
    assert rates[:, 0].sum() == 73_000
    assert rates[:, 1].sum() == 0
    result = attrition(case).to_frame()
    curve = engel_curve(36)
    assert np.allclose(result["US"], curve[:, 0], rtol=1e-6, atol=1e-3)
    assert np.allclose(result["Japan"], curve[:, 1], rtol=1e-6, atol=1e-3)
    # what Engel's model says happened: the defenders nearly annihilated by day 36
    assert result["Japan"].iloc[-1] < 0.02 * 21_500


def test_lanchester_fit_recovers_engel_coefficients() -> None:
    case = _iwo_jima()
    frame = attrition(case).to_frame()
    fit = fit_lanchester(
        frame["day"].to_numpy(float),
        frame["US"].to_numpy(),
        frame["Japan"].to_numpy(),
        frame["US_reinforcements"].to_numpy(),
        None,
        names=("US", "Japan"),
    )
    assert fit.estimate("alpha") == pytest.approx(0.0106, rel=1e-6)
    assert fit.estimate("beta") == pytest.approx(0.0544, rel=1e-6)


def test_lanchester_fit_with_noise_stays_within_standard_errors() -> None:
    path = simulate_lanchester(10_000, 8_000, 0.02, 0.03, 30)[0]
    rng = np.random.default_rng(9)
    noisy = path * (1 + 0.005 * rng.standard_normal(path.shape))
    noisy[0] = path[0]
    fit = fit_lanchester(np.arange(31.0), noisy[:, 0], noisy[:, 1])
    assert abs(fit.estimate("alpha") - 0.02) <= 3 * fit.standard_error("alpha")
    assert abs(fit.estimate("beta") - 0.03) <= 3 * fit.standard_error("beta")


@given(c_a=st.floats(0, 1), c_b=st.floats(0, 1), m=st.floats(0.1, 5))
def test_contest_probability(c_a: float, c_b: float, m: float) -> None:
    p = float(contest_probability(c_a, c_b, m))
    assert 0.0 <= p <= 1.0
    if c_a + c_b > 0 and (c_a**m + c_b**m) > 0:
        assert p == pytest.approx(c_a**m / (c_a**m + c_b**m))
    assert float(contest_probability(c_b, c_a, m)) == pytest.approx(1.0 - p)


def test_fearon_range_without_first_strike_advantage() -> None:
    """Fearon (1995): with p the same whoever strikes, the range is [p − c_A, p + c_B]."""
    bargain = BargainingRange(0.6, 0.6, 0.1, 0.2)
    assert (bargain.low, bargain.high) == pytest.approx((0.5, 0.8))
    assert not bargain.closed


@given(
    p_first=st.floats(0, 1), p_second=st.floats(0, 1), c_a=st.floats(0, 0.5), c_b=st.floats(0, 0.5)
)
def test_first_strike_advantage_closes_the_range_when_it_outweighs_the_costs(
    p_first: float, p_second: float, c_a: float, c_b: float
) -> None:
    """The range closes exactly when the first-strike gain p_first − p_second exceeds c_A + c_B."""
    bargain = BargainingRange(p_first, p_second, c_a, c_b)
    assert bargain.closed == (p_first - p_second > c_a + c_b)
    wider = BargainingRange(p_first, p_second, c_a + 0.1, c_b)
    assert wider.width >= bargain.width - 1e-12
