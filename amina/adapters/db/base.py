"""The declarative base every table module builds on, with the constraint naming convention.

Tables are kept in the database adapter, one ``tables.py`` per feature package; the domain
never imports them. ``amina.adapters.db.schema`` imports every table module, so that Alembic and
every reader of ``Base.metadata`` see all of them.

Every table that belongs to one person carries ``person_id`` in its primary key and in every
foreign key to another per-person table, so the schema can be distributed by person (Citus),
and declares where it lives (``__distribution__``; amina.adapters.db.distribution).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase

from amina.adapters.db.distribution import Distribution
from amina.adapters.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}  # noqa: RUF012
    #: Where the table lives under Citus (amina.adapters.db.distribution); every table class
    #: declares it, and tests/integration/test_citus_rules.py fails on one that does not.
    __distribution__: ClassVar[Distribution | None] = None
