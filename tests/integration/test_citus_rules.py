"""The schema meets Citus's rules, so that it distributes by person as it is (SPEC §11,
docs/scale-out.md). Citus is not installable here: these tests read the migrated PostgreSQL
catalog and hold it to the rules a Citus 13 cluster enforced when the schema was tried on one.

- every table is declared (``__distribution__`` beside its columns): per person, by key,
  reference or coordinator; and every declared table exists;
- a distributed table (per person, or a lookup table by its key) has its distribution column
  in its primary key, in every unique constraint and unique index, and in every foreign key to
  another distributed table, matched to that table's distribution column; its distribution
  column has the type of ``persons.id`` (colocation);
- a reference table refers only to reference tables; a coordinator table refers only to
  coordinator tables; nothing refers to a lookup table;
- (the row-lock rule is checked on every statement the integration tests send:
  tests/citus_locks.py, installed by tests/conftest.py; its own tests are below.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from citus_locks import UnroutableRowLock, lock_problem
from sqlalchemy import Connection, text

from amina.adapters.db.distribution import Distribution, Placement
from amina.adapters.db.engine import make_engine
from amina.adapters.db.migrate import upgrade
from amina.adapters.db.schema import distribution

#: Alembic's own bookkeeping: stays on the coordinator, where migrations run.
ALEMBIC_VERSION = "alembic_version"

#: Which tables a table's foreign keys may refer to. Nothing refers to a lookup table (it is
#: spread by its code, colocated with nothing).
MAY_REFER_TO = {
    Placement.person: {Placement.person, Placement.reference},
    Placement.key: {Placement.reference},
    Placement.reference: {Placement.reference},
    Placement.coordinator: {Placement.coordinator},
}


@dataclass
class Catalog:
    tables: set[str] = field(default_factory=set)
    #: (table, name) → columns of the primary key, unique constraints and unique indexes
    unique: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    #: (table, name) → (referred table, [(column, referred column)])
    foreign: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]] = field(default_factory=dict)
    #: table → {column: type}
    types: dict[str, dict[str, str]] = field(default_factory=dict)


def read_catalog(connection: Connection) -> Catalog:
    catalog = Catalog()
    catalog.tables = set(
        connection.scalars(
            text(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                "AND relkind IN ('r', 'p') AND NOT relispartition"
            )
        )
    )
    for table, name, columns in connection.execute(
        text(
            """
            SELECT t.relname, i.relname,
                   ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(n, o)
                         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n
                         ORDER BY k.o)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE x.indisunique AND t.relnamespace = 'public'::regnamespace
              AND NOT t.relispartition
            """
        )
    ):
        catalog.unique[(table, name)] = list(columns)
    for table, name, referred, pairs in connection.execute(
        text(
            """
            SELECT t.relname, c.conname, r.relname,
                   ARRAY(SELECT a.attname || '=' || b.attname
                         FROM unnest(c.conkey, c.confkey) WITH ORDINALITY k(mine, theirs, o)
                         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.mine
                         JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = k.theirs
                         ORDER BY k.o)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_class r ON r.oid = c.confrelid
            WHERE c.contype = 'f' AND t.relnamespace = 'public'::regnamespace
              AND NOT t.relispartition
            """
        )
    ):
        catalog.foreign[(table, name)] = (
            referred,
            [(pair.split("=")[0], pair.split("=")[1]) for pair in pairs],
        )
    for table, column, kind in connection.execute(
        text(
            """
            SELECT t.relname, a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid
            WHERE t.relnamespace = 'public'::regnamespace AND t.relkind IN ('r', 'p')
              AND a.attnum > 0 AND NOT a.attisdropped
            """
        )
    ):
        catalog.types.setdefault(table, {})[column] = kind
    return catalog


def problems(catalog: Catalog, declared: dict[str, Distribution | None]) -> list[str]:
    """Every way the catalog breaks the distribution rules, in words."""
    tables = catalog.tables - {ALEMBIC_VERSION}
    found = [
        f"{table}: not declared per person, by key, reference or coordinator"
        for table in sorted(tables)
        if declared.get(table) is None
    ]
    found.extend(
        f"{table}: declared ({place.placement}) but not in the database"
        for table, place in sorted(declared.items())
        if place is not None and table not in tables
    )
    for table in sorted(tables):
        place = declared.get(table)
        if place is not None and place.distributed:
            found.extend(_distribution_column_problems(catalog, table, place))
    found.extend(_reference_problems(catalog, declared))
    return found


def _distribution_column_problems(catalog: Catalog, table: str, place: Distribution) -> list[str]:
    column = place.column
    assert column is not None
    if column not in catalog.types.get(table, {}):
        return [f"{table}: no distribution column {column}"]
    found = []
    anchor_type = catalog.types.get("persons", {}).get("id")
    if place.placement is Placement.person and catalog.types[table][column] != anchor_type:
        found.append(
            f"{table}.{column} is {catalog.types[table][column]}, persons.id is "
            f"{anchor_type}: not colocated"
        )
    keys = sorted(name for (owner, name) in catalog.unique if owner == table)
    if not any(name.startswith("pk_") for name in keys):
        found.append(f"{table}: no primary key")
    found.extend(
        f"{table}: {name} leaves out {column}"
        for name in keys
        if column not in catalog.unique[(table, name)]
    )
    return found


def _reference_problems(catalog: Catalog, declared: dict[str, Distribution | None]) -> list[str]:
    found = []
    for (table, name), (referred, pairs) in sorted(catalog.foreign.items()):
        mine, theirs = declared.get(table), declared.get(referred)
        if mine is None or theirs is None:
            continue
        if theirs.placement not in MAY_REFER_TO[mine.placement]:
            found.append(f"{table}: {name} refers to the {theirs.placement} table {referred}")
        elif theirs.placement is Placement.person and (mine.column, theirs.column) not in pairs:
            found.append(
                f"{table}: {name} to {referred} does not carry "
                f"{mine.column} → {referred}.{theirs.column}"
            )
    return found


def _catalog(url: str) -> Catalog:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return read_catalog(connection)
    finally:
        engine.dispose()


# PostgreSQL only: the rules are PostgreSQL's catalog and Citus's
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_migrated_schema_distributes_by_person_as_citus_requires(database_url: str) -> None:
    assert problems(_catalog(database_url), distribution()) == []


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_the_rules_find_what_the_citus_cluster_refused_in_the_schema_before_0010(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0009")
    engine.dispose()
    found = problems(_catalog(empty_database_url), distribution())
    for expected in (
        "registrations: uq_registrations_number leaves out person_id",
        "registrations: uq_registrations_serial leaves out person_id",
        "registrations: uq_registrations_slip_code leaves out person_id",
        "bookings: uq_bookings_code leaves out person_id",
        "idempotency_keys: no distribution column person_id",
        "registration_codes: declared (key) but not in the database",
    ):
        assert expected in found, found


def test_the_rules_refuse_each_kind_of_mistake() -> None:
    declared: dict[str, Distribution | None] = {
        "persons": Distribution(Placement.person, "id"),
        "things": Distribution(Placement.person, "person_id"),
        "parts": Distribution(Placement.person, "person_id"),
        "codes": Distribution(Placement.key, "code"),
        "rules": Distribution(Placement.reference),
        "lease": Distribution(Placement.coordinator),
    }
    varchar = "character varying(36)"
    catalog = Catalog(
        tables={"persons", "things", "parts", "codes", "rules", "lease", "stray"},
        unique={
            ("persons", "pk_persons"): ["id"],
            ("things", "pk_things"): ["person_id", "id"],
            ("things", "uq_things_code"): ["code"],
            ("parts", "pk_parts"): ["person_id", "id"],
            ("codes", "pk_codes"): ["code"],
        },
        foreign={
            ("parts", "fk_parts_thing_id_things"): ("things", [("thing_id", "id")]),
            ("rules", "fk_rules_person_id_persons"): ("persons", [("person_id", "id")]),
            ("things", "fk_things_lease_lease"): ("lease", [("lease", "name")]),
            ("parts", "fk_parts_code_codes"): ("codes", [("code", "code")]),
        },
        types={
            "persons": {"id": varchar},
            "things": {"person_id": varchar},
            "parts": {"person_id": "text"},
            "codes": {"code": "character varying(13)"},
        },
    )
    assert problems(catalog, declared) == [
        "stray: not declared per person, by key, reference or coordinator",
        "parts.person_id is text, persons.id is character varying(36): not colocated",
        "things: uq_things_code leaves out person_id",
        "parts: fk_parts_code_codes refers to the key table codes",
        "parts: fk_parts_thing_id_things to things does not carry person_id → things.person_id",
        "rules: fk_rules_person_id_persons refers to the person table persons",
        "things: fk_things_lease_lease refers to the coordinator table lease",
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT outbox.id FROM outbox WHERE outbox.sent_at IS NULL LIMIT 5 FOR UPDATE SKIP LOCKED",
        "SELECT cases.id FROM cases WHERE cases.id = %(id_1)s FOR UPDATE",
        "SELECT c.id FROM cases AS c WHERE c.person_id IN (%(a)s, %(b)s) FOR UPDATE",
        "SELECT r.slip_code FROM registration_codes r WHERE r.person_id = %(p)s FOR SHARE",
    ],
)
def test_a_row_lock_without_the_person_is_refused(statement: str) -> None:
    assert lock_problem(statement) is not None


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT outbox.id FROM outbox WHERE outbox.person_id = %(p)s AND outbox.id IN "
        "(%(a)s, %(b)s) FOR UPDATE SKIP LOCKED",
        "SELECT c.id FROM cases c WHERE c.person_id = %(p)s AND c.id = %(i)s FOR UPDATE",
        "SELECT staff.id FROM staff WHERE staff.username = %(u)s FOR UPDATE",
        "SELECT booking_slots.id FROM booking_slots WHERE booking_slots.id IN (%(a)s) FOR UPDATE",
        "SELECT outbox.id FROM outbox WHERE outbox.sent_at IS NULL",
    ],
)
def test_a_row_lock_that_names_the_person_or_a_reference_row_passes(statement: str) -> None:
    assert lock_problem(statement) is None


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_every_postgresql_statement_of_the_tests_is_held_to_the_row_lock_rule(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection, pytest.raises(UnroutableRowLock):
            connection.execute(
                text("SELECT id FROM outbox WHERE sent_at IS NULL FOR UPDATE SKIP LOCKED")
            )
    finally:
        engine.dispose()
