"""reports: raw location reports and device status (partitioned by time on PostgreSQL), the
latest report per person, daily summaries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

On PostgreSQL ``location_reports`` and ``device_status`` are ``PARTITION BY RANGE`` on their
time column, with one partition per Moscow calendar day (``<table>_pYYYYMMDD``, the day as a UTC
range) and a DEFAULT partition for anything outside (far past or future device clocks). This
migration creates the partitions for yesterday to a week ahead; the ``partition-maintenance``
job keeps creating them ahead (amina/adapters/db/reports/partitions.py, same naming). On SQLite
both are plain tables with the same primary keys and an index on the time column for the
batched retention deletes. See docs/adr/003-report-storage.md.
"""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

import amina.adapters.db.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MOSCOW = ZoneInfo("Europe/Moscow")
DAYS_BEHIND, DAYS_AHEAD = 1, 7

LOCATION_REPORTS_PG = """
CREATE TABLE location_reports (
    person_id varchar(36) NOT NULL,
    device_time timestamptz NOT NULL,
    device_id varchar(36) NOT NULL,
    client_id varchar(64) NOT NULL,
    received_at timestamptz NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    accuracy_m double precision NOT NULL,
    speed_mps double precision,
    altitude_m double precision,
    provider varchar(20),
    mocked boolean NOT NULL,
    region varchar(6),
    flags smallint NOT NULL,
    distance_to_address_m double precision,
    CONSTRAINT pk_location_reports PRIMARY KEY (person_id, device_time, device_id, client_id)
) PARTITION BY RANGE (device_time)
"""

#: Reports flagged future_time (bit 0 of ``flags``) are purged by their arrival time, not by
#: their device time; this small partial index finds them (docs/adr/003-report-storage.md).
FUTURE_TIME_INDEX_PG = (
    "CREATE INDEX ix_location_reports_future_time ON location_reports (received_at) "
    "WHERE (flags & 1) <> 0"
)

DEVICE_STATUS_PG = """
CREATE TABLE device_status (
    person_id varchar(36) NOT NULL,
    device_id varchar(36) NOT NULL,
    reported_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    location_permission boolean,
    location_services boolean,
    battery_saver boolean,
    app_version varchar(40),
    CONSTRAINT pk_device_status PRIMARY KEY (person_id, device_id, reported_at)
) PARTITION BY RANGE (reported_at)
"""


def _moscow_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), MOSCOW)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def _create_pg_partitions(table: str) -> None:
    op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    today = datetime.now(UTC).astimezone(MOSCOW).date()
    for offset in range(-DAYS_BEHIND, DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        low, high = _moscow_day_bounds(day)
        op.execute(
            f"CREATE TABLE {table}_p{day:%Y%m%d} PARTITION OF {table} "
            f"FOR VALUES FROM ('{low.isoformat()}') TO ('{high.isoformat()}')"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LOCATION_REPORTS_PG)
        op.execute(FUTURE_TIME_INDEX_PG)
        _create_pg_partitions("location_reports")
        op.execute(DEVICE_STATUS_PG)
        _create_pg_partitions("device_status")
    else:
        op.create_table('location_reports',
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('device_time', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('device_id', sa.String(length=36), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('received_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('accuracy_m', sa.Float(), nullable=False),
        sa.Column('speed_mps', sa.Float(), nullable=True),
        sa.Column('altitude_m', sa.Float(), nullable=True),
        sa.Column('provider', sa.String(length=20), nullable=True),
        sa.Column('mocked', sa.Boolean(), nullable=False),
        sa.Column('region', sa.String(length=6), nullable=True),
        sa.Column('flags', sa.SmallInteger(), nullable=False),
        sa.Column('distance_to_address_m', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('person_id', 'device_time', 'device_id', 'client_id', name=op.f('pk_location_reports'))
        )
        op.create_index('ix_location_reports_device_time', 'location_reports', ['device_time'])
        op.create_index('ix_location_reports_future_time', 'location_reports', ['received_at'], sqlite_where=sa.text('(flags & 1) <> 0'))
        op.create_table('device_status',
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('device_id', sa.String(length=36), nullable=False),
        sa.Column('reported_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('received_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('location_permission', sa.Boolean(), nullable=True),
        sa.Column('location_services', sa.Boolean(), nullable=True),
        sa.Column('battery_saver', sa.Boolean(), nullable=True),
        sa.Column('app_version', sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint('person_id', 'device_id', 'reported_at', name=op.f('pk_device_status'))
        )
        op.create_index('ix_device_status_reported_at', 'device_status', ['reported_at'])

    op.create_table('person_last_report',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('device_time', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('region', sa.String(length=6), nullable=True),
    sa.Column('flags', sa.SmallInteger(), nullable=True),
    sa.Column('last_contact_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_reported_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('location_permission', sa.Boolean(), nullable=True),
    sa.Column('location_services', sa.Boolean(), nullable=True),
    sa.Column('battery_saver', sa.Boolean(), nullable=True),
    sa.Column('app_version', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_last_report_person_id_persons')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_person_last_report'))
    )
    op.create_table('daily_summaries',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('inside_region', sa.Integer(), nullable=False),
    sa.Column('near_address', sa.Integer(), nullable=False),
    sa.Column('first_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('flag_future_time', sa.Integer(), nullable=False),
    sa.Column('flag_too_old', sa.Integer(), nullable=False),
    sa.Column('flag_low_accuracy', sa.Integer(), nullable=False),
    sa.Column('flag_impossible_speed', sa.Integer(), nullable=False),
    sa.Column('flag_mocked', sa.Integer(), nullable=False),
    sa.Column('flag_outside_region', sa.Integer(), nullable=False),
    sa.Column('flag_near_border', sa.Integer(), nullable=False),
    sa.Column('flag_far_from_address', sa.Integer(), nullable=False),
    sa.Column('device_status_problems', sa.Integer(), nullable=False),
    sa.Column('updated_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_daily_summaries_person_id_persons')),
    sa.PrimaryKeyConstraint('person_id', 'day', name=op.f('pk_daily_summaries'))
    )


def downgrade() -> None:
    op.drop_table('daily_summaries')
    op.drop_table('person_last_report')
    # on PostgreSQL dropping a partitioned table drops its partitions
    op.drop_table('device_status')
    op.drop_table('location_reports')
