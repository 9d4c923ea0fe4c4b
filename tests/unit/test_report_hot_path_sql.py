"""The report hot path's statements stay within what a Citus cluster (distributed by person)
accepts: Citus refuses a sub-select inside ``INSERT … ON CONFLICT DO UPDATE`` ("subqueries are
not supported within INSERT queries"), so the per-person "last report" upsert has none."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from amina.adapters.db.reports.store import HotPathSql
from amina.domain.identity_filter import EMPTY, FilterWrite, arrival_day

NOW = datetime(2025, 11, 5, 7, tzinfo=UTC)


def _upserts(statement: str) -> list[str]:
    return [part for part in re.split(r"(?=INSERT INTO)", statement) if "ON CONFLICT" in part]


def test_the_last_report_upsert_has_no_sub_select_on_either_database() -> None:
    for postgresql in (True, False):
        identity = FilterWrite(arrival_day(NOW), EMPTY, None)
        statements = HotPathSql(postgresql).aggregates("p1", NOW, [], None, None, identity)
        last_report = [
            part
            for text, _, _ in statements
            for part in _upserts(text)
            if "person_last_report" in part
        ]
        assert last_report, "the statement writing person_last_report"
        for part in last_report:
            assert "SELECT" not in part.upper(), part
