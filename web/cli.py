"""The `thidua` command: the workflow commands plus `serve`, which runs the web app."""

from __future__ import annotations

import os
import subprocess
import sys

import click
from gunicorn.app.base import BaseApplication

from workflow.cli import cli, friendly_errors
from workflow.config import load_settings


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the background sweep here.")
@friendly_errors
def serve(host: str, port: int, workers: int, threads: int, no_scheduler: bool) -> None:
    """Serve the web app with gunicorn on http://HOST:PORT, as in production, and run the
    scheduler beside it in one process of its own."""
    from web import create_app

    settings = load_settings()
    # refuse bad settings here, with their message, before any fork; then close what it
    # opened, so no pooled connection is inherited by the workers
    from web import services_of

    services_of(create_app(settings)).close()
    scheduler = not no_scheduler and settings.scheduler.enabled
    click.echo(f"thidua on http://{host}:{port} with {workers} gunicorn worker(s) "
               f"(scheduler {'on, in its own process' if scheduler else 'off'})")
    sweeper = None
    if scheduler:
        sweeper = subprocess.Popen([sys.executable, "-m", "web.cli", "scheduler"],
                                   env=os.environ | {"PYTHONUNBUFFERED": "1"})
    try:
        _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                   "worker_class": "gthread", "timeout": 60, "graceful_timeout": 10,
                   "errorlog": "-", "loglevel": "warning"}).run()
    finally:
        if sweeper is not None:
            sweeper.terminate()
            try:
                sweeper.wait(timeout=15)
            except subprocess.TimeoutExpired:
                sweeper.kill()


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn run from `thidua serve`: each worker builds its own app (no scheduler: that
    runs in the process `serve` starts beside them)."""

    def __init__(self, options: dict[str, object]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> object:
        from web import create_app

        return create_app(load_settings(), start_scheduler=False)


def main() -> None:
    cli(prog_name="thidua")


if __name__ == "__main__":  # `python -m web.cli …`, as `thidua serve` starts its scheduler
    main()
