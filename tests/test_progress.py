"""Progress of long runs (issue 12): every long entry point takes ``progress`` (a callable
receiving the units done, or ``True`` for a bar), the units add up to the total its
``*_units`` function states up front, and reporting them changes no number. On the
command line the bars go to stderr, only in a terminal, so json and csv stdout stay clean.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar
from unittest.mock import patch

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.analysis import policy as policies
from equipoise.analysis import supply
from equipoise.analysis.assess import analysis_units, analyze
from equipoise.analysis.policies import PolicyWeights, parse_policy
from equipoise.analysis.sensitivity import sensitivity, variants_for
from equipoise.analysis.settings import RunSettings
from equipoise.analysis.supply import (
    TIME_UNITS_PER_SECOND,
    PlanSpace,
    enumerate_plans,
    local_search,
    local_search_units,
    search,
    search_units,
)
from equipoise.analysis.sweep import run_design, sweep, sweep_design
from equipoise.cli import main as cli_main
from equipoise.domain.loading import load_scenario
from equipoise.report.html import build_report, report_units
from tests.cli import run

RUN = RunSettings(trials=40, seed=3)
MRBM = "states.IRN.inventory.mrbm.launchers"
ADD = "ISR.upper-tier-bmd=+2"
WIDE = f"{MRBM}=100:300"


class Counter:
    """A progress hook that keeps every count it receives."""

    def __init__(self) -> None:
        self.counts: list[int] = []

    def __call__(self, done: int) -> None:
        self.counts.append(done)

    def check(self, total: int) -> None:
        """Positive counts only (so the bar never goes back), adding up to ``total``."""
        assert self.counts, "no progress reported"
        assert all(count > 0 for count in self.counts), self.counts
        assert sum(self.counts) == total


def _same(a: Any, b: Any) -> bool:
    """Equal results: frames cell by cell (NaN equal to NaN), else as JSON text."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        return True
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _without_timings(data: Any) -> Any:
    """A result's dict without the search's wall-clock seconds (which no seed fixes)."""
    if isinstance(data, dict):
        return {k: _without_timings(v) for k, v in data.items() if k != "seconds"}
    if isinstance(data, list):
        return [_without_timings(v) for v in data]
    return data


# Each case: a run given a progress hook, its stated total, and how to compare results.
West = load_scenario("west-asia-2024")
Levant = load_scenario("levant-2018")
VARIES, VALUES = sweep_design(West, [f"{MRBM}=100:300:3"])

