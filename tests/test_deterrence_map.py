"""Deterrence maps: Intriligator–Brito's closed-form lines when defences are removed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise import AxisSpec, deterrence_map, load_scenario
from equipoise.analysis.mapping import axis_values
from equipoise.errors import InputError
from tests.factories import missile_duel


def ib_a_deterred(
    m_a: np.ndarray, m_b: np.ndarray, f_a: float, v_b: float, u_a: float
) -> np.ndarray:
    """Intriligator & Brito (1984, JCR 28(1)): A is deterred when v_B·(M_B − f_A·M_A) ≥ C̄_A,
    i.e. above the line M_B = C̄_A / v_B + f_A·M_A."""
    return v_b * np.maximum(0.0, m_b - f_a * m_a) >= u_a


@given(
    f_a=st.floats(0.1, 1.0),
    f_b=st.floats(0.1, 1.0),
    v_a=st.floats(0.5, 4.0),
    v_b=st.floats(0.5, 4.0),
    u_a=st.floats(1.0, 60.0),
    u_b=st.floats(1.0, 60.0),
)
def test_regions_match_intriligator_brito_lines(
    f_a: float, f_b: float, v_a: float, v_b: float, u_a: float, u_b: float
) -> None:
    """Every cell's status equals the closed form (cells within 1e-9 of a line are skipped)."""
    scenario = load_scenario(missile_duel(f_a, f_b, v_a, v_b, u_a, u_b))
    xs = np.linspace(0, 120, 49)
    ys = np.linspace(0, 120, 49)
    result = deterrence_map(
        scenario,
        "A",
        "B",
        AxisSpec("A", "missile-a", xs),
        AxisSpec("B", "missile-b", ys),
        first_strike_advantage=False,
    )
    m_a, m_b = np.meshgrid(xs, ys)
    a_expected = ib_a_deterred(m_a, m_b, f_a, v_b, u_a)
    b_expected = ib_a_deterred(m_b, m_a, f_b, v_a, u_b)
    clear_a = np.abs(v_b * np.maximum(0, m_b - f_a * m_a) - u_a) > 1e-9
    clear_b = np.abs(v_a * np.maximum(0, m_a - f_b * m_b) - u_b) > 1e-9
    assert np.array_equal(result.a_deterred[clear_a], a_expected[clear_a])
    assert np.array_equal(result.b_deterred[clear_b], b_expected[clear_b])


def test_boundary_is_the_straight_line() -> None:
    """With f_A = 0.5, v_B = 2, C̄_A = 20 the A-deterred boundary is M_B = 10 + 0.5·M_A:
    just above it A is deterred, just below it is not."""
    scenario = load_scenario(missile_duel(0.5, 0.5, 2.0, 2.0, 20.0, 20.0))
    xs = np.array([0.0, 20.0, 40.0, 80.0])
    line = 10 + 0.5 * xs
    for offset, deterred in ((1e-6, True), (-1e-6, False)):
        for x, y in zip(xs, line + offset, strict=True):
            cell = deterrence_map(
                scenario,
                "A",
                "B",
                AxisSpec("A", "missile-a", np.array([x])),
                AxisSpec("B", "missile-b", np.array([y])),
                first_strike_advantage=False,
            )
            assert bool(cell.a_deterred[0, 0]) is deterred


def test_region_labels_follow_both_conditions() -> None:
    scenario = load_scenario(missile_duel(0.5, 0.5, 1.0, 1.0, 10.0, 10.0))
    result = deterrence_map(
        scenario,
        "A",
        "B",
        AxisSpec("A", "missile-a", axis_values(0, 100, 21)),
        AxisSpec("B", "missile-b", axis_values(0, 100, 21)),
    )
    frame = result.to_frame()
    assert set(frame.status) == {
        "mutual deterrence",
        "only A deterred",
        "only B deterred",
        "neither",
    }
    both = frame.deterred_a & frame.deterred_b
    assert (frame.status[both] == "mutual deterrence").all()
    assert (frame.status[~frame.deterred_a & ~frame.deterred_b] == "neither").all()
    assert len(frame) == 21 * 21
    assert frame.first_strike_advantage_a.notna().all()


