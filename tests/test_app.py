"""The explorer (issue 16): its pure computation, and the app in a real headless Chromium.

The unit tests check that every panel shows what the library's Python API gives for
the same scenario, and the claims' conditioning against Bayes' rule by hand. The
end-to-end tests start ``equipoise app`` on a free loopback port and drive it with
Playwright and Shiny's own test controllers; they skip (saying why) where Shiny,
Playwright or the distribution's Chromium is not installed.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.analysis.claims import claim_items, claim_posteriors
from equipoise.analysis.deliveries import apply_items, apply_plan, plan_problems
from equipoise.analysis.evaluator import evaluate_scenario
from equipoise.analysis.metrics import (
    DYAD_METRICS,
    SIDE_METRICS,
    in_words,
    status_label,
)
from equipoise.app.model import (
    MAX_UPLOAD_BYTES,
    View,
    changes,
    compute,
    conditioned_posteriors,
    edit_scenario,
    edited,
    fmt,
    holding_count,
    read_upload,
    sliders,
    try_delivery,
)
from equipoise.cli.main import cli
from equipoise.domain.loading import builtin_text, dump_scenario, load_scenario, scenario_from_text
from equipoise.errors import ScenarioError

SCENARIO = load_scenario("west-asia-2024")
A, B = "IRN", "ISR"
NAMES = ("Iran", "Israel")  # the states' names in west-asia-2024.yaml, as analyze shows them
SLIDERS = sliders(SCENARIO, A, B)


# --- the pure functions ------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(index=st.integers(0, len(SLIDERS) - 1), fraction=st.floats(0, 1))
def test_slider_edit_sets_the_count_and_keeps_the_rest(index: int, fraction: float) -> None:
    """A slider sets one holding's launchers (or units) and scales its rounds and
    interceptors in proportion, as a map axis does; nothing else changes and the
    loaded scenario is untouched (a modified copy)."""
    slider = SLIDERS[index]
    count = round(fraction * slider.maximum)
    before = dump_scenario(SCENARIO)
    changed = edit_scenario(SCENARIO, {(slider.party, slider.key): count})
    assert dump_scenario(SCENARIO) == before
    assert holding_count(changed, slider.party, slider.key) == count
    old = SCENARIO.party_inventory(slider.party)[slider.key]
    new = changed.party_inventory(slider.party)[slider.key]
    if old.rounds and old.launchers and count:
        assert abs(new.rounds / count - old.rounds / old.launchers) <= 0.5 / count + 1e-12
    for other in SLIDERS:
        if (other.party, other.key) != (slider.party, slider.key):
            assert (
                changed.party_inventory(other.party)[other.key]
                == (SCENARIO.party_inventory(other.party)[other.key])
            )
    assert edit_scenario(SCENARIO, {(slider.party, slider.key): slider.value}) == SCENARIO


def _api_value(metrics: Any, name: str) -> float:
    return float(metrics.values[name][0, 0])


def test_table_rows_are_the_evaluators_numbers() -> None:
    """Every row of the metrics table is evaluate_scenario's value for the loaded and the
    edited scenario, labelled from the metric registry."""
    counts = {("ISR", "upper-tier-bmd"): 7, ("IRN", "mrbm"): 150}
    damage = {"ISR": 6.0}
    result = compute(View(SCENARIO, counts=counts, unacceptable_damage=damage))
    after = edit_scenario(SCENARIO, counts, damage)
    assert result.scenario == after
    api_before, api_after = evaluate_scenario(SCENARIO), evaluate_scenario(after)
    rows = {(r.metric, r.state): r for r in result.rows}
    for metric in SIDE_METRICS:
        for state, name in zip((A, B), metric.arrays, strict=False):
            row = rows[(metric.label, state)]
            if metric.name == "deterred":
                assert row.after == ("yes" if _api_value(api_after, name) else "no")
            else:
                assert row.today == _api_value(api_before, name)
                assert row.after == _api_value(api_after, name)
    for metric in DYAD_METRICS:
        row = rows[(in_words(metric.label, *NAMES), f"{A}-{B}")]
        if metric.name == "status":
            expected = status_label(
                bool(_api_value(api_after, "a_deterred")), bool(_api_value(api_after, "b_deterred"))
            )
            assert row.after == in_words(expected, *NAMES)
        elif metric.name != "bargaining_closed":
            assert row.after == _api_value(api_after, metric.arrays[0])
    assert len(rows) == len(result.rows)


def test_table_names_the_states_as_analyze_does() -> None:
    """The app's table names the dyad's states as `analyze` does ('only Iran deterred',
    DyadAssessment.status_named), in the status and in the labels that say A and B; the
    state column keeps the codes."""
    from equipoise.analysis.assess import analyze

    result = compute(View(SCENARIO))
    rows = {r.metric: r for r in result.rows}
    assert rows["P(Iran prevails), Iran strikes first"].state == f"{A}-{B}"
    assert rows["P(Iran prevails), Israel strikes first"].state == f"{A}-{B}"
    assessed = analyze(SCENARIO, trials=50, seed=1).dyad(A, B)
    assert rows["deterrence status"].today == assessed.status_named
    assert assessed.status_named in {
        "neither",
        "mutual deterrence",
        *(f"only {n} deterred" for n in NAMES),
    }
    assert not any(code in str(r.today) for r in result.rows for code in (A, B))
    assert result.worlds is not None
    worlds = {r["metric"] for r in result.worlds.rows() if r["column"] == "status"}
    assert {"P(only Iran deterred)", "P(only Israel deterred)"} <= worlds


def test_second_dyad_reads_its_own_column() -> None:
    """In a scenario with two dyads, the table of the second is evaluate_scenario's
    second column, and edits made for one dyad are listed and kept for the other."""
    levant = load_scenario("levant-2018")
    counts = {("SYR", "srbm"): 40}
    result = compute(View(levant, dyad=1, counts=counts))
    assert (result.a, result.b) == ("SYR", "TUR")
    api = evaluate_scenario(edit_scenario(levant, counts))
    label = next(m.label for m in SIDE_METRICS if m.name == "retaliation_damage")
    rows = {(r.metric, r.state): r.after for r in result.rows}
    assert rows[(label, "SYR")] == float(api.values["retaliation_a"][0, 1])
    assert rows[(label, "TUR")] == float(api.values["retaliation_b"][0, 1])
    assert changes(View(levant, dyad=1, counts=counts)) == ["SYR.srbm: 24 -> 40"]


def test_map_point_agrees_with_the_scenario_evaluation() -> None:
    """The map's edited point lies on its grid, and the status the map gives there (the
    evaluator's linear batch over the axis holdings) is the status evaluate_scenario
    gives the edited scenario directly: two paths through the evaluator agree."""
    x, y = ("IRN", "mrbm"), ("ISR", "upper-tier-bmd")
    for counts in ({}, {y: 9}, {x: 33, y: 0}, {x: 240, y: 14}):
        view = View(SCENARIO, counts=counts, plan={("RUS", "lr-sam-battery", "IRN"): 2}, x=x, y=y)
        result = compute(view)
        assert result.today_point == (120.0, 3.0)
        assert result.after_point == (float(counts.get(x, 120)), float(counts.get(y, 3)))
        assert result.map.x.values.size >= 41
        metrics = evaluate_scenario(result.scenario, first_strike=False)
        expected = status_label(
            bool(_api_value(metrics, "a_deterred")), bool(_api_value(metrics, "b_deterred"))
        )
        assert result.map.status_at(*result.after_point) == expected


def test_claims_conditioning_is_bayes_rule() -> None:
    """Assumed true: posterior 1; assumed false: 0; in an exclusive group the others are
    renormalised, P(a | not b) = P(a) / (1 - P(b)) (Bayes' rule, by hand)."""
    assert SCENARIO.claims is not None
    plain = {p.name: p.posterior for p in claim_posteriors(SCENARIO.claims)}
    got = {p.name: p.posterior for p in conditioned_posteriors(SCENARIO, {})}
    assert got == pytest.approx(plain)
    modes = {"ad-to-iran": "true", "ew-to-iran": "false"}
    got = {p.name: p.posterior for p in conditioned_posteriors(SCENARIO, modes)}  # type: ignore[arg-type]
    assert got == pytest.approx({**plain, "ad-to-iran": 1.0, "ew-to-iran": 0.0})

    block = SCENARIO.claims.model_copy(update={"exclusive": (("ad-to-iran", "ew-to-iran"),)})
    grouped = SCENARIO.model_copy(update={"claims": block})
    p = {c.name: c.posterior for c in claim_posteriors(block)}
    got = {c.name: c.posterior for c in conditioned_posteriors(grouped, {"ew-to-iran": "false"})}
    assert got["ad-to-iran"] == pytest.approx(p["ad-to-iran"] / (1 - p["ew-to-iran"]))
    got = {c.name: c.posterior for c in conditioned_posteriors(grouped, {"ew-to-iran": "true"})}
    assert (got["ad-to-iran"], got["ew-to-iran"]) == (0.0, 1.0)


def test_weighted_claim_mean_is_the_two_worlds_mixture() -> None:
    """With two claims fixed and one weighted by its posterior p, a metric's mean over
    the worlds is p x (value with the claim true) + (1 - p) x (value without), each
    from evaluate_scenario on the scenario with the claims' deliveries applied."""
    assert SCENARIO.claims is not None
    modes = {"ad-to-iran": "true", "missiles-to-iran": "false"}
    result = compute(View(SCENARIO, claims=modes))  # type: ignore[arg-type]
    assert result.worlds is not None
    p = next(c.posterior for c in claim_posteriors(SCENARIO.claims) if c.name == "ew-to-iran")
    items = claim_items(SCENARIO, SCENARIO.claims)
    without = evaluate_scenario(apply_items(SCENARIO, items, [1, 0, 0]))
    with_claim = evaluate_scenario(apply_items(SCENARIO, items, [1, 1, 0]))
    assert result.scenario == apply_items(SCENARIO, items, [1, 0, 0])
    label = next(m.label for m in SIDE_METRICS if m.name == "retaliation_damage")
    row = next(r for r in result.worlds.rows() if r["metric"] == label and r["state"] == A)
    expected = p * _api_value(with_claim, "retaliation_a") + (1 - p) * _api_value(
        without, "retaliation_a"
    )
    assert row["mean"] == pytest.approx(expected)


def test_refused_delivery_keeps_the_plan_and_says_why() -> None:
    """A delivery across a supplier's red line is refused with plan_problems' reason; an
    allowed one joins the plan and the edited scenario is apply_plan's."""
    key = ("RUS", "mrbm-battalion", "IRN")
    plan, problems = try_delivery(SCENARIO, {}, key, 1)
    assert plan == {}
    assert problems == plan_problems(SCENARIO, {key: 1})
    assert any("red line" in p for p in problems)
    allowed = ("RUS", "lr-sam-battery", "IRN")
    plan, problems = try_delivery(SCENARIO, {}, allowed, 2)
    assert (plan, problems) == ({allowed: 2}, [])
    assert edited(View(SCENARIO, plan=plan)) == apply_plan(SCENARIO, plan)


def test_edited_scenario_round_trips_through_yaml() -> None:
    """What the download gives loads back, with the project's loader, equal."""
    view = View(
        SCENARIO,
        counts={("ISR", "upper-tier-bmd"): 5},
        unacceptable_damage={"IRN": 25.0},
        claims={"ad-to-iran": "true"},
        plan={("RUS", "ew-complex", "IRN"): 1},
    )
    scenario = edited(view)
    assert scenario_from_text(dump_scenario(scenario), "edited.yaml") == scenario


_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 8)
)
_BROKEN = builtin_text("levant-2018").replace("reliability: 0.8", "reliability: -1", 1)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name: x\n\xff\xfe\n", "mine.yaml:2:1: not UTF-8 text: byte 8"),
        (b"name: a\x00b\n", "mine.yaml:1:8: a NUL byte"),
        (b"a: " + b"[" * 100, "mine.yaml:1:36: brackets nested more than 32 levels deep"),
        (_BOMB.encode(), "the file holds more than 20,000 values"),
        ("x" * 200_000 + "\n", "mine.yaml:1: line 1 has 200,000 characters; the limit is 100,000"),
        (_BROKEN.encode(), "classes.srbm.reliability: must not be negative, got -1"),
        (b"", "mine.yaml: the file is empty"),
    ],
)
def test_upload_is_refused_as_validate_refuses_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | str, expected: str
) -> None:
    """An upload goes through the reader of files on disk (issue 13): the app shows,
    word for word, what `equipoise validate` prints for the same file, named by the
    upload's name, never by where the web server saved it."""
    data = content.encode() if isinstance(content, str) else content
    saved = tmp_path / "upload-0"
    saved.write_bytes(data)
    scenario, message = read_upload("mine.yaml", str(saved))
    assert scenario is None
    assert expected in message
    assert str(saved) not in message
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_bytes(data)
    result = CliRunner().invoke(cli, ["validate", "mine.yaml"])
    assert result.exit_code == 2
    assert message in result.stderr


