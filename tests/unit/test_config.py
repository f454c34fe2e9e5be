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

    assert settings.app.timezone == "Asia/Ho_Chi_Minh"
    assert settings.app.locale == "vi"
    assert settings.database_url.startswith("sqlite:////")
    assert settings.database_url.endswith("/var/thidua.db")
    assert settings.definitions_dir.name == "definitions"


def test_environment_overrides_keep_the_type_of_the_key(tmp_path: Path) -> None:
    path = _config(tmp_path, "[scheduler]\nenabled = true\nbatch_size = 500\n")

    settings = load_settings(path, environ={
        "THIDUA_SCHEDULER_ENABLED": "false", "THIDUA_SCHEDULER_BATCH_SIZE": "50",
        "THIDUA_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/db",
    })

    assert settings.scheduler.enabled is False
    assert settings.scheduler.batch_size == 50
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


def test_a_value_of_the_wrong_type_names_the_key_and_the_file(tmp_path: Path) -> None:
    path = _config(tmp_path, '[mail]\nport = "25"\n')

    with pytest.raises(InvalidInput) as err:
        load_settings(path, environ={})

    assert str(err.value) == f"{path}: mail.port: expected a whole number, got '25'"


def test_true_or_false_is_not_a_whole_number(tmp_path: Path) -> None:
    path = _config(tmp_path, "[scheduler]\nsweep_interval_seconds = true\n")

    with pytest.raises(InvalidInput, match="scheduler.sweep_interval_seconds: expected a whole"):
        load_settings(path, environ={})


def test_an_unknown_key_in_the_file_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    path = _config(tmp_path, '[mail]\nhots = "smtp.example.vn"\n')

    with pytest.raises(InvalidInput) as err:
        load_settings(path, environ={})

    assert str(path) in str(err.value)
    assert "mail.hots: not a setting of [mail]" in str(err.value)


def test_other_thidua_variables_are_not_settings(tmp_path: Path) -> None:
    path = _config(tmp_path, "")

    settings = load_settings(path, environ={"THIDUA_TEST_PG_URL": "x", "THIDUA_CONFIG": "y",
                                            "THIDUA_MAIL_PORT": "2525"})

    assert settings.mail.port == 2525


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, "")

    with pytest.raises(InvalidInput) as err:
        load_settings(path, environ={"THIDUA_APP_TIMEZONE": "Asia/Saigonn"})

    assert str(err.value).startswith("THIDUA_APP_TIMEZONE: unknown time zone 'Asia/Saigonn'")


def test_defaults_live_in_the_dataclasses(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, ""), environ={})

    assert settings.scheduler.sweep_interval_seconds == 60
    assert settings.limits.login_per_user_window_seconds == 900
    assert str(settings.tz) == "Asia/Ho_Chi_Minh"


def test_replace_checks_the_new_values_like_the_file() -> None:
    settings = load_settings(environ={})

    assert settings.replace(app={"trusted_proxies": 2}).app.trusted_proxies == 2
    assert settings.replace(app={"trusted_proxies": 2}).app.locale == settings.app.locale
    with pytest.raises(InvalidInput, match=r"^limits.login_per_user: expected a whole number"):
        settings.replace(limits={"login_per_user": "x"})
