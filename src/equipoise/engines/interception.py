"""Interception records as counts: likelihoods, fits and predictive checks.

A reporting window ``i`` has ``n_i`` threats launched and ``k_i`` reported destroyed
(or lost without interception). Three models of ``k_i`` given ``n_i``:

* **binomial**: ``k_i ~ Binomial(n_i, pi_i)``, the same share in every window;
* **beta-binomial**: ``k_i ~ BetaBinomial(n_i, alpha_i, beta_i)`` with mean share
  ``pi_i`` and intra-window correlation ``rho`` (``alpha = pi (1 - rho) / rho``,
  ``beta = (1 - pi)(1 - rho) / rho``): the share itself varies between windows as a
  Beta draw, which is what overdispersion between nights means (Skellam 1948,
  *JRSS B* 10; Williams 1975, *Biometrics* 31);
* **channel-limited** mean share (the salvo engine's expected-value form with one
  layer, ``c`` channels and kill probability ``p``, docs/model.md §2):
  ``E[k] = p * min(n, c)``, i.e. ``pi(n) = p * min(1, c / n)``; ``c = inf`` is the
  constant share.

Fits are maximum likelihood (scipy.optimize) on transformed parameters (logit of
shares, log of ``c``), with Wald intervals on the transformed scale from the
numerical observed information. Predictions are plug-in beta-binomial (or
binomial) distributions; calibration is scored by central-interval coverage, log
predictive density and the randomised probability integral transform (Czado,
Gneiting & Held 2009, *Biometrics* 65). Everything is vectorised over windows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from equipoise.engines.types import FloatArray, Numeric

RHO_FLOOR = 1e-6
RHO_CEILING = 0.999
SHARE_FLOOR = 1e-6
Z95 = 1.959963984540054


def _clip_share(p: Numeric) -> FloatArray:
    return np.asarray(np.clip(np.asarray(p, dtype=float), SHARE_FLOOR, 1.0 - SHARE_FLOOR))


def binomial_logpmf(k: Numeric, n: Numeric, p: Numeric) -> FloatArray:
    """log P(k | n, p) for the binomial, vectorised (agrees with scipy.stats.binom)."""
    k_ = np.asarray(k, dtype=float)
    n_ = np.asarray(n, dtype=float)
    p_ = np.asarray(p, dtype=float)
    log_choose = special.gammaln(n_ + 1) - special.gammaln(k_ + 1) - special.gammaln(n_ - k_ + 1)
    return np.asarray(log_choose + special.xlogy(k_, p_) + special.xlog1py(n_ - k_, -p_))


def beta_binomial_logpmf(k: Numeric, n: Numeric, mean: Numeric, rho: Numeric) -> FloatArray:
    """log P(k | n) for the beta-binomial with mean share ``mean`` and correlation ``rho``.

    ``rho = 0`` is the binomial. Agrees with scipy.stats.betabinom(n, a, b) with
    ``a = mean (1 - rho) / rho`` and ``b = (1 - mean)(1 - rho) / rho``.
    """
    k_ = np.asarray(k, dtype=float)
    n_ = np.asarray(n, dtype=float)
    mu = _clip_share(mean)
    r = np.asarray(rho, dtype=float)
    safe = np.maximum(r, RHO_FLOOR)
    a = mu * (1.0 - safe) / safe
    b = (1.0 - mu) * (1.0 - safe) / safe
    log_choose = special.gammaln(n_ + 1) - special.gammaln(k_ + 1) - special.gammaln(n_ - k_ + 1)
    overdispersed = log_choose + special.betaln(k_ + a, n_ - k_ + b) - special.betaln(a, b)
    return np.asarray(np.where(r <= 0.0, binomial_logpmf(k_, n_, mu), overdispersed))


def _log_choose(k: FloatArray, n: FloatArray) -> FloatArray:
    return np.asarray(special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1))


def _kernel(k: FloatArray, n: FloatArray, mean: FloatArray, rho: float) -> FloatArray:
    """beta_binomial_logpmf without the binomial coefficient (scalar rho)."""
    mu = _clip_share(mean)
    if rho <= 0.0:
        return np.asarray(special.xlogy(k, mu) + special.xlog1py(n - k, -mu))
    a = mu * (1.0 - rho) / rho
    b = (1.0 - mu) * (1.0 - rho) / rho
    return np.asarray(special.betaln(k + a, n - k + b) - special.betaln(a, b))


def channel_share(launched: Numeric, p: float, channels: float) -> FloatArray:
    """Mean share destroyed when ``channels`` engagements each kill with probability p.

    ``p * min(n, c) / n``: the salvo engine's expected-value form with one layer and
    one shot per threat (docs/model.md §2); ``channels = inf`` gives ``p``.
    """
    n = np.maximum(np.asarray(launched, dtype=float), 1.0)
    if not np.isfinite(channels):
        return np.full_like(n, p)
    return np.asarray(p * np.minimum(n, channels) / n)


@dataclass(frozen=True)
class ShareFit:
    """A fitted share model: parameters, maximised log-likelihood and intervals.

    ``share`` is ``p`` (the share for salvos below the channel limit), ``rho`` the
    between-window correlation (0 for binomial), ``channels`` the channel limit
    (inf: none). ``share_low``/``share_high``, ``channels_low``/``channels_high``
    are 95 % intervals: Wald on the logit scale for the share, Wald on the log
    scale or (``profile=True``) profile likelihood for the channel limit.
    """

    share: float
    share_low: float
    share_high: float
    rho: float
    channels: float
    channels_low: float
    channels_high: float
    loglik: float
    parameters: int
    windows: int
    overdispersed: bool
    saturating: bool

    @property
    def aic(self) -> float:
        return 2.0 * self.parameters - 2.0 * self.loglik

    def mean_share(self, launched: Numeric) -> FloatArray:
        return channel_share(launched, self.share, self.channels)


def _hessian(function: Callable[[FloatArray], float], x: FloatArray) -> FloatArray:
    """Central-difference Hessian of a scalar function (a few parameters)."""
    size = x.size
    step = 1e-4 * np.maximum(1.0, np.abs(x))
    hessian = np.zeros((size, size))
    for i in range(size):
        for j in range(i, size):
            ei = np.zeros(size)
            ej = np.zeros(size)
            ei[i] = step[i]
            ej[j] = step[j]
            value = (
                function(x + ei + ej)
                - function(x + ei - ej)
                - function(x - ei + ej)
                + function(x - ei - ej)
            ) / (4.0 * step[i] * step[j])
            hessian[i, j] = hessian[j, i] = value
    return hessian


def _standard_errors(function: Callable[[FloatArray], float], x: FloatArray) -> FloatArray:
    try:
        covariance = np.linalg.inv(_hessian(function, x))
        variances = np.diag(covariance)
    except np.linalg.LinAlgError:
        return np.full(x.size, np.inf)
    return np.where(variances > 0, np.sqrt(np.abs(variances)), np.inf)


def _expit(x: float) -> float:
    return float(special.expit(x))


def fit_share(
    destroyed: Numeric,
    launched: Numeric,
    *,
    overdispersed: bool = True,
    saturating: bool = False,
    weights: Numeric | None = None,
    profile: bool = False,
    intervals: bool = True,
) -> ShareFit:
    """Maximum-likelihood fit of the share model to windows (k_i of n_i).

    ``weights`` multiply each window's log-likelihood (e.g. recency weights); the
    reported log-likelihood is the weighted one. ``intervals=False`` skips the
    intervals (NaN) when only the point estimates are needed (backtests). The
    channel-limited fit starts Nelder-Mead from several channel limits (quantiles
    of the salvo sizes) because ``min(n, c)`` is not smooth in ``c``; if no finite
    limit beats the constant share, the constant-share fit is returned with ``channels = inf``.
    """
    k = np.asarray(destroyed, dtype=float)
    n = np.asarray(launched, dtype=float)
    w = np.ones_like(n) if weights is None else np.asarray(weights, dtype=float)
    if k.size == 0:
        raise ValueError("no windows to fit")
    pooled = float(np.clip((w * k).sum() / max((w * n).sum(), 1.0), 0.01, 0.99))

    # the binomial coefficient does not depend on the parameters: computed once
    constant_term = float((w * _log_choose(k, n)).sum())

    def negative(theta: FloatArray) -> float:
        p = _expit(theta[0])
        rho = (
            float(np.clip(special.expit(theta[1]), RHO_FLOOR, RHO_CEILING))
            if overdispersed
            else 0.0
        )
        channels = float(np.exp(theta[-1])) if saturating else np.inf
        mean = channel_share(n, p, channels)
        value = -float((w * _kernel(k, n, mean, rho)).sum()) - constant_term
        return value if np.isfinite(value) else 1e300

    negative_constant = _constant(negative, saturating)
    base = [float(special.logit(pooled))] + ([float(special.logit(0.05))] if overdispersed else [])
    constant = optimize.minimize(
        negative_constant,
        np.array(base),
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 2000},
    )
    best_x = np.asarray(constant.x, dtype=float)
    best_value = float(constant.fun)
    starts: list[FloatArray] = []
    channels = np.inf
    if saturating:
        for quantile in (0.25, 0.5, 0.75, 0.9):
            c0 = max(float(np.quantile(n, quantile)), 1.0)
            share0 = float(np.clip((k / np.minimum(n, c0)).mean(), 0.01, 0.99))
            starts.append(np.array([float(special.logit(share0)), *best_x[1:], np.log(c0)]))
        for start in starts:
            result = optimize.minimize(
                negative,
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000},
            )
            if float(result.fun) < best_value - 1e-9 and np.exp(result.x[-1]) < n.max():
                best_value = float(result.fun)
                best_x = np.asarray(result.x, dtype=float)
                channels = float(np.exp(best_x[-1]))
    saturated = np.isfinite(channels)
    function = negative if saturated else negative_constant
    errors = _standard_errors(function, best_x) if intervals else np.full(best_x.size, np.nan)
    channels_low = channels_high = np.inf
    if saturated:
        channels_low = float(np.exp(min(best_x[-1] - Z95 * errors[-1], 700.0)))
        channels_high = float(np.exp(min(best_x[-1] + Z95 * errors[-1], 700.0)))
        if profile and intervals:
            channels_low, channels_high = _profile_channels(negative, best_x, best_value, n)
    share = _expit(best_x[0])
    share_low = _expit(best_x[0] - Z95 * errors[0])
    share_high = _expit(best_x[0] + Z95 * errors[0])
    if intervals and (not np.isfinite(errors[0]) or errors[0] > 2.0):
        # Wald fails at the boundary (e.g. every threat destroyed in every window)
        share_low, share_high = _profile_share(function, best_x, best_value)
    rho = float(np.clip(special.expit(best_x[1]), RHO_FLOOR, RHO_CEILING)) if overdispersed else 0.0
    return ShareFit(
        share=share,
        share_low=share_low,
        share_high=share_high,
        rho=rho,
        channels=channels,
        channels_low=channels_low,
        channels_high=channels_high,
        loglik=-best_value,
        parameters=1 + int(overdispersed) + int(saturating),
        windows=int(k.size),
        overdispersed=overdispersed,
        saturating=saturating,
    )


def _profile_share(
    negative: Callable[[FloatArray], float], best: FloatArray, best_value: float
) -> tuple[float, float]:
    """95 % profile-likelihood interval of the share (logit scale), other parameters
    re-optimised; used where the Wald interval fails at the boundary."""

    def drop(x0: float) -> float:
        if best.size == 1:
            value = negative(np.array([x0]))
        else:

            def rest_of(rest: FloatArray) -> float:
                return negative(np.concatenate([[x0], rest]))

            result = optimize.minimize(
                rest_of,
                best[1:],
                method="Nelder-Mead",
                options={"xatol": 1e-4, "fatol": 1e-5, "maxiter": 400},
            )
            value = float(result.fun)
        return 2.0 * (value - best_value) - 3.841458820694124

    x = float(best[0])
    low_end, high_end = x - 20.0, x + 20.0
    low = low_end if drop(low_end) < 0 else optimize.brentq(drop, low_end, x, xtol=1e-3)
    high = high_end if drop(high_end) < 0 else optimize.brentq(drop, x, high_end, xtol=1e-3)
    return _expit(low), _expit(high)


def _profile_channels(
    negative: Callable[[FloatArray], float], best: FloatArray, best_value: float, n: FloatArray
) -> tuple[float, float]:
    """95 % profile-likelihood interval of the channel limit (``min`` has kinks in c).

    The other parameters are re-optimised on a log grid of c around the estimate;
    the interval is where twice the drop in log-likelihood stays below 3.84, bounded
    by the first grid point outside it on each side (inf if none up to the largest
    salvo).
    """
    offsets = np.unique(np.concatenate([np.linspace(-1.5, 1.5, 13), np.linspace(-0.2, 0.2, 11)]))
    grid = np.exp(best[-1] + offsets)
    grid = grid[(grid >= n.min()) & (grid <= n.max())]
    drop = np.empty(grid.size)
    for index, c in enumerate(grid):
        log_c = float(np.log(c))

        def fixed(theta: FloatArray, log_c: float = log_c) -> float:
            return negative(np.append(theta, log_c))

        result = optimize.minimize(
            fixed,
            best[:-1],
            method="Nelder-Mead",
            options={"xatol": 1e-5, "fatol": 1e-6, "maxiter": 800},
        )
        drop[index] = 2.0 * (float(result.fun) - best_value)
    estimate = float(np.exp(best[-1]))
    outside = drop > 3.841458820694124
    below = grid[outside & (grid < estimate)]
    above = grid[outside & (grid > estimate)]
    # the first grid point outside on each side: a slightly conservative bound
    low = float(below.max()) if below.size else float(n.min())
    high = float(above.min()) if above.size else np.inf
    return low, high


def _constant(
    negative: Callable[[FloatArray], float], saturating: bool
) -> Callable[[FloatArray], float]:
    """The objective with the channel limit fixed at infinity."""
    if not saturating:
        return negative
    return lambda theta: negative(np.append(theta, np.inf))


def fit_share_fixed_rho(
    destroyed: Numeric, launched: Numeric, rho: float
) -> tuple[float, float, float]:
    """Share and 95 % Wald interval (logit scale) with the correlation held at ``rho``.

    Used for per-quarter shares, where a few windows cannot identify ``rho``.
    """
    k = np.asarray(destroyed, dtype=float)
    n = np.asarray(launched, dtype=float)

    def negative(x: FloatArray) -> float:
        return -float(beta_binomial_logpmf(k, n, _expit(float(x[0])), rho).sum())

    start = float(special.logit(np.clip(k.sum() / max(n.sum(), 1.0), 0.005, 0.995)))
    result = optimize.minimize_scalar(
        lambda x: negative(np.array([x])), bounds=(start - 8, start + 8), method="bounded"
    )
    x = np.array([float(result.x)])
    error = _standard_errors(negative, x)[0]
    if not np.isfinite(error) or error > 2.0:
        low, high = _profile_share(negative, x, negative(x))
        return _expit(x[0]), low, high
    return _expit(x[0]), _expit(x[0] - Z95 * error), _expit(x[0] + Z95 * error)


def saturation_test(constant: ShareFit, saturating: ShareFit) -> tuple[float, float]:
    """Likelihood-ratio statistic and p-value, channel-limited against constant share.

    The constant share is the channel limit at its boundary (``1/c = 0``), so the
    statistic's null distribution is the mixture ``0.5 chi2_0 + 0.5 chi2_1`` (Self &
    Liang 1987, *JASA* 82).
    """
    statistic = max(0.0, 2.0 * (saturating.loglik - constant.loglik))
    p_value = 1.0 if statistic <= 0 else 0.5 * float(stats.chi2.sf(statistic, 1))
    return statistic, p_value


def predictive_table(
    launched: Numeric, mean: Numeric, rho: Numeric
) -> tuple[FloatArray, FloatArray]:
    """pmf and cdf of k = 0..max(n) for each window (rows), zero beyond its n."""
    n = np.asarray(launched, dtype=int)
    support = np.arange(int(n.max()) + 1 if n.size else 1)
    k = support[None, :]
    nn = n[:, None]
    mean_ = np.broadcast_to(np.asarray(mean, dtype=float), n.shape)[:, None]
    rho_ = np.broadcast_to(np.asarray(rho, dtype=float), n.shape)[:, None]
    inside = k <= nn
    log_pmf = beta_binomial_logpmf(np.minimum(k, nn), nn, mean_, rho_)
    pmf = np.where(inside, np.exp(log_pmf), 0.0)
    pmf = pmf / pmf.sum(axis=1, keepdims=True)
    return pmf, np.cumsum(pmf, axis=1)


def central_interval(cdf: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Smallest k with F(k) >= (1-level)/2 and smallest k with F(k) >= (1+level)/2."""
    lower = (1.0 - level) / 2.0
    upper = (1.0 + level) / 2.0
    low = np.argmax(cdf >= lower - 1e-12, axis=1)
    high = np.argmax(cdf >= upper - 1e-12, axis=1)
    return low.astype(float), high.astype(float)


