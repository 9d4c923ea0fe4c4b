"""Bulk inserts on PostgreSQL, three ways (BENCHMARKS.md, issue 14 point 4): one array per
column (``unnest``), ``COPY`` rows, and one JSON document (``json_populate_recordset``, what
``amina/adapters/db/bulk.py`` does now) — 20,000 outbox-shaped rows, five rounds alternating;
Python CPU and wall time per row, medians, and the load average.

    .venv/bin/python bench/sweep/bulk_insert.py
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg

ROWS = 20_000
PART = 5_000
TYPES = {
    "person_id": "text",
    "id": "text",
    "channel": "text",
    "idempotency_key": "text",
    "payload": "text",
    "attempts": "int8",
    "next_attempt_at": "timestamptz",
    "created_at": "timestamptz",
    "sent_at": "timestamptz",
    "gave_up_at": "timestamptz",
    "last_error": "text",
}
COLUMNS = list(TYPES)
NAMES = ", ".join(COLUMNS)
TABLE = """CREATE TABLE bulk_t (
    person_id text, id text, channel text, idempotency_key text UNIQUE, payload json,
    attempts int, next_attempt_at timestamptz, created_at timestamptz, sent_at timestamptz,
    gave_up_at timestamptz, last_error text, PRIMARY KEY (person_id, id))"""


def make_rows() -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    text = "Напоминание: телефон не присылал данные 3 рабочих дня"
    return [
        {
            "person_id": str(uuid.uuid4()),
            "id": str(uuid.uuid4()),
            "channel": "sms",
            "idempotency_key": f"{uuid.uuid4()}:sms",
            "payload": {"to": "+79161234567", "text": text},
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "sent_at": None,
            "gave_up_at": None,
            "last_error": None,
        }
        for _ in range(ROWS)
    ]


def value(row: dict[str, Any], column: str) -> Any:
    return json.dumps(row[column], ensure_ascii=False) if column == "payload" else row[column]


def with_unnest(conn: psycopg.Connection[Any], rows: list[dict[str, Any]]) -> None:
    selected = ", ".join(f"t.{c}::json" if c == "payload" else f"t.{c}" for c in COLUMNS)
    arrays = ", ".join(f"%s::{TYPES[c]}[]" for c in COLUMNS)
    sql = (
        f"INSERT INTO bulk_t ({NAMES}) SELECT {selected} FROM unnest({arrays}) AS t({NAMES}) "
        "ON CONFLICT DO NOTHING RETURNING person_id, id"
    )
    for start in range(0, len(rows), PART):
        part = rows[start : start + PART]
        with conn.cursor() as cursor:
            cursor.execute(sql, [[value(r, c) for r in part] for c in COLUMNS])
            cursor.fetchall()


def with_copy(conn: psycopg.Connection[Any], rows: list[dict[str, Any]]) -> None:
    with conn.cursor() as cursor, cursor.copy(f"COPY bulk_t ({NAMES}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([value(row, c) for c in COLUMNS])


def with_json(conn: psycopg.Connection[Any], rows: list[dict[str, Any]], returning: bool) -> None:
    sql = (
        f"INSERT INTO bulk_t ({NAMES}) SELECT {NAMES} "
        "FROM json_populate_recordset(NULL::bulk_t, %s::json)"
    )
    if returning:
        sql += " ON CONFLICT DO NOTHING RETURNING person_id, id"
    for start in range(0, len(rows), PART):
        with conn.cursor() as cursor:
            cursor.execute(sql, [orjson.dumps(rows[start : start + PART]).decode()])
            if returning:
                cursor.fetchall()


def main() -> None:
    rows = make_rows()
    conn = psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres")
    conn.execute("DROP TABLE IF EXISTS bulk_t")
    conn.execute(TABLE)
    conn.commit()
    ways: dict[str, Callable[[], None]] = {
        "unnest + returning": lambda: with_unnest(conn, rows),
        "copy": lambda: with_copy(conn, rows),
        "json + returning": lambda: with_json(conn, rows, True),
        "json": lambda: with_json(conn, rows, False),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    loads = [os.getloadavg()[0]]
    for _round in range(5):
        for name, insert in ways.items():
            conn.execute("TRUNCATE bulk_t")
            conn.commit()
            cpu, wall = time.process_time(), time.perf_counter()
            insert()
            conn.commit()
            results[name].append(
                (
                    (time.process_time() - cpu) * 1e6 / ROWS,
                    (time.perf_counter() - wall) * 1e6 / ROWS,
                )
            )
        loads.append(os.getloadavg()[0])
    conn.execute("DROP TABLE bulk_t")
    conn.commit()
    print(f"load average (1 min) during the rounds: {', '.join(f'{x:.1f}' for x in loads)}")
    for name, runs in results.items():
        python = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        print(f"{name:20s} Python CPU {python:6.1f} µs/row   wall {wall:6.1f} µs/row (medians)")


if __name__ == "__main__":
    main()
