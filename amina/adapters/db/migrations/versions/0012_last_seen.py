"""last seen: the per-person "last report" row holds the time the latest report counts at
(amina.domain.reports.counted_at: the earlier of its device time and its arrival), so that a
report dated in the future no longer keeps a person "seen" (issue 10 point 1). Data only: rows
written before hold a device time after the arrival; they take the arrival.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

See amina/adapters/db/reports/tables.py.
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE person_last_report SET device_time = received_at "
        "WHERE device_time > received_at"
    )


def downgrade() -> None:
    # the device times replaced were never the times the reports counted at: nothing to restore
    pass
