"""The `thidua` command: the workflow commands plus `serve`, which runs the web app."""

from __future__ import annotations

import click

from workflow.cli import cli, friendly_errors
from workflow.config import load_settings


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-scheduler", is_flag=True, help="Do not run the background sweep here.")
@friendly_errors
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """Run the web app (and the scheduler) on http://HOST:PORT."""
    from web import create_app

    settings = load_settings()
    scheduler = not no_scheduler and bool(settings.get("scheduler", "enabled", True))
    app = create_app(settings, start_scheduler=scheduler)
    click.echo(f"thidua on http://{host}:{port} (scheduler {'on' if scheduler else 'off'})")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def main() -> None:
    cli(prog_name="thidua")
