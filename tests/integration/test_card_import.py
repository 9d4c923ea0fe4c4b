"""`amina import cards FILE`: rejected rows with line numbers, idempotent upserts, unknown
columns, resuming an interrupted import. SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sign_in_support import WORKER, register
from typer.testing import CliRunner

from amina.adapters.external.card_register import CardRegisterFile
from amina.bootstrap import Container
from amina.domain.cards import CardStatus
from amina.entrypoints.cli.main import app as cli
from amina.services.identity.card_import import import_cards
from amina.services.identity.cards import card_numbered, mark_card_lost
from amina.services.identity.enrolment import person_for_card
from amina.services.ports import RegisterLine

FILES = Path(__file__).parent / "card_register_files"
runner = CliRunner()


def amina(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def imported(container: Container, number: str) -> CardStatus | None:
    with container.uow() as uow:
        card = card_numbered(uow, number)
        return None if card is None else card.status


def test_rejected_rows_are_reported_with_line_numbers_and_the_rest_is_imported(
    container: Container, database_url: str
) -> None:
    code, output = amina(
        "import", "cards", str(FILES / "register.csv"), "--database-url", database_url
    )

    assert code == 1, output
    line_4 = next(line for line in output.splitlines() if line.startswith("line 4:"))
    assert "date_of_birth: not a date (YYYY-MM-DD)" in line_4
    assert "phone: not an E.164 number" in line_4
    assert "line 6:" in output
    assert "citizenship: not an ISO 3166-1 alpha-2 country code" in output
    assert "status: one of valid, lost, revoked" in output
    assert "line 8: surname_cyr: missing" in output
    assert "line 2:" not in output
    assert "line 9:" not in output
    assert imported(container, "7725200001") is CardStatus.valid
    assert imported(container, "7725200004") is CardStatus.lost
    assert imported(container, "7725200006") is CardStatus.revoked
    assert imported(container, "7725200003") is None
    assert imported(container, "7725200007") is None


def test_importing_the_same_file_twice_changes_nothing(
    container: Container, database_url: str
) -> None:
    path = FILES / "register.csv"
    amina("import", "cards", str(path), "--database-url", database_url)
    with container.uow() as uow:
        before = [card_numbered(uow, f"772520000{n}") for n in range(1, 9)]

    code, _ = amina("import", "cards", str(path), "--database-url", database_url)
    report = import_cards(container.uow, container.clock, CardRegisterFile(path))

    assert code == 1  # the same three rejections, nothing else
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 5)
    assert [r.line for r in report.rejected] == [4, 6, 8]
    with container.uow() as uow:
        assert [card_numbered(uow, f"772520000{n}") for n in range(1, 9)] == before


def test_a_changed_row_is_updated(container: Container, tmp_path: Path) -> None:
    original = FILES / "register.csv"
    changed = tmp_path / "register-changed.csv"
    changed.write_text(
        original.read_text(encoding="utf-8").replace("+79002000001", "+79002009999"),
        encoding="utf-8",
    )
    import_cards(container.uow, container.clock, CardRegisterFile(original))

    report = import_cards(container.uow, container.clock, CardRegisterFile(changed))

    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 4)
    with container.uow() as uow:
        card = card_numbered(uow, "7725200001")
        assert card is not None
        assert card.phone == "+79002009999"


def test_an_unknown_column_is_an_error_and_nothing_is_imported(
    container: Container, database_url: str
) -> None:
    code, output = amina(
        "import", "cards", str(FILES / "unknown_column.csv"), "--database-url", database_url
    )
    assert code == 2
    assert "unknown column(s): employer" in output
    assert imported(container, "7725400001") is None


def test_json_lines_are_imported_with_line_numbered_rejections(
    container: Container, database_url: str
) -> None:
    code, output = amina(
        "import", "cards", str(FILES / "register.jsonl"), "--database-url", database_url
    )
    assert code == 1
    assert "line 3: not valid JSON" in output
    assert "line 4: unknown field(s): employer" in output
    assert imported(container, "7725300001") is CardStatus.valid
    assert imported(container, "7725300002") is CardStatus.valid
    assert imported(container, "7725300004") is None


class CrashingRegister:
    """The register file, with the process dying while it reads ``crash_at_line``."""

    def __init__(self, path: Path, crash_at_line: int) -> None:
        self._file = CardRegisterFile(path)
        self._crash_at = crash_at_line
        self.name = self._file.name
        self.fingerprint = self._file.fingerprint

    def count(self) -> int:
        return self._file.count()

    def lines(self) -> Iterator[RegisterLine]:
        for line in self._file.lines():
            if line.line == self._crash_at:
                raise KeyboardInterrupt("power cut")
            yield line


def test_an_interrupted_import_resumes_after_the_last_committed_batch(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "register.csv"
    shutil.copy(FILES / "register.csv", path)
    # batches of 2 accepted rows: lines 2-3 commit, the crash comes while batch 2 is filling
    with pytest.raises(KeyboardInterrupt):
        import_cards(container.uow, container.clock, CrashingRegister(path, 7), batch_size=2)
    assert imported(container, "7725200001") is CardStatus.valid
    assert imported(container, "7725200002") is CardStatus.valid
    assert imported(container, "7725200004") is None  # batch 2 never committed

    report = import_cards(container.uow, container.clock, CardRegisterFile(path), batch_size=2)

    assert report.resumed_after_line == 3
    assert (report.inserted, report.updated, report.unchanged) == (5, 0, 0)
    assert [r.line for r in report.rejected] == [4, 6, 8]
    assert imported(container, "7725200004") is CardStatus.lost
    assert imported(container, "7725200008") is CardStatus.valid
    again = import_cards(container.uow, container.clock, CardRegisterFile(path))
    assert (again.inserted, again.updated, again.unchanged, again.resumed_after_line) == (
        0,
        0,
        5,
        0,
    )


def test_a_card_amina_knows_is_lost_stays_lost_when_the_register_still_says_valid(
    container: Container,
) -> None:
    register(container, WORKER)
    with container.uow() as uow:
        card = card_numbered(uow, WORKER["card_number"])
        assert card is not None
        person = person_for_card(uow, card, container.clock.now(), "ru")
        mark_card_lost(
            uow,
            container.clock.now(),
            person_id=person.id,
            card_number=card.number,
            actor_role="person",
            actor_staff_id=None,
            reason="lost in the metro",
        )
        uow.commit()

    register(container, {**WORKER, "phone": "+79001119999"})

    with container.uow() as uow:
        card = card_numbered(uow, WORKER["card_number"])
        assert card is not None
        assert card.status is CardStatus.lost
        assert card.phone == "+79001119999"
