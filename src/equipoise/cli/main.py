"""The ``equipoise`` command: a thin adapter over the Python API.

Every command parses options, calls one public function and prints its result;
no model logic lives here. Errors caused by the input print one readable message
(file, line, field, fix) and exit with status 2, never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from equipoise.analysis.settings import DEFAULT_TRIALS, RunSettings
from equipoise.errors import EquipoiseError, InputError, ScenarioError
from equipoise.lazy import deferred

if TYPE_CHECKING:
    from equipoise.analysis.assess import analysis_units, analyze
    from equipoise.analysis.balance import balance, parse_years
    from equipoise.analysis.claims import analyze_claims, claims_report, load_claims
    from equipoise.analysis.dynamics import (
        arms_race,
        attrition,
        fit_lanchester,
        fit_richardson,
        load_arms_race,
        load_attrition,
    )
    from equipoise.analysis.mapping import (
        AxisSpec,
        axis_values,
        current_count,
        deterrence_map,
        parse_axis_name,
    )
    from equipoise.analysis.policies import PolicyWeights
    from equipoise.analysis.policy import (
        compare_policies,
        compare_policies_units,
        comparison_units,
        recommend,
        recommend_units,
        whatif,
    )
    from equipoise.analysis.results import AnalysisResult
    from equipoise.data import states as nmc_states
    from equipoise.domain.claims import ClaimsBlock
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
    from equipoise.domain.references import suggest
    from equipoise.domain.scenario import Scenario
    from equipoise.domain.series import read_series
    from equipoise.report.claims import claims_text, worlds_text
    from equipoise.report.dynamics import arms_race_text, attrition_text, balance_text, fit_text
    from equipoise.report.policy import comparison_text, policies_text, recommendation_text
    from equipoise.report.text import analysis_text

else:  # loaded on first use: `equipoise --help` needs none of them
    globals().update(
        deferred(
            {
                "AxisSpec": "equipoise.analysis.mapping",
                "PolicyWeights": "equipoise.analysis.policies",
                "analysis_text": "equipoise.report.text",
                "analysis_units": "equipoise.analysis.assess",
                "analyze": "equipoise.analysis.assess",
                "analyze_claims": "equipoise.analysis.claims",
                "arms_race": "equipoise.analysis.dynamics",
                "arms_race_text": "equipoise.report.dynamics",
                "attrition": "equipoise.analysis.dynamics",
                "attrition_text": "equipoise.report.dynamics",
                "axis_values": "equipoise.analysis.mapping",
                "balance": "equipoise.analysis.balance",
                "balance_text": "equipoise.report.dynamics",
                "builtin_names": "equipoise.domain.loading",
                "builtin_text": "equipoise.domain.loading",
                "claims_report": "equipoise.analysis.claims",
                "claims_text": "equipoise.report.claims",
                "compare_policies": "equipoise.analysis.policy",
                "compare_policies_units": "equipoise.analysis.policy",
                "comparison_units": "equipoise.analysis.policy",
                "comparison_text": "equipoise.report.policy",
                "current_count": "equipoise.analysis.mapping",
                "deterrence_map": "equipoise.analysis.mapping",
                "fit_lanchester": "equipoise.analysis.dynamics",
                "fit_richardson": "equipoise.analysis.dynamics",
                "fit_text": "equipoise.report.dynamics",
                "load_arms_race": "equipoise.analysis.dynamics",
                "load_attrition": "equipoise.analysis.dynamics",
                "load_claims": "equipoise.analysis.claims",
                "nmc_states": "equipoise.data:states",
                "parse_axis_name": "equipoise.analysis.mapping",
                "parse_yaml": "equipoise.domain.loading",
                "parse_years": "equipoise.analysis.balance",
                "policies_text": "equipoise.report.policy",
                "read_series": "equipoise.domain.series",
                "read_text_file": "equipoise.domain.loading",
                "recommend": "equipoise.analysis.policy",
                "recommend_units": "equipoise.analysis.policy",
                "recommendation_text": "equipoise.report.policy",
                "resolve_source": "equipoise.domain.loading",
                "scenario_from_text": "equipoise.domain.loading",
                "scenario_json_schema": "equipoise.domain.loading",
                "scenario_problems": "equipoise.domain.loading",
                "suggest": "equipoise.domain.references",
                "whatif": "equipoise.analysis.policy",
                "worlds_text": "equipoise.report.claims",
            }
        )
    )

DEFAULT_BATTLE = "iwo-jima-1945"  # analysis.dynamics.DEFAULT_BATTLE, without loading it

DEFAULT_SCENARIO = "west-asia-2024"
OWN_CLAIMS = "<scenario>"
PROGRESS_THRESHOLD = 40_000
MAP_PROGRESS_CELLS = 500  # with the split search a cell costs ~0.5 ms: 500 make a visible run


class UserError(click.ClickException):
    """An input error shown as one message, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"equipoise: error: {self.message}", err=True)


