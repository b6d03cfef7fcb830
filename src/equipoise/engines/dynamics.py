"""Balance of power and dynamics over time: contest functions, bargaining ranges,
Richardson arms races and Lanchester attrition (docs/model.md §6-7).

Pure functions on arrays, vectorised over a leading batch axis where it matters
(many parameter sets at once).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from equipoise.engines.types import Array, FloatArray, Numeric


def contest_probability(
    capability_a: Numeric, capability_b: Numeric, exponent: float = 1.0
) -> FloatArray:
    """Probability that A prevails: C_A^m / (C_A^m + C_B^m) (0.5 when both are zero).

    With m = 1 this is the capability-share model of the balance-of-power literature;
    larger m makes a given advantage more decisive.
    """
    a = np.asarray(capability_a, dtype=float) ** exponent
    b = np.asarray(capability_b, dtype=float) ** exponent
    total = a + b
    return np.asarray(np.where(total > 0, a / np.where(total > 0, total, 1.0), 0.5), dtype=float)


@dataclass(frozen=True)
class BargainingRange:
    """Fearon's (1995) bargaining range, in A's share of the disputed good.

    A prefers war to any deal below ``low`` (its expected value of striking first);
    B prefers war to any deal above ``high``. With ``p_first > p_second`` (a
    first-strike advantage) the range shrinks; it closes when ``low > high``. The
    probabilities may be arrays (a batch of variants); bounds are clipped to [0, 1]
    and ``width`` is the clipped ``high - low`` (negative when closed).
    """

    p_first: Numeric
    p_second: Numeric
    cost_a: float
    cost_b: float

    @property
    def low(self) -> FloatArray:
        return np.maximum(0.0, np.asarray(self.p_first, dtype=float) - self.cost_a)

    @property
    def high(self) -> FloatArray:
        return np.minimum(1.0, np.asarray(self.p_second, dtype=float) + self.cost_b)

    @property
    def width(self) -> FloatArray:
        return np.asarray(self.high - self.low, dtype=float)

    @property
    def closed(self) -> Array:
        first = np.asarray(self.p_first, dtype=float) - self.cost_a
        return np.asarray(first > np.asarray(self.p_second, dtype=float) + self.cost_b)


def destruction_share(dealt_share: Numeric, suffered_share: Numeric) -> FloatArray:
    """A's probability of prevailing read off an exchange: its share of the destruction.

    ``dealt_share`` is the damage A inflicts as a share of B's value at risk,
    ``suffered_share`` the reverse; 0.5 when neither side can hurt the other.
    """
    dealt = np.asarray(dealt_share, dtype=float)
    suffered = np.asarray(suffered_share, dtype=float)
    total = dealt + suffered
    return np.asarray(
        np.where(total > 0, dealt / np.where(total > 0, total, 1.0), 0.5), dtype=float
    )


# --- Richardson arms race ---------------------------------------------------------


@dataclass(frozen=True)
class RichardsonCoefficients:
    """dx/dt = k·y − a·x + g, dy/dt = l·x − b·y + h (Richardson 1960), batched arrays."""

    k: Numeric
    l: Numeric
    a: Numeric
    b: Numeric
    g: Numeric
    h: Numeric

    def matrix(self) -> FloatArray:
        """(batch, 2, 2) system matrix [[−a, k], [l, −b]]."""
        k, l, a, b = (
            np.atleast_1d(np.asarray(v, dtype=float)) for v in (self.k, self.l, self.a, self.b)
        )
        k, l, a, b = np.broadcast_arrays(k, l, a, b)
        return np.stack([np.stack([-a, k], -1), np.stack([l, -b], -1)], -2)

    def constants(self) -> FloatArray:
        g, h = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (self.g, self.h))
        g, h = np.broadcast_arrays(g, h)
        return np.stack([g, h], -1)


def richardson_equilibrium(c: RichardsonCoefficients) -> tuple[FloatArray, FloatArray]:
    """x* = (b·g + k·h)/(a·b − k·l), y* = (a·h + l·g)/(a·b − k·l); NaN when a·b = k·l."""
    k, l, a, b, g, h = (np.asarray(v, dtype=float) for v in (c.k, c.l, c.a, c.b, c.g, c.h))
    det = a * b - k * l
    safe = np.where(det != 0, det, np.nan)
    return (b * g + k * h) / safe, (a * h + l * g) / safe


def richardson_stable(c: RichardsonCoefficients) -> Array:
    """Whether the equilibrium attracts: trace < 0 and det > 0, i.e. a + b > 0 and a·b > k·l."""
    k, l, a, b = (np.asarray(v, dtype=float) for v in (c.k, c.l, c.a, c.b))
    return np.asarray((a + b > 0) & (a * b > k * l))


def richardson_eigenvalues(c: RichardsonCoefficients) -> Array:
    """Eigenvalues of the system matrix, (batch, 2) complex."""
    return np.linalg.eigvals(c.matrix())


def _one_year_maps(matrix: FloatArray, dt: float) -> tuple[FloatArray, FloatArray]:
    """Φ = e^{M dt} and Γ = ∫_0^dt e^{M s} ds for a batch of 2×2 system matrices, in
    closed form (:func:`_two_by_two_maps`; the exponential of [[M, I], [0, 0]])."""
    return _two_by_two_maps(np.asarray(matrix, dtype=float), dt)


_NEAR = 0.5
"""|q·dt| below which :func:`_two_by_two_maps` uses its series (close eigenvalues)."""

_SERIES = 12
"""Terms of the even series in w² = (q·dt)²: below 1e-30 at |w| < 1/2."""

_MOMENT_TERMS = 24
"""Terms of ∫_0^1 v^m e^{xv} dv = Σ_n x^n / (n! (m + n + 1)) at |x| < 1."""

_FACTORIALS = np.cumprod(np.r_[1.0, np.arange(1.0, 2 * _SERIES + 1)])
"""k! for k = 0 … 2·_SERIES."""


def _expm1_complex(z: Array) -> Array:
    """e^z − 1 accurate near z = 0 for complex z: expm1(x) cos y − 2 sin²(y/2) + i e^x sin y."""
    x, y = z.real, z.imag
    real = np.expm1(x) * np.cos(y) - 2.0 * np.sin(0.5 * y) ** 2
    return np.asarray(real + 1j * (np.exp(x) * np.sin(y)))


def _two_by_two_maps(matrix: FloatArray, dt: float) -> tuple[FloatArray, FloatArray]:
    """Φ = e^{M dt} and Γ = ∫_0^dt e^{M u} du for a batch of 2×2 matrices, in closed form.

    With s = tr M / 2, N = M − sI and q² = s² − det M, N² = q² I (Cayley–Hamilton), so
    e^{Mu} = e^{su} [cosh(qu) I + sinh(qu)/q N] and Φ = c I + σ N, Γ = A I + B N with
    scalars (Moler and Van Loan 2003, "Nineteen dubious ways to compute the exponential
    of a matrix", SIAM Review 45(1); Higham 2008, *Functions of Matrices*, §1.2):

    - eigenvalues λ± = s ± q apart (|q dt| ≥ 1/2): f(M) = ½(f(λ+) + f(λ−)) I +
      f[λ+, λ−] N, the divided difference, with f = exp(· dt) and f(z) = (e^{z dt} − 1)/z
      (which is dt at z = 0, so a singular M is no special case);
    - eigenvalues close or equal (the defective case): cosh(w) and sinh(w)/w as even
      series in w² = q² dt², and Γ from M Γ = Φ − I where |s dt| ≥ 1 (then
      |det M| dt² ≥ 3/4), else from ∫_0^1 v^m e^{xv} dv = Σ_n x^n / (n! (m + n + 1)).
    """
    t = float(dt)
    m00, m01, m10, m11 = matrix[:, 0, 0], matrix[:, 0, 1], matrix[:, 1, 0], matrix[:, 1, 1]
    s = 0.5 * (m00 + m11)
    half_gap = 0.5 * (m00 - m11)
    q2 = half_gap * half_gap + m01 * m10  # s² − det M without the cancellation
    det = m00 * m11 - m01 * m10
    x, w2 = s * t, q2 * t * t
    near = np.abs(w2) < _NEAR**2
    c, sigma, a, b = (np.empty_like(s) for _ in range(4))
    far = ~near
    with np.errstate(all="ignore"):
        # eigenvalues apart: divided differences over λ± = s ± q
        q = np.sqrt(q2[far].astype(complex))
        plus, minus = s[far] + q, s[far] - q
        e_plus, e_minus = np.exp(plus * t), np.exp(minus * t)
        c[far] = (0.5 * (e_plus + e_minus)).real
        sigma[far] = ((e_plus - e_minus) / (2.0 * q)).real
        f_plus = np.where(plus == 0, t, _expm1_complex(plus * t) / plus)
        f_minus = np.where(minus == 0, t, _expm1_complex(minus * t) / minus)
        a[far] = (0.5 * (f_plus + f_minus)).real
        b[far] = ((f_plus - f_minus) / (2.0 * q)).real
    # eigenvalues close or equal: even series in w²
    j = np.arange(_SERIES)
    even, odd = 1.0 / _FACTORIALS[2 * j], 1.0 / _FACTORIALS[2 * j + 1]
    powers = w2[near][:, None] ** j
    grow = np.exp(x[near])
    c[near] = grow * (powers @ even)
    sigma[near] = grow * (powers @ odd) * t
    linear = near & (np.abs(x) >= 1.0)
    flat = near & ~linear
    linear_among_near = linear[near]
    with np.errstate(all="ignore"):
        b_linear = (s[linear] * sigma[linear] - c[linear] + 1.0) / det[linear]
    b[linear] = b_linear
    a[linear] = sigma[linear] - s[linear] * b_linear
    n = np.arange(_MOMENT_TERMS)
    x_powers = x[flat][:, None] ** n / _FACTORIALS[n]
    orders = np.arange(2 * _SERIES)
    moments = np.einsum("bn,nm->bm", x_powers, 1.0 / (orders[None, :] + n[:, None] + 1.0))
    flat_powers = powers[~linear_among_near]
    a[flat] = t * (flat_powers * moments[:, 0::2]) @ even
    b[flat] = t * t * (flat_powers * moments[:, 1::2]) @ odd
    identity = np.eye(2)
    shifted = matrix - s[:, None, None] * identity
    phi = c[:, None, None] * identity + sigma[:, None, None] * shifted
    gamma = a[:, None, None] * identity + b[:, None, None] * shifted
    return phi, gamma


def simulate_richardson(
    c: RichardsonCoefficients,
    x0: Numeric,
    y0: Numeric,
    years: int,
    inputs: Numeric | None = None,
    steps_per_year: int = 1,
) -> FloatArray:
    """Trajectories (batch, years·steps + 1, 2), exact for inputs constant within a year.

    ``inputs`` is (batch or 1, years, 2): extra flows into x and y in each year
    (supplier deliveries, budget transfers), spread evenly over the year. The linear
    system is advanced with its matrix exponential, so there is no integration error.
    """
    matrix = c.matrix()
    batch = matrix.shape[0]
    constants = np.broadcast_to(c.constants(), (batch, 2))
    flows = (
        np.zeros((batch, years, 2))
        if inputs is None
        else np.broadcast_to(np.asarray(inputs, dtype=float), (batch, years, 2))
    )
    phi, gamma = _one_year_maps(matrix, 1.0 / steps_per_year)
    state = np.stack(np.broadcast_arrays(np.atleast_1d(x0), np.atleast_1d(y0)), -1).astype(float)
    state = np.broadcast_to(state, (batch, 2)).copy()
    out = np.empty((batch, years * steps_per_year + 1, 2))
    out[:, 0] = state
    for year in range(years):
        forcing = constants + flows[:, year]
        for step in range(steps_per_year):
            state = np.einsum("bij,bj->bi", phi, state) + np.einsum("bij,bj->bi", gamma, forcing)
            out[:, year * steps_per_year + step + 1] = state
    return out


def _expm_small(matrix: FloatArray) -> FloatArray:
    """e^M of a small matrix by scaling and squaring with a 18-term Taylor series:
    the error is below 1e-15 once ||M / 2^s|| <= 1/2, and it is far cheaper than
    scipy's expm for the thousands of 4x4 exponentials of a least-squares fit."""
    norm = float(np.abs(matrix).sum(axis=1).max())
    if not np.isfinite(norm):
        return np.full_like(matrix, np.nan)
    squarings = max(0, int(np.ceil(np.log2(norm / 0.5)))) if norm > 0.5 else 0
    squarings = min(squarings, 1100)
    scaled = matrix / 2.0**squarings
    term = np.eye(len(matrix))
    total = term.copy()
    for order in range(1, 19):
        term = term @ scaled / order
        total = total + term
    with np.errstate(all="ignore"):
        for _ in range(squarings):
            total = total @ total
    return total


def richardson_windows(c: RichardsonCoefficients, starts: Numeric, inputs: Numeric) -> FloatArray:
    """Many short trajectories of one system at once: (windows, steps, 2) levels.

    Window ``w`` starts at ``starts[w]`` (windows, 2) and is advanced one year per
    step with the yearly inputs ``inputs[w]`` (windows, steps, 2), exactly as in
    :func:`simulate_richardson`; the loop runs over the steps of a window only, so
    fitting a long series costs a few short loops over arrays (multiple shooting).
    """
    matrix = c.matrix()[0]
    augmented = np.zeros((4, 4))
    augmented[:2, :2] = matrix
    augmented[:2, 2:] = np.eye(2)
    exponential = _expm_small(augmented)
    phi, gamma = exponential[np.newaxis, :2, :2], exponential[np.newaxis, :2, 2:]
    flows = np.asarray(inputs, dtype=float)
    forcing = (c.constants()[:1] + flows) @ gamma[0].T
    state = np.array(starts, dtype=float).reshape(-1, 2)
    out = np.empty(flows.shape)
    for step in range(flows.shape[1]):
        state = state @ phi[0].T + forcing[:, step]
        out[:, step] = state
    return out


# --- Lanchester attrition ---------------------------------------------------------


def simulate_lanchester(
    a0: Numeric,
    b0: Numeric,
    alpha: Numeric,
    beta: Numeric,
    days: int,
    *,
    law: str = "square",
    reinforce_a: Numeric | None = None,
    reinforce_b: Numeric | None = None,
    steps_per_day: int = 50,
) -> FloatArray:
    """Force sizes at the end of each day, (batch, days + 1, 2); column 0 is A.

    Square law (aimed fire): dA/dt = −β·B + P_A(t), dB/dt = −α·A + P_B(t).
    Linear law (unaimed fire): dA/dt = −β·A·B + P_A(t), dB/dt = −α·A·B + P_B(t).
    α is A's effectiveness against B, β B's against A (Lanchester 1916).
    Reinforcements arrive at a constant rate during the day they are listed for
    (``reinforce_*`` is (batch or 1, days) troops per day). Fourth-order Runge–Kutta
    with steps aligned to days; a force that reaches zero stays at zero.
    """
    if law not in ("square", "linear"):
        raise ValueError(f"unknown law {law!r}")
    alpha_, beta_ = np.atleast_1d(np.asarray(alpha, float)), np.atleast_1d(np.asarray(beta, float))
    start = np.stack(
        np.broadcast_arrays(
            np.atleast_1d(np.asarray(a0, float)), np.atleast_1d(np.asarray(b0, float))
        ),
        -1,
    )
    batch = max(start.shape[0], alpha_.shape[0], beta_.shape[0])
    alpha_, beta_ = np.broadcast_to(alpha_, (batch,)), np.broadcast_to(beta_, (batch,))
    state = np.broadcast_to(start, (batch, 2)).copy()
    rates = np.zeros((batch, days, 2))
    if reinforce_a is not None:
        rates[:, :, 0] = np.broadcast_to(np.asarray(reinforce_a, float), (batch, days))
    if reinforce_b is not None:
        rates[:, :, 1] = np.broadcast_to(np.asarray(reinforce_b, float), (batch, days))
    linear = law == "linear"

    def derivative(z: FloatArray, rate: FloatArray) -> FloatArray:
        a, b = np.maximum(z[:, 0], 0.0), np.maximum(z[:, 1], 0.0)
        if linear:
            losses = np.stack([beta_ * a * b, alpha_ * a * b], -1)
        else:
            losses = np.stack([beta_ * b, alpha_ * a], -1)
        return np.asarray(rate - losses, dtype=float)

    h = 1.0 / steps_per_day
    out = np.empty((batch, days + 1, 2))
    out[:, 0] = state
    for day in range(days):
        rate = rates[:, day]
        for _ in range(steps_per_day):
            k1 = derivative(state, rate)
            k2 = derivative(state + 0.5 * h * k1, rate)
            k3 = derivative(state + 0.5 * h * k2, rate)
            k4 = derivative(state + h * k3, rate)
            state = np.maximum(state + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4), 0.0)
        out[:, day + 1] = state
    return out


def square_law_invariant(a: Numeric, b: Numeric, alpha: float, beta: float) -> FloatArray:
    """α·A² − β·B², constant along square-law trajectories without reinforcements."""
    return np.asarray(
        alpha * np.asarray(a, float) ** 2 - beta * np.asarray(b, float) ** 2, dtype=float
    )
