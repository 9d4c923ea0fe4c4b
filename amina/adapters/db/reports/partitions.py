"""Time partitions of the raw report tables on PostgreSQL (docs/adr/003-report-storage.md).

``location_reports`` (by ``device_time``) and ``device_status`` (by ``reported_at``) have one
partition per Moscow calendar day, named ``<table>_pYYYYMMDD`` and covering that day as a UTC
range, plus ``<table>_default`` for anything outside the created days (a phone whose clock is far
off). The ``partition-maintenance`` job creates days ahead; the ``report-retention`` job detaches
and drops whole days once they are older than the retention period. SQLite has no partitions:
every function here is a no-op there, and retention deletes in batches instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, text

from amina.domain.calendar import MOSCOW

#: Partitioned table → its partition key.
PARTITIONED: dict[str, str] = {"location_reports": "device_time", "device_status": "reported_at"}
#: Waiting for a lock longer than this means ingest is busy: give up and retry next run.
LOCK_TIMEOUT = "5s"


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    day: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return day_bounds(self.day)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The Moscow calendar day as a UTC range [start, end)."""
    start = datetime.combine(day, time(0), MOSCOW)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def partition_name(table: str, day: date) -> str:
    return f"{table}_p{day:%Y%m%d}"


def is_partitioned(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def partitions(connection: Connection, table: str) -> list[Partition]:
    """The day partitions of ``table`` (not the default one), oldest first."""
    if not is_partitioned(connection):
        return []
    names = connection.execute(
        text(
            "SELECT child.relname FROM pg_inherits "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "WHERE parent.relname = :table"
        ),
        {"table": table},
    ).scalars()
    pattern = re.compile(rf"^{re.escape(table)}_p(\d{{8}})$")
    found = []
    for name in names:
        match = pattern.match(name)
        if match:
            found.append(Partition(table, name, date.fromisoformat(match[1])))
    return sorted(found, key=lambda p: p.day)


def create_partition(connection: Connection, table: str, day: date) -> bool:
    """Create the partition of ``table`` for ``day`` unless it exists; True if created.

    Rows of that day already sitting in the default partition (sent by a phone whose clock ran
    ahead) are moved into the new partition in the same transaction; PostgreSQL would refuse
    the new partition otherwise. The caller commits."""
    name = partition_name(table, day)
    if any(p.name == name for p in partitions(connection, table)):
        return False
    column = PARTITIONED[table]
    low, high = day_bounds(day)
    bounds = {"low": low, "high": high}
    literal = f"FROM ('{low.isoformat()}') TO ('{high.isoformat()}')"
    connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    waiting = connection.execute(
        text(
            f"SELECT EXISTS (SELECT 1 FROM {table}_default "
            f"WHERE {column} >= :low AND {column} < :high)"
        ),
        bounds,
    ).scalar()
    if not waiting:
        connection.execute(text(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES {literal}"))
        return True
    connection.execute(text(f"LOCK TABLE {table}_default IN SHARE ROW EXCLUSIVE MODE"))
    connection.execute(
        text(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    connection.execute(
        text(
            f"WITH moved AS (DELETE FROM {table}_default "
            f"WHERE {column} >= :low AND {column} < :high RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved"
        ),
        bounds,
    )
    connection.execute(text(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES {literal}"))
    return True


def drop_partition(connection: Connection, partition: Partition) -> int:
    """Detach and drop a whole day; returns PostgreSQL's estimate of the rows it held (counting
    them exactly would read the whole day). The caller commits."""
    connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    estimate = connection.execute(
        text("SELECT reltuples FROM pg_class WHERE relname = :name"), {"name": partition.name}
    ).scalar()
    connection.execute(text(f"ALTER TABLE {partition.table} DETACH PARTITION {partition.name}"))
    connection.execute(text(f"DROP TABLE {partition.name}"))
    return max(0, int(estimate or 0))
