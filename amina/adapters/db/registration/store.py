"""Registration's hand-written reads beyond its own tables: the phone's night-time reports, from
which the app offers the usual place at night as the building's coordinates (issue 13)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

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
