"""The interception record: likelihoods, fits, the parser, the backtest and the CLI.

References: scipy.stats (binom, betabinom) for the likelihoods; parameter recovery on
windows drawn from the model itself for the fits; a hand-made file with every quirk
of the UA AirDefense Tracker export (Ivaniuk 2026) for the parser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import equipoise
from equipoise.cli.main import cli
from equipoise.domain.loading import scenario_from_text
from equipoise.engines import interception as engine
from equipoise.errors import InputError
from equipoise.records import backtest, fit_interception, interception_record
from equipoise.records.interception import CAVEAT, CITATION

MINI = Path(__file__).parent / "data" / "ua-mini.csv"


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 400),
    fraction=st.floats(0, 1),
    mean=st.floats(0.01, 0.99),
    rho=st.floats(0.001, 0.95),
)
def test_likelihoods_match_scipy(n: int, fraction: float, mean: float, rho: float) -> None:
    """binomial_logpmf = scipy.stats.binom.logpmf; beta_binomial_logpmf =
    scipy.stats.betabinom.logpmf with a = mean(1-rho)/rho, b = (1-mean)(1-rho)/rho."""
    k = round(fraction * n)
    assert engine.binomial_logpmf(k, n, mean) == pytest.approx(
        stats.binom.logpmf(k, n, mean), rel=1e-9, abs=1e-9
    )
    a = mean * (1 - rho) / rho
    b = (1 - mean) * (1 - rho) / rho
    assert engine.beta_binomial_logpmf(k, n, mean, rho) == pytest.approx(
        stats.betabinom.logpmf(k, n, a, b), rel=1e-8, abs=1e-8
    )


def test_likelihoods_vectorised_and_rho_zero_is_binomial() -> None:
    """Arrays in, arrays out; rho = 0 is exactly the binomial (scipy.stats.binom)."""
    k = np.array([0, 3, 7, 10])
    n = np.array([5, 10, 10, 10])
    assert np.allclose(engine.beta_binomial_logpmf(k, n, 0.4, 0.0), stats.binom.logpmf(k, n, 0.4))
    pmf, cdf = engine.predictive_table(n, 0.4, 0.1)
    assert np.allclose(pmf.sum(axis=1), 1.0)
    assert np.allclose(cdf[:, -1], 1.0)


@settings(max_examples=40, deadline=None)
@given(
    n=st.lists(st.integers(1, 60), min_size=1, max_size=20),
    mean=st.floats(0.01, 0.99),
    rho=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**32 - 1),
)
def test_predictive_scores_invariants(n: list[int], mean: float, rho: float, seed: int) -> None:
    """Invariants of any predictive distribution: the 50 % interval lies inside the
    90 % one, both inside [0, n]; PIT in [0, 1]; log density <= 0."""
    launched = np.array(n)
    destroyed = np.random.default_rng(seed).binomial(launched, mean)
    scores = engine.score_predictions(destroyed, launched, mean, rho, seed=seed)
    assert np.all(scores["low90"] <= scores["low50"])
    assert np.all(scores["low50"] <= scores["high50"])
    assert np.all(scores["high50"] <= scores["high90"])
    assert np.all(scores["high90"] <= launched)
    assert np.all((scores["pit"] >= 0) & (scores["pit"] <= 1))
    assert np.all(scores["log_density"] <= 1e-12)


def _draw(n: np.ndarray, mean: np.ndarray, rho: float, seed: int) -> np.ndarray:
    a = mean * (1 - rho) / rho
    b = (1 - mean) * (1 - rho) / rho
    return np.asarray(stats.betabinom(n, a, b).rvs(random_state=np.random.default_rng(seed)))


def test_fit_recovers_constant_share_and_finds_no_saturation() -> None:
    """Windows drawn from BetaBinomial(n, 0.8, rho=0.05): the fit recovers the share
    and rho within their sampling error, and the saturation test sees none."""
    n = np.random.default_rng(1).integers(1, 300, 500)
    k = _draw(n, np.full(n.size, 0.8), 0.05, 2)
    fit = engine.fit_share(k, n)
    assert fit.share_low < 0.8 < fit.share_high
    assert fit.rho == pytest.approx(0.05, abs=0.02)
    saturating = engine.fit_share(k, n, saturating=True)
    _, p_value = engine.saturation_test(fit, saturating)
    assert p_value > 0.01


def test_fit_recovers_channel_limit() -> None:
    """Windows drawn with mean share p*min(n, c)/n (p = 0.9, c = 80, the salvo engine's
    channel limit): the channel-limited fit recovers p and c and the LR test rejects
    the constant share."""
    n = np.random.default_rng(3).integers(1, 300, 500)
    k = _draw(n, engine.channel_share(n, 0.9, 80.0), 0.03, 4)
    constant = engine.fit_share(k, n)
    saturating = engine.fit_share(k, n, saturating=True, profile=True)
    assert saturating.share == pytest.approx(0.9, abs=0.03)
    assert saturating.channels == pytest.approx(80.0, rel=0.1)
    assert saturating.channels_low <= 80.0 <= saturating.channels_high
    _, p_value = engine.saturation_test(constant, saturating)
    assert p_value < 1e-6
    assert saturating.aic < constant.aic


def test_randomised_pit_is_uniform_under_the_true_model() -> None:
    """PIT of draws scored by their own distribution is U(0, 1) (Czado et al. 2009):
    Kolmogorov-Smirnov does not reject, and 90 % intervals cover at least 90 %."""
    n = np.random.default_rng(5).integers(1, 100, 3000)
    k = _draw(n, np.full(n.size, 0.6), 0.1, 6)
    scores = engine.score_predictions(k, n, 0.6, 0.1, seed=7)
    assert stats.kstest(scores["pit"], "uniform").pvalue > 0.01
    assert scores["in90"].mean() >= 0.9
    assert scores["in50"].mean() >= 0.5


def test_parser_handles_every_quirk() -> None:
    """ua-mini.csv: both date formats (one-digit hour too), models joined with 'and',
    Cyrillic names, a quoted field over two lines, missing counts, a bad date, more
    destroyed than launched, an unmapped name, a bad not_reach_goal: every row kept,
    each problem names its line."""
    record = interception_record(MINI)
    rows = record.rows.set_index("line")
    assert len(rows) == 10
    assert rows.loc[3, "family"] == "one_way_attack_drone"  # Молнія
    assert rows.loc[3, "time_start"].hour == 0
    assert rows.loc[4, "family"] == "mixed"  # Kinzhal and Iskander-M
    assert rows.loc[4, "time_start"].hour == 3
    assert rows.loc[4, "time_start"].minute == 30
    assert rows.loc[8, "family"] == "cruise_missile"  # Kalibr and
    assert rows.loc[9, "family"] == "unmapped"
    assert record.unmapped == {"Гербера": 1}
    problem_lines = {(p.line, p.field) for p in record.problems}
    assert {
        (6, "launched"),
        (7, "destroyed"),
        (10, "time_start"),
        (11, "destroyed"),
    } <= problem_lines
    assert (12, "not_reach_goal") in problem_lines
    assert not rows.loc[[6, 7, 10, 11], "usable"].any()
    assert rows.loc[[2, 3, 4, 8, 9, 12], "usable"].all()
    assert np.isnan(rows.loc[12, "not_reach_goal"])
    windows = record.windows()
    assert windows["launched"].sum() == 205 + 11 + 6 + 12 + 4 + 3
    assert all(str(MINI) in p.render() for p in record.problems)


def test_missing_column_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time_start,model,launched\n2025-01-01,Kalibr,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv:1: missing column\(s\) time_end, destroyed"):
        interception_record(path)


def test_own_families_table(tmp_path: Path) -> None:
    """A user's table replaces the shipped one; names it lacks are listed."""
    table = tmp_path / "families.csv"
    table.write_text("model,family,threat_kind\nShahed-136/131,drone,drone\n", encoding="utf-8")
    record = interception_record(MINI, families=table)
    assert "Молнія" in record.unmapped
    assert set(record.rows["family"]) >= {"drone", "unmapped"}


