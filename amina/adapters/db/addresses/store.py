"""The address register's SQL (issue 13): replacing a region's rows on import, reading the
imported objects back to build the search entries, and searching them.

Searching is where the databases differ. An entry matches when every query word begins a word
of its ``search`` text (:mod:`amina.domain.address_register`):

- SQLite: an FTS5 prefix query (``"тверская"* "7"*``) on ``address_search``, an external
  content table over ``address_entries`` rebuilt by :func:`refresh_search` after an import;
- PostgreSQL: ``search LIKE '% тверская%' AND search LIKE '% 7%'``, answered by the pg_trgm
  GIN index on ``search`` (the leading space of every word makes "% word" a word beginning).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, func, select, text

from amina.adapters.db.addresses.tables import AddressEntryRow, GarHierarchyRow, GarObjectRow
from amina.adapters.db.bulk import insert_new_rows, insert_rows
from amina.adapters.db.uow import UnitOfWork

OBJECTS: Table = GarObjectRow.__table__  # type: ignore[assignment]
HIERARCHY: Table = GarHierarchyRow.__table__  # type: ignore[assignment]
ENTRIES: Table = AddressEntryRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class EntryRecord:
    gar_id: int
    kind: str
    region_code: str
    region: str
    settlement: str
    street: str
    house: str | None
    building: str | None


@dataclass(frozen=True)
class ObjectRecord:
    object_id: int
    parent_id: int | None
    level: int
    name: str
    type_name: str | None
    add1: str | None
    add1_type: str | None
    add2: str | None
    add2_type: str | None


_ENTRY_COLUMNS = (
    AddressEntryRow.gar_id,
    AddressEntryRow.kind,
    AddressEntryRow.region_code,
    AddressEntryRow.region,
    AddressEntryRow.settlement,
    AddressEntryRow.street,
    AddressEntryRow.house,
    AddressEntryRow.building,
)


# --- import ------------------------------------------------------------------------------------


def clear_region(uow: UnitOfWork, region_code: str) -> None:
    """Remove what an earlier import of the region left, in the caller's transaction (the new
    rows replace them when it commits; readers see the old ones until then)."""
    for table in (ENTRIES, HIERARCHY, OBJECTS):
        uow.session.execute(delete(table).where(table.c.region_code == region_code))


def add_objects(uow: UnitOfWork, rows: Sequence[Mapping[str, Any]]) -> int:
    """Objects, houses or apartments (``gar_objects`` columns); an id already stored (the
    register repeats none among current records, but a careless export might) is kept as it
    was. Returns how many went in."""
    return len(insert_new_rows(uow, OBJECTS, rows, ["object_id"]))


def add_links(uow: UnitOfWork, rows: Sequence[Mapping[str, Any]]) -> int:
    """Hierarchy items (``object_id``, ``parent_id``, ``region_code``); the first one of an
    object wins."""
    return len(insert_new_rows(uow, HIERARCHY, rows, ["object_id"]))


def areas(uow: UnitOfWork, region_code: str) -> list[ObjectRecord]:
    """Every address object of the region (regions … streets) with its parent."""
    o, h = GarObjectRow, GarHierarchyRow
    rows = uow.session.execute(
        select(
            o.object_id,
            h.parent_id,
            o.level,
            o.name,
            o.type_name,
            o.add1,
            o.add1_type,
            o.add2,
            o.add2_type,
        )
        .outerjoin(h, h.object_id == o.object_id)
        .where(o.region_code == region_code, o.kind == "object")
    ).all()
    return [ObjectRecord(*row) for row in rows]


def houses(uow: UnitOfWork, region_code: str, size: int) -> Iterator[list[ObjectRecord]]:
    """The region's houses with their parents, ``size`` at a time, in id order (keyset pages:
    nothing is held open between them)."""
    o, h = GarObjectRow, GarHierarchyRow
    after = -1
    while True:
        rows = uow.session.execute(
            select(
                o.object_id,
                h.parent_id,
                o.level,
                o.name,
                o.type_name,
                o.add1,
                o.add1_type,
                o.add2,
                o.add2_type,
            )
            .join(h, h.object_id == o.object_id)
            .where(o.region_code == region_code, o.kind == "house", o.object_id > after)
            .order_by(o.object_id)
            .limit(size)
        ).all()
        if not rows:
            return
        yield [ObjectRecord(*row) for row in rows]
        after = rows[-1][0]


def add_entries(uow: UnitOfWork, rows: Sequence[Mapping[str, Any]]) -> None:
    """Search entries (``address_entries`` columns)."""
    insert_rows(uow, ENTRIES, rows)


def refresh_search(uow: UnitOfWork) -> None:
    """Bring the search structure up to date with the entries: SQLite rebuilds its FTS5
    index; PostgreSQL's trigram index follows the table by itself."""
    if uow.dialect == "sqlite":
        uow.session.execute(text("INSERT INTO address_search(address_search) VALUES ('rebuild')"))


