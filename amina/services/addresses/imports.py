"""Importing the state address register (``amina import addresses DIR``; issue 13).

Region by region (``77`` Moscow, ``50`` Moscow Oblast; other folders are skipped and named in
the report), in one transaction each: the region's earlier rows are removed, its current
objects, houses, apartments and hierarchy links streamed in, in chunks, and the search entries
(every street and house, with its address in words) built from them. Readers see the old
region until the new one is committed; an interrupted import leaves it as it was, and running
the import again gives the same rows.

Memory stays flat whatever the export's size: the files are streamed and only the region's
address objects above the houses (tens of thousands) are held while the entries are built;
houses are read back from the database a page at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from amina.adapters.db.addresses import store
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.address_register import (
    ADD_HOUSE_TYPES,
    APARTMENT_LEVEL,
    APARTMENT_TYPES,
    GAR_REGIONS,
    HOUSE_LEVEL,
    HOUSE_TYPES,
    PLANNING_LEVEL,
    STREET_LEVEL,
    Area,
    EntryKind,
    RegisterEntry,
    house_number,
    is_active_link,
    is_current,
    place_of,
    search_text,
    sort_key,
)
from amina.services.ports import GarExport, GarPart

#: Rows per insert.
CHUNK = 5000


@dataclass
class RegionReport:
    region_code: str
    objects: int = 0
    houses: int = 0
    apartments: int = 0
    links: int = 0
    streets: int = 0
    house_entries: int = 0
    #: current houses the hierarchy places under no street (a village without streets):
    #: not offered as suggestions
    houses_without_street: int = 0


@dataclass
class AddressImportReport:
    source: str
    regions: list[RegionReport] = field(default_factory=list)
    #: region folders that are not Moscow's or Moscow Oblast's
    skipped: list[str] = field(default_factory=list)


Progress = Callable[[int], None]


def import_addresses(
    uow_factory: UnitOfWorkFactory, export: GarExport, progress: Progress | None = None
) -> AddressImportReport:
    """Import the export's Moscow and Moscow Oblast folders, replacing what an earlier import
    of the same regions left. For the operator's command (and the demo loader); ``progress``
    is told how many bytes of the export were read."""
    report = AddressImportReport(export.name)
    types = export.types()
    house_types = {**HOUSE_TYPES, **types.houses}
    add_types = {**ADD_HOUSE_TYPES, **types.add_houses}
    apartment_types = {**APARTMENT_TYPES, **types.apartments}
    for region_code in export.regions():
        if region_code not in GAR_REGIONS:
            report.skipped.append(region_code)
            continue
        region = RegionReport(region_code)
        with uow_factory() as uow:
            store.clear_region(uow, region_code)
            region.objects = _load(
                uow,
                store.add_objects,
                (
                    _object_row(region_code, r)
                    for r in export.records(region_code, GarPart.objects, progress)
                    if is_current(r)
                ),
            )
            region.houses = _load(
                uow,
                store.add_objects,
                (
                    _house_row(region_code, r, house_types, add_types)
                    for r in export.records(region_code, GarPart.houses, progress)
                    if is_current(r)
                ),
            )
            region.apartments = _load(
                uow,
                store.add_objects,
                (
                    _apartment_row(region_code, r, apartment_types)
                    for r in export.records(region_code, GarPart.apartments, progress)
                    if is_current(r)
                ),
            )
            region.links = _load(
                uow,
                store.add_links,
                (
                    {
                        "object_id": int(r["OBJECTID"]),
                        "parent_id": int(r["PARENTOBJID"]),
                        "region_code": region_code,
                    }
                    for r in export.records(region_code, GarPart.hierarchy, progress)
                    if is_active_link(r) and r.get("PARENTOBJID") and r.get("OBJECTID")
                ),
            )
            _build_entries(uow, region)
            store.refresh_search(uow)
            uow.commit()
        report.regions.append(region)
    return report


def _load(
    uow: UnitOfWork,
    add: Callable[[UnitOfWork, list[dict[str, Any]]], int],
    rows: Iterable[dict[str, Any]],
) -> int:
    added = 0
    for chunk in _chunks(rows):
        added += add(uow, chunk)
    return added


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _text(record: Mapping[str, str], name: str, limit: int) -> str | None:
    value = (record.get(name) or "").strip()
    return value[:limit] or None


def _object_row(region_code: str, record: Mapping[str, str]) -> dict[str, Any]:
    level = record.get("LEVEL", "")
    return {
        "object_id": int(record["OBJECTID"]),
        "guid": _text(record, "OBJECTGUID", 36),
        "kind": "object",
        "region_code": region_code,
        "level": int(level) if level.isdigit() else 0,
        "name": _text(record, "NAME", 250) or "",
        "type_name": _text(record, "TYPENAME", 50),
        "add1": None,
        "add1_type": None,
        "add2": None,
        "add2_type": None,
    }


def _house_row(
    region_code: str,
    record: Mapping[str, str],
    house_types: Mapping[str, str],
    add_types: Mapping[str, str],
) -> dict[str, Any]:
    return {
        "object_id": int(record["OBJECTID"]),
        "guid": _text(record, "OBJECTGUID", 36),
        "kind": "house",
        "region_code": region_code,
        "level": HOUSE_LEVEL,
        "name": _text(record, "HOUSENUM", 250) or "",
        "type_name": house_types.get(record.get("HOUSETYPE", "")),
        "add1": _text(record, "ADDNUM1", 50),
        "add1_type": add_types.get(record.get("ADDTYPE1", "")),
        "add2": _text(record, "ADDNUM2", 50),
        "add2_type": add_types.get(record.get("ADDTYPE2", "")),
    }


def _apartment_row(
    region_code: str, record: Mapping[str, str], apartment_types: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "object_id": int(record["OBJECTID"]),
        "guid": _text(record, "OBJECTGUID", 36),
        "kind": "apartment",
        "region_code": region_code,
        "level": APARTMENT_LEVEL,
        "name": _text(record, "NUMBER", 250) or "",
        "type_name": apartment_types.get(record.get("APARTTYPE", "")),
        "add1": None,
        "add1_type": None,
        "add2": None,
        "add2_type": None,
    }


def _entry_row(entry: RegisterEntry, region_code: str) -> dict[str, Any]:
    return {
        "gar_id": int(entry.gar_id),
        "kind": entry.kind.value,
        "region_code": region_code,
        "region": entry.region,
        "settlement": entry.settlement[:200],
        "street": entry.street[:200],
        "house": None if entry.house is None else entry.house[:30],
        "building": None if entry.building is None else entry.building[:30],
        "search": search_text(entry),
        "sort_key": sort_key(entry),
    }


def _build_entries(uow: UnitOfWork, report: RegionReport) -> None:
    """Every street (and planning structure) and every house under one, as search entries."""
    region_code = report.region_code
    region = GAR_REGIONS[region_code]
    records = {r.object_id: r for r in store.areas(uow, region_code)}
    places: dict[int, tuple[str, str | None]] = {}

    def place(object_id: int) -> tuple[str, str | None]:
        """The settlement and street of an address object, from its chain of ancestors."""
        if object_id in places:
            return places[object_id]
        chain: list[Area] = []
        seen: set[int] = set()
        current: int | None = object_id
        while current is not None and current in records and current not in seen:
            seen.add(current)
            record = records[current]
            chain.append(Area(record.level, record.name, record.type_name or ""))
            current = record.parent_id
        places[object_id] = place_of(list(reversed(chain)), region_code)
        return places[object_id]

    streets: list[dict[str, Any]] = []
    for record in records.values():
        if record.level not in (PLANNING_LEVEL, STREET_LEVEL):
            continue
        settlement, street = place(record.object_id)
        if street is None:
            continue
        entry = RegisterEntry(str(record.object_id), EntryKind.street, region, settlement, street)
        streets.append(_entry_row(entry, region_code))
    for chunk in _chunks(streets):
        store.add_entries(uow, chunk)
    report.streets = len(streets)

    for page in store.houses(uow, region_code, CHUNK):
        rows: list[dict[str, Any]] = []
        for house in page:
            settlement, street = (
                place(house.parent_id) if house.parent_id in records else ("", None)
            )
            if street is None:
                report.houses_without_street += 1
                continue
            number, building = house_number(
                house.name, house.add1, house.add1_type, house.add2, house.add2_type
            )
            entry = RegisterEntry(
                str(house.object_id), EntryKind.house, region, settlement, street, number, building
            )
            rows.append(_entry_row(entry, region_code))
        store.add_entries(uow, rows)
        report.house_entries += len(rows)


def register_loaded(uow_factory: UnitOfWorkFactory) -> bool:
    """Whether any region of the register has been imported (the demo loads its extract only
    into an empty register)."""
    with uow_factory() as uow:
        return store.has_entries(uow)
