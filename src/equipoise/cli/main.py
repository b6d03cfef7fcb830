"""The ``equipoise`` command: a thin adapter over the Python API.

Every command parses options, calls one public function and prints its result;
no model logic lives here. Errors caused by the input print one readable message
(file, line, field, fix) and exit with status 2, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from equipoise.analysis.assess import DEFAULT_TRIALS, analyze
from equipoise.analysis.mapping import (
    AxisSpec,
    axis_values,
    current_count,
    deterrence_map,
    parse_axis_name,
)
from equipoise.domain.loading import (
    builtin_names,
    builtin_text,
    parse_yaml,
    read_text_file,
    resolve_source,
    scenario_from_text,
    scenario_json_schema,
    scenario_problems,
)
from equipoise.domain.scenario import Scenario
from equipoise.errors import EquipoiseError, InputError, ScenarioError
from equipoise.report.text import analysis_text

DEFAULT_SCENARIO = "west-asia-2024"
PROGRESS_THRESHOLD = 40_000


class UserError(click.ClickException):
    """An input error shown as one message, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"equipoise: error: {self.message}", err=True)


def fail(error: EquipoiseError, *, all_problems: bool = False) -> NoReturn:
    if isinstance(error, ScenarioError):
        raise UserError(error.render(limit=None if all_problems else 1))
    raise UserError(error.render())


class Group(click.Group):
    """Turns equipoise's input errors into exit status 2 and hides internal tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EquipoiseError as error:
            fail(error)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get("EQUIPOISE_DEBUG"):
                raise
            click.echo(
                f"equipoise: internal error: {type(error).__name__}: {error}\n"
                "This is a bug in equipoise, not in your input. Re-run with EQUIPOISE_DEBUG=1 "
                "for the traceback and report it.",
                err=True,
            )
            ctx.exit(1)


def load(name_or_path: str) -> Scenario:
    """A scenario from a file or a built-in name; the first problem if it is invalid."""
    text, label = resolve_source(name_or_path)
    return scenario_from_text(text, label)


def write_output(text: str, path: Path | None, force: bool) -> None:
    """Print, or write to ``path``; never overwrite an existing file without --force."""
    if path is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    if path.exists() and not force:
        raise InputError(
            f"{path} already exists", "choose another name, or pass --force to overwrite it"
        )
    try:
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as error:
        raise InputError(
            f"cannot write {path}: {error.strerror or error}", "choose a writable path"
        ) from None
    click.echo(f"wrote {path}", err=True)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long runs in a terminal; nothing otherwise.

    It never writes to stdout, so json and csv output stay clean.
    """
    if total < PROGRESS_THRESHOLD or not stderr_is_terminal():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
force_option = click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="equipoise")
def cli() -> None:
    """equipoise: deterrence and the balance of power between rival states.

    Scenarios are YAML files (or built-in names, see `equipoise scenarios`).
    """


@cli.command()
def scenarios() -> None:
    """List the built-in scenarios, one line each."""
    rows = []
    for name in builtin_names():
        scenario = scenario_from_text(builtin_text(name), f"<built-in {name}>")
        dyads = ", ".join(f"{d.a}-{d.b}" for d in scenario.dyads)
        rows.append(f"{name:<22} {scenario.title} [dyads: {dyads}]")
    click.echo("\n".join(rows))


@cli.command()
@click.argument("name")
def show(name: str) -> None:
    """Print a built-in scenario as YAML, to save, edit and pass back as a file."""
    click.echo(builtin_text(name), nl=False)


@cli.command()
@click.argument("files", nargs=-1, required=True)
def validate(files: tuple[str, ...]) -> None:
    """Check scenario files and list every problem found."""
    failed = False
    for name in files:
        try:
            text, label = resolve_source(name)
            scenario, problems = scenario_problems(parse_yaml(text, label))
        except ScenarioError as error:
            click.echo(error.render(), err=True)
            failed = True
            continue
        if problems:
            click.echo(ScenarioError(problems).render(), err=True)
            count = len(problems)
            click.echo(f"{label}: {count} problem{'s' if count > 1 else ''}", err=True)
            failed = True
        elif scenario is not None:
            click.echo(
                f"{label}: valid ({len(scenario.classes)} classes, {len(scenario.states)} states, "
                f"{len(scenario.backers)} backers, {len(scenario.dyads)} dyads)"
            )
    if failed:
        sys.exit(2)