@pytest.fixture(scope="module")
def shipped_fit():  # type: ignore[no-untyped-def]
    return fit_interception()


def test_shipped_record_is_fully_mapped_and_fits(shipped_fit) -> None:  # type: ignore[no-untyped-def]
    """The shipped record (3,247 rows, the README's count) maps every model name, and
    the fitted pooled shares sit inside the record's own range of window shares."""
    record = interception_record()
    assert len(record.rows) == 3247
    assert record.unmapped == {}
    drones = shipped_fit.family("one_way_attack_drone")
    assert drones.windows > 500
    assert 0.0 < drones.destroyed.share_low < drones.destroyed.share < drones.destroyed.share_high
    frame = shipped_fit.to_frame()
    assert {"share_destroyed", "share_not_reach_goal", "saturation", "lr_p_value"} <= set(frame)


def test_fitted_block_is_a_valid_scenario(shipped_fit) -> None:  # type: ignore[no-untyped-def]
    """The written YAML loads as a Scenario (pydantic model and reference checks)."""
    text = shipped_fit.to_yaml(cases=2)
    scenario = scenario_from_text(text, "fitted.yaml")
    assert len(scenario.calibration) >= 8
    assert "ua-air-defence" in scenario.classes
    assert "not independently verified" in scenario.sources["ua-air-defence"]


