"""Settings come from config.toml; THIDUA_<SECTION>_<KEY> overrides any key, typed like it."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.config import load_settings
from workflow.errors import InvalidInput


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_has_the_documented_defaults() -> None:
    settings = load_settings(environ={})

    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.get("app", "locale") == "vi"
    assert settings.database_url.startswith("sqlite:////")
    assert settings.database_url.endswith("/var/thidua.db")
    assert settings.definitions_dir.name == "definitions"


def test_environment_overrides_keep_the_type_of_the_key(tmp_path: Path) -> None:
    path = _config(tmp_path, "[scheduler]\nenabled = true\nbatch_size = 500\n")

    settings = load_settings(path, environ={
        "THIDUA_SCHEDULER_ENABLED": "false", "THIDUA_SCHEDULER_BATCH_SIZE": "50",
        "THIDUA_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/db",
    })

    assert settings.get("scheduler", "enabled") is False
    assert settings.get("scheduler", "batch_size") == 50
    assert settings.database_url == "postgresql+psycopg://u@127.0.0.1/db"


def test_a_bad_override_names_the_variable(tmp_path: Path) -> None:
    path = _config(tmp_path, "[scheduler]\nbatch_size = 500\n")

    with pytest.raises(InvalidInput) as err:
        load_settings(path, environ={"THIDUA_SCHEDULER_BATCH_SIZE": "many"})

    assert str(err.value) == "THIDUA_SCHEDULER_BATCH_SIZE: expected a whole number, got 'many'"


def test_a_broken_config_file_is_reported_with_its_path(tmp_path: Path) -> None:
    path = _config(tmp_path, "[database\nurl = 1\n")

    with pytest.raises(InvalidInput) as err:
        load_settings(path, environ={})

    assert str(path) in str(err.value)


def test_relative_sqlite_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = _config(tmp_path, '[database]\nurl = "sqlite:///data/x.db"\n')

    settings = load_settings(path, environ={})

    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'x.db'}"
