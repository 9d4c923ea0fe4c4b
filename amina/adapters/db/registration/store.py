"""Registration's hand-written SQL: the phone's night-time reports, from which the app offers
the usual place at night as the building's coordinates (issue 13), and the statement behind the
one writer of status changes (:func:`move_statuses`, for
:func:`amina.services.registration.registrations._move_all`). In the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text, tuple_, update

from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.reports.tables import LocationReportRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.night_place import NightFix
from amina.domain.reports import FLAG_BITS, Flag

#: Reports with these flags do not say where the phone was.
_DOUBTFUL = FLAG_BITS[Flag.mocked] | FLAG_BITS[Flag.impossible_speed] | FLAG_BITS[Flag.future_time]


def night_fixes(
    uow: UnitOfWork, person_id: str, since: datetime, until: datetime
) -> list[NightFix]:
    """The person's stored reports between ``since`` and ``until`` (the night hours are picked
    by the domain: the time zone's arithmetic stays in one place)."""
    r = LocationReportRow
    rows = uow.session.execute(
        select(r.device_time, r.lat, r.lon, r.accuracy_m, r.flags).where(
            r.person_id == person_id, r.device_time >= since, r.device_time < until
        )
    ).all()
    return [
        NightFix(device_time, lat, lon, accuracy, bool(flags & _DOUBTFUL))
        for device_time, lat, lon, accuracy, flags in rows
    ]


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