@cli.command()
@output_option
@force_option
def schema(output: Path | None, force: bool) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    write_output(json.dumps(scenario_json_schema(), indent=2), output, force)


@cli.command(name="analyze")
@click.argument("scenario", required=False, default=DEFAULT_SCENARIO)
@click.option(
    "--trials", type=click.IntRange(2, 10_000_000), default=DEFAULT_TRIALS, show_default=True
)
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--workers", type=click.IntRange(1, 256), default=1, show_default=True, help="Processes to use."
)
@output_option
@force_option
def analyze_command(
    scenario: str,
    trials: int,
    seed: int,
    output_format: str,
    workers: int,
    output: Path | None,
    force: bool,
) -> None:
    """Assess every dyad: first strikes, survivability, deterrence status.

    SCENARIO is a YAML file or a built-in name (default: west-asia-2024).
    """
    model = load(scenario)
    with progress_bar(2 * trials * len(model.dyads), "simulating") as progress:
        result = analyze(model, trials=trials, seed=seed, workers=workers, progress=progress)
    if output_format == "json":
        text = json.dumps(result.to_dict(), indent=2)
    elif output_format == "csv":
        text = result.to_frame().to_csv(index=False)
    else:
        text = analysis_text(result)
    write_output(text, output, force)


def _range(text: str | None, current: float) -> tuple[float, float]:
    if text is None:
        return 0.0, max(2.0 * current, 10.0)
    low, colon, high = text.partition(":")
    try:
        return float(low), float(high)
    except ValueError:
        raise InputError(f"range '{text}' is not LOW:HIGH", "write e.g. 0:200") from None
    finally:
        del colon


@cli.command(name="map")
@click.argument("scenario")
@click.option("--dyad", "dyad_text", help="A:B (needed when the scenario has several dyads).")
@click.option("--x", "x_text", required=True, help="Horizontal axis, PARTY.class (e.g. IRN.mrbm).")
@click.option("--y", "y_text", required=True, help="Vertical axis, PARTY.class.")
@click.option("--x-range", help="LOW:HIGH counts on the x axis (default 0 to twice today's).")
@click.option("--y-range", help="LOW:HIGH counts on the y axis.")
@click.option(
    "--steps",
    type=click.IntRange(2, 401),
    default=41,
    show_default=True,
    help="Grid points per axis.",
)
@click.option("--no-fsa", is_flag=True, help="Skip the first-strike advantage (faster).")
@output_option
@force_option
def map_command(
    scenario: str,
    dyad_text: str | None,
    x_text: str,
    y_text: str,
    x_range: str | None,
    y_range: str | None,
    steps: int,
    no_fsa: bool,
    output: Path | None,
    force: bool,
) -> None:
    """Deterrence regions of a dyad over a grid of two holdings, as CSV.

    Intriligator-Brito's deterrence map generalised with defences, from the
    expected-value exchange in every cell.
    """
    model = load(scenario)
    if dyad_text is None:
        if len(model.dyads) != 1:
            names = ", ".join(f"{d.a}:{d.b}" for d in model.dyads)
            raise InputError("this scenario has several dyads", f"pick one with --dyad ({names})")
        a, b = model.dyads[0].a, model.dyads[0].b
    else:
        a, colon, b = dyad_text.partition(":")
        if not colon:
            raise InputError(f"--dyad '{dyad_text}' should be A:B", "for example --dyad IRN:ISR")
    axes = []
    for text, span in ((x_text, x_range), (y_text, y_range)):
        party, system = parse_axis_name(text)
        if party not in model.states and party not in model.backers:
            raise InputError(
                f"unknown party '{party}' in axis '{text}'", "use a state or backer key"
            )
        if system not in model.classes:
            raise InputError(
                f"unknown system class '{system}' in axis '{text}'",
                "`equipoise show` lists classes",
            )
        low, high = _range(span, current_count(model, party, system))
        axes.append(AxisSpec(party, system, axis_values(low, high, steps)))
    result = deterrence_map(model, a, b, axes[0], axes[1], first_strike_advantage=not no_fsa)
    write_output(result.to_frame().to_csv(index=False), output, force)


def main() -> None:
    """Console entry point."""
    cli(prog_name="equipoise")


__all__ = ["cli", "main", "read_text_file"]
