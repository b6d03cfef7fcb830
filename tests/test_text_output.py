"""The text tables a reader sees first: a verdict per dyad that matches the status, and
rows that say which strike each number belongs to."""

from __future__ import annotations

import re

import pytest

import equipoise
from equipoise.analysis.metrics import SIDE_METRICS
from equipoise.report.text import analysis_text, dyad_table, verdict


@pytest.fixture(scope="module", params=equipoise.builtin_names())
def result(request: pytest.FixtureRequest) -> equipoise.AnalysisResult:
    return equipoise.analyze(request.param, trials=400, seed=1)


def test_verdict_matches_each_sides_deterrence(result: equipoise.AnalysisResult) -> None:
    for dyad in result.dyads:
        sentence = verdict(dyad)
        for side in dyad.sides:
            said = re.search(rf"\b{side.called} (is|is not) deterred from striking first", sentence)
            assert said is not None, sentence
            assert (said.group(1) == "is") == side.deterred, sentence


def test_verdict_calls_states_by_their_names_in_the_scenario() -> None:
    """'Iran is deterred ...', not 'IRN is ...': the sentence reads as the issue's example;
    a state without a name in its file keeps its code."""
    scenario = equipoise.load_scenario("west-asia-2024")
    result = equipoise.analyze(scenario, trials=50)
    sentence = verdict(result.dyads[0])
    for code in ("IRN", "ISR"):
        name = scenario.states[code].name
        assert name
        assert f"{name} is" in sentence
        assert f"{name}'s" in sentence
        assert f"{code} is" not in sentence
    nameless = scenario.model_copy(
        update={
            "states": {
                code: state.model_copy(update={"name": ""})
                for code, state in scenario.states.items()
            }
        }
    )
    sentence = verdict(equipoise.analyze(nameless, trials=50).dyads[0])
    assert "IRN is" in sentence
    assert "ISR is" in sentence


def test_verdict_quotes_the_number_that_decides(result: equipoise.AnalysisResult) -> None:
    """Under the expected-value criterion the sentence gives the rival's expected
    retaliation and the threshold, and says 'reaches' exactly when the side is deterred."""
    if result.criterion != "expected_value":
        pytest.skip("probability criterion")
    for dyad in result.dyads:
        sentence = verdict(dyad)
        for side, rival in (dyad.sides, dyad.sides[::-1]):
            damage = rival.retaliation_damage.expected_value
            assert damage is not None
            clause = next(c for c in sentence.split("; ") if c.startswith(f"{side.called} is"))
            assert f"{damage:.1f}" in clause
            assert f"threshold of {side.unacceptable_damage:g}" in clause
            assert ("reaches" in clause) == side.deterred


def test_every_side_row_names_its_strike(result: equipoise.AnalysisResult) -> None:
    strikes = {m.strike for m in SIDE_METRICS if m.strike}
    for dyad in result.dyads:
        rows = dyad_table(dyad).splitlines()
        start = next(i for i, line in enumerate(rows) if set(line) <= {"-", " "})
        body = rows[start + 1 : start + 1 + 8]
        assert len(body) == 8
        for row in body:
            assert any(f"({strike})" in row for strike in strikes), row


def test_dyad_quantities_are_shown_once(result: equipoise.AnalysisResult) -> None:
    text = analysis_text(result)
    assert text.count("first-strike advantage of the dyad") == len(result.dyads)
    assert "95 % interval of the mean" in text


def test_a_change_inside_the_noise_is_not_marked_as_a_change() -> None:
    """whatif marked a −0.014 change of a mean whose interval is wider as a change."""
    from equipoise.analysis.policy import _row
    from equipoise.report.policy import MARK, NOISE

    dyad = equipoise.analyze("west-asia-2024", trials=50).dyads[0]
    small = _row(dyad, "IRN", "first-strike advantage", 0.100, 0.086, noise=0.02)
    large = _row(dyad, "IRN", "first-strike advantage", 0.100, 0.050, noise=0.02)
    exact = _row(dyad, "IRN", "status", "neither", "mutual deterrence")
    assert small["within_noise"]
    assert not small["changed"]
    assert large["changed"]
    assert not large["within_noise"]
    assert exact["changed"]
    assert MARK != NOISE


def test_suggestions_name_each_choice_once() -> None:
    """'did you mean 'mrbm' or 'mrbm'?' came from a class and a holding of one name."""
    from equipoise.domain.problems import suggest

    assert suggest("mrbn", ["mrbm", "mrbm", "lacm"]) == "did you mean 'mrbm'?"


