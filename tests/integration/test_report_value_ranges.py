"""Issue 10 point 10: speed and altitude are range-checked like the coordinates, and a refused
over-long client id is not echoed back in full."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from report_support import fix, reporting_person, send, statuses

from amina.bootstrap import Container
from amina.domain.reports import CLIENT_ID_MAX_LENGTH

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")


def test_an_impossible_speed_or_height_is_rejected_in_the_persons_language(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="ru")
    batch = [
        fix(NOW - timedelta(minutes=30)),
        fix(NOW - timedelta(minutes=20), speed_mps=-3.0),
        fix(NOW - timedelta(minutes=10), altitude_m=40_000.0),
    ]

    answer = send(client, me, {"reports": batch})

    assert statuses(answer) == ["accepted", "rejected", "rejected"]
    speed, altitude = (r["error"] for r in answer.json()["results"][1:])
    assert (speed["code"], speed["field"]) == ("number_out_of_range", "speed_mps")
    assert (altitude["code"], altitude["field"]) == ("number_out_of_range", "altitude_m")
    assert "должно быть от" in altitude["message"]  # Russian, with the allowed range
    assert "15000" in altitude["message"]


def test_a_refused_over_long_client_id_is_not_echoed_back_in_full(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    long_id = "x" * 5000

    answer = send(client, me, {"reports": [fix(NOW, client_id=long_id), fix(NOW)]})

    assert statuses(answer) == ["rejected", "accepted"]
    echoed = answer.json()["results"][0]
    assert echoed["error"]["code"] == "client_id_invalid"
    assert len(echoed["client_id"]) <= CLIENT_ID_MAX_LENGTH
