"""The whole schema: imports every feature's table module, so that ``Base.metadata`` (read by
Alembic and by tests that compare the migrated database with the tables) holds all of them."""

from __future__ import annotations

from amina.adapters.db.addresses import tables as _addresses
from amina.adapters.db.audit import tables as _audit
from amina.adapters.db.base import Base
from amina.adapters.db.booking import tables as _booking
from amina.adapters.db.check_in import tables as _check_in
from amina.adapters.db.compliance import tables as _compliance
from amina.adapters.db.delivery import tables as _delivery
from amina.adapters.db.distribution import Distribution
from amina.adapters.db.identity import tables as _identity
from amina.adapters.db.jobs import tables as _jobs
from amina.adapters.db.patent import tables as _patent
from amina.adapters.db.policy import tables as _policy
from amina.adapters.db.registration import tables as _registration
from amina.adapters.db.reports import tables as _reports
from amina.adapters.db.staff import tables as _staff

from amina.adapters.db import idempotency as _idempotency  # isort: skip

TABLE_MODULES = (
    _addresses,
    _audit,
    _booking,
    _check_in,
    _compliance,
    _delivery,
    _identity,
    _idempotency,
    _jobs,
    _patent,
    _policy,
    _registration,
    _reports,
    _staff,
)

metadata = Base.metadata


def distribution() -> dict[str, Distribution | None]:
    """Every table's declared place under Citus, by table name (None: not declared)."""
    declared = {
        str(mapper.persist_selectable.description): mapper.class_.__distribution__
        for mapper in Base.registry.mappers
    }
    return {name: declared.get(name) for name in metadata.tables}