def counts(uow: UnitOfWork, region_code: str) -> dict[str, int]:
    """How many objects of each kind, links and entries the region holds."""
    found: dict[str, int] = {"object": 0, "house": 0, "apartment": 0}
    for kind, n in uow.session.execute(
        select(GarObjectRow.kind, func.count())
        .where(GarObjectRow.region_code == region_code)
        .group_by(GarObjectRow.kind)
    ):
        found[kind] = int(n)
    found["links"] = int(
        uow.session.scalar(select(func.count()).where(GarHierarchyRow.region_code == region_code))
        or 0
    )
    found["entries"] = int(
        uow.session.scalar(select(func.count()).where(AddressEntryRow.region_code == region_code))
        or 0
    )
    return found


# --- search ------------------------------------------------------------------------------------


def search(uow: UnitOfWork, words: Sequence[str], limit: int) -> list[EntryRecord]:
    """Entries in which every one of ``words`` (already cut by the domain's rule) begins a
    word, in reading order (``sort_key``)."""
    if not words:
        return []
    if uow.dialect == "postgresql":
        statement = (
            select(*_ENTRY_COLUMNS)
            .where(*(AddressEntryRow.search.like(f"% {word}%") for word in words))
            # byte order, as SQLite's: the same suggestions first on both databases
            .order_by(AddressEntryRow.sort_key.collate("C"), AddressEntryRow.gar_id)
            .limit(limit)
        )
        return [EntryRecord(*row) for row in uow.session.execute(statement)]
    # The words hold letters and digits only; quoted anyway, so no word is read as an operator.
    match = " ".join('"' + word.replace('"', "") + '"*' for word in words)
    rows = uow.session.execute(
        text(
            "SELECT e.gar_id, e.kind, e.region_code, e.region, e.settlement, e.street, e.house, "
            "e.building FROM address_search s JOIN address_entries e ON e.gar_id = s.rowid "
            "WHERE address_search MATCH :match ORDER BY e.sort_key, e.gar_id LIMIT :limit"
        ),
        {"match": match, "limit": limit},
    )
    return [EntryRecord(*row) for row in rows]


def entry(uow: UnitOfWork, gar_id: int) -> EntryRecord | None:
    """The entry with this register id."""
    row = uow.session.execute(
        select(*_ENTRY_COLUMNS).where(AddressEntryRow.gar_id == gar_id)
    ).first()
    return None if row is None else EntryRecord(*row)


def apartment(uow: UnitOfWork, gar_id: int) -> tuple[int, str] | None:
    """An apartment of the register: its house's id and its number."""
    row = uow.session.execute(
        select(GarHierarchyRow.parent_id, GarObjectRow.name)
        .join(GarHierarchyRow, GarHierarchyRow.object_id == GarObjectRow.object_id)
        .where(GarObjectRow.object_id == gar_id, GarObjectRow.kind == "apartment")
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def has_entries(uow: UnitOfWork) -> bool:
    """Whether any region has been imported."""
    return uow.session.scalar(select(AddressEntryRow.gar_id).limit(1)) is not None
