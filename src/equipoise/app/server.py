"""The explorer's web app (Shiny for Python): panels that read a :class:`View` and show
what :func:`equipoise.app.model.compute` gives for it.

Everything is served by the app itself (Shiny ships its own scripts and styles): it
needs no network. Install with ``pip install 'equipoise[app]'``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from shiny import App, Inputs, Outputs, Session, reactive, render, ui

from equipoise.analysis.deliveries import PlanKey, summarise_plan
from equipoise.analysis.metrics import in_words
from equipoise.analysis.metrics import label as metric_label
from equipoise.analysis.policy import Recommendation, recommend, recommend_units
from equipoise.analysis.settings import Progress, RunSettings
from equipoise.app.model import (
    MAX_UPLOAD_BYTES,
    Axis,
    ClaimMode,
    Computed,
    View,
    all_holdings,
    axis_choices,
    catalogue,
    changes,
    compute,
    default_axes,
    fmt,
    read_upload,
    sliders,
    try_delivery,
)
from equipoise.domain.loading import dump_scenario
from equipoise.domain.scenario import Scenario
from equipoise.errors import EquipoiseError

REPORT_TRIALS = 1_000
BALANCER_TRIALS = 500

CSS = """
body { font-size: 0.9rem; }
#metrics table, #worlds table, #plan_table table { font-size: 0.8rem; }
#metrics td.num, #worlds td.num { text-align: right; font-variant-numeric: tabular-nums; }
#metrics tr.changed td { background: #fff7d6; }
pre.error { white-space: pre-wrap; color: #8a1c00; background: #fff1ea; padding: 0.5em; }
.refused { color: #8a1c00; }
"""


def _axis_id(axis: Axis) -> str:
    return f"{axis[0]}|{axis[1]}"


def _axis_of(text: str | None) -> Axis | None:
    if not text or "|" not in text:
        return None
    party, _, key = text.partition("|")
    return party, key


def _dyad_choices(scenario: Scenario) -> dict[str, str]:
    return {
        str(i): f"{d.label or d.a + '-' + d.b} ({d.a}:{d.b})" for i, d in enumerate(scenario.dyads)
    }


def _metrics_table(computed: Computed) -> ui.Tag:
    rows = [
        ui.tags.tr(
            ui.tags.td(row.metric),
            ui.tags.td(row.state),
            ui.tags.td(fmt(row.today), class_="num"),
            ui.tags.td(fmt(row.after), class_="num"),
            class_="changed" if fmt(row.today) != fmt(row.after) else None,
            data_metric=row.metric,
            data_state=row.state,
        )
        for row in computed.rows
    ]
    head = ui.tags.tr(*[ui.tags.th(h) for h in ("metric", "state", "as loaded", "edited")])
    return ui.tags.table(ui.tags.thead(head), ui.tags.tbody(*rows), class_="table table-sm")


def _progress_hook(progress: ui.Progress, total: int, message: str) -> Progress:
    """The API's progress hook (units done, out of ``total``) drawn on a Shiny progress
    bar, sent at most once per percent so the browser's socket is not flooded."""
    done = [0, -1]

    def advance(units: int) -> None:
        done[0] += units
        percent = min(100, 100 * done[0] // max(total, 1))
        if percent > done[1]:
            done[1] = percent
            progress.set(percent / 100, message=message, detail=f"{percent} %")

    return advance


def _worlds_table(computed: Computed) -> ui.TagChild:
    if computed.worlds is None:
        return ui.p("No claim is weighted by its posterior (or the scenario has none).")
    dyad = f"{computed.a}-{computed.b}"
    rows = [r for r in computed.worlds.rows() if r["dyad"] == dyad]
    body = [
        ui.tags.tr(
            ui.tags.td(r["metric"]),
            ui.tags.td(r["state"]),
            ui.tags.td(fmt(r["mean"]), class_="num"),
            ui.tags.td(fmt(r["low"]), class_="num"),
            ui.tags.td(fmt(r["high"]), class_="num"),
        )
        for r in rows
    ]
    worlds = computed.worlds.worlds
    head = ui.tags.tr(*[ui.tags.th(h) for h in ("metric", "state", "mean", "90% low", "high")])
    return ui.TagList(
        ui.p(
            f"Over {worlds.truth.shape[0]} possible worlds of the weighted claims "
            f"({'every world' if worlds.exact else 'sampled'}), on top of the edited "
            "scenario; claims assumed true or false are conditioned on."
        ),
        ui.tags.table(ui.tags.thead(head), ui.tags.tbody(*body), class_="table table-sm"),
    )


def _recommendation_panel(result: Recommendation, dyad: str) -> ui.TagChild:
    lines = result.comparison.plan.lines
    items = [
        ui.tags.li(f"{line.supplier} sends {line.recipient} {line.quantity} x {line.package}")
        for line in lines
    ] or [ui.tags.li("no delivery")]
    header = ["state", "metric", "before", "after"]
    rows = [
        ui.tags.tr(
            *[ui.tags.td(fmt(row[k]) if isinstance(row[k], float) else str(row[k])) for k in header]
        )
        for row in result.comparison.rows()
        if row.get("dyad") == dyad
    ]
    return ui.TagList(
        ui.p(
            f"The balancer policy ({result.outcome.method}; "
            f"{'proven optimal' if result.outcome.proven_optimal else 'not proven optimal'}):"
        ),
        ui.tags.ul(*items),
        ui.tags.table(
            ui.tags.thead(ui.tags.tr(*[ui.tags.th(h) for h in header])),
            ui.tags.tbody(*rows),
            class_="table table-sm",
        ),
    )


changes_made = changes


def create_app(scenario: Scenario) -> App:
    """The explorer for ``scenario`` (another can be uploaded in the page)."""
    app_ui = ui.page_sidebar(
        ui.sidebar(
            ui.input_select("dyad", "Dyad", _dyad_choices(scenario)),
            ui.output_ui("slider_panel"),
            width=360,
            open="always",
        ),
        ui.head_content(ui.tags.style(CSS)),
        ui.layout_columns(
            ui.card(
                ui.card_header("Deterrence map"),
                ui.output_ui("axis_panel"),
                ui.output_plot("map", height="480px"),
                ui.output_text("map_points"),
            ),
            ui.card(
                ui.card_header("Metrics: as loaded and edited"),
                ui.output_ui("compute_error"),
                ui.output_text("changes"),
                ui.output_ui("metrics"),
            ),
            col_widths=(7, 5),
        ),
        ui.layout_columns(
            ui.card(
                ui.card_header("What-if deliveries (the suppliers' red lines enforced)"),
                ui.output_ui("delivery_inputs"),
                ui.input_numeric("quantity", "Quantity", 1, min=1, max=100, step=1),
                ui.input_action_button("deliver", "Deliver"),
                ui.input_action_button("clear_plan", "Clear deliveries"),
                ui.output_ui("delivery_status"),
            ),
            ui.card(
                ui.card_header("Claims"),
                ui.output_ui("claim_panel"),
                ui.output_ui("worlds"),
            ),
            ui.card(
                ui.card_header("Balancer, files"),
                ui.input_action_button("recommend", "Recommend (balancer policy)"),
                ui.output_ui("recommendation"),
                ui.hr(),
                ui.download_button("download_yaml", "Download edited scenario (YAML)"),
                ui.download_button("download_report", "Download HTML report"),
                ui.hr(),
                ui.input_file(
                    "upload",
                    f"Upload a scenario (YAML, at most {MAX_UPLOAD_BYTES // 1000} kB)",
                    accept=[".yaml", ".yml"],
                ),
                ui.output_ui("upload_status"),
            ),
            col_widths=(4, 4, 4),
        ),
        title=ui.h4(ui.output_text("scenario_title", inline=True), class_="m-0"),
        window_title="equipoise explorer",
    )

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        loaded = reactive.value(scenario)
        generation = reactive.value(0)
        plan: reactive.Value[dict[PlanKey, int]] = reactive.value({})
        refused = reactive.value[list[str]]([])
        upload_message = reactive.value[tuple[str, str]](("", ""))
        advice = reactive.value[Recommendation | None](None)

        def prefix() -> str:
            """Input ids of one loaded scenario (a new upload starts afresh)."""
            return f"g{generation()}"

        def kept(key: str, default: float) -> float:
            """An input's value if the user already set it (kept across dyads)."""
            with reactive.isolate():
                return float(input[key]()) if key in input else default

        def dyad() -> tuple[int, str, str]:
            index = int(input.dyad() or 0)
            d = loaded().dyads[index]
            return index, d.a, d.b

        @render.text
        def scenario_title() -> str:
            return f"equipoise explorer: {loaded().title}"

        @render.ui
        def slider_panel() -> ui.TagChild:
            current = loaded()
            _, a, b = dyad()
            tags: list[ui.TagChild] = [ui.h6("Unacceptable damage (value units)")]
            for state in (a, b):
                body = current.states[state]
                key = f"{prefix()}_ud{list(current.states).index(state)}"
                tags.append(
                    ui.input_slider(
                        key,
                        state,
                        min=0.5,
                        max=float(body.value_at_risk),
                        value=kept(key, float(body.unacceptable_damage)),
                        step=0.5,
                    )
                )
            tags.append(ui.h6("Holdings"))
            for slider in sliders(current, a, b):
                key = f"{prefix()}_h{slider.index}"
                value = int(kept(key, slider.value))
                tags.append(ui.input_slider(key, slider.label, 0, slider.maximum, value, step=1))
            return ui.TagList(*tags)

        @render.ui
        def claim_panel() -> ui.TagChild:
            block = loaded().claims
            if block is None:
                return ui.p("This scenario has no claims.")
            from equipoise.analysis.claims import claim_posteriors

            tags: list[ui.TagChild] = []
            for i, claim in enumerate(claim_posteriors(block)):
                tags.append(
                    ui.input_radio_buttons(
                        f"g{generation()}_claim{i}",
                        f"{claim.name}: {claim.delivery} (posterior {claim.posterior:.3f})",
                        {
                            "weighted": "weighted by posterior",
                            "true": "assumed true",
                            "false": "assumed false",
                        },
                        selected="weighted",
                        inline=True,
                    )
                )
            return ui.TagList(*tags)

        @render.ui
        def delivery_inputs() -> ui.TagChild:
            current = loaded()
            packages = {
                f"{s}.{p}": f"{s}.{p}" + (f": {d}" if d else "") for s, p, d in catalogue(current)
            }
            return ui.TagList(
                ui.input_select("recipient", "Recipient", {s: s for s in current.states}),
                ui.input_select("package", "Package", packages or {"": "no supplier"}),
            )

        def current_view() -> View:
            current = loaded()
            index = dyad()[0]
            counts: dict[Axis, int] = {}
            for i, holding in enumerate(all_holdings(current)):
                key = f"{prefix()}_h{i}"
                if key in input:
                    counts[holding] = int(input[key]())
            damage: dict[str, float] = {}
            for i, state in enumerate(current.states):
                key = f"{prefix()}_ud{i}"
                if key in input:
                    damage[state] = float(input[key]())
            claims: dict[str, ClaimMode] = {}
            if current.claims is not None:
                for i, name in enumerate(current.claims.items):
                    key = f"g{generation()}_claim{i}"
                    if key in input and input[key]() in ("true", "false", "weighted"):
                        claims[name] = input[key]()
            x = _axis_of(input.x_axis()) if "x_axis" in input else None
            y = _axis_of(input.y_axis()) if "y_axis" in input else None
            return View(current, index, counts, damage, claims, dict(plan()), x, y)

        @reactive.calc
        def computed() -> Computed | str:
            view = current_view()
            try:
                return compute(view)
            except EquipoiseError as error:
                if view.x is not None or view.y is not None:
                    try:
                        return compute(replace(view, x=None, y=None))
                    except EquipoiseError:
                        pass
                return error.render()

        @render.ui
        def axis_panel() -> ui.TagChild:
            from equipoise.analysis.deliveries import apply_plan

            current = loaded()
            _, a, b = dyad()
            planned = apply_plan(current, plan()) if plan() else current
            choices = {_axis_id(c): f"{c[0]}.{c[1]}" for c in axis_choices(planned, a, b)}
            x, y = default_axes(planned, a, b)
            with reactive.isolate():
                old_x = input.x_axis() if "x_axis" in input else None
                old_y = input.y_axis() if "y_axis" in input else None
            return ui.layout_columns(
                ui.input_select(
                    "x_axis", "x axis", choices, selected=old_x if old_x in choices else _axis_id(x)
                ),
                ui.input_select(
                    "y_axis", "y axis", choices, selected=old_y if old_y in choices else _axis_id(y)
                ),
            )

        @render.plot(alt="deterrence map")
        def map() -> Any:
            result = computed()
            if isinstance(result, str):
                return None
            from equipoise.plots.figures import deterrence_map_figure

            figure = deterrence_map_figure(
                result.map,
                after=result.after_point,
                after_label="edited",
                caption=(
                    f"Scenario {result.scenario.name}, edited; no first-strike search.\n"
                    "Dot: as loaded; diamond: edited. Illustrative unless sourced."
                ),
            )
            figure.set_layout_engine("tight")  # what Shiny draws with
            return figure

        @render.text
        def map_points() -> str:
            result = computed()
            if isinstance(result, str):
                return ""
            grid = result.map
            tx, ty = result.today_point
            ax, ay = result.after_point
            return (
                f"as loaded: {grid.x.label}={tx:g}, {grid.y.label}={ty:g}; "
                f"edited: {grid.x.label}={ax:g}, {grid.y.label}={ay:g}, "
                f"{metric_label('status')} there: "
                f"{in_words(grid.status_at(ax, ay), *grid.called)}"
            )

        @render.text
        def changes() -> str:  # the output's id
            made = changes_made(current_view())
            return "Edits: " + ("; ".join(made) if made else "none")

        @render.ui
        def compute_error() -> ui.TagChild:
            result = computed()
            return ui.tags.pre(result, class_="error") if isinstance(result, str) else None

        @render.ui
        def metrics() -> ui.TagChild:
            result = computed()
            return None if isinstance(result, str) else _metrics_table(result)

        @render.ui
        def worlds() -> ui.TagChild:
            result = computed()
            return None if isinstance(result, str) else _worlds_table(result)

        @reactive.effect
        @reactive.event(input.deliver)
        def _deliver() -> None:
            text = input.package()
            if not text:
                return
            supplier, _, package = text.partition(".")
            quantity = max(int(input.quantity() or 1), 1)
            new_plan, problems = try_delivery(
                loaded(), plan(), (supplier, package, input.recipient()), quantity
            )
            plan.set(new_plan)
            refused.set(problems)

        @reactive.effect
        @reactive.event(input.clear_plan)
        def _clear() -> None:
            plan.set({})
            refused.set([])

        @render.ui
        def delivery_status() -> ui.TagChild:
            tags: list[ui.TagChild] = []
            if refused():
                tags.append(
                    ui.div(
                        ui.strong("Refused, not delivered: "),
                        ui.tags.ul(*[ui.tags.li(p) for p in refused()]),
                        class_="refused",
                        id="refused",
                    )
                )
            lines = summarise_plan(loaded(), plan()).lines
            if lines:
                tags.append(
                    ui.tags.ul(
                        *[
                            ui.tags.li(
                                f"{line.supplier} to {line.recipient}: {line.quantity} x "
                                f"{line.package}"
                                + (
                                    f" (not cleared against {', '.join(line.restricted_against)})"
                                    if line.restricted_against
                                    else ""
                                )
                            )
                            for line in lines
                        ],
                        id="planned",
                    )
                )
            else:
                tags.append(ui.p("No what-if delivery."))
            return ui.TagList(*tags)

        @reactive.effect
        @reactive.event(input.recommend)
        def _recommend() -> None:
            view = current_view()
            base = replace(view, plan={})
            from equipoise.app.model import edited

            settings = RunSettings(trials=BALANCER_TRIALS)
            with ui.Progress(min=0, max=1) as progress:
                message = "Searching the suppliers' plans (balancer policy), then assessing it"
                try:
                    scenario = edited(base)
                    total = recommend_units(scenario, "balancer", settings)
                    result = recommend(
                        scenario,
                        "balancer",
                        settings=settings,
                        progress=_progress_hook(progress, total, message),
                    )
                except EquipoiseError as error:
                    ui.notification_show(error.render(), type="error")
                    return
                progress.set(1.0, message="Done")
            advice.set(result)

        @render.ui
        def recommendation() -> ui.TagChild:
            result = advice()
            if result is None:
                return ui.p("Press the button to search the balancer's best plan.")
            _, a, b = dyad()
            return _recommendation_panel(result, f"{a}-{b}")

        def edited_scenario() -> Scenario:
            result = computed()
            if isinstance(result, str):
                raise EquipoiseError(result)
            return result.scenario

        @render.download_button(filename=lambda: f"{loaded().name}-edited.yaml")
        def download_yaml() -> Iterator[str]:
            yield dump_scenario(edited_scenario())

        @render.download_button(filename=lambda: f"{loaded().name}-report.html")
        def download_report() -> Iterator[str]:
            from equipoise.report.html import build_report, report_units

            settings = RunSettings(trials=REPORT_TRIALS)
            with ui.Progress(min=0, max=1) as progress:
                scenario = edited_scenario()
                hook = _progress_hook(
                    progress, report_units(scenario, settings), "Building the report"
                )
                text = build_report(scenario, settings, progress=hook).html()
            yield text

        @reactive.effect
        @reactive.event(input.upload)
        def _upload() -> None:
            files = input.upload()
            if not files:
                return
            info = files[0]
            new, message = read_upload(str(info["name"]), str(info["datapath"]))
            if new is None:
                upload_message.set(("error", message))
                return
            plan.set({})
            refused.set([])
            advice.set(None)
            loaded.set(new)
            generation.set(generation() + 1)
            ui.update_select("dyad", choices=_dyad_choices(new), selected="0")
            upload_message.set(("ok", message))

        @render.ui
        def upload_status() -> ui.TagChild:
            kind, text = upload_message()
            if not text:
                return None
            if kind == "error":
                return ui.tags.pre(text, class_="error", id="upload_error")
            return ui.p(text, id="upload_ok")

    return App(app_ui, server)


def run(
    scenario: Scenario, *, host: str = "127.0.0.1", port: int = 8765, launch_browser: bool = False
) -> None:
    """Serve the explorer until interrupted."""
    import shiny

    run_app = shiny.run_app
    assert run_app is not None  # None only under Pyodide, in the browser
    run_app(
        create_app(scenario),
        host=host,
        port=port,
        launch_browser=launch_browser,
        log_level="warning",
        dev_mode=False,
    )
