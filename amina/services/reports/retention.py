"""Keeping raw location data only as long as the policy says (SPEC §6, §10 data minimisation).

Raw reports and device-status records are deleted ``report_retention_days`` (policy; default
30) after the Moscow day they were taken — or, for a report flagged ``future_time``, after the
day it arrived (:func:`amina.services.reports.ingest.keeping_day`): a wrong clock cannot stretch
retention. Daily summaries are not touched: they follow the registration's life.

On PostgreSQL whole days go at once (detach + drop of the day's partition), and the few rows
outside the day partitions (far-off clocks, in the default partition; reports flagged
``future_time``) are deleted in batches. On SQLite everything is deleted in batches of
:data:`DELETE_BATCH` rows, one transaction each, so that ingest is never blocked for long.

Called by the ``report-retention`` and ``partition-maintenance`` jobs and by
``amina reports purge`` / ``amina reports partitions`` (operators).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from amina.adapters.db.reports.partitions import (
    PARTITIONED,
    create_partition,
    day_bounds,
    drop_partition,
    is_partitioned,
    partitions,
)
from amina.adapters.db.reports.store import sqlite_time
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.reports import FLAG_BITS, Flag
from amina.services.clock import Clock
from amina.services.policy.versions import policy_book

DELETE_BATCH = 5000
#: Day partitions are created this many days ahead (and today).
DAYS_AHEAD = 7

FUTURE_TIME_BIT = FLAG_BITS[Flag.future_time]
# the partial index ix_location_reports_future_time (migration 0005) is on "(flags & 1) <> 0"
assert FUTURE_TIME_BIT == 1

#: (table, what the rows are, condition): the rows the batched deletes remove.
_BATCHED: tuple[tuple[str, str, str], ...] = (
    ("location_reports", "reports", "device_time < :cutoff"),
    ("location_reports", "reports", "(flags & 1) <> 0 AND received_at < :cutoff"),
    ("device_status", "device status records", "reported_at < :cutoff"),
)
_KEYS: dict[str, str] = {
    "location_reports": "person_id, device_time, device_id, client_id",
    "device_status": "person_id, device_id, reported_at",
}

#: Called with (what is being deleted, rows deleted so far for it) as the purge goes on.
Progress = Callable[[str, int], None]


@dataclass
class PurgeResult:
    """What a purge removed (or, in a dry run, would remove). Counts only."""

    cutoff_day: date  # days before this one are gone
    partitions_dropped: list[str] = field(default_factory=list)
    rows_in_dropped_partitions: int = 0  # PostgreSQL's estimate
    reports_deleted: int = 0
    statuses_deleted: int = 0

    def summary(self) -> str:
        return (
            f"kept from {self.cutoff_day}; {len(self.partitions_dropped)} day partitions "
            f"dropped (~{self.rows_in_dropped_partitions} rows), {self.reports_deleted} reports "
            f"and {self.statuses_deleted} device status records deleted"
        )


def cutoff_day(uow_factory: UnitOfWorkFactory, clock: Clock) -> date:
    """The first Moscow day still kept under the policy in force today."""
    today = moscow_date(clock.now())
    with uow_factory() as uow:
        days = int(policy_book(uow).in_force_on(today).parameter("report_retention_days"))
    return today - timedelta(days=days)


def purge_old_reports(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    dry_run: bool = False,
    batch: int = DELETE_BATCH,
    progress: Progress | None = None,
) -> PurgeResult:
    """Delete raw reports and device status older than the retention period (the system, and
    operators through the CLI). With ``dry_run`` nothing is deleted: the counts say what
    would be."""
    result = PurgeResult(cutoff_day(uow_factory, clock))
    cutoff, _ = day_bounds(result.cutoff_day)
    for table in PARTITIONED:
        with uow_factory() as uow:
            old = [
                p for p in partitions(uow.session.connection(), table) if p.day < result.cutoff_day
            ]
        for partition in old:
            with uow_factory() as uow:
                connection = uow.session.connection()
                if dry_run:
                    rows = connection.execute(
                        text("SELECT reltuples FROM pg_class WHERE relname = :name"),
                        {"name": partition.name},
                    ).scalar()
                    rows = max(0, int(rows or 0))
                else:
                    rows = drop_partition(connection, partition)
                    uow.commit()
            result.partitions_dropped.append(partition.name)
            result.rows_in_dropped_partitions += rows
            if progress:
                progress(f"partition {partition.name}", rows)
    for table, what, condition in _BATCHED:
        deleted = _delete_in_batches(
            uow_factory, table, condition, cutoff, batch, dry_run, what, progress
        )
        if table == "location_reports":
            result.reports_deleted += deleted
        else:
            result.statuses_deleted += deleted
    return result


def _delete_in_batches(
    uow_factory: UnitOfWorkFactory,
    table: str,
    condition: str,
    cutoff: datetime,
    batch: int,
    dry_run: bool,
    what: str,
    progress: Progress | None,
) -> int:
    total = 0
    while True:
        with uow_factory() as uow:
            connection = uow.session.connection()
            params: dict[str, Any] = {"cutoff": _bind_time(cutoff, connection.dialect.name)}
            if dry_run:
                return int(
                    connection.execute(
                        text(f"SELECT count(*) FROM {table} WHERE {condition}"), params
                    ).scalar()
                    or 0
                )
            if is_partitioned(connection):
                keys = _KEYS[table]
                statement = (
                    f"DELETE FROM {table} WHERE ({keys}) IN "
                    f"(SELECT {keys} FROM {table} WHERE {condition} LIMIT :batch)"
                )
            else:
                statement = (
                    f"DELETE FROM {table} WHERE rowid IN "
                    f"(SELECT rowid FROM {table} WHERE {condition} LIMIT :batch)"
                )
            deleted = connection.execute(text(statement), {**params, "batch": batch}).rowcount
            uow.commit()
        total += int(deleted)
        if progress and deleted:
            progress(what, total)
        if deleted < batch:
            return total


def _bind_time(at: datetime, dialect: str) -> Any:
    """Times compare as text on SQLite, in the format the UTC columns store."""
    if dialect == "sqlite":
        return sqlite_time(at)
    return at


def maintain_partitions(
    uow_factory: UnitOfWorkFactory, clock: Clock, *, days_ahead: int = DAYS_AHEAD
) -> list[str]:
    """Create the day partitions from today to ``days_ahead`` days ahead (the system, and
    operators through the CLI). Returns the names created; nothing on SQLite."""
    today = moscow_date(clock.now())
    created: list[str] = []
    for table in PARTITIONED:
        for offset in range(days_ahead + 1):
            day = today + timedelta(days=offset)
            with uow_factory() as uow:
                connection = uow.session.connection()
                if not is_partitioned(connection):
                    return []
                if create_partition(connection, table, day):
                    uow.commit()
                    created.append(f"{table}_p{day:%Y%m%d}")
    return created


def day_partitions(uow_factory: UnitOfWorkFactory) -> dict[str, list[date]]:
    """The days that have a partition, per table (empty on SQLite)."""
    with uow_factory() as uow:
        connection = uow.session.connection()
        return {table: [p.day for p in partitions(connection, table)] for table in PARTITIONED}