def test_map_says_when_a_whole_count_axis_has_fewer_steps() -> None:
    from tests.cli import run

    code, out, err = run(
        "map",
        "west-asia-2024",
        "--x",
        "IRN.mrbm",
        "--y",
        "ISR.upper-tier-bmd",
        "--y-range",
        "0:12",
        "--steps",
        "41",
        "--no-fsa",
    )
    assert code == 0, err
    assert "13 from 0 to 12, not 41 steps" in err
    assert len(out.strip().splitlines()) == 1 + 41 * 13


def test_outcome_ranges_match_the_samples_within_a_bin() -> None:
    """The 5th-95th percentile read off the fixed-bin histogram is numpy's percentile of
    the samples, to within one bin width (the histogram is all that streaming keeps)."""
    import numpy as np

    from equipoise.analysis.results import HISTOGRAM_BINS, DamageHistogram

    rng = np.random.default_rng(3)
    samples = np.clip(rng.gamma(4.0, 6.0, size=20_000), 0, 100)
    histogram = DamageHistogram.of("AAA", "struck first", samples, 100.0)
    low, high = histogram.outcome_range()
    width = 100.0 / HISTOGRAM_BINS
    assert abs(low - np.percentile(samples, 5)) <= width
    assert abs(high - np.percentile(samples, 95)) <= width


def test_outcome_ranges_stay_within_the_observed_damage() -> None:
    """A quantile of a sample lies between its minimum and maximum (Hyndman & Fan 1996,
    The American Statistician 50(4), every one of their definitions 1-9; numpy's
    ``percentile`` is definition 7): a constant outcome's 5th-95th range is the constant
    itself, and a two-point one's is its two points, not spread over their bins. The
    user audit saw IRN's damage of 100 in every trial read [98-100] and a damage of 0
    read [0-2]."""
    import numpy as np

    from equipoise.analysis.results import DamageHistogram

    for constant in (100.0, 0.0, 41.3):
        samples = np.full(1_000, constant)
        histogram = DamageHistogram.of("AAA", "struck first", samples, 100.0)
        expected = (float(np.percentile(samples, 5)), float(np.percentile(samples, 95)))
        assert expected == (constant, constant)
        assert histogram.outcome_range() == expected
    # 31 and 73 lie inside bins [30, 32.5) and [72.5, 75): read linearly within the bin,
    # the 5th percentile would be 30.25 and the 95th 74.75
    samples = np.repeat([31.0, 73.0], 500)
    histogram = DamageHistogram.of("AAA", "struck first", samples, 100.0)
    assert (float(np.percentile(samples, 5)), float(np.percentile(samples, 95))) == (31.0, 73.0)
    assert histogram.outcome_range() == (31.0, 73.0)
    assert (histogram.minimum, histogram.maximum) == (31.0, 73.0)


def test_damage_rows_show_the_spread_of_outcomes(result: equipoise.AnalysisResult) -> None:
    rows = dyad_table(result.dyads[0]).splitlines()
    damage = [row for row in rows if row.startswith("damage ")]
    assert len(damage) == 4
    assert all(re.search(r"\[\d+-\d+\]", row) for row in damage), damage


def test_fewer_rounds_than_launchers_is_noted() -> None:
    """120 launchers with 10 rounds is valid (a holding's rounds are its total), but a
    new user wrote it meaning rounds per launcher and saw Iran's retaliation vanish: the
    analysis says so beside the numbers."""
    from equipoise.analysis.overrides import override

    scenario = override("west-asia-2024", {"states.IRN.inventory.mrbm.rounds": 10})
    notes = equipoise.analyze(scenario, trials=50).dyads[0].notes
    assert any("10 rounds for 120 launchers" in note for note in notes)
    assert not any(
        "nothing to fire" in n
        for n in equipoise.analyze("west-asia-2024", trials=50).dyads[0].notes
    )


