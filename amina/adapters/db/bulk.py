"""Set-based inserts that skip rows a unique constraint already holds and say which went in.

``insert_new_rows(uow, table, rows, returning)`` is ``INSERT … ON CONFLICT DO NOTHING
RETURNING …`` for many rows at once, and ``insert_rows(uow, table, rows)`` a plain insert:

- PostgreSQL: one statement per 5,000 rows, ``INSERT … SELECT FROM unnest(<one array per
  column>)`` through psycopg's own cursor (no SQL text that grows with the rows; PERFORMANCE.md);
  a plain insert is a ``COPY`` (the fastest way in);
- SQLite: SQLAlchemy's multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``.

The rows not returned were already there: that is how the daily sweep stays idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Table, Text, insert
from sqlalchemy.dialects import sqlite

from amina.adapters.db.types import UTCDateTime
from amina.adapters.db.uow import UnitOfWork

POSTGRES_BATCH = 5000


def _pg_type(column: Any) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "timestamptz"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, JSON):
        return "text"  # cast to json in the SELECT
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Integer):
        return "int8"
    if isinstance(kind, Float):
        return "float8"
    if isinstance(kind, String | Text):
        return "text"
    raise TypeError(f"no array type for {column.name}: {kind!r}")


def _pg_value(column: Any, value: Any) -> Any:
    if value is not None and isinstance(column.type, JSON):
        return json.dumps(value, ensure_ascii=False)
    return value


def _pg_unnest(
    uow: UnitOfWork, table: Table, rows: Sequence[Mapping[str, Any]], tail: str
) -> list[tuple[Any, ...]]:
    columns = [table.c[name] for name in rows[0]]
    names = ", ".join(c.name for c in columns)
    selected = ", ".join(
        f"t.{c.name}::json" if isinstance(c.type, JSON) else f"t.{c.name}" for c in columns
    )
    arrays = ", ".join(f"%s::{_pg_type(c)}[]" for c in columns)
    sql = (
        f"INSERT INTO {table.name} ({names}) SELECT {selected} FROM unnest({arrays}) "
        f"AS t({names}) {tail}"
    )
    driver = uow.session.connection().connection.driver_connection
    assert driver is not None
    returned: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), POSTGRES_BATCH):
        part = rows[start : start + POSTGRES_BATCH]
        params = [[_pg_value(c, row[c.name]) for row in part] for c in columns]
        with driver.cursor() as cursor:
            cursor.execute(sql, params)
            if cursor.description is not None:
                returned += [tuple(row) for row in cursor.fetchall()]
    return returned


def insert_new_rows(
    uow: UnitOfWork,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (dicts with the same keys) unless a unique constraint already holds
    them; returns the ``returning`` columns of the rows that went in. In the caller's
    transaction."""
    if not rows:
        return []
    if uow.dialect != "postgresql":
        statement = (
            sqlite.insert(table)
            .on_conflict_do_nothing()
            .returning(*(table.c[name] for name in returning))
        )
        return [tuple(row) for row in uow.session.execute(statement, list(rows)).all()]
    return _pg_unnest(uow, table, rows, f"ON CONFLICT DO NOTHING RETURNING {', '.join(returning)}")


def insert_rows(uow: UnitOfWork, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys), all of them. In the caller's transaction."""
    if not rows:
        return
    if uow.dialect != "postgresql":
        uow.session.execute(insert(table), list(rows))
        return
    columns = [table.c[name] for name in rows[0]]
    driver = uow.session.connection().connection.driver_connection
    assert driver is not None
    names = ", ".join(c.name for c in columns)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_pg_value(c, row[c.name]) for c in columns])
