"""Claims of uncertain credibility: Bayes arithmetic, possible worlds, value of information."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise import load_scenario
from equipoise.analysis.claims import (
    analyze_claims,
    claim_items,
    claim_posteriors,
    load_claims,
    value_of_information,
)
from equipoise.analysis.deliveries import apply_items
from equipoise.analysis.evaluator import evaluate_scenario
from equipoise.analysis.metrics import DYAD_ARRAYS
from equipoise.domain.claims import DEFAULT_LIKELIHOOD_RATIOS, ClaimsBlock
from equipoise.engines.worlds import group_posteriors
from equipoise.errors import ScenarioError
from tests.cli import expect_file_error, run

SCENARIO = load_scenario("west-asia-2024")


def block(items: dict[str, Any], **extra: Any) -> ClaimsBlock:
    return ClaimsBlock.model_validate({"items": items, **extra})


def claim(
    prior: float, *sources: tuple[str, str | None], package: str = "RUS.lr-sam-battery"
) -> dict[str, Any]:
    return {
        "statement": "test claim",
        "delivery": {"recipient": "IRN", "package": package},
        "prior": prior,
        "sources": [
            {"kind": kind, "reference": f"source {i}", "dependency_group": group}
            for i, (kind, group) in enumerate(sources)
        ],
    }


def test_bayes_arithmetic_single_claim_by_hand() -> None:
    """Prior 0.3, sources with LR 1.3 and 1.5: odds 3/7 × 1.95 = 0.835714..., P = odds/(1+odds)."""
    result = claim_posteriors(
        block(
            {
                "c": claim(
                    0.3,
                    ("unverified_social_media_reports", None),
                    ("consistent_with_confirmed_deliveries", None),
                )
            }
        )
    )[0]
    expected_odds = (0.3 / 0.7) * 1.3 * 1.5
    assert result.evidence == pytest.approx(1.95)
    assert result.posterior == pytest.approx(expected_odds / (1 + expected_odds), abs=1e-12)
    assert "prior odds 0.4286 × 1.3 × 1.5 = posterior odds 0.8357" in result.arithmetic()


def test_dependent_sources_count_once() -> None:
    """Two sources of one origin (LR 5 and 2): only the more informative (5) counts."""
    result = claim_posteriors(
        block(
            {
                "c": claim(
                    0.5, ("several_independent_outlets", "wire"), ("single_credible_outlet", "wire")
                )
            }
        )
    )[0]
    assert result.evidence == pytest.approx(5.0)
    assert [t.counted for t in result.terms] == [True, False]
    assert any("not counted again" in note for note in result.notes)
    assert result.posterior == pytest.approx(5 / 6)


def test_evidence_against_lowers_the_posterior() -> None:
    """A fabricated attribution (LR 0.5) halves the odds: prior 0.2 -> odds 0.125 -> P 1/9."""
    result = claim_posteriors(block({"c": claim(0.2, ("attribution_not_found", None))}))[0]
    assert result.posterior == pytest.approx(0.125 / 1.125)


def test_mutually_exclusive_claims_by_hand() -> None:
    """Priors 0.3 and 0.2 (none 0.5), evidence 2 and 1: weights 0.6, 0.2 and 0.5,
    so P = 0.6/1.3 and 0.2/1.3."""
    items = {
        "s300": claim(0.3, ("single_credible_outlet", None)),
        "s400": claim(0.2, package="RUS.ew-complex"),
    }
    result = claim_posteriors(block(items, exclusive=[["s300", "s400"]]))
    assert result[0].posterior == pytest.approx(0.6 / 1.3)
    assert result[1].posterior == pytest.approx(0.2 / 1.3)
    assert result[0].exclusive_with == ("s400",)
    assert np.allclose(group_posteriors([0.3], [2.0]), [(0.3 / 0.7 * 2) / (1 + 0.3 / 0.7 * 2)])


@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_certain_priors_do_not_move(prior: float) -> None:
    result = claim_posteriors(
        block({"c": claim(prior, ("official_confirmation", None), ("attribution_not_found", None))})
    )[0]
    assert result.posterior == prior
    assert "certain" in result.arithmetic()


@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_certain_claim_reduces_to_the_scenario_without_or_with_the_delivery(prior: float) -> None:
    """With the claim certainly false (true), the world analysis is exactly the single-scenario
    assessment without (with) the delivery: one world, identical numbers."""
    claims = block({"c": claim(prior, ("single_unverified_image", None))})
    analysis = analyze_claims(SCENARIO, claims, seed=4, probabilities=False)
    assert analysis.worlds.truth.shape[0] == 1
    assert analysis.worlds.probability[0] == 1.0
    items = claim_items(SCENARIO, claims)
    direct = evaluate_scenario(apply_items(SCENARIO, items, [prior]))
    for name in DYAD_ARRAYS:
        assert np.allclose(
            analysis.metrics.values[name], direct.values[name], equal_nan=True, rtol=0, atol=1e-12
        ), name


def test_enumeration_and_sampling_agree_within_sampling_error() -> None:
    """Forcing sampling (a tiny enumeration limit) reproduces the exact world averages."""
    exact = analyze_claims(SCENARIO, SCENARIO.claims, seed=2, probabilities=False)
    assert SCENARIO.claims is not None
    sampled_block = SCENARIO.claims.model_copy(
        update={"max_enumerated_worlds": 1, "sampled_worlds": 20_000}
    )
    sampled = analyze_claims(SCENARIO, sampled_block, seed=2, probabilities=False)
    assert exact.worlds.exact
    assert not sampled.worlds.exact
    for name in ("fsa_a", "dealt_a", "retaliation_a", "survivability_b", "range_low"):
        values = getattr(exact.metrics, name)[:, 0]
        weights = exact.worlds.probability
        mean = float(np.dot(values, weights))
        sd = math.sqrt(float(np.dot((values - mean) ** 2, weights)))
        estimate = float(np.dot(getattr(sampled.metrics, name)[:, 0], sampled.worlds.probability))
        assert abs(estimate - mean) <= 4 * sd / math.sqrt(20_000) + 1e-12, name
    # the marginal probability of each claim, too
    for index in range(exact.worlds.truth.shape[1]):
        p = float(np.dot(exact.worlds.truth[:, index], exact.worlds.probability))
        q = float(np.dot(sampled.worlds.truth[:, index], sampled.worlds.probability))
        assert abs(p - q) <= 4 * math.sqrt(p * (1 - p) / 20_000)
        assert p == pytest.approx(exact.claims[index].posterior)


def test_world_probabilities_are_a_distribution() -> None:
    analysis = analyze_claims(SCENARIO, seed=1, probabilities=False)
    assert analysis.worlds.truth.shape == (8, 3)
    assert analysis.worlds.probability.sum() == pytest.approx(1.0)


priors = st.floats(0.0, 1.0)
kinds = st.sampled_from(sorted(DEFAULT_LIKELIHOOD_RATIOS))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            priors,
            kinds,
            st.sampled_from(
                [
                    "RUS.lr-sam-battery",
                    "RUS.ew-complex",
                    "RUS.strike-squadron",
                    "RUS.mrbm-battalion",
                ]
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_value_of_information_is_never_negative(specs: list[tuple[float, str, str]]) -> None:
    """Property: learning a claim's truth never has negative expected value (both measures),
    and a claim whose truth is already certain is worth nothing."""
    items = {
        f"c{i}": claim(p, (kind, None), package=package)
        for i, (p, kind, package) in enumerate(specs)
    }
    analysis = analyze_claims(SCENARIO, block(items), seed=0, probabilities=False)
    for value in value_of_information(analysis):
        assert value.mutual_deterrence_change >= 0.0
        assert value.fsa_variance_reduction >= 0.0
        if value.probability in (0.0, 1.0):
            assert value.mutual_deterrence_change == 0.0
            assert value.fsa_variance_reduction == 0.0


def test_retaliation_probabilities_per_world_are_seeded() -> None:
    first = analyze_claims(SCENARIO, seed=9, trials_per_world=64)
    again = analyze_claims(SCENARIO, seed=9, trials_per_world=64)
    assert np.array_equal(first.retaliation_probability_a, again.retaliation_probability_a)
    assert ((first.retaliation_probability_a >= 0) & (first.retaliation_probability_a <= 1)).all()


def test_claims_command_shows_the_arithmetic_and_flags() -> None:
    code, out, _ = run("claims", "west-asia-2024")
    assert code == 0
    assert "prior odds" in out
    assert "posterior odds" in out
    assert "flag: source origin 'transport-flight-reports'" in out
    code, out, _ = run("claims", "west-asia-2024", "--value-of-information", "--format", "json")
    data = json.loads(out)
    assert data["ranked_by"].startswith("expected absolute change")
    assert len(data["value_of_information"]) == 3


def test_analyze_with_claims_reports_distributions(tmp_path: Path) -> None:
    code, out, _ = run("analyze", "west-asia-2024", "--claims")
    assert code == 0
    assert "possible worlds" in out
    assert "P(mutual deterrence)" in out
    claims_file = tmp_path / "claims.yaml"
    claims_file.write_text(
        "claims:\n  items:\n    sam:\n      statement: two batteries delivered\n"
        "      delivery: {recipient: IRN, package: lr-sam-battery, quantity: 2}\n"
        "      prior: 0.5\n      sources:\n"
        "        - {kind: satellite_imagery, reference: imagery}\n"
    )
    code, out, _ = run(
        "analyze", "west-asia-2024", "--claims", str(claims_file), "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["worlds"]["count"] == 2
    assert data["claims"][0]["posterior"] == pytest.approx(8 / 9)
    code, out, _ = run("analyze", "levant-2018", "--claims")
    assert code == 2


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("      prior: 0.3\n", "      prior: 1.3\n", "claims.items.ad-to-iran.prior"),
        (
            "        - kind: single_unverified_image",
            "        - kind: single_unverified_photo",
            "claims.items.ew-to-iran.sources[1].kind",
        ),
        (
            "package: RUS.lr-sam-battery, quantity: 2}",
            "package: RUS.s-400, quantity: 2}",
            "claims.items.ad-to-iran.delivery.package",
        ),
        (
            "delivery: {recipient: IRN, package: RUS.ew-complex",
            "delivery: {recipient: IRQ, package: RUS.ew-complex",
            "claims.items.ew-to-iran.delivery.recipient",
        ),
    ],
)
def test_bad_claims_in_a_scenario(tmp_path: Path, old: str, new: str, field: str) -> None:
    expect_file_error(tmp_path, "west-asia-2024", old, new, field, "claims")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("  exclusive:\n    - [a, b]\n    - [b, c]\n", "already in exclusive group"),
        ("  exclusive:\n    - [a, b, c]\n", "priors summing to 1.2"),
        ("  exclusive:\n    - [a]\n", "at least two different claims"),
        ("  exclusive:\n    - [a, zz]\n", "unknown claim 'zz'"),
    ],
)
def test_contradictory_declarations_in_a_claims_file(
    tmp_path: Path, extra: str, message: str
) -> None:
    items = "".join(
        f"    {name}:\n      statement: {name}\n"
        "      delivery: {recipient: IRN, package: ew-complex}\n"
        f"      prior: 0.4\n"
        for name in ("a", "b", "c")
    )
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  items:\n" + items + extra)
    with pytest.raises(ScenarioError, match=message):
        load_claims(path, SCENARIO)
    code, _, err = run("claims", "west-asia-2024", "--claims", str(path))
    assert code == 2
    assert message in err
    assert f"{path}:" in err


def test_claims_file_naming_a_missing_state_or_system(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(
        "claims:\n  items:\n    x:\n      statement: s\n"
        "      delivery: {recipient: SYR, systems: {lr-sam: {units: 1}}}\n      prior: 0.5\n"
        "    y:\n      statement: s\n"
        "      delivery: {recipient: IRN, systems: {s500: {units: 1}}}\n"
        "      prior: 0.5\n"
    )
    code, _, err = run("claims", "west-asia-2024", "--claims", str(path), "--value-of-information")
    assert code == 2
    assert "claims.items.x.delivery.recipient" in err
    assert f"{path}:5" in err


def test_world_rows_take_their_names_and_labels_from_the_registry() -> None:
    """Claims output called metrics by its own labels ('bargaining range low', 'P(retaliation
    >= ...)'); every row now carries the registry's column and label, and the status rows
    name the states as every other table does: by their names in the scenario, as
    `analyze` does ('only Iran deterred'), not their codes."""
    from equipoise.analysis.claims import analyze_claims
    from equipoise.analysis.metrics import BY_NAME

    rows = analyze_claims("west-asia-2024", seed=1, trials_per_world=50).rows()
    assert rows
    statuses = {"neither", "only Iran deterred", "only Israel deterred", "mutual deterrence"}
    for row in rows:
        if row["column"] == "status":
            assert row["metric"][2:-1] in statuses, row
            continue
        registered = BY_NAME[row["column"]].label
        assert row["metric"] in (registered, f"P({registered})"), row
    columns = {row["column"] for row in rows}
    assert {"retaliation_damage", "retaliation_probability", "deterred", "status"} <= columns
    assert {"bargaining_low", "bargaining_high", "bargaining_closed"} <= columns


def test_a_mean_outside_its_credible_interval_is_explained() -> None:
    """Over weighted worlds a mean can leave its 5-95 % interval (ISR's retaliation damage
    in west-asia-2024: mean 99.988, interval [100, 100], pulled by worlds of under 5 %
    probability); the table says so exactly when it happens."""
    from equipoise.analysis.claims import analyze_claims
    from equipoise.report.claims import worlds_text

    analysis = analyze_claims("west-asia-2024", seed=1, trials_per_world=50)
    frame = analysis.to_frame()
    outside = (frame["mean"] < frame["low"] - 1e-9) | (frame["mean"] > frame["high"] + 1e-9)
    row = frame[outside & (frame["column"] == "retaliation_damage")].iloc[0]
    assert (row["state"], row["low"], row["high"]) == ("ISR", 100.0, 100.0)
    assert row["mean"] < 100.0
    assert "A mean outside its interval is no error" in worlds_text(analysis)


def test_a_claims_file_shows_all_its_problems_and_a_claims_fix(tmp_path: Path) -> None:
    """`equipoise validate` reads scenarios only (a claims file there gets false problems:
    missing title, classes...), so a claims file with several problems lists them all
    instead of sending the reader to it, and an empty one is told what a claims file
    holds (the 'claims:' block of `equipoise show west-asia-2024`), not to start a
    scenario."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "claims:\n  items:\n    x:\n      statement: a delivery\n"
        "      delivery: {recipient: IRN, package: RUS.lr-sam-battery, quantity: 2}\n"
        "      prior: 7\n      bogus: 2\n"
    )
    code, _, err = run("claims", "west-asia-2024", "--claims", str(path))
    assert code == 2
    assert "claims.items.x.prior" in err
    assert "claims.items.x.bogus" in err
    assert "validate" not in err
    assert "more problem" not in err
    validate = run("validate", str(path))[2]
    assert "title" in validate  # the false problems the old hint led to
    empty = tmp_path / "empty.yaml"
    empty.write_text("\n")
    code, _, err = run("claims", "west-asia-2024", "--claims", str(empty))
    assert code == 2
    assert "the file is empty" in err
    assert "a claims file holds one 'claims:' block" in err
    assert "> my.yaml" not in err
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    assert "'claims:' block" in run("claims", "west-asia-2024", "--claims", str(listed))[2]


