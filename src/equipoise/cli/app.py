"""``equipoise app``: the interactive explorer in the browser, served locally."""

from __future__ import annotations

import click

from equipoise.cli.main import cli, load
from equipoise.errors import InputError


@cli.command(name="app")
@click.argument("scenario", default="west-asia-2024")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the app in a web browser.")
def app_command(scenario: str, host: str, port: int, open_browser: bool) -> None:
    """Explore SCENARIO (a file or built-in name) in a local web app: sliders, map,
    metrics, what-if deliveries, claims, the balancer. Stop it with Ctrl-C."""
    model = load(scenario)
    try:
        from equipoise.app.server import run
    except ImportError as error:
        if not (error.name or "").startswith(("shiny", "htmltools", "uvicorn", "starlette")):
            raise
        raise InputError(
            f"the app needs Shiny for Python, which is not installed ({error.name})",
            "pip install 'equipoise[app]'",
        ) from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"equipoise app: serving {model.name} at http://{shown}:{port}/ (Ctrl-C stops it)")
    run(model, host=host, port=port, launch_browser=open_browser)
