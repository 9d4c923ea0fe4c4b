"""The state address register's rules (issue 13): which records count, how an address reads in
words, how a query is cut into words, where the phone usually is at night; and the export's
files read in their real format, streamed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from amina.adapters.external.gar.files import GarFolder
from amina.domain.address import Address, format_address
from amina.domain.address_register import (
    Area,
    EntryKind,
    RegisterEntry,
    house_number,
    is_current,
    labelled,
    place_of,
    query_words,
    search_text,
    searchable,
    sort_key,
)
from amina.domain.night_place import NightFix, usual_night_place
from amina.services.ports import GarPart

MOSCOW = Area(1, "Москва", "г")
OBLAST = Area(1, "Московская", "обл")


def test_only_the_current_version_of_a_record_counts() -> None:
    assert is_current({"ISACTUAL": "1", "ISACTIVE": "1"})
    assert not is_current({"ISACTUAL": "0", "ISACTIVE": "1"})
    assert not is_current({"ISACTUAL": "1", "ISACTIVE": "0"})


def test_streets_and_settlements_are_written_with_their_type() -> None:
    assert labelled("ул", "Тверская") == "ул. Тверская"
    assert labelled("пр-кт", "Мира") == "пр-кт Мира"
    assert labelled("проезд", "Шокальского") == "проезд Шокальского"
    assert labelled("", "Арбат") == "Арбат"


def test_a_house_number_keeps_its_building_apart_and_other_parts_with_it() -> None:
    assert house_number("7") == ("7", None)
    assert house_number("10", "2", "корп.") == ("10", "2")
    assert house_number("6", "1", "стр.") == ("6 стр. 1", None)
    assert house_number("12", "1", "корп.", "3", "стр.") == ("12 стр. 3", "1")


def test_the_settlement_is_the_nearest_town_or_moscow() -> None:
    khimki = [OBLAST, Area(5, "Химки", "г"), Area(8, "Ленинградская", "ул")]
    assert place_of(khimki, "50") == ("Химки", "ул. Ленинградская")
    assert place_of([MOSCOW, Area(8, "Тверская", "ул")], "77") == ("Москва", "ул. Тверская")
    village = [OBLAST, Area(2, "Мытищинский", "р-н"), Area(6, "Грибки", "д")]
    assert place_of(village, "50") == ("д. Грибки", None)  # no street: nothing to offer
    kommunarka = [
        MOSCOW,
        Area(4, "Сосенское", "п"),
        Area(6, "Коммунарка", "п"),
        Area(8, "Лазурная", "ул"),
    ]
    assert place_of(kommunarka, "77") == ("п. Коммунарка", "ул. Лазурная")


def test_a_query_keeps_the_names_and_numbers_and_drops_the_type_words() -> None:
    assert query_words("ул. Тверская, д. 7, корп. 2") == ["тверская", "7", "2"]
    assert query_words("Ленинский проспект 30") == ["ленинский", "30"]
    assert query_words("Пётр") == ["петр"]
    assert searchable(["тве"])
    assert not searchable(["тв", "7"])


def test_a_house_is_found_by_its_number_written_apart_or_together() -> None:
    entry = RegisterEntry("1", EntryKind.house, "RU-MOS", "Подольск", "ул. Кирова", "10", "2")
    words = search_text(entry).split()
    for query in ("кирова 10 корп 2", "кирова 10к2", "подольск кир 10"):
        assert all(any(w.startswith(q) for w in words) for q in query_words(query)), query


def test_streets_come_before_their_houses_and_houses_in_number_order() -> None:
    street = RegisterEntry("1", EntryKind.street, "RU-MOW", "Москва", "ул. Тверская")
    houses = [
        RegisterEntry(str(i), EntryKind.house, "RU-MOW", "Москва", "ул. Тверская", n, b)
        for i, (n, b) in enumerate([("10", None), ("7", "2"), ("7", None), ("9", None)], 2)
    ]
    longer = RegisterEntry("9", EntryKind.street, "RU-MOW", "Москва", "ул. Тверская-Ямская 1-я")
    ordered = sorted([longer, *houses, street], key=sort_key)
    assert [(e.street, e.house, e.building) for e in ordered] == [
        ("ул. Тверская", None, None),
        ("ул. Тверская", "7", None),
        ("ул. Тверская", "7", "2"),
        ("ул. Тверская", "9", None),
        ("ул. Тверская", "10", None),
        ("ул. Тверская-Ямская 1-я", None, None),
    ]


def test_a_street_of_the_register_reads_without_a_house() -> None:
    street = Address("RU-MOW", "Москва", "ул. Тверская", "", None, None, None)
    assert format_address(street) == "Москва, ул. Тверская"


NIGHT = datetime.fromisoformat("2025-11-01T02:30:00+03:00")
HOME = (55.7539, 37.6208)


def _fixes(nights: int, where: tuple[float, float] = HOME, **changes: object) -> list[NightFix]:
    fixes = []
    for night in range(nights):
        for minutes in (0, 30, 60):
            at = NIGHT + timedelta(days=night, minutes=minutes)
            fixes.append(NightFix(at, where[0], where[1], 15.0, **changes))  # type: ignore[arg-type]
    return fixes


def test_the_usual_place_at_night_needs_three_nights_that_agree() -> None:
    assert usual_night_place(_fixes(2)) is None
    place = usual_night_place(_fixes(3))
    assert place is not None
    assert (place.lat, place.lon, place.nights) == (*HOME, 3)


def test_days_mocked_locations_and_a_night_elsewhere_do_not_count() -> None:
    daytime = [NightFix(f.device_time + timedelta(hours=10), *HOME, 15.0) for f in _fixes(5)]
    assert usual_night_place(daytime) is None
    assert usual_night_place(_fixes(5, doubtful=True)) is None
    elsewhere = [NightFix(f.device_time + timedelta(days=3), 55.9, 37.4, 15.0) for f in _fixes(2)]
    place = usual_night_place(_fixes(3) + elsewhere)
    assert place is not None
    assert place.nights == 3


def _write(path: Path, root: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>{body}</{root}>\n', "utf-8")


def test_the_export_is_read_region_by_region_part_by_part(tmp_path: Path) -> None:
    moscow = tmp_path / "77"
    _write(
        moscow / "AS_ADDR_OBJ_20250908_a1.XML",
        "ADDRESSOBJECTS",
        '<OBJECT ID="1" OBJECTID="10" NAME="Арбат" TYPENAME="ул" LEVEL="8" ISACTUAL="1" '
        'ISACTIVE="1" />',
    )
    _write(moscow / "AS_ADDR_OBJ_DIVISION_20250908_a2.XML", "ITEMS", '<ITEM ID="1" />')
    _write(moscow / "AS_ADDR_OBJ_PARAMS_20250908_a3.XML", "PARAMS", '<PARAM ID="1" />')
    _write(
        moscow / "AS_MUN_HIERARCHY_20250908_a4.XML",
        "ITEMS",
        '<ITEM OBJECTID="10" PARENTOBJID="1" ISACTIVE="1" />',
    )
    _write(
        tmp_path / "AS_HOUSE_TYPES_20250908_t1.XML",
        "HOUSETYPES",
        '<HOUSETYPE ID="2" NAME="Дом" SHORTNAME="д." ISACTIVE="true" />',
    )
    (tmp_path / "notes").mkdir()
    export = GarFolder(tmp_path)
    read: list[int] = []

    assert export.regions() == ["77"]
    assert [r["NAME"] for r in export.records("77", GarPart.objects, read.append)] == ["Арбат"]
    assert sum(read) == (moscow / "AS_ADDR_OBJ_20250908_a1.XML").stat().st_size
    # no administrative hierarchy in this export: the municipal one stands in
    assert [r["PARENTOBJID"] for r in export.records("77", GarPart.hierarchy)] == ["1"]
    assert list(export.records("77", GarPart.houses)) == []
    assert export.types().houses == {"2": "д."}
