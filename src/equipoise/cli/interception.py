"""``equipoise interception``: read, fit and backtest a real interception record."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from equipoise.cli.main import _emit, cli, force_option, format_option, output_option, write_output
from equipoise.lazy import deferred

if TYPE_CHECKING:
    from equipoise.records.interception import (
        backtest,
        fit_interception,
        interception_record,
        read_families,
    )
    from equipoise.report.interception import backtest_text, fit_text, record_text
else:  # loaded when a command runs, not for --help
    globals().update(
        deferred(
            {
                "backtest": "equipoise.records.interception",
                "backtest_text": "equipoise.report.interception",
                "fit_interception": "equipoise.records.interception",
                "fit_text": "equipoise.report.interception",
                "interception_record": "equipoise.records.interception",
                "read_families": "equipoise.records.interception",
                "record_text": "equipoise.report.interception",
            }
        )
    )

data_argument = click.argument(
    "data", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
families_option = click.option(
    "--families",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your own model -> family table (columns model, family, threat_kind).",
)


@cli.group(name="interception")
def interception_group() -> None:
    """The Ukrainian Air Force daily reports (shipped) or your newer copy of the export.

    One party's claims, not independently verified.
    """


@interception_group.command(name="record")
@data_argument
@families_option
@click.option("--families-table", is_flag=True, help="Print the shipped families table and stop.")
@format_option
@output_option
@force_option
def record_command(
    data: Path | None,
    families: Path | None,
    families_table: bool,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """Rows, windows and shares per family; unmapped names; problem lines."""
    if families_table:
        from equipoise.records.interception import FAMILIES_FILE, _shipped

        write_output(_shipped(FAMILIES_FILE)[0], output, force)
        return
    result = interception_record(data, families=read_families(families))
    _emit_record(result, record_text(result), output_format, output, force)


@interception_group.command(name="fit")
@data_argument
@families_option
@click.option("--attacker", default="RUS", show_default=True, help="State key for the cases.")
@click.option("--defender", default="UKR", show_default=True, help="State key for the cases.")
@click.option(
    "--cases",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="Largest windows per family.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "table", "json", "csv"]),
    default="yaml",
    show_default=True,
)
@output_option
@force_option
def fit_command(
    data: Path | None,
    families: Path | None,
    attacker: str,
    defender: str,
    cases: int,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """Fit shares per family; write a scenario block (yaml) or the fit (table|json|csv)."""
    result = fit_interception(data, families=read_families(families))
    if output_format == "yaml":
        write_output(
            result.to_yaml(attacker=attacker, defender=defender, cases=cases), output, force
        )
        return
    _emit_record(result, fit_text(result), output_format, output, force)


@interception_group.command(name="backtest")
@data_argument
@families_option
@click.option(
    "--train-until", default="2025-06-30", show_default=True, help="Last day of the training data."
)
@click.option("--rolling", is_flag=True, help="Rolling origin: predict each next quarter.")
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True)
@format_option
@output_option
@force_option
def backtest_command(
    data: Path | None,
    families: Path | None,
    train_until: str,
    rolling: bool,
    seed: int,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """Score predictions of destroyed given launched on windows after --train-until."""
    result = backtest(
        data, train_until=train_until, rolling=rolling, families=read_families(families), seed=seed
    )
    _emit_record(result, backtest_text(result), output_format, output, force)


def _emit_record(
    result: Any, text: str, output_format: str, output: Path | None, force: bool
) -> None:
    """As every command emits (a CSV carries the citation and caveat in leading ``#``
    lines), and a CSV's caveat goes on stderr too: one party's claims, not
    independently verified."""
    _emit(result, text, output_format, output, force)
    if output_format == "csv":
        from equipoise.records.interception import CAVEAT

        click.echo(f"note: {CAVEAT}", err=True)
