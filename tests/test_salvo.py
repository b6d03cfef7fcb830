"""The layered salvo model against closed forms and its invariants (DOMAIN.md §2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.engines.exchange import (
    exchange_expected,
    strike_expected,
    strike_stochastic,
)
from equipoise.engines.salvo import (
    DefenceLayers,
    expected_shots_per_engagement,
    salvo_expected,
    salvo_stochastic,
)
from tests.factories import defence, direction, no_offence, offence, side


def hughes_delta_b(alpha: int, a: int, beta: float, b: int, w: float) -> float:
    """Hughes (1995, Naval Research Logistics 42, eq. 1): ΔB = (α·A − β·B)/w, clipped to [0, B]."""
    return min(float(b), max(0.0, (alpha * a - beta * b) / w))


@given(
    alpha=st.integers(1, 6),
    a=st.integers(0, 60),
    beta=st.integers(0, 6),
    b=st.integers(1, 60),
    w=st.floats(0.5, 4.0),
)
def test_hughes_salvo_equation_is_the_special_case(
    alpha: int, a: int, beta: int, b: int, w: float
) -> None:
    """One layer, kill probability 1, one shot per threat, β·B channels: Hughes' equation."""
    striker = side(offence([a], [alpha * a], damage=1.0 / w, rounds_per_wave=alpha), defence())
    victim = side(no_offence(), defence([1e9], [beta * b], [1]), value=float(b))
    outcome = exchange_expected(direction(striker, victim, [[1.0]]), np.zeros((1, 1)))
    assert outcome.first_strike_damage[0] == pytest.approx(hughes_delta_b(alpha, a, beta, b, w))


def test_hughes_worked_numbers() -> None:
    """A=10 ships firing α=3 at B=4 ships defeating β=2 each, w=2 hits per ship: ΔB=4 (all)."""
    assert hughes_delta_b(3, 10, 2, 4, 2.0) == 4.0
    striker = side(offence([10], [30], damage=0.5, rounds_per_wave=3), defence())
    victim = side(no_offence(), defence([1e9], [8], [1]), value=4.0)
    outcome = exchange_expected(direction(striker, victim, [[1.0]]), np.zeros((1, 1)))
    assert outcome.first_strike_damage[0] == 4.0


@given(
    n=st.integers(0, 500),
    reliability=st.floats(0, 1),
    arrival=st.floats(0, 1),
    ew=st.floats(0, 1),
    guided=st.booleans(),
)
def test_zero_defence_lets_through_reliability_times_arrival(
    n: int, reliability: float, arrival: float, ew: float, guided: bool
) -> None:
    """DOMAIN.md §2: with no defence, expected leakers are reliability × arrival × N."""
    attack = offence([n], reliability=reliability, arrival=arrival, guided=guided)
    outcome = strike_expected(attack, defence(ew=ew), np.zeros((1, 0)), np.ones((1, 1, 1)), 1)
    factor = ew if guided else 1.0
    assert outcome.leakers.sum() == pytest.approx(reliability * arrival * factor * n)


def test_saturation_is_visible() -> None:
    """Below the channels every extra threat is engaged; beyond them every extra one leaks."""
    leak = []
    for n in range(0, 41):
        layers = DefenceLayers(
            np.array([[20.0]]), np.array([1]), np.array([False]), np.array([[0.9]])
        )
        leak.append(salvo_expected(np.array([[float(n)]]), layers, np.array([[1e6]])).leakers[0, 0])
    slopes = np.diff(leak)
    assert np.allclose(slopes[:20], 0.1)
    assert np.allclose(slopes[20:], 1.0)


def test_shoot_look_shoot_shots_closed_form() -> None:
    """Shoot-look-shoot fires sum_{j<s} (1-p)^j interceptors per engagement; shoot-shoot fires s."""
    p = np.array([[0.6, 0.6]])
    shots = np.array([3, 3])
    used = expected_shots_per_engagement(p, shots, np.array([True, False]))
    assert used[0, 0] == pytest.approx(1 + 0.4 + 0.16)
    assert used[0, 1] == 3.0


