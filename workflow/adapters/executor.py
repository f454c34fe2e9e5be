"""SQLAlchemy Core statements compiled once per dialect and run straight on the DBAPI cursor.

The engine's write path does a few small statements per step. Through a SQLAlchemy Connection
each one costs about 35 µs of bookkeeping and each transaction another 50 µs, several times the
cost of the SQL itself (see benchmarks/engine.py). Here the SQL, the parameter order and the type
conversions all still come from SQLAlchemy — the tables in tables.py, the dialect's compiler, each
column type's bind and result processors — but execution skips the per-call machinery. A
transaction takes a connection from the engine's own pool, so pragmas and adapters are the same.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import operator
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self, cast

from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import JSON, DateTime, TypeEngine

Processor = Callable[[Any], Any] | None


class CompiledStatement:
    """One statement's SQL for a dialect, with its parameter order and type processors."""

    __slots__ = ("sql", "positional", "names", "bind_procs", "result_types", "dialect", "plan",
                 "converts", "fixed", "getter", "processed")

    def __init__(
        self, stmt: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None
    ) -> None:
        """Statements here use no expanding IN (...) lists; write `or_(col == literal(v))`."""
        compiled = cast(
            SQLCompiler,
            stmt.compile(dialect=dialect, column_keys=list(column_keys or []) or None),
        )
        self.sql = str(compiled)
        self.positional = bool(dialect.positional)
        binds = compiled.binds
        names = list(compiled.positiontup or []) if self.positional else list(binds)
        self.names = tuple(names)
        procs: dict[str, Processor] = {}
        for key, bind in binds.items():
            procs[key] = _bind_processor(bind.type, dialect)
        self.bind_procs = procs
        self.plan = tuple((name, procs.get(name)) for name in self.names)
        # values the statement carries itself, such as the 0 of coalesce(x, 0)
        self.fixed = {k: b.value for k, b in binds.items() if not b.required}
        # the fast way to the values, in C: one itemgetter, then the few columns to convert
        self.getter = operator.itemgetter(*self.names) if len(self.names) > 1 else None
        self.processed = tuple((i, proc) for i, (_, proc) in enumerate(self.plan) if proc)
        # a SELECT's columns, or the RETURNING columns of an INSERT/UPDATE; their converters
        # need the driver's type codes, known at the first execution
        self.result_types = tuple(c.type for c in getattr(stmt, "exported_columns", ()))
        self.dialect = dialect
        self.converts: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        getter = self.getter
        if getter is not None and not self.fixed:
            out = list(getter(values))
            for i, proc in self.processed:
                value = out[i]
                if value is not None:
                    out[i] = proc(value)
            return out if self.positional else dict(zip(self.names, out, strict=True))
        return self._params(values)

    def _params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        out: list[Any] = []
        append = out.append
        fixed = self.fixed
        for name, proc in self.plan:
            value = values[name] if name not in fixed or name in values else fixed[name]
            append(value if proc is None or value is None else proc(value))
        return out if self.positional else dict(zip(self.names, out, strict=True))

    def prepare(self, description: Sequence[Any]) -> None:
        procs = [_result_processor(t, self.dialect, d[1])
                 for t, d in zip(self.result_types, description, strict=True)]
        self.converts = tuple((i, p) for i, p in enumerate(procs) if p is not None)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...] | list[Any]:
        if not self.converts:
            return tuple(raw)
        out = list(raw)
        for i, proc in self.converts:
            out[i] = proc(out[i])
        return out


def _sqlite_datetime_to_text(value: dt.datetime) -> str:
    # The text SQLAlchemy's SQLite DateTime stores ("YYYY-MM-DD HH:MM:SS.ffffff", no zone),
    # made in C rather than by %-formatting each field; a step writes the same time twice (the
    # state's entry and the history's), so the last one is kept.
    global _last_datetime
    last = _last_datetime  # one tuple, swapped whole: safe between threads
    if value is last[0]:
        return last[1]
    text = value.isoformat(" ", "microseconds")[:26]  # the wall time, without any "+00:00"
    _last_datetime = (value, text)
    return text


_last_datetime: tuple[Any, str] = (None, "")


def _bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    if dialect.name == "sqlite" and isinstance(type_, DateTime):
        return _sqlite_datetime_to_text
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _result_processor(type_: TypeEngine[Any], dialect: Dialect, coltype: Any) -> Processor:
    if dialect.name == "sqlite" and isinstance(type_, DateTime):
        return _sqlite_text_to_datetime
    if dialect.name == "sqlite" and isinstance(type_, JSON):
        # what SQLAlchemy's does for a JSON column's text, without its two wrappers
        loads = getattr(dialect, "_json_deserializer", None) or json.loads
        return lambda value: loads(value) if value is not None else None
    return type_.dialect_impl(dialect).result_processor(dialect, coltype)


def _sqlite_text_to_datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value is not None else None


def _positional(dialect: Dialect) -> Dialect:
    """The dialect, compiling %s placeholders where it would name them (%(name)s): psycopg then
    takes the values in a list as they come, instead of matching names on every execution."""
    if dialect.paramstyle != "pyformat":
        return dialect
    positional = copy.copy(dialect)
    positional.paramstyle = "format"
    positional.positional = True
    return positional


