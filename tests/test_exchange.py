"""First strike and retaliation against closed forms (DOMAIN.md §3)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.engines.exchange import (
    best_split_expected,
    candidate_splits,
    counterforce_expected,
    counterforce_stochastic,
    damage_limiting_split,
    exchange_expected,
    exchange_stochastic,
    rounds_on_surviving_launchers,
    striker_objective,
    trials_of,
)
from tests.factories import defence, direction, offence, side


def intriligator_brito_retaliation(m_a: float, m_b: float, f_a: float, v_b: float) -> float:
    """Intriligator & Brito (1984, JCR 28(1)): B's retaliation after A's counterforce strike.

    A's M_A missiles destroy f_A·M_A of B's M_B; B fires the survivors, each doing v_B.
    """
    return v_b * max(0.0, m_b - f_a * m_a)


@given(
    m_a=st.integers(0, 80),
    m_b=st.integers(0, 80),
    f_a=st.floats(0.05, 1.0),
    v_b=st.floats(0.1, 5.0),
)
def test_no_defence_exchange_is_intriligator_brito(
    m_a: int, m_b: int, f_a: float, v_b: float
) -> None:
    """Without defences, one round per launcher and q = 1, retaliation is I-B's closed form."""
    a = side(offence([m_a], arrival=f_a, counterforce_kill=1.0), defence(), value=1e9)
    b = side(offence([m_b], damage=v_b, counterforce_kill=1.0), defence(), value=1e9)
    d = direction(a, b)
    outcome = exchange_expected(d, damage_limiting_split(d))
    assert outcome.retaliation_damage[0] == pytest.approx(
        intriligator_brito_retaliation(m_a, m_b, f_a, v_b), abs=1e-9
    )
    if m_b > 0:
        surviving = max(0.0, m_b - f_a * m_a) / m_b
        assert outcome.victim_surviving_share[0] == pytest.approx(surviving, abs=1e-12)


def test_even_spread_counterforce_hand_calculation() -> None:
    """25 arriving rounds on 10 launchers, q = 0.5: 5 launchers take 3 rounds, 5 take 2.

    Expected kills 5·(1 − 0.5³) + 5·(1 − 0.5²) = 8.125; the draws agree in the mean.
    """
    leakers = np.array([[[25.0]]])
    killed = counterforce_expected(leakers, np.array([0.5]), np.array([[10.0]]))
    assert killed[0, 0] == pytest.approx(8.125)
    trials = 40_000
    draws = counterforce_stochastic(
        np.random.default_rng(1),
        np.full((trials, 1, 1), 25, dtype=np.int64),
        np.array([0.5]),
        np.full((trials, 1), 10, dtype=np.int64),
    )
    assert draws.mean() == pytest.approx(8.125, abs=4 * draws.std() / math.sqrt(trials))
    assert (draws >= 0).all()
    assert (draws <= 10).all()


def test_mixed_counterforce_rounds_multiply_survival() -> None:
    """One launcher hit by one round with q = 0.9 and one with q = 0.1 survives with
    0.1 · 0.9 = 0.09: destroyed 0.91 (exact, not the mean-q approximation's 0.75)."""
    killed = counterforce_expected(
        np.array([[[1.0], [1.0]]]), np.array([0.9, 0.1]), np.array([[1.0]])
    )
    assert killed[0, 0] == pytest.approx(0.91)
    trials = 40_000
    draws = counterforce_stochastic(
        np.random.default_rng(2),
        np.ones((trials, 2, 1), dtype=np.int64),
        np.array([0.9, 0.1]),
        np.ones((trials, 1), dtype=np.int64),
    )
    assert draws.mean() == pytest.approx(0.91, abs=4 * math.sqrt(0.91 * 0.09 / trials))


