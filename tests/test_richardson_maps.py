"""The closed-form one-year maps of the Richardson system against scipy.linalg.expm.

Reference: Φ = e^{M dt} and Γ = ∫_0^dt e^{Ms} ds are the top blocks of the
exponential of the 4×4 matrix [[M dt, I dt], [0, 0]] (Van Loan 1978, "Computing
integrals involving the matrix exponential", IEEE Trans. Automatic Control 23(3)),
computed by scipy.linalg.expm (Al-Mohy and Higham 2009). The closed form must agree
to 1e-10 relative to the size of the maps, including the cases it treats apart:
equal eigenvalues (defective M), singular M (det M = 0), both, and the zero matrix.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from equipoise.engines.dynamics import _one_year_maps

entries = st.floats(-3.0, 3.0, allow_nan=False)
steps = st.sampled_from([1.0, 0.5, 0.25, 0.1, 1.0 / 12])


def _reference(matrix: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    augmented = np.zeros((matrix.shape[0], 4, 4))
    augmented[:, :2, :2] = matrix * dt
    augmented[:, :2, 2:] = np.eye(2) * dt
    exponential = expm(augmented)
    return exponential[:, :2, :2], exponential[:, :2, 2:]


def _agree(matrix: np.ndarray, dt: float) -> None:
    phi, gamma = _one_year_maps(matrix, dt)
    ref_phi, ref_gamma = _reference(matrix, dt)
    for actual, expected in ((phi, ref_phi), (gamma, ref_gamma)):
        scale = np.maximum(1.0, np.abs(expected).max(axis=(1, 2)))[:, None, None]
        assert np.all(np.abs(actual - expected) <= 1e-10 * scale), (matrix, dt)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(entries, min_size=4, max_size=4 * 16).filter(lambda v: len(v) % 4 == 0),
    dt=steps,
)
def test_random_matrices_match_expm(values: list[float], dt: float) -> None:
    _agree(np.asarray(values).reshape(-1, 2, 2), dt)


@settings(max_examples=60, deadline=None)
@given(
    s=entries,
    u=entries,
    v=entries.filter(lambda v: abs(v) > 1e-3),
    eps=st.sampled_from([0.0, 1e-14, -1e-14, 1e-8, -1e-8, 1e-3, -1e-3]),
    dt=steps,
)
def test_defective_and_nearly_defective_matrices_match_expm(
    s: float, u: float, v: float, eps: float, dt: float
) -> None:
    """M = sI + N with N² = εI: equal eigenvalues at ε = 0 (N nilpotent), close ones near."""
    w = (eps - u * u) / v
    _agree(np.array([[[s + u, v], [w, s - u]]]), dt)


@settings(max_examples=60, deadline=None)
@given(a=entries, b=entries, r=entries, dt=steps)
def test_singular_matrices_match_expm(a: float, b: float, r: float, dt: float) -> None:
    """det M = 0: the second row a multiple of the first (an eigenvalue at zero)."""
    _agree(np.array([[[a, b], [r * a, r * b]]]), dt)


def test_zero_and_scalar_matrices_match_expm() -> None:
    """The zero matrix (singular and defective at once) and multiples of I."""
    matrices = np.array([np.zeros((2, 2)), -0.4 * np.eye(2), 2.5 * np.eye(2), 1e-12 * np.eye(2)])
    for dt in (1.0, 0.25):
        _agree(matrices, dt)
    phi, gamma = _one_year_maps(np.zeros((1, 2, 2)), 0.5)
    np.testing.assert_array_equal(phi[0], np.eye(2))
    np.testing.assert_allclose(gamma[0], 0.5 * np.eye(2), rtol=0, atol=1e-16)
