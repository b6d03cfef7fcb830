"""Regression tests for issue 13: every cause the fuzzing campaign found, with its reproducer.

Each test feeds the input that used to end in a traceback, a hang or a silently
accepted nonsense value, and checks that it now ends in one located message (file,
line, field or flag, and a fix) with exit status 2, within the limits that
``equipoise`` states (docs: README "Reliability").
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.analysis.dynamics import fit_lanchester, fit_richardson
from equipoise.data import resolve_state
from equipoise.domain.loading import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    builtin_text,
    load_scenario,
    parse_yaml,
    read_text_file,
    resolve_source,
    scenario_from_text,
    scenario_problems,
)
from equipoise.domain.references import MAX_TOTAL_COUNT, reference_problems
from equipoise.domain.series import read_series
from equipoise.engines.dynamics import (
    RichardsonCoefficients,
    simulate_lanchester,
    simulate_richardson,
)
from equipoise.errors import EquipoiseError, InputError, ScenarioError
from tests.cli import run


class Timeout(BaseException):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO, a device, an alias bomb)."""

    def expire(signum: int, frame: Any) -> None:
        raise Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def refused(args: list[str], *expected: str) -> str:
    """Run the command line; it must exit 2 with one message holding ``expected``."""
    with time_limit(60):
        code, _, err = run(*args)
    assert code == 2, err
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    for text in expected:
        assert text in err, (text, err)
    return err


def edited(tmp_path: Path, old: str, new: str, scenario: str = "levant-2018") -> tuple[Path, int]:
    """A built-in scenario with one edit, and the line of the edit."""
    text = builtin_text(scenario)
    assert old in text, old
    path = tmp_path / "edited.yaml"
    path.write_text(text.replace(old, new, 1))
    return path, text[: text.index(old)].count("\n") + 1


# --- RecursionError @ loading.parse_yaml: deep nesting, self-referencing aliases ----------


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n",
        "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x: 1\n",
        "- " * 500 + "x\n",
    ],
)
def test_deep_nesting_is_refused_at_its_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    err = refused(["validate", str(path)], f"{path}:", f"more than {MAX_DEPTH} levels")
    assert "fix:" in err


def test_self_referencing_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: x\nloop: &a [1, *a]\n")
    refused(["validate", str(path)], f"{path}:2:", "refers to the node that contains it")


def test_long_text_repeated_by_aliases_is_held_once() -> None:
    """A 99,000-character text repeated by 9,000 aliases (a 135 kB file) was copied once
    per alias (2 GB for 19,990 of them); it is now one string, and an error about the
    list that repeats it shows only the list's start."""
    long = "x" * 99_000
    parsed = parse_yaml(f"a: &a {long}\nb: &b\n" + "- *a\n" * 9_000 + "title: *b\n", "t")
    items = parsed.data["b"]
    assert items[0] == long
    assert all(item is items[0] for item in items)
    _, problems = scenario_problems(parsed)
    title = next(problem for problem in problems if problem.field == "title")
    assert title.message.startswith('expected text, got ["xxxx')
    assert len(title.message) < 100


# --- hangs: billion laughs, /dev/zero, /dev/urandom, a FIFO ------------------------------


def billion_laughs(levels: int = 10) -> str:
    """The classic alias bomb: 9^levels strings from a few hundred bytes."""
    text = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n"
    return text


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    """Used to grow past 600 MB before being killed; now refused in well under a second."""
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs())
    start = time.perf_counter()
    refused(["analyze", str(path)], f"{path}:", "an alias bomb stops here")
    assert time.perf_counter() - start < 5


def test_merge_keys_and_small_aliases_still_work() -> None:
    parsed = parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n", "t")
    assert parsed.data["other"] == {"x": 1, "y": 3}
    assert parsed.data["list"] == [{"x": 1, "y": 2}] * 2


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_without_reading(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    start = time.perf_counter()
    refused(["analyze", device], device, "not a regular file")
    assert time.perf_counter() - start < 5


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    refused(["validate", str(fifo)], str(fifo), "not a regular file")
    series = tmp_path / "pipe.csv"
    os.mkfifo(series)
    refused(["attrition", "--fit", str(series)], str(series), "not a regular file")


def test_files_over_the_size_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * (MAX_FILE_BYTES + 1))
    refused(["validate", str(path)], str(path), "the limit for a scenario file is 10 MB")


