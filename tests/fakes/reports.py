"""Report storage in memory: the methods of ``amina.adapters.db.reports.store.ReportStore``
that the ingest use case calls, with the same meaning (a report is keyed by person, device
time, device and client id; a repeat stores nothing), written through a fake unit of work.

    reports = FakeReports()
    reports.add_device("credential", person_id="p1", device_id="d1", address=(55.75, 37.61))
    ingest = ReportIngest(FakeUnitOfWork, clock, classifiers, store=reports.store,
                          policy=lambda uow, day: policy)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from amina.adapters.db.reports.store import (
    Fix,
    HeldReport,
    IngestContext,
    LatestReport,
    ReportColumns,
    StatusRecord,
    SummaryDelta,
)
from amina.domain.identity_filter import FilterWrite
from amina.services.identity.sign_in import secret_hash
from fakes.uow import FakeUnitOfWork


@dataclass
class _Device:
    person_id: str
    device_id: str
    language: str | None
    retired: bool
    address: tuple[float, float] | None


@dataclass
class FakeReports:
    """What the database would hold: devices, reports, statuses, daily summaries."""

    devices: dict[str, _Device] = field(default_factory=dict)  # by credential hash
    reports: dict[tuple[str, datetime, str, str], dict[str, Any]] = field(default_factory=dict)
    #: the keys of ``reports`` by person and client id (what the primary key's range finds)
    by_client_id: dict[tuple[str, str], set[tuple[str, datetime, str, str]]] = field(
        default_factory=dict
    )
    statuses: dict[tuple[str, str, datetime], StatusRecord] = field(default_factory=dict)
    summaries: dict[tuple[str, date], int] = field(default_factory=dict)  # reports per day
    latest: dict[str, LatestReport] = field(default_factory=dict)
    notices_waiting: set[str] = field(default_factory=set)  # person ids

    def add_device(
        self,
        credential: str,
        *,
        person_id: str,
        device_id: str,
        address: tuple[float, float] | None = None,
        language: str | None = "ru",
        retired: bool = False,
    ) -> None:
        self.devices[secret_hash(credential)] = _Device(
            person_id, device_id, language, retired, address
        )

    def add(self, key: tuple[str, datetime, str, str], row: dict[str, Any]) -> None:
        self.reports[key] = row
        self.by_client_id.setdefault((key[0], key[3]), set()).add(key)

    def remove(self, key: tuple[str, datetime, str, str]) -> None:
        self.reports.pop(key, None)
        self.by_client_id.get((key[0], key[3]), set()).discard(key)

    def store(self, uow: FakeUnitOfWork) -> FakeReportStore:
        return FakeReportStore(self, uow)


class FakeReportStore:
    def __init__(self, data: FakeReports, uow: FakeUnitOfWork) -> None:
        self.data = data
        self.uow = uow

    def _context(self, device: _Device | None) -> IngestContext | None:
        if device is None:
            return None
        latest = self.data.latest.get(device.person_id)
        return IngestContext(
            person_id=device.person_id,
            device_id=device.device_id,
            language=device.language,
            retired=device.retired,
            address=device.address,
            last_fix=None if latest is None else Fix(latest.counted_at, latest.lat, latest.lon),
            unresolved_notice=device.person_id in self.data.notices_waiting,
        )

    def device_context(self, person_id: str | None, credential_hash: str) -> IngestContext | None:
        found = self.data.devices.get(credential_hash)
        if found is not None and person_id is not None and found.person_id != person_id:
            found = None
        return self._context(found)

    def context(self, person_id: str, device_id: str) -> IngestContext | None:
        found = [
            d
            for d in self.data.devices.values()
            if d.person_id == person_id and d.device_id == device_id
        ]
        return self._context(found[0] if found else None)

    def fix_before(self, person_id: str, before: datetime, window: timedelta) -> Fix | None:
        earlier = [
            (t, row)
            for (p, t, _, _), row in self.data.reports.items()
            if p == person_id and before - window <= t < before
        ]
        if not earlier:
            return None
        t, row = max(earlier, key=lambda pair: pair[0])
        return Fix(t, row["lat"], row["lon"])

    def insert_reports(
        self,
        person_id: str,
        device_id: str,
        received_at: datetime,
        rows: ReportColumns,
    ) -> set[str]:
        inserted: set[str] = set()
        for i, client_id in enumerate(rows.client_id):
            key = (person_id, rows.device_time[i], device_id, client_id)
            if key in self.data.reports:
                continue
            row = {"lat": rows.lat[i], "lon": rows.lon[i], "flags": rows.flags[i]}
            self.uow.stage(lambda key=key, row=row: self.data.add(key, row))
            inserted.add(client_id)
        return inserted

    def held_reports(
        self, person_id: str, client_ids: Sequence[str], window: tuple[datetime, datetime]
    ) -> list[tuple[HeldReport, str]]:
        # staged rows of this transaction are applied only on commit: the fake reads what
        # was there before, which is what the service wants from the real store
        return [
            ((key[3], key[1], self.data.reports[key]["flags"]), key[2])
            for client_id in set(client_ids)
            for key in self.data.by_client_id.get((person_id, client_id), ())
            if window[0] <= key[1] <= window[1]
        ]

    def forget_reports(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> None:
        for client_id, device_time in keys:
            key = (person_id, device_time, device_id, client_id)
            self.uow.stage(lambda key=key: self.data.remove(key))

    def stored_flags(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> dict[str, int]:
        return {
            c: self.data.reports[(person_id, t, device_id, c)]["flags"]
            for c, t in keys
            if (person_id, t, device_id, c) in self.data.reports
        }

    def insert_status(
        self, person_id: str, device_id: str, received_at: datetime, status: StatusRecord
    ) -> bool:
        key = (person_id, device_id, status.reported_at)
        if key in self.data.statuses:
            return False
        self.uow.stage(lambda: self.data.statuses.__setitem__(key, status))
        return True

    def update_aggregates(
        self,
        person_id: str,
        now: datetime,
        deltas: Sequence[SummaryDelta],
        latest: LatestReport | None,
        status: StatusRecord | None,
        identity: FilterWrite,
    ) -> None:
        # no filter here: the context carries none, so every batch reads held_reports
        def apply() -> None:
            for delta in deltas:
                key = (person_id, delta.day)
                self.data.summaries[key] = self.data.summaries.get(key, 0) + delta.reports
            held = self.data.latest.get(person_id)
            if latest is not None and (held is None or latest.counted_at > held.counted_at):
                self.data.latest[person_id] = latest

        self.uow.stage(apply)