@given(
    rounds=st.lists(st.floats(0, 100), min_size=2, max_size=3),
    kills=st.lists(st.floats(0, 1), min_size=3, max_size=3),
    launchers=st.floats(0.5, 60),
    element=st.integers(0, 2),
    fewer=st.floats(0, 1),
)
def test_fewer_counterforce_rounds_never_destroy_more(
    rounds: list[float], kills: list[float], launchers: float, element: int, fewer: float
) -> None:
    """Property: taking away arriving counterforce rounds of any element never raises losses."""
    count = len(rounds)
    element %= count
    leak = np.array(rounds, dtype=float).reshape(1, count, 1)
    less = leak.copy()
    less[0, element, 0] *= fewer
    kill = np.array(kills[:count])
    target = np.array([[launchers]])
    assert (
        counterforce_expected(less, kill, target)[0, 0]
        <= counterforce_expected(leak, kill, target)[0, 0] + 1e-9
    )


@dataclass(frozen=True)
class ExchangeCase:
    launchers: list[int]
    rounds: list[int]
    counterforce: list[float]
    kill: list[list[float]]
    stock: int
    channels: int
    more: int
    split: list[float]
    waves: int

    def outcome(self, stock: int) -> tuple[float, float, float]:
        """(damage to the victim, its launchers destroyed, its retaliation)."""
        a = side(
            offence(self.launchers, self.rounds, counterforce_kill=self.counterforce, damage=0.3),
            defence(),
        )
        b = side(offence([30], [60], damage=0.5), defence([stock], [self.channels], [1]))
        out = exchange_expected(
            direction(a, b, self.kill, waves=self.waves), np.array([self.split])
        )
        return (
            float(out.first_strike_damage[0]),
            float(out.victim_launchers_destroyed[0]),
            float(out.retaliation_damage[0]),
        )


@st.composite
def exchanges(draw: st.DrawFn) -> ExchangeCase:
    count = draw(st.integers(1, 3))
    return ExchangeCase(
        launchers=[draw(st.integers(1, 40)) for _ in range(count)],
        rounds=[draw(st.integers(1, 120)) for _ in range(count)],
        counterforce=[draw(st.floats(0, 1)) for _ in range(count)],
        kill=[[draw(st.floats(0.05, 1))] for _ in range(count)],
        stock=draw(st.integers(0, 100)),
        channels=draw(st.integers(0, 30)),
        more=draw(st.integers(1, 60)),
        split=[draw(st.floats(0, 1)) for _ in range(count)],
        waves=draw(st.integers(1, 3)),
    )


@given(exchanges())
def test_more_victim_interceptors_never_raise_its_losses(case: ExchangeCase) -> None:
    """Property: for a fixed strike, more interceptors for the victim never raise the damage
    it suffers or the launchers it loses, nor lower its retaliation."""
    base, better = case.outcome(case.stock), case.outcome(case.stock + case.more)
    assert better[0] <= base[0] + 1e-9
    assert better[1] <= base[1] + 1e-9
    assert better[2] >= base[2] - 1e-9


@given(n=st.floats(0, 200), launchers=st.floats(0.5, 100), q=st.floats(0, 1))
def test_counterforce_is_linear_until_every_launcher_is_aimed_at(
    n: float, launchers: float, q: float
) -> None:
    """While rounds do not outnumber launchers each removes q of them (I-B's linear f)."""
    killed = counterforce_expected(np.array([[[n]]]), np.array([q]), np.array([[launchers]]))[0, 0]
    assert 0.0 <= killed <= launchers + 1e-9
    if n <= launchers:
        assert killed == pytest.approx(q * n)


