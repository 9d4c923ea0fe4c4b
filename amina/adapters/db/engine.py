"""Engine construction, the same code for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from amina.domain.identity_filter import bits_or


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _greatest(a: Any, b: Any) -> Any:
    """PostgreSQL's ``greatest`` of two values for SQLite: nulls ignored."""
    if a is None or b is None:
        return b if a is None else a
    return a if a > b else b


def _least(a: Any, b: Any) -> Any:
    """PostgreSQL's ``least`` of two values for SQLite: nulls ignored."""
    if a is None or b is None:
        return b if a is None else a
    return a if a < b else b


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy own transactions (pysqlite's implicit BEGIN is off) so that
            # every transaction starts with BEGIN IMMEDIATE: SQLite then serialises writers
            # up front instead of failing one of them half-way.
            dbapi_connection.isolation_level = None
            # the filter of recent client ids is OR-ed in SQL (PostgreSQL: bit(n) | bit(n))
            dbapi_connection.create_function("bloom_or", 2, bits_or, deterministic=True)
            dbapi_connection.create_function("greatest", 2, _greatest, deterministic=True)
            dbapi_connection.create_function("least", 2, _least, deterministic=True)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
