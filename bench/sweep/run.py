"""Daily sweep benchmark (issues 6 and 14; results and how to read them: BENCHMARKS.md).

    .venv/bin/python bench/sweep/run.py --people 200000             # this checkout, 1 round
    .venv/bin/python bench/sweep/run.py --people 2000000 --keep     # keep the filled template
    .venv/bin/python bench/sweep/run.py --people 200000 --rounds 3 --template-revision 0009 \\
        --checkout /work/wt-sweep-base --checkout .                 # before/after, alternating
    .venv/bin/python bench/sweep/run.py --help                      # every flag

**The data.** A PostgreSQL *template* database, migrated (to ``--template-revision``, default
the head of this checkout), is filled set-based (``INSERT … SELECT FROM generate_series``) with N
people: cards, persons, active registrations, one ``person_last_report`` row each and the daily
summaries. The mix on the swept day (Wed 12 Nov 2025):

- 93 % reported yesterday (nothing to do),
- 3 % last reported on Mon 10 Nov (two silent working days: a reminder),
- 3 % last reported on Wed 5 Nov (five silent working days: a notice),
- 1 % reported from outside the region on each of the last three days (out-of-region notice).

The template is filled once and kept with ``--keep`` (filling 2 million people takes minutes);
a later run with the same ``--people`` and revision reuses it.

**A round**, for each checkout in turn (``--checkout``, default this one; alternating, so that
the machine's load falls on both alike): the database under test is copied from the template
(``CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY``), the checkout's own ``amina db upgrade``
brings it to that checkout's head (its migrations: indexes are built here, timed apart), then
``amina sweep --on 2025-11-12`` runs as a child process exactly as an operator runs it (clock
fixed at 09:00 that day) — once (the first run of the day) and again (a same-day re-run, which
must issue nothing). For every run it records the wall time, the peak RSS and the RSS curve
(``/proc/<pid>/status`` sampled every 0.2 s; flat memory), the child's CPU time, the CPU time of
the database backends serving it, the 1-minute load average before, during (highest sample) and
after, and — where the checkout reports them (``amina sweep --json``) — the sweep's own time per
phase. At the end, what the database holds (notices, reminders, messages…), which must be the
same for every checkout.

Python runs with its bytecode compiled (in a cache under ``/tmp``, warmed before the first
round), as an installed service does; without it every start compiles ~1,500 modules (~6 s
here).

It prints min / median / max over the rounds per checkout and the ratios of the medians, and
writes everything to ``--out`` (default ``bench/sweep/results.json``). Not part of the test
suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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
PYCACHE = Path(tempfile.gettempdir()) / "amina-bench-pycache"

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

COUNTED = (
    ("notices", "kind = 'no_data'"),
    ("notices", "kind = 'out_of_region'"),
    ("reminders", "true"),
    ("inbox_messages", "true"),
    ("outbox", "true"),
    ("registrations", "status = 'confirmation_requested'"),
    ("registration_events", "to_status = 'confirmation_requested'"),
)


def url_of(database: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + database


def admin_execute(*statements: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


def database_exists(name: str) -> bool:
    admin = create_engine(PG_ADMIN)
    with admin.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
    admin.dispose()
    return found is not None


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


# --- the template ------------------------------------------------------------------------------


def template_name(people: int, revision: str) -> str:
    return f"amina_bench_sweep_tpl_{people}_{revision}"


def fill_template(people: int, revision: str) -> dict[str, float]:
    """A migrated database with ``people`` people in it; returns seconds per table."""
    name = template_name(people, revision)
    admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    engine = make_engine(url_of(name))
    upgrade(engine, revision)
    container = build(Settings(env=Environment.test, database_url=url_of(name)))
    with container.uow() as uow:
        ensure_initial_policy(uow, container.clock)
        uow.commit()
    container.engine.dispose()
    seconds: dict[str, float] = {}
    with engine.begin() as connection:
        for statement in FILL:
            started = time.perf_counter()
            connection.execute(text(statement), {"n": people})
            table = statement.split("INSERT INTO")[1].split()[0]
            seconds[table] = round(time.perf_counter() - started, 1)
            print(f"  filled {table} in {seconds[table]} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        started = time.perf_counter()
        connection.execute(text("VACUUM ANALYZE"))
        seconds["vacuum analyze"] = round(time.perf_counter() - started, 1)
    engine.dispose()
    return seconds


# --- one run of a child process ------------------------------------------------------------------


def child_env(checkout: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url_of(DATABASE),
        "AMINA_CLOCK": CLOCK,
        "AMINA_ENV": "development",
        "COLUMNS": "160",
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
        "PYTHONPATH": str(checkout),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def python_of(checkout: Path) -> str:
    return str(checkout / ".venv" / "bin" / "python")


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class DatabaseCpu:
    """CPU seconds of the backends serving the database under test, read while they live (a
    backend's last reading counts; they close with the child)."""

    def __init__(self) -> None:
        self.engine = create_engine(PG_ADMIN)
        self.connection = self.engine.connect()
        self.seen: dict[int, float] = {}

    def sample(self) -> None:
        pids = self.connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :name"), {"name": DATABASE}
        ).scalars()
        for pid in pids:
            seconds = cpu_seconds(pid)
            if seconds is not None:
                self.seen[pid] = seconds
        self.connection.rollback()

    def close(self) -> float:
        self.connection.close()
        self.engine.dispose()
        return round(sum(self.seen.values()), 2)


