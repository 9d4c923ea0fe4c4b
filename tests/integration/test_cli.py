"""The `amina` command line: calendar, policy, database and the production guard on --clock."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from amina.entrypoints.cli.main import app as cli

runner = CliRunner()


def amina(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def rows(output: str) -> dict[str, str]:
    """The working-days table as {date: 'yes'|'no'}."""
    table: dict[str, str] = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.replace("│", "|").split("|") if cell.strip()]
        if len(cells) >= 3 and cells[0][:4].isdigit():
            table[cells[0]] = cells[2]
    return table


def test_calendar_working_days_marks_the_working_saturday_and_the_november_holidays(
    database_url: str,
) -> None:
    code, output = amina(
        "calendar", "working-days", "2025-10-31", "2025-11-05", "--database-url", database_url
    )
    assert code == 0, output
    assert rows(output) == {
        "2025-10-31": "yes",
        "2025-11-01": "yes",
        "2025-11-02": "no",
        "2025-11-03": "no",
        "2025-11-04": "no",
        "2025-11-05": "yes",
    }
    assert "3 working day(s)" in output


def test_a_calendar_override_from_the_cli_changes_the_working_days(database_url: str) -> None:
    code, output = amina(
        "calendar",
        "override",
        "2025-11-05",
        "--day-off",
        "--reason",
        "Decree No. 1 of 2025-11-01",
        "--database-url",
        database_url,
    )
    assert code == 0, output
    _, listing = amina(
        "calendar", "working-days", "2025-11-05", "2025-11-05", "--database-url", database_url
    )
    assert rows(listing) == {"2025-11-05": "no"}
    assert "override: Decree No. 1 of 2025-11-01" in listing
    code, output = amina(
        "calendar",
        "override",
        "2025-11-05",
        "--remove",
        "--reason",
        "Decree withdrawn",
        "--database-url",
        database_url,
    )
    assert code == 0, output
    assert rows(
        amina(
            "calendar", "working-days", "2025-11-05", "2025-11-05", "--database-url", database_url
        )[1]
    ) == {"2025-11-05": "yes"}


def test_a_calendar_override_without_a_real_reason_is_refused(database_url: str) -> None:
    code, output = amina(
        "calendar",
        "override",
        "2025-11-05",
        "--working",
        "--reason",
        "x",
        "--database-url",
        database_url,
    )
    assert code == 1
    assert "reason" in output.lower()


def test_a_calendar_override_needs_working_or_day_off(database_url: str) -> None:
    code, _ = amina(
        "calendar",
        "override",
        "2025-11-05",
        "--reason",
        "Decree No. 1",
        "--database-url",
        database_url,
    )
    assert code == 2


def test_policy_show_prints_both_phases(database_url: str) -> None:
    code, output = amina("policy", "show", "--database-url", database_url)
    assert code == 0, output
    assert "phase-1-work" in output
    assert "phase-2-long-stay" in output
    assert "from 2026-09-01" in output


def test_db_upgrade_then_db_current_reports_the_newest_revision(
    empty_database_url: str,
) -> None:
    code, output = amina("db", "current", "--database-url", empty_database_url)
    assert code == 1
    assert "(empty)" in output
    code, output = amina("db", "upgrade", "--database-url", empty_database_url)
    assert code == 0, output
    code, output = amina("db", "current", "--database-url", empty_database_url)
    assert code == 0, output
    current = next(line for line in output.splitlines() if line.startswith("current:"))
    head = next(line for line in output.splitlines() if line.startswith("head:"))
    assert current.split()[1:] == head.split()[1:]


def test_serve_refuses_a_clock_in_production_with_a_clear_message(tmp_path: object) -> None:
    env = {
        **os.environ,
        "AMINA_ENV": "production",
        "AMINA_SECRET_KEY": "a-real-production-secret-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path}/never.sqlite3",
    }
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "amina",
            "serve",
            "--clock",
            "fixed:2025-11-05T09:00:00+03:00",
            "--port",
            "1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert "--clock is accepted only outside production" in finished.stdout + finished.stderr


def _without_settings(tmp_path: object) -> dict[str, str]:
    """The machine's environment without any Amina setting, on a database of the test's own."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AMINA_", "DATABASE_URL"))},
        "DATABASE_URL": f"sqlite:///{tmp_path}/never.sqlite3",
    }


def test_serve_without_settings_is_production_and_refuses_the_development_secret(
    tmp_path: object,
) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "amina", "serve", "--port", "1"],
        env=_without_settings(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    said = finished.stdout + finished.stderr
    assert "AMINA_SECRET_KEY must be set in production" in said
    assert "AMINA_ENV=development" in said  # and how to ask for development mode


def test_serve_refuses_the_demo_data_in_production(tmp_path: object) -> None:
    env = {**_without_settings(tmp_path), "AMINA_SECRET_KEY": "a-real-production-secret-0123"}
    finished = subprocess.run(
        [sys.executable, "-m", "amina", "serve", "--demo", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert "development mode" in finished.stdout + finished.stderr
