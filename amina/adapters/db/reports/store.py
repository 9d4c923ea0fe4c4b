"""The SQL of the report hot path (PERFORMANCE.md): one statement per batch of reports.

Everything here runs inside the caller's unit of work (one transaction per batch):

- :meth:`ReportStore.context` — the registered address and the latest stored fix, one query;
- :meth:`ReportStore.insert_reports` — ONE ``INSERT … ON CONFLICT DO NOTHING RETURNING`` for the
  whole batch: on PostgreSQL ``INSERT … SELECT FROM json_to_recordset(<the batch as one JSON
  document>)`` through psycopg's own cursor (measured faster than ``unnest`` of twelve arrays,
  which psycopg dumps element by element in Python; BENCHMARKS.md); on SQLite a multi-row
  ``VALUES``. The rows not returned were already stored (the primary key says so). The
  identity check (API.md: client id with device time; ADR 003) reads the person's filter of
  recent client ids with the context (``amina.domain.identity_filter``) and
  :meth:`ReportStore.held_reports` only for the client ids the filter cannot rule out;
- :meth:`ReportStore.update_aggregates` — the increments of the daily summaries and the
  per-person "last report" row, and the batch's bits OR-ed into the person's filter
  (``report_identity_filters``), for the stored rows only (one statement on PostgreSQL).

No ORM object and no SQLAlchemy statement is built per batch. Reads for the person's own views
(not hot) use SQLAlchemy below.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import asyncpg
import orjson
from sqlalchemy import Connection, func, make_url, select, tuple_

from amina.adapters.db.compliance.store import unresolved_sql
from amina.adapters.db.engine import normalise_url
from amina.adapters.db.reports.tables import (
    FLAG_COLUMNS,
    DailySummaryRow,
    DeviceStatusRow,
    LocationReportRow,
    PersonLastReportRow,
)
from amina.adapters.db.uow import UnitOfWork
from amina.domain.identity_filter import (
    BEGINNING,
    EMPTY,
    FILTER_BITS,
    FilterWrite,
    IdentityFilter,
    decode_bits,
    encode_bits,
)

REPORTS = LocationReportRow.__table__
STATUS = DeviceStatusRow.__table__

_REPORT_COLUMNS = (
    "person_id, device_time, device_id, client_id, received_at, lat, lon, accuracy_m, "
    "speed_mps, altitude_m, provider, mocked, region, flags, distance_to_address_m"
)

# The hot path talks to the driver directly (psycopg 3 / sqlite3): no statement building, no
# compile-cache look-ups, one round trip per statement. Placeholders are written %s and turned
# into ? for SQLite.

#: Whether a notice waits for an answer: the compliance rule's SQL mirror (one definition).
#: The person is the statement's parameter, not the outer row's column, so that a distributed
#: database sends the whole query to the person's shard (docs/scale-out.md).
_UNRESOLVED_NOTICE = (
    f"EXISTS (SELECT 1 FROM notices n WHERE n.person_id = %s AND {unresolved_sql('n.status')})"
)
#: The same for a device found by its credential's hash alone (a credential issued before
#: credentials carried the person's id): the person is the outer row's.
_UNRESOLVED_NOTICE_OF_ROW = (
    f"EXISTS (SELECT 1 FROM notices n WHERE n.person_id = p.id AND {unresolved_sql('n.status')})"
)

#: The person's filter of recent client ids (both generations OR-ed), since when it is complete
#: and the latest device time of a report dated ahead that left it (amina.domain.identity_filter)
#: (a row not yet rotated has no previous generation)
#: PostgreSQL sends the bits as bytes (``varbit_send``: a 4-byte length, then the bits; the
#: text form is a character per bit, four times the bytes to send and to parse); SQLite
#: holds a BLOB already (see :func:`_sqlite`).
_FILTER_READ = "varbit_send(COALESCE((f.bits | f.bits_old), f.bits)), f.since, f.gone_ahead"

#: What classifying a batch needs, in one query: the registered address (of the registration
#: holding the place), the latest stored fix, and whether a notice waits for an answer (fresh
#: reports may resolve it; asked here so that the common case costs no extra query).
_CONTEXT = f"""
SELECT p.id, %s, p.language, false, r.lat, r.lon, l.device_time, l.lat, l.lon,
       {_UNRESOLVED_NOTICE}, {_FILTER_READ}
FROM persons p
LEFT JOIN registrations r
       ON r.person_id = p.id AND r.status IN ('active', 'confirmation_requested')
LEFT JOIN person_last_report l ON l.person_id = p.id
LEFT JOIN report_identity_filters f ON f.person_id = p.id
WHERE p.id = %s
"""

#: PostgreSQL: one batch of a person at a time, from before its context is read until it
#: commits — so that a batch sees the client ids of the person's batch before it (in the
#: filter or the stored reports) and a client id sent twice at once with two device times is
#: refused the second time, never stored twice (issue 10 point 2). A separate statement
#: before the context query (pipelined: no round trip of its own), so that the context
#: query's snapshot is taken after the lock (READ COMMITTED). SQLite serialises writers from
#: BEGIN IMMEDIATE on already. Two people whose ids hash alike only wait for each other.
_ONE_BATCH_OF_A_PERSON = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"

_DEVICE_CONTEXT_FROM = """
FROM devices d
JOIN persons p ON p.id = d.person_id
LEFT JOIN registrations r
       ON r.person_id = p.id AND r.status IN ('active', 'confirmation_requested')
