"""Figures and the HTML report: every figure renders, the HTML is self-contained."""

from __future__ import annotations

import base64
import itertools
import json
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

import equipoise
from equipoise.analysis.claims import analyze_claims, claims_report
from equipoise.analysis.dynamics import attrition, fit_richardson, load_attrition
from equipoise.analysis.mapping import main_offensive_holding
from equipoise.analysis.metrics import in_words
from equipoise.analysis.policy import compare_policies, whatif
from equipoise.analysis.settings import RunSettings
from equipoise.report.html import build_report
from tests.cli import run
from tests.test_golden import assert_same

matplotlib.use("Agg")

GOLDEN = Path(__file__).parent / "golden"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _check_readable(figure: Figure) -> None:
    """A title, labelled axes (shared y axes labelled once) and a caption."""
    assert isinstance(figure, Figure)
    panels = [axes for axes in figure.axes if axes.has_data()]
    assert panels
    for axes in panels:
        siblings = axes.get_shared_x_axes().get_siblings(axes)
        assert axes.get_title() or any(s.get_xlabel() for s in siblings)
    assert any(axes.get_ylabel() for axes in figure.axes) or all(
        len(axes.get_yticks()) for axes in panels
    )
    assert any(axes.get_title() for axes in figure.axes) or figure._suptitle is not None
    caption = getattr(figure, "_supxlabel", None)
    assert caption is not None
    assert caption.get_text()


@pytest.mark.parametrize("name", equipoise.builtin_names())
def test_every_result_plots_for_every_builtin(name: str) -> None:
    scenario = equipoise.load_scenario(name)
    result = equipoise.analyze(scenario, trials=300, seed=1)
    _check_readable(result.plot())
    for dyad in result.dyads:
        _check_readable(dyad.plot())
        dyad_map = equipoise.deterrence_map(
            scenario,
            dyad.a,
            dyad.b,
            equipoise.AxisSpec(
                dyad.a, next(iter(scenario.states[dyad.a].inventory)), np.arange(0.0, 5.0)
            ),
            equipoise.AxisSpec(
                dyad.b, next(iter(scenario.states[dyad.b].inventory)), np.arange(0.0, 5.0)
            ),
            first_strike_advantage=False,
        )
        _check_readable(dyad_map.plot(after=(1.0, 2.0)))
    if scenario.suppliers:
        _check_readable(compare_policies(scenario, trials=100).plot())
        package = next(iter(next(iter(scenario.suppliers.values())).packages))
        recipient = next(iter(scenario.suppliers.values())).relations
        target = next(s for s, r in recipient.items() if r in ("ally", "partner"))
        _check_readable(whatif(scenario, [f"{target}:{package}"], trials=100).plot())
    if scenario.claims is not None:
        _check_readable(claims_report(scenario, rank_by_information=True).plot())
        _check_readable(analyze_claims(scenario, probabilities=False).plot())
    if scenario.arms_race is not None:
        _check_readable(equipoise.arms_race(scenario.arms_race).plot())
    _check_readable(equipoise.balance("ISR", "IRN", (2000, 2016)).plot())


def test_dynamics_figures() -> None:
    battle = attrition(load_attrition("iwo-jima-1945"))
    _check_readable(battle.plot())
    frame = battle.to_frame()
    years = np.arange(2000.0, 2010.0)
    _check_readable(
        fit_richardson(years, np.linspace(1, 3, 10), np.linspace(2, 3, 10) ** 1.1).plot()
    )
    assert frame["US"].iloc[-1] > 0


def _report_checks(text: str, figures: int) -> None:
    images = re.findall(r'<img [^>]*src="([^"]+)"', text)
    assert len(images) == figures
    for source in images:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.removeprefix("data:image/png;base64,"))[:8] == PNG_MAGIC
    assert not re.search(r"https?://", text)
    assert "<link" not in text
    assert "<script" not in text
    assert "@import" not in text
    assert text.count("<html") == 1
    assert text.rstrip().endswith("</html>")


