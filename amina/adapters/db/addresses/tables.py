"""Tables of the state address register (ГАР) as imported by `amina import addresses`
(migration 0011; issue 13).

Reference data, not per person: the same rows for everyone, never joined to a person's rows by
key. Under Citus these are **reference tables** (copied to every worker), like the policy and
calendar tables; they carry no ``person_id``.

- ``gar_objects``: the register's current objects of the imported regions — address objects
  (regions … streets), houses and apartments — by their ``OBJECTID``;
- ``gar_hierarchy``: each object's parent (the administrative hierarchy);
- ``address_entries``: what a person can choose — every street and house, its address in
  words and the text it is searched by. SQLite searches it through the FTS5 table
  ``address_search`` (external content, rebuilt after each import); PostgreSQL through a
  pg_trgm GIN index on ``search``. Both are made by the migration only (they are not portable
  declarations), see ``0011_address_register.py``.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import COORDINATOR

#: 64-bit ids; on SQLite an INTEGER PRIMARY KEY (the rowid, which FTS5 refers to).
GarId = BigInteger().with_variant(Integer, "sqlite")


class GarObjectRow(Base):
    __tablename__ = "gar_objects"
    #: Global register data nothing per-person joins with: millions of rows, kept once on
    #: the coordinator rather than copied to every worker (docs/scale-out.md).
    __distribution__ = COORDINATOR

    object_id: Mapped[int] = mapped_column(GarId, primary_key=True, autoincrement=False)
    guid: Mapped[str | None] = mapped_column(String(36))
    #: object (address object: region … street), house or apartment
    kind: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str] = mapped_column(String(2))
    level: Mapped[int] = mapped_column(SmallInteger)
    #: the object's name, the house's number, the apartment's number
    name: Mapped[str] = mapped_column(String(250))
    #: short type name: "ул", "д.", "кв."
    type_name: Mapped[str | None] = mapped_column(String(50))
    #: a house's added numbers and their types ("корп." 2, "стр." 1)
    add1: Mapped[str | None] = mapped_column(String(50))
    add1_type: Mapped[str | None] = mapped_column(String(20))
    add2: Mapped[str | None] = mapped_column(String(50))
    add2_type: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (Index("ix_gar_objects_region_code_kind", "region_code", "kind"),)


class GarHierarchyRow(Base):
    __tablename__ = "gar_hierarchy"
    #: Global register data nothing per-person joins with: millions of rows, kept once on
    #: the coordinator rather than copied to every worker (docs/scale-out.md).
    __distribution__ = COORDINATOR

    object_id: Mapped[int] = mapped_column(GarId, primary_key=True, autoincrement=False)
    parent_id: Mapped[int] = mapped_column(BigInteger)
    region_code: Mapped[str] = mapped_column(String(2), index=True)


class AddressEntryRow(Base):
    __tablename__ = "address_entries"
    #: Global register data nothing per-person joins with: millions of rows, kept once on
    #: the coordinator rather than copied to every worker (docs/scale-out.md).
    __distribution__ = COORDINATOR

    gar_id: Mapped[int] = mapped_column(GarId, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10))  # street, house
    region_code: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str] = mapped_column(String(6))
    settlement: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    house: Mapped[str | None] = mapped_column(String(30))
    building: Mapped[str | None] = mapped_column(String(30))
    #: amina.domain.address_register.search_text (a leading space, then the words)
    search: Mapped[str] = mapped_column(Text)
    #: amina.domain.address_register.sort_key
    sort_key: Mapped[str] = mapped_column(String(300), index=True)
