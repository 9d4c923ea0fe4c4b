"""The hand-written SQL of sign-in: statements that differ between PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from amina.adapters.db.identity.tables import SignInThrottleRow
from amina.adapters.db.uow import UnitOfWork


def ensure_sign_in_throttle(uow: UnitOfWork, key: str) -> None:
    """Add an empty throttle row for ``key`` unless one is there (a concurrent insert wins)."""
    insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    uow.session.execute(
        insert(SignInThrottleRow)
        .values(key=key, failures=0, lockouts=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )
