"""Registration SQL that differs between PostgreSQL and SQLite.

:func:`move_statuses` is the statement behind the one writer of status changes
(:func:`amina.services.registration.registrations._move_all`), in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import tuple_, update

from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.uow import UnitOfWork

#: Rows per ``IN (…)`` list (SQLite).
IN_LIST = 1000
#: Keys per statement (PostgreSQL: two array parameters, a statement of fixed text).
POSTGRES_BATCH = 10_000

_MOVE = (
    "UPDATE registrations AS r SET status = %s, updated_at = %s "
    "FROM unnest(%s::text[], %s::text[]) AS k(person_id, id) "
    "WHERE r.person_id = k.person_id AND r.id = k.id AND r.status = %s "
    "RETURNING r.person_id, r.id"
)


def move_statuses(
    uow: UnitOfWork,
    keys: Sequence[tuple[str, str]],
    current: str,
    target: str,
    at: datetime,
) -> set[tuple[str, str]]:
    """Each registration ``(person_id, id)`` of ``keys`` still in ``current`` moves to
    ``target`` (``updated_at`` = ``at``); returns those that moved. Conditional on the status
    read before: a concurrent change makes the statement touch no row."""
    moved: set[tuple[str, str]] = set()
    if uow.dialect == "postgresql":
        driver = uow.session.connection().connection.driver_connection
        assert driver is not None
        for start in range(0, len(keys), POSTGRES_BATCH):
            part = keys[start : start + POSTGRES_BATCH]
            with driver.cursor() as cursor:
                cursor.execute(
                    _MOVE,
                    (target, at, [k[0] for k in part], [k[1] for k in part], current),
                )
                moved.update((str(p), str(i)) for p, i in cursor.fetchall())
        return moved
    for start in range(0, len(keys), IN_LIST):
        moved.update(
            (row.person_id, row.id)
            for row in uow.session.execute(
                update(RegistrationRow)
                .where(
                    tuple_(RegistrationRow.person_id, RegistrationRow.id).in_(
                        keys[start : start + IN_LIST]
                    ),
                    RegistrationRow.status == current,
                )
                .values(status=target, updated_at=at)
                .returning(RegistrationRow.person_id, RegistrationRow.id)
                .execution_options(synchronize_session=False)
            )
        )
    return moved
