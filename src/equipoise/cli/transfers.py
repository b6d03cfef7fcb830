"""``equipoise transfers``: arms deliveries on record (SIPRI trade registers).

Thin adapter over ``equipoise.records.transfers``: parses options, calls one
function, prints. Information from the SIPRI Arms Transfers Database.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from equipoise.cli.main import (
    _emit,
    cli,
    force_option,
    format_option,
    load,
    output_option,
)
from equipoise.lazy import deferred

if TYPE_CHECKING:
    from equipoise.analysis.balance import parse_years
    from equipoise.records.transfers import (
        armed_both_sides,
        compare_priors,
        diplomacy_index,
        read_register,
    )
    from equipoise.report.transfers import index_text, priors_text
else:  # loaded when a command runs, not for --help
    globals().update(
        deferred(
            {
                "armed_both_sides": "equipoise.records.transfers",
                "compare_priors": "equipoise.records.transfers",
                "diplomacy_index": "equipoise.records.transfers",
                "index_text": "equipoise.report.transfers",
                "parse_years": "equipoise.analysis.balance",
                "priors_text": "equipoise.report.transfers",
                "read_register": "equipoise.records.transfers",
            }
        )
    )


def _save_plot(result: Any, plot: Path, force: bool) -> None:
    from equipoise.plots import save_figure

    save_figure(result.plot(), plot, force=force)
    click.echo(f"wrote {plot}", err=True)


@cli.command(name="transfers")
@click.option(
    "--register",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A SIPRI trade register CSV as downloaded (default: the shipped excerpt).",
)
@click.option("--supplier", help="SIPRI supplier name or CoW state (Russia, RUS, 365).")
@click.option(
    "--dyad",
    "dyads",
    multiple=True,
    help="A:B rival pair (repeatable; default: the seed article's dyads, from the "
    "built-in scenarios).",
)
@click.option("--years", help="FIRST-LAST delivery years, e.g. 2000-2024 (default: all).")
@click.option("--by", type=click.Choice(["period", "year"]), default="period", show_default=True)
@click.option(
    "--both-sides",
    is_flag=True,
    help="List the rival dyads (the article's plus --dyad) each supplier armed on both "
    "sides, ranked.",
)
@click.option(
    "--claims",
    "claims_scenario",
    help="Show this scenario's claims with hand-set priors and priors from the record.",
)
@format_option
@output_option
@force_option
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figure (mirrored flows per dyad) to this .png/.svg/.pdf file.",
)
def transfers_command(
    register: Path | None,
    supplier: str | None,
    dyads: tuple[str, ...],
    years: str | None,
    by: str,
    both_sides: bool,
    claims_scenario: str | None,
    output_format: str,
    output: Path | None,
    force: bool,
    plot: Path | None,
) -> None:
    """Who delivered what to each side of rival dyads: TIV by family, both sides,
    evenness, defensive share (information from the SIPRI Arms Transfers Database).

    A deal's delivered TIV is spread evenly over its listed delivery years.
    """
    record = read_register(register)
    window = parse_years(years)
    if claims_scenario is not None:
        priors = compare_priors(load(claims_scenario), register=record, years=window)
        if plot is not None:
            _save_plot(priors, plot, force)
        _emit(priors, priors_text(priors), output_format, output, force)
        return
    if both_sides:
        result = armed_both_sides(record, supplier, dyads, years=window)
    else:
        result = diplomacy_index(
            record, list(dyads) or None, supplier=supplier, years=window, by=by
        )
    if plot is not None:
        _save_plot(result, plot, force)
    _emit(result, index_text(result), output_format, output, force)


__all__ = ["transfers_command"]