LEFT JOIN person_last_report l ON l.person_id = p.id
LEFT JOIN report_identity_filters f ON f.person_id = p.id
"""

#: The same, found by the device credential (``<person id>.<secret>``): the device proves
#: itself in the query that loads the context (no separate look-up; a retired device is
#: refused at once), and the person's id routes the query to one shard.
_DEVICE_CONTEXT = f"""
SELECT p.id, d.id, p.language, d.retired_at IS NOT NULL, r.lat, r.lon, l.device_time, l.lat,
       l.lon, {_UNRESOLVED_NOTICE}, {_FILTER_READ}
{_DEVICE_CONTEXT_FROM}
WHERE d.person_id = %s AND d.credential_hash = %s
LIMIT 1
"""

#: A credential issued before credentials carried the person's id: by its hash alone.
_DEVICE_CONTEXT_BY_HASH = f"""
SELECT p.id, d.id, p.language, d.retired_at IS NOT NULL, r.lat, r.lon, l.device_time, l.lat,
       l.lon, {_UNRESOLVED_NOTICE_OF_ROW}, {_FILTER_READ}
{_DEVICE_CONTEXT_FROM}
WHERE d.credential_hash = %s
LIMIT 1
"""

_FIX_BEFORE = """
SELECT device_time, lat, lon FROM location_reports
WHERE person_id = %s AND device_time < %s AND device_time >= %s
ORDER BY device_time DESC LIMIT 1
"""

#: The batch as one JSON document: one statement whatever the batch size (psycopg would dump
#: twelve arrays element by element in Python; PostgreSQL parses JSON in C). The rows not
#: returned were held already (the primary key).
_PG_INSERT = f"""
INSERT INTO location_reports ({_REPORT_COLUMNS})
SELECT %s, b.t, %s, b.c, %s, b.la, b.lo, b.a, b.s, b.al, b.p, b.m, b.r, b.f, b.d
FROM json_to_recordset(%s::json) AS b(c varchar, t timestamptz, la float8, lo float8, a float8,
     s float8, al float8, p varchar, m bool, r varchar, f int2, d float8)
ON CONFLICT DO NOTHING
RETURNING client_id
"""

_SQLITE_ROW = "(" + ", ".join("?" * 15) + ")"

#: The full check, for the client ids the filter cannot rule out: the person's stored reports
#: under these client ids within the window around the batch (one range of the primary key).
_HELD_REPORTS = """
SELECT client_id, device_time, flags, device_id FROM location_reports
WHERE person_id = %s AND device_time >= %s AND device_time <= %s AND client_id IN ({ids})
"""

#: Takes back reports this transaction inserted whose client id turned out re-used.
_FORGET = """
DELETE FROM location_reports
WHERE person_id = %s AND device_id = %s AND device_time = %s AND client_id = %s
"""
_STORED_FLAGS = """
SELECT client_id, device_time, flags FROM location_reports
WHERE person_id = %s AND device_id = %s AND device_time >= %s AND device_time <= %s
  AND client_id IN ({ids})
"""

_STATUS_INSERT = """
INSERT INTO device_status (person_id, device_id, reported_at, received_at, location_permission,
                           location_services, battery_saver, app_version)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT DO NOTHING