def score_predictions(
    destroyed: Numeric,
    launched: Numeric,
    mean: Numeric,
    rho: Numeric,
    seed: np.random.SeedSequence | int = 0,
) -> dict[str, FloatArray]:
    """Log predictive density, 50 % and 90 % central intervals and randomised PIT.

    The randomised PIT ``F(k-1) + V (F(k) - F(k-1))``, ``V ~ U(0, 1)``, is uniform
    when the predictive distribution is right, even for discrete counts (Czado,
    Gneiting & Held 2009).
    """
    k = np.asarray(destroyed, dtype=int)
    n = np.asarray(launched, dtype=int)
    if k.size == 0:
        empty = np.zeros(0)
        return {
            name: empty
            for name in ("log_density", "low50", "high50", "low90", "high90", "pit", "in50", "in90")
        }
    pmf, cdf = predictive_table(n, mean, rho)
    rows = np.arange(k.size)
    density = pmf[rows, k]
    below = np.where(k > 0, cdf[rows, np.maximum(k - 1, 0)], 0.0)
    rng = np.random.default_rng(seed)
    pit = below + rng.uniform(size=k.size) * density
    low50, high50 = central_interval(cdf, 0.5)
    low90, high90 = central_interval(cdf, 0.9)
    return {
        "log_density": np.log(np.maximum(density, 1e-300)),
        "low50": low50,
        "high50": high50,
        "low90": low90,
        "high90": high90,
        "pit": np.clip(pit, 0.0, 1.0),
        "in50": ((k >= low50) & (k <= high50)).astype(float),
        "in90": ((k >= low90) & (k <= high90)).astype(float),
    }
