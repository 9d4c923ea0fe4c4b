"""MMC booking rush benchmark (issue 12 point 9; results and how to read them: BENCHMARKS.md).

    .venv/bin/python bench/booking/run.py                       # 10,000 people, 32 threads
    .venv/bin/python bench/booking/run.py --people 2000 --threads 16 --keep

A fresh PostgreSQL database, migrated, gets N card holders made persons (set-based SQL), and the
next fortnight's slots are opened at once from the default templates (the ``booking-slots``
job's use case) with the clock at Friday 7 November 2025, 08:00 Moscow. Then N simulated people
rush to book in the same moment: each wants one service (weighted like the centre's load) and
the *earliest* free time, read from a listing taken before the rush (everyone sees the same
times, as after a page load); on ``slot_full`` the person reads the listing again and tries the
next time, up to 5 attempts. Each attempt is one use case in its own unit of work with its own
``Idempotency-Key`` — exactly what ``POST /api/v1/me/bookings`` runs — on ``--threads`` threads
sharing one engine.

Reported: bookings per second (accepted) and attempts per second, p50/p99 latency of an attempt,
how many got ``slot_full``; then, **counted from the database afterwards**: slots whose counter
exceeds their capacity, slots with more active booking rows than seats, and slots whose counter
differs from their active booking rows. All three must be zero.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from amina.adapters.db.engine import make_engine  # noqa: E402
from amina.adapters.db.migrate import upgrade  # noqa: E402
from amina.adapters.db.uow import UnitOfWork  # noqa: E402
from amina.bootstrap import build  # noqa: E402
from amina.domain.booking import ServiceCode  # noqa: E402
from amina.services.booking.bookings import book  # noqa: E402
from amina.services.booking.slots import free_slots, open_slots  # noqa: E402
from amina.services.clock import FixedClock  # noqa: E402
from amina.services.errors import AminaError  # noqa: E402
from amina.services.idempotency import Answer, IdempotentRequest, fingerprint, run_once  # noqa: E402
from amina.settings import Environment, Settings  # noqa: E402

PG_ADMIN = os.environ.get("AMINA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "amina_bench_booking"
NOW = datetime.fromisoformat("2025-11-07T08:00:00+03:00")
NEXT_WEEK = (date(2025, 11, 10), date(2025, 11, 14))
ATTEMPTS = 5

#: what people come for, by weight (the replacement of a lost card needs a lost card: not here)
WANTS = [
    (ServiceCode.card_issuance, 25),
    (ServiceCode.biometrics, 25),
    (ServiceCode.medical_examination, 20),
    (ServiceCode.language_test, 10),
    (ServiceCode.patent_issuance, 15),
    (ServiceCode.document_pickup, 5),
]

FILL = [
    """
    INSERT INTO cards (card_number, surname_lat, given_names_lat, surname_cyr, given_names_cyr,
        date_of_birth, citizenship, passport_number, phone, valid_from, valid_to, status,
        purpose, intended_stay_days, category, imported_at, updated_at)
    SELECT '77' || lpad(i::text, 8, '0'), 'Rahimov', 'Farhod', 'Рахимов', 'Фарход',
        date '1970-01-01' + (i % 7000), 'UZ', 'P' || i, '+7900' || lpad(i::text, 7, '0'),
        date '2025-03-01', date '2027-03-01', 'valid', 'work', 365, 'none', now(), now()
    FROM generate_series(1, :n) AS i
    """,
    """
    INSERT INTO persons (id, card_number, language, language_chosen, created_at, enrolled_at)
    SELECT md5('p' || i)::uuid::text, '77' || lpad(i::text, 8, '0'), 'uz', true,
        timestamptz '2025-10-01 10:00+03', timestamptz '2025-10-01 10:00+03'
    FROM generate_series(1, :n) AS i
    """,
]

CHECKS = {
    "slots over capacity (counter)": "SELECT count(*) FROM booking_slots WHERE booked > capacity",
    "slots with more active bookings than seats": """
        SELECT count(*) FROM (
            SELECT s.id FROM booking_slots s JOIN bookings b ON b.slot_id = s.id
            WHERE b.status IN ('held', 'confirmed', 'checked_in')
            GROUP BY s.id, s.capacity HAVING count(*) > s.capacity) AS over
    """,
    "slots whose counter differs from their bookings": """
        SELECT count(*) FROM booking_slots s
        WHERE s.booked <> (SELECT count(*) FROM bookings b WHERE b.slot_id = s.id
                           AND b.status IN ('held', 'confirmed', 'checked_in'))
    """,
    "people with two active bookings of one service": """
        SELECT count(*) FROM (SELECT person_id, service FROM bookings
            WHERE status IN ('held', 'confirmed', 'checked_in')
            GROUP BY person_id, service HAVING count(*) > 1) AS twice
    """,
}


def database_url() -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE


def prepare(people: int) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    engine = make_engine(database_url())
    upgrade(engine)
    with engine.begin() as conn:
        for statement in FILL:
            conn.execute(text(statement), {"n": people})
    engine.dispose()


def listing(container: Any, service: ServiceCode) -> list[str]:
    with container.uow() as uow:
        return [s.id for s in free_slots(uow, container.clock, service, *NEXT_WEEK)]


def run(people: int, threads: int, seed: int) -> dict[str, Any]:  # noqa: PLR0915 (one story)
    settings = Settings(env=Environment.test, database_url=database_url(), scheduler=False)
    clock = FixedClock(NOW)
    container = build(settings, clock=clock)
    container.engine.dispose()
    container.engine.pool._pool.maxsize = threads + 4  # type: ignore[attr-defined]
    with container.uow() as uow:
        opened = open_slots(uow, clock)
        uow.commit()
    with container.engine.connect() as conn:
        seats = conn.execute(
            text(
                "SELECT coalesce(sum(capacity), 0) FROM booking_slots WHERE day BETWEEN :a AND :b"
            ),
            {"a": NEXT_WEEK[0], "b": NEXT_WEEK[1]},
        ).scalar_one()
        person_ids = [r[0] for r in conn.execute(text("SELECT id FROM persons ORDER BY id"))]
    rng = random.Random(seed)
    services = [s for s, _ in WANTS]
    weights = [w for _, w in WANTS]
    wants = {p: rng.choices(services, weights)[0] for p in person_ids}
    first_look = {s: listing(container, s) for s in services}  # the page everyone loaded
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    start_gate = threading.Barrier(threads)

    def attempt(person_id: str, service: ServiceCode, slot_id: str, n: int) -> str:
        def create(uow: UnitOfWork) -> Answer:
            made = book(uow, clock, person_id, service, slot_id)
            return Answer(201, {"id": made.id})

        request = IdempotentRequest(
            f"person:{person_id} POST /api/v1/me/bookings",
            f"rush-{n}",
            fingerprint({"service": service.value, "slot_id": slot_id}),
        )
        began = time.perf_counter()
        try:
            run_once(container.uow, clock, request, create)
            result = "booked"
        except AminaError as error:
            result = error.code
        with lock:
            latencies.append(time.perf_counter() - began)
        return result

    def person(person_id: str) -> str:
        service = wants[person_id]
        times = first_look[service]
        for n in range(ATTEMPTS):
            if not times:
                return "nothing_free"
            result = attempt(person_id, service, times[0], n)
            if result != "slot_full":
                return result
            times = listing(container, service)
        return "gave_up"

    chunks = [person_ids[i::threads] for i in range(threads)]

    def worker(mine: list[str]) -> list[str]:
        start_gate.wait()
        return [person(p) for p in mine]

    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = [r for chunk in pool.map(worker, chunks) for r in chunk]
    wall = time.perf_counter() - began
    for result in results:
        outcomes[result] = outcomes.get(result, 0) + 1
    with container.engine.connect() as conn:
        checks = {name: conn.execute(text(sql)).scalar_one() for name, sql in CHECKS.items()}
        booked_rows = conn.execute(
            text("SELECT count(*) FROM bookings WHERE status = 'confirmed'")
        ).scalar_one()
    container.engine.dispose()
    ordered = sorted(latencies)
    return {
        "people": people,
        "threads": threads,
        "slots_opened": opened,
        "seats_next_week": int(seats),
        "wall_seconds": round(wall, 2),
        "accepted": outcomes.get("booked", 0),
        "bookings_in_database": int(booked_rows),
        "outcomes": outcomes,
        "attempts": len(ordered),
        "bookings_per_second": round(outcomes.get("booked", 0) / wall, 1),
        "attempts_per_second": round(len(ordered) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
        "checks": checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    prepare(args.people)
    result = run(args.people, args.threads, args.seed)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    (Path(__file__).parent / "results.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if not args.keep:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()
    if any(result["checks"].values()):
        sys.exit("OVERBOOKED")


if __name__ == "__main__":
    main()
