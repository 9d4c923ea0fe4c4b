"""report client ids: the identity key of the recent reports, one primary-key look-up per
report instead of a range read of the partitioned reports (issue 10 point 2; ADR 003)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

See amina/adapters/db/reports/tables.py (``ReportClientIdRow``). Filled from the reports taken
in the last two days (``CLIENT_IDS_KEPT`` in amina/services/reports/ingest.py, written here as
it was when this migration was written) and every report dated ahead: for each person and
client id the latest device time and that report's flags. Ingest keeps it from then on. "Now"
is the earlier of the database's clock and the latest contact any phone made (a server running
on another clock, as in tests and demos, stored its reports by that one).
"""
from alembic import op
import sqlalchemy as sa
import amina.adapters.db.types


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_client_ids',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('device_time', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('flags', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('person_id', 'client_id', name=op.f('pk_report_client_ids'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "INSERT INTO report_client_ids (person_id, client_id, device_time, flags) "
            "SELECT DISTINCT ON (person_id, client_id) person_id, client_id, device_time, flags "
            "FROM location_reports WHERE device_time >= LEAST(now(), COALESCE("
            "(SELECT max(last_contact_at) FROM person_last_report), now())) - interval '2 days' "
            "ORDER BY person_id, client_id, device_time DESC"
        )
    else:
        # SQLite stores UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff' (they compare as text); a
        # bare column beside max() is taken from the row that holds the maximum
        op.execute(
            "INSERT INTO report_client_ids (person_id, client_id, device_time, flags) "
            "SELECT person_id, client_id, max(device_time), flags FROM location_reports "
            "WHERE device_time >= strftime('%Y-%m-%d %H:%M:%f', min("
            "strftime('%Y-%m-%d %H:%M:%f', 'now'), COALESCE("
            "(SELECT max(last_contact_at) FROM person_last_report), 'now')), '-2 days') "
            "GROUP BY person_id, client_id"
        )


def downgrade() -> None:
    op.drop_table('report_client_ids')
