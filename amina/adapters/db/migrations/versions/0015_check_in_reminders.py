"""check-in reminders: the person's choice of the evening push "tap to confirm you are here"
(on or off, and the time of the Moscow day) (issue 13, point 7)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

See amina/adapters/db/check_in/tables.py and docs/app-reporting.md ("The evening check-in").
"""
from alembic import op
import sqlalchemy as sa
import amina.adapters.db.types


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('check_in_reminders',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('minute_of_day', sa.Integer(), nullable=False),
    sa.Column('updated_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_check_in_reminders_person_id_persons')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_check_in_reminders'))
    )


def downgrade() -> None:
    op.drop_table('check_in_reminders')
