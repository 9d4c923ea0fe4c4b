"""report identity filter: each person's Bloom filter of recent client ids in
person_last_report, so that the identity check reads the stored reports only for client ids it
cannot rule out (issue 10 point 2; ADR 003)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08

See amina/domain/identity_filter.py. Filled for every person from the reports that arrived in
the last two UTC days: today's in the current generation, yesterday's in the previous one,
complete since the start of yesterday, with the latest device time of any report that arrived
before and is dated after that (a clock ahead). "Now" is the earlier of the database's clock and
the latest contact any phone made (a server running on another clock, as in tests and demos,
stored its reports by that one). The bits are computed here in Python (BLAKE2b of the client id,
as ingest does).
"""
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BIT
import amina.adapters.db.types
from amina.domain.identity_filter import (
    EMPTY, FILTER_BITS, arrival_day, encode_bits, mask_of, positions)


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_COLUMNS = ('id_day', 'id_bits', 'id_bits_old', 'id_ahead', 'id_ahead_old', 'id_since',
            'id_gone_ahead')


def _time(value: datetime, postgresql: bool) -> Any:
    if postgresql:
        return value
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(' ', 'microseconds')


def _read(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def upgrade() -> None:
    bits_type = sa.LargeBinary().with_variant(BIT(FILTER_BITS), 'postgresql')
    time_type = amina.adapters.db.types.UTCDateTime(timezone=True)
    with op.batch_alter_table('person_last_report') as batch:
        for name in _COLUMNS:
            batch.add_column(sa.Column(name, bits_type if 'bits' in name else time_type,
                                       nullable=True))
    bind = op.get_bind()
    pg = bind.dialect.name == 'postgresql'
    latest = _read(bind.execute(sa.text(
        'SELECT max(last_contact_at) FROM person_last_report')).scalar())
    now = datetime.now(UTC) if latest is None else min(datetime.now(UTC), latest)
    day = arrival_day(now)
    since = day - timedelta(days=1)
    cast = f'CAST(:bits AS bit({FILTER_BITS}))' if pg else ':bits'
    zero = encode_bits(EMPTY, pg)
    bind.execute(sa.text(
        f'UPDATE person_last_report SET id_day = :day, id_bits = {cast}, '
        f'id_bits_old = {cast.replace(":bits", ":bits")}, id_since = :since'),
        {'day': _time(day, pg), 'bits': zero, 'since': _time(since, pg)})
    rows = bind.execute(sa.text(
        'SELECT person_id, client_id, device_time, received_at FROM location_reports '
        'WHERE received_at >= :since'), {'since': _time(since, pg)})
    filters: dict[str, list[Any]] = {}
    for person_id, client_id, device_time, received_at in rows:
        device_time, received_at = _read(device_time), _read(received_at)
        held = filters.setdefault(person_id, [[], [], None, None])
        generation = 0 if received_at >= day else 1
        held[generation].append(positions(client_id))
        if device_time > received_at and (held[2 + generation] is None
                                          or device_time > held[2 + generation]):
            held[2 + generation] = device_time
    gone: dict[str, Any] = dict(bind.execute(sa.text(
        'SELECT person_id, max(device_time) FROM location_reports '
        'WHERE device_time >= :since AND received_at < :since AND device_time > received_at '
        'GROUP BY person_id'), {'since': _time(since, pg)}).all())
    for person_id in set(filters) | set(gone):
        current, old, ahead, ahead_old = filters.get(person_id, [[], [], None, None])
        gone_ahead = _read(gone.get(person_id))
        bind.execute(sa.text(
            f'UPDATE person_last_report SET id_bits = {cast}, '
            f'id_bits_old = {cast.replace(":bits", ":old")}, id_ahead = :ahead, '
            'id_ahead_old = :ahead_old, id_gone_ahead = :gone WHERE person_id = :person'),
            {'bits': encode_bits(mask_of(current), pg), 'old': encode_bits(mask_of(old), pg),
             'ahead': None if ahead is None else _time(ahead, pg),
             'ahead_old': None if ahead_old is None else _time(ahead_old, pg),
             'gone': None if gone_ahead is None else _time(gone_ahead, pg),
             'person': person_id})


def downgrade() -> None:
    with op.batch_alter_table('person_last_report') as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
