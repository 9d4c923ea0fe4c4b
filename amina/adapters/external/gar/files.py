"""The state address register's open export on disk (ГАР, the Federal Tax Service's
``gar_xml``): one folder per region code, each with XML files named after their table and the
export's date, e.g. ``77/AS_ADDR_OBJ_20250908_<uuid>.XML``; the type lists at the top.

- objects: ``AS_ADDR_OBJ_…``, ``ADDRESSOBJECTS/OBJECT`` records: OBJECTID OBJECTGUID NAME
  TYPENAME LEVEL ISACTUAL ISACTIVE;
- houses: ``AS_HOUSES_…``, ``HOUSES/HOUSE``: OBJECTID OBJECTGUID HOUSENUM HOUSETYPE ADDNUM1
  ADDTYPE1 ADDNUM2 ADDTYPE2 ISACTUAL ISACTIVE;
- apartments: ``AS_APARTMENTS_…``, ``APARTMENTS/APARTMENT``: OBJECTID OBJECTGUID NUMBER
  APARTTYPE ISACTUAL ISACTIVE;
- hierarchy: ``AS_ADM_HIERARCHY_…`` (else ``AS_MUN_HIERARCHY_…``), ``ITEMS/ITEM``: OBJECTID
  PARENTOBJID ISACTIVE;
- types (at the top): ``AS_HOUSE_TYPES_…``, ``AS_ADDHOUSE_TYPES_…``, ``AS_APARTMENT_TYPES_…``:
  ID SHORTNAME of each element.

The files of a region run to gigabytes: they are streamed (``iterparse``, each record dropped
once read), never loaded whole. Reading only: which records count is the domain's rule
(:mod:`amina.domain.address_register`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import iterparse

from amina.services.ports import GarPart, GarTypes

#: File name patterns of each part: the table's name, then the export's date. (The _PARAMS
#: and _DIVISION files of the same tables do not match.)
_PARTS: dict[GarPart, tuple[str, ...]] = {
    GarPart.objects: ("AS_ADDR_OBJ",),
    GarPart.houses: ("AS_HOUSES",),
    GarPart.apartments: ("AS_APARTMENTS",),
    GarPart.hierarchy: ("AS_ADM_HIERARCHY", "AS_MUN_HIERARCHY"),
}
_RECORDS: dict[GarPart, str] = {
    GarPart.objects: "OBJECT",
    GarPart.houses: "HOUSE",
    GarPart.apartments: "APARTMENT",
    GarPart.hierarchy: "ITEM",
}
_REGION = re.compile(r"^\d{2}$")
#: Progress is told after this many records (telling it on every one costs more than reading).
_PROGRESS_EVERY = 2000


def _named(folder: Path, table: str) -> list[Path]:
    pattern = re.compile(rf"^{table}_\d{{8}}_.*\.xml$", re.IGNORECASE)
    return sorted(p for p in folder.iterdir() if p.is_file() and pattern.match(p.name))


class GarFolder:
    """An export (or an extract of one in the same format) in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return self.path.name

    def regions(self) -> list[str]:
        return sorted(p.name for p in self.path.iterdir() if p.is_dir() and _REGION.match(p.name))

    def files(self, region: str, part: GarPart) -> list[Path]:
        """The files of one part of a region; the municipal hierarchy only when the
        administrative one is absent."""
        for table in _PARTS[part]:
            found = _named(self.path / region, table)
            if found:
                return found
        return []

    def size(self) -> int:
        return sum(
            file.stat().st_size
            for region in self.regions()
            for part in GarPart
            for file in self.files(region, part)
        )

    def types(self) -> GarTypes:
        def read(table: str) -> dict[str, str]:
            found: dict[str, str] = {}
            for file in _named(self.path, table):
                for attributes in _records(file, None, None):
                    if "ID" in attributes and attributes.get("SHORTNAME"):
                        if attributes.get("ISACTIVE", "true").lower() in ("false", "0"):
                            continue
                        found[attributes["ID"]] = attributes["SHORTNAME"]
            return found

        return GarTypes(
            houses=read("AS_HOUSE_TYPES"),
            add_houses=read("AS_ADDHOUSE_TYPES"),
            apartments=read("AS_APARTMENT_TYPES"),
        )

    def records(
        self, region: str, part: GarPart, progress: Callable[[int], None] | None = None
    ) -> Iterator[Mapping[str, str]]:
        for file in self.files(region, part):
            yield from _records(file, _RECORDS[part], progress)


def _records(
    file: Path, tag: str | None, progress: Callable[[int], None] | None
) -> Iterator[Mapping[str, str]]:
    """Each record's attributes (``tag`` records only; any element with attributes when None),
    streamed: the tree is emptied after every record, so memory stays flat."""
    with file.open("rb") as stream:
        yield from _stream(stream, tag, progress)


def _stream(
    stream: IO[bytes], tag: str | None, progress: Callable[[int], None] | None
) -> Iterator[Mapping[str, str]]:
    # The register's files come from the tax service's site, not from users; expat (2.4.1+,
    # here 2.5) refuses entity-expansion bombs and ElementTree resolves no external entities.
    events = iterparse(stream, events=("start", "end"))  # noqa: S314 (see above)
    _, root = next(events)
    told = 0
    seen = 0
    for event, element in events:
        if event != "end" or (tag is not None and element.tag != tag) or not element.attrib:
            continue
        yield dict(element.attrib)
        root.clear()
        seen += 1
        if progress is not None and seen % _PROGRESS_EVERY == 0:
            position = stream.tell()
            progress(position - told)
            told = position
    if progress is not None:
        position = stream.tell()
        progress(position - told)
