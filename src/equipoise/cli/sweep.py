"""``equipoise sweep`` and ``equipoise sensitivity``: many variants of one scenario.

Thin adapter over :mod:`equipoise.analysis.sweep` and
:mod:`equipoise.analysis.sensitivity`: parses options, calls one function, prints.
Progress goes to stderr, and only in a terminal; Ctrl-C during a sweep writes the rows
that finished and says so.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from equipoise.analysis.settings import METHODS, SAMPLINGS
from equipoise.cli.main import (
    _emit,
    cli,
    force_option,
    format_option,
    load,
    output_option,
    progress_bar,
    refuse_to_overwrite,
    seed_option,
    write_output,
)
from equipoise.errors import InputError
from equipoise.lazy import deferred

if TYPE_CHECKING:
    import pandas as pd

    from equipoise.analysis.results import clean
    from equipoise.analysis.sensitivity import sensitivity, variants_for
    from equipoise.analysis.sweep import (
        SweepInterrupted,
        Vary,
        parse_varies,
        run_design,
        sweep_design,
        vary_notes,
    )
    from equipoise.domain.scenario import Scenario
    from equipoise.report.sensitivity import sensitivity_text
else:  # loaded when a command runs, not for --help
    globals().update(
        deferred(
            {
                "clean": "equipoise.analysis.results",
                "sensitivity": "equipoise.analysis.sensitivity",
                "sensitivity_text": "equipoise.report.sensitivity",
                "run_design": "equipoise.analysis.sweep",
                "sweep_design": "equipoise.analysis.sweep",
                "parse_varies": "equipoise.analysis.sweep",
                "vary_notes": "equipoise.analysis.sweep",
                "variants_for": "equipoise.analysis.sensitivity",
            }
        )
    )

vary_option = click.option(
    "--vary",
    "vary",
    multiple=True,
    required=True,
    metavar="PATH=LOW:HIGH[:STEPS]",
    help="An input to vary (repeatable): a scenario path and its range, with grid steps "
    "or a distribution (uniform, triangular) for sampled designs, e.g. "
    "states.IRN.inventory.mrbm.launchers=100:300:5.",
)
backend_options = (
    click.option(
        "--workers",
        type=click.IntRange(1, 256),
        default=1,
        show_default=True,
        help="Local processes (the same seed gives the same rows).",
    ),
    click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="Run the chunks on this Dask distributed scheduler, e.g. tcp://10.0.0.5:8786 "
        "(needs equipoise[dask] here and on the workers).",
    ),
)
trials_option = click.option(
    "--trials",
    type=click.IntRange(2, 10_000_000),
    default=None,
    help="Stochastic trials per variant, for the retaliation probabilities "
    "(default: none, expected-value metrics only).",
)


def _backend(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(backend_options):
        command = option(command)
    return command


def _format(output_format: str | None, output: Path | None) -> str:
    if output_format is not None:
        return output_format
    suffix = output.suffix.lower() if output is not None else ""
    return {".json": "json", ".parquet": "parquet"}.get(suffix, "csv")


def _say_notes(model: Scenario, varies: Sequence[Vary]) -> None:
    """The design's notes on stderr (stdout carries the rows)."""
    for note in vary_notes(model, varies):
        click.echo(f"note: {note}", err=True)


def sweep_interrupted() -> type[SweepInterrupted]:
    """The sweep's Ctrl-C exception, imported with the sweep itself."""
    from equipoise.analysis import sweep as sweeping

    return sweeping.SweepInterrupted


def write_rows(frame: pd.DataFrame, output_format: str, output: Path | None, force: bool) -> None:
    """The sweep's rows as csv, json (records) or Parquet (needs -o and pyarrow)."""
    if output_format == "parquet":
        if output is None:
            raise InputError("Parquet output needs a file", "add -o rows.parquet")
        refuse_to_overwrite(output, force)
        try:
            frame.to_parquet(output, index=False)
        except ImportError:
            raise InputError(
                "Parquet output needs pyarrow", "pip install 'equipoise[dask]', or write csv"
            ) from None
        except OSError as error:
            raise InputError(f"cannot write {output}: {error}", "choose a writable path") from None
        click.echo(f"wrote {output}", err=True)
    elif output_format == "json":
        records = clean(frame.to_dict(orient="records"))
        write_output(json.dumps(records, indent=1), output, force)
    else:
        write_output(frame.to_csv(index=False), output, force)


