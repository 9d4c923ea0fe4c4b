"""Daily sweep benchmark (issue 6 point 10; results and how to read them: BENCHMARKS.md).

    .venv/bin/python bench/sweep/run.py                  # 1,000,000 people on PostgreSQL
    .venv/bin/python bench/sweep/run.py --people 200000 --keep

A fresh PostgreSQL database, migrated, is filled set-based (``INSERT … SELECT FROM
generate_series``) with N people: cards, persons, active registrations, one
``person_last_report`` row each and yesterday's daily summary. The mix on the swept day
(Wed 12 Nov 2025):

- 93 % reported yesterday (nothing to do),
- 3 % last reported on Mon 10 Nov (two silent working days: a reminder),
- 3 % last reported on Wed 5 Nov (five silent working days: a notice),
- 1 % reported from outside the region on each of the last three days (out-of-region notice).

Then ``amina sweep --on 2025-11-12`` runs as a child process, exactly as an operator runs it,
with the clock fixed at 09:00 that day. The parent samples the child's resident memory
(``/proc/<pid>/status`` VmRSS) every 0.2 s, and reports wall time, peak RSS and the RSS curve
(flat memory: chunks of 10,000, nothing accumulates), then runs the sweep a second time (it
must issue nothing: idempotency) and counts what the database holds.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from amina.adapters.db.engine import make_engine  # noqa: E402
from amina.adapters.db.migrate import upgrade  # noqa: E402
from amina.bootstrap import build  # noqa: E402
from amina.services.policy.versions import ensure_initial_policy  # noqa: E402
from amina.settings import Environment, Settings  # noqa: E402

PG_ADMIN = os.environ.get("AMINA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "amina_bench_sweep"
DAY = "2025-11-12"
CLOCK = "fixed:2025-11-12T09:00:00+03:00"

#: people are numbered 1..N; the remainder of i / 100 decides their story
FILL = [
    """
    INSERT INTO cards (card_number, surname_lat, given_names_lat, surname_cyr, given_names_cyr,
        date_of_birth, citizenship, passport_number, phone, valid_from, valid_to, status,
        purpose, intended_stay_days, category, imported_at, updated_at)
    SELECT '77' || lpad(i::text, 8, '0'), 'Rahimov', 'Farhod', 'Рахимов', 'Фарход',
        date '1970-01-01' + (i % 7000), (ARRAY['UZ','TJ','KG','AM','KZ'])[1 + i % 5],
        'P' || i, '+7900' || lpad(i::text, 7, '0'), date '2025-03-01', date '2027-03-01',
        'valid', 'work', 365, 'none', now(), now()
    FROM generate_series(1, :n) AS i
    """,
    """
    INSERT INTO persons (id, card_number, language, language_chosen, created_at, enrolled_at)
    SELECT md5('p' || i)::uuid::text, '77' || lpad(i::text, 8, '0'),
        (ARRAY['ru','uz','tg','ky','hy','kk','ka','az','ro','uk','en'])[1 + i % 11], true,
        timestamptz '2025-10-01 10:00+03', timestamptz '2025-10-01 10:00+03'
    FROM generate_series(1, :n) AS i
    """,
    """
    INSERT INTO registrations (person_id, id, number, serial, slip_code, status, region,
        settlement, street, house, building, flat, fias_id, lat, lon, near_border, host_kind,
        host_name, host_document, host_inn, stay_from, stay_to, purpose, policy_version,
        created_at, updated_at)
    SELECT md5('p' || i)::uuid::text, md5('r' || i)::uuid::text,
        'AM-2025-' || lpad(i::text, 7, '0'), i, upper(substr(md5('s' || i), 1, 13)), 'active',
        'RU-MOW', 'Москва', 'ул. Тверская', '7', NULL, (i % 300)::text, NULL, 55.7579, 37.6117,
        false, 'person', 'Иванов Иван', '4510 123456', NULL, date '2025-10-01',
        date '2026-09-30', 'work', '2025-09-01.1',
        timestamptz '2025-10-01 10:00+03', timestamptz '2025-10-01 10:00+03'
    FROM generate_series(1, :n) AS i
    """,
    """
    INSERT INTO person_last_report (person_id, device_id, device_time, received_at, lat, lon,
        region, flags, last_contact_at, status_reported_at, location_permission,
        location_services, battery_saver, app_version)
    SELECT md5('p' || i)::uuid::text, md5('d' || i)::uuid::text, t, t, 55.7579, 37.6117,
        CASE WHEN i % 100 = 99 THEN NULL ELSE 'RU-MOW' END, 0, t, t,
        CASE WHEN i % 100 = 97 THEN false ELSE true END, true, false, '1.0.0'
    FROM (
        SELECT i, CASE
            WHEN i % 100 IN (93, 94, 95) THEN timestamptz '2025-11-10 12:00+03'
            WHEN i % 100 IN (96, 97, 98) THEN timestamptz '2025-11-05 12:00+03'
            ELSE timestamptz '2025-11-11 12:00+03' END AS t
        FROM generate_series(1, :n) AS i
    ) AS s
    """,
    """
    INSERT INTO daily_summaries (person_id, day, reports, inside_region, near_address,
        first_at, last_at, flag_future_time, flag_too_old, flag_low_accuracy,
        flag_impossible_speed, flag_mocked, flag_outside_region, flag_near_border,
        flag_far_from_address, device_status_problems, updated_at)
    SELECT md5('p' || i)::uuid::text, d, 40,
        CASE WHEN i % 100 = 99 THEN 0 ELSE 40 END, 40,
        d + time '08:00', d + time '20:00', 0, 0, 0, 0, 0,
        CASE WHEN i % 100 = 99 THEN 40 ELSE 0 END, 0, 0, 0, now()
    FROM generate_series(1, :n) AS i,
         LATERAL (SELECT date '2025-11-11' AS d
                  UNION ALL SELECT date '2025-11-10' WHERE i % 100 = 99
                  UNION ALL SELECT date '2025-11-09' WHERE i % 100 = 99) AS days
    WHERE i % 100 NOT IN (93, 94, 95, 96, 97, 98)
    """,
]


def database_url() -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE


def fresh_database(people: int) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    engine = make_engine(database_url())
    upgrade(engine)
    container = build(Settings(env=Environment.test, database_url=database_url()))
    with container.uow() as uow:
        ensure_initial_policy(uow, container.clock)
        uow.commit()
    container.engine.dispose()
    with engine.begin() as connection:
        for statement in FILL:
            started = time.perf_counter()
            connection.execute(text(statement), {"n": people})
            table = statement.split("INSERT INTO")[1].split()[0]
            print(f"  filled {table} in {time.perf_counter() - started:.1f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def run_sweep() -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "AMINA_CLOCK": CLOCK,
        "AMINA_ENV": "development",
        "COLUMNS": "160",
    }
    command = [sys.executable, "-m", "amina", "sweep", "--on", DAY]
    samples: list[tuple[float, int]] = []
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)

    def sample() -> None:
        while child.poll() is None:
            value = rss_kib(child.pid)
            if value is not None:
                samples.append((time.perf_counter() - started, value))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    output, _ = child.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"amina sweep failed:\n{output}")
    peak = max(v for _, v in samples) if samples else 0
    curve = (
        [
            samples[min(len(samples) - 1, int(len(samples) * q))][1] // 1024
            for q in (0.1, 0.25, 0.5, 0.75, 0.99)
        ]
        if samples
        else []
    )
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mib": peak // 1024,
        "rss_curve_mib": curve,
        "output": output,
    }


def counts() -> dict[str, int]:
    engine = make_engine(database_url())
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for table, where in (
            ("notices", "kind = 'no_data'"),
            ("notices", "kind = 'out_of_region'"),
            ("reminders", "true"),
            ("inbox_messages", "true"),
            ("outbox", "true"),
            ("registrations", "status = 'confirmation_requested'"),
        ):
            found[f"{table} ({where})"] = int(
                connection.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one()
            )
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    print(f"Filling {args.people:,} people…", flush=True)
    started = time.perf_counter()
    fresh_database(args.people)
    fill_s = round(time.perf_counter() - started, 1)
    print("First sweep…", flush=True)
    first = run_sweep()
    print(first.pop("output"))
    print("Second sweep (must issue nothing)…", flush=True)
    second = run_sweep()
    print(second.pop("output"))
    result = {
        "people": args.people,
        "day": DAY,
        "fill_s": fill_s,
        "first": first,
        "second": second,
        "database": counts(),
    }
    print(json.dumps(result, indent=2))
    out = Path(__file__).with_name("results.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    if not args.keep:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
