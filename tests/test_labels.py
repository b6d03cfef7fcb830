"""One vocabulary for what a reader sees (user audit): table headers, sensitivity
outputs and deterrence statuses take their words from the metric registry
(equipoise.analysis.metrics), and a bad command line reads like every other error.

The expected labels are the registry's own entries and the states' names as written
in the built-in scenario files (west-asia-2024: IRN 'Iran', ISR 'Israel')."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from equipoise.analysis.metrics import BY_NAME, STATUS_LABELS, column_label, in_words
from equipoise.domain.loading import load_scenario
from tests.cli import run

NAMES = {"IRN": "Iran", "ISR": "Israel"}  # west-asia-2024.yaml's states


# --- headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "header"),
    [
        ("first_strike_advantage_a", "first-strike advantage (A)"),
        ("first_strike_advantage_b", "first-strike advantage (B)"),
        ("retaliation_damage_low", "retaliation damage, low"),
        ("second_strike_survivability_high", "second-strike survivability, high"),
        ("first_strike_advantage_a_low", "first-strike advantage (A), low"),
        ("bargaining_low", "bargaining range, low"),  # a metric of its own, not an interval
        ("status", "deterrence status"),
        ("value_at_risk", "value at risk"),
        ("proven_optimal", "proven optimal"),
        ("equilibrium_a", "equilibrium (A)"),
        ("cinc", "CINC"),
    ],
)
def test_a_columns_header_is_the_registrys_label(column: str, header: str) -> None:
    assert column_label(column) == header


def test_headers_name_the_states_of_the_tables_one_dyad() -> None:
    sides = ("Iran", "Israel")
    assert column_label("first_strike_advantage_a", sides) == "first-strike advantage (Iran)"
    assert column_label("first_strike_advantage_b", sides) == "first-strike advantage (Israel)"
    assert column_label("p_first", sides) == "P(Iran prevails), Iran strikes first"
    assert column_label("p_second", sides) == "P(Iran prevails), Israel strikes first"
    assert column_label("a_tiv", ("IRN", "ISR")) == "TIV to IRN"
    # only the whole words A and B are the sides
    assert in_words("A's share; ABM; B", "Iran", "Israel") == "Iran's share; ABM; Israel"


def test_every_registry_column_has_a_header_without_underscores() -> None:
    for name, metric in BY_NAME.items():
        for column in (name, f"{name}_a", f"{name}_b", f"{name}_low", f"{name}_high"):
            header = column_label(column)
            assert "_" not in header, column
            assert header.startswith(metric.label), column


def _headers(html: str) -> list[str]:
    return re.findall(r"<th>(.*?)</th>", html)


def test_report_policies_table_heads_its_columns_from_the_registry() -> None:
    """The policies table said 'first strike advantage a'; a table of one dyad names its
    states, a table of several says A and B (the dyad column says which is which)."""
    from equipoise.report.html import Report, ReportData, render

    scenario = load_scenario("west-asia-2024")
    row = {
        "policy": "balancer",
        "cost": 1.0,
        "dyad": "IRN-ISR",
        "status": "only Iran deterred",
        "first_strike_advantage_a": 0.1,
        "first_strike_advantage_b": 0.1,
        "bargaining_low": 0.2,
        "bargaining_high": 0.3,
        "bargaining_closed": False,
        "proven_optimal": True,
    }
    tables = {"findings": [], "states": [], "dyads": [], "policies": [row]}
    data = ReportData(scenario.name, scenario.title, 1, 10, tables)
    headers = _headers(render(Report(scenario, data, ())))
    assert headers == [
        "policy",
        "cost",
        "dyad",
        "deterrence status",
        "first-strike advantage (Iran)",
        "first-strike advantage (Israel)",
        "bargaining range, low",
        "bargaining range, high",
        "bargaining range closed",
        "proven optimal",
    ]
    two = [row, {**row, "dyad": "ISR-IRN"}]
    data = ReportData(scenario.name, scenario.title, 1, 10, {**tables, "policies": two})
    headers = _headers(render(Report(scenario, data, ())))
    assert "first-strike advantage (A)" in headers


def test_transfers_headers_are_the_text_outputs_in_text_and_html() -> None:
    """The report's SIPRI table showed raw a_tiv, both_sides, a_defensive_share; it now
    uses the one naming of `equipoise transfers` (the states for A and B)."""
    from equipoise.report.transfers import INDEX_COLUMNS, transfers_section

    code, out, _ = run("transfers", "--dyad", "IRN:ISR")
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("supplier"))
    assert re.split(r"\s{2,}", header) == [
        "supplier",
        "period",
        "TIV to A",
        "TIV to B",
        "both",
        "evenness",
        "A def.",
        "B def.",
        "A strike",
        "B strike",
    ]
    assert [column_label(c) for c in INDEX_COLUMNS[:6]] == [
        "TIV to A",
        "TIV to B",
        "both",
        "evenness",
        "A def.",
        "B def.",
    ]
    html = transfers_section(load_scenario("west-asia-2024"))
    assert _headers(html) == [
        "supplier",
        "dyad",
        "TIV to IRN",
        "TIV to ISR",
        "both",
        "evenness",
        "IRN def.",
        "ISR def.",
    ]


def test_no_report_table_header_is_a_raw_column_name() -> None:
    """Every header of every table of a full report (west-asia-2024 has policies, claims,
    an arms race and deliveries on record) is in words."""
    from equipoise.analysis.settings import RunSettings
    from equipoise.report.html import build_report

    html = build_report("west-asia-2024", RunSettings(trials=100, seed=1)).html()
    headers = _headers(html)
    assert "first-strike advantage (Iran)" in headers
    assert "equilibrium (Iran)" in headers
    assert "TIV to IRN" in headers
    raw = [h for h in headers if "_" in h]
    assert not raw, raw


# --- sensitivity ----------------------------------------------------------------------------

VARY = ("--vary", "states.IRN.inventory.mrbm.launchers=50:300", "--method", "oat")


def test_sensitivity_text_shows_labels_and_json_keeps_the_names() -> None:
    code, out, err = run("sensitivity", "west-asia-2024", *VARY)
    assert code == 0, err
    assert "IRN-ISR, IRN: first-strike advantage" in out
    assert "IRN-ISR, ISR: deterred from striking first" in out
    assert "IRN-ISR: bargaining range width" in out
    assert "first_strike_advantage" not in out
    assert "bargaining_width" not in out
    code, out, err = run("sensitivity", "west-asia-2024", *VARY, "--format", "json")
    assert code == 0, err
    outputs = json.loads(out)["outputs"]
    assert "IRN-ISR IRN first_strike_advantage" in outputs
    assert "IRN-ISR bargaining_width" in outputs


def test_sensitivity_figure_titles_are_labels() -> None:
    pytest.importorskip("matplotlib")
    from equipoise.analysis.sensitivity import sensitivity

    result = sensitivity("west-asia-2024", [VARY[1]], method="oat")
    titles = [axes.get_title() for axes in result.plot().axes if axes.get_title()]
    assert "IRN-ISR: bargaining range width" in titles
    assert not any("_" in title for title in titles), titles


# --- statuses -------------------------------------------------------------------------------


def test_analyze_json_has_the_category_and_the_named_status() -> None:
    code, out, err = run("analyze", "west-asia-2024", "--trials", "50", "--format", "json")
    assert code == 0, err
    dyad = json.loads(out)["dyads"][0]
    assert dyad["status"] in STATUS_LABELS
    assert dyad["status_named"] == in_words(dyad["status"], NAMES["IRN"], NAMES["ISR"])


def test_claims_status_rows_name_the_states_as_analyze_does() -> None:
    code, out, err = run("analyze", "west-asia-2024", "--claims")
    assert code == 0, err
    assert "P(only Iran deterred)" in out
    assert "P(only Israel deterred)" in out
    assert "IRN deterred" not in out
    code, out, err = run("analyze", "west-asia-2024", "--claims", "--format", "json")
    assert code == 0, err
    statuses = [row for row in json.loads(out)["metrics"] if row["column"] == "status"]
    assert {row["metric"] for row in statuses} == {
        f"P({in_words(label, 'Iran', 'Israel')})" for label in STATUS_LABELS
    }


def test_deterrence_map_legend_names_the_states() -> None:
    pytest.importorskip("matplotlib")
    import equipoise

    grid = equipoise.deterrence_map(
        "west-asia-2024",
        "IRN",
        "ISR",
        equipoise.AxisSpec("IRN", "mrbm", np.array([0.0, 100.0, 400.0])),
        equipoise.AxisSpec("ISR", "upper-tier-bmd", np.array([0.0, 3.0, 12.0])),
        first_strike_advantage=False,
    )
    assert grid.called == ("Iran", "Israel")
    legend = grid.plot().axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert not any("IRN" in text or "ISR" in text for text in texts), texts


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("map", "west-asia-2024", "--x", "IRN.nothing"), "missing option '--y'"),
        (
            ("analyze", "--trials", "x"),
            "invalid value for '--trials': 'x' is not a valid integer range",
        ),
        (("bogus",), "no such command 'bogus'"),
        (("interception", "fit", "--bogus"), "no such option '--bogus'"),
    ],
)
def test_a_bad_command_line_is_an_equipoise_error(args: tuple[str, ...], message: str) -> None:
    """Click printed its usage and 'Error: ...' (no 'equipoise: ' prefix) for an option
    that is missing or malformed; it now goes through the one error path (README:
    'equipoise: error: ...', exit status 2) with the usage as the fix."""
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    first, *rest = err.splitlines()
    assert first == f"equipoise: error: {message}"
    assert len(rest) == 1, err
    assert re.fullmatch(r"    fix: usage: .*\[OPTIONS\].*; see `.* --help`", rest[0]), err


def test_clicks_suggestion_is_the_fix() -> None:
    """'no such option '--trial'. Did you mean '--trials'?' put the suggestion in the
    problem line; the README's convention is one problem, then the fix."""
    code, _, err = run("analyze", "west-asia-2024", "--trial", "5")
    assert code == 2
    first, fix = err.splitlines()
    assert first == "equipoise: error: no such option '--trial'"
    assert fix.startswith("    fix: did you mean '--trials'? usage: ")


def test_bare_command_still_prints_its_help() -> None:
    code, out, err = run()
    assert "Usage: " in out + err
    assert "error" not in out + err
    assert code in (0, 2)
