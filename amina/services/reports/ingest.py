"""Location reports in (SPEC §6, API.md "Location reports"): read, validate, classify, store.

One batch is one transaction: the device credential is checked in the query that loads the
context (registered address, latest fix), every valid report is classified by ONE vectorised
``classify_arrays`` call and inserted by ONE statement; the daily summaries and the person's
"last report" row are incremented for the rows actually stored, in the same transaction; the
answer leaves only after COMMIT. A report that hits the primary key (person, device time,
device, client id) was stored before: it is ``duplicate`` and changes nothing. Invalid reports
are ``rejected`` with an error; the rest of the batch is still stored.

The steps between database calls are plain functions; two short drivers run them: on a unit
of work (any database, in a thread) and on psycopg's asyncio connections (PostgreSQL, on the
event loop — the hot path; BENCHMARKS.md). The protocol for app developers: docs/reports.md;
the storage design: docs/adr/003-report-storage.md.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from amina.adapters.db.reports.store import (
    AsyncReportStores,
    Fix,
    IngestContext,
    LatestReport,
    ReportColumns,
    ReportStore,
    StatusRecord,
    SummaryDelta,
)
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.geo import RegionClassifier
from amina.domain.reports import (
    FLAG_BITS,
    FLAG_ORDER,
    FLAGS_OF_BITS,
    ClassifiedBatch,
    Flag,
    LocationReport,
    PreviousFix,
    Thresholds,
    classify_arrays,
    rejection,
    storable,
    summarise_batch,
)
from amina.i18n import DEFAULT_LANGUAGE, N_
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind
from amina.services.identity.sessions import device_retired, device_unknown
from amina.services.identity.sign_in import secret_hash
from amina.services.policy.versions import policy_book

#: Most reports one request may carry (API.md); more is ``413 batch_too_large``.
MAX_BATCH = 1000
MAX_CLIENT_ID = 64
MAX_PROVIDER = 20
MAX_APP_VERSION = 40
#: How far back the impossible-speed check looks for the fix before a late batch.
PREVIOUS_FIX_WINDOW = timedelta(days=1)
#: Device times outside these bounds cannot be a clock reading (they are rejected, not flagged).
EARLIEST_DEVICE_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_DEVICE_TIME = datetime(2100, 1, 1, tzinfo=UTC)


RegionClassifiers = Callable[[float], RegionClassifier]
#: Resolves the person's notices that stored reports now cover (the compliance feature's
#: ``resolve_notices_covered_by``); run in the ingest transaction, only when reports were
#: stored and the person has a notice waiting, so the common case costs nothing.
NoticeResolver = Callable[[UnitOfWork, Clock, str], object]
Status = Literal["accepted", "duplicate", "rejected"]

#: What a person (or app developer) reads for each item error, by code.
ITEM_MESSAGES: Mapping[str, str] = {
    "report_invalid": N_("A report must be a JSON object."),
    "client_id_invalid": N_("Every report needs a client id: a text of 1 to 64 characters."),
    "field_missing": N_("The field %(field)s is required."),
    "number_invalid": N_("The field %(field)s must be a number."),
    "boolean_invalid": N_("The field %(field)s must be true or false."),
    "text_invalid": N_("The field %(field)s must be a text of at most %(limit)s characters."),
    "device_time_invalid": N_(
        "The device time must be an RFC 3339 time with an offset, for example "
        "2025-09-03T08:15:00+03:00."
    ),
    "device_time_without_offset": N_(
        "The device time has no offset from UTC. Send it with one, for example "
        "2025-09-03T08:15:00+03:00."
    ),
    "coordinates_out_of_range": N_(
        "The coordinates are out of range: latitude must be between -90 and 90, longitude "
        "between -180 and 180."
    ),
    "accuracy_invalid": N_("The accuracy must be a number of metres, zero or more."),
    "status_invalid": N_("The device status must be a JSON object."),
}


@dataclass(frozen=True)
class ItemError:
    """Why one report (or the device status) was not stored: a stable code, the field, and
    an English message id with its parameters (translated at the edge)."""

    code: str
    field: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return ITEM_MESSAGES[self.code]


@dataclass(frozen=True, slots=True)
class ReportResult:
    client_id: str | None
    status: Status
    flags: tuple[str, ...] = ()
    error: ItemError | None = None


@dataclass(frozen=True)
class StatusResult:
    status: Status
    error: ItemError | None = None


@dataclass(frozen=True)
class Batch:
    """A request body, read: its report items (raw) and its device status (raw), if any."""

    items: Sequence[Any]
    status: Any = None
    has_status: bool = False


@dataclass(frozen=True)
class IngestOutcome:
    results: list[ReportResult]
    status: StatusResult | None
    stored: int
    person_id: str | None = None
    language: str | None = None  # the person's saved language, for the errors' words

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def has_errors(self) -> bool:
        return any(r.error is not None for r in self.results) or (
            self.status is not None and self.status.error is not None
        )


@dataclass(frozen=True)
class ReportRules:
    """The policy numbers ingest uses, from the policy version in force."""

    policy_version: str
    thresholds: Thresholds
    retention_days: int
    border_margin_m: float


# --- reading a request body -------------------------------------------------------------------


def batch_invalid() -> AminaError:
    return AminaError(
        "batch_invalid",
        ErrorKind.invalid,
        N_("Reports not understood"),
        N_('Send one report, or an object with a list "reports" (and, if you like, a "status").'),
    )


def batch_too_large(count: int) -> AminaError:
    return AminaError(
        "batch_too_large",
        ErrorKind.too_large,
        N_("Too many reports in one request"),
        N_(
            "At most %(limit)s reports per request; this one has %(count)s. Send the rest in "
            "another request."
        ),
        params={"limit": MAX_BATCH, "count": count},
    )


def read_batch(payload: Any) -> Batch:
    """One report object, or ``{"reports": [...], "status": {...}}`` (either part optional,
    not both absent). Raises ``batch_invalid`` (422) or ``batch_too_large`` (413)."""
    if type(payload) is not dict:
        raise batch_invalid()
    if "reports" not in payload and "status" not in payload:
        return Batch([payload])
    items = payload.get("reports", [])
    if type(items) is not list:
        raise batch_invalid()
    if len(items) > MAX_BATCH:
        raise batch_too_large(len(items))
    has_status = payload.get("status") is not None
    if not items and not has_status:
        raise batch_invalid()
    return Batch(items, payload.get("status"), has_status)


def _time(value: Any, name: str) -> datetime | ItemError:
    if value is None:
        return ItemError("field_missing", name, {"field": name})
    if type(value) is not str:
        return ItemError("device_time_invalid", name)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return ItemError("device_time_invalid", name)
    if parsed.tzinfo is None:
        return ItemError("device_time_without_offset", name)
    if not EARLIEST_DEVICE_TIME <= parsed < LATEST_DEVICE_TIME:
        return ItemError("device_time_invalid", name)
    return parsed


def _flag(raw: Mapping[str, Any], name: str) -> bool | ItemError | None:
    value = raw.get(name)
    if value is None or type(value) is bool:
        return value
    return ItemError("boolean_invalid", name, {"field": name})


def _text(raw: Mapping[str, Any], name: str, limit: int) -> str | ItemError | None:
    value = raw.get(name)
    if value is None:
        return None
    if type(value) is not str or len(value) > limit:
        return ItemError("text_invalid", name, {"field": name, "limit": limit})
    return value


def _not_a_number(name: str, value: Any) -> ItemError:
    if value is None:
        return ItemError("field_missing", name, {"field": name})
    return ItemError("number_invalid", name, {"field": name})


def read_report(raw: Any) -> LocationReport | ItemError:  # noqa: PLR0912 (one branch per field)
    """One report item → a :class:`LocationReport`, or the first thing wrong with it.

    Unknown fields are ignored (newer apps may send more). Written out field by field: this
    runs for every report the system receives (BENCHMARKS.md)."""
    if type(raw) is not dict:
        return ItemError("report_invalid")
    get = raw.get
    client_id = get("client_id")
    if type(client_id) is not str or not 0 < len(client_id) <= MAX_CLIENT_ID:
        return ItemError("client_id_invalid", "client_id")
    device_time = _time(get("device_time"), "device_time")
    if isinstance(device_time, ItemError):
        return device_time
    lat = get("lat")
    if type(lat) is not float:
        if type(lat) is not int:
            return _not_a_number("lat", lat)
        lat = float(lat)
    lon = get("lon")
    if type(lon) is not float:
        if type(lon) is not int:
            return _not_a_number("lon", lon)
        lon = float(lon)
    accuracy = get("accuracy_m")
    if type(accuracy) is not float:
        if type(accuracy) is not int:
            return _not_a_number("accuracy_m", accuracy)
        accuracy = float(accuracy)
    speed = get("speed_mps")
    if speed is not None and type(speed) is not float:
        if type(speed) is not int:
            return ItemError("number_invalid", "speed_mps", {"field": "speed_mps"})
        speed = float(speed)
    altitude = get("altitude_m")
    if altitude is not None and type(altitude) is not float:
        if type(altitude) is not int:
            return ItemError("number_invalid", "altitude_m", {"field": "altitude_m"})
        altitude = float(altitude)
    provider = get("provider")
    if provider is not None and (type(provider) is not str or len(provider) > MAX_PROVIDER):
        return ItemError("text_invalid", "provider", {"field": "provider", "limit": MAX_PROVIDER})
    mocked = get("mocked")
    if mocked is None:
        mocked = False
    elif type(mocked) is not bool:
        return ItemError("boolean_invalid", "mocked", {"field": "mocked"})
    report = LocationReport(
        client_id,
        device_time,
        lat,
        lon,
        accuracy,
        speed,
        altitude,
        provider,
        mocked,
    )
    refused = rejection(report)
    if refused is not None:
        return ItemError(refused.code, refused.field)
    return report


def read_status(raw: Any, received_at: datetime) -> StatusRecord | ItemError:
    """The device status object: ``at`` (the phone's time; arrival time if absent),
    ``location_permission``, ``location_services``, ``battery_saver`` (booleans or null) and
    ``app_version``."""
    if type(raw) is not dict:
        return ItemError("status_invalid", "status")
    at: datetime | ItemError = received_at
    if raw.get("at") is not None:
        at = _time(raw["at"], "status.at")
    permission = _flag(raw, "location_permission")
    services = _flag(raw, "location_services")
    saver = _flag(raw, "battery_saver")
    version = _text(raw, "app_version", MAX_APP_VERSION)
    for value in (at, permission, services, saver, version):
        if isinstance(value, ItemError):
            return value
    return StatusRecord(
        reported_at=at,  # type: ignore[arg-type]
        location_permission=permission,  # type: ignore[arg-type]
        location_services=services,  # type: ignore[arg-type]
        battery_saver=saver,  # type: ignore[arg-type]
        app_version=version,  # type: ignore[arg-type]
    )


def status_problem(status: StatusRecord) -> bool:
    """A status that explains missing reports: no permission, location off, battery saver."""
    return (
        status.location_permission is False
        or status.location_services is False
        or status.battery_saver is True
    )


def keeping_day(taken_at: datetime, received_at: datetime, flags: int) -> date:
    """The Moscow day from which a stored report's retention is counted: the day it was taken,
    or the day it arrived when the phone's clock ran ahead (``future_time``). Retention and the
    person's "deleted after" date both follow this rule (amina.services.reports.retention)."""
    return moscow_date(received_at if flags & FLAG_BITS[Flag.future_time] else taken_at)


# --- flags as stored --------------------------------------------------------------------------


_NAMES_OF_BITS: tuple[tuple[str, ...], ...] = tuple(
    tuple(flag.value for flag in flags) for flags in FLAGS_OF_BITS
)


def flag_bits(flags: Sequence[Flag]) -> int:
    bits = 0
    for flag in flags:
        bits |= FLAG_BITS[flag]
    return bits


def flag_names(bits: int) -> tuple[str, ...]:
    """The flags of a stored bitmask, by name, in FLAG_ORDER."""
    return _NAMES_OF_BITS[bits]


# --- the use case -----------------------------------------------------------------------------


class ReportIngest:
    """Stores location reports for authenticated devices. Built once per process (it caches
    the policy numbers for a minute); called by ``POST /api/v1/reports`` with the device that
    the credential belongs to."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        classifiers: RegionClassifiers,
        *,
        rules_ttl_seconds: float = 60.0,
        timer: Callable[[], float] = time.monotonic,
        resolve_notices: NoticeResolver | None = None,
    ) -> None:
        self.uow = uow
        self.resolve_notices = resolve_notices
        self.clock = clock
        self.classifiers = classifiers
        self.rules_ttl = rules_ttl_seconds
        self.timer = timer
        self._rules: tuple[float, date, ReportRules] | None = None

    def rules(self, today: date) -> ReportRules:
        """The policy numbers in force today, read at most once a minute per process."""
        cached = self._rules
        if cached is not None and cached[0] > self.timer() and cached[1] == today:
            return cached[2]
        with self.uow() as uow:
            policy = policy_book(uow).in_force_on(today)
        rules = ReportRules(
            policy_version=policy.version,
            thresholds=Thresholds.from_parameters(policy.parameters),
            retention_days=int(policy.parameter("report_retention_days")),
            border_margin_m=float(policy.parameter("border_margin_m")),
        )
        self._rules = (self.timer() + self.rules_ttl, today, rules)
        return rules

    def rules_are_fresh(self, today: date) -> bool:
        cached = self._rules
        return cached is not None and cached[0] > self.timer() and cached[1] == today

    # -- the use case, on a unit of work (PostgreSQL or SQLite; called in a thread) ----------

    def ingest(self, person_id: str, device_id: str, batch: Batch) -> IngestOutcome:
        """Store a batch from the person's active device, which the caller authenticated
        (e.g. confirming a notice with a fresh location)."""
        return self._ingest(batch, lambda store: store.context(person_id, device_id))

    def ingest_from_device(self, credential: str, batch: Batch) -> IngestOutcome:
        """Store a batch from the device holding ``credential`` (``POST /api/v1/reports``).

        The credential is checked in the same query that loads what classification needs, so
        it costs no extra round trip and a retired device is refused at once. Raises
        ``device_unknown`` / ``device_retired`` (in the person's language)."""
        return self._ingest(batch, lambda store: store.device_context(secret_hash(credential)))

    def check_device(self, credential: str) -> IngestContext:
        """Who holds ``credential`` (for answering a malformed request in the right words);
        raises ``device_unknown`` / ``device_retired`` like :meth:`ingest_from_device`."""
        with self.uow() as uow:
            context = ReportStore(uow).device_context(secret_hash(credential))
        return _admitted(context)

    def _ingest(
        self, batch: Batch, load: Callable[[ReportStore], IngestContext | None]
    ) -> IngestOutcome:
        received_at = self.clock.now()
        rules = self.rules(moscow_date(received_at))
        work = _prepare(batch, received_at, rules)
        with self.uow() as uow:
            store = ReportStore(uow)
            context = _admitted(load(store))
            plan = self._plan(work, context, rules)
            if plan.fix_wanted_before is not None:
                plan.previous = _previous(
                    store.fix_before(context.person_id, plan.fix_wanted_before, PREVIOUS_FIX_WINDOW)
                )
            inserted = set[str]()
            earlier: dict[str, int] = {}
            if plan.valid:
                columns = self._classify(plan)
                inserted = store.insert_reports(
                    context.person_id, context.device_id, received_at, columns
                )
                if len(inserted) < len(work.valid):
                    earlier = store.stored_flags(
                        context.person_id, context.device_id, plan.duplicate_keys(inserted)
                    )
            stored = self._settle(plan, inserted, earlier)
            status_stored = work.status is not None and store.insert_status(
                context.person_id, context.device_id, received_at, work.status
            )
            if stored.stored or status_stored or work.valid:
                store.update_aggregates(*self._aggregates(work, context, stored, status_stored))
                if stored.stored and context.unresolved_notice and self.resolve_notices:
                    self.resolve_notices(uow, self.clock, context.person_id)
                uow.commit()
        return _outcome(work, context, stored, status_stored)

    # -- the same use case on the event loop (PostgreSQL, psycopg's asyncio connections) -----

    async def ingest_from_device_async(
        self, credential: str, batch: Batch, stores: AsyncReportStores
    ) -> IngestOutcome:
        """:meth:`ingest_from_device` without a thread: the database is awaited, the CPU work
        runs on the loop. A notice that the stored reports now cover is resolved right after
        the commit (in a thread, its own transaction; the daily sweep would do it too)."""
        received_at = self.clock.now()
        today = moscow_date(received_at)
        if not self.rules_are_fresh(today):
            await asyncio.to_thread(self.rules, today)
        rules = self.rules(today)
        work = _prepare(batch, received_at, rules)
        async with stores.transaction() as store:
            context = _admitted(await store.device_context(secret_hash(credential)))
            plan = self._plan(work, context, rules)
            if plan.fix_wanted_before is not None:
                plan.previous = _previous(
                    await store.fix_before(
                        context.person_id, plan.fix_wanted_before, PREVIOUS_FIX_WINDOW
                    )
                )
            inserted = set[str]()
            earlier: dict[str, int] = {}
            if plan.valid:
                columns = self._classify(plan)
                inserted = await store.insert_reports(
                    context.person_id, context.device_id, received_at, columns
                )
                if len(inserted) < len(work.valid):
                    earlier = await store.stored_flags(
                        context.person_id, context.device_id, plan.duplicate_keys(inserted)
                    )
            stored = self._settle(plan, inserted, earlier)
            status_stored = work.status is not None and await store.insert_status(
                context.person_id, context.device_id, received_at, work.status
            )
            if stored.stored or status_stored or work.valid:
                await store.update_aggregates(
                    *self._aggregates(work, context, stored, status_stored)
                )
                await store.commit()
        if stored.stored and context.unresolved_notice and self.resolve_notices:
            await asyncio.to_thread(self._resolve_notices_now, context.person_id)
        return _outcome(work, context, stored, status_stored)

    def _resolve_notices_now(self, person_id: str) -> None:
        assert self.resolve_notices is not None
        with self.uow() as uow:
            self.resolve_notices(uow, self.clock, person_id)
            uow.commit()

    # -- the steps between the database calls (no I/O) ---------------------------------------

    def _plan(self, work: _Work, context: IngestContext, rules: ReportRules) -> _Plan:
        times = work.valid.device_time
        seconds = np.array([t.timestamp() for t in times])
        plan = _Plan(work, context, rules, times, seconds)
        if not times:
            return plan
        last = context.last_fix
        if last is not None and last.device_time.timestamp() < float(seconds.min()):
            plan.previous = PreviousFix(last.device_time, last.lat, last.lon)
        elif last is not None:
            # a late (queued) batch: compare with the fix stored just before it
            plan.fix_wanted_before = min(times)
        return plan

    def _classify(self, plan: _Plan) -> ReportColumns:
        valid = plan.work.valid
        plan.lat, plan.lon = valid.lat, valid.lon
        plan.batch = classify_arrays(
            np.array(valid.lat),
            np.array(valid.lon),
            np.array(valid.accuracy_m),
            plan.seconds,
            np.array(valid.mocked, dtype=bool),
            received_at=plan.work.received_at,
            thresholds=plan.rules.thresholds,
            classifier=self.classifiers(plan.rules.border_margin_m),
            address=plan.context.address,
            previous=plan.previous,
        )
        plan.bits = plan.batch.flags.tolist()
        plan.client_ids = valid.client_id
        return ReportColumns(
            client_id=valid.client_id,
            device_time=valid.device_time,
            lat=valid.lat,
            lon=valid.lon,
            accuracy_m=valid.accuracy_m,
            speed_mps=valid.speed_mps,
            altitude_m=valid.altitude_m,
            provider=valid.provider,
            mocked=valid.mocked,
            region=plan.batch.regions,
            flags=plan.bits,
            distance_to_address_m=[
                None if d != d else d  # noqa: PLR0124 (d != d: NaN, no call per item)
                for d in plan.batch.distance_to_address_m.tolist()
            ],
        )

    def _settle(self, plan: _Plan, inserted: set[str], earlier: dict[str, int]) -> _Stored:
        """The answer for each valid report and what the stored ones add to the summaries."""
        if not plan.work.valid or plan.batch is None:
            return _Stored([], 0, [], None)
        client_ids, bits = plan.client_ids, plan.bits
        kept: Sequence[int]
        if len(inserted) == len(client_ids):
            kept = range(len(client_ids))
            results = [
                ReportResult(c, "accepted", _NAMES_OF_BITS[b])
                for c, b in zip(client_ids, bits, strict=True)
            ]
        else:
            kept = [i for i, c in enumerate(client_ids) if c in inserted]
            results = [
                ReportResult(c, "accepted", _NAMES_OF_BITS[b])
                if c in inserted
                else ReportResult(c, "duplicate", _NAMES_OF_BITS[earlier.get(c, b)])
                for c, b in zip(client_ids, bits, strict=True)
            ]
        deltas = [
            SummaryDelta(
                day=summary.day,
                reports=summary.reports,
                inside_region=summary.inside_region,
                near_address=summary.near_address,
                first_at=summary.first_at,
                last_at=summary.last_at,
                flag_counts=[summary.flag_counts.get(flag.value, 0) for flag in FLAG_ORDER],
                device_status_problems=0,
            )
            for summary in summarise_batch(plan.times, plan.batch, kept).values()
        ]
        newest = None
        if len(kept) > 0:  # kept may be an index array, whose truth value is refused
            i = max(kept, key=plan.seconds.__getitem__)
            newest = LatestReport(
                device_id=plan.context.device_id,
                device_time=plan.times[i],
                received_at=plan.work.received_at,
                lat=plan.lat[i],
                lon=plan.lon[i],
                region=plan.batch.regions[i],
                flags=bits[i],
            )
        return _Stored(results, len(kept), deltas, newest)

    @staticmethod
    def _aggregates(
        work: _Work, context: IngestContext, stored: _Stored, status_stored: bool
    ) -> tuple[str, datetime, list[SummaryDelta], LatestReport | None, StatusRecord | None]:
        deltas = stored.deltas
        status = work.status if status_stored else None
        if status is not None and status_problem(status):
            deltas = _with_status_problem(deltas, moscow_date(status.reported_at))
        return context.person_id, work.received_at, deltas, stored.latest, status


@dataclass
class _Work:
    """A request body, read: the valid reports (first occurrence of each client id), the
    answers already known (rejected items, repeats), the device status."""

    received_at: datetime
    results: list[ReportResult | None]
    valid: _Valid
    positions: list[int]
    repeats: list[tuple[int, int]]  # (position, position of the first occurrence)
    status: StatusRecord | None
    status_result: StatusResult | None


@dataclass
class _Plan:
    """A batch being stored: what classification needs and produced."""

    work: _Work
    context: IngestContext
    rules: ReportRules
    times: list[datetime]
    seconds: NDArray[np.float64]
    previous: PreviousFix | None = None
    fix_wanted_before: datetime | None = None
    batch: ClassifiedBatch | None = None
    bits: list[int] = dataclasses.field(default_factory=list)
    client_ids: list[str] = dataclasses.field(default_factory=list)
    lat: list[float] = dataclasses.field(default_factory=list)
    lon: list[float] = dataclasses.field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.work.valid)

    def duplicate_keys(self, inserted: set[str]) -> list[tuple[str, datetime]]:
        return [
            (c, t) for c, t in zip(self.client_ids, self.times, strict=True) if c not in inserted
        ]


@dataclass
class _Valid:
    """The valid reports of a batch, column by column (no object per report)."""

    client_id: list[str]
    device_time: list[datetime]
    lat: list[float]
    lon: list[float]
    accuracy_m: list[float]
    speed_mps: list[float | None]
    altitude_m: list[float | None]
    provider: list[str | None]
    mocked: list[bool]

    def __len__(self) -> int:
        return len(self.client_id)

    def __bool__(self) -> bool:
        return bool(self.client_id)

    @classmethod
    def of(cls, reports: Sequence[LocationReport]) -> _Valid:
        return cls(
            [r.client_id for r in reports],
            [r.device_time for r in reports],
            [r.lat for r in reports],
            [r.lon for r in reports],
            [r.accuracy_m for r in reports],
            [r.speed_mps for r in reports],
            [r.altitude_m for r in reports],
            [r.provider for r in reports],
            [r.mocked for r in reports],
        )


_NUMBER = (float, int)


def _all_valid(items: Sequence[Any]) -> _Valid | None:
    """The whole batch read column by column, if every item is a valid report with its own
    client id — the common case, about three times cheaper than :func:`read_report` item by
    item. None as soon as anything is off: the caller then reads item by item, which finds
    each item's exact error. Accepts exactly what :func:`read_report` accepts."""
    if not all(type(item) is dict for item in items):
        return None
    client_id = [item.get("client_id") for item in items]
    if not all(type(c) is str and 0 < len(c) <= MAX_CLIENT_ID for c in client_id):
        return None
    if len(set(client_id)) != len(client_id):
        return None
    lat = [item.get("lat") for item in items]
    lon = [item.get("lon") for item in items]
    accuracy = [item.get("accuracy_m") for item in items]
    if not all(type(x) in _NUMBER for column in (lat, lon, accuracy) for x in column):
        return None
    speed = [item.get("speed_mps") for item in items]
    altitude = [item.get("altitude_m") for item in items]
    if not all(x is None or type(x) in _NUMBER for column in (speed, altitude) for x in column):
        return None
    provider = [item.get("provider") for item in items]
    if not all(p is None or (type(p) is str and len(p) <= MAX_PROVIDER) for p in provider):
        return None
    mocked = [item.get("mocked") for item in items]
    if not all(m is None or type(m) is bool for m in mocked):
        return None
    times: list[datetime] = []
    for item in items:
        value = item.get("device_time")
        if type(value) is not str:
            return None
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return None
        if at.tzinfo is None or not EARLIEST_DEVICE_TIME <= at < LATEST_DEVICE_TIME:
            return None
        times.append(at)
    lat_f = [float(x) for x in lat]
    lon_f = [float(x) for x in lon]
    accuracy_f = [float(x) for x in accuracy]
    if not bool(storable(np.array(lat_f), np.array(lon_f), np.array(accuracy_f)).all()):
        return None
    return _Valid(
        client_id,
        times,
        lat_f,
        lon_f,
        accuracy_f,
        [None if x is None else float(x) for x in speed],
        [None if x is None else float(x) for x in altitude],
        provider,
        [m is True for m in mocked],
    )


def _prepare(batch: Batch, received_at: datetime, rules: ReportRules) -> _Work:
    results: list[ReportResult | None] = [None] * len(batch.items)
    positions: list[int] = []
    repeats: list[tuple[int, int]] = []
    valid = _all_valid(batch.items) if batch.items else None
    if valid is not None:
        positions = list(range(len(batch.items)))
    else:
        reports: list[LocationReport] = []
        first_seen: dict[str, int] = {}
        for position, raw in enumerate(batch.items):
            report = read_report(raw)
            if isinstance(report, ItemError):
                client_id = raw.get("client_id") if type(raw) is dict else None
                results[position] = ReportResult(
                    client_id if type(client_id) is str else None, "rejected", (), report
                )
            elif report.client_id in first_seen:
                repeats.append((position, first_seen[report.client_id]))
            else:
                first_seen[report.client_id] = position
                reports.append(report)
                positions.append(position)
        valid = _Valid.of(reports)
    status: StatusRecord | None = None
    status_result: StatusResult | None = None
    if batch.has_status:
        read = read_status(batch.status, received_at)
        if isinstance(read, ItemError):
            status_result = StatusResult("rejected", read)
        elif read.reported_at > received_at + rules.thresholds.future_tolerance:
            # a status "from the future" is kept as of its arrival, so that retention
            # (counted from reported_at) cannot be stretched by a wrong clock
            status = dataclasses.replace(read, reported_at=received_at)
        else:
            status = read
    return _Work(received_at, results, valid, positions, repeats, status, status_result)


def _previous(fix: Fix | None) -> PreviousFix | None:
    return None if fix is None else PreviousFix(fix.device_time, fix.lat, fix.lon)


def _outcome(
    work: _Work, context: IngestContext, stored: _Stored, status_stored: bool
) -> IngestOutcome:
    results = work.results
    for position, answer in zip(work.positions, stored.results, strict=True):
        results[position] = answer
    for position, first in work.repeats:
        earlier = results[first]
        assert earlier is not None
        results[position] = ReportResult(earlier.client_id, "duplicate", earlier.flags)
    status_result = work.status_result
    if work.status is not None:
        status_result = StatusResult("accepted" if status_stored else "duplicate")
    return IngestOutcome(
        [r for r in results if r is not None],
        status_result,
        stored.stored,
        context.person_id,
        context.language,
    )


def _admitted(context: IngestContext | None) -> IngestContext:
    if context is None:
        raise device_unknown()
    if context.retired:
        raise device_retired(context.language or DEFAULT_LANGUAGE)
    return context


@dataclass(frozen=True)
class _Stored:
    results: list[ReportResult]
    stored: int
    deltas: list[SummaryDelta]
    latest: LatestReport | None


def _with_status_problem(deltas: list[SummaryDelta], day: date) -> list[SummaryDelta]:
    """The deltas with one more device-status problem on ``day``."""
    for i, delta in enumerate(deltas):
        if delta.day == day:
            changed = list(deltas)
            changed[i] = SummaryDelta(
                delta.day,
                delta.reports,
                delta.inside_region,
                delta.near_address,
                delta.first_at,
                delta.last_at,
                delta.flag_counts,
                delta.device_status_problems + 1,
            )
            return changed
    return [*deltas, SummaryDelta(day, 0, 0, 0, None, None, [0] * len(FLAG_ORDER), 1)]
