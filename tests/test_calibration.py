"""The West Asia scenario against the reported 13-14 April 2024 attack (DOMAIN.md §8).

Reported: about 170 one-way attack drones, 30 cruise missiles and 120 ballistic
missiles; the defenders reported about 99 % intercepted (IDF statement, 14 April
2024, widely carried by news agencies). The scenario's calibration block states a
band of ±3 percentage points; the model's neutralised share must land inside it.
"""

from __future__ import annotations

import pytest

from equipoise import analyze, load_scenario

REPORTED_SHARE = 0.99
BAND = 0.03


def test_april_2024_attack_lands_within_the_stated_band() -> None:
    scenario = load_scenario("west-asia-2024")
    case = scenario.calibration[0]
    assert dict(case.attack) == {"owa-drone": 170, "lacm": 30, "mrbm": 120}
    assert case.reported_neutralised_share == REPORTED_SHARE
    assert case.tolerance == BAND
    result = analyze(scenario, trials=4000, seed=1)
    check = result.calibration[0]
    assert check.launched == 320
    assert check.within_band
    assert check.model.expected_value is not None
    assert abs(check.model.expected_value - REPORTED_SHARE) <= BAND
    assert abs(check.model.mean - REPORTED_SHARE) <= BAND
    # the draws and the mean-field form agree closely for this unsaturated raid
    assert check.model.mean == pytest.approx(check.model.expected_value, abs=0.005)


def test_band_is_meaningful() -> None:
    """Without the coalition's assets the same raid falls outside the band."""
    scenario = load_scenario("west-asia-2024")
    alone = scenario.model_copy(update={"backers": {}})
    check = analyze(alone, trials=500, seed=1).calibration[0]
    assert not check.within_band