# --- TypeError @ loading (dict comprehension): non-text mapping keys ----------------------


@pytest.mark.parametrize(
    ("key", "shown"),
    [("1", "got 1"), ("null", "got null"), ("true", "got true"), ("3.5", "got 3.5")],
)
def test_non_text_keys_are_refused_with_their_line(tmp_path: Path, key: str, shown: str) -> None:
    path, line = edited(tmp_path, "      md-sam: {units: 10}\n", f"      {key}: {{units: 10}}\n")
    refused(["validate", str(path)], f"{path}:{line}:", "states.SYR.inventory", shown, "quote it")


@pytest.mark.parametrize("key", ["? [a, b]\n: 1\n", "[1, 2]: 3\n", "? {a: 1}\n: 2\n"])
def test_complex_keys_are_refused(tmp_path: Path, key: str) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("name: x\n" + key)
    refused(["validate", str(path)], f"{path}:2:", "a key must be text")


def test_odd_inventory_entries_give_problems_not_type_errors() -> None:
    """The cross-reference checks see raw data: field names of mixed types must not crash."""
    problems = reference_problems(
        {
            "classes": {"mrbm": {"kind": "ballistic_missile", "damage": 1}},
            "states": {"A": {"inventory": {"mrbm": {1: 5, None: 2, "launchers": 2}}}},
        }
    )
    assert any("needs 'rounds'" in p.message for p in problems)


# --- tags, NUL bytes, truncated files ----------------------------------------------------


@pytest.mark.parametrize(
    "tag", ["!!timestamp 2024-04-13", "!!python/object:os.system x", "!!binary aGk=", "!custom x"]
)
def test_non_plain_tags_are_refused_in_text_fields(tmp_path: Path, tag: str) -> None:
    path, line = edited(tmp_path, "    name: Syria\n", f"    name: {tag}\n")
    refused(["validate", str(path)], f"{path}:{line}:", "YAML tag", "remove the tag")


def test_a_nul_byte_names_its_line(tmp_path: Path) -> None:
    path, line = edited(tmp_path, "    name: Syria\n", "    name: Sy\x00ria\n")
    refused(["validate", str(path)], f"{path}:{line}:", "NUL byte")


def test_a_file_truncated_inside_a_character_names_its_line(tmp_path: Path) -> None:
    data = builtin_text("levant-2018").encode() + "title: é".encode()[:-1]
    path = tmp_path / "cut.yaml"
    path.write_bytes(data)
    line = data.count(b"\n") + 1
    refused(["validate", str(path)], f"{path}:{line}:", "not UTF-8", "ends in the middle")


def test_invalid_utf8_in_a_series_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"day,US,Japan\n0,1,2\n1,\xff,2\n")
    refused(["attrition", "--fit", str(path)], f"{path}:3:", "not UTF-8")


@given(st.text(max_size=300))
def test_parse_yaml_raises_only_equipoise_errors(text: str) -> None:
    """Invariant: any text at all either parses or gives a ScenarioError (never a crash)."""
    try:
        parse_yaml(text, "t")
    except ScenarioError as error:
        problems = error.problems
    else:
        problems = [None]
    assert problems


# --- IndexError @ data.resolve_state -----------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", "²", "x" * 500])
def test_odd_state_codes_are_input_errors(name: str) -> None:
    with pytest.raises(InputError):
        resolve_state(name)


def test_an_empty_capability_state_is_located(tmp_path: Path) -> None:
    path, line = edited(
        tmp_path,
        "    capability: {source: nmc, year: 2016}\n",
        '    capability: {source: nmc, year: 2016, state: ""}\n',
    )
    refused(["validate", str(path)], f"{path}:{line}:", "states.SYR.capability")


# --- OverflowError @ analysis supply decisions: tiny costs, huge budgets -------------------


def test_a_package_cost_too_small_to_divide_by_is_refused(tmp_path: Path) -> None:
    path, line = edited(tmp_path, "        cost: 500\n", "        cost: 1.0e-300\n")
    refused(["recommend", str(path)], f"{path}:{line}:", "cost", "at least 1e-06")


