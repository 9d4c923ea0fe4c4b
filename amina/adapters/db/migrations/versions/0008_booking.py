"""booking: appointments at the migration centre — slot templates, closed days, slots with
their seat counters, bookings and the reminders sent for them

Revision ID: 0008
Revises: 0007 (re-chained after 0007, patent payment, at merge)
Create Date: 2026-12-07

See amina/adapters/db/booking/tables.py: the CHECK constraint ``booked <= capacity`` and the
conditional seat update are what make double booking impossible.
"""
from alembic import op
import sqlalchemy as sa
import amina.adapters.db.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('booking_closed_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('closed_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_by', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_booking_closed_days'))
    )
    op.create_table('booking_slots',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('service', sa.String(length=30), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name=op.f('ck_booking_slots_seats')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_slots')),
    sa.UniqueConstraint('service', 'starts_at', name=op.f('uq_booking_slots_service_starts_at'))
    )
    with op.batch_alter_table('booking_slots', schema=None) as batch_op:
        batch_op.create_index('ix_booking_slots_day_service', ['day', 'service'], unique=False)

    op.create_table('booking_templates',
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=30), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.Column('counters', sa.Integer(), nullable=False),
    sa.Column('updated_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('weekday', 'service', name=op.f('pk_booking_templates'))
    )
    op.create_table('bookings',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('service', sa.String(length=30), nullable=False),
    sa.Column('slot_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('hold_expires_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('moves', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by', sa.String(length=36), nullable=True),
    sa.Column('finished_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_bookings_person_id_persons')),
    sa.ForeignKeyConstraint(['slot_id'], ['booking_slots.id'], name=op.f('fk_bookings_slot_id_booking_slots')),
    sa.PrimaryKeyConstraint('person_id', 'id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('code', name=op.f('uq_bookings_code'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_slot_id_status', ['slot_id', 'status'], unique=False)
        batch_op.create_index('ix_bookings_status_hold_expires_at', ['status', 'hold_expires_at'], unique=False)
        batch_op.create_index('ux_bookings_one_active_per_person_service', ['person_id', 'service'], unique=True, sqlite_where=sa.text("status IN ('checked_in', 'confirmed', 'held')"), postgresql_where=sa.text("status IN ('checked_in', 'confirmed', 'held')"))

    op.create_table('booking_reminders',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('booking_id', sa.String(length=36), nullable=False),
    sa.Column('slot_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id', 'booking_id'], ['bookings.person_id', 'bookings.id'], name=op.f('fk_booking_reminders_person_id_bookings')),
    sa.PrimaryKeyConstraint('person_id', 'booking_id', 'slot_id', 'kind', name=op.f('pk_booking_reminders'))
    )


def downgrade() -> None:
    op.drop_table('booking_reminders')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ux_bookings_one_active_per_person_service', sqlite_where=sa.text("status IN ('checked_in', 'confirmed', 'held')"), postgresql_where=sa.text("status IN ('checked_in', 'confirmed', 'held')"))
        batch_op.drop_index('ix_bookings_status_hold_expires_at')
        batch_op.drop_index('ix_bookings_slot_id_status')

    op.drop_table('bookings')
    op.drop_table('booking_templates')
    with op.batch_alter_table('booking_slots', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_slots_day_service')

    op.drop_table('booking_slots')
    op.drop_table('booking_closed_days')
