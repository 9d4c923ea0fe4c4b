"""jobs: one row per scheduled job run and Moscow day

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

import amina.adapters.db.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('job', sa.String(length=80), nullable=False),
    sa.Column('run_for_date', sa.Date(), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'run_for_date', name=op.f('uq_job_runs_job_run_for_date'))
    )


def downgrade() -> None:
    op.drop_table('job_runs')