CASES: dict[str, tuple[Callable[[Any], Any], Callable[[], int]]] = {
    "analyze": (
        lambda hook: analyze(Levant, RUN, progress=hook).to_dict(),
        lambda: analysis_units(Levant, RUN),
    ),
    "whatif": (
        lambda hook: policies.whatif(West, add=[ADD], settings=RUN, progress=hook).to_dict(),
        lambda: policies.comparison_units(West, RUN),
    ),
    "recommend": (
        lambda hook: _without_timings(
            policies.recommend(Levant, settings=RUN, progress=hook).to_dict()
        ),
        lambda: policies.recommend_units(Levant, "balancer", RUN),
    ),
    "recommend, local search": (
        lambda hook: _without_timings(
            policies.recommend(
                West, settings=RUN, method="local", time_limit=30.0, progress=hook
            ).to_dict()
        ),
        lambda: policies.recommend_units(West, "balancer", RUN, method="local", time_limit=30.0),
    ),
    "compare_policies": (
        lambda hook: policies.compare_policies(West, settings=RUN, progress=hook).to_dict(),
        lambda: policies.compare_policies_units(West, RUN),
    ),
    "diff": (
        lambda hook: policies.diff(West, West, RUN, progress=hook).to_dict(),
        lambda: policies.diff_units(West, West, RUN),
    ),
    "sweep": (
        lambda hook: sweep(West, [f"{MRBM}=100:300:3"], trials=20, progress=hook),
        lambda: 3,
    ),
    "run_design": (
        lambda hook: run_design(West, VARIES, VALUES, chunk_size=1, progress=hook),
        lambda: len(VALUES),
    ),
    "sensitivity": (
        lambda hook: sensitivity(West, [f"{MRBM}=100:300"], method="oat", progress=hook).to_dict(),
        lambda: variants_for("oat", 1, 16),
    ),
    "report": (
        lambda hook: build_report(West, RUN, progress=hook).data.to_dict(),
        lambda: report_units(West, RUN),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_progress_counts_reach_the_stated_total_and_change_nothing(name: str) -> None:
    """The hook gets positive counts adding up to the stated total; the result is the
    one a run without progress gives, same seed."""
    result_of, total = CASES[name]
    counter = Counter()
    with_progress = result_of(counter)
    counter.check(total())
    assert _same(with_progress, result_of(None))


@pytest.mark.parametrize("name", ["whatif", "sweep", "recommend"])
def test_progress_true_draws_a_bar_on_stderr_only(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``progress=True`` is the same run with a tqdm bar (a widget in a notebook): it
    writes to stderr, reaching the stated total, and never to stdout."""
    result_of, total = CASES[name]
    with_bar = result_of(True)
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{total()}/{total()}" in err
    assert _same(with_bar, result_of(None))


def test_enumeration_counts_every_plan_considered() -> None:
    """Enumeration reports the plans of each batch, feasible or not: the space's size."""
    space = PlanSpace.of(Levant)
    policy = parse_policy(Levant, "balancer")
    counter = Counter()
    outcome = enumerate_plans(space, policy, PolicyWeights(), counter)
    counter.check(search_units(Levant, policy))
    assert sum(counter.counts) >= outcome.evaluated  # infeasible plans are counted too
    plain = enumerate_plans(space, policy, PolicyWeights())
    assert (outcome.quantities == plain.quantities).all()
    assert (outcome.score, outcome.evaluated) == (plain.score, plain.evaluated)


def test_local_search_reports_its_time_limit_in_trial_sized_units() -> None:
    """A local search reports its limit used, in units of about one trial's time (so a bar
    over a search and the trials after it moves evenly; it was milliseconds, each worth
    some 140 trials), never past the limit, and the rest when it stops early (at a local
    optimum after its restarts)."""
    space = PlanSpace.of(West)
    policy = parse_policy(West, "balancer")
    counter = Counter()
    outcome = local_search(space, policy, PolicyWeights(), time_limit=30.0, progress=counter)
    counter.check(local_search_units(30.0))
    assert local_search_units(30.0) == 30 * TIME_UNITS_PER_SECOND
    assert outcome.seconds < 15.0  # stopped early: the last count was the remainder
    assert search_units(West, policy, method="local", time_limit=30.0) == 30 * 100_000


def test_a_search_with_nothing_to_search_counts_one() -> None:
    counter = Counter()
    search(West, "abstain", PolicyWeights(), progress=counter)
    counter.check(search_units(West, "abstain"))
    assert counter.counts == [1]


# --- the command line ----------------------------------------------------------------------


class FakeBar:
    """Stands in for click.progressbar: records its length, label and updates."""

    made: ClassVar[list[FakeBar]] = []

    def __init__(self, *, length: int, label: str, file: Any) -> None:
        self.length, self.label, self.file, self.done = length, label, file, 0
        FakeBar.made.append(self)

    def __enter__(self) -> FakeBar:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def update(self, done: int) -> None:
        assert done > 0
        self.done += done
        assert self.done <= self.length


COMMANDS: dict[str, tuple[list[str], str]] = {
    "whatif": (["whatif", "west-asia-2024", "--add", ADD, "--format", "json"], "json"),
    "recommend": (["recommend", "levant-2018", "--format", "csv"], "csv"),
    "compare-policies": (["compare-policies", "west-asia-2024", "--format", "json"], "json"),
    "diff": (["diff", "west-asia-2024", "west-asia-2024", "--format", "csv"], "csv"),
    "sweep": (["sweep", "west-asia-2024", "--vary", f"{MRBM}=100:300:3"], "csv"),
    "sensitivity": (
        ["sensitivity", "west-asia-2024", "--method", "oat", "--format", "json", "--vary", WIDE],
        "json",
    ),
}


def _parses(out: str, kind: str) -> None:
    if kind == "json":
        json.loads(out)
    else:
        assert len(pd.read_csv(io.StringIO(out))) > 0


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize("terminal", [True, False])
def test_cli_bars_go_to_stderr_in_a_terminal_only(
    name: str, terminal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a terminal a bar on stderr runs to its full length; elsewhere there is none;
    either way stdout is clean json or csv."""
    args, kind = COMMANDS[name]
    FakeBar.made = []
    monkeypatch.setattr(cli_main, "PROGRESS_THRESHOLD", 1)
    monkeypatch.setattr(cli_main, "stderr_is_terminal", lambda: terminal)
    monkeypatch.setattr(cli_main.click, "progressbar", FakeBar)
    code, out, err = run(*args, *([] if name.startswith("s") else ["--trials", "30"]))
    assert code == 0, err
    _parses(out, kind)
    if not terminal:
        assert FakeBar.made == []
        return
    assert len(FakeBar.made) == 1
    bar = FakeBar.made[0]
    assert bar.done == bar.length > 0
    assert bar.file is not cli_main.sys.stdout


def test_a_run_refused_by_its_own_checks_draws_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar opens on the first work done: whatif with nothing to deliver prints its
    error in a terminal without an empty 0 % bar before it."""
    FakeBar.made = []
    monkeypatch.setattr(cli_main, "PROGRESS_THRESHOLD", 1)
    monkeypatch.setattr(cli_main, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(cli_main.click, "progressbar", FakeBar)
    code, _, err = run("whatif", "west-asia-2024", "--trials", "30")
    assert code == 2
    assert "whatif needs a --deliver or an --add" in err
    assert FakeBar.made == []


def test_report_command_shows_its_bar_in_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's bar runs to the stated total on stderr; stdout stays empty (the
    non-terminal case is the same helper as the commands above)."""
    FakeBar.made = []
    monkeypatch.setattr(cli_main, "PROGRESS_THRESHOLD", 1)
    monkeypatch.setattr(cli_main, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(cli_main.click, "progressbar", FakeBar)
    target = str(tmp_path / "r.html")
    code, out, err = run("report", "west-asia-2024", "-o", target, "--trials", "30")
    assert code == 0, err
    assert out == ""
    (bar,) = FakeBar.made
    assert bar.done == bar.length == report_units(West, RunSettings(trials=30))


def test_short_runs_show_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the threshold (about two seconds of trials) a terminal gets no bar."""
    FakeBar.made = []
    monkeypatch.setattr(cli_main, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(cli_main.click, "progressbar", FakeBar)
    code, _, err = run("whatif", "west-asia-2024", "--add", ADD, "--trials", "30")
    assert code == 0, err
    assert FakeBar.made == []


def test_the_bar_draws_fractions_on_a_terminal_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real click bar, on a stream that says it is a terminal: fractions to 100 %."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    monkeypatch.setattr(cli_main.sys, "stderr", stream)
    with cli_main.progress_bar(lambda: 4, "testing", threshold=1) as advance:
        assert advance is not None
        for _ in range(4):
            advance(1)
    text = stream.getvalue()
    assert "testing" in text
    assert "100%" in text


@settings(max_examples=200, deadline=None)
@given(
    limit=st.floats(0.001, 100.0),
    steps=st.lists(st.floats(0.0, 200.0), max_size=30).map(sorted),
)
def test_a_time_share_never_goes_back_nor_past_its_limit(limit: float, steps: list[float]) -> None:
    """Whatever the clock reads at each step (past the limit too), the counts are
    positive, never add up past the limit's milliseconds, and reach it when done."""
    counter = Counter()
    clock = iter([0.0, *steps])
    with patch.object(supply.time, "perf_counter", lambda: next(clock)):
        share = supply._TimeShare(supply.time.perf_counter(), limit, counter)
        for _ in steps:
            share.report()
            assert sum(counter.counts) <= local_search_units(limit)
    share.finish()
    counter.check(local_search_units(limit))
