"""The state address register (issue 13 point 1a), on both databases: the export in its real XML
format is imported region by region, and a signed-in person finds streets and houses by typing
parts of them (``GET /api/v1/addresses``) — FTS5 on SQLite, pg_trgm on PostgreSQL, the same
answers."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from gar_files import arbat_export, obj, write_region
from registration_support import person
from typer.testing import CliRunner

from amina.adapters.external.gar.files import GarFolder
from amina.bootstrap import Container
from amina.demo.addresses import DEMO_EXTRACT
from amina.entrypoints.cli.main import app as cli
from amina.services.addresses.imports import import_addresses


def suggestions(client: TestClient, bearer: dict[str, str], query: str) -> list[dict[str, str]]:
    answer = client.get("/api/v1/addresses", params={"q": query}, headers=bearer)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]  # type: ignore[no-any-return]


def texts(client: TestClient, bearer: dict[str, str], query: str) -> list[str]:
    return [s["text"] for s in suggestions(client, bearer, query)]


def test_a_person_finds_a_house_by_typing_part_of_the_street_and_the_number(
    client: TestClient, container: Container
) -> None:
    import_addresses(container.uow, GarFolder(DEMO_EXTRACT))
    me = person(client, container)

    found = suggestions(client, me.bearer, "тверск 7")

    assert [s["text"] for s in found] == ["Москва, ул. Тверская, д. 7"]
    (house,) = found
    assert house["kind"] == "house"
    assert house["region"] == "RU-MOW"
    assert (house["settlement"], house["street"], house["house"]) == ("Москва", "ул. Тверская", "7")
    assert house["gar_id"].isdigit()


def test_the_street_comes_first_then_its_houses_in_number_order(
    client: TestClient, container: Container
) -> None:
    import_addresses(container.uow, GarFolder(DEMO_EXTRACT))
    me = person(client, container)

    found = texts(client, me.bearer, "Тверская ул")

    assert found[:4] == [
        "Москва, ул. Тверская",
        "Москва, ул. Тверская, д. 1",
        "Москва, ул. Тверская, д. 3",
        "Москва, ул. Тверская, д. 4",
    ]
    assert len(found) == 10  # a phone screen's worth


def test_moscow_oblast_addresses_name_their_town_and_region(
    client: TestClient, container: Container
) -> None:
    import_addresses(container.uow, GarFolder(DEMO_EXTRACT))
    me = person(client, container)

    assert texts(client, me.bearer, "химки ленинградская 16") == [
        "Московская область, Химки, ул. Ленинградская, д. 16"
    ]
    assert texts(client, me.bearer, "кирова 10 корп 2") == [
        "Московская область, Подольск, ул. Кирова, д. 10, корп. 2"
    ]
    assert texts(client, me.bearer, "кирова 10к2") == [
        "Московская область, Подольск, ул. Кирова, д. 10, корп. 2"
    ]
    (village,) = suggestions(client, me.bearer, "грибки адмиральская 5")
    assert (village["region"], village["settlement"]) == ("RU-MOS", "д. Грибки")


def test_only_current_records_count_and_an_import_again_replaces_the_region(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    export = arbat_export(tmp_path / "gar")
    first = import_addresses(container.uow, GarFolder(export))
    again = import_addresses(container.uow, GarFolder(export))
    me = person(client, container)

    assert texts(client, me.bearer, "арбат") == [
        "Москва, ул. Арбат",
        "Москва, ул. Арбат, д. 1",
        "Москва, ул. Арбат, д. 10",
        "Москва, ул. Арбат, д. 10, корп. 2",
    ]  # not house 99: its link to the street is no longer in force
    assert texts(client, me.bearer, "старый арбат") == []  # the street's old name is history
    (region,) = again.regions
    assert (region.objects, region.houses, region.apartments) == (2, 4, 2)
    assert (region.streets, region.house_entries) == (1, 3)
    assert first.regions == again.regions


def test_an_import_renames_a_street_and_forgets_the_old_name(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    import_addresses(container.uow, GarFolder(arbat_export(tmp_path / "before")))
    after = tmp_path / "after"
    write_region(after, "77", objects=[obj(100, "Москва", "г", 1), obj(200, "Арбатская", "ул", 8)])
    import_addresses(container.uow, GarFolder(after))
    me = person(client, container)

    assert texts(client, me.bearer, "арбатская") == ["Москва, ул. Арбатская"]
    assert texts(client, me.bearer, "арбат 10") == []


def test_regions_outside_moscow_and_the_oblast_are_skipped(
    container: Container, tmp_path: Path
) -> None:
    export = tmp_path / "gar"
    write_region(export, "78", objects=[obj(100, "Санкт-Петербург", "г", 1)])
    arbat_export(export)

    report = import_addresses(container.uow, GarFolder(export))

    assert report.skipped == ["78"]
    assert [r.region_code for r in report.regions] == ["77"]


def test_a_query_too_short_to_look_up_answers_nothing(
    client: TestClient, container: Container
) -> None:
    import_addresses(container.uow, GarFolder(DEMO_EXTRACT))
    me = person(client, container)

    assert suggestions(client, me.bearer, "тв") == []
    assert suggestions(client, me.bearer, "ул. д. 7") == []  # type words and one digit


def test_address_search_needs_a_signed_in_person(client: TestClient) -> None:
    answer = client.get("/api/v1/addresses", params={"q": "тверская"})

    assert answer.status_code == 401


def test_the_operator_imports_the_register_with_amina_import_addresses(
    client: TestClient, container: Container, database_url: str
) -> None:
    result = CliRunner().invoke(
        cli,
        ["import", "addresses", str(DEMO_EXTRACT), "--database-url", database_url],
        env={"COLUMNS": "200"},
    )

    assert result.exit_code == 0, result.output
    assert "Address register import: gar-demo" in result.output
    assert "1 house(s) under no street" in result.output
    me = person(client, container)
    assert texts(client, me.bearer, "тверская 7") == ["Москва, ул. Тверская, д. 7"]


def test_a_folder_without_moscow_or_the_oblast_imports_nothing(
    database_url: str, tmp_path: Path
) -> None:
    write_region(tmp_path, "78", objects=[obj(100, "Санкт-Петербург", "г", 1)])

    result = CliRunner().invoke(
        cli, ["import", "addresses", str(tmp_path), "--database-url", database_url]
    )

    assert result.exit_code == 2
    # rich wraps the message at the terminal's width, which depends on the temporary path
    assert "no folder 77 or 50" in " ".join(result.output.split())
