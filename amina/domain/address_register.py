"""The state address register (ГАР, the Federal Tax Service's open data) as Amina reads it
(issue 13): which records count, how an address reads in words, and how it is searched.

The register's export is one folder per region (``77`` Moscow, ``50`` Moscow Oblast) of XML
files: address objects (``AS_ADDR_OBJ``: regions, districts, cities, settlements, streets…),
houses (``AS_HOUSES``), apartments (``AS_APARTMENTS``) and the hierarchy that links each object
to its parent (``AS_ADM_HIERARCHY``; ``AS_MUN_HIERARCHY`` when the administrative one is
absent). Every object carries a number, ``OBJECTID``, that the registration stores as its
``fias_id`` when the address was chosen from the register.

Only current records count: ``ISACTUAL="1"`` and ``ISACTIVE="1"`` for objects, houses and
apartments (the files also hold their history), ``ISACTIVE="1"`` for hierarchy items.

A person finds an address by typing parts of it ("тверская 7"): every word typed, except the
words that only name a kind of thing ("ул", "дом", "корп"), must begin a word of the address.
The same :func:`words` cut the address when it is stored and the query when it is asked, so
both databases (FTS5 prefix queries on SQLite, trigram-indexed ``LIKE`` on PostgreSQL) find the
same addresses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from amina.domain.address import Address, format_address

#: The register's region codes (the folder names) and the regions Amina knows them as.
GAR_REGIONS: dict[str, str] = {"77": "RU-MOW", "50": "RU-MOS"}

#: Object levels (the register's OBJECT_LEVELS).
REGION_LEVEL = 1
CITY_LEVEL = 5
SETTLEMENT_LEVEL = 6
PLANNING_LEVEL = 7  # микрорайон, территория СНТ, квартал…
STREET_LEVEL = 8
HOUSE_LEVEL = 10
APARTMENT_LEVEL = 11

#: HOUSE_TYPES of the register (HOUSETYPE), used when the export has no AS_HOUSE_TYPES file.
HOUSE_TYPES: dict[str, str] = {
    "1": "влд.",
    "2": "д.",
    "3": "двлд.",
    "4": "г-ж",
    "5": "зд.",
    "6": "шахта",
    "7": "стр.",
    "8": "соор.",
    "9": "литера",
    "10": "к.",
    "11": "подв.",
    "12": "кот.",
    "13": "п-б",
    "14": "ОНС",
}
#: ADDHOUSE_TYPES (ADDTYPE1, ADDTYPE2): the parts of a number after the house's own.
ADD_HOUSE_TYPES: dict[str, str] = {"1": "корп.", "2": "стр.", "3": "соор.", "4": "литера"}
#: APARTMENT_TYPES (APARTTYPE).
APARTMENT_TYPES: dict[str, str] = {
    "1": "пом.",
    "2": "кв.",
    "3": "офис",
    "4": "ком.",
    "5": "раб.уч.",
    "6": "скл.",
    "7": "торг.зал",
    "8": "цех",
    "9": "пав.",
    "10": "подв.",
    "11": "кот.",
    "12": "п-б",
    "13": "г-ж",
}

#: An added number of this type is the address's "building" (корпус); the others stay part of
#: the house's own number ("10 стр. 1").
BUILDING_TYPE = "корп."

#: Type names written out in full: no abbreviation dot after them.
_FULL_WORDS = frozenset(
    {
        "аллея",
        "бульвар",
        "въезд",
        "город",
        "квартал",
        "кольцо",
        "линия",
        "мост",
        "парк",
        "переулок",
        "площадь",
        "проезд",
        "просека",
        "проспект",
        "спуск",
        "сквер",
        "тупик",
        "улица",
        "шоссе",
    }
)

#: Words that only say what kind of thing follows: left out of a query (an address is found
#: by its names and numbers).
STOP_WORDS = frozenset(
    {
        "г",
        "гор",
        "город",
        "обл",
        "область",
        "ул",
        "улица",
        "пр",
        "просп",
        "проспект",
        "кт",
        "пер",
        "переулок",
        "ш",
        "шоссе",
        "б",
        "р",
        "бульв",
        "бульвар",
        "пл",
        "площадь",
        "наб",
        "набережная",
        "проезд",
        "туп",
        "тупик",
        "ал",
        "аллея",
        "мкр",
        "микрорайон",
        "пос",
        "поселок",
        "п",
        "д",
        "дом",
        "вл",
        "влд",
        "владение",
        "зд",
        "здание",
        "к",
        "корп",
        "корпус",
        "с",
        "стр",
        "строение",
        "соор",
        "сооружение",
        "кв",
        "квартира",
    }
)

#: A query needs at least one word this long (a trigram index cannot look up shorter ones, and
#: a shorter query would list half the city).
MIN_WORD = 3

_WORD = re.compile(r"[^\W_]+")


class EntryKind(StrEnum):
    street = "street"
    house = "house"


@dataclass(frozen=True)
class Area:
    """An address object above the houses (region, district, city, settlement, street…)."""

    level: int
    name: str
    type_name: str


@dataclass(frozen=True)
class RegisterEntry:
    """An address the register offers: a street (to go on typing the house) or a house."""

    gar_id: str
    kind: EntryKind
    region: str
    settlement: str
    street: str
    house: str | None = None
    building: str | None = None
    #: An apartment of the register found by its id: its number.
    flat: str | None = None

    @property
    def text(self) -> str:
        """The address in words, as the slip will print it."""
        return format_address(self.address())

    def address(self, flat: str | None = None) -> Address:
        """The registration's address for this entry (no coordinates: they come later)."""
        flat = flat or self.flat
        return Address(
            region=self.region,
            settlement=self.settlement,
            street=self.street,
            house=self.house or "",
            building=self.building,
            flat=flat,
            fias_id=self.gar_id,
        )


