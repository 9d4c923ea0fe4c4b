"""report identity filters in a table of their own, 4,096 bits a generation: out of
person_last_report, which the daily sweep reads for everybody (issue 10 point 2, issue 14)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08

With two generations of 8,192 bits, person_last_report's row grew from about 150 bytes to
about 1.7 KB (PostgreSQL compressed one generation with pglz on every write, being over its
2 KB TOAST threshold), so the sweep's scan of that table read ten times the pages, and every
report batch compressed and decompressed. The filter moves to ``report_identity_filters``
(amina/adapters/db/reports/tables.py), 4,096 bits a generation, under the threshold.

The bits are a function of the width (amina/domain/identity_filter.py), so the new filters are
computed again from the reports that arrived in the filter's two UTC days (as 0017 did); the
"complete since" time and the latest device time dated ahead of a report that left the filter
are carried over from person_last_report unchanged.
"""
from datetime import UTC, datetime
from typing import Any

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BIT
import amina.adapters.db.types
from amina.domain.identity_filter import FILTER_BITS, encode_bits, mask_of, positions


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_OLD_COLUMNS = ('id_day', 'id_bits', 'id_bits_old', 'id_ahead', 'id_ahead_old', 'id_since',
                'id_gone_ahead')
_OLD_BITS = 8192


def _time(value: datetime | None, postgresql: bool) -> Any:
    if value is None or postgresql:
        return value
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(' ', 'microseconds')


def _read(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def upgrade() -> None:
    time_type = amina.adapters.db.types.UTCDateTime(timezone=True)
    bits_type = sa.LargeBinary().with_variant(BIT(FILTER_BITS), 'postgresql')
    op.create_table('report_identity_filters',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('day', time_type, nullable=False),
    sa.Column('bits', bits_type, nullable=False),
    sa.Column('bits_old', bits_type, nullable=True),
    sa.Column('ahead', time_type, nullable=True),
    sa.Column('ahead_old', time_type, nullable=True),
    sa.Column('since', time_type, nullable=False),
    sa.Column('gone_ahead', time_type, nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_report_identity_filters_person_id_persons')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_report_identity_filters'))
    )
    bind = op.get_bind()
    pg = bind.dialect.name == 'postgresql'
    held = bind.execute(sa.text(
        'SELECT person_id, id_day, id_ahead, id_ahead_old, id_since, id_gone_ahead, '
        'id_bits_old IS NOT NULL FROM person_last_report WHERE id_day IS NOT NULL')).all()
    # each filter holds the reports that arrived from its "since" on (a generation never
    # rotated: from its day on, the person's first report's)
    since_of = {row[0]: _read(row[4]) if row[6] else _read(row[1]) for row in held}
    days = {row[0]: _read(row[1]) for row in held}
    current: dict[str, list[Any]] = {}
    old: dict[str, list[Any]] = {}
    if held:
        rows = bind.execute(sa.text(
            'SELECT person_id, client_id, received_at FROM location_reports '
            'WHERE received_at >= :since'), {'since': _time(min(since_of.values()), pg)})
        for person_id, client_id, received_at in rows:
            if person_id not in days:
                continue
            received_at = _read(received_at)
            if received_at >= days[person_id]:
                current.setdefault(person_id, []).append(positions(client_id))
            elif received_at >= since_of[person_id]:
                old.setdefault(person_id, []).append(positions(client_id))
    cast = f'CAST(:bits AS bit({FILTER_BITS}))' if pg else ':bits'
    cast_old = cast.replace(':bits', ':old')
    insert = sa.text(
        'INSERT INTO report_identity_filters (person_id, day, bits, bits_old, ahead, ahead_old, '
        f'since, gone_ahead) VALUES (:person, :day, {cast}, {cast_old}, :ahead, :ahead_old, '
        ':since, :gone)')
    for person_id, day, ahead, ahead_old, since_, gone, rotated in held:
        bind.execute(insert, {
            'person': person_id, 'day': _time(_read(day), pg),
            'bits': encode_bits(mask_of(current.get(person_id, [])), pg),
            'old': encode_bits(mask_of(old.get(person_id, [])), pg) if rotated else None,
            'ahead': _time(_read(ahead), pg), 'ahead_old': _time(_read(ahead_old), pg),
            'since': _time(_read(since_), pg), 'gone': _time(_read(gone), pg)})
    with op.batch_alter_table('person_last_report') as batch:
        for name in reversed(_OLD_COLUMNS):
            batch.drop_column(name)


def downgrade() -> None:
    # the old columns come back with every bit set: each client id looks "maybe held", so the
    # identity check reads the stored reports (never a wrong "new") until the generations
    # turn over
    bits_type = sa.LargeBinary().with_variant(BIT(_OLD_BITS), 'postgresql')
    time_type = amina.adapters.db.types.UTCDateTime(timezone=True)
    with op.batch_alter_table('person_last_report') as batch:
        for name in _OLD_COLUMNS:
            batch.add_column(sa.Column(name, bits_type if 'bits' in name else time_type,
                                       nullable=True))
    bind = op.get_bind()
    pg = bind.dialect.name == 'postgresql'
    full = '1' * _OLD_BITS if pg else b'\xff' * (_OLD_BITS // 8)
    cast = f'CAST(:full AS bit({_OLD_BITS}))' if pg else ':full'
    bind.execute(sa.text(
        f'UPDATE person_last_report SET id_bits = {cast}, id_bits_old = {cast}, '
        'id_day = f.day, id_ahead = f.ahead, id_ahead_old = f.ahead_old, id_since = f.since, '
        'id_gone_ahead = f.gone_ahead FROM report_identity_filters f '
        'WHERE f.person_id = person_last_report.person_id'), {'full': full})
    op.drop_table('report_identity_filters')