def fail(error: EquipoiseError, *, all_problems: bool = False) -> NoReturn:
    if isinstance(error, ScenarioError):
        raise UserError(error.render(limit=None if all_problems else 1))
    raise UserError(error.render())


def usage_failed(error: click.UsageError) -> NoReturn:
    """A bad command line (a missing or unknown option, a value of the wrong type) as
    every other input error: 'equipoise: error: ...' with the fix, exit status 2. Click
    would print its usage and 'Error: ...' instead. Bare ``equipoise`` (help) stays."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        raise error
    message = error.format_message().rstrip(".")
    message = message[:1].lower() + message[1:]
    # click's suggestion is the fix: "no such option '--trial'. Did you mean '--trials'?"
    message, _, suggestion = message.partition(". Did you mean ")
    guess = f"did you mean {suggestion} " if suggestion else ""
    ctx = error.ctx
    if ctx is None:
        fail(InputError(message, f"{guess}`equipoise --help` lists the commands"))
    usage = ctx.get_usage().removeprefix("Usage: ")
    fail(InputError(message, f"{guess}usage: {usage}; see `{ctx.command_path} --help`"))


class Group(click.Group):
    """Turns equipoise's input errors into exit status 2 and hides internal tracebacks."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Every command that takes a SCENARIO also takes --set PATH=VALUE (see load)."""
        names = [param.name for param in cmd.params]
        if "scenario" in names and "scenario_overrides" not in names:
            set_option(cmd)
        super().add_command(cmd, name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            usage_failed(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EquipoiseError as error:
            fail(error)
        except click.UsageError as error:
            usage_failed(error)
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


SET_KEY = "equipoise.scenario_overrides"


def _remember_overrides(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    ctx.meta[SET_KEY] = value


set_option = click.option(
    "--set",
    "scenario_overrides",
    multiple=True,
    metavar="PATH=VALUE",
    expose_value=False,
    callback=_remember_overrides,
    help="Change one value of the scenario, validated like the file "
    "(repeatable), e.g. --set states.ISR.unacceptable_damage=15.",
)


def load(name_or_path: str) -> Scenario:
    """A scenario from a file or a built-in name, with the command's --set changes;
    the first problem if it is invalid."""
    from equipoise.analysis.overrides import override, parse_assignment

    text, label = resolve_source(name_or_path)
    scenario = scenario_from_text(text, label)
    context = click.get_current_context(silent=True)
    texts = context.meta.get(SET_KEY, ()) if context is not None else ()
    return override(scenario, dict(parse_assignment(t) for t in texts)) if texts else scenario


def refuse_to_overwrite(path: Path, force: bool) -> None:
    """Nothing the user wrote is replaced unless they pass --force; nothing but a file
    (or a device such as /dev/null) is written at all."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(f"cannot write {path}: {reason}", "choose a writable path") from None
    if stat.S_ISDIR(info.st_mode) or stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        raise InputError(
            f"cannot write {path}: it is a directory, pipe or socket", "name a file to write"
        )
    if stat.S_ISCHR(info.st_mode):
        return  # a device such as /dev/null holds nothing of the user's to lose
    if not force:
        raise InputError(
            f"{path} already exists", "choose another name, or pass --force to overwrite it"
        )


def write_output(text: str, path: Path | None, force: bool) -> None:
    """Print, or write to ``path``; never overwrite an existing file without --force."""
    if path is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    refuse_to_overwrite(path, force)
    try:
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(f"cannot write {path}: {reason}", "choose a writable path") from None
    click.echo(f"wrote {path}", err=True)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(
    total: int | Callable[[], int], label: str, *, threshold: int | None = None
) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for runs of at least ``threshold`` units (the API's
    ``*_units``; by default ``PROGRESS_THRESHOLD``, about two seconds of trials) in a
    terminal; nothing otherwise.

    It never writes to stdout, so json and csv output stay clean. ``total`` may be a
    function, called only when a bar may be shown.
    """
    if not stderr_is_terminal():
        yield None
        return
    size = total() if callable(total) else total
    if size < (PROGRESS_THRESHOLD if threshold is None else threshold):
        yield None
        return
    with ExitStack() as stack:
        bars: list[Any] = []

        def update(done: int) -> None:
            # the bar opens on the first work done, so a run refused by its own
            # checks prints its error and no empty bar
            if not bars:
                bars.append(
                    stack.enter_context(
                        click.progressbar(length=size, label=label, file=sys.stderr)
                    )
                )
            bars[0].update(done)

        yield update


def finite_number(text: str | float, flag: str, low: float, high: float) -> float:
    """``text`` as a finite number in [low, high], or an InputError naming ``flag``."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputError(
            f"{flag}: '{text}' is not a number", f"write a number from {low:g} to {high:g}"
        ) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InputError(
            f"{flag}: {text} is out of range", f"write a finite number from {low:g} to {high:g}"
        )
    return value


class FiniteFloat(click.ParamType[float]):
    """A finite number in [low, high] (or (low, high] with ``low_open``): nan, inf and
    out-of-range values are refused with the flag's name, where click's FloatRange lets
    nan through."""

    name = "number"

    def __init__(self, low: float, high: float, *, low_open: bool = False) -> None:
        self.low, self.high, self.low_open = low, high, low_open

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = finite_number(value, "", self.low, self.high)
        except InputError:
            number = math.nan
        if math.isnan(number) or (self.low_open and number <= self.low):
            above = "above" if self.low_open else "from"
            self.fail(
                f"{value!r} is not a finite number {above} {self.low:g} to {self.high:g}; "
                f"fix: write e.g. {min(max(1.0, self.low), self.high):g}",
                param,
                ctx,
            )
        return number


MAX_WEIGHT = 1e6
MAX_DELIVERY_QUANTITY = 1000
MAX_AXIS_COUNT = 10_000_000


def check_weights(ctx: click.Context, param: click.Parameter, text: str | None) -> str | None:
    """Every number in --weights is finite and at most MAX_WEIGHT."""
    for part in (text or "").split(","):
        name, equals, number = part.partition("=")
        if equals:
            finite_number(number.strip(), f"--weights {name.strip()}", 0.0, MAX_WEIGHT)
    return text


def check_deliveries(
    ctx: click.Context, param: click.Parameter, texts: tuple[str, ...]
) -> tuple[str, ...]:
    """A --deliver quantity (PACKAGExN) is at most MAX_DELIVERY_QUANTITY."""
    for text in texts:
        counted = re.search(r"x(\d+)$", text)
        if counted is not None and (
            len(counted.group(1)) > 6 or int(counted.group(1)) > MAX_DELIVERY_QUANTITY
        ):
            raise InputError(
                f"--deliver '{text[:80]}': {counted.group(1)[:20]} packages is above the limit "
                f"of {MAX_DELIVERY_QUANTITY}",
                "deliver fewer packages, e.g. IRN:sam-batteryx2",
            )
    return texts


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
force_option = click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
seed_option = click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True)


def run_options(command: Callable[..., None]) -> Callable[..., None]:
    """--trials, --seed and --workers, defined once, handed to the command as ``run``."""

    @functools.wraps(command)
    def wrapper(*args: Any, trials: int, seed: int, workers: int, **kwargs: Any) -> None:
        command(*args, run=RunSettings(trials, seed, workers), **kwargs)

    options = (
        click.option(
            "--trials",
            type=click.IntRange(2, 10_000_000),
            default=DEFAULT_TRIALS,
            show_default=True,
            help="Stochastic trials per exchange.",
        ),
        seed_option,
        click.option(
            "--workers",
            type=click.IntRange(1, 256),
            default=1,
            show_default=True,
            help="Processes to use (the same seed gives the same numbers).",
        ),
    )
    decorated: Callable[..., None] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


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
@run_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the figures (damage distributions, interception by layer, per dyad) "
    "as PNG files to this directory; needs equipoise[plot].",
)
@click.option(
    "--claims",
    "claims_path",
    is_flag=False,
    flag_value=OWN_CLAIMS,
    default=None,
    help="Report every metric over the possible worlds of these claims (a claims file, or "
    "no value for the scenario's own claims block).",
)
@output_option
@force_option
def analyze_command(
    scenario: str,
    run: RunSettings,
    output_format: str,
    plot_dir: Path | None,
    claims_path: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """Assess every dyad: first strikes, survivability, deterrence status.

    SCENARIO is a YAML file or a built-in name (default: west-asia-2024). With
    --claims, every metric is reported as a distribution over the possible worlds.
    """
    model = load(scenario)
    if claims_path is not None:
        worlds = analyze_claims(model, _claims_block(model, claims_path), seed=run.seed)
        _emit(worlds, worlds_text(worlds), output_format, output, force)
        return
    with progress_bar(analysis_units(model, run), "simulating") as progress:
        result = analyze(model, run, progress=progress)
    if plot_dir is not None:
        write_analysis_figures(result, plot_dir, force)
    _emit(result, analysis_text(result), output_format, output, force)


def write_analysis_figures(result: AnalysisResult, folder: Path, force: bool) -> None:
    """One damage and one interception figure per dyad, as PNG files in ``folder``."""
    from equipoise.plots import damage_figure, interception_figure, save_figure

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            f"cannot create {folder}: {error.strerror or error}", "choose a writable path"
        ) from None
    caption = f"Scenario {result.scenario}, seed {result.seed}, {result.trials} trials."
    for dyad in result.dyads:
        for name, draw in (("damage", damage_figure), ("interception", interception_figure)):
            path = folder / f"{name}-{dyad.a}-{dyad.b}.png"
            save_figure(draw(dyad, caption=caption), path, force=force)
            click.echo(f"wrote {path}", err=True)


def _range(text: str | None, current: float, flag: str = "--x-range") -> tuple[float, float]:
    if text is None:
        return 0.0, max(2.0 * current, 10.0)
    low, colon, high = text.partition(":")
    try:
        float(low), float(high)
    except ValueError:
        colon = ""
    if not colon:
        raise InputError(f"{flag} '{text}' is not LOW:HIGH", "write e.g. 0:200")
    return (
        finite_number(low, f"{flag} {text}", 0.0, MAX_AXIS_COUNT),
        finite_number(high, f"{flag} {text}", 0.0, MAX_AXIS_COUNT),
    )


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
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw the map to this file (.png, .svg or .pdf) instead of printing the CSV; "
    "with -o FILE the CSV is written too. Needs equipoise[plot].",
)
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
    plot: Path | None,
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
    for text, span, flag in ((x_text, x_range, "--x-range"), (y_text, y_range, "--y-range")):
        party, system = parse_axis_name(text)
        if party not in model.states and party not in model.backers:
            raise InputError(
                f"unknown party '{party}' in axis '{text}'", "use a state or backer key"
            )
        if system not in model.classes and system not in model.party_inventory(party):
            raise InputError(
                f"unknown system class or holding '{system}' in axis '{text}'",
                f"{suggest(system, [*model.classes, *model.party_inventory(party)])} "
                "`equipoise show` lists classes and holdings",
            )
        low, high = _range(span, current_count(model, party, system), flag)
        values = axis_values(low, high, steps)
        if values.size < steps:
            click.echo(
                f"note: {text} takes whole counts: {values.size} from {low:g} to {high:g}, "
                f"not {steps} steps",
                err=True,
            )
        axes.append(AxisSpec(party, system, values))
    cells = axes[0].values.size * axes[1].values.size
    threshold = PROGRESS_THRESHOLD if no_fsa else MAP_PROGRESS_CELLS
    with progress_bar(cells, "mapping", threshold=threshold) as progress:
        result = deterrence_map(
            model, a, b, axes[0], axes[1], first_strike_advantage=not no_fsa, progress=progress
        )
    if plot is not None:
        from equipoise.plots import save_figure

        save_figure(result.plot(), plot, force=force)
        click.echo(f"wrote {plot}", err=True)
        if output is None:
            return
    write_output(result.to_frame().to_csv(index=False), output, force)


def _emit(result: Any, text: str, output_format: str, output: Path | None, force: bool) -> None:
    if output_format == "json":
        write_output(json.dumps(result.to_dict(), indent=2), output, force)
    elif output_format == "csv":  # a record's result writes its credit in '#' lines
        to_csv = getattr(result, "to_csv", None) or (lambda: result.to_frame().to_csv(index=False))
        write_output(to_csv(), output, force)
    else:
        write_output(text, output, force)


format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)


@cli.command(name="balance")
@click.argument("states", nargs=-1)
@click.option("--years", help="FIRST-LAST, e.g. 1990-2016 (default: every year both exist).")
@click.option(
    "--exponent",
    type=FiniteFloat(0.0, 20.0, low_open=True),
    default=1.0,
    show_default=True,
    help="Contest function exponent m.",
)
@click.option("--list", "list_states", is_flag=True, help="List the states and their codes.")
@format_option
@output_option
@force_option
def balance_command(
    states: tuple[str, ...],
    years: str | None,
    exponent: float,
    list_states: bool,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """CINC, its six components, capability ratio and P(prevail) per year (CoW data).

    STATES are two CoW abbreviations, CoW codes or ISO3 codes, e.g. ISR IRN.
    """
    if list_states:
        rows = [f"{s.ccode:>4}  {s.stateabb:<4} {s.iso3 or '-':<4} {s.name}" for s in nmc_states()]
        write_output("code CoW  ISO3 name\n" + "\n".join(rows), output, force)
        return
    if len(states) != 2:
        raise InputError(
            f"balance needs two states, got {len(states)}", "for example: equipoise balance ISR IRN"
        )
    result = balance(states[0], states[1], parse_years(years), exponent)
    _emit(result, balance_text(result), output_format, output, force)


@cli.command(name="arms-race")
@click.argument("source", required=False, default=DEFAULT_SCENARIO)
@click.option(
    "--fit",
    "fit_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of observed levels (columns year and the two sides) to fit the coefficients to.",
)
@format_option
@output_option
@force_option
def arms_race_command(
    source: str, fit_path: Path | None, output_format: str, output: Path | None, force: bool
) -> None:
    """Richardson arms race: trajectory, equilibrium and stability, or a fit to data.

    SOURCE is a scenario with an arms_race block, or a file with only that block.
    """
    import numpy as np

    race = load_arms_race(source)
    if fit_path is None:
        result = arms_race(race)
        _emit(result, arms_race_text(result), output_format, output, force)
        return
    series = read_series(
        fit_path,
        ("year", race.a, race.b),
        (f"delivered_to_{race.a}", f"delivered_to_{race.b}"),
        time="year",
        min_rows=5,
    )
    flows = np.column_stack(
        [
            series.columns.get(f"delivered_to_{side}", np.zeros(series.length))
            for side in (race.a, race.b)
        ]
    )[:-1]
    fit = fit_richardson(series["year"], series[race.a], series[race.b], flows, (race.a, race.b))
    _emit(fit, fit_text(fit), output_format, output, force)


@cli.command(name="attrition")
@click.argument("source", required=False, default=DEFAULT_BATTLE)
@click.option("--law", type=click.Choice(["square", "linear"]), help="Override the file's law.")
@click.option(
    "--fit",
    "fit_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of force sizes (columns day and the two side names) to fit alpha and beta to.",
)
@format_option
@output_option
@force_option
def attrition_command(
    source: str,
    law: str | None,
    fit_path: Path | None,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """Lanchester square or linear law with reinforcements, or a fit to force sizes.

    SOURCE is an attrition file or a built-in battle (default: iwo-jima-1945, Engel 1954).
    """
    case = load_attrition(source)
    if law is not None:
        case = case.model_copy(update={"law": law})
    if fit_path is None:
        result = attrition(case)
        _emit(result, attrition_text(result), output_format, output, force)
        return
    a, b = case.a.name, case.b.name
    series = read_series(
        fit_path, ("day", a, b), (f"{a}_reinforcements", f"{b}_reinforcements"), time="day"
    )
    fit = fit_lanchester(
        series["day"],
        series[a],
        series[b],
        series.columns.get(f"{a}_reinforcements"),
        series.columns.get(f"{b}_reinforcements"),
        law=case.law,
        names=(a, b),
    )
    _emit(fit, fit_text(fit), output_format, output, force)


@cli.command(name="whatif")
@click.argument("scenario")
@click.option(
    "--deliver",
    "deliveries",
    multiple=True,
    callback=check_deliveries,
    help="RECIPIENT:PACKAGE or RECIPIENT:PACKAGExN (PACKAGE may be SUPPLIER.PACKAGE); repeatable.",
)
@click.option(
    "--add",
    "additions",
    multiple=True,
    metavar="PARTY.HOLDING=+N",
    help="Add (or with -N remove) launchers or units of any holding, rounds and "
    "interceptors in proportion, e.g. ISR.upper-tier-bmd=+2; repeatable.",
)
@run_options
@format_option
@output_option
@force_option
def whatif_command(
    scenario: str,
    deliveries: tuple[str, ...],
    additions: tuple[str, ...],
    run: RunSettings,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """Every dyad metric before and after the given deliveries or holding changes."""
    model = load(scenario)
    with progress_bar(comparison_units(model, run), "before and after") as progress:
        result = whatif(model, list(deliveries), run, add=additions, progress=progress)
    _emit(result, comparison_text(result), output_format, output, force)


@cli.command(name="recommend")
@click.argument("scenario")
@click.option(
    "--policy", default="balancer", show_default=True, help="balancer, abstain or partisan:STATE."
)
@click.option(
    "--weights",
    callback=check_weights,
    help="Objective weights, e.g. mutual=1000,fsa=10,range=10,cost=1 (see docs/model.md §8).",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "exhaustive", "local"]),
    default="auto",
    show_default=True,
    help="auto: enumerate when the plan space is small enough, else local search.",
)
@click.option("--time-limit", type=FiniteFloat(0.1, 3600), help="Seconds for the local search.")
@run_options
@format_option
@output_option
@force_option
def recommend_command(
    scenario: str,
    policy: str,
    weights: str | None,
    method: str,
    time_limit: float | None,
    run: RunSettings,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """The packages a supplier policy chooses, its cost and every dyad before and after.

    Says whether the plan is proven optimal for the stated objective (exhaustive
    enumeration) or the best a heuristic found within the time limit.
    """
    model = load(scenario)

    def total() -> int:
        return recommend_units(model, policy, run, method=method, time_limit=time_limit)

    with progress_bar(total, "searching and simulating") as progress:
        result = recommend(
            model,
            policy,
            PolicyWeights.parse(weights),
            run,
            method=method,
            time_limit=time_limit,
            progress=progress,
        )
    _emit(result, recommendation_text(result), output_format, output, force)


@cli.command(name="diff")
@click.argument("first")
@click.argument("second")
@run_options
@format_option
@output_option
@force_option
def diff_command(
    first: str,
    second: str,
    run: RunSettings,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """Two versions of a scenario: the inputs that differ, then every metric side by side."""
    from equipoise.analysis.policy import diff, diff_units
    from equipoise.report.policy import diff_text

    a, b = load(first), load(second)
    with progress_bar(diff_units(a, b, run), "analysing both") as progress:
        result = diff(a, b, run, progress=progress)
    result = dataclasses.replace(result, labels=(first, second))
    _emit(result, diff_text(result), output_format, output, force)


@cli.command(name="compare-policies")
@click.argument("scenario")
@click.option(
    "--weights",
    callback=check_weights,
    help="Objective weights, e.g. mutual=1000,fsa=10,range=10,cost=1.",
)
@run_options
@format_option
@output_option
@force_option
def compare_policies_command(
    scenario: str,
    weights: str | None,
    run: RunSettings,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """Abstain, partisan (each side armed) and balancer in one table."""
    model = load(scenario)
    total = functools.partial(compare_policies_units, model, run)
    with progress_bar(total, "comparing policies") as progress:
        result = compare_policies(model, PolicyWeights.parse(weights), run, progress=progress)
    _emit(result, policies_text(result), output_format, output, force)


def _claims_block(model: Scenario, claims_path: str | None) -> ClaimsBlock | None:
    if claims_path is None or claims_path == OWN_CLAIMS:
        if model.claims is None:
            raise InputError(
                f"scenario '{model.name}' has no claims block",
                "pass a claims file: --claims FILE (see `equipoise show west-asia-2024`)",
            )
        return model.claims
    return load_claims(claims_path, model)


@cli.command(name="claims")
@click.argument("scenario")
@click.option(
    "--claims",
    "claims_path",
    type=click.Path(dir_okay=False),
    help="A claims file (default: the scenario's own claims block).",
)
@click.option(
    "--value-of-information",
    "voi",
    is_flag=True,
    help="Rank claims by how much learning their truth would change the assessment.",
)
@seed_option
@format_option
@output_option
@force_option
def claims_command(
    scenario: str,
    claims_path: str | None,
    voi: bool,
    seed: int,
    output_format: str,
    output: Path | None,
    force: bool,
) -> None:
    """Each claim's posterior probability with the arithmetic shown."""
    model = load(scenario)
    block = _claims_block(model, claims_path)
    report = claims_report(model, block, rank_by_information=voi, seed=seed)
    _emit(report, claims_text(report), output_format, output, force)


@cli.command(name="report")
@click.argument("scenario")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write.",
)
@run_options
@click.option(
    "--deliver",
    "deliveries",
    multiple=True,
    callback=check_deliveries,
    help="What-if deliveries to show (RECIPIENT:PACKAGE[xN]); default: the policy's plan.",
)
@click.option("--policy", default="balancer", show_default=True, help="Policy whose plan is shown.")
@force_option
def report_command(
    scenario: str,
    output: Path,
    run: RunSettings,
    deliveries: tuple[str, ...],
    policy: str,
    force: bool,
) -> None:
    """A self-contained HTML report: summary, maps, distributions, policies, claims, time series."""
    from equipoise.report.html import build_report, report_units

    model = load(scenario)
    refuse_to_overwrite(output, force)
    if not output.parent.is_dir():
        raise InputError(
            f"cannot write {output}: no such directory {output.parent}", "choose a writable path"
        )

    def total() -> int:
        return report_units(model, run, deliveries=deliveries, policy=policy)

    with progress_bar(total, "building the report") as progress:
        report = build_report(model, run, deliveries=deliveries, policy=policy, progress=progress)
    write_output(report.html(), output, force)


def main() -> None:
    """Console entry point."""
    cli(prog_name="equipoise")


__all__ = ["cli", "main", "read_text_file"]
from equipoise.cli import app as _app  # noqa: E402,F401  (registers its commands)
from equipoise.cli import interception as _interception  # noqa: E402,F401  (registers its commands)
from equipoise.cli import sweep as _sweep  # noqa: E402,F401  (registers its commands)
from equipoise.cli import transfers as _transfers  # noqa: E402,F401  (registers its commands)
