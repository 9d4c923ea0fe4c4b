"""address register: the state address register (ГАР) imported for search; a registration's
coordinates become optional and record when and how they were added (issue 13)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08

See amina/adapters/db/addresses/tables.py. The search structures are not portable, so they
are made here only: on PostgreSQL the pg_trgm extension (contrib) and a GIN trigram index on
``address_entries.search``; on SQLite an FTS5 table over ``address_entries`` (external content,
rebuilt by the importer).
"""
from alembic import op
import sqlalchemy as sa
import amina.adapters.db.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_GAR_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table('gar_objects',
    sa.Column('object_id', _GAR_ID, autoincrement=False, nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('name', sa.String(length=250), nullable=False),
    sa.Column('type_name', sa.String(length=50), nullable=True),
    sa.Column('add1', sa.String(length=50), nullable=True),
    sa.Column('add1_type', sa.String(length=20), nullable=True),
    sa.Column('add2', sa.String(length=50), nullable=True),
    sa.Column('add2_type', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('object_id', name=op.f('pk_gar_objects'))
    )
    with op.batch_alter_table('gar_objects', schema=None) as batch_op:
        batch_op.create_index('ix_gar_objects_region_code_kind', ['region_code', 'kind'], unique=False)

    op.create_table('gar_hierarchy',
    sa.Column('object_id', _GAR_ID, autoincrement=False, nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.PrimaryKeyConstraint('object_id', name=op.f('pk_gar_hierarchy'))
    )
    with op.batch_alter_table('gar_hierarchy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gar_hierarchy_region_code'), ['region_code'], unique=False)

    op.create_table('address_entries',
    sa.Column('gar_id', _GAR_ID, autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('settlement', sa.String(length=200), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('house', sa.String(length=30), nullable=True),
    sa.Column('building', sa.String(length=30), nullable=True),
    sa.Column('search', sa.Text(), nullable=False),
    sa.Column('sort_key', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('gar_id', name=op.f('pk_address_entries'))
    )
    with op.batch_alter_table('address_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_entries_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_address_entries_sort_key'), ['sort_key'], unique=False)

    if dialect == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(
            'CREATE INDEX ix_address_entries_search_trgm ON address_entries '
            'USING gin (search gin_trgm_ops)'
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE address_search USING fts5(search, content='address_entries', "
            "content_rowid='gar_id', tokenize='unicode61 remove_diacritics 0', prefix='1 2 3')"
        )

    if dialect == 'sqlite':
        _drop_not_null_on_sqlite('registrations', ('lat', 'lon'))
    else:
        op.alter_column('registrations', 'lat', existing_type=sa.Float(), nullable=True)
        op.alter_column('registrations', 'lon', existing_type=sa.Float(), nullable=True)
    op.add_column('registrations', sa.Column('located_at', amina.adapters.db.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column('registrations', sa.Column('location_source', sa.String(length=20), nullable=True))
    # Every registration so far was given with its coordinates.
    op.execute(
        "UPDATE registrations SET located_at = created_at, location_source = 'at_registration'"
    )


def _drop_not_null_on_sqlite(table: str, columns: tuple[str, ...]) -> None:
    """SQLite changes a column's NOT NULL only by copying the table, and the copy cannot be
    made here: the table's events and children point at it, and dropping the original would
    break their foreign keys (which cannot be switched off inside the migration's
    transaction). Removing a NOT NULL constraint leaves the stored rows as they are, so the
    table's declaration is edited in place — the procedure SQLite documents for such changes
    (sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes")."""
    connection = op.get_bind()
    declared = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    changed = declared
    for column in columns:
        changed = changed.replace(f'{column} FLOAT NOT NULL', f'{column} FLOAT')
    if changed == declared:
        return
    version = connection.exec_driver_sql('PRAGMA schema_version').scalar_one()
    connection.exec_driver_sql('PRAGMA writable_schema = ON')
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (changed, table)
    )
    connection.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    connection.exec_driver_sql('PRAGMA writable_schema = OFF')


def downgrade() -> None:
    # Registrations without coordinates cannot go back to a schema that requires them: this
    # fails on them, as it should.
    op.drop_column('registrations', 'location_source')
    op.drop_column('registrations', 'located_at')
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('registrations', 'lon', existing_type=sa.Float(), nullable=False)
        op.alter_column('registrations', 'lat', existing_type=sa.Float(), nullable=False)
    if op.get_bind().dialect.name != 'postgresql':
        op.execute('DROP TABLE IF EXISTS address_search')
    op.drop_table('address_entries')
    op.drop_table('gar_hierarchy')
    op.drop_table('gar_objects')