RETURNING reported_at
"""

_SUMMARY_COUNTS = (
    "reports",
    "inside_region",
    "near_address",
    *FLAG_COLUMNS,
    "device_status_problems",
)
_SUMMARY_COLUMNS = "person_id, day, first_at, last_at, updated_at, " + ", ".join(_SUMMARY_COUNTS)
# the table is aliased ``s`` (short statements: see _PG_AGGREGATES)
_SUMMARY_UPDATE = (
    "ON CONFLICT (person_id, day) DO UPDATE SET "
    + ", ".join(f"{c} = s.{c} + excluded.{c}" for c in _SUMMARY_COUNTS)
    # least / greatest ignore nulls (SQLite: registered, amina/adapters/db/engine.py)
    + ", first_at = least(s.first_at, excluded.first_at)"
    ", last_at = greatest(s.last_at, excluded.last_at)"
    ", updated_at = excluded.updated_at"
)
_SQLITE_SUMMARY = (
    f"INSERT INTO daily_summaries AS s ({_SUMMARY_COLUMNS}) VALUES "
    f"({', '.join('?' * (5 + len(_SUMMARY_COUNTS)))}) {_SUMMARY_UPDATE}"
)
_PG_SUMMARY = (
    f"INSERT INTO daily_summaries AS s ({_SUMMARY_COLUMNS}) "
    "SELECT %s, d.day, d.first_at, d.last_at, %s, "
    + ", ".join(f"d.n[{i}]" for i in range(1, len(_SUMMARY_COUNTS) + 1))
    + " FROM json_to_recordset(%s::json)"
    f" AS d(day date, first_at timestamptz, last_at timestamptz, n int[]) {_SUMMARY_UPDATE}"
)

_REPORT_PART = ("device_id", "device_time", "received_at", "lat", "lon", "region", "flags")
_STATUS_PART = (
    "status_reported_at",
    "location_permission",
    "location_services",
    "battery_saver",
    "app_version",
)


def _when_newer(time: str, columns: tuple[str, ...]) -> str:
    """``SET`` clauses taking the incoming ``columns`` when the incoming ``time`` is later
    than the row's (or the row has none); the row's on a tie and when nothing comes in. Plain
    ``CASE`` per column, no sub-select: Citus refuses sub-selects inside an ``INSERT``."""
    # '-infinity': PostgreSQL's earliest time; on SQLite a text below every stored time
    newer = f"excluded.{time} > COALESCE(l.{time}, '-infinity')"
    return ", ".join(f"{c} = CASE WHEN {newer} THEN excluded.{c} ELSE l.{c} END" for c in columns)


_FILTER_PART = ("day", "bits", "bits_old", "ahead", "ahead_old", "since", "gone_ahead")
#: The filter of recent client ids (amina.domain.identity_filter): on the generation's day the
#: batch's bits are OR-ed in; on a later arrival day the current generation becomes the
#: previous one (the previous one goes: "complete since" moves to the start of the day kept,
#: and the latest device time dated ahead of what went is remembered). ``greatest`` ignores
#: nulls (SQLite: registered, amina/adapters/db/engine.py).
_ROTATE = "f.day < excluded.day"
_FILTER_UPDATE = (
    f"bits = CASE WHEN {_ROTATE} THEN excluded.bits ELSE (f.bits | excluded.bits) END"
    f", bits_old = CASE WHEN {_ROTATE} THEN f.bits ELSE f.bits_old END"
    f", ahead = CASE WHEN {_ROTATE} THEN excluded.ahead ELSE greatest(f.ahead, excluded.ahead) END"
    f", ahead_old = CASE WHEN {_ROTATE} THEN f.ahead ELSE f.ahead_old END"
    f", since = CASE WHEN {_ROTATE} THEN greatest(f.since, f.day) ELSE f.since END"
    f", gone_ahead = CASE WHEN {_ROTATE} THEN greatest(f.gone_ahead, f.ahead_old)"
    " ELSE f.gone_ahead END"
    ", day = greatest(f.day, excluded.day)"
)
_FILTER_UPSERT = (
    "INSERT INTO report_identity_filters AS f (person_id, "
    + ", ".join(_FILTER_PART)
    + ") VALUES ("
    + ", ".join(["%s"] * (1 + len(_FILTER_PART)))
    + ") ON CONFLICT (person_id) DO UPDATE SET "
    + _FILTER_UPDATE
)

#: The per-person "last report" row: the contact time always, the latest report and the latest
#: status each only when newer than what the row holds.
_LAST_UPSERT = (
    "INSERT INTO person_last_report AS l (person_id, last_contact_at, "
    + ", ".join(_REPORT_PART + _STATUS_PART)
    + ") VALUES ("
    + ", ".join(["%s"] * (2 + len(_REPORT_PART) + len(_STATUS_PART)))
    + ") ON CONFLICT (person_id) DO UPDATE SET"
    " last_contact_at = greatest(l.last_contact_at, excluded.last_contact_at), "
    + _when_newer("device_time", _REPORT_PART)
    + ", "
    + _when_newer("status_reported_at", _STATUS_PART)
)


def _minified(statement: str) -> str:
    """The statement without the blanks SQL does not need (no string literal inside)."""
    return re.sub(r" ?([,()=<>|+]) ?", r"\1", re.sub(r"\s+", " ", statement)).strip()


#: PostgreSQL: the summaries, the filter and the last-report row in one statement (one round
#: trip), short
#: enough for psycopg to keep it parsed (< 4 KB).
_PG_AGGREGATES = f"WITH summaries AS ({_PG_SUMMARY}), identity AS ({_FILTER_UPSERT}) {_LAST_UPSERT}"
_PG_AGGREGATES = _minified(_PG_AGGREGATES)
assert len(_PG_AGGREGATES) < 4096, "psycopg parses longer statements on every execution"


_PG_OR = re.compile(r"\((f\.\w+) \| (\w+\.\w+)\)")


@lru_cache(maxsize=64)
def _sqlite(statement: str) -> str:
    """The statement for SQLite: ``?`` placeholders; the filter is a BLOB there, OR-ed by the
    ``bloom_or`` function every connection registers (PostgreSQL: ``bit(n) | bit(n)``) and
    read as it is (PostgreSQL: ``varbit_send``)."""
    return (
        _PG_OR.sub(r"bloom_or(\1, \2)", statement).replace("varbit_send(", "(").replace("%s", "?")
    )


#: SQLite keeps every distinct statement text compiled (sqlite3's statement cache); a
#: multi-row INSERT per batch size would fill it with large programs (hundreds of MB of RSS
#: measured). Batches are cut into chunks of these few sizes instead.
_SQLITE_CHUNKS = (256, 64, 16, 4, 1)


def _sqlite_chunks(params: list[Any], count: int) -> list[tuple[str, Sequence[Any]]]:
    width = 15
    statements: list[tuple[str, Sequence[Any]]] = []
    done = 0
    for size in _SQLITE_CHUNKS:
        while count - done >= size:
            statements.append(
                (
                    f"INSERT INTO location_reports ({_REPORT_COLUMNS}) VALUES "
                    + ", ".join([_SQLITE_ROW] * size)
                    + " ON CONFLICT DO NOTHING RETURNING client_id",
                    params[done * width : (done + size) * width],
                )
            )
            done += size
    return statements


@dataclass
class ReportColumns:
    """A batch of reports of one device, column by column (no object per report): the values
    as sent (filled by the request's reader), then the classification (filled by the use
    case before the insert)."""

    client_id: list[str]
    device_time: list[datetime]
    lat: list[float]
    lon: list[float]
    accuracy_m: list[float]
    speed_mps: list[float | None]
    altitude_m: list[float | None]
    provider: list[str | None]
    mocked: list[bool]
    region: list[str | None] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
    distance_to_address_m: list[float | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.client_id)

    def __bool__(self) -> bool:
        return bool(self.client_id)


#: The filter of a person without a filter row (one comes with the first stored report).
NO_REPORTS = IdentityFilter(EMPTY, BEGINNING, None)

#: A report the person had stored, found by its client id: (client id, device time, flags).
HeldReport = tuple[str, datetime, int]


@dataclass(frozen=True)
class Fix:
    device_time: datetime
    lat: float
    lon: float


@dataclass(frozen=True)
class IngestContext:
    """Who sends (the person, the device, their language; whether the device was retired)
    and what classifying a batch needs (the registered address, the latest stored fix)."""

    person_id: str
    device_id: str
    language: str | None
    retired: bool
    address: tuple[float, float] | None
    last_fix: Fix | None
    unresolved_notice: bool
    #: the person's filter of recent client ids (None: none, the stored reports are read)
    identity: IdentityFilter | None = None


@dataclass(frozen=True)
class SummaryDelta:
    """What one batch adds to one day's summary."""

    day: date
    reports: int
    inside_region: int
    near_address: int
    first_at: datetime | None
    last_at: datetime | None
    flag_counts: Sequence[int]  # in FLAG_ORDER
    device_status_problems: int