def test_defence_axis_and_backer_on_builtin() -> None:
    """Adding upper-tier batteries never makes Iran's retaliation on Israel larger."""
    scenario = load_scenario("west-asia-2024")
    result = deterrence_map(
        scenario,
        "IRN",
        "ISR",
        AxisSpec("IRN", "mrbm", axis_values(0, 240, 7)),
        AxisSpec("ISR", "upper-tier-bmd", axis_values(0, 12, 7)),
        first_strike_advantage=False,
    )
    retaliation = result.retaliation_by_a
    assert (np.diff(retaliation, axis=0) <= 1e-9).all()
    assert result.current == (120.0, 3.0)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        (("XXX", "mrbm"), ("ISR", "upper-tier-bmd"), "not on either side"),
        (("IRN", "nope"), ("ISR", "upper-tier-bmd"), "unknown system class"),
        (("IRN", "mrbm"), ("IRN", "mrbm"), "same holding"),
        (("USA", "strike-sortie"), ("IRN", "mrbm"), "defence-only"),
    ],
)
def test_bad_axes_are_input_errors(x: tuple[str, str], y: tuple[str, str], message: str) -> None:
    scenario = load_scenario("west-asia-2024")
    with pytest.raises(InputError, match=message):
        deterrence_map(
            scenario,
            "IRN",
            "ISR",
            AxisSpec(*x, np.array([1.0, 2.0])),
            AxisSpec(*y, np.array([1.0, 2.0])),
        )


@settings(max_examples=8, deadline=None)
@given(
    chunk=st.integers(1, 40),
    steps=st.tuples(st.integers(2, 7), st.integers(2, 7)),
    fsa=st.booleans(),
)
def test_progress_counts_every_cell_and_chunks_change_nothing(
    chunk: int, steps: tuple[int, int], fsa: bool
) -> None:
    """The progress callback's counts sum to the number of cells (duplicate axis values
    included), and the map is the same, to the bit, whatever the chunk size."""
    scenario = load_scenario("west-asia-2024")
    x = AxisSpec("IRN", "mrbm", np.repeat(axis_values(0, 240, steps[0]), 2))
    y = AxisSpec("ISR", "upper-tier-bmd", axis_values(0, 12, steps[1]))
    done: list[int] = []
    chunked = deterrence_map(
        scenario, "IRN", "ISR", x, y, first_strike_advantage=fsa, chunk=chunk, progress=done.append
    )
    whole = deterrence_map(scenario, "IRN", "ISR", x, y, first_strike_advantage=fsa)
    cells = x.values.size * y.values.size
    assert sum(done) == cells
    assert all(count > 0 for count in done)
    assert len(done) == -(-np.unique(x.values).size * y.values.size // chunk)
    for name in ("a_deterred", "b_deterred", "retaliation_by_a", "retaliation_by_b"):
        assert np.array_equal(getattr(chunked, name), getattr(whole, name))
    for name in ("survivability_a", "first_strike_advantage_a", "first_strike_advantage_b"):
        assert np.array_equal(getattr(chunked, name), getattr(whole, name), equal_nan=True)


def test_map_and_sweep_name_a_metric_alike() -> None:
    """The map's CSV said a_deterred / retaliation_by_a / survivability_a where a sweep
    says deterred_a / retaliation_damage_a / second_strike_survivability_a: both now take
    the registry's column with the side's suffix, and agree on the numbers."""
    import equipoise
    from equipoise.analysis.metrics import SIDE_METRICS, side_column

    scenario = load_scenario(missile_duel(0.5, 0.5, 1.0, 1.0, 10.0, 10.0))
    grid = deterrence_map(
        scenario,
        "A",
        "B",
        AxisSpec("A", "missile-a", axis_values(20, 40, 3)),
        AxisSpec("B", "missile-b", np.array([50.0])),  # B as it is
    ).to_frame()
    # a map axis scales launchers and rounds together: the sweep's diagonal
    paths = [f"states.A.inventory.missile-a.{field}" for field in ("launchers", "rounds")]
    swept = equipoise.sweep(scenario, [f"{path}=20:40:3" for path in paths])
    swept = swept[swept[paths[0]] == swept[paths[1]]].sort_values(paths[0])
    assert list(swept[paths[0]]) == list(grid["x"])
    side_columns = {side_column(m.name, s) for m in SIDE_METRICS for s in ("a", "b")}
    shared = side_columns & set(grid.columns)
    assert len(shared) == 8
    assert shared <= set(swept.columns)
    for column in sorted(shared):
        np.testing.assert_allclose(
            grid[column].to_numpy(dtype=float), swept[column].to_numpy(dtype=float), atol=1e-9
        )