@given(
    rounds=st.integers(0, 200),
    launchers=st.integers(1, 60),
    data=st.data(),
)
def test_rounds_follow_their_launchers(rounds: int, launchers: int, data: st.DataObject) -> None:
    """Rounds are spread over launchers; none are created or lost, and with one round
    per launcher rounds and launchers survive together exactly."""
    surviving = data.draw(st.integers(0, launchers))
    trials = 2000
    left = rounds_on_surviving_launchers(
        np.random.default_rng(data.draw(st.integers(0, 2**31))),
        np.full(trials, rounds, dtype=np.int64),
        np.full(trials, launchers, dtype=np.int64),
        np.full(trials, surviving, dtype=np.int64),
    )
    per, extra = divmod(rounds, launchers)
    assert (left >= surviving * per).all()
    assert (left <= surviving * per + min(extra, surviving)).all()
    if rounds == launchers:
        assert (left == surviving).all()


def test_expected_value_is_the_mean_of_the_draws_in_the_linear_regime() -> None:
    """No defences, q = 1, fewer rounds than targets: the exchange is linear in the draws,
    so the stochastic mean must equal the expected-value form (4-sigma z-tests)."""
    a = side(
        offence([30], arrival=0.6, counterforce_kill=1.0, damage=0.7, reliability=0.9), defence()
    )
    b = side(offence([50], damage=1.3, arrival=0.8, counterforce_kill=1.0), defence())
    d = direction(a, b)
    split = damage_limiting_split(d)
    expected = exchange_expected(d, split)
    trials = 20_000
    batch = trials_of(d, trials)
    draws = exchange_stochastic(np.random.default_rng(7), batch, np.ones((trials, 1)))
    for name in ("retaliation_damage", "victim_surviving_share"):
        samples = getattr(draws, name)
        se = samples.std(ddof=1) / math.sqrt(trials)
        assert abs(samples.mean() - getattr(expected, name)[0]) < 4 * se + 1e-12, name


@given(
    a_launchers=st.lists(st.integers(1, 40), min_size=1, max_size=3),
    b_launchers=st.lists(st.integers(1, 40), min_size=1, max_size=2),
    kill=st.floats(0.0, 1.0),
    channels=st.integers(0, 30),
    levels=st.integers(2, 5),
)
def test_split_search_equals_enumeration(
    a_launchers: list[int], b_launchers: list[int], kill: float, channels: int, levels: int
) -> None:
    """The vectorised split search returns the best candidate found by a plain loop."""
    count = len(a_launchers)
    a = side(
        offence(a_launchers, [3 * n for n in a_launchers], counterforce_kill=0.6, damage=0.5),
        defence([60], [channels], [1]),
    )
    b = side(
        offence(b_launchers, counterforce_kill=0.4, damage=0.8), defence([60], [channels], [1])
    )
    d = direction(a, b, [[kill]] * count, [[kill]] * len(b_launchers), waves=2)
    choice = best_split_expected(d, levels=levels)
    candidates = candidate_splits(np.ones(count, dtype=bool), levels, 4096)
    values = [
        float(striker_objective(exchange_expected(d, c[np.newaxis, :]), d, 1.0, 1.0)[0])
        for c in candidates
    ]
    assert choice.objective[0] == pytest.approx(max(values), abs=1e-12)
    achieved = striker_objective(exchange_expected(d, choice.split), d, 1.0, 1.0)[0]
    assert achieved == pytest.approx(max(values), abs=1e-12)


def test_damage_limiting_strike_leaves_least_to_retaliate_with() -> None:
    """The all-counterforce strike minimises the victim's retaliation over every candidate split."""
    a = side(
        offence([20, 30], [60, 30], counterforce_kill=[0.5, 0.3], damage=[0.4, 0.2]),
        defence([40], [10], [1]),
    )
    b = side(
        offence([25], [50], counterforce_kill=0.5, damage=0.9), defence([30], [8], [2], [True])
    )
    d = direction(a, b, [[0.5], [0.7]], [[0.6]], waves=3)
    limited = exchange_expected(d, damage_limiting_split(d)).retaliation_damage[0]
    for candidate in candidate_splits(np.ones(2, dtype=bool), 6, 4096):
        other = exchange_expected(d, candidate[np.newaxis, :]).retaliation_damage[0]
        assert limited <= other + 1e-9
