"""Settings from config.toml, each key overridable by THIDUA_<SECTION>_<KEY>."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.errors import InvalidInput

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"


@dataclass(frozen=True)
class Settings:
    """All settings, as sections of plain values."""

    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    root: Path = PROJECT_ROOT

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self.sections.get(section, {}).get(key, default)

    @property
    def database_url(self) -> str:
        url = str(self.get("database", "url", "sqlite:///var/thidua.db"))
        return _absolute_sqlite_url(url, self.root)

    @property
    def definitions_dir(self) -> Path:
        path = Path(str(self.get("app", "definitions_dir", "definitions")))
        return path if path.is_absolute() else self.root / path

    @property
    def documents_dir(self) -> Path:
        path = Path(str(self.get("app", "documents_dir", "var/documents")))
        return path if path.is_absolute() else self.root / path

    @property
    def instance_dir(self) -> Path:
        """Where the installation keeps what it generates for itself (its secrets)."""
        path = Path(str(self.get("app", "instance_dir", "var/instance")))
        return path if path.is_absolute() else self.root / path

    @property
    def timezone(self) -> str:
        return str(self.get("app", "timezone", "Asia/Ho_Chi_Minh"))


def _absolute_sqlite_url(url: str, root: Path) -> str:
    """Make a relative SQLite path relative to the project root, not the current directory."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.startswith("sqlite:////"):
        return url
    rest = url[len(prefix) :]
    if rest.startswith(":memory:") or rest == "":
        return url
    return prefix + str((root / rest).resolve())


def _coerce(raw: str, like: Any, name: str) -> Any:
    """Turn an environment string into the type of the value it overrides."""
    if isinstance(like, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise InvalidInput(f"{name}: expected true or false, got {raw!r}")
    if isinstance(like, int):
        try:
            return int(raw)
        except ValueError:
            raise InvalidInput(f"{name}: expected a whole number, got {raw!r}") from None
    if isinstance(like, float):
        try:
            return float(raw)
        except ValueError:
            raise InvalidInput(f"{name}: expected a number, got {raw!r}") from None
    return raw


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
            data: dict[str, dict[str, Any]] = tomllib.load(fh)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    sections = {name: dict(values) for name, values in data.items() if isinstance(values, dict)}
    for var, raw in env.items():
        if not var.startswith("THIDUA_") or var == "THIDUA_CONFIG":
            continue
        section, _, key = var[len("THIDUA_") :].lower().partition("_")
        if not key:
            continue
        current = sections.setdefault(section, {})
        current[key] = _coerce(raw, current.get(key, ""), var)
    for section, values in (overrides or {}).items():
        sections.setdefault(section, {}).update(values)
    return Settings(sections=sections, root=path.resolve().parent)
