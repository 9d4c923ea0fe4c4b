"""Distributing the schema over a Citus cluster, as every table declares it
(``__distribution__``, amina.adapters.db.distribution; docs/scale-out.md).

The plan, in order, one transaction per table:

1. **reference tables**, referred tables before the tables that refer to them. Around a
   reference table that a per-person table refers to (``cards`` from ``persons``,
   ``booking_slots`` from ``bookings``), ``citus.enable_local_reference_table_foreign_keys``
   is off: the per-person table is still an ordinary table then, and with the setting on Citus
   would turn it into a "Citus local" table instead of leaving it to be distributed next.
   Around a table with triggers of its own (the audit log's append-only triggers),
   ``citus.enable_unsafe_triggers`` is on: Citus refuses triggers on reference tables
   otherwise; the triggers only refuse UPDATE, DELETE and TRUNCATE, which is as safe on every
   copy as on one;
2. ``persons`` by ``id``, then every per-person table by ``person_id``, colocated with
   ``persons`` (referred tables first);
3. the lookup tables, each by its own key (a colocation group of its own).

Coordinator tables stay ordinary tables on the coordinator. A table Citus already knows (in
``pg_dist_partition``) is left alone, so running it again does nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, text

from amina.adapters.db.distribution import COLOCATION_ANCHOR, Distribution, Placement
from amina.adapters.db.schema import distribution, metadata

#: Tables whose own triggers Citus must be told to accept (see the module's docstring).
TABLES_WITH_TRIGGERS = frozenset({"audit_log"})


@dataclass(frozen=True)
class Step:
    table: str
    placement: Placement
    #: ``SET LOCAL`` settings for this step's transaction.
    settings: tuple[tuple[str, str], ...]
    statement: str

    def describe(self) -> str:
        settings = "".join(f"SET LOCAL {name} = {value}; " for name, value in self.settings)
        return f"{settings}{self.statement};"


def _in_reference_order(names: Iterable[str], tables: Mapping[str, Table]) -> list[str]:
    """``names`` with every referred table before the tables that refer to it (by name
    otherwise)."""
    pending = sorted(names)
    ordered: list[str] = []
    while pending:
        for name in pending:
            referred = {fk.referred_table.name for fk in tables[name].foreign_key_constraints}
            if not (referred & set(pending)) - {name}:
                ordered.append(name)
                pending.remove(name)
                break
        else:  # a cycle: keep the order by name (no such cycle in the schema)
            ordered.extend(pending)
            break
    return ordered


def plan(
    declared: Mapping[str, Distribution | None] | None = None,
    *,
    placed: frozenset[str] = frozenset(),
    shard_count: int | None = None,
) -> list[Step]:
    """The steps that place every declared table not yet ``placed`` (no database needed)."""
    declared = distribution() if declared is None else declared
    tables = metadata.tables
    by_placement: dict[Placement, list[str]] = {p: [] for p in Placement}
    for name, place in declared.items():
        if place is not None and name not in placed:
            by_placement[place.placement].append(name)
    referred_by_distributed = {
        fk.referred_table.name
        for name, place in declared.items()
        if place is not None and place.distributed
        for fk in tables[name].foreign_key_constraints
    }
    steps: list[Step] = []
    for name in _in_reference_order(by_placement[Placement.reference], tables):
        settings: list[tuple[str, str]] = []
        if name in referred_by_distributed:
            settings.append(("citus.enable_local_reference_table_foreign_keys", "off"))
        if name in TABLES_WITH_TRIGGERS:
            settings.append(("citus.enable_unsafe_triggers", "on"))
        steps.append(
            Step(
                name,
                Placement.reference,
                tuple(settings),
                f"SELECT create_reference_table('{name}')",
            )
        )
    shards = "" if shard_count is None else f", shard_count => {int(shard_count)}"
    people = _in_reference_order(by_placement[Placement.person], tables)
    if COLOCATION_ANCHOR in people:  # the anchor first: the others are colocated with it
        people.remove(COLOCATION_ANCHOR)
        people.insert(0, COLOCATION_ANCHOR)
    for name in people:
        place = declared[name]
        assert place is not None
        colocate = (
            f"colocate_with => 'none'{shards}"
            if name == COLOCATION_ANCHOR
            else f"colocate_with => '{COLOCATION_ANCHOR}'"
        )
        steps.append(
            Step(
                name,
                Placement.person,
                (),
                f"SELECT create_distributed_table('{name}', '{place.column}', {colocate})",
            )
        )
    for name in sorted(by_placement[Placement.key]):
        place = declared[name]
        assert place is not None
        steps.append(
            Step(
                name,
                Placement.key,
                (),
                f"SELECT create_distributed_table('{name}', '{place.column}', "
                f"colocate_with => 'none'{shards})",
            )
        )
    return steps


def citus_installed(connection: Connection) -> bool:
    """Whether the database is PostgreSQL with the Citus extension created in it."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(
        connection.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'citus'"))
    )


def placed_tables(connection: Connection) -> frozenset[str]:
    """The tables Citus already distributes or replicates."""
    return frozenset(
        connection.scalars(text("SELECT logicalrelid::regclass::text FROM pg_dist_partition"))
    )


@dataclass(frozen=True)
class Outcome:
    citus: bool
    done: list[Step]
    already: frozenset[str]


def distribute(engine: Engine, *, shard_count: int | None = None) -> Outcome:
    """Place every table as declared (``amina db distribute``); nothing without Citus."""
    with engine.connect() as connection:
        if not citus_installed(connection):
            return Outcome(citus=False, done=[], already=frozenset())
        already = placed_tables(connection)
        connection.rollback()
        done: list[Step] = []
        for step in plan(placed=already, shard_count=shard_count):
            with connection.begin():
                for name, value in step.settings:
                    connection.execute(text(f"SET LOCAL {name} = {value}"))
                connection.execute(text(step.statement))
            done.append(step)
    return Outcome(citus=True, done=done, already=already)
