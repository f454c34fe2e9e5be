"""Find definition files and read their text; problems become DefinitionErrors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from workflow.definitions import yamlsrc
from workflow.errors import DefinitionError, DefinitionErrors

T = TypeVar("T")

SUFFIXES = (".yaml", ".yml")


def read_source(path: Path, file: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"the file is not valid UTF-8 (byte {exc.start})"
        raise DefinitionErrors([DefinitionError(file, None, "", message)]) from None
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        raise DefinitionErrors([DefinitionError(file, None, "", message)]) from None


def source_files(
    paths: Iterable[Path | str], base: Path | None, errors: list[DefinitionError]
) -> Iterator[tuple[Path, str]]:
    """Each definition file once, with the name to show in messages."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
        elif path.is_file():
            found = [path]
        else:
            missing = DefinitionError(_display(path, base), None, "", "no such file or directory")
            errors.append(missing)
            continue
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                yield file, _display(file, base)


def checked_sources(
    paths: Iterable[Path | str], base: Path | None, check: Callable[[yamlsrc.Source], T],
    errors: list[DefinitionError],
) -> Iterator[tuple[yamlsrc.Source, T]]:
    """Each definition file read, parsed and checked; a file with problems adds them to
    `errors` and is skipped, so every file's problems are reported together."""
    for path, file in source_files(paths, base, errors):
        try:
            src = yamlsrc.parse(read_source(path, file), file)
            checked = check(src)
        except DefinitionErrors as exc:
            errors += exc.errors
            continue
        yield src, checked


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