def test_probability_verdict_quotes_the_estimate_that_decides() -> None:
    """Under the probability criterion the verdict printed P = 0.513 (this run's trials)
    while deterrence was decided by the evaluator's own 1,000-trial estimate, 0.498: a
    side called 'not deterred' beside a probability above the confidence. The verdict now
    quotes the deciding estimate and the confidence, and the deciding estimate is the one
    the evaluator gives every other path (map cells, plans, what-ifs)."""
    from equipoise.analysis.evaluator import evaluate_scenario
    from equipoise.analysis.overrides import override

    scenario = override(
        equipoise.load_scenario("west-asia-2024"),
        {"deterrence.criterion": "probability", "states.ISR.unacceptable_damage": 5},
    )
    result = equipoise.analyze(scenario, trials=4000, seed=1)
    assert result.confidence == scenario.deterrence.confidence
    assert result.criterion_trials == scenario.deterrence.trials
    evaluated = evaluate_scenario(scenario, seed=1)
    dyad = result.dyads[0]
    for index, (side, rival) in enumerate(
        ((dyad.sides[0], dyad.sides[1]), (dyad.sides[1], dyad.sides[0]))
    ):
        deciding = rival.criterion_probability
        assert deciding is not None
        key = "ab"[1 - index]
        assert deciding.mean == pytest.approx(
            float(evaluated.values[f"p_retaliation_{key}"][0, 0]),
            abs=0.5 / scenario.deterrence.trials,
        )
        assert side.deterred == (deciding.mean >= scenario.deterrence.confidence)
    sentence = verdict(dyad)
    isr = dyad.sides[1]
    assert f"threshold of 5 is {dyad.sides[0].criterion_probability.mean:.3f}, below" in sentence
    assert not isr.deterred
    text = analysis_text(result)
    assert "the verdict's estimate (1000 trials per variant" in text
    assert "0.5 or more" in text
    as_json = result.to_dict()
    assert as_json["confidence"] == 0.5
    crossing = as_json["dyads"][0]["sides"][0]["retaliation_crosses_rival_threshold"]
    assert crossing["criterion_estimate"]["mean"] == dyad.sides[0].criterion_probability.mean
    frame = result.to_frame()
    assert (
        frame["deterred"] == (frame["retaliation_probability_criterion"] >= 0.5)[::-1].values
    ).all()


def test_expected_value_results_carry_no_criterion_estimate(
    result: equipoise.AnalysisResult,
) -> None:
    assert result.criterion == "expected_value"
    assert result.confidence is None
    assert all(s.criterion_probability is None for d in result.dyads for s in d.sides)


def test_a_comparison_shows_the_expected_values_the_search_scored() -> None:
    """recommend printed 'first-strike advantage 0.097 -> 0.097, +0.000 (within noise)'
    while the search had scored the evaluator's expected value falling 0.109 -> 0.099.
    Every stochastic row now carries the expected values beside the trial means, equal to
    the evaluator's on the scenario before and after the deliveries."""
    from equipoise.analysis.deliveries import apply_plan
    from equipoise.analysis.evaluator import evaluate_scenario
    from equipoise.analysis.metrics import label
    from equipoise.report.policy import EXPECTED_MARK, recommendation_text

    scenario = equipoise.load_scenario("west-asia-2024")
    result = equipoise.recommend(scenario, trials=400, seed=1)
    plan = {(x.supplier, x.package, x.recipient): x.quantity for x in result.comparison.plan.lines}
    after_scenario = apply_plan(scenario, plan)
    before, after = evaluate_scenario(scenario), evaluate_scenario(after_scenario)
    rows = [
        r
        for r in result.comparison.rows()
        if r["metric"] == label("first_strike_advantage") and r["state"] == "IRN"
    ]
    assert len(rows) == 1
    row = rows[0]
    assert row["expected_before"] == pytest.approx(float(before.values["fsa_a"][0, 0]), abs=1e-9)
    assert row["expected_after"] == pytest.approx(float(after.values["fsa_a"][0, 0]), abs=1e-9)
    assert row["expected_changed"]
    # the trial means moved by less than their noise here, the expected value did not
    assert row["within_noise"]
    assert not row["changed"]
    marked = [line for line in recommendation_text(result).splitlines() if EXPECTED_MARK in line]
    assert any(label("first_strike_advantage") in line for line in marked)


def test_zero_rounds_on_launchers_is_noted() -> None:
    """``rounds: 0`` on 120 launchers is valid too, but those launchers then fire in no
    strike and Iran's damage comes from its other holdings only: the analysis says so,
    as it does for fewer rounds than launchers (user audit)."""
    from equipoise.analysis.overrides import override

    scenario = override("west-asia-2024", {"states.IRN.inventory.mrbm.rounds": 0})
    notes = equipoise.analyze(scenario, trials=50).dyads[0].notes
    said = [note for note in notes if note.startswith("IRN:mrbm: 0 rounds for 120 launchers")]
    assert len(said) == 1, notes
    assert "all 120 launchers have nothing to fire" in said[0]


def test_a_side_without_offensive_force_gets_a_note() -> None:
    """UKR in ua-air-defence-record holds no offensive force, and was called 'deterred
    from striking first' with no word on why that is trivial."""
    dyad = equipoise.analyze("ua-air-defence-record", trials=50, seed=1).dyads[0]
    ukr = next(side for side in dyad.sides if side.state == "UKR")
    assert ukr.damage_dealt_striking_first.mean == 0.0
    assert any(note.startswith("UKR has no offensive force against RUS") for note in dyad.notes)
    assert not any(note.startswith("RUS has no offensive force") for note in dyad.notes)


