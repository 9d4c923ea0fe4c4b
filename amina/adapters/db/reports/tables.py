"""Tables for location reports (migration 0005; docs/adr/003-report-storage.md).

- ``location_reports``: every stored raw report. The primary key is (person, device time,
  device, client id): a re-sent report is byte-identical, so it hits the key and is a duplicate.
  On PostgreSQL the table is partitioned by ``device_time`` (one partition per Moscow day and a
  DEFAULT partition), so retention drops whole partitions; the migration writes that DDL by hand.
- ``device_status``: what the phone said about itself (permission, location services, battery
  saver, app version), kept like the reports (partitioned by ``reported_at`` on PostgreSQL).
- ``person_last_report``: one row per person — the latest accepted report by the time it
  counts (``amina.domain.reports.counted_at``: its device time, or its arrival if that was
  earlier) and the latest device status — so that "who is silent" is a set-based query over
  one row per person, never a GROUP BY over raw reports.
- ``report_identity_filters``: per person, the filter of recent client ids (ADR 003, issue 10:
  a Bloom filter of the client ids that arrived in the last two UTC days, two generations;
  ``amina.domain.identity_filter``), read with the batch's context and written by the same
  statement as ``person_last_report`` (migration 0018 moved it out of that row, which the daily
  sweep reads for everybody).
- ``daily_summaries``: per person and Moscow day (the day each report counts on, by the same
  rule), kept current at ingest (late reports included); they follow the registration's life,
  not the raw reports' retention.

On SQLite the migration also indexes ``location_reports.device_time`` and
``device_status.reported_at`` for the batched retention deletes (PostgreSQL drops partitions).

Raw reports and device status carry no foreign key: ingest is the hot path and every row comes
from an authenticated device, so a per-row lookup in ``persons`` would cost without protecting
anything. Per-person tables carry ``person_id`` first in their primary key (Citus; SPEC §11).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import BIT
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import PER_PERSON
from amina.domain.identity_filter import FILTER_BITS
from amina.domain.reports import FLAG_ORDER

#: The filter of recent client ids: ``bit(FILTER_BITS)`` on PostgreSQL (``|`` ORs two), a BLOB
#: of FILTER_BITS / 8 bytes on SQLite (``bloom_or``: amina/adapters/db/engine.py).
FILTER_TYPE = LargeBinary().with_variant(BIT(FILTER_BITS), "postgresql")

#: ``daily_summaries`` has one count column per quality flag, named ``flag_<flag>``.
FLAG_COLUMNS: tuple[str, ...] = tuple(f"flag_{flag.value}" for flag in FLAG_ORDER)


class LocationReportRow(Base):
    __tablename__ = "location_reports"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_time: Mapped[datetime] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float] = mapped_column(Float)
    speed_mps: Mapped[float | None] = mapped_column(Float)
    altitude_m: Mapped[float | None] = mapped_column(Float)
    provider: Mapped[str | None] = mapped_column(String(20))
    mocked: Mapped[bool] = mapped_column(Boolean)
    region: Mapped[str | None] = mapped_column(String(6))
    #: One bit per quality flag, bit i for ``FLAG_ORDER[i]`` (amina.services.reports.ingest).
    flags: Mapped[int] = mapped_column(SmallInteger)
    distance_to_address_m: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        # reports flagged future_time (bit 0) are purged by arrival, not by device time
        Index(
            "ix_location_reports_future_time",
            "received_at",
            postgresql_where=text("(flags & 1) <> 0"),
            sqlite_where=text("(flags & 1) <> 0"),
        ),
        {"postgresql_partition_by": "RANGE (device_time)"},
    )


class DeviceStatusRow(Base):
    __tablename__ = "device_status"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: When the phone observed this status (its own clock), or when it arrived if not given.
    reported_at: Mapped[datetime] = mapped_column(primary_key=True)
    received_at: Mapped[datetime]
    location_permission: Mapped[bool | None] = mapped_column(Boolean)
    location_services: Mapped[bool | None] = mapped_column(Boolean)
    battery_saver: Mapped[bool | None] = mapped_column(Boolean)
    app_version: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = ({"postgresql_partition_by": "RANGE (reported_at)"},)


class PersonLastReportRow(Base):
    __tablename__ = "person_last_report"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    #: The latest accepted report (null until the first report), by the time it counts for
    #: compliance: ``device_time`` holds that time (``amina.domain.reports.counted_at``: the
    #: device time, or the arrival when the phone's clock was ahead), never a time after
    #: ``received_at`` — the "last seen" of the no-data rule, the person's and officers' views.
    device_id: Mapped[str | None] = mapped_column(String(36))
    device_time: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    region: Mapped[str | None] = mapped_column(String(6))
    flags: Mapped[int | None] = mapped_column(SmallInteger)
    #: When the phone last reached the server with anything stored (reports or a heartbeat):
    #: tells "the phone stopped reporting" from "the person is away".
    last_contact_at: Mapped[datetime]
    #: The latest device status, by the phone's own time.
    status_reported_at: Mapped[datetime | None]
    location_permission: Mapped[bool | None] = mapped_column(Boolean)
    location_services: Mapped[bool | None] = mapped_column(Boolean)
    battery_saver: Mapped[bool | None] = mapped_column(Boolean)
    app_version: Mapped[str | None] = mapped_column(String(40))


class ReportIdentityFilterRow(Base):
    """The person's filter of recent client ids (amina.domain.identity_filter), one row per
    person who ever stored a report, written with ``person_last_report`` by the same statement.
    A table of its own so that ``person_last_report``, which the daily sweep reads whole, stays
    narrow; under PostgreSQL's TOAST threshold (2 KB a row), so it is never compressed."""

    __tablename__ = "report_identity_filters"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    #: The start of the UTC arrival day of the current generation.
    day: Mapped[datetime]
    #: The current generation's bits and the previous one's (PostgreSQL ``bit(FILTER_BITS)``,
    #: SQLite a BLOB; null: not rotated yet).
    bits: Mapped[bytes] = mapped_column(FILTER_TYPE)
    bits_old: Mapped[bytes | None] = mapped_column(FILTER_TYPE)
    #: The latest device time dated ahead of its arrival, in each generation.
    ahead: Mapped[datetime | None]
    ahead_old: Mapped[datetime | None]
    #: Since when the filter holds every report that arrived.
    since: Mapped[datetime]
    #: The latest device time dated ahead of a report no longer in the filter.
    gone_ahead: Mapped[datetime | None]


class DailySummaryRow(Base):
    __tablename__ = "daily_summaries"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reports: Mapped[int] = mapped_column(Integer)
    inside_region: Mapped[int] = mapped_column(Integer)
    near_address: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime | None]
    last_at: Mapped[datetime | None]
    flag_future_time: Mapped[int] = mapped_column(Integer)
    flag_too_old: Mapped[int] = mapped_column(Integer)
    flag_low_accuracy: Mapped[int] = mapped_column(Integer)
    flag_impossible_speed: Mapped[int] = mapped_column(Integer)
    flag_mocked: Mapped[int] = mapped_column(Integer)
    flag_outside_region: Mapped[int] = mapped_column(Integer)
    flag_near_border: Mapped[int] = mapped_column(Integer)
    flag_far_from_address: Mapped[int] = mapped_column(Integer)
    #: Device-status records that day that showed a problem (no permission, location off,
    #: battery saver on).
    device_status_problems: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


assert tuple(c.name for c in DailySummaryRow.__table__.columns if c.name.startswith("flag_")) == (
    FLAG_COLUMNS
), "one flag_<name> column per Flag, in FLAG_ORDER"