def test_a_value_of_information_zero_up_to_float_error_prints_as_zero() -> None:
    """ew-to-iran changes no world's first-strike advantage (two worlds that differ only
    in its truth have the same FSA), so by the law of total variance learning its truth
    removes none of Var(FSA): the reduction is exactly 0. The subtraction of equal
    variances left 1.93e-34, which the table printed; values below 1e-12 of their
    column's largest now print (text) and are tabled (HTML report) as 0."""
    from equipoise.analysis.claims import claims_report_from
    from equipoise.report.claims import claims_text, zero_float_error

    analysis = analyze_claims(load_scenario("west-asia-2024"), seed=1, probabilities=False)
    index = [c.name for c in analysis.claims].index("ew-to-iran")
    truth = analysis.worlds.truth.astype(bool)
    fsa = (analysis.metrics.fsa_a + analysis.metrics.fsa_b) / 2
    others = np.delete(truth, index, axis=1)
    for world in np.flatnonzero(truth[:, index]):
        partner = np.flatnonzero((others == others[world]).all(axis=1) & ~truth[:, index])
        assert partner.size == 1
        np.testing.assert_allclose(fsa[world], fsa[partner[0]], rtol=1e-12, atol=0)
    value = {v.claim: v for v in value_of_information(analysis)}
    assert abs(value["ew-to-iran"].fsa_variance_reduction) < 1e-12 * max(
        abs(v.fsa_variance_reduction) for v in value.values()
    )
    text = claims_text(claims_report_from(analysis))
    row = next(line for line in text.splitlines() if line.split()[1:2] == ["ew-to-iran"])
    assert row.split()[-1] == "0", row
    cleaned = zero_float_error([3.4e-4, -2.7e-6, 1.9e-34, None, math.nan])
    assert cleaned[:4] == [3.4e-4, -2.7e-6, 0.0, None]
    assert math.isnan(cleaned[4])  # type: ignore[arg-type]
    assert zero_float_error([0.0, 0.0]) == [0.0, 0.0]