def is_current(record: Mapping[str, str]) -> bool:
    """An object, house or apartment record that describes the thing as it is now."""
    return record.get("ISACTUAL") == "1" and record.get("ISACTIVE") == "1"


def is_active_link(record: Mapping[str, str]) -> bool:
    """A hierarchy item in force."""
    return record.get("ISACTIVE") == "1"


def labelled(type_name: str, name: str) -> str:
    """A street or settlement as it is written: "ул. Тверская", "пр-кт Мира", "проезд Шокальского".

    The register gives the type's short name without a dot ("ул"); a dot is added after an
    abbreviation made of letters only.
    """
    kind = type_name.strip()
    if not kind:
        return name.strip()
    if kind.isalpha() and kind.lower() not in _FULL_WORDS and not kind.endswith("."):
        kind += "."
    return f"{kind} {name.strip()}"


def house_number(
    number: str | None,
    add1: str | None = None,
    add1_type: str | None = None,
    add2: str | None = None,
    add2_type: str | None = None,
) -> tuple[str, str | None]:
    """The house's number as an address writes it, and its building (корпус) if any.

    ``add1_type``/``add2_type`` are the added numbers' short type names ("корп.", "стр.").
    """
    parts = [(number or "").strip()]
    building: str | None = None
    for value, kind in ((add1, add1_type), (add2, add2_type)):
        if not value or not value.strip():
            continue
        if kind == BUILDING_TYPE and building is None:
            building = value.strip()
        else:
            parts.append(f"{kind or ''} {value.strip()}".strip())
    return " ".join(part for part in parts if part), building


def place_of(chain: Sequence[Area], region_code: str) -> tuple[str, str | None]:
    """The settlement and the street of an object whose ancestors (region first, the object
    last) are ``chain``. The street is None when the chain has none (then the object carries
    no registrable address).

    The settlement is the nearest city or settlement; in Moscow without one, "Москва"; else
    the nearest district or region by name.
    """
    street_parts = [
        labelled(a.type_name, a.name) for a in chain if a.level in (PLANNING_LEVEL, STREET_LEVEL)
    ]
    street = ", ".join(street_parts) if street_parts else None
    settlement: str | None = None
    for area in reversed(chain):
        if area.level == CITY_LEVEL:
            settlement = area.name.strip()
            break
        if area.level == SETTLEMENT_LEVEL:
            settlement = labelled(area.type_name, area.name)
            break
    if settlement is None:
        if region_code == "77":
            settlement = "Москва"
        else:
            above = [a for a in chain if a.level < PLANNING_LEVEL]
            settlement = labelled(above[-1].type_name, above[-1].name) if above else ""
    return settlement, street


def words(text: str) -> list[str]:
    """The words of ``text`` for searching: lower case, ё as е, letters and digits only."""
    return _WORD.findall(text.lower().replace("ё", "е"))


def query_words(text: str) -> list[str]:
    """The words of what a person typed that an address must contain (word beginnings)."""
    return list(dict.fromkeys(w for w in words(text) if w not in STOP_WORDS))


def searchable(query: Sequence[str]) -> bool:
    """Whether a query is specific enough to be looked up (see :data:`MIN_WORD`)."""
    return any(len(word) >= MIN_WORD for word in query)


def search_text(entry: RegisterEntry) -> str:
    """What a query is matched against: the entry's words, house numbers also written together
    ("7к2") — one leading space so that every word, the first too, follows a space."""
    found = words(entry.settlement) + words(entry.street)
    if entry.house:
        found += words(entry.house)
        compact = "".join(words(entry.house))
        if entry.building:
            found += words(entry.building)
            compact += "к" + "".join(words(entry.building))
        found.append(compact)
    return " " + " ".join(dict.fromkeys(found))


_NUMBER = re.compile(r"(\d+)")


def sort_key(entry: RegisterEntry) -> str:
    """Suggestions in reading order: by the street's name, the street itself before its
    houses, houses in number order (7, 7к2, 9, 10)."""
    house = ""
    if entry.house:
        house = _NUMBER.sub(lambda m: m.group(1).zfill(6), entry.house.lower())
        house += " " + (entry.building or "")
    street = " ".join(query_words(entry.street))  # by name: "Тверской б-р" under Т
    # a tab sorts before every letter, digit and space: "тверская" before "тверская ямская"
    return f"{street}\t{entry.settlement.lower()}\t{house}"[:300]
