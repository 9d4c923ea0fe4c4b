"""What "the database cannot be reached right now" looks like, whichever way it is reached.

The ORM talks to PostgreSQL through SQLAlchemy and psycopg, the report hot path on the event
loop through asyncpg, and both to SQLite through sqlite3; when the server is down, restarting,
or drops a connection (``pg_ctl stop -m immediate``, a failover), each raises its own kind of
error. The
web adapter answers all of them with ``503 service_unavailable`` (never a 500, never a 200),
and ``/readyz`` says ``database_unreachable`` (docs/operations.md, "When the database is down").
"""

from __future__ import annotations

import sqlite3

import asyncpg
import psycopg
from sqlalchemy import Engine, text
from sqlalchemy import exc as sa

#: Errors that mean the database is unreachable or refused the work for a transient reason
#: (connection refused or lost, the server shutting down, a pool exhausted, SQLite busy).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sa.OperationalError,
    sa.InterfaceError,
    sa.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    ConnectionError,
    sqlite3.OperationalError,
)


def is_reachable(engine: Engine) -> bool:
    """One round trip to the database (``SELECT 1``): does it answer now?"""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DATABASE_UNAVAILABLE:
        return False
    return True