def run_child(checkout: Path, arguments: list[str]) -> dict[str, Any]:
    """Run ``amina <arguments>`` from ``checkout``; wall time, RSS, CPU and load."""
    command = [python_of(checkout), "-m", "amina", *arguments]
    samples: list[tuple[float, int]] = []
    loads = [load_average()]
    database = DatabaseCpu()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(
        command, env=child_env(checkout), cwd=checkout, stdout=subprocess.PIPE, text=True
    )

    def sample() -> None:
        ticks = 0
        while child.poll() is None:
            value = rss_kib(child.pid)
            if value is not None:
                samples.append((time.perf_counter() - started, value))
            if ticks % 5 == 0:
                database.sample()
                loads.append(load_average())
            ticks += 1
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    output, _ = child.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        raise SystemExit(f"amina {' '.join(arguments)} failed in {checkout}:\n{output}")
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
        "wall_s": round(wall, 2),
        "cpu_s": round(
            (children_after.ru_utime - children_before.ru_utime)
            + (children_after.ru_stime - children_before.ru_stime),
            2,
        ),
        "database_cpu_s": database.close(),
        "peak_rss_mib": peak // 1024,
        "rss_curve_mib": curve,
        "load_before": loads[0],
        "load_max": max([*loads, load_average()]),
        "load_after": load_average(),
        "output": output,
    }


def sweep_once(checkout: Path, json_report: bool, *extra: str) -> dict[str, Any]:
    arguments = ["sweep", "--on", DAY, *extra] + (["--json"] if json_report else [])
    run = run_child(checkout, arguments)
    output = run.pop("output")
    run["report"] = None
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            run["report"] = json.loads(line)
            break
    if run["report"] is None:
        run["printed"] = output
    return run


def supports_json(checkout: Path) -> bool:
    """Whether the checkout's ``amina sweep`` has ``--json`` (older ones print a table only)."""
    command = checkout / "amina" / "entrypoints" / "cli" / "compliance.py"
    # Checkouts from before the restructuring have no such module (and no --json).
    return command.exists() and '"--json"' in command.read_text()


def counts() -> dict[str, int]:
    engine = make_engine(url_of(DATABASE))
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for table, where in COUNTED:
            found[f"{table} ({where})"] = int(
                connection.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one()
            )
    engine.dispose()
    return found


def one_round(checkout: Path, template: str) -> dict[str, Any]:
    started = time.perf_counter()
    admin_execute(
        f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
        f'CREATE DATABASE "{DATABASE}" TEMPLATE "{template}" STRATEGY FILE_COPY',
    )
    copied_s = round(time.perf_counter() - started, 1)
    migrated = run_child(checkout, ["db", "upgrade"])
    migrated.pop("output")
    json_report = supports_json(checkout)
    print(f"  {checkout.name}: first sweep…", flush=True)
    first = sweep_once(checkout, json_report)
    print(f"  {checkout.name}: second sweep (must issue nothing)…", flush=True)
    second = sweep_once(checkout, json_report)
    again = None
    if json_report:  # the checkout remembers finished days: also examine everyone once more
        print(f"  {checkout.name}: third sweep, --again (must issue nothing)…", flush=True)
        again = sweep_once(checkout, json_report, "--again")
    return {
        "checkout": str(checkout),
        "copy_s": copied_s,
        "upgrade": migrated,
        "first": first,
        "second": second,
        "again": again,
        "database": counts(),
    }


# --- summary -------------------------------------------------------------------------------------