@cli.command(name="sweep")
@click.argument("scenario")
@vary_option
@click.option(
    "--samples",
    type=click.IntRange(1, 10_000_000),
    help="Sample this many variants (Latin hypercube unless --sampling sobol) instead of "
    "the full grid.",
)
@click.option("--sampling", type=click.Choice(list(SAMPLINGS)), help="grid, lhs or sobol.")
@trials_option
@seed_option
@_backend
@click.option(
    "--no-first-strike",
    is_flag=True,
    help="Skip the striker's split search (much faster): deterrence, survivability and "
    "retaliation only; first-strike advantage and the bargaining range are left empty.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json", "parquet"]),
    help="Default: from the -o suffix (.json, .parquet), else csv.",
)
@output_option
@force_option
def sweep_command(
    scenario: str,
    vary: tuple[str, ...],
    samples: int | None,
    sampling: str | None,
    trials: int | None,
    seed: int,
    workers: int,
    scheduler: str | None,
    no_first_strike: bool,
    output_format: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """Evaluate every variant of SCENARIO over the --vary ranges: one row per variant
    and dyad with the inputs and every metric.

    A grid over each range's steps by default, or --samples N sampled points.
    """
    model = load(scenario)
    fmt = _format(output_format, output)
    if output is not None:
        refuse_to_overwrite(output, force)
    varies, values = sweep_design(
        model,
        vary,
        samples=samples,
        sampling=sampling,  # type: ignore[arg-type]
        seed=seed,
    )
    _say_notes(model, varies)
    try:
        with progress_bar(len(values), "sweeping", threshold=1) as progress:
            frame = run_design(
                model,
                varies,
                values,
                trials=trials,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                first_strike=not no_first_strike,
            )
    except sweep_interrupted() as stop:
        write_rows(stop.partial, fmt, output, True if output is None else force)
        done = stop.partial["variant"].nunique() if len(stop.partial) else 0
        click.echo(
            f"equipoise: interrupted: kept the {done} of {stop.total} variants that finished",
            err=True,
        )
        sys.exit(130)
    write_rows(frame, fmt, output, force)


@cli.command(name="sensitivity")
@click.argument("scenario")
@vary_option
@click.option("--method", type=click.Choice(list(METHODS)), default="morris", show_default=True)
@click.option(
    "--samples",
    type=click.IntRange(1, 100_000),
    default=16,
    show_default=True,
    help="Morris trajectories, or Saltelli's base sample N for sobol (a power of two).",
)
@trials_option
@seed_option
@_backend
@format_option
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the tornado / bar figure (.png, .svg or .pdf; needs equipoise[plot]).",
)
@output_option
@force_option
def sensitivity_command(
    scenario: str,
    vary: tuple[str, ...],
    method: str,
    samples: int,
    trials: int | None,
    seed: int,
    workers: int,
    scheduler: str | None,
    output_format: str,
    plot: Path | None,
    output: Path | None,
    force: bool,
) -> None:
    """Which --vary inputs decide each dyad's deterrence (0/1 per side), first-strike
    advantage, bargaining range width and (with --trials) retaliation probability.

    Morris elementary effects, Sobol' indices (both with bootstrap 95 % intervals, via
    SALib) or one at a time.
    """
    model = load(scenario)
    for path in (output, plot):
        if path is not None:
            refuse_to_overwrite(path, force)
    total = variants_for(method, len(vary), samples)
    _say_notes(model, parse_varies(model, vary))
    with progress_bar(total, "evaluating", threshold=1) as progress:
        result = sensitivity(
            model,
            list(vary),
            method=method,  # type: ignore[arg-type]
            samples=samples,
            trials=trials,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
    if plot is not None:
        from equipoise.plots import save_figure

        save_figure(result.plot(), plot, force=force)
        click.echo(f"wrote {plot}", err=True)
    _emit(result, sensitivity_text(result), output_format, output, force)


__all__: list[Any] = []
