"""Settings from config.toml, each key overridable by THIDUA_<SECTION>_<KEY>.

One frozen dataclass per section of config.toml; its field defaults are the only defaults.
Every value is checked against its field's type once, when the settings are loaded, and a wrong
one is refused with the key and the file or variable it came from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.errors import InvalidInput

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"
# Vietnam keeps one time zone and no daylight saving; a FakeClock without a zone uses it too.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """[database]"""

    url: str = "sqlite:///var/thidua.db"
    sqlite_synchronous: str = "NORMAL"
    echo: bool = False
    pool_pre_ping: bool = False


@dataclass(frozen=True, slots=True)
class AppSettings:
    """[app]"""

    timezone: str = DEFAULT_TIMEZONE
    locale: str = "vi"
    definitions_dir: str = "definitions"
    documents_dir: str = "var/documents"
    secret_key: str = ""
    instance_dir: str = "var/instance"
    base_url: str = ""
    secure_cookies: bool = False
    trusted_proxies: int = 0


@dataclass(frozen=True, slots=True)
class LimitsSettings:
    """[limits]: attempts allowed within <name>_window_seconds of the first."""

    login_per_address: int = 5
    login_per_address_window_seconds: int = 15 * 60
    login_per_user: int = 20
    login_per_user_window_seconds: int = 15 * 60
    objections_per_dossier: int = 5
    objections_per_dossier_window_seconds: int = 60 * 60
    objections_per_address: int = 20
    objections_per_address_window_seconds: int = 24 * 60 * 60


@dataclass(frozen=True, slots=True)
class MailSettings:
    """[mail]"""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "thidua@localhost"
    use_tls: bool = False
    username: str = ""
    password: str = ""


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    """[scheduler]"""

    enabled: bool = True
    sweep_interval_seconds: int = 60
    batch_size: int = 500


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """[audit]"""

    chain_key: str = ""


SECTIONS: dict[str, type[Any]] = {
    "database": DatabaseSettings, "app": AppSettings, "limits": LimitsSettings,
    "mail": MailSettings, "scheduler": SchedulerSettings, "audit": AuditSettings,
}


@dataclass(frozen=True)
class Settings:
    """All settings, one typed section each, and the folder relative paths start from."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    app: AppSettings = field(default_factory=AppSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    root: Path = PROJECT_ROOT

    @property
    def database_url(self) -> str:
        return _absolute_sqlite_url(self.database.url, self.root)

    @property
    def definitions_dir(self) -> Path:
        return self._path(self.app.definitions_dir)

    @property
    def documents_dir(self) -> Path:
        return self._path(self.app.documents_dir)

    @property
    def instance_dir(self) -> Path:
        """Where the installation keeps what it generates for itself (its secrets)."""
        return self._path(self.app.instance_dir)

    @property
    def tz(self) -> dt.tzinfo:
        """The installation's time zone (app.timezone): due dates and local times use it."""
        return zone(self.app.timezone)

    def replace(self, **sections: Mapping[str, Any]) -> Settings:
        """These settings with some keys changed, checked like the file's."""
        return _build({name: dataclasses.asdict(getattr(self, name)) for name in SECTIONS},
                      self.root, environ={}, overrides=sections)

    def _path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.root / path


@cache
def zone(name: str) -> dt.tzinfo:
    """The time zone of an IANA name such as Asia/Ho_Chi_Minh."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r} (an IANA name such as "
                           f"{DEFAULT_TIMEZONE})") from None


def _absolute_sqlite_url(url: str, root: Path) -> str:
    """Make a relative SQLite path relative to the project root, not the current directory."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.startswith("sqlite:////"):
        return url
    rest = url[len(prefix) :]
    if rest.startswith(":memory:") or rest == "":
        return url
    return prefix + str((root / rest).resolve())


def load_settings(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Read config.toml, then apply THIDUA_<SECTION>_<KEY> variables, then explicit overrides."""
    path = path or Path(os.environ.get("THIDUA_CONFIG", DEFAULT_CONFIG))
    env = os.environ if environ is None else environ
    try:
        with open(path, "rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    return _build({}, path.resolve().parent, environ=env, file=(data, str(path)),
                  overrides=overrides)


def _build(
    base: Mapping[str, Mapping[str, Any]], root: Path, environ: Mapping[str, str],
    file: tuple[Mapping[str, Any], str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Settings from `base`, then the file, then the environment, then explicit overrides."""
    values = {name: dict(base.get(name, {})) for name in SECTIONS}
    if file is not None:
        _apply(values, file[0], f"{file[1]}: ")
    _apply_environment(values, environ)
    _apply(values, overrides or {}, "")
    return Settings(**{name: SECTIONS[name](**v) for name, v in values.items()}, root=root)


def _apply(values: dict[str, dict[str, Any]], layer: Mapping[str, Any], where: str) -> None:
    """Set the keys of `layer`, refusing an unknown section or key (a typo would be lost)."""
    for section, keys in layer.items():
        fields_of = _field_types(section)
        if fields_of is None or not isinstance(keys, Mapping):
            raise InvalidInput(f"{where}[{section}]: not a section of the settings (they are "
                               f"{', '.join(SECTIONS)})")
        for key, value in keys.items():
            if key not in fields_of:
                raise InvalidInput(f"{where}{section}.{key}: not a setting of [{section}] "
                                   f"(they are {', '.join(fields_of)})")
            values[section][key] = _checked(value, fields_of[key], section, key,
                                            f"{where}{section}.{key}")


def _apply_environment(values: dict[str, dict[str, Any]], environ: Mapping[str, str]) -> None:
    """THIDUA_<SECTION>_<KEY> for every known key; other THIDUA_ variables are not settings."""
    for var, raw in environ.items():
        if not var.startswith("THIDUA_"):
            continue
        section, _, key = var[len("THIDUA_") :].lower().partition("_")
        kind = (_field_types(section) or {}).get(key)
        if kind is not None:
            values[section][key] = _checked(_from_text(raw, kind, var), kind, section, key, var)


@cache
def _field_types(section: str) -> dict[str, type[Any]] | None:
    cls = SECTIONS.get(section)
    return None if cls is None else dict(get_type_hints(cls))


def _from_text(raw: str, kind: type[Any], name: str) -> Any:
    """An environment string as the type of the key it sets."""
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise InvalidInput(f"{name}: expected true or false, got {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise InvalidInput(f"{name}: expected a whole number, got {raw!r}") from None
    return raw


EXPECTED = {bool: "true or false", int: "a whole number", str: "a string"}


def _checked(value: Any, kind: type[Any], section: str, key: str, name: str) -> Any:
    """The value if it has the key's type (a bool is no whole number here), else an error
    that names the key's file or variable."""
    fits = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not fits:
        raise InvalidInput(f"{name}: expected {EXPECTED[kind]}, got {value!r}")
    if (section, key) == ("app", "timezone"):
        try:
            zone(value)
        except InvalidInput as exc:
            raise InvalidInput(f"{name}: {exc}") from None
    return value
