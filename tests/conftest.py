"""Shared fixtures. Rules of each tier: see tests/README.md.

Database tests take the ``database_url`` fixture, parametrised over SQLite and PostgreSQL. Each
test gets its own fresh database cloned from a template that was built once per worker by
running the Alembic migrations (PostgreSQL: CREATE DATABASE ... TEMPLATE; SQLite: a file copy).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from amina.adapters.db.engine import make_engine
from amina.adapters.db.migrate import upgrade
from amina.adapters.web.app import create_app
from amina.bootstrap import Container, build
from amina.services.clock import FixedClock
from amina.services.policy import ensure_initial_policy
from amina.settings import Environment, Settings

PG_ADMIN_URL = os.environ.get(
    "AMINA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASES = ["sqlite", "postgresql"]

#: A Wednesday, a working day, 10:00 in Moscow.
DEFAULT_NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_admin():  # type: ignore[no-untyped-def]
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = f"amina_tmpl_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_pg_url(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite and PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "amina.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"amina_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def container(database_url: str, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(
        env=Environment.test, database_url=database_url, scheduler=False, log_json=True
    )
    built = build(settings, clock=clock)
    with built.uow() as uow:
        ensure_initial_policy(uow, clock)
        uow.commit()
    yield built
    built.engine.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        yield test_client