def spread(values: list[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    return " / ".join(f"{v:g}" for v in (ordered[0], statistics.median(ordered), ordered[-1]))


def summary(rounds: list[dict[str, Any]], checkouts: list[Path]) -> str:
    lines = [
        "| checkout | run | wall s (min / median / max) | sweep's own s | its CPU s | peak RSS MiB "
        "| child CPU s | database CPU s | load before / max / after (each round) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    medians: dict[tuple[str, str], float] = {}
    if not rounds:
        return ""
    for checkout in checkouts:
        mine = [r for r in rounds if r["checkout"] == str(checkout)]
        for run in ("first", "second", "again"):
            runs = [r[run] for r in mine if r.get(run)]
            if not runs:
                continue
            walls = [r["wall_s"] for r in runs]
            medians[(str(checkout), run)] = statistics.median(walls)
            own = [
                # the run's wall time where the report has it (phases overlap since the
                # writer thread), else the phases added up
                round(
                    r["report"].get("seconds")
                    or sum(p["seconds"] for p in r["report"]["phases"].values()),
                    2,
                )
                for r in runs
                if r["report"] and r["report"].get("phases")
            ]
            own_cpu = [
                round(sum(p.get("cpu_seconds", 0) for p in r["report"]["phases"].values()), 2)
                for r in runs
                if r["report"] and r["report"].get("phases")
            ]
            loads = ", ".join(
                f"{r['load_before']:.1f} / {r['load_max']:.1f} / {r['load_after']:.1f}"
                for r in runs
            )
            lines.append(
                f"| {checkout.name} | {run} | {spread(walls)} | {spread(own)} | {spread(own_cpu)} "
                f"| {spread([r['peak_rss_mib'] for r in runs])} "
                f"| {spread([r['cpu_s'] for r in runs])} "
                f"| {spread([r['database_cpu_s'] for r in runs])} | {loads} |"
            )
    if len(checkouts) == 2 and rounds:
        before, after = (str(c) for c in checkouts)
        for run in ("first", "second"):
            ratio = medians[(before, run)] / max(medians[(after, run)], 1e-9)
            lines.append(
                f"\n{run}: median wall {checkouts[0].name} ÷ {checkouts[1].name} = {ratio:.2f}"
            )
    return "\n".join(lines)


def phase_table(rounds: list[dict[str, Any]]) -> str:
    lines = []
    for r in rounds:
        for run in ("first", "second", "again"):
            report = (r.get(run) or {}).get("report")
            if not report or not report.get("phases"):
                continue
            phases = ", ".join(
                f"{name} {p['seconds']:.2f} s, CPU {p.get('cpu_seconds', 0):.2f} s ({p['rows']:,})"
                for name, p in report["phases"].items()
            )
            lines.append(f"- {Path(r['checkout']).name} {run}: {phases}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1, help="rounds per checkout (alternating)")
    parser.add_argument(
        "--checkout",
        type=Path,
        action="append",
        help="a checkout to measure (its own .venv); repeat to compare; default this one",
    )
    parser.add_argument(
        "--template-revision",
        default="head",
        help="migrate the template to this revision (the oldest checkout's head when comparing)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the filled template afterwards")
    parser.add_argument("--refill", action="store_true", help="fill the template even if kept")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    args = parser.parse_args()
    checkouts = [c.resolve() for c in (args.checkout or [REPO])]
    template = template_name(args.people, args.template_revision)
    fill: dict[str, float] | None = None
    if args.refill or not database_exists(template):
        print(f"Filling {args.people:,} people into {template}…", flush=True)
        fill = fill_template(args.people, args.template_revision)
    else:
        print(f"Reusing {template}", flush=True)
    for checkout in checkouts:  # compile every module once, outside the measurements
        subprocess.run(
            [python_of(checkout), "-m", "amina", "--help"],
            env=child_env(checkout),
            cwd=checkout,
            stdout=subprocess.DEVNULL,
            check=True,
        )
    rounds: list[dict[str, Any]] = []
    for number in range(1, args.rounds + 1):
        for checkout in checkouts:
            print(f"Round {number}, {checkout}", flush=True)
            rounds.append(one_round(checkout, template))
            last = rounds[-1]
            print(
                f"    first {last['first']['wall_s']} s (load {last['first']['load_before']}), "
                f"second {last['second']['wall_s']} s (load {last['second']['load_before']}); "
                f"{last['database']}",
                flush=True,
            )
    if not args.keep:
        admin_execute(
            f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
            f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
        )
    result = {
        "people": args.people,
        "day": DAY,
        "template": template,
        "fill_s": fill,
        "rounds": rounds,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(summary(rounds, checkouts))
    print(phase_table(rounds))


if __name__ == "__main__":
    main()
