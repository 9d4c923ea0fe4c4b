"""On PostgreSQL the application's role cannot change or delete audit entries (issue 10 point
8, docs/operations.md "The audit log's privileges"): the schema belongs to an owner role that
runs the migrations; the application role has INSERT and SELECT on ``audit_log`` only."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from amina.adapters.db.engine import make_engine
from amina.adapters.db.migrate import upgrade
from amina.services.audit.trail import SYSTEM, record_access
from amina.services.clock import FixedClock
from amina.settings import Environment, Settings

PG_ADMIN_URL = os.environ.get(
    "AMINA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _url(user: str, database: str) -> str:
    server = PG_ADMIN_URL.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+psycopg://{user}@{server}/{database}"


@pytest.fixture
def two_roles() -> Iterator[tuple[str, str]]:
    """A database owned by ``owner`` (it runs the migrations) and an application role that was
    granted what docs/operations.md says: everything on the other tables, INSERT and SELECT on
    audit_log. Yields the owner's and the application's URLs."""
    suffix = uuid.uuid4().hex[:10]
    owner, app, database = f"amina_owner_{suffix}", f"amina_app_{suffix}", f"amina_r_{suffix}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
        conn.execute(text(f'CREATE ROLE "{app}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{owner}"'))
    owner_engine = make_engine(_url(owner, database))
    upgrade(owner_engine)
    with owner_engine.begin() as conn:
        conn.execute(
            text(
                f'REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO "{app}"'
            )
        )
        conn.execute(
            text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{app}"')
        )
        conn.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{app}"'))
        conn.execute(text(f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM "{app}"'))
    owner_engine.dispose()
    try:
        yield _url(owner, database), _url(app, database)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{app}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
        admin.dispose()


def test_the_application_role_adds_and_reads_audit_entries_but_cannot_change_them(
    two_roles: tuple[str, str], clock: FixedClock
) -> None:
    from amina.bootstrap import build

    _, app_url = two_roles
    container = build(
        Settings(env=Environment.test, database_url=app_url, scheduler=False), clock=clock
    )
    try:
        for n in range(2):
            with container.uow() as uow:
                record_access(uow, clock, SYSTEM, action="test.entry", purpose=f"entry {n}")
                uow.commit()
        with container.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 2
        for statement in (
            "UPDATE audit_log SET purpose = 'rewritten'",
            "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
            "TRUNCATE audit_log",
        ):
            with container.engine.connect() as conn, pytest.raises(ProgrammingError) as refused:
                conn.execute(text(statement))
            assert "permission denied" in str(refused.value)
    finally:
        container.engine.dispose()