def test_one_dyads_verdict_reads_its_own_criterion() -> None:
    """A DyadAssessment on its own (a notebook cell) gave the expected-value reason under
    the probability criterion, contradicting its own deterred flag ('Israel is deterred
    ...: Iran's expected retaliation ..., 4.8, is below ...'). The dyad carries its rule."""
    from equipoise.analysis.overrides import override
    from equipoise.analysis.results import verdicts

    scenario = override(
        "west-asia-2024", {"deterrence.criterion": "probability", "deterrence.confidence": 0.01}
    )
    dyad = equipoise.analyze(scenario, trials=500, seed=1).dyads[0]
    assert (dyad.criterion, dyad.confidence) == ("probability", 0.01)
    israel = dyad.sides[1]
    assert israel.deterred
    (sentence,) = verdicts(dyad)
    assert "Israel is deterred from striking first: the probability that" in sentence
    assert "at or above the criterion's confidence of 0.01" in sentence
    assert "expected retaliation" not in sentence
    assert sentence.split(": ", 1)[1] in dyad._repr_html_().replace("&#x27;", "'")


def test_a_comparison_shows_the_deciding_estimate_and_names_the_states() -> None:
    """Under the probability criterion a what-if showed ISR's deterrence flip while both
    printed probabilities (this run's trials) sat above the confidence; the deciding
    estimate has its own row now, equal to the evaluator's on each scenario. Labels with
    A and B name the dyad's states, since diff's own columns are headed A and B."""
    from equipoise.analysis.evaluator import evaluate_scenario
    from equipoise.analysis.overrides import override
    from equipoise.analysis.policy import CRITERION_COLUMN

    rule = {"deterrence.criterion": "probability", "deterrence.confidence": 0.025}
    scenario = override("west-asia-2024", rule)
    result = equipoise.whatif(scenario, add=["IRN.lr-sam=+1"], trials=2000, seed=1)
    rows = result.rows()
    deciding = next(r for r in rows if r["column"] == CRITERION_COLUMN and r["state"] == "IRN")
    before = evaluate_scenario(scenario, seed=1).values["p_retaliation_a"][0, 0]
    # --add IRN.lr-sam=+1 on a holding of units only: the same as 5 units
    after_scenario = override(scenario, {"states.IRN.inventory.lr-sam.units": 5})
    after = evaluate_scenario(after_scenario, seed=1).values["p_retaliation_a"][0, 0]
    trials = scenario.deterrence.trials
    assert deciding["before"] == pytest.approx(before, abs=0.5 / trials)
    assert deciding["after"] == pytest.approx(after, abs=0.5 / trials)
    assert deciding["before"] < 0.025 <= deciding["after"]
    isr = next(r for r in rows if r["column"] == "deterred" and r["state"] == "ISR")
    assert (isr["before"], isr["after"]) == (False, True)
    labels = {r["metric"] for r in rows}
    assert "P(Iran prevails), Israel strikes first" in labels
    assert not any(re.search(r"\b[AB]\b", label) for label in labels)
    status = next(r for r in rows if r["column"] == "status_named")
    assert status["before"] == "only Iran deterred"


def test_calibration_shows_the_sources_its_reported_shares_rest_on() -> None:
    """The 'reported' column of ua-air-defence-record comes from the record: text and
    JSON carry the scenario's ``sources.ua-air-defence`` (Ivaniuk 2026, ODC-BY 1.0, and
    the caveat), as the HTML report does; west-asia-2024's one case cites two keys
    joined by ';' ('april-2024-composition; april-2024-interception', its YAML), and
    the uncited 'seed-article' stays out."""
    scenario = equipoise.load_scenario("ua-air-defence-record")
    result = equipoise.analyze(scenario, trials=20, seed=1)
    assert result.calibration_sources == {"ua-air-defence": scenario.sources["ua-air-defence"]}
    record = result.calibration_sources["ua-air-defence"]
    assert "ODC-BY 1.0" in record
    assert "not independently verified" in record
    text = analysis_text(result)
    after = text[text.index("Calibration against reported attacks") :]
    assert f"  source ua-air-defence: {record}" in after
    assert result.to_dict()["calibration_sources"] == {"ua-air-defence": record}
    west = equipoise.analyze("west-asia-2024", trials=20, seed=1)
    assert list(west.calibration_sources) == ["april-2024-composition", "april-2024-interception"]
    assert "about 99 %" in west.to_dict()["calibration_sources"]["april-2024-interception"]
    levant = equipoise.analyze("levant-2018", trials=20, seed=1)
    assert levant.to_dict()["calibration_sources"] == {}
