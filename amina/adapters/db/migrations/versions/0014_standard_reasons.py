"""standard reasons: a decision names the standard reason it was taken for, and the language
the inspector's note is written in, so that the person reads it in their own (issue 13, point 3)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

See amina/adapters/db/compliance/tables.py (``DecisionRow``). Decisions taken before have no
standard reason: their written reason is shown as written.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reason_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('note_language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('note_language')
        batch_op.drop_column('reason_note')
        batch_op.drop_column('reason_code')