def _random_layers(draw: st.DrawFn, streams: int) -> tuple[DefenceLayers, np.ndarray]:
    layers = draw(st.integers(1, 3))
    kill = np.array(
        [
            [draw(st.sampled_from([0.0, 0.3, 0.6, 0.9, 1.0])) for _ in range(layers)]
            for _ in range(streams)
        ]
    )
    channels = np.array([[draw(st.integers(0, 40)) for _ in range(layers)]], dtype=float)
    shots = np.array([draw(st.integers(1, 3)) for _ in range(layers)])
    look = np.array([draw(st.booleans()) for _ in range(layers)])
    stock = np.array([[draw(st.integers(0, 120)) for _ in range(layers)]], dtype=float)
    return DefenceLayers(channels, shots, look, kill), stock


@st.composite
def strike_cases(draw: st.DrawFn) -> dict[str, object]:
    elements = draw(st.integers(1, 3))
    launchers = [draw(st.integers(0, 40)) for _ in range(elements)]
    rounds = [draw(st.integers(0, 120)) for _ in range(elements)]
    layers, stock = _random_layers(draw, elements)
    return {
        "attack": offence(
            launchers,
            rounds,
            reliability=[draw(st.floats(0.5, 1)) for _ in range(elements)],
            damage=[draw(st.floats(0, 2)) for _ in range(elements)],
            rounds_per_wave=[draw(st.integers(1, 3)) for _ in range(elements)],
        ),
        "layers": layers,
        "stock": stock,
        "waves": draw(st.integers(1, 4)),
        "layer": draw(st.integers(0, layers.count - 1)),
        "more": draw(st.floats(0.5, 50)),
    }


def _leak_and_damage(
    case: dict[str, object], layers: DefenceLayers, stock: np.ndarray
) -> tuple[float, float]:
    attack = case["attack"]
    assert isinstance(attack, type(offence([1])))
    protect = defence(
        stock[0], layers.channels[0], layers.shots_per_threat, layers.shoot_look_shoot
    )
    waves = case["waves"]
    assert isinstance(waves, int)
    out = strike_expected(
        attack, protect, layers.kill_probability, np.ones((1, attack.elements, 1)), waves
    )
    leak = out.leakers[0, :, 0]
    return float(leak.sum()), float((leak * attack.damage).sum())


@given(strike_cases())
def test_more_interceptors_never_let_more_through(case: dict[str, object]) -> None:
    """Property (DOMAIN.md §2): adding interceptors to any layer never raises leakers or damage."""
    layers, stock = case["layers"], case["stock"]
    assert isinstance(layers, DefenceLayers)
    assert isinstance(stock, np.ndarray)
    more_stock = stock.copy()
    more_stock[0, case["layer"]] += case["more"]
    base = _leak_and_damage(case, layers, stock)
    more = _leak_and_damage(case, layers, more_stock)
    assert more[0] <= base[0] + 1e-9
    assert more[1] <= base[1] + 1e-9


@given(strike_cases())
def test_higher_kill_probability_never_lets_more_through(case: dict[str, object]) -> None:
    """Property: a layer killing better what it already engages never lets more through.

    (A layer that *starts* engaging a class, 0 -> p > 0, can divert channels to it:
    see test_engaging_a_new_class_can_divert_channels.)
    """
    layers, stock = case["layers"], case["stock"]
    assert isinstance(layers, DefenceLayers)
    assert isinstance(stock, np.ndarray)
    better = layers.kill_probability.copy()
    column = case["layer"]
    assert isinstance(column, int)
    current = better[:, column]
    better[:, column] = np.where(current > 0, np.minimum(1.0, current + 0.25), 0.0)
    improved = DefenceLayers(
        layers.channels, layers.shots_per_threat, layers.shoot_look_shoot, better
    )
    base = _leak_and_damage(case, layers, stock)
    more = _leak_and_damage(case, improved, stock)
    assert more[0] <= base[0] + 1e-9
    assert more[1] <= base[1] + 1e-9


