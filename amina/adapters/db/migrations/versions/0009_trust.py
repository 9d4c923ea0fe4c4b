"""trust: who created each staff account; staff sign-in failures (throttling by source
address and account, and the count shown at the next sign-in)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

See amina/adapters/db/staff/tables.py.
"""
from alembic import op
import sqlalchemy as sa
import amina.adapters.db.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('last_signed_in_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failures_before', sa.Integer(), server_default='0', nullable=False))
    op.create_table('staff_sign_in_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sign_in_failures'))
    )
    with op.batch_alter_table('staff_sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_staff_sign_in_failures_username_at', ['username', 'at'], unique=False)
        batch_op.create_index('ix_staff_sign_in_failures_source_at', ['source', 'at'], unique=False)


def downgrade() -> None:
    op.drop_table('staff_sign_in_failures')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_column('failures_before')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('last_signed_in_at')
        batch_op.drop_column('created_by')
