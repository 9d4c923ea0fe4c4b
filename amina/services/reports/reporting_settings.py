"""What the person's app needs to know to report location (SPEC §6): whether the person has a
registration that holds a place (only then does the app ask for the location at all), where
that address is, how often to send a report (the policy parameter
``report_interval_minutes``), how long raw reports are kept, and the latest report Amina holds
from the person, so that the app can say "last report accepted at HH:MM" even on a new phone.

For the person themself (``GET /api/v1/me/reporting``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from amina.adapters.db.reports import store as report_store
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.services.clock import Clock
from amina.services.policy.versions import policy_book
from amina.services.registration.registrations import current_registration
from amina.services.reports.ingest import MAX_BATCH


@dataclass(frozen=True)
class RegisteredPlace:
    region: str
    #: None until the person adds the building's coordinates (issue 13)
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class ReportingSettings:
    report_interval_minutes: int
    report_retention_days: int
    policy_version: str
    max_batch: int
    #: The address of the registration that holds the place; None: nothing to report for.
    registered_place: RegisteredPlace | None
    #: The phone's time of the latest accepted report (None before the first one).
    last_report_at: datetime | None
    #: When the phone last reached Amina with anything stored (a report or a heartbeat).
    last_contact_at: datetime | None


def reporting_settings(
    uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str
) -> ReportingSettings:
    """The reporting rules in force today, the registered address and the person's latest
    report. Only for the signed-in person themself."""
    with uow_factory() as uow:
        policy = policy_book(uow).in_force_on(moscow_date(clock.now()))
        registration = current_registration(uow, person_id)
        last = report_store.last_report(uow, person_id)
        last_report_at = None if last is None else last.device_time
        last_contact_at = None if last is None else last.last_contact_at
    place = None
    if registration is not None:
        address = registration.address
        place = RegisteredPlace(address.region, address.lat, address.lon)
    return ReportingSettings(
        report_interval_minutes=int(policy.parameter("report_interval_minutes")),
        report_retention_days=int(policy.parameter("report_retention_days")),
        policy_version=policy.version,
        max_batch=MAX_BATCH,
        registered_place=place,
        last_report_at=last_report_at,
        last_contact_at=last_contact_at,
    )
