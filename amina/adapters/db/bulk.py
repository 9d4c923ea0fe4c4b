"""Set-based inserts that skip rows a unique constraint already holds and say which went in.

``insert_new_rows(uow, table, rows, returning)`` is ``INSERT … ON CONFLICT DO NOTHING
RETURNING …`` for many rows at once, and ``insert_rows(uow, table, rows)`` a plain insert:

- PostgreSQL: one statement per 5,000 rows, ``INSERT … SELECT FROM json_populate_recordset(
  NULL::<table>, <the rows as one JSON document>)`` through psycopg's own cursor (no SQL text
  that grows with the rows; PERFORMANCE.md). The document is written by orjson in C: about
  2 µs of Python per row against 18 µs for one array per column (``unnest``) and 6 µs for
  ``COPY``'s row formatting, at the same or less database time (BENCHMARKS.md, issue 14
  point 4); the database casts each field to its column's type;
- SQLite: SQLAlchemy's multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``.

The rows not returned were already there: that is how the daily sweep stays idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Table, insert
from sqlalchemy.dialects import sqlite

from amina.adapters.db.uow import UnitOfWork

POSTGRES_BATCH = 5000


def _document(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as one JSON array of objects (dates and times in ISO 8601 with their offset;
    nested dicts and lists stay JSON for ``json``/``jsonb`` columns)."""
    return orjson.dumps(list(rows), default=str).decode()


def _pg_insert(
    uow: UnitOfWork, table: Table, rows: Sequence[Mapping[str, Any]], tail: str
) -> list[tuple[Any, ...]]:
    names = ", ".join(table.c[name].name for name in rows[0])
    sql = (
        f"INSERT INTO {table.name} ({names}) SELECT {names} "
        f"FROM json_populate_recordset(NULL::{table.name}, %s::json) {tail}"
    )
    driver = uow.session.connection().connection.driver_connection
    assert driver is not None
    returned: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), POSTGRES_BATCH):
        with driver.cursor() as cursor:
            cursor.execute(sql, [_document(rows[start : start + POSTGRES_BATCH])])
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
    return _pg_insert(uow, table, rows, f"ON CONFLICT DO NOTHING RETURNING {', '.join(returning)}")


def insert_rows(uow: UnitOfWork, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys), all of them. In the caller's transaction."""
    if not rows:
        return
    if uow.dialect != "postgresql":
        uow.session.execute(insert(table), list(rows))
        return
    _pg_insert(uow, table, rows, "")