def test_builtin_record_scenario_is_what_the_fit_writes(shipped_fit) -> None:  # type: ignore[no-untyped-def]
    """The built-in ``ua-air-defence-record`` is the output of ``interception fit`` on the
    shipped record, unchanged: regenerate it with
    ``equipoise interception fit -o src/equipoise/domain/builtin/ua-air-defence-record.yaml
    --force`` when the fit changes. Its calibration replays the record's largest windows,
    and the model lands within the band in most of them."""
    from equipoise.domain.loading import builtin_text

    assert builtin_text("ua-air-defence-record") == shipped_fit.to_yaml()
    checks = equipoise.analyze("ua-air-defence-record", trials=400, seed=1).calibration
    assert len(checks) >= 30
    assert sum(check.within_band for check in checks) >= 0.9 * len(checks)


def test_every_band_holds_both_ends_of_its_predictive_interval(shipped_fit) -> None:  # type: ignore[no-untyped-def]
    """Each calibration band is the 90 % beta-binomial predictive interval of the
    neutralised count (scipy.stats.betabinom.ppf, a = m(1-rho)/rho, b = (1-m)(1-rho)/rho)
    around the share the fitted classes give: both ends of that interval lie within
    the band as written (the tolerance rounded to 4 decimals once put the 0.67882 far
    end of ua-20240102-0730-aeroballistic outside its 0.6788 band), so every case of
    the shipped record, whose largest windows all lie inside their intervals, is
    within its band under the fitted classes."""
    scenario = scenario_from_text(shipped_fit.to_yaml(), "fitted.yaml")
    checks = {c.name: c for c in equipoise.analyze(scenario, trials=20, seed=1).calibration}
    assert len(checks) == len(scenario.calibration) >= 30
    for case in scenario.calibration:
        check = checks[case.name]
        [(name, n)] = case.attack.items()
        fit = next(f for f in shipped_fit.families if f"ua-{f.family.replace('_', '-')}" == name)
        rho = fit.neutralised.rho
        model = check.model.expected_value
        a, b = model * (1 - rho) / rho, (1 - model) * (1 - rho) / rho
        low, high = stats.betabinom.ppf([0.05, 0.95], n, a, b) / n
        far = max(model - low, high - model)
        assert far <= case.tolerance + 1e-12, (case.name, far, case.tolerance)  # as within_band
        assert check.within_band, (case.name, model, case.reported_neutralised_share)


