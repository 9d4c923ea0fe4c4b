"""Registration SQL that differs between PostgreSQL and SQLite.

:func:`move_statuses` is the statement behind the one writer of status changes
(:func:`amina.services.registration.registrations._move_all`), in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text, tuple_, update

from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.uow import UnitOfWork

#: Rows per ``IN (…)`` list (SQLite).
IN_LIST = 1000
#: Keys per statement (PostgreSQL: two array parameters, a statement of fixed text).
POSTGRES_BATCH = 10_000

_MOVE = text(
    "UPDATE registrations AS r SET status = :target, updated_at = :at "
    "FROM unnest(CAST(:person_ids AS text[]), CAST(:ids AS text[])) AS k(person_id, id) "
    "WHERE r.person_id = k.person_id AND r.id = k.id AND r.status = :current "
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
        # through the session, not the driver's cursor: a refusal (the partial unique index,
        # when restoring while another registration holds the place) is SQLAlchemy's
        # IntegrityError, which the caller answers with a conflict
        for start in range(0, len(keys), POSTGRES_BATCH):
            part = keys[start : start + POSTGRES_BATCH]
            rows = uow.session.execute(
                _MOVE,
                {
                    "target": target,
                    "at": at,
                    "person_ids": [k[0] for k in part],
                    "ids": [k[1] for k in part],
                    "current": current,
                },
            )
            moved.update((str(p), str(i)) for p, i in rows)
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
