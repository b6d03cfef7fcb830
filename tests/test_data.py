"""Correlates of War capabilities: CINC against the data set's own column, names, balance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise import data
from equipoise.analysis.balance import balance, parse_years
from equipoise.errors import InputError

# The CSV stores cinc to about 9 significant digits; recomputation agrees to that.
ABSOLUTE_TOLERANCE = 5e-8
RELATIVE_TOLERANCE = 2e-7


def test_recomputed_cinc_equals_the_data_sets_column_for_every_state_year() -> None:
    """Singer, Bremer & Stuckey (1972): mean of the six shares over non-missing indicators.

    Checked against NMC v6.0's own `cinc` column for all 15,951 state-years.
    """
    frame = data.nmc()
    assert len(frame) == 15_951
    recomputed = data.cinc(frame)
    published = frame["cinc"]
    assert recomputed.notna().all()
    difference = (recomputed - published).abs()
    assert (difference <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * published.abs()).all(), (
        frame.loc[difference.idxmax(), ["stateabb", "year"]].to_dict(),
        float(difference.max()),
    )


def test_the_cinc_a_scenario_cites_is_the_data_sets_own_column() -> None:
    """Scenario files look CINC up without pandas (equipoise.data.capability); every
    state-year it returns is the NMC file's own ``cinc`` cell, read by pandas."""
    from equipoise.data import _cinc_by_state, _raw_nmc

    frame = _raw_nmc()
    looked_up = _cinc_by_state()
    assert sum(len(years) for years in looked_up.values()) == len(frame)
    for ccode, year, value in zip(frame["ccode"], frame["year"], frame["cinc"], strict=True):
        assert looked_up[int(ccode)][int(year)] == float(value)


def test_missing_values_follow_the_codebook() -> None:
    """-9 means missing: never a value, and left out of both the totals and the mean."""
    frame = data.nmc()
    for column in data.COMPONENTS:
        assert not (frame[column] == -9).any()
    raw = frame.copy()
    raw[list(data.COMPONENTS)] = raw[list(data.COMPONENTS)].fillna(-9)
    assert np.allclose(data.cinc(raw), data.cinc(frame))
    # a state-year missing military expenditure averages the other five shares
    row = frame.index[frame["milex"].isna()][0]
    year = frame.loc[row, "year"]
    same_year = frame[frame["year"] == year]
    shares = [frame.loc[row, c] / same_year[c].sum() for c in data.COMPONENTS if c != "milex"]
    assert data.cinc(frame).loc[row] == pytest.approx(np.mean(shares), rel=1e-12)


@given(
    values=st.lists(
        st.lists(st.floats(0, 1e6, allow_nan=False), min_size=6, max_size=6), min_size=2, max_size=6
    )
)
def test_cinc_of_any_frame_is_a_share_that_sums_to_one(values: list[list[float]]) -> None:
    """Property: each state's CINC is in [0, 1] and a year's CINCs sum to 1 when no indicator is
    missing and every total is positive."""
    frame = pd.DataFrame(values, columns=list(data.COMPONENTS))
    frame["year"] = 2000
    result = data.cinc(frame)
    assert ((result >= 0) | result.isna()).all()
    if (frame[list(data.COMPONENTS)].sum() > 0).all():
        assert result.sum() == pytest.approx(1.0)


def test_cinc_needs_the_six_indicators() -> None:
    with pytest.raises(InputError, match="missing columns"):
        data.cinc(pd.DataFrame({"year": [2000], "milex": [1.0]}))


@pytest.mark.parametrize(
    ("name", "ccode"),
    [
        ("ISR", 666),
        ("isr", 666),
        ("666", 666),
        (666, 666),
        ("IRN", 630),
        ("DEU", 255),
        ("GMY", 255),
        ("VNM", 816),
        ("DRV", 816),
        ("GBR", 200),
        ("UKG", 200),
        ("AUT", 305),
        ("AUL", 900),
    ],
)
def test_states_resolve_by_cow_abbreviation_code_or_iso3(name: str | int, ccode: int) -> None:
    assert data.resolve_state(name).ccode == ccode


@pytest.mark.parametrize("name", ["AUS", "SWZ", "CZE", "SLV", "MNG", "KOR"])
def test_ambiguous_codes_are_refused_with_both_readings(name: str) -> None:
    with pytest.raises(InputError, match="ambiguous") as info:
        data.resolve_state(name)
    assert "CoW" in info.value.message
    assert "write" in info.value.fix


def test_unknown_state_suggests_the_closest() -> None:
    with pytest.raises(InputError, match="unknown state") as info:
        data.resolve_state("ISRL")
    assert "ISR" in info.value.fix


def test_every_state_in_the_data_has_a_name_record() -> None:
    frame = data.nmc()
    known = {s.ccode for s in data.states()}
    assert set(frame["ccode"]) == known


def test_balance_contest_probability_and_ratio() -> None:
    result = balance("ISR", "IRN", (2000, 2016), exponent=2.0)
    frame = result.to_frame()
    assert list(frame["year"]) == list(range(2000, 2017))
    a, b = frame["ISR_cinc"], frame["IRN_cinc"]
    assert np.allclose(frame["capability_ratio"], a / b)
    assert np.allclose(frame["p_ISR_prevails"], a**2 / (a**2 + b**2))
    for component in data.COMPONENTS:
        assert f"ISR_{component}_share" in frame.columns
    published = data.nmc().set_index(["ccode", "year"])["cinc"]
    assert a.iloc[-1] == published.loc[(666, 2016)]


def test_balance_input_errors() -> None:
    with pytest.raises(InputError, match="outside the data"):
        balance("ISR", "IRN", (1990, 2030))
    with pytest.raises(InputError, match="same year"):
        balance("BAV", "ISR")
    with pytest.raises(InputError, match="both names are ISR"):
        balance("ISR", "666")
    with pytest.raises(InputError, match="FIRST-LAST"):
        parse_years("nineties")
    assert parse_years("2016") == (2016, 2016)