# Compiled statements are the same for every engine of one kind (dialect, driver and parameter
# style; the engine's options change how it connects, not the SQL or the type conversions): a
# process that opens several engines (the CLI's commands, the tests' databases) compiles once.
_SHARED: dict[tuple[Any, ...], dict[str, CompiledStatement]] = {}
_SHARED_LOCK = threading.Lock()


class StatementCache:
    """Compiled statements of one engine, built on first use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = _positional(engine.dialect)
        self.is_sqlite = engine.dialect.name == "sqlite"
        kind = (type(engine.dialect), engine.dialect.driver, self.dialect.paramstyle,
                engine.dialect.server_version_info)
        with _SHARED_LOCK:
            self._cache = _SHARED.setdefault(kind, {})
        self._lock = threading.Lock()
        # SQLite: each thread keeps its pooled connection between transactions; a checkout and
        # return cost more than the BEGIN and COMMIT themselves. PostgreSQL round trips dwarf
        # that, so connections go back to the pool there.
        self._local = threading.local()
        self._held: weakref.WeakSet[_Held] = weakref.WeakSet()

    def get(
        self, key: str, build: Callable[[], ClauseElement], column_keys: Sequence[str] = ()
    ) -> CompiledStatement:
        found = self._cache.get(key)
        if found is None:
            found = CompiledStatement(build(), self.dialect, column_keys)
            with self._lock:
                found = self._cache.setdefault(key, found)
        return found

    def _checkout(self) -> Any:
        if not self.is_sqlite:
            return self.engine.raw_connection()
        held: _Held | None = getattr(self._local, "held", None)
        if held is None or not held.fairy.is_valid:
            held = self._local.held = _Held(self.engine.raw_connection())
            with self._lock:
                self._held.add(held)
        return held.fairy

    def _release(self, fairy: Any, failed: bool) -> None:
        if not self.is_sqlite:
            fairy.close()
        elif failed and not fairy.is_valid:
            held = getattr(self._local, "held", None)
            self._local.held = None
            if held is not None:
                held.close()

    def close(self) -> None:
        """Give every held connection back (before the engine is disposed)."""
        with self._lock:
            held = list(self._held)
            self._held = weakref.WeakSet()
        for item in held:
            item.close()
        self._local = threading.local()


class _Held:
    """A thread's pooled SQLite connection; back to the pool when the thread ends (its
    thread-local storage is dropped), so short-lived request threads do not drain the pool."""

    __slots__ = ("fairy", "__weakref__")

    def __init__(self, fairy: Any) -> None:
        self.fairy = fairy

    def close(self) -> None:
        fairy, self.fairy = self.fairy, _Closed
        if fairy is not _Closed:
            fairy.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit the pool may be gone
            self.close()


class _ClosedFairy:
    is_valid = False

    def close(self) -> None:
        return None


_Closed: Any = _ClosedFairy()


class Transaction:
    """One write transaction: commit on success, rollback on error; runs cached statements.

    A class rather than a generator context manager: this runs once per engine step.
    """

    __slots__ = ("cache", "readonly", "fairy", "dbapi", "cursor")

    def __init__(self, cache: StatementCache, readonly: bool = False) -> None:
        self.cache = cache
        self.readonly = readonly

    def __enter__(self) -> Self:
        cache = self.cache
        self.fairy = fairy = cache._checkout()
        try:
            self.dbapi = fairy.driver_connection
            self.cursor = self.dbapi.cursor()
            if cache.is_sqlite:
                # A reader that later writes would fail at once with SQLITE_BUSY; a writer
                # that locks at BEGIN waits its turn (busy_timeout) instead.
                self.cursor.execute("BEGIN" if self.readonly else "BEGIN IMMEDIATE")
        except BaseException:
            cache._release(fairy, failed=True)
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        failed = True
        try:
            if exc_type is None and not self.readonly:
                self.dbapi.commit()
                failed = False
            else:
                self.dbapi.rollback()
                failed = exc_type is not None
        except Exception:
            # the connection itself failed (the server went away): never reuse it
            self.fairy.invalidate()
            raise
        finally:
            if failed and _is_disconnect(exc):
                self.fairy.invalidate()
            self.cache._release(self.fairy, failed)

    def execute(self, stmt: CompiledStatement, values: Mapping[str, Any]) -> int:
        """Run a write; returns the number of rows it changed."""
        self.cursor.execute(stmt.sql, stmt.params(values))
        return int(self.cursor.rowcount)

    def fetchone(self, stmt: CompiledStatement, values: Mapping[str, Any]) -> Sequence[Any] | None:
        self.cursor.execute(stmt.sql, stmt.params(values))
        if stmt.converts is None:
            stmt.prepare(self.cursor.description)
        raw = self.cursor.fetchone()
        return stmt.row(raw) if raw is not None else None

    def fetchall(self, stmt: CompiledStatement, values: Mapping[str, Any]) -> list[Sequence[Any]]:
        self.cursor.execute(stmt.sql, stmt.params(values))
        if stmt.converts is None:
            stmt.prepare(self.cursor.description)
        return [stmt.row(r) for r in self.cursor.fetchall()]


def _is_disconnect(exc: BaseException | None) -> bool:
    """Whether a driver error means the connection is gone (its pool slot must be renewed)."""
    if exc is None:
        return False
    name = type(exc).__name__
    return name in ("OperationalError", "InterfaceError") and "sqlite" not in type(
        exc).__module__
