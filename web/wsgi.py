"""The WSGI entry point for gunicorn: `gunicorn 'web.wsgi:app'` (settings from config.toml and
THIDUA_* variables; set THIDUA_SCHEDULER_ENABLED=false on all but the processes that sweep)."""

from __future__ import annotations

from web import create_app
from workflow.config import load_settings

_settings = load_settings()
app = create_app(_settings, start_scheduler=_settings.scheduler.enabled)
