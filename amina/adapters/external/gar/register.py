"""The local address register: the register's export, imported by ``amina import addresses``
into this database, searched with its SQL (``amina.adapters.db.addresses.store``).

An implementation of :class:`amina.services.ports.AddressRegister`; another one (the tax
service's own search API) would answer the same two questions.
"""

from __future__ import annotations

from collections.abc import Sequence

from amina.adapters.db.addresses import store
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.address_register import EntryKind, RegisterEntry


def _entry(
    record: store.EntryRecord, gar_id: str | None = None, flat: str | None = None
) -> RegisterEntry:
    return RegisterEntry(
        gar_id=gar_id or str(record.gar_id),
        kind=EntryKind(record.kind),
        region=record.region,
        settlement=record.settlement,
        street=record.street,
        house=record.house,
        building=record.building,
        flat=flat,
    )


class LocalAddressRegister:
    """Reads the imported register; each question in its own short read."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def search(self, words: Sequence[str], limit: int) -> list[RegisterEntry]:
        with self._uow() as uow:
            return [_entry(r) for r in store.search(uow, words, limit)]

    def find(self, gar_id: str) -> RegisterEntry | None:
        if not gar_id.isdigit() or len(gar_id) > 18:
            return None  # a FIAS GUID, or not a register id at all
        number = int(gar_id)
        with self._uow() as uow:
            found = store.entry(uow, number)
            if found is not None:
                return _entry(found)
            flat = store.apartment(uow, number)
            if flat is None:
                return None
            house = store.entry(uow, flat[0])
        return None if house is None else _entry(house, gar_id, flat[1])
