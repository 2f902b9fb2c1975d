"""Statements compiled once per database and run on the driver's cursor: the Open311 POST's hot path.

A filing sends nine short statements; through SQLAlchemy Core each costs about 0.1 ms of Python
on top of the driver (parameters constructed and processed column by column, the execution
context, the result object), as much as the statement itself. `Prepared` compiles a Core
statement once per dialect and keeps what SQLAlchemy would compute on every call: the SQL text,
the order of its parameters, and SQLAlchemy's own bind and result processors for each column
(a timestamp is stored exactly as SQLAlchemy would store it, on SQLite as on PostgreSQL). Each
call then binds the values and runs the statement on the cursor of the session's connection,
inside the session's transaction.

Driver errors are raised as SQLAlchemy's (IntegrityError, OperationalError …), as Core would, so
retries (DuplicateRequest) and the outage page (ops/outage: a 503 when the database is locked or
gone) see what they always saw; a lost connection is invalidated as Core would do.

Only for statements whose every value is a plain bound parameter; anything else stays on Core.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import exc
from sqlalchemy.sql import ClauseElement


class _Compiled:
    __slots__ = ("sql", "names", "fixed", "processors", "positional", "result_types", "result_processors")

    def __init__(self, statement: ClauseElement, dialect, column_keys: Sequence[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None)
        if compiled.insert_prefetch or compiled.update_prefetch:
            # A Python-side default or onupdate would be computed by Core's execution context.
            raise ValueError("give every column with a default or onupdate a value (column_keys)")
        self.sql = compiled.string
        self.positional = compiled.positional
        binds = compiled.binds
        self.names = list(compiled.positiontup) if compiled.positional else list(binds)
        for name in self.names:
            bind = binds[name]
            if bind.expanding or getattr(bind, "literal_execute", False):
                raise ValueError(f"{name}: only plain bound parameters can be prepared")
        processors = compiled._bind_processors  # SQLAlchemy's own, per bound parameter
        # A parameter the statement itself holds (`last_number + 1`) keeps its value unless given.
        self.fixed = {name: binds[name].effective_value for name in self.names if not binds[name].required}
        self.processors = [(name, processors.get(name)) for name in self.names]
        selected = getattr(statement, "selected_columns", None)
        if selected is None:
            selected = getattr(statement, "_returning", None) or ()
        self.result_types = [column.type for column in selected]
        self.result_processors = False  # worked out from the first result's description

    def processors_for(self, dialect, description) -> list | None:
        """SQLAlchemy's result processor of each column for the driver's column types (as Core
        picks them from the cursor's description, once per compiled statement)."""
        if self.result_processors is False:
            found = [
                kind._cached_result_processor(dialect, column[1])
                for kind, column in zip(self.result_types, description or (), strict=False)
            ]
            self.result_processors = found if any(found) else None
        return self.result_processors

    def parameters(self, values: Mapping[str, Any]):
        if self.fixed:
            values = {**self.fixed, **values}
        if self.positional:
            return tuple(values[name] if proc is None else proc(values[name]) for name, proc in self.processors)
        return {name: values[name] if proc is None else proc(values[name]) for name, proc in self.processors}


class Prepared:
    """A Core statement run as plain driver calls: `rows`, `one_or_none`, `scalar`, `execute`."""

    def __init__(self, statement: ClauseElement, column_keys: Iterable[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = tuple(column_keys) if column_keys is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect, self.column_keys)
        return found

    def execute(self, connection, values: Mapping[str, Any] | None = None):
        """Run the statement on `connection` (a SQLAlchemy Connection in a transaction); the driver's cursor."""
        dialect = connection.dialect
        compiled = self._compiled(dialect)
        parameters = compiled.parameters(values or {})
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, parameters)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            invalidated = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
            if invalidated:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                compiled.sql,
                parameters,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=invalidated,
                dialect=dialect,
            ) from error
        return cursor

    def rows(self, connection, values: Mapping[str, Any] | None = None) -> list[tuple]:
        cursor = self.execute(connection, values)
        try:
            rows = cursor.fetchall()
            description = cursor.description
        finally:
            cursor.close()
        processors = self._compiled(connection.dialect).processors_for(connection.dialect, description)
        if processors is None:
            return [tuple(row) for row in rows]
        return [
            tuple(value if proc is None else proc(value) for value, proc in zip(row, processors, strict=True))
            for row in rows
        ]

    def first(self, connection, values: Mapping[str, Any] | None = None) -> tuple | None:
        rows = self.rows(connection, values)
        return rows[0] if rows else None

    def scalar(self, connection, values: Mapping[str, Any] | None = None):
        row = self.first(connection, values)
        return None if row is None else row[0]

    def rowcount(self, connection, values: Mapping[str, Any] | None = None) -> int:
        cursor = self.execute(connection, values)
        try:
            return cursor.rowcount
        finally:
            cursor.close()