def test_upload_over_the_apps_limit_is_refused_before_reading(tmp_path: Path) -> None:
    """The app takes at most MAX_UPLOAD_BYTES (a file on disk may have 10 MB): a larger
    upload is refused from its size, with the reader's message; one under it loads."""
    saved = tmp_path / "upload-0"
    saved.write_bytes(b"# padding\n" * (MAX_UPLOAD_BYTES // 10 + 1))
    scenario, message = read_upload("big.yaml", str(saved))
    assert scenario is None
    assert message.startswith("big.yaml: 1.0 MB; the limit for a scenario file is 1,000,000 bytes")
    saved.write_text(builtin_text("levant-2018"))
    scenario, message = read_upload("levant.yaml", str(saved))
    assert scenario == load_scenario("levant-2018")
    assert message == f"Loaded levant.yaml: {scenario.title}"


def test_cli_refuses_a_bad_scenario_before_serving() -> None:
    """`equipoise app` checks its scenario first: one error, exit status 2, no server."""
    result = CliRunner().invoke(cli, ["app", "no-such-scenario", "--port", "1"])
    assert result.exit_code == 2
    assert "no-such-scenario" in result.output
    assert "serving" not in result.output


def test_fmt() -> None:
    assert (fmt(math.nan), fmt("yes"), fmt(0.123456), fmt(1234.5)) == ("–", "yes", "0.1235", "1234")


# --- in a real browser -------------------------------------------------------------------

BOUND_MS = 15_000


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``equipoise app`` in a subprocess on a free loopback port, stopped at the end."""
    pytest.importorskip("shiny", reason="the app extra is not installed: pip install -e '.[app]'")
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "app.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "equipoise", "app", "west-asia-2024", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the app did not start: {log.read_text()}")
                time.sleep(0.2)
        assert f"at {url} " in log.read_text()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[app]'"
    )
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium: apt-get install chromium (Playwright's download is not used)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh session; every request it makes must stay on the loopback server."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    outside: list[str] = []

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(server):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    opened = context.new_page()
    opened.set_default_timeout(BOUND_MS)
    opened.goto(server)
    opened.wait_for_selector("#metrics table")
    opened.wait_for_selector("#map img")
    yield opened
    context.close()
    assert outside == [], f"the app asked the network for {outside}"


def _cell(page: Any, metric: str, state: str, column: int = 4) -> Any:
    return page.locator(f'#metrics tr[data-metric="{metric}"][data-state="{state}"] td').nth(
        column - 1
    )


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def test_browser_slider_moves_table_and_map(page: Any) -> None:
    """Moving ISR's upper-tier slider changes the table to evaluate_scenario's numbers and
    the map's edited point to the one deterrence_map gives for the same scenario."""
    from shiny.playwright import controller

    expect = _expect()
    controller.InputSelect(page, "y_axis").set("ISR|upper-tier-bmd")
    expect(page.locator("#map_points")).to_contain_text("ISR.upper-tier-bmd=3")
    index = next(s.index for s in SLIDERS if (s.party, s.key) == ("ISR", "upper-tier-bmd"))
    old_map = page.locator("#map img").get_attribute("src")
    controller.InputSlider(page, f"g0_h{index}").set("9")
    expect(page.locator("#changes")).to_have_text("Edits: ISR.upper-tier-bmd: 3 -> 9")
    view = View(SCENARIO, counts={("ISR", "upper-tier-bmd"): 9}, y=("ISR", "upper-tier-bmd"))
    result = compute(view)
    api = evaluate_scenario(edit_scenario(SCENARIO, {("ISR", "upper-tier-bmd"): 9}))
    label = next(m.label for m in SIDE_METRICS if m.name == "retaliation_damage")
    assert fmt(_api_value(api, "retaliation_a")) != _cell(page, label, A, column=3).inner_text()
    expect(_cell(page, label, A)).to_have_text(fmt(_api_value(api, "retaliation_a")))
    status = in_words(result.map.status_at(*result.after_point), *NAMES)
    expect(page.locator("#map_points")).to_contain_text(
        f"edited: IRN.mrbm=120, ISR.upper-tier-bmd=9, deterrence status there: {status}"
    )
    expect(page.locator("#map img")).not_to_have_attribute("src", old_map or "")


def test_browser_claim_assumed_true(page: Any) -> None:
    """Assuming a claim true puts its delivery in the edited column."""
    from shiny.playwright import controller

    assert SCENARIO.claims is not None
    controller.InputRadioButtons(page, "g0_claim0").set("true")
    _expect()(page.locator("#changes")).to_have_text("Edits: claim ad-to-iran assumed true")
    items = claim_items(SCENARIO, SCENARIO.claims)
    api = evaluate_scenario(apply_items(SCENARIO, items, [1, 0, 0]))
    label = next(m.label for m in SIDE_METRICS if m.name == "second_strike_survivability")
    loaded = fmt(_api_value(evaluate_scenario(SCENARIO), "survivability_a"))
    assert fmt(_api_value(api, "survivability_a")) != loaded
    _expect()(_cell(page, label, A, column=3)).to_have_text(loaded)
    _expect()(_cell(page, label, A)).to_have_text(fmt(_api_value(api, "survivability_a")))


def test_browser_refused_delivery_shows_the_red_line(page: Any) -> None:
    """A ballistic-missile package to Iran crosses the supplier's red line: refused, with
    plan_problems' reason, and nothing delivered."""
    from shiny.playwright import controller

    controller.InputSelect(page, "recipient").set("IRN")
    controller.InputSelect(page, "package").set("RUS.mrbm-battalion")
    page.click("#deliver")
    reason = plan_problems(SCENARIO, {("RUS", "mrbm-battalion", "IRN"): 1})[0]
    _expect()(page.locator("#refused")).to_contain_text(reason)
    _expect()(page.locator("#delivery_status")).to_contain_text("No what-if delivery.")


def test_browser_upload_checks_the_file(page: Any, tmp_path: Path) -> None:
    """An oversized file is refused; a broken one shows the loader's own located error
    (file:line:column, field, fix); a good one replaces the scenario in every panel."""
    broken = dump_scenario(SCENARIO).replace(
        "unacceptable_damage: 10.0", "unacceptable_damage: -1", 1
    )
    path = tmp_path / "broken.yaml"
    path.write_text(broken)
    with pytest.raises(ScenarioError) as caught:
        scenario_from_text(broken, "broken.yaml")
    rendered = caught.value.render(limit=None)
    line = broken.splitlines().index("    unacceptable_damage: -1") + 1
    assert rendered.startswith(f"broken.yaml:{line}:5: states.ISR.unacceptable_damage:")
    assert "fix:" in rendered
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 110_000)
    page.set_input_files("#upload", str(big))
    _expect()(page.locator("#upload_error")).to_contain_text(
        "big.yaml: 1.1 MB; the limit for a scenario file is 1,000,000 bytes"
    )
    page.set_input_files("#upload", str(path))
    error = page.locator("#upload_error")
    _expect()(error).to_contain_text("broken.yaml")
    assert error.inner_text().strip() == rendered.strip()

    good = tmp_path / "levant.yaml"
    good.write_text(builtin_text("levant-2018"))
    page.set_input_files("#upload", str(good))
    _expect()(page.locator("#upload_ok")).to_contain_text("Loaded levant.yaml")
    _expect()(page.locator("#scenario_title")).to_contain_text(load_scenario("levant-2018").title)
    api = evaluate_scenario(load_scenario("levant-2018"))
    label = next(m.label for m in SIDE_METRICS if m.name == "retaliation_damage")
    _expect()(_cell(page, label, "SYR", column=3)).to_have_text(
        fmt(_api_value(api, "retaliation_a"))
    )


def test_browser_download_loads_back_equal(page: Any, tmp_path: Path) -> None:
    """The downloaded YAML of the edited scenario loads back, with the project's loader,
    equal to the edited scenario built with the Python API."""
    from shiny.playwright import controller

    controller.InputRadioButtons(page, "g0_claim1").set("true")
    _expect()(page.locator("#changes")).to_have_text("Edits: claim ew-to-iran assumed true")
    assert SCENARIO.claims is not None
    items = claim_items(SCENARIO, SCENARIO.claims)
    expected = apply_items(SCENARIO, items, [0, 1, 0])
    label = next(m.label for m in SIDE_METRICS if m.name == "retaliation_damage")
    api = evaluate_scenario(expected)
    _expect()(_cell(page, label, B)).to_have_text(fmt(_api_value(api, "retaliation_b")))
    with page.expect_download() as info:
        page.click("#download_yaml")
    target = tmp_path / "edited.yaml"
    info.value.save_as(target)
    loaded = scenario_from_text(target.read_text(), "edited.yaml")
    if loaded != expected:
        import difflib

        diff = difflib.unified_diff(
            dump_scenario(expected).splitlines(), dump_scenario(loaded).splitlines(), lineterm=""
        )
        pytest.fail("\n".join(list(diff)[:60]))
    assert not np.isnan(_api_value(api, "retaliation_b"))


def test_browser_balancer_on_demand(page: Any) -> None:
    """The button runs the balancer policy and shows the plan recommend() gives."""
    from equipoise.analysis.policy import recommend
    from equipoise.analysis.settings import RunSettings
    from equipoise.app.server import BALANCER_TRIALS

    result = recommend(SCENARIO, "balancer", settings=RunSettings(trials=BALANCER_TRIALS))
    page.click("#recommend")
    panel = page.locator("#recommendation")
    _expect()(panel).to_contain_text("The balancer policy")
    for line in result.comparison.plan.lines:
        _expect()(panel).to_contain_text(
            f"{line.supplier} sends {line.recipient} {line.quantity} x {line.package}"
        )


def test_progress_hook_draws_the_api_units_once_per_percent() -> None:
    """The app's bars follow the API's progress units (it showed a fixed 10 % until done):
    monotone, at most once per percent, full at the total, never past it."""
    from equipoise.app.server import _progress_hook

    class Bar:
        def __init__(self) -> None:
            self.values: list[float] = []

        def set(self, value: float, message: str, detail: str) -> None:
            self.values.append(value)

    bar = Bar()
    advance = _progress_hook(bar, 1_000, "working")  # type: ignore[arg-type]
    for _ in range(250):
        advance(3)  # 750 units in small steps
    advance(10_000)  # past the total: shown as full
    assert bar.values == sorted(bar.values)
    assert len(bar.values) == len(set(bar.values)) <= 101
    assert bar.values[-1] == 1.0
    assert 0.74 <= bar.values[-2] <= 0.75
