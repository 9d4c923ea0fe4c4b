"""sweep progress: how far the daily sweep's issue pass got for a day and policy version (a
finished day is not swept again; a stopped run resumes)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

See amina/adapters/db/compliance/tables.py (SweepProgressRow) and BENCHMARKS.md (issue 14).
"""
from alembic import op
import sqlalchemy as sa
import amina.adapters.db.types


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sweep_progress',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('policy_version', sa.String(length=40), nullable=False),
    sa.Column('after_person_id', sa.String(length=36), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('updated_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('day', 'policy_version', name=op.f('pk_sweep_progress'))
    )


def downgrade() -> None:
    op.drop_table('sweep_progress')