@dataclass(frozen=True)
class LatestReport:
    """The batch's latest report, for ``person_last_report``: by the time it counts
    (``amina.domain.reports.counted_at``), which is what the row's ``device_time`` holds."""

    device_id: str
    counted_at: datetime
    received_at: datetime
    lat: float
    lon: float
    region: str | None
    flags: int


@dataclass(frozen=True)
class StatusRecord:
    reported_at: datetime
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None


def sqlite_time(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME stores (UTCDateTime columns read it back)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _read_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


Statement = tuple[str, Sequence[Any]]


class HotPathSql:
    """The hot path's statements and their parameters for one dialect (no I/O), and the
    reading of their answers; executed by :class:`ReportStore` (sync, PostgreSQL and SQLite)
    or :class:`AsyncReportStore` (asyncio, PostgreSQL)."""

    def __init__(self, postgresql: bool) -> None:
        self.postgresql = postgresql

    def time(self, value: datetime | None) -> Any:
        if value is None or self.postgresql:
            return value
        return sqlite_time(value)

    def bits(self, value: bytes) -> Any:
        """The filter's bits as the driver sends them (:func:`encode_bits`)."""
        return encode_bits(value, self.postgresql)

    def context(self, person_id: str, device_id: str) -> Statement:
        return _CONTEXT, (device_id, person_id, person_id)

    @staticmethod
    def one_batch_of(person_id: str) -> Statement:
        return _ONE_BATCH_OF_A_PERSON, (person_id,)

    def device_context(self, person_id: str | None, credential_hash: str) -> Statement:
        if person_id is None:
            return _DEVICE_CONTEXT_BY_HASH, (credential_hash,)
        return _DEVICE_CONTEXT, (person_id, person_id, credential_hash)

    def read_context(self, row: Sequence[Any] | None) -> IngestContext | None:
        if row is None:
            return None
        address = None if row[4] is None else (float(row[4]), float(row[5]))
        fix = None if row[6] is None else Fix(_read_time(row[6]), float(row[7]), float(row[8]))
        return IngestContext(
            person_id=row[0],
            device_id=row[1],
            language=row[2],
            retired=bool(row[3]),
            address=address,
            last_fix=fix,
            unresolved_notice=bool(row[9]),
            # no filter row: the person never stored a report (the row comes with the
            # first), so the empty filter is complete
            identity=NO_REPORTS
            if row[10] is None
            else IdentityFilter(
                decode_bits(bytes(row[10])[4:] if self.postgresql else row[10]),
                _read_time(row[11]),
                None if row[12] is None else _read_time(row[12]),
            ),
        )

    def fix_before(self, person_id: str, before: datetime, window: timedelta) -> Statement:
        return _FIX_BEFORE, (person_id, self.time(before), self.time(before - window))

    @staticmethod
    def read_fix(rows: Sequence[Sequence[Any]]) -> Fix | None:
        if not rows:
            return None
        return Fix(_read_time(rows[0][0]), float(rows[0][1]), float(rows[0][2]))

    def insert_reports(
        self,
        person_id: str,
        device_id: str,
        received_at: datetime,
        rows: ReportColumns,
    ) -> list[Statement]:
        """The insert: on PostgreSQL one statement (:data:`_PG_INSERT`), on SQLite inserts of
        fixed sizes (see :func:`_sqlite_chunks`); each returns the client ids it stored."""
        if self.postgresql:
            document = orjson.dumps(
                [
                    {
                        "c": c,
                        "t": t,
                        "la": la,
                        "lo": lo,
                        "a": a,
                        "s": s,
                        "al": al,
                        "p": p,
                        "m": m,
                        "r": r,
                        "f": f,
                        "d": d,
                    }
                    for c, t, la, lo, a, s, al, p, m, r, f, d in zip(
                        rows.client_id,
                        rows.device_time,
                        rows.lat,
                        rows.lon,
                        rows.accuracy_m,
                        rows.speed_mps,
                        rows.altitude_m,
                        rows.provider,
                        rows.mocked,
                        rows.region,
                        rows.flags,
                        rows.distance_to_address_m,
                        strict=True,
                    )
                ]
            ).decode()
            return [(_PG_INSERT, (person_id, device_id, received_at, document))]
        received = sqlite_time(received_at)
        params: list[Any] = []
        for i in range(len(rows)):
            params += (
                person_id,
                sqlite_time(rows.device_time[i]),
                device_id,
                rows.client_id[i],
                received,
                rows.lat[i],
                rows.lon[i],
                rows.accuracy_m[i],
                rows.speed_mps[i],
                rows.altitude_m[i],
                rows.provider[i],
                rows.mocked[i],
                rows.region[i],
                rows.flags[i],
                rows.distance_to_address_m[i],
            )
        return _sqlite_chunks(params, len(rows))

    def held_reports(
        self, person_id: str, client_ids: Sequence[str], window: tuple[datetime, datetime]
    ) -> Statement:
        statement = _HELD_REPORTS.format(ids=", ".join(["%s"] * len(client_ids)))
        return statement, (
            person_id,
            self.time(window[0]),
            self.time(window[1]),
            *client_ids,
        )

    @staticmethod
    def read_held_reports(rows: Sequence[Sequence[Any]]) -> list[tuple[HeldReport, str]]:
        """:data:`_HELD_REPORTS`' answer: each report held, with the device that sent it."""
        return [((r[0], _read_time(r[1]), int(r[2])), r[3]) for r in rows]

    def forget(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> tuple[str, list[tuple[Any, ...]]]:
        """The reports' delete (executed many times)."""
        return _FORGET, [(person_id, device_id, self.time(t), c) for c, t in keys]

    def stored_flags(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> Statement:
        times = [t for _, t in keys]
        statement = _STORED_FLAGS.format(ids=", ".join(["%s"] * len(keys)))
        return statement, (
            person_id,
            device_id,
            self.time(min(times)),
            self.time(max(times)),
            *(k for k, _ in keys),
        )

    @staticmethod
    def read_flags(
        rows: Sequence[Sequence[Any]], keys: Sequence[tuple[str, datetime]]
    ) -> dict[str, int]:
        wanted = {(k, t.astimezone(UTC)) for k, t in keys}
        return {r[0]: int(r[2]) for r in rows if (r[0], _read_time(r[1]).astimezone(UTC)) in wanted}

    def insert_status(
        self, person_id: str, device_id: str, received_at: datetime, status: StatusRecord
    ) -> Statement:
        return _STATUS_INSERT, (
            person_id,
            device_id,
            self.time(status.reported_at),
            self.time(received_at),
            status.location_permission,
            status.location_services,
            status.battery_saver,
            status.app_version,
        )

    def aggregates(
        self,
        person_id: str,
        now: datetime,
        deltas: Sequence[SummaryDelta],
        latest: LatestReport | None,
        status: StatusRecord | None,
        identity: FilterWrite,
    ) -> list[tuple[str, Sequence[Any], bool]]:
        """(statement, parameters, executemany?) — one statement on PostgreSQL."""
        last = (
            person_id,
            self.time(now),
            *(
                (
                    latest.device_id,
                    self.time(latest.counted_at),
                    self.time(latest.received_at),
                    latest.lat,
                    latest.lon,
                    latest.region,
                    latest.flags,
                )
                if latest is not None
                else (None,) * len(_REPORT_PART)
            ),
            *(
                (
                    self.time(status.reported_at),
                    status.location_permission,
                    status.location_services,
                    status.battery_saver,
                    status.app_version,
                )
                if status is not None
                else (None,) * len(_STATUS_PART)
            ),
        )
        identity_filter = (
            person_id,
            self.time(identity.day),
            self.bits(identity.bits),
            None,  # a new row has no previous generation
            self.time(identity.ahead),
            None,
            self.time(BEGINNING),
            None,
        )
        if self.postgresql:
            document = orjson.dumps(
                [
                    {
                        "day": d.day,
                        "first_at": d.first_at,
                        "last_at": d.last_at,
                        # the counts in _SUMMARY_COUNTS order
                        "n": [
                            d.reports,
                            d.inside_region,
                            d.near_address,
                            *d.flag_counts,
                            d.device_status_problems,
                        ],
                    }
                    for d in deltas
                ]
            ).decode()
            return [(_PG_AGGREGATES, (person_id, now, document, *identity_filter, *last), False)]
        statements: list[tuple[str, Sequence[Any], bool]] = []
        if deltas:
            statements.append(
                (
                    _SQLITE_SUMMARY,
                    [
                        (
                            person_id,
                            d.day.isoformat(),
                            self.time(d.first_at),
                            self.time(d.last_at),
                            self.time(now),
                            d.reports,
                            d.inside_region,
                            d.near_address,
                            *d.flag_counts,
                            d.device_status_problems,
                        )
                        for d in deltas
                    ],
                    True,
                )
            )
        statements.append((_FILTER_UPSERT, identity_filter, False))
        statements.append((_LAST_UPSERT, last, False))
        return statements


class ReportStore:
    """The hot path inside one unit of work, through the driver's own cursor (psycopg 3 or
    sqlite3): no SQLAlchemy statement is built or compiled per batch."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        connection: Connection = uow.session.connection()
        self.sql = HotPathSql(connection.dialect.name == "postgresql")
        driver = connection.connection.driver_connection
        assert driver is not None
        self.driver: Any = driver

    def _rows(self, statement: Statement, *, many: bool = False) -> list[Any]:
        text_, params = statement
        if self.sql.postgresql:
            with self.driver.cursor() as cursor:
                if many:
                    cursor.executemany(text_, params)
                    return []
                cursor.execute(text_, params)
                return list(cursor.fetchall()) if cursor.description else []
        cursor = self.driver.cursor()
        try:
            if many:
                cursor.executemany(_sqlite(text_), params)
                return []
            cursor.execute(_sqlite(text_), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _first(self, statement: Statement, person_id: str | None) -> Any:
        if self.sql.postgresql:
            # the transaction's BEGIN, the person's lock and this query in one round trip
            with self.driver.pipeline(), self.driver.cursor() as cursor:
                if person_id is not None:
                    cursor.execute(*self.sql.one_batch_of(person_id))
                cursor.execute(*statement)
                return cursor.fetchone()
        rows = self._rows(statement)
        return rows[0] if rows else None

    def context(self, person_id: str, device_id: str) -> IngestContext | None:
        statement = self.sql.context(person_id, device_id)
        return self.sql.read_context(self._first(statement, person_id))

    def device_context(self, person_id: str | None, credential_hash: str) -> IngestContext | None:
        statement = self.sql.device_context(person_id, credential_hash)
        context = self.sql.read_context(self._first(statement, person_id))
        if context is not None and person_id is None and self.sql.postgresql:
            # a credential without the person's id: locked once known, then read again
            context = self.sql.read_context(self._first(statement, context.person_id))
        return context

    def fix_before(self, person_id: str, before: datetime, window: timedelta) -> Fix | None:
        """The person's latest stored fix before ``before`` (within ``window``, so that
        PostgreSQL reads only the partitions of those days)."""
        return self.sql.read_fix(self._rows(self.sql.fix_before(person_id, before, window)))

    def insert_reports(
        self,
        person_id: str,
        device_id: str,
        received_at: datetime,
        rows: ReportColumns,
    ) -> set[str]:
        """Insert the batch (one statement on PostgreSQL); the client ids of the rows actually
        stored."""
        if not len(rows):
            return set()
        found: set[str] = set()
        for statement in self.sql.insert_reports(person_id, device_id, received_at, rows):
            found.update(row[0] for row in self._rows(statement))
        return found

    def held_reports(
        self, person_id: str, client_ids: Sequence[str], window: tuple[datetime, datetime]
    ) -> list[tuple[HeldReport, str]]:
        """The person's stored reports under these client ids taken within ``window``, each
        with its device (the full identity check, for the client ids the filter cannot rule
        out)."""
        rows = self._rows(self.sql.held_reports(person_id, client_ids, window))
        return self.sql.read_held_reports(rows)

    def forget_reports(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> None:
        """Delete reports this transaction inserted (their client id was re-used)."""
        self._rows(self.sql.forget(person_id, device_id, keys), many=True)

    def stored_flags(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> dict[str, int]:
        """Flags of reports already stored (for answering duplicates the same way)."""
        if not keys:
            return {}
        rows = self._rows(self.sql.stored_flags(person_id, device_id, keys))
        return self.sql.read_flags(rows, keys)

    def insert_status(
        self, person_id: str, device_id: str, received_at: datetime, status: StatusRecord
    ) -> bool:
        """Store a device status; False if this very status (same time) was stored before."""
        return bool(self._rows(self.sql.insert_status(person_id, device_id, received_at, status)))

    def update_aggregates(
        self,
        person_id: str,
        now: datetime,
        deltas: Sequence[SummaryDelta],
        latest: LatestReport | None,
        status: StatusRecord | None,
        identity: FilterWrite,
    ) -> None:
        """Add the batch to the daily summaries and keep ``person_last_report`` current: the
        contact time always, the latest report and status only when newer (by the phone's
        time) than what the row holds, the stored reports' client ids in the filter. One
        statement on PostgreSQL."""
        statements = self.sql.aggregates(person_id, now, deltas, latest, status, identity)
        for text_, params, many in statements:
            self._rows((text_, params), many=many)


class _EventLoopSql(HotPathSql):
    """The hot path's statements for asyncpg: ``$n`` placeholders (:func:`_numbered`), the
    filter's bits as a ``BitString``."""

    def __init__(self) -> None:
        super().__init__(postgresql=True)

    def bits(self, value: bytes) -> Any:
        return asyncpg.BitString.frombytes(value, FILTER_BITS)


@lru_cache(maxsize=256)
def _numbered(statement: str) -> str:
    """``%s`` placeholders as asyncpg's ``$1``, ``$2``, … (no ``%`` elsewhere in these texts)."""
    count = iter(range(1, statement.count("%s") + 1))
    return re.sub("%s", lambda _: f"${next(count)}", statement)


#: A canonical person id (a UUID as text): safe to write into a statement as a literal.
_PERSON_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class AsyncReportStore:
    """The same hot path on one asyncpg connection (PostgreSQL), for the event loop: no
    thread, no SQLAlchemy session per batch; statements prepared once per connection
    (asyncpg's statement cache). asyncpg was picked over psycopg's asyncio connections by
    measurement (BENCHMARKS.md, "The event loop's driver: asyncpg"): half the client CPU per
    batch, though it has no pipeline, so a batch takes four round trips and the COMMIT. The
    caller commits (:meth:`commit`)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.sql = _EventLoopSql()
        #: statements sent just before the COMMIT (see :meth:`update_aggregates`)
        self._with_commit: list[Statement] = []

    async def _rows(self, statement: Statement) -> list[Any]:
        text_, params = statement
        return list(await self.connection.fetch(_numbered(text_), *params))

    async def _lock(self, person_id: str) -> None:
        await self.connection.fetchval(_numbered(_ONE_BATCH_OF_A_PERSON), person_id)

    async def device_context(
        self, person_id: str | None, credential_hash: str
    ) -> IngestContext | None:
        """BEGIN, the person's lock (:data:`_ONE_BATCH_OF_A_PERSON`) and the context query.
        A canonical person id goes into the BEGIN's text as a literal, so that BEGIN and the
        lock cost one round trip (asyncpg sends a text without parameters as one simple
        query); the context query is read after the lock, in a statement of its own."""
        if person_id is not None and _PERSON_ID.fullmatch(person_id):
            await self.connection.execute(
                "BEGIN; " + _ONE_BATCH_OF_A_PERSON.replace("%s", f"'{person_id}'")
            )
            locked = True
        else:
            await self.connection.execute("BEGIN")
            locked = False
        statement = self.sql.device_context(person_id, credential_hash)
        rows = await self._rows(statement)
        context = self.sql.read_context(rows[0] if rows else None)
        if context is not None and not locked:
            # a credential without the person's id: locked once known, then read again
            await self._lock(context.person_id)
            rows = await self._rows(statement)
            context = self.sql.read_context(rows[0] if rows else None)
        return context

    async def fix_before(self, person_id: str, before: datetime, window: timedelta) -> Fix | None:
        return self.sql.read_fix(await self._rows(self.sql.fix_before(person_id, before, window)))

    async def insert_reports(
        self,
        person_id: str,
        device_id: str,
        received_at: datetime,
        rows: ReportColumns,
    ) -> set[str]:
        if not len(rows):
            return set()
        (insert,) = self.sql.insert_reports(person_id, device_id, received_at, rows)
        return {row[0] for row in await self._rows(insert)}

    async def held_reports(
        self, person_id: str, client_ids: Sequence[str], window: tuple[datetime, datetime]
    ) -> list[tuple[HeldReport, str]]:
        rows = await self._rows(self.sql.held_reports(person_id, client_ids, window))
        return self.sql.read_held_reports(rows)

    async def forget_reports(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> None:
        statement, params = self.sql.forget(person_id, device_id, keys)
        await self.connection.executemany(_numbered(statement), params)

    async def stored_flags(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> dict[str, int]:
        if not keys:
            return {}
        rows = await self._rows(self.sql.stored_flags(person_id, device_id, keys))
        return self.sql.read_flags(rows, keys)

    async def insert_status(
        self, person_id: str, device_id: str, received_at: datetime, status: StatusRecord
    ) -> bool:
        statement = self.sql.insert_status(person_id, device_id, received_at, status)
        return bool(await self._rows(statement))

    async def update_aggregates(
        self,
        person_id: str,
        now: datetime,
        deltas: Sequence[SummaryDelta],
        latest: LatestReport | None,
        status: StatusRecord | None,
        identity: FilterWrite,
    ) -> None:
        """Kept for :meth:`commit` (its answer is not read). A batch that is not committed
        never needed it."""
        self._with_commit.extend(
            (text_, params)
            for text_, params, _ in self.sql.aggregates(
                person_id, now, deltas, latest, status, identity
            )
        )

    async def commit(self) -> None:
        """The aggregates statement, then COMMIT: if the statement fails, it raises and
        nothing is committed (the caller answers only after this returns)."""
        for text_, params in self._with_commit:
            await self.connection.execute(_numbered(text_), *params)
        self._with_commit.clear()
        await self.connection.execute("COMMIT")


class AsyncReportStores:
    """A small pool of asyncpg connections for the hot path of one worker (PostgreSQL).

    A connection that fails is dropped, not reused; the next request opens a new one."""

    def __init__(self, url: str, size: int = 20) -> None:
        self.dsn = (
            make_url(normalise_url(url))
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        self.size = size
        self._idle: list[Any] = []
        self._slots: asyncio.Semaphore | None = None
        #: the event loop the connections belong to (an asyncpg connection works on its own
        #: loop only: a server has one per worker; tests and tools may run several in turn)
        self._loop: asyncio.AbstractEventLoop | None = None

    def _on_this_loop(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._drop_idle()
            self._slots = None
            self._loop = loop
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        return self._slots

    def _drop_idle(self) -> None:
        """Let go of idle connections made on another loop (closed or not running here)."""
        while self._idle:
            connection = self._idle.pop()
            with contextlib.suppress(RuntimeError):  # their loop is closed, the socket too
                connection.terminate()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncReportStore]:
        """A store on a connection of the pool, rolled back unless the caller committed."""
        async with self._on_this_loop():
            connection = self._idle.pop() if self._idle else None
            if connection is None or connection.is_closed():
                connection = await asyncpg.connect(self.dsn)
            healthy = False
            try:
                yield AsyncReportStore(connection)
                healthy = True
            finally:
                try:
                    if connection.is_in_transaction():
                        await connection.execute("ROLLBACK")
                except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    healthy = False
                if healthy and not connection.is_closed():
                    self._idle.append(connection)
                else:
                    connection.terminate()

    async def close(self) -> None:
        """Close the idle connections (the pool can be used again, e.g. on another loop)."""
        if self._loop is not asyncio.get_running_loop():
            self._drop_idle()
        while self._idle:
            await self._idle.pop().close()
        self._slots = None
        self._loop = None


# --- the person's own views ---------------------------------------------------------------------


@dataclass(frozen=True)
class StoredReport:
    device_id: str
    client_id: str
    device_time: datetime
    received_at: datetime
    lat: float
    lon: float
    accuracy_m: float
    speed_mps: float | None
    altitude_m: float | None
    provider: str | None
    mocked: bool
    region: str | None
    flags: int
    distance_to_address_m: float | None


@dataclass(frozen=True)
class StoredStatus:
    device_id: str
    reported_at: datetime
    received_at: datetime
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None


def reports_page(
    uow: UnitOfWork,
    person_id: str,
    start: datetime | None,
    end: datetime | None,
    after: tuple[datetime, str, str] | None,
    limit: int,
) -> list[StoredReport]:
    """The person's reports, newest first by device time, after the cursor (exclusive)."""
    c = REPORTS.c
    query = select(REPORTS).where(c.person_id == person_id)
    if start is not None:
        query = query.where(c.device_time >= start)
    if end is not None:
        query = query.where(c.device_time < end)
    if after is not None:
        query = query.where(tuple_(c.device_time, c.device_id, c.client_id) < tuple_(*after))
    query = query.order_by(c.device_time.desc(), c.device_id.desc(), c.client_id.desc()).limit(
        limit
    )
    return [
        StoredReport(
            device_id=r.device_id,
            client_id=r.client_id,
            device_time=r.device_time,
            received_at=r.received_at,
            lat=r.lat,
            lon=r.lon,
            accuracy_m=r.accuracy_m,
            speed_mps=r.speed_mps,
            altitude_m=r.altitude_m,
            provider=r.provider,
            mocked=r.mocked,
            region=r.region,
            flags=r.flags,
            distance_to_address_m=r.distance_to_address_m,
        )
        for r in uow.session.execute(query)
    ]


def status_page(
    uow: UnitOfWork,
    person_id: str,
    start: datetime | None,
    end: datetime | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[StoredStatus]:
    """The person's device-status records, newest first."""
    c = STATUS.c
    query = select(STATUS).where(c.person_id == person_id)
    if start is not None:
        query = query.where(c.reported_at >= start)
    if end is not None:
        query = query.where(c.reported_at < end)
    if after is not None:
        query = query.where(tuple_(c.reported_at, c.device_id) < tuple_(*after))
    query = query.order_by(c.reported_at.desc(), c.device_id.desc()).limit(limit)
    return [
        StoredStatus(
            device_id=r.device_id,
            reported_at=r.reported_at,
            received_at=r.received_at,
            location_permission=r.location_permission,
            location_services=r.location_services,
            battery_saver=r.battery_saver,
            app_version=r.app_version,
        )
        for r in uow.session.execute(query)
    ]


def summaries_between(
    uow: UnitOfWork, person_id: str, first: date | None, last: date | None
) -> list[DailySummaryRow]:
    query = select(DailySummaryRow).where(DailySummaryRow.person_id == person_id)
    if first is not None:
        query = query.where(DailySummaryRow.day >= first)
    if last is not None:
        query = query.where(DailySummaryRow.day <= last)
    return list(uow.session.scalars(query.order_by(DailySummaryRow.day.desc())))


def last_report(uow: UnitOfWork, person_id: str) -> PersonLastReportRow | None:
    return uow.session.get(PersonLastReportRow, person_id)


def count_reports(uow: UnitOfWork, person_id: str) -> int:
    c = REPORTS.c
    return int(
        uow.session.scalar(
            select(func.count()).select_from(REPORTS).where(c.person_id == person_id)
        )
        or 0
    )
