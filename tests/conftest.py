"""Shared fixtures. Rules of each tier: see tests/README.md.

Database tests take the ``database_url`` fixture, parametrised over SQLite and PostgreSQL. Each
test gets its own fresh database cloned from a template that was built once per worker by
running the Alembic migrations (PostgreSQL: CREATE DATABASE ... TEMPLATE; SQLite: a file copy).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from citus_locks import guard as citus_lock_guard
from fastapi.testclient import TestClient
from host_names import HostNames
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, event, text
from staff_login import StaffLogin

from amina.adapters.db.engine import make_engine
from amina.adapters.db.migrate import upgrade
from amina.adapters.web.app import create_app
from amina.bootstrap import Container, build
from amina.services.clock import FixedClock
from amina.services.policy.versions import ensure_initial_policy
from amina.settings import Environment, Settings

# Speed is measured in bench/, never in tests: no per-example deadline (a loaded CI machine made
# property tests fail on timing alone).
hypothesis_settings.register_profile(
    "amina", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("amina")

# Every statement any engine sends on PostgreSQL is held to the row-lock rule of the
# Citus-distributed schema (tests/citus_locks.py): a row lock on a per-person table must name
# the person, or the test that sent it fails there.
if not event.contains(Engine, "before_cursor_execute", citus_lock_guard):
    event.listen(Engine, "before_cursor_execute", citus_lock_guard)

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


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with no tables at all (no migration run): SQLite and PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"amina_e_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def host_names() -> HostNames:
    return HostNames()


@pytest.fixture
def container(database_url: str, clock: FixedClock, host_names: HostNames) -> Iterator[Container]:
    settings = Settings(
        env=Environment.test, database_url=database_url, scheduler=False, log_json=True
    )
    built = build(settings, clock=clock, resolve_host=host_names)
    with built.uow() as uow:
        ensure_initial_policy(uow, clock)
        uow.commit()
    yield built
    built.engine.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def sign_in_staff(
    client: TestClient, container: Container, clock: FixedClock
) -> Callable[[str], StaffLogin]:
    """``sign_in_staff("operator")``: create a staff account of that role through the staff
    service and sign ``client`` in to the console with password and TOTP code."""
    import re

    import pyotp

    from amina.domain.roles import Role
    from amina.services.staff.accounts import create_staff

    made: list[str] = []

    def sign_in(role: str) -> StaffLogin:
        username = f"{role}.{len(made) + 1}"
        made.append(username)
        with container.uow() as uow:
            new = create_staff(
                uow,
                container.clock,
                username=username,
                role=Role(role),
                display_name=f"Test {role.title()}",
            )
            uow.commit()
        assert new.password is not None
        client.cookies.delete("amina_staff_session")  # sign out whoever was signed in
        form = client.get("/console/sign-in")
        form_token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert form_token is not None
        answer = client.post(
            "/console/sign-in",
            data={
                "username": username,
                "password": new.password,
                "code": pyotp.TOTP(new.second_factor.secret).at(clock.now()),
                "csrf_token": form_token.group(1),
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        me = client.get("/api/v1/staff/me").json()
        return StaffLogin(
            me["staff_id"], username, new.password, new.second_factor.secret, me["csrf_token"]
        )

    return sign_in
