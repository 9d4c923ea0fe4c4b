"""The audit log is append-only and tamper-evident (SPEC §10), on SQLite and PostgreSQL.

Rows are changed here behind the application's back (triggers switched off as the database
owner would) to show that `amina audit verify` and the auditor's page name the broken entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from amina.bootstrap import Container
from amina.entrypoints.cli.main import app as cli
from amina.services.audit.trail import Actor, record_access, verify_audit_chain

OPERATOR = Actor(staff_id="22222222-2222-2222-2222-222222222222", role="operator")


def record_three_searches(container: Container) -> None:
    with container.uow() as uow:
        for n in (1, 2, 3):
            record_access(
                uow,
                container.clock,
                OPERATOR,
                action="person.search",
                purpose=f"Help with enrolment, request {n}",
                person_id=f"person-{n}",
            )
        uow.commit()


def tamper(container: Container, statement: str) -> None:
    """Change audit_log as someone with direct database access would."""
    with container.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # as superuser: skip triggers for this transaction's session
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))
        connection.execute(text(statement))


def verify_with_cli(container: Container) -> Any:
    url = container.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["audit", "verify", "--database-url", url])


def test_an_intact_chain_verifies_with_its_count(container: Container) -> None:
    record_three_searches(container)
    result = verify_with_cli(container)
    assert result.exit_code == 0, result.output
    assert "intact: 3 entries checked" in result.output


def test_a_changed_purpose_is_caught_and_the_entry_named(container: Container) -> None:
    record_three_searches(container)
    tamper(container, "UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 2")

    report = verify_audit_chain_now(container)
    assert report.first_broken_seq == 2
    assert report.problem == "entry content does not match its hash"

    result = verify_with_cli(container)
    assert result.exit_code == 1
    assert "seq=2" in result.output
    assert "entry content does not match its hash" in result.output


def test_a_deleted_entry_is_caught_at_the_entry_after_it(container: Container) -> None:
    record_three_searches(container)
    tamper(container, "DELETE FROM audit_log WHERE seq = 2")
    result = verify_with_cli(container)
    assert result.exit_code == 1
    assert "seq=3" in result.output
    assert "link to the previous entry does not match" in result.output


def test_the_auditor_page_shows_where_the_chain_breaks(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], Any]
) -> None:
    record_three_searches(container)
    tamper(container, "UPDATE audit_log SET person_id = 'someone-else' WHERE seq = 3")
    sign_in_staff("auditor")
    page = client.get("/console/audit", headers={"Accept-Language": "en"})
    assert 'data-status="broken"' in page.text
    assert re.search(r'data-seq="3"', page.text)
    assert "The chain is broken at entry 3." in page.text


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET purpose = 'rewritten' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_update_or_delete_audit_entries(
    container: Container, statement: str
) -> None:
    record_three_searches(container)
    with pytest.raises(DBAPIError, match="append-only"), container.engine.begin() as connection:
        connection.execute(text(statement))
    assert verify_audit_chain_now(container).intact
    assert verify_audit_chain_now(container).entries_checked == 3


def verify_audit_chain_now(container: Container) -> Any:
    with container.uow() as uow:
        return verify_audit_chain(uow)
