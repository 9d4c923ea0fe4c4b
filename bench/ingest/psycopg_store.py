"""The report hot path on psycopg's asyncio connections, as the product ran it until asyncpg
replaced it (issue 14 point 3; BENCHMARKS.md, "The event loop's driver: asyncpg"): kept here so
that bench/ingest/drivers.py and group_commit.py can measure it beside asyncpg. The lock, the
context query and BEGIN go in one pipeline, the aggregates statement with the COMMIT in
another."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from amina.adapters.db.reports.store import (
    FilterWrite,
    Fix,
    HeldReport,
    HotPathSql,
    IngestContext,
    LatestReport,
    ReportColumns,
    Statement,
    StatusRecord,
    SummaryDelta,
)


class PsycopgReportStore:
    """The same hot path on one psycopg ``AsyncConnection`` (PostgreSQL), for the event loop:
    no thread, no SQLAlchemy session per batch. The caller commits (:meth:`commit`)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.sql = HotPathSql(postgresql=True)
        #: statements sent with the COMMIT (see :meth:`update_aggregates`)
        self._with_commit: list[Statement] = []

    async def _rows(self, statement: Statement) -> list[Any]:
        async with self.connection.cursor() as cursor:
            await cursor.execute(*statement)
            return list(await cursor.fetchall()) if cursor.description else []

    async def device_context(
        self, person_id: str | None, credential_hash: str
    ) -> IngestContext | None:
        statement = self.sql.device_context(person_id, credential_hash)
        context = self.sql.read_context(await self._first(statement, person_id))
        if context is not None and person_id is None:
            # a credential without the person's id: locked once known, then read again
            context = self.sql.read_context(await self._first(statement, context.person_id))
        return context

    async def _first(self, statement: Statement, person_id: str | None) -> Any:
        # the transaction's BEGIN, the person's lock and the query in one round trip
        async with self.connection.pipeline(), self.connection.cursor() as cursor:
            if person_id is not None:
                await cursor.execute(*self.sql.one_batch_of(person_id))
            await cursor.execute(*statement)
            return await cursor.fetchone()

    async def fix_before(self, person_id: str, before: datetime, window: timedelta) -> Fix | None:
        return self.sql.read_fix(await self._rows(self.sql.fix_before(person_id, before, window)))

    async def insert_reports(
        self,
        person_id: str,
        device_id: str,
        received_at: datetime,
        rows: ReportColumns,
    ) -> set[str]:
        if not len(rows):
            return set()
        (insert,) = self.sql.insert_reports(person_id, device_id, received_at, rows)
        return {row[0] for row in await self._rows(insert)}

    async def held_reports(
        self, person_id: str, client_ids: Sequence[str], window: tuple[datetime, datetime]
    ) -> list[tuple[HeldReport, str]]:
        rows = await self._rows(self.sql.held_reports(person_id, client_ids, window))
        return self.sql.read_held_reports(rows)

    async def _many(self, statement: str, params: Sequence[Sequence[Any]]) -> None:
        async with self.connection.cursor() as cursor:
            await cursor.executemany(statement, params)

    async def forget_reports(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> None:
        await self._many(*self.sql.forget(person_id, device_id, keys))

    async def stored_flags(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> dict[str, int]:
        if not keys:
            return {}
        rows = await self._rows(self.sql.stored_flags(person_id, device_id, keys))
        return self.sql.read_flags(rows, keys)

    async def insert_status(
        self, person_id: str, device_id: str, received_at: datetime, status: StatusRecord
    ) -> bool:
        statement = self.sql.insert_status(person_id, device_id, received_at, status)
        return bool(await self._rows(statement))

    async def update_aggregates(
        self,
        person_id: str,
        now: datetime,
        deltas: Sequence[SummaryDelta],
        latest: LatestReport | None,
        status: StatusRecord | None,
        identity: FilterWrite,
    ) -> None:
        """Kept for :meth:`commit`, which sends it with the COMMIT (its answer is not read):
        one round trip fewer per batch. A batch that is not committed never needed it."""
        self._with_commit.extend(
            (text_, params)
            for text_, params, _ in self.sql.aggregates(
                person_id, now, deltas, latest, status, identity
            )
        )

    async def commit(self) -> None:
        """The aggregates statement and COMMIT in one pipeline, one round trip: if the
        statement fails, the pipeline raises and nothing is committed (the caller answers
        only after this returns)."""
        if not self._with_commit:
            await self.connection.commit()
            return
        async with self.connection.pipeline(), self.connection.cursor() as cursor:
            for statement in self._with_commit:
                await cursor.execute(*statement)
            await self.connection.commit()
        self._with_commit.clear()