@given(strike_cases())
def test_more_channels_never_let_more_through_in_one_wave(case: dict[str, object]) -> None:
    """Property: within one wave, more engagement channels never raise leakers or damage."""
    layers, stock = case["layers"], case["stock"]
    assert isinstance(layers, DefenceLayers)
    assert isinstance(stock, np.ndarray)
    wider = layers.channels.copy()
    wider[0, case["layer"]] += case["more"]
    widened = DefenceLayers(
        wider, layers.shots_per_threat, layers.shoot_look_shoot, layers.kill_probability
    )
    one_wave = {**case, "waves": 1}
    base = _leak_and_damage(one_wave, layers, stock)
    more = _leak_and_damage(one_wave, widened, stock)
    assert more[0] <= base[0] + 1e-9
    assert more[1] <= base[1] + 1e-9


def test_more_channels_can_spend_interceptors_on_cheap_threats_across_waves() -> None:
    """Not a bug: random engagement lets a wide defence spend its stock on wave-1 drones.

    30 drones (little damage) all launch in wave 1 beside 5 missiles; 5 more missiles
    follow in wave 2. With 10 interceptors and 5 channels, half the stock is left for
    wave 2; with 10 channels wave 1 takes it all and wave 2's missiles all leak.
    Hand calculation: damage 5.14 with 5 channels, 8.97 with 10. The engagement
    doctrine (random among arrivals) is documented in docs/model.md.
    """
    attack = offence([30, 5], [30, 10], damage=[0.01, 1.0])
    kill = np.array([[0.5], [0.9]])

    def damage(channels: float) -> float:
        out = strike_expected(attack, defence([10], [channels], [1]), kill, np.ones((1, 2, 1)), 2)
        return float((out.leakers[0, :, 0] * attack.damage).sum())

    narrow = 30 * 0.01 - (5 * 30 / 35) * 0.5 * 0.01 + (5 - 5 * 5 / 35 * 0.9) + 5 * 0.1
    wide = 30 * 0.01 - (10 * 30 / 35) * 0.5 * 0.01 + (5 - 10 * 5 / 35 * 0.9) + 5
    assert damage(5) == pytest.approx(narrow)
    assert damage(10) == pytest.approx(wide)
    assert damage(10) > damage(5)


def test_engaging_a_new_class_can_divert_channels() -> None:
    """Decoy saturation: once a layer can shoot at drones it spends channels on them.

    One channel, one drone and one missile arriving. A layer that ignores drones
    kills the missile with 0.6; one that engages both at random kills
    0.5 * 0.25 + 0.5 * 0.6 in expectation, so more threats leak in all.
    """
    arriving = np.array([[1.0, 1.0]])
    blind = DefenceLayers(
        np.array([[1.0]]), np.array([1]), np.array([False]), np.array([[0.0], [0.6]])
    )
    sighted = DefenceLayers(
        np.array([[1.0]]), np.array([1]), np.array([False]), np.array([[0.25], [0.6]])
    )
    stock = np.array([[10.0]])
    assert salvo_expected(arriving, blind, stock).leakers.sum() == pytest.approx(2 - 0.6)
    assert salvo_expected(arriving, sighted, stock).leakers.sum() == pytest.approx(
        2 - 0.5 * 0.25 - 0.5 * 0.6
    )


def test_expected_value_equals_stochastic_mean_without_saturation() -> None:
    """Without saturation the model is linear, so the mean of the draws equals the closed form.

    Two layers, channels and stocks above any possible arrival count; z-test at 4 sigma.
    """
    trials = 40_000
    layers = DefenceLayers(
        np.full((trials, 2), 100.0),
        np.array([2, 1]),
        np.array([True, False]),
        np.array([[0.5, 0.7], [0.3, 0.0]]),
    )
    rng = np.random.default_rng(11)
    arriving = np.column_stack([rng.binomial(40, 0.8, trials), rng.binomial(30, 0.9, trials)])
    draws = salvo_stochastic(rng, arriving, layers, np.full((trials, 2), 1000))
    single = DefenceLayers(
        np.array([[100.0, 100.0]]),
        layers.shots_per_threat,
        layers.shoot_look_shoot,
        layers.kill_probability,
    )
    expected = salvo_expected(
        np.array([[40 * 0.8, 30 * 0.9]]), single, np.array([[1000.0, 1000.0]])
    )
    for stream in range(2):
        samples = draws.leakers[:, stream]
        standard_error = samples.std(ddof=1) / math.sqrt(trials)
        assert abs(samples.mean() - expected.leakers[0, stream]) < 4 * standard_error


