"""Small exports of the state address register (ГАР) written in its real format, for the import
and search tests: a region folder with AS_ADDR_OBJ, AS_HOUSES, AS_APARTMENTS and
AS_ADM_HIERARCHY files whose records carry the register's attributes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

DATE = "20250908"


def _element(tag: str, attributes: dict[str, object]) -> str:
    return (
        f"<{tag} "
        + " ".join(f"{key}={quoteattr(str(value))}" for key, value in attributes.items())
        + " />"
    )


def write_part(
    folder: Path, table: str, root: str, tag: str, records: Sequence[dict[str, object]]
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table}_{DATE}_0b6c3e4a-6f0e-4c3e-9d1a-5a3c2f1e0d9b.XML"
    body = "\n".join(_element(tag, record) for record in records)
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n{body}\n</{root}>\n', encoding="utf-8"
    )
    return path


def obj(
    object_id: int, name: str, type_name: str, level: int, *, actual: int = 1
) -> dict[str, object]:
    return {
        "ID": object_id + 500,
        "OBJECTID": object_id,
        "OBJECTGUID": f"00000000-0000-4000-8000-{object_id:012d}",
        "CHANGEID": object_id + 900,
        "NAME": name,
        "TYPENAME": type_name,
        "LEVEL": level,
        "OPERTYPEID": 10,
        "PREVID": 0,
        "NEXTID": 0,
        "UPDATEDATE": "2025-09-01",
        "STARTDATE": "2020-01-01",
        "ENDDATE": "2079-06-06",
        "ISACTUAL": actual,
        "ISACTIVE": actual,
    }


def house(
    object_id: int, number: str, *, add1: str | None = None, addtype1: int | None = None
) -> dict[str, object]:
    record: dict[str, object] = {
        "ID": object_id + 500,
        "OBJECTID": object_id,
        "OBJECTGUID": f"00000000-0000-4000-8000-{object_id:012d}",
        "CHANGEID": object_id + 900,
        "HOUSENUM": number,
        "HOUSETYPE": 2,
        "OPERTYPEID": 10,
        "UPDATEDATE": "2025-09-01",
        "STARTDATE": "2020-01-01",
        "ENDDATE": "2079-06-06",
        "ISACTUAL": 1,
        "ISACTIVE": 1,
    }
    if add1 is not None:
        record["ADDNUM1"] = add1
        record["ADDTYPE1"] = addtype1 or 1
    return record


def flat(object_id: int, number: str) -> dict[str, object]:
    return {
        "ID": object_id + 500,
        "OBJECTID": object_id,
        "OBJECTGUID": f"00000000-0000-4000-8000-{object_id:012d}",
        "CHANGEID": object_id + 900,
        "NUMBER": number,
        "APARTTYPE": 2,
        "OPERTYPEID": 10,
        "UPDATEDATE": "2025-09-01",
        "STARTDATE": "2020-01-01",
        "ENDDATE": "2079-06-06",
        "ISACTUAL": 1,
        "ISACTIVE": 1,
    }


def link(object_id: int, parent_id: int, *, active: int = 1) -> dict[str, object]:
    return {
        "ID": object_id + 700,
        "OBJECTID": object_id,
        "PARENTOBJID": parent_id,
        "CHANGEID": object_id + 900,
        "REGIONCODE": "77",
        "UPDATEDATE": "2025-09-01",
        "STARTDATE": "2020-01-01",
        "ENDDATE": "2079-06-06",
        "ISACTIVE": active,
        "PATH": f"{parent_id}.{object_id}",
    }


def write_region(
    export: Path,
    code: str,
    *,
    objects: Sequence[dict[str, object]],
    houses: Sequence[dict[str, object]] = (),
    flats: Sequence[dict[str, object]] = (),
    links: Sequence[dict[str, object]] = (),
) -> Path:
    folder = export / code
    write_part(folder, "AS_ADDR_OBJ", "ADDRESSOBJECTS", "OBJECT", objects)
    write_part(folder, "AS_HOUSES", "HOUSES", "HOUSE", houses)
    write_part(folder, "AS_APARTMENTS", "APARTMENTS", "APARTMENT", flats)
    write_part(folder, "AS_ADM_HIERARCHY", "ITEMS", "ITEM", links)
    return folder


def arbat_export(export: Path) -> Path:
    """Moscow: ул. Арбат (renamed once: its old record is history), houses 1, 10, 10 корп. 2
    with flats, and a house whose only link is no longer in force."""
    write_region(
        export,
        "77",
        objects=[
            obj(100, "Москва", "г", 1),
            obj(200, "Старый Арбат", "ул", 8, actual=0),
            obj(200, "Арбат", "ул", 8),
        ],
        houses=[
            house(301, "1"),
            house(310, "10"),
            house(312, "10", add1="2", addtype1=1),
            house(399, "99"),
        ],
        flats=[flat(401, "5"), flat(402, "6")],
        links=[
            link(200, 100),
            link(301, 200),
            link(310, 200),
            link(312, 200),
            link(399, 200, active=0),
            link(401, 310),
            link(402, 310),
        ],
    )
    return export
