"""The SQL mirrors of the compliance rules decide exactly as the rules do, on SQLite and
PostgreSQL.

The sweep and the report ingest ask the database which notices are unresolved, which are
covered by the person's reports and whose deadline is missed, so that they read only the rows
they act on. Each of those questions has one rule in ``amina.domain.compliance`` and one SQL
mirror, named after it, in ``amina.adapters.db.compliance.store``. Here both answer the same
generated cases: the cases are handed to the database as a list of literal rows (no table is
written), the mirror is evaluated over them, and every answer must equal the rule's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    CTE,
    Boolean,
    Date,
    Engine,
    Integer,
    String,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.types import TypeEngine

from amina.adapters.db.compliance import store
from amina.adapters.db.engine import make_engine
from amina.domain import compliance
from amina.domain.calendar import WorkingCalendar
from amina.domain.compliance import NoticeKind, NoticeStatus, ReportedDay

CALENDAR = WorkingCalendar()
#: Dates around the November 2025 holidays and the 2026 New Year break, so that covered
#: ranges, deadlines and days off meet often.
dates = st.dates(min_value=date(2025, 10, 27), max_value=date(2025, 11, 12))
holiday_dates = st.dates(min_value=date(2025, 10, 25), max_value=date(2026, 1, 20))
kinds = st.sampled_from(NoticeKind)
people = st.sampled_from(["anna", "bakhtiyor", "chen", "dilnoza"])

MIRROR = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = make_engine(database_url)
    yield built
    built.dispose()


def rows(name: str, columns: dict[str, TypeEngine[Any]], values: Sequence[tuple[Any, ...]]) -> CTE:
    """The generated cases as a named list of literal rows, with the given column types."""
    selects = [
        select(*(literal(v, t).label(c) for (c, t), v in zip(columns.items(), row, strict=True)))
        for row in values
    ]
    if len(selects) == 1:
        return selects[0].cte(name)
    return union_all(*selects).cte(name)


def chosen(engine: Engine, statement: Any) -> set[int]:
    with engine.connect() as connection:
        return {int(i) for i in connection.scalars(statement)}


@MIRROR
@given(statuses=st.lists(st.sampled_from(NoticeStatus), min_size=1, max_size=8))
def test_the_database_counts_the_same_notices_unresolved_as_the_rule(
    engine: Engine, statuses: list[NoticeStatus]
) -> None:
    cases = rows(
        "cases",
        {"i": Integer(), "status": String()},
        [(i, s.value) for i, s in enumerate(statuses)],
    )
    expected = {i for i, s in enumerate(statuses) if compliance.unresolved(s)}

    assert chosen(engine, select(cases.c.i).where(store.unresolved(cases.c.status))) == expected
    # the same test as text, for the statements the report ingest writes for the driver
    as_text = text(store.unresolved_sql("cases.status"))
    assert chosen(engine, select(cases.c.i).where(as_text)) == expected


@MIRROR
@given(
    days=st.lists(
        st.tuples(kinds, dates, dates, dates, st.booleans(), st.booleans()),
        min_size=1,
        max_size=12,
    )
)
def test_the_database_finds_the_same_days_cover_a_notice_as_the_rule(
    engine: Engine, days: list[tuple[NoticeKind, date, date, date, bool, bool]]
) -> None:
    columns: dict[str, TypeEngine[Any]] = {
        "i": Integer(),
        "kind": String(),
        "covered_from": Date(),
        "deadline": Date(),
        "report_day": Date(),
        "inside_region": Boolean(),
        "near_address": Boolean(),
    }
    cases = rows("cases", columns, [(i, k.value, *rest) for i, (k, *rest) in enumerate(days)])
    c = cases.c
    mirror = store.covers(
        c.kind,
        c.covered_from,
        c.deadline,
        report_day=c.report_day,
        inside_region=c.inside_region,
        near_address=c.near_address,
    )
    expected = {
        i
        for i, (kind, covered_from, deadline, report_day, inside, near) in enumerate(days)
        if compliance.covers(
            kind,
            covered_from,
            deadline,
            report_day=report_day,
            inside_region=inside,
            near_address=near,
        )
    }

    assert chosen(engine, select(c.i).where(mirror)) == expected


counts = st.integers(min_value=0, max_value=2)


@MIRROR
@given(
    notices=st.lists(st.tuples(people, kinds, dates, dates), min_size=1, max_size=8),
    summaries=st.dictionaries(
        st.tuples(people, dates), st.tuples(counts, counts, counts), min_size=1, max_size=16
    ),
)
def test_the_database_finds_the_same_notices_covered_by_reports_as_the_rule(
    engine: Engine,
    notices: list[tuple[str, NoticeKind, date, date]],
    summaries: dict[tuple[str, date], tuple[int, int, int]],
) -> None:
    notice_rows = rows(
        "notice_cases",
        {
            "i": Integer(),
            "person_id": String(),
            "kind": String(),
            "covered_from": Date(),
            "deadline": Date(),
        },
        [(i, p, k.value, f, d) for i, (p, k, f, d) in enumerate(notices)],
    )
    summary_rows = rows(
        "summary_cases",
        {
            "person_id": String(),
            "day": Date(),
            "reports": Integer(),
            "inside_region": Integer(),
            "near_address": Integer(),
        },
        [(p, day, *numbers) for (p, day), numbers in summaries.items()],
    )

    def days_of(person_id: str) -> list[ReportedDay]:
        return [ReportedDay(d, *numbers) for (p, d), numbers in summaries.items() if p == person_id]

    expected = {
        i
        for i, (person_id, kind, covered_from, deadline) in enumerate(notices)
        if compliance.covered_by_reports(kind, covered_from, deadline, days_of(person_id))
    }
    mirror = store.covered_by_reports(notice_rows, summary_rows)

    assert chosen(engine, select(notice_rows.c.i).where(mirror)) == expected


@MIRROR
@given(
    deadlines=st.lists(holiday_dates, min_size=1, max_size=10),
    today=holiday_dates,
)
def test_the_database_finds_the_same_deadlines_missed_as_the_rule(
    engine: Engine, deadlines: list[date], today: date
) -> None:
    cases = rows(
        "cases", {"i": Integer(), "deadline": Date()}, [(i, d) for i, d in enumerate(deadlines)]
    )
    expected = {
        i
        for i, deadline in enumerate(deadlines)
        if compliance.deadline_missed(deadline, today, CALENDAR)
    }
    mirror = store.deadline_missed(cases.c.deadline, today, CALENDAR)

    assert chosen(engine, select(cases.c.i).where(mirror)) == expected