def test_the_smallest_cost_and_largest_budget_give_finite_decisions(tmp_path: Path) -> None:
    """At the stated limits (cost 1e-6, budget 1e9) the plan space is still finite."""
    from equipoise.analysis.deliveries import decisions

    text = builtin_text("levant-2018").replace("cost: 500", "cost: 1.0e-6", 1)
    text = text.replace("budget: {total: 2500, per_year: 1500}", "budget: {total: 1.0e9}", 1)
    path = tmp_path / "cheap.yaml"
    path.write_text(text)
    found = decisions(load_scenario(path))
    assert found
    assert all(1 <= d.max_quantity <= 100 for d in found)


# --- ValueError @ salvo sampling and map axes: counts the validation let through ----------


def test_total_counts_beyond_the_samplers_limit_are_refused(tmp_path: Path) -> None:
    """numpy's hypergeometric sampler needs totals below 10^9; the scenario limit is 10^8."""
    path, _ = edited(
        tmp_path,
        "      shorad: {units: 30}\n",
        "      shorad: {units: 30, interceptors: 10000000}\n",
    )
    text = path.read_text().replace(
        "srbm: {launchers: 24, rounds: 200}", "srbm: {launchers: 9000000, rounds: 10000000}"
    )
    extra = "{system: srbm, launchers: 1000000, rounds: 10000000}"
    for index in range(9):
        text = text.replace(
            "      md-sam: {units: 10}\n",
            f"      md-sam: {{units: 10}}\n      extra-{index}: {extra}\n",
            1,
        )
    path.write_text(text)
    refused(["analyze", str(path)], str(path), f"the limit is {MAX_TOTAL_COUNT:,}")


def test_no_scenario_reaches_the_samplers_limit() -> None:
    """The ValueError in engines/salvo.py draw_without_replacement came from populations
    of 10^9 and more (NumPy's hypergeometric sampler refuses them). The engine stays a
    pure function; what keeps users away from that limit is the scenario check above:
    every count a scenario can hold, in total, is below it, so no file or flag reaches
    the sampler with such a population."""
    from equipoise.engines.salvo import draw_without_replacement

    rng = np.random.default_rng(0)
    assert 2 * MAX_TOTAL_COUNT < 10**9
    taken = draw_without_replacement(
        rng, np.array([[MAX_TOTAL_COUNT, MAX_TOTAL_COUNT]]), np.array([10])
    )
    assert int(taken.sum()) == 10
    with pytest.raises(ValueError, match="ngood"):
        draw_without_replacement(rng, np.array([[2_000_000_000, 5]]), np.array([10]))


def _at_the_count_limit(extra_holdings: int) -> str:
    """levant-2018 with every class firing its whole magazine in one wave, SYR holding
    10^7 rounds (the most one holding may have) and ISR ``extra_holdings + 1`` times
    that, scored by the stochastic criterion, so the exchange samples every trial."""
    text = builtin_text("levant-2018")
    text = re.sub(
        r"rounds_per_launcher_per_wave: \d+", "rounds_per_launcher_per_wave: 10000000", text
    )
    text = text.replace(
        "srbm: {launchers: 30, rounds: 200}", "srbm: {launchers: 1, rounds: 10000000}", 1
    )
    big = "{system: strike-sortie, launchers: 1, rounds: 10000000}"
    text = text.replace(
        "strike-sortie: {launchers: 100, rounds: 900}",
        "strike-sortie: {launchers: 1, rounds: 10000000}"
        + "".join(f"\n      sorties-{i}: {big}" for i in range(extra_holdings)),
        1,
    )
    return text.replace("dyads:\n", "deterrence: {criterion: probability}\ndyads:\n", 1)


