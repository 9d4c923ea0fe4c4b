"""citus ready: codes unique through lookup tables keyed by the code; idempotency keys per person

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

A table distributed by person cannot keep a unique constraint that leaves ``person_id`` out
(docs/scale-out.md). So:

- ``registrations`` loses its unique constraints on ``number``, ``serial`` and ``slip_code``:
  the serial (and the number made from it) is unique by how it is drawn, and the slip code is
  kept unique across everyone by ``registration_codes`` (the code is its primary key),
  backfilled here from the registrations;
- ``bookings`` loses its unique constraint on ``code``, kept by ``booking_codes`` likewise;
- ``idempotency_keys`` gets ``person_id`` (first in its primary key): the person in the scope
  (``person:<id> …``) or in a staff endpoint's path (``…/visits/<person id>/…``). A stored
  answer whose person cannot be told is dropped: it only repeated an answer, and no endpoint
  ever stored one.

On SQLite the tables are rebuilt (batch mode); amina.adapters.db.migrate turns foreign key
enforcement off around the migration and checks every reference afterwards.
"""
from __future__ import annotations

import re

from alembic import op
import sqlalchemy as sa

import amina.adapters.db.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_UNIQUE_IN_REGISTRATIONS = ("number", "serial", "slip_code")

_KEYS_COLUMNS = ("scope", "key", "request_hash", "status_code", "response_body", "created_at")


def _keys_table(with_person: bool) -> sa.TableClause:
    columns: list[sa.ColumnClause[object]] = [
        sa.column("scope", sa.String()),
        sa.column("key", sa.String()),
        sa.column("request_hash", sa.String()),
        sa.column("status_code", sa.Integer()),
        sa.column("response_body", sa.JSON()),
        sa.column("created_at", amina.adapters.db.types.UTCDateTime(timezone=True)),
    ]
    if with_person:
        columns.insert(0, sa.column("person_id", sa.String()))
    return sa.table("idempotency_keys", *columns)


def _create_keys_table(with_person: bool) -> None:
    op.create_table('idempotency_keys',
    *([sa.Column('person_id', sa.String(length=36), nullable=False)] if with_person else []),
    sa.Column('scope', sa.String(length=400), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response_body', sa.JSON(), nullable=False),
    sa.Column('created_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint(
        *(('person_id',) if with_person else ()), 'scope', 'key', name=op.f('pk_idempotency_keys')
    )
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)


_PERSON_SCOPE = re.compile(r"^person:([^ ]+) ")
_PATH_PERSON = re.compile(r"/visits/([^/]+)/")


def _owner(scope: str) -> str | None:
    """The person a stored answer is about, from its scope (see the module's docstring)."""
    found = _PERSON_SCOPE.match(scope) or _PATH_PERSON.search(scope)
    return found.group(1) if found else None


def _rebuild_keys(with_person: bool) -> None:
    bind = op.get_bind()
    old = _keys_table(not with_person)
    rows = [dict(row) for row in bind.execute(sa.select(*old.c)).mappings()]
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))
    op.drop_table('idempotency_keys')
    _create_keys_table(with_person)
    kept = []
    for row in rows:
        if with_person:
            owner = _owner(row["scope"])
            if owner is None:
                continue
            row["person_id"] = owner
        else:
            row.pop("person_id", None)
        kept.append(row)
    if kept:
        bind.execute(sa.insert(_keys_table(with_person)), kept)


def upgrade() -> None:
    op.create_table('registration_codes',
    sa.Column('slip_code', sa.String(length=13), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('slip_code', name=op.f('pk_registration_codes'))
    )
    op.execute(
        "INSERT INTO registration_codes (slip_code, person_id, registration_id) "
        "SELECT slip_code, person_id, id FROM registrations"
    )
    op.create_table('booking_codes',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('booking_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_booking_codes'))
    )
    op.execute(
        "INSERT INTO booking_codes (code, person_id, booking_id) "
        "SELECT code, person_id, id FROM bookings"
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        for column in _UNIQUE_IN_REGISTRATIONS:
            batch_op.drop_constraint(f'uq_registrations_{column}', type_='unique')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint('uq_bookings_code', type_='unique')
    _rebuild_keys(with_person=True)


def downgrade() -> None:
    _rebuild_keys(with_person=False)
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_bookings_code', ['code'])
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        for column in _UNIQUE_IN_REGISTRATIONS:
            batch_op.create_unique_constraint(f'uq_registrations_{column}', [column])
    op.drop_table('booking_codes')
    op.drop_table('registration_codes')
