"""What the system holds about a person's location (SPEC §6 "The person can see every report and
summary that the system holds about them", §10 transparency): raw reports with their flags and
the date each will be deleted, device-status records, daily summaries.

For the person themself (``/api/v1/me/...``); staff see these only through a case file, which
records the access.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from amina.adapters.db.reports import store as report_store
from amina.adapters.db.reports.store import StatusRecord
from amina.adapters.db.reports.tables import FLAG_COLUMNS, PersonLastReportRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.reports import FLAG_ORDER
from amina.i18n import N_
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.policy.versions import policy_book
from amina.services.reports.ingest import flag_names, keeping_day, status_problem

DEFAULT_PAGE = 200
MAX_PAGE = 1000


def cursor_invalid() -> AminaError:
    return AminaError(
        "cursor_invalid",
        ErrorKind.invalid,
        N_("Some fields are not valid"),
        N_("Correct the fields listed and send the request again."),
        errors=[FieldError("cursor", "cursor_invalid", N_("This value is not valid."))],
    )


@dataclass(frozen=True)
class Retention:
    """How long raw location data is kept, under the policy in force today."""

    report_retention_days: int
    policy_version: str

    def deleted_after(self, taken_at: datetime, received_at: datetime, flags: int = 0) -> date:
        """The last Moscow day a report (or status record) is kept; the retention job removes
        it the day after. Counted from the day it was taken — or, for a report flagged
        ``future_time`` (the phone's clock ran ahead), from the day it arrived."""
        return keeping_day(taken_at, received_at, flags) + timedelta(
            days=self.report_retention_days
        )


def retention(uow: UnitOfWork, clock: Clock) -> Retention:
    policy = policy_book(uow).in_force_on(moscow_date(clock.now()))
    return Retention(int(policy.parameter("report_retention_days")), policy.version)


@dataclass(frozen=True)
class HeldReport:
    client_id: str
    device_id: str
    device_time: datetime
    received_at: datetime
    lat: float
    lon: float
    accuracy_m: float
    speed_mps: float | None
    altitude_m: float | None
    provider: str | None
    mocked: bool
    region: str | None
    flags: tuple[str, ...]
    distance_to_address_m: float | None
    deleted_after: date


@dataclass(frozen=True)
class ReportsPage:
    reports: list[HeldReport]
    next_cursor: str | None
    retention: Retention


@dataclass(frozen=True)
class HeldStatus:
    device_id: str
    reported_at: datetime
    received_at: datetime
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None
    problem: bool
    deleted_after: date


@dataclass(frozen=True)
class LatestContact:
    """What the phone reported last: the latest fix and the latest status."""

    last_contact_at: datetime
    last_report_at: datetime | None
    last_report_region: str | None
    status_reported_at: datetime | None
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None


@dataclass(frozen=True)
class StatusPage:
    latest: LatestContact | None
    records: list[HeldStatus]
    next_cursor: str | None
    retention: Retention


@dataclass(frozen=True)
class HeldSummary:
    day: date
    reports: int
    inside_region: int
    near_address: int
    first_at: datetime | None
    last_at: datetime | None
    flags: dict[str, int]
    device_status_problems: int

    @property
    def any_inside_region(self) -> bool:
        return self.inside_region > 0

    @property
    def any_near_address(self) -> bool:
        return self.near_address > 0


def _encode(parts: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise cursor_invalid() from None
    if (
        not isinstance(parts, list)
        or len(parts) != size
        or not all(isinstance(p, str) for p in parts)
    ):
        raise cursor_invalid()
    return parts


def _cursor_time(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise cursor_invalid() from None
    if at.tzinfo is None:
        raise cursor_invalid()
    return at


def _page_size(limit: int | None) -> int:
    return max(1, min(limit or DEFAULT_PAGE, MAX_PAGE))


def my_reports(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    person_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> ReportsPage:
    """The person's raw reports (newest first by the phone's time), one page at a time."""
    after = None
    if cursor:
        at, device_id, client_id = _decode(cursor, 3)
        after = (_cursor_time(at), device_id, client_id)
    size = _page_size(limit)
    with uow_factory() as uow:
        kept = retention(uow, clock)
        rows = report_store.reports_page(uow, person_id, start, end, after, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    reports = [
        HeldReport(
            client_id=r.client_id,
            device_id=r.device_id,
            device_time=r.device_time,
            received_at=r.received_at,
            lat=r.lat,
            lon=r.lon,
            accuracy_m=r.accuracy_m,
            speed_mps=r.speed_mps,
            altitude_m=r.altitude_m,
            provider=r.provider,
            mocked=r.mocked,
            region=r.region,
            flags=flag_names(r.flags),
            distance_to_address_m=r.distance_to_address_m,
            deleted_after=kept.deleted_after(r.device_time, r.received_at, r.flags),
        )
        for r in rows
    ]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode([last.device_time.isoformat(), last.device_id, last.client_id])
    return ReportsPage(reports, next_cursor, kept)


def my_device_status(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    person_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> StatusPage:
    """What the person's phone said about itself, newest first, and what it said last."""
    after = None
    if cursor:
        at, device_id = _decode(cursor, 2)
        after = (_cursor_time(at), device_id)
    size = _page_size(limit)
    with uow_factory() as uow:
        kept = retention(uow, clock)
        rows = report_store.status_page(uow, person_id, start, end, after, size + 1)
        latest = _latest_contact(report_store.last_report(uow, person_id))
    more = len(rows) > size
    rows = rows[:size]
    records = [
        HeldStatus(
            device_id=r.device_id,
            reported_at=r.reported_at,
            received_at=r.received_at,
            location_permission=r.location_permission,
            location_services=r.location_services,
            battery_saver=r.battery_saver,
            app_version=r.app_version,
            problem=status_problem(
                StatusRecord(
                    r.reported_at,
                    r.location_permission,
                    r.location_services,
                    r.battery_saver,
                    r.app_version,
                )
            ),
            deleted_after=kept.deleted_after(r.reported_at, r.received_at),
        )
        for r in rows
    ]
    next_cursor = None
    if more and rows:
        next_cursor = _encode([rows[-1].reported_at.isoformat(), rows[-1].device_id])
    return StatusPage(latest, records, next_cursor, kept)


def _latest_contact(last: PersonLastReportRow | None) -> LatestContact | None:
    if last is None:
        return None
    return LatestContact(
        last_contact_at=last.last_contact_at,
        last_report_at=last.device_time,
        last_report_region=last.region,
        status_reported_at=last.status_reported_at,
        location_permission=last.location_permission,
        location_services=last.location_services,
        battery_saver=last.battery_saver,
        app_version=last.app_version,
    )


def my_summaries(
    uow_factory: UnitOfWorkFactory,
    person_id: str,
    *,
    first: date | None = None,
    last: date | None = None,
) -> list[HeldSummary]:
    """The person's daily summaries (Moscow days), newest first. Summaries are kept for the
    life of the registration, not purged with the raw reports."""
    with uow_factory() as uow:
        rows = report_store.summaries_between(uow, person_id, first, last)
        return [
            HeldSummary(
                day=row.day,
                reports=row.reports,
                inside_region=row.inside_region,
                near_address=row.near_address,
                first_at=row.first_at,
                last_at=row.last_at,
                flags={
                    flag.value: int(getattr(row, column))
                    for flag, column in zip(FLAG_ORDER, FLAG_COLUMNS, strict=True)
                },
                device_status_problems=row.device_status_problems,
            )
            for row in rows
        ]