def test_stochastic_leakers_follow_the_binomial_law() -> None:
    """One unsaturated layer: leakers ~ Binomial(N, (1-p)^s) exactly (mean and variance)."""
    trials, n, p, s = 50_000, 25, 0.7, 2
    layers = DefenceLayers(
        np.full((trials, 1), 50.0), np.array([s]), np.array([False]), np.array([[p]])
    )
    draws = salvo_stochastic(
        np.random.default_rng(3), np.full((trials, 1), n), layers, np.full((trials, 1), 500)
    )
    q = (1 - p) ** s
    samples = draws.leakers[:, 0]
    assert samples.mean() == pytest.approx(n * q, abs=4 * math.sqrt(n * q * (1 - q) / trials))
    assert samples.var(ddof=1) == pytest.approx(n * q * (1 - q), rel=0.05)


def test_jensen_gap_under_saturation() -> None:
    """Saturated: E[min(X, C)] <= min(E[X], C), so the draws leak at least the mean-field amount."""
    trials = 40_000
    layers = DefenceLayers(
        np.full((trials, 1), 20.0), np.array([1]), np.array([False]), np.array([[0.9]])
    )
    rng = np.random.default_rng(5)
    arriving = rng.binomial(40, 0.5, (trials, 1))
    draws = salvo_stochastic(rng, arriving, layers, np.full((trials, 1), 1000))
    single = DefenceLayers(np.array([[20.0]]), np.array([1]), np.array([False]), np.array([[0.9]]))
    expected = salvo_expected(np.array([[20.0]]), single, np.array([[1000.0]]))
    standard_error = draws.leakers.std(ddof=1) / math.sqrt(trials)
    assert draws.leakers.mean() >= expected.leakers[0, 0] - 4 * standard_error
    assert draws.leakers.mean() > expected.leakers[0, 0] + 4 * standard_error


@given(strike_cases(), st.integers(0, 2**32 - 1))
def test_stochastic_strike_conserves_rounds_and_stocks(case: dict[str, object], seed: int) -> None:
    """Every launched round ends as leaker, kill or failure; counts and stocks stay non-negative."""
    attack, layers, stock, waves = case["attack"], case["layers"], case["stock"], case["waves"]
    assert isinstance(layers, DefenceLayers)
    assert isinstance(stock, np.ndarray)
    assert isinstance(waves, int)
    assert isinstance(attack, type(offence([1])))
    trials = 64
    tiled = type(attack)(
        launchers=np.repeat(attack.launchers, trials, 0).astype(np.int64),
        rounds=np.repeat(attack.rounds, trials, 0).astype(np.int64),
        rounds_per_launcher_per_wave=attack.rounds_per_launcher_per_wave,
        reliability=np.ones_like(attack.reliability),
        arrival=np.ones_like(attack.arrival),
        guided=attack.guided,
        damage=attack.damage,
        counterforce_kill=attack.counterforce_kill,
        targetable=attack.targetable,
    )
    protect = defence(
        stock[0], layers.channels[0], layers.shots_per_threat, layers.shoot_look_shoot
    )
    protect = type(protect)(
        interceptors=np.repeat(protect.interceptors, trials, 0).astype(np.int64),
        channels=np.repeat(protect.channels, trials, 0).astype(np.int64),
        shots_per_threat=protect.shots_per_threat,
        shoot_look_shoot=protect.shoot_look_shoot,
        guided_arrival_factor=np.ones(trials),
    )
    out = strike_stochastic(
        np.random.default_rng(seed),
        tiled,
        protect,
        layers.kill_probability,
        np.ones((trials, attack.elements, 1)),
        waves,
    )
    assert (out.leakers >= 0).all()
    assert (out.intercepted_by_layer >= 0).all()
    # reliability and arrival are 1: every launched round is either intercepted or leaks
    assert np.array_equal(
        out.launched.sum(axis=1),
        out.leakers.sum(axis=(1, 2)) + out.intercepted_by_layer.sum(axis=1),
    )
    assert (out.launched <= tiled.rounds).all()
