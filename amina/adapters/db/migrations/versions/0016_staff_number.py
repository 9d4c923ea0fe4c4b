"""staff number: every staff account gets a short number, set once at creation and never
reused, so that a person's access log and the audit page name staff by role and number instead
of an account id (issue 13, point 6). Accounts that exist are numbered in the order they were
created.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

See amina/adapters/db/staff/tables.py (``StaffRow.number``).
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
    bind = op.get_bind()
    staff = sa.table('staff', sa.column('id', sa.String), sa.column('number', sa.Integer))
    ids = bind.execute(sa.text('SELECT id FROM staff ORDER BY created_at, id')).scalars().all()
    for number, staff_id in enumerate(ids, start=1):
        bind.execute(staff.update().where(staff.c.id == staff_id).values(number=number))
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_staff_number', ['number'])


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint('uq_staff_number', type_='unique')
        batch_op.drop_column('number')