def test_backtest_on_shipped_data_has_stable_keys() -> None:
    """Train until 2025-06-30: every model scored on the same windows, stable keys."""
    result = backtest(train_until="2025-06-30")
    data = result.to_dict()
    assert set(data) == {
        "source",
        "citation",
        "caveat",
        "mode",
        "train_until",
        "models",
        "chosen_model",
        "overall",
        "families",
        "folds",
    }
    windows = {entry["windows"] for entry in data["overall"].values()}
    assert len(windows) == 1
    assert windows.pop() > 300
    for entry in data["overall"].values():
        assert set(entry) == {
            "windows",
            "coverage_50",
            "coverage_90",
            "mean_log_density",
            "pit_histogram",
        }
    assert data["chosen_model"] in data["models"]
    chosen = data["overall"][data["chosen_model"]]["mean_log_density"]
    for baseline in ("binomial_family", "binomial_pooled"):
        assert chosen > data["overall"][baseline]["mean_log_density"]
    json.dumps(data)


def test_cli_record_fit_backtest(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["interception", "record", str(MINI)])
    assert result.exit_code == 0, result.output
    assert "Гербера" in result.output
    assert "not independently verified" in result.output
    out = tmp_path / "fitted.yaml"
    result = runner.invoke(cli, ["interception", "fit", str(MINI), "-o", str(out)])
    assert result.exit_code == 0, result.output
    scenario_from_text(out.read_text(encoding="utf-8"), str(out))
    again = runner.invoke(cli, ["interception", "fit", str(MINI), "-o", str(out)])
    assert again.exit_code == 2
    result = runner.invoke(
        cli,
        ["interception", "backtest", str(MINI), "--train-until", "2025-03-01", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    assert "chosen_model" in json.loads(result.output)
    bad = runner.invoke(cli, ["interception", "backtest", str(MINI), "--train-until", "soon"])
    assert bad.exit_code == 2
    assert "not a date" in bad.output


def test_figures_say_the_record_is_unverified() -> None:
    """Each figure is a matplotlib Figure captioned with the source and the caveat."""
    pytest.importorskip("matplotlib")
    record = interception_record(MINI)
    fit = fit_interception(record)
    figures = [
        record.plot(),
        fit.plot(),
        fit.plot(kind="salvo"),
        backtest(record, train_until="2025-03-01").plot(),
    ]
    for figure in figures:
        texts = [t.get_text() for t in figure.texts] + [figure.get_supxlabel()]
        assert any("not independently verified" in text for text in texts)
    from equipoise.report.interception import interception_report_parts

    tables, parts = interception_report_parts(fit, backtest(record, train_until="2025-03-01"))
    assert set(tables) == {"interception_fit", "interception_backtest"}
    assert all(part.png.startswith(b"\x89PNG") for part in parts)
    assert all("not independently verified" in part.caption for part in parts)


@pytest.mark.parametrize(
    ("command", "compute"),
    [
        (["record"], lambda: interception_record(MINI)),
        (["fit", "--format", "csv"], lambda: fit_interception(MINI)),
        (
            ["backtest", "--train-until", "2025-03-01"],
            lambda: backtest(MINI, train_until="2025-03-01"),
        ),
    ],
)
def test_csv_carries_the_citation_and_caveat(
    tmp_path: Path, command: list[str], compute: Any
) -> None:
    """ODC-BY 1.0 (section 4.2, attribution) asks that the credit travel with the data:
    the CSV file itself starts with the citation and the caveat in '#' lines, and
    ``pandas.read_csv(path, comment="#")`` reads back exactly ``to_frame()``; the
    caveat still goes to stderr."""
    out = tmp_path / "record.csv"
    args = ["interception", command[0], str(MINI), *command[1:]]
    if "--format" not in args:
        args += ["--format", "csv"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "not independently verified" in result.stderr
    text = out.read_text(encoding="utf-8")
    head = [line for line in text.splitlines() if line.startswith("# ")]
    assert head == [f"# {CITATION}", f"# {CAVEAT}", f"# Data: {MINI}"]
    assert text.startswith("\n".join(head) + "\n")
    assert "ODC-BY 1.0" in head[0]
    expected = compute().to_frame().replace({None: np.nan, "": np.nan})  # empty reads as NaN
    pd.testing.assert_frame_equal(pd.read_csv(out, comment="#"), expected, check_dtype=False)
