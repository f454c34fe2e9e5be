"""The installation's own secrets: the session key and the history chain key.

A key left unset, or at a value shipped as an example, is never used: the installation
generates its own on first run into its instance folder (settings `app.instance_dir`,
var/instance by default), one file per key, created atomically and readable by its owner
only, so every process reading that folder (web workers, scheduler, CLI) shares it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from workflow.config import Settings
from workflow.errors import InvalidInput

# Values that were shipped in config.toml or used as defaults: anyone can read them.
EXAMPLES: dict[tuple[str, str], frozenset[str]] = {
    ("app", "secret_key"): frozenset({"", "dev", "change-me-in-production"}),
    ("audit", "chain_key"): frozenset({"", "thidua-development-chain-key"}),
}
FILES = {("app", "secret_key"): "secret_key", ("audit", "chain_key"): "chain_key"}
MIN_LENGTH = 16


def is_example(section: str, key: str, value: str) -> bool:
    return value.strip() in EXAMPLES[(section, key)]


def configured_secret(settings: Settings, section: str, key: str) -> str:
    """The key's configured value, or the installation's generated one when the configured
    value is unset or an example (logged by the caller, never refused: `make run` and a fresh
    checkout work, and still nobody can guess the key)."""
    value: str = getattr(getattr(settings, section), key)
    if is_example(section, key, value):
        return generated_secret(settings.instance_dir, FILES[(section, key)])
    if len(value) < MIN_LENGTH:
        raise InvalidInput(
            f"{section}.{key}: shorter than {MIN_LENGTH} characters; set "
            f"THIDUA_{section.upper()}_{key.upper()} to a long random secret, or leave it unset "
            f"to have one generated into {settings.instance_dir}")
    return value


def generated_secret(folder: Path, name: str) -> str:
    """Read folder/name, creating it first if it is missing: the secret is written to a file
    of this process's own (O_EXCL) and then linked into place, so a process never reads a
    file another one is still writing, and two processes starting together agree on one key."""
    path = folder / name
    with contextlib.suppress(FileNotFoundError):
        return _read(path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(48)
    tmp = folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process won the race: use its key
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_LENGTH:
        raise InvalidInput(
            f"{path}: the generated secret is empty or shorter than {MIN_LENGTH} characters; "
            "delete the file to have a new one generated (see secret rotation)")
    return value