def test_the_largest_scenario_keeps_every_draw_below_the_samplers_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The population of a draw (engines/salvo.py draw_without_replacement) is the
    threats arriving at a layer in one wave: at most what the striker fires, at most
    its rounds, at most MAX_TOTAL_COUNT (10^8) in a valid scenario, a tenth of the
    sampler's 10^9. Checked on a scenario at the limit (one more holding of 10^7
    rounds is refused), each launcher firing 10^7 rounds a wave: the largest
    population drawn from is below MAX_TOTAL_COUNT."""
    import equipoise
    from equipoise.engines import salvo

    with pytest.raises(ScenarioError, match=f"the limit is {MAX_TOTAL_COUNT:,}"):
        scenario_from_text(_at_the_count_limit(8), "over.yaml")
    scenario = scenario_from_text(_at_the_count_limit(7), "limit.yaml")
    populations: list[int] = []
    draw = salvo.draw_without_replacement

    def measured(rng: np.random.Generator, counts: Any, draws: Any) -> Any:
        populations.append(int(np.asarray(counts).sum(axis=1).max()))
        return draw(rng, counts, draws)

    monkeypatch.setattr(salvo, "draw_without_replacement", measured)
    equipoise.analyze(scenario, trials=20)
    assert max(populations) > MAX_TOTAL_COUNT / 2  # the draws do see the huge salvoes
    assert max(populations) <= MAX_TOTAL_COUNT < 10**9


def test_map_axes_whose_largest_cell_no_file_could_hold_are_refused(tmp_path: Path) -> None:
    """Reproducers: a valid scenario at the limits, mapped over ISR's 10^7-round
    strike sorties up to 10^7 launchers (the most --x-range takes), sent 10^14 rounds
    to NumPy's hypergeometric sampler (ValueError: ngood and nbad must be less than
    10^9); a class SYR does not hold, at 10^7 rounds a launcher a wave, failed to build
    its holding (pydantic ValidationError). Both are now refused as the loader refuses
    such a file, naming the field; a range a file could hold still maps."""
    path = tmp_path / "limit.yaml"
    path.write_text(_at_the_count_limit(0))
    command = ["map", str(path), "--dyad", "SYR:ISR", "--y", "ISR.upper-tier-bmd"]
    command += ["--steps", "2", "--no-fsa"]
    refused(
        [*command, "--x", "ISR.strike-sortie", "--x-range", "0:10000000"],
        "the map's largest cell (ISR.strike-sortie 10,000,000 and ISR.upper-tier-bmd",
        "states.ISR.inventory.strike-sortie.rounds: must be at most 10000000",
        "fix: narrow the axis ranges",
    )
    refused(
        [*command, "--x", "SYR.strike-sortie", "--x-range", "0:10"],
        "states.SYR.inventory.strike-sortie.rounds: must be at most 10000000",
    )
    code, out, err = run(*command, "--x", "ISR.strike-sortie", "--x-range", "0:1")
    assert code == 0, err
    assert "ISR.strike-sortie" in out


def test_python_map_axes_far_beyond_the_counts_are_input_errors() -> None:
    """Reproducer of the ValueError in analysis/mapping.py (``_vary``) on axis values from
    Python: it either maps or gives an input error, never a ValueError."""
    import equipoise

    scenario = equipoise.load_scenario("west-asia-2024")
    with suppress(EquipoiseError):
        equipoise.deterrence_map(
            scenario,
            "IRN",
            "ISR",
            equipoise.AxisSpec("IRN", "mrbm", equipoise.axis_values(0, 1e300, 3)),
            equipoise.AxisSpec("ISR", "upper-tier-bmd", equipoise.axis_values(0, 4, 3)),
            first_strike_advantage=False,
        )


# --- OSError: directories, missing files, bad output paths -------------------------------


def test_directories_and_missing_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_text_file(tmp_path, "scenario file")
    with pytest.raises(InputError, match="no such"):
        resolve_source(tmp_path / "nothing.yaml")
    with pytest.raises(InputError, match="is a directory"):
        read_series(tmp_path, ("day",), time="day")
    with pytest.raises(InputError):
        resolve_source(str(tmp_path / ("x" * 300)) + ".yaml")


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.yaml"
    path.write_text("name: x\n")
    path.chmod(0)
    refused(["validate", str(path)], str(path), "permission denied")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("{dir}", "is a directory"),
        ("{dir}/no/such/dir/out.json", "cannot write"),
        ("{dir}/" + "x" * 300 + ".json", "cannot write"),
        ("{dir}/fifo", "pipe"),
    ],
)
def test_bad_output_paths_are_refused(tmp_path: Path, target: str, expected: str) -> None:
    os.mkfifo(tmp_path / "fifo")
    refused(["schema", "-o", target.replace("{dir}", str(tmp_path)), "--force"], expected)


def test_existing_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    out.write_text("mine")
    refused(["schema", "-o", str(out)], "already exists", "--force")
    assert out.read_text() == "mine"


# --- silently accepted: flags -------------------------------------------------------------

MAP = ["map", "west-asia-2024", "--dyad", "IRN:ISR", "--x", "IRN.mrbm", "--y", "ISR.upper-tier-bmd"]


@pytest.mark.parametrize("span", ["0:nan", "nan:10", "0:inf", "0:1e308", "-inf:3"])
def test_map_ranges_must_be_finite_counts(span: str) -> None:
    refused([*MAP, "--x-range", span, "--no-fsa", "--steps", "3"], "--x-range", "fix:")
    refused([*MAP, "--y-range", span, "--no-fsa", "--steps", "3"], "--y-range", "fix:")


def test_whatif_quantity_beyond_the_limit_is_refused() -> None:
    refused(
        ["whatif", "west-asia-2024", "--deliver", "IRN:lr-sam-batteryx99999999999999999999"],
        "--deliver",
        "above the limit of 1000",
    )


@pytest.mark.parametrize("weights", ["cost=1e308", "mutual=nan", "fsa=inf", "range=-1"])
def test_recommend_weights_must_be_finite_and_bounded(weights: str) -> None:
    refused(["recommend", "west-asia-2024", "--weights", weights], "--weights", "fix:")


@pytest.mark.parametrize("value", ["nan", "inf", "0", "1e9"])
def test_recommend_time_limit_must_be_finite(value: str) -> None:
    refused(["recommend", "west-asia-2024", "--time-limit", value], "--time-limit")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "1e308"])
def test_balance_exponent_must_be_finite_and_positive(value: str) -> None:
    refused(["balance", "ISR", "IRN", "--exponent", value], "--exponent")


# --- silently accepted: series ------------------------------------------------------------


def test_a_duplicated_series_column_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("day,US,Japan,US\n0,10,20,11\n1,9,19,10\n2,8,18,9\n3,7,17,8\n")
    refused(["attrition", "--fit", str(path)], f"{path}:1:", "column 'US' appears 2 times")


def test_columns_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("day,US,Japan,japan\n0,10,20,11\n1,9,19,10\n2,8,18,9\n")
    refused(["attrition", "--fit", str(path)], f"{path}:1:", "differ only in case")


def test_years_around_1e20_are_refused(tmp_path: Path) -> None:
    rows = "".join(f"{10**20 + i},{10 + i},{12 + i}\n" for i in range(6))
    path = tmp_path / "s.csv"
    path.write_text("year,IRN,ISR\n" + rows)
    refused(["arms-race", "west-asia-2024", "--fit", str(path)], f"{path}:2:", "out of range")


def test_levels_far_beyond_any_budget_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("day,US,Japan\n0,1e300,20\n1,9,19\n2,8,18\n")
    refused(["attrition", "--fit", str(path)], f"{path}:2:", "out of range")


# --- fits scale: 2,000 rows in seconds ------------------------------------------------------


def test_richardson_fit_of_2000_years_is_fast_and_recovers_coefficients() -> None:
    """Parameter recovery on synthetic data from Richardson's (1960) equations, 2,000 years
    (used to be killed at 30 s): noiseless data give the coefficients back."""
    truth = RichardsonCoefficients(0.2, 0.15, 0.3, 0.25, 1.0, 2.0)
    path = simulate_richardson(truth, 10.0, 15.0, 1999)[0]
    start = time.perf_counter()
    fit = fit_richardson(np.arange(2000.0), path[:, 0], path[:, 1])
    assert time.perf_counter() - start < 20
    for name, value in zip("klabgh", (0.2, 0.15, 0.3, 0.25, 1.0, 2.0), strict=True):
        assert fit.estimate(name) == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize("law", ["square", "linear"])
def test_lanchester_fit_of_2000_days_is_fast_and_recovers_coefficients(law: str) -> None:
    """Parameter recovery on Lanchester (1916) battles simulated over 2,000 days (used to
    be killed at 30 s), with reinforcements so that neither side is annihilated."""
    alpha, beta = (0.002, 0.003) if law == "square" else (2e-7, 3e-7)
    rates = np.full((1, 1999), 20.0)
    path = simulate_lanchester(
        10_000,
        8_000,
        alpha,
        beta,
        1999,
        law=law,
        reinforce_a=rates,
        reinforce_b=rates,
        steps_per_day=10,
    )[0]
    start = time.perf_counter()
    fit = fit_lanchester(
        np.arange(2000.0), path[:, 0], path[:, 1], np.full(2000, 20.0), np.full(2000, 20.0), law=law
    )
    assert time.perf_counter() - start < 20
    assert fit.estimate("alpha") == pytest.approx(alpha, rel=1e-4)
    assert fit.estimate("beta") == pytest.approx(beta, rel=1e-4)


def test_fit_json_stays_finite_on_wild_data(tmp_path: Path) -> None:
    """A series that cannot be fitted well still gives a finite answer or an input error."""
    rng = np.random.default_rng(3)
    rows = "".join(
        f"{1990 + i},{v:.3f},{w:.3f}\n" for i, (v, w) in enumerate(rng.random((40, 2)) * 1e12)
    )
    path = tmp_path / "s.csv"
    path.write_text("year,IRN,ISR\n" + rows)
    with time_limit(60):
        code, out, err = run("arms-race", "west-asia-2024", "--fit", str(path), "--format", "json")
    assert code in (0, 2), err
    if code == 0:
        assert all(math.isfinite(p["estimate"]) for p in json.loads(out)["parameters"])


def test_files_with_too_many_values_are_refused_quickly(tmp_path: Path) -> None:
    """A 10 MB file of short lines used to keep the YAML reader busy for minutes."""
    path = tmp_path / "keys.yaml"
    path.write_text("".join(f"k{i}: {i}\n" for i in range(100_000)))
    start = time.perf_counter()
    refused(["validate", str(path)], str(path), f"at most {MAX_NODES:,} values")
    assert time.perf_counter() - start < 10


def test_very_long_lines_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_text("title: " + "x" * 200_000 + "\n")
    refused(["validate", str(path)], f"{path}:1", "characters; the limit is")


# --- the record readers (found by the long fuzz profile, seed 1) ---------------------------

DATA = Path(__file__).parent / "data"


def test_interception_record_with_a_repeated_column_is_refused(tmp_path: Path) -> None:
    """AttributeError in the reader when the header names a column twice (23 fuzz cases)."""
    lines = (DATA / "ua-mini.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace("destroyed,not_reach_goal", "destroyed,destroyed", 1)
    path = tmp_path / "repeated.csv"
    path.write_text("".join(lines), encoding="utf-8")
    code, _, err = run("interception", "record", str(path))
    assert code == 2, err
    assert f"{path}:1:" in err
    assert "more than once" in err


def test_register_without_an_uncertainty_column_is_refused(tmp_path: Path) -> None:
    """KeyError 'ordered_uncertain' when a blank-named '?' column is deleted (3 cases)."""
    raw = (DATA / "sipri-mini.csv").read_bytes()
    header = b"Recipient,Supplier,Year of order, ,Number ordered, ,"
    assert header in raw
    path = tmp_path / "register.csv"
    path.write_bytes(raw.replace(header, b"Recipient,Supplier,Year of order, ,Number ordered,", 1))
    code, _, err = run("transfers", "--register", str(path))
    assert code == 2, err
    assert "'Number ordered'" in err
    assert "fix:" in err


def test_register_with_an_infinite_number_is_refused(tmp_path: Path) -> None:
    """OverflowError when a TIV field reads 'inf' (1 case)."""
    raw = (DATA / "sipri-mini.csv").read_bytes()
    deal = b"For S-400 SAM systems,0.9,225,225"
    assert deal in raw
    path = tmp_path / "register.csv"
    path.write_bytes(raw.replace(deal, b"For S-400 SAM systems,0.9,inf,225", 1))
    code, _, err = run("transfers", "--register", str(path))
    assert code == 2, err
    assert "not a finite number" in err


def test_calibration_case_with_an_empty_attack_is_refused(tmp_path: Path) -> None:
    """ZeroDivisionError in the calibration replay of an attack that launches nothing
    (the long fuzz profile, seed 1, case 8578)."""
    from tests.cli import expect_file_error

    expect_file_error(
        tmp_path,
        "west-asia-2024",
        "  attack: {owa-drone: 170, lacm: 30, mrbm: 120}",
        "  attack: {}",
        "attack",
        "analyze",
    )
