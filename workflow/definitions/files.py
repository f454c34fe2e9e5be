"""Find definition files and read their text; problems become DefinitionErrors."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

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


class CheckedMemo(Generic[T]):
    """The outcome of parsing and checking a file, remembered by its name and exact text:
    the same text always gives the same outcome, and every process start (and, in the tests,
    every set of services) would otherwise parse the same unchanged rule sets again. Only for
    checks whose results are immutable (frozen dataclasses); a few dozen entries at most."""

    def __init__(self, check: Callable[[yamlsrc.Source], T], size: int = 64) -> None:
        self.check = check
        self.size = size
        self._entries: OrderedDict[tuple[str, str], tuple[yamlsrc.Source, T] | DefinitionErrors]
        self._entries = OrderedDict()
        self._lock = threading.Lock()
        _ALL_MEMOS.add(self)

    @staticmethod
    def forget_all() -> None:
        """Forget every outcome kept (a test that swaps the YAML reader underneath)."""
        for memo in list(_ALL_MEMOS):
            with memo._lock:
                memo._entries.clear()

    def __call__(self, text: str, file: str) -> tuple[yamlsrc.Source, T]:
        key = (file, text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
        if found is None:
            try:
                src = yamlsrc.parse(text, file)
                found = (src, self.check(src))
            except DefinitionErrors as exc:
                found = exc
            with self._lock:
                self._entries[key] = found
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        if isinstance(found, DefinitionErrors):
            raise DefinitionErrors(list(found.errors))
        return found


_ALL_MEMOS: weakref.WeakSet[CheckedMemo[Any]] = weakref.WeakSet()


def checked_sources(
    paths: Iterable[Path | str], base: Path | None, check: Callable[[yamlsrc.Source], T],
    errors: list[DefinitionError], memo: CheckedMemo[T] | None = None,
) -> Iterator[tuple[yamlsrc.Source, T]]:
    """Each definition file read, parsed and checked; a file with problems adds them to
    `errors` and is skipped, so every file's problems are reported together. With a `memo`
    (whose check is `check`), a file whose text was checked before is not parsed again."""
    for path, file in source_files(paths, base, errors):
        try:
            text = read_source(path, file)
            if memo is not None:
                src, checked = memo(text, file)
            else:
                src = yamlsrc.parse(text, file)
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