@pytest.mark.parametrize("name", equipoise.builtin_names())
def test_report_is_one_self_contained_file_and_pins_its_tables(
    name: str, update_golden: bool
) -> None:
    """Every figure embedded, nothing fetched; the numeric tables match the golden file."""
    scenario = equipoise.load_scenario(name)
    report = build_report(scenario, RunSettings(trials=400, seed=1))
    text = report.html()
    in_sections = sum(section.count("<img ") for section in report.sections)
    _report_checks(text, len(report.figures) + in_sections)
    sections = {figure.section for figure in report.figures}
    for dyad in scenario.dyads:
        assert f"{dyad.a}-{dyad.b}" in sections
    if scenario.suppliers:
        assert "policies" in sections
    if scenario.claims is not None:
        assert "claims" in sections
    if scenario.arms_race is not None:
        assert "time series" in sections
    # the map's marked point sits in the region the tables report (the after point of the
    # recommended plan was once drawn in 'only IRN deterred' beside 'mutual deterrence')
    tables = report.data.tables
    statuses = {row["dyad"]: row["status"] for row in tables.get("after", tables["dyads"])}
    drawable = any(
        main_offensive_holding(scenario, d.a) and main_offensive_holding(scenario, d.b)
        for d in scenario.dyads
    )
    assert bool(tables.get("map_points")) == drawable, "a map wherever both sides can strike"
    for point in tables.get("map_points", []):
        assert point["point"] == ("after the plan" if tables.get("plan") else "today")
        a, b = point["dyad"].split("-")
        named = in_words(point["status"], *(scenario.states[s].name or s for s in (a, b)))
        assert named == statuses[point["dyad"]], point
    actual = json.loads(json.dumps(report.data.to_dict()))
    path = GOLDEN / f"report-{name}.json"
    if update_golden:
        path.write_text(json.dumps(actual, indent=2) + "\n")
        pytest.skip(f"rewrote {path.name}")
    assert path.exists(), "run pytest --update-golden"
    assert_same(actual, json.loads(path.read_text()))


def test_report_with_a_whatif_delivery_draws_the_arrow(tmp_path: Path) -> None:
    scenario = equipoise.load_scenario("west-asia-2024")
    report = build_report(
        scenario, RunSettings(trials=200, seed=2), deliveries=["IRN:lr-sam-batteryx2"]
    )
    captions = " ".join(f.caption for f in report.figures)
    assert "with the 2 batteries of IRN's lr-sam delivered by RUS (lr-sam-battery)" in captions
    assert report.data.tables["plan_source"][0]["source"] == "what-if deliveries"


def test_report_cli_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _, err = run("report", "levant-2018", "-o", str(target), "--trials", "200")
    assert code == 0, err
    first = target.read_text()
    assert "<img" in first
    code, _, err = run("report", "levant-2018", "-o", str(target), "--trials", "200")
    assert code == 2
    assert "already exists" in err
    assert target.read_text() == first
    code, _, _ = run("report", "levant-2018", "-o", str(target), "--trials", "200", "--force")
    assert code == 0


def test_report_unwritable_path(tmp_path: Path) -> None:
    code, _, err = run(
        "report", "levant-2018", "-o", str(tmp_path / "nope" / "r.html"), "--trials", "50"
    )
    assert code == 2
    assert "cannot write" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_map_plot_file(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"map.{suffix}"
    args = [
        "map",
        "west-asia-2024",
        "--x",
        "IRN.mrbm",
        "--y",
        "ISR.upper-tier-bmd",
        "--steps",
        "6",
        "--no-fsa",
        "--plot",
        str(target),
    ]
    code, out, _ = run(*args)
    assert code == 0
    assert target.stat().st_size > 1000
    assert out == ""
    code, _, err = run(*args)
    assert code == 2
    assert "already exists" in err
    code, _, err = run(*args[:-1], str(tmp_path / "map.bmp"))
    assert code == 2
    assert "format" in err


def test_analyze_plot_directory(tmp_path: Path) -> None:
    folder = tmp_path / "figures"
    code, _, _ = run("analyze", "asia-rivals-2024", "--trials", "200", "--plot", str(folder))
    assert code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        f"{kind}-{dyad}.png"
        for kind in ("damage", "interception")
        for dyad in ("CHN-IND", "CHN-VNM")
    )
    for path in folder.iterdir():
        assert path.read_bytes()[:8] == PNG_MAGIC
    code, _, err = run("analyze", "asia-rivals-2024", "--trials", "200", "--plot", str(folder))
    assert code == 2
    assert "already exists" in err


def test_each_defence_layer_has_one_colour_in_every_chart() -> None:
    """The interception charts of every dyad and the overview give a layer the same
    colour (they differed between charts)."""
    from matplotlib.colors import to_hex

    from equipoise.plots.figures import analysis_figure, interception_figure

    result = equipoise.analyze("levant-2018", trials=100)
    figures = [interception_figure(dyad) for dyad in result.dyads] + [analysis_figure(result)]
    seen: dict[str, set[str]] = {}
    for figure in figures:
        for axes in figure.axes:
            for container in axes.containers:
                label = container.get_label()
                if label.startswith("killed by "):
                    colour = to_hex(container.patches[0].get_facecolor())
                    seen.setdefault(label, set()).add(colour)
    assert len(seen) >= 3
    assert all(len(colours) == 1 for colours in seen.values()), seen


