"""Access tokens and device credentials carry the person's id (``<person id>.<secret>``), so
that their look-ups name the person and a distributed database reads one shard
(docs/scale-out.md); secrets issued before that (no ``.``) keep working (docs/sign-in.md)."""

from __future__ import annotations

import secrets
import uuid

from fastapi.testclient import TestClient
from report_support import fix, reporting_person, send, statuses
from sign_in_support import Session
from sqlalchemy import update

from amina.adapters.db.identity.tables import AccessTokenRow, DeviceRow
from amina.bootstrap import Container
from amina.services.clock import FixedClock
from amina.services.identity.sign_in import secret_hash


def test_a_new_access_token_and_device_credential_start_with_the_person_id(
    client: TestClient, container: Container
) -> None:
    session = reporting_person(client, container)
    assert session.access_token.startswith(f"{session.person_id}.")
    assert session.device_credential.startswith(f"{session.person_id}.")
    assert client.get("/api/v1/me", headers=session.bearer).status_code == 200


def test_a_secret_under_another_persons_id_opens_nothing(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    session = reporting_person(client, container)
    _, secret = session.access_token.split(".", 1)
    _, credential_secret = session.device_credential.split(".", 1)
    someone_else = str(uuid.uuid4())
    forged = {"Authorization": f"Bearer {someone_else}.{secret}"}
    answer = client.get("/api/v1/me", headers=forged)
    assert answer.status_code == 401
    assert answer.json()["code"] == "not_signed_in"
    answer = client.post(
        "/api/v1/reports",
        json=fix(clock.now()),
        headers={"Authorization": f"Device {someone_else}.{credential_secret}"},
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "device_unknown"


def test_secrets_issued_before_they_carried_the_person_id_still_work(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    session = reporting_person(client, container)
    # what the earlier release handed out: 256 random bits, no person id (stored as SHA-256)
    old_token, old_credential = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with container.uow() as uow:
        uow.session.execute(
            update(AccessTokenRow)
            .where(AccessTokenRow.person_id == session.person_id)
            .values(token_hash=secret_hash(old_token))
        )
        uow.session.execute(
            update(DeviceRow)
            .where(DeviceRow.person_id == session.person_id)
            .values(credential_hash=secret_hash(old_credential))
        )
        uow.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"}).json()[
        "id"
    ] == (session.person_id)
    old_device = Session(old_token, old_credential, session.person_id, session.body)
    assert statuses(send(client, old_device, fix(clock.now()))) == ["accepted"]
    # renewing with the old credential hands out a token of the new form
    renewed = client.post("/api/v1/auth/refresh", headers=old_device.device)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["access_token"].startswith(f"{session.person_id}.")