def test_comparison_figure_draws_every_metric_it_names() -> None:
    """The before/after figure picked its rows by a label spelt '>=' while the registry
    says '≥', so the retaliation probability was never drawn: rows are picked by the
    registry's label now."""
    from equipoise.analysis.metrics import label
    from equipoise.plots import comparison_figure

    comparison = whatif("west-asia-2024", ["IRN:lr-sam-battery"], trials=200, seed=1)
    figure = comparison_figure(comparison)
    ticks = [tick.get_text() for axes in figure.axes for tick in axes.get_yticklabels()]
    for name in ("first_strike_advantage", "second_strike_survivability"):
        assert sum(label(name) in tick for tick in ticks) == 2 * len(comparison.after.dyads)
    assert any(label("retaliation_probability") in tick for tick in ticks)


def test_value_of_information_figure_is_readable() -> None:
    """west-asia-2024's values of information are of order 1e-4: the x tick labels ran
    together ('0.00000.00050.0001...') and the legend sat on the bars. Rendered, no two
    tick labels of a panel overlap and no legend overlaps a bar."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from equipoise.plots.figures import claims_figure

    report = claims_report("west-asia-2024", rank_by_information=True, seed=1)
    assert report.values
    figure = claims_figure(report)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    for axes in figure.axes:
        boxes = [
            t.get_window_extent(renderer) for t in axes.get_xticklabels() if t.get_text().strip()
        ]
        assert len(boxes) >= 2
        for left, right in itertools.pairwise(boxes):
            assert left.x1 < right.x0, [t.get_text() for t in axes.get_xticklabels()]
        legend = axes.get_legend()
        assert legend is not None
        frame = legend.get_window_extent(renderer)
        bars = [p.get_window_extent(renderer) for c in axes.containers for p in c.patches]
        assert not any(frame.overlaps(bar) for bar in bars if bar.width > 0)


def test_map_point_is_labelled_as_what_it_is() -> None:
    """A map drawn after a plan's deliveries marks the point before the delivered holding
    arrives, on a scenario that already has the plan's other deliveries: its legend
    said 'today'. 'today' stays only for a map of today's scenario (no plan)."""
    from equipoise.analysis.deliveries import parse_delivery
    from equipoise.plots.figures import deterrence_map_figure
    from equipoise.report.html import _map_for_dyad

    scenario = equipoise.load_scenario("west-asia-2024")
    key, quantity = parse_delivery(scenario, "IRN:lr-sam-batteryx2")
    labels = {}
    for plan in ({}, {key: quantity}):
        mapped = _map_for_dyad(scenario, "IRN", "ISR", plan)
        assert mapped is not None
        grid, after, _, current = mapped
        figure = deterrence_map_figure(grid, after=after, current_label=current)
        legend = figure.axes[0].get_legend()
        labels[bool(plan)] = [text.get_text() for text in legend.get_texts()]
    assert "today" in labels[False]
    assert "today" not in labels[True]
    assert "today's counts, after the plan's other deliveries" in labels[True]


def test_a_closed_bargaining_range_reads_as_closed_in_the_report() -> None:
    """asia-rivals-2024's CHN-IND range is closed (`analyze` says CLOSED: low 0.805 above
    high 0.660, Fearon's p - c_A > p + c_B); the report's dyad table printed 'low 0.805,
    high 0.660, closed yes'. Rendered from the golden tables, its low and high cells are
    a dash; the numbers stay in the report's data, an open range shows its ends, and
    an end that moved while the range stayed closed is not listed as a change."""
    from equipoise.report.html import NO_RANGE, Report, ReportData, render

    scenario = equipoise.load_scenario("asia-rivals-2024")
    tables = json.loads((GOLDEN / "report-asia-rivals-2024.json").read_text())["tables"]
    closed = [row for row in tables["dyads"] if row["bargaining_closed"]]
    opened = [row for row in tables["dyads"] if not row["bargaining_closed"]]
    assert closed
    assert opened
    page = render(Report(scenario, ReportData(scenario.name, scenario.title, 1, 10, tables), ()))
    dyads = page[page.index("<h2>Deterrence by dyad</h2>") :]
    dyads = dyads[: dyads.index("</table>")]
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in dyads.split("<tr>")[2:]]
    for row, shown in zip(tables["dyads"], cells, strict=True):
        low, high, is_closed = shown[-3:]
        if row["bargaining_closed"]:
            assert (low, high, is_closed) == (NO_RANGE, NO_RANGE, "yes")
        else:
            assert (low, high, is_closed) == (
                f"{row['bargaining_low']:.3f}",
                f"{row['bargaining_high']:.3f}",
                "no",
            )
    changes = page[page.index("<h3>What changes</h3>") :]
    changes = changes[: changes.index("</table>")]
    stayed_closed = {
        row["dyad"]
        for row in tables["changes"]
        if row["column"] == "bargaining_closed" and row["before"] and row["after"]
    }
    assert stayed_closed
    for dyad in stayed_closed:
        assert not re.search(
            rf"<td>{dyad}</td><td>[^<]*</td><td>bargaining range, (low|high)", changes
        )
