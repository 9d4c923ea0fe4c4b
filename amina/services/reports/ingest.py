"""Location reports in (SPEC §6, API.md "Location reports"): validate, classify, store.

The web adapter reads the JSON body into a typed :class:`Batch` (amina.adapters.web.api.
report_body: shapes and types); whether each report can be stored is the domain's rule
(amina.domain.reports.rejection / all_storable), applied here.

One batch is one transaction: the device credential is checked in the query that loads the
context (registered address, latest fix), every valid report is classified by ONE vectorised
``classify_arrays`` call and inserted by ONE statement; the daily summaries and the person's
"last report" row are incremented for the rows actually stored, in the same transaction; the
answer leaves only after COMMIT. A report that hits the primary key (person, device time,
device, client id) was stored before: it is ``duplicate`` and changes nothing. Invalid reports
are ``rejected`` with an error; the rest of the batch is still stored.

The flow is written once (:meth:`ReportIngest._steps`: it yields each database call and is sent
the answer); two short drivers run it: on a unit of work (any database, in a thread) and on
psycopg's asyncio connections (PostgreSQL, on the event loop — the hot path; BENCHMARKS.md).
Both store the reports and resolve the notices they cover in one transaction (ADR 005). The
protocol for app developers: docs/reports.md; the storage design: docs/adr/003-report-storage.md.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from amina.adapters.db.reports.store import (
    AsyncReportStore,
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
from amina.domain.policy import Policy
from amina.domain.reports import (
    FLAG_BITS,
    FLAG_ORDER,
    FLAGS_OF_BITS,
    ClassifiedBatch,
    Flag,
    LocationReport,
    PreviousFix,
    Rejection,
    Thresholds,
    all_storable,
    classify_arrays,
    rejection,
    status_rejection,
    summarise_batch,
)
from amina.i18n import DEFAULT_LANGUAGE, N_
from amina.services.clock import Clock
from amina.services.identity.sessions import device_retired, device_unknown
from amina.services.identity.sign_in import bearer_owner, secret_hash
from amina.services.policy.versions import policy_book

#: Most reports one request may carry (API.md); more is ``413 batch_too_large``.
MAX_BATCH = 1000
#: How far back the impossible-speed check looks for the fix before a late batch.
PREVIOUS_FIX_WINDOW = timedelta(days=1)


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
    "number_out_of_range": N_("The field %(field)s must be between %(min)s and %(max)s."),
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
class Unreadable:
    """A report item (or device status) that is not one by shape: why, and the client id it
    carried, if any (the answer repeats it)."""

    error: ItemError
    client_id: str | None = None


@dataclass(frozen=True)
class DeviceStatus:
    """The device's status as sent (``at`` absent: as of its arrival)."""

    at: datetime | None
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None


ReportItem = LocationReport | Unreadable


@dataclass(frozen=True)
class Batch:
    """A request body, read into types (by the web adapter: amina.adapters.web.api.report_body):
    its report items in the order sent, and the device status, if any. The values are judged
    here, by the domain's rule (amina.domain.reports.rejection)."""

    items: Sequence[ReportItem]
    status: DeviceStatus | Unreadable | None = None


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


# --- judging the typed input ------------------------------------------------------------------


def _item_error(refused: Rejection) -> ItemError:
    return ItemError(refused.code, refused.field, refused.params)


def _status_record(status: DeviceStatus, received_at: datetime) -> StatusRecord | ItemError:
    refused = status_rejection(status.at, status.app_version)
    if refused is not None:
        return _item_error(refused)
    return StatusRecord(
        reported_at=received_at if status.at is None else status.at,
        location_permission=status.location_permission,
        location_services=status.location_services,
        battery_saver=status.battery_saver,
        app_version=status.app_version,
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
        store: Callable[[UnitOfWork], ReportStore] = ReportStore,
        policy: Callable[[UnitOfWork, date], Policy] | None = None,
    ) -> None:
        self.uow = uow
        self.store = store
        self.policy = policy or _policy_in_force
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
            policy = self.policy(uow, today)
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
        return self._ingest(
            batch,
            lambda store: store.device_context(bearer_owner(credential), secret_hash(credential)),
        )

    def check_device(self, credential: str) -> IngestContext:
        """Who holds ``credential`` (for answering a malformed request in the right words);
        raises ``device_unknown`` / ``device_retired`` like :meth:`ingest_from_device`."""
        with self.uow() as uow:
            context = self.store(uow).device_context(
                bearer_owner(credential), secret_hash(credential)
            )
        return _admitted(context)

    def _ingest(
        self, batch: Batch, load: Callable[[ReportStore], IngestContext | None]
    ) -> IngestOutcome:
        received_at = self.clock.now()
        rules = self.rules(moscow_date(received_at))
        return self._ingest_work(_prepare(batch, received_at, rules), rules, load)

    def _ingest_work(
        self, work: _Work, rules: ReportRules, load: Callable[[ReportStore], IngestContext | None]
    ) -> IngestOutcome:
        with self.uow() as uow:
            store = self.store(uow)
            context = _admitted(load(store))
            steps = self._steps(work, context, rules)
            answer: Any = None
            try:
                while True:
                    name, args = steps.send(answer)
                    if name == "commit":
                        uow.commit()
                        answer = None
                    elif name == "resolve_notices":
                        assert self.resolve_notices is not None
                        answer = self.resolve_notices(uow, self.clock, *args)
                    else:
                        answer = getattr(store, name)(*args)
            except StopIteration as done:
                stored, status_stored = done.value
        return _outcome(work, context, stored, status_stored)

    # -- the same use case on the event loop (PostgreSQL, psycopg's asyncio connections) -----

    async def ingest_from_device_async(
        self, credential: str, batch: Batch, stores: AsyncReportStores
    ) -> IngestOutcome:
        """:meth:`ingest_from_device` without a thread: the database is awaited, the CPU work
        runs on the loop. Same semantics as :meth:`ingest_from_device`: a notice that the
        stored reports now cover is resolved in the same transaction (such a batch is stored
        through the unit of work, in a thread; docs/adr/005-one-ingest-transaction.md)."""
        received_at = self.clock.now()
        today = moscow_date(received_at)
        if not self.rules_are_fresh(today):
            await asyncio.to_thread(self.rules, today)
        rules = self.rules(today)
        work = _prepare(batch, received_at, rules)
        async with stores.transaction() as store:
            context = _admitted(
                await store.device_context(bearer_owner(credential), secret_hash(credential))
            )
            if self._may_resolve_notices(work, context):
                # the person has a notice waiting that these reports may cover: the batch
                # goes through the unit of work (in a thread), so that the notice is resolved
                # in the same transaction as the reports, exactly as on SQLite (the notice
                # rules run on the ORM). Nothing was written here: leaving rolls back.
                handed_over = True
            else:
                handed_over = False
                stored, status_stored = await self._store_async(store, work, context, rules)
        if handed_over:
            return await asyncio.to_thread(
                self._ingest_work,
                work,
                rules,
                lambda store: store.device_context(
                    bearer_owner(credential), secret_hash(credential)
                ),
            )
        return _outcome(work, context, stored, status_stored)

    async def _store_async(
        self, store: AsyncReportStore, work: _Work, context: IngestContext, rules: ReportRules
    ) -> tuple[_Stored, bool]:
        steps = self._steps(work, context, rules)
        answer: Any = None
        try:
            while True:
                name, args = steps.send(answer)
                # never "resolve_notices": such a batch was handed over (see above)
                answer = await getattr(store, name)(*args)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    # -- the use case between its database calls (no I/O) ------------------------------------

    def _steps(
        self, work: _Work, context: IngestContext, rules: ReportRules
    ) -> Generator[tuple[str, tuple[Any, ...]], Any, tuple[_Stored, bool]]:
        """The one flow of a batch, for both drivers: it yields each call to the store (the
        method's name and its arguments: ``fix_before``, ``insert_reports``,
        ``stored_flags``, ``insert_status``, ``update_aggregates``, ``resolve_notices``,
        ``commit``), is sent the answer, and returns what was stored. The unit-of-work driver
        runs the calls on :class:`ReportStore` (and the notice rules and the commit on its unit
        of work), the asyncio driver on :class:`AsyncReportStore`."""
        person_id, device_id, received_at = context.person_id, context.device_id, work.received_at
        plan = self._plan(work, context, rules)
        if plan.fix_wanted_before is not None:
            fix = yield ("fix_before", (person_id, plan.fix_wanted_before, PREVIOUS_FIX_WINDOW))
            plan.previous = _previous(fix)
        inserted: set[str] = set()
        earlier: dict[str, int] = {}
        if plan.valid:
            columns = self._classify(plan)
            inserted = yield ("insert_reports", (person_id, device_id, received_at, columns))
            if len(inserted) < len(work.valid):
                keys = plan.duplicate_keys(inserted)
                earlier = yield ("stored_flags", (person_id, device_id, keys))
        stored = self._settle(plan, inserted, earlier)
        status_stored = False
        if work.status is not None:
            status_stored = yield (
                "insert_status",
                (person_id, device_id, received_at, work.status),
            )
        if stored.stored or status_stored or work.valid:
            yield ("update_aggregates", self._aggregates(work, context, stored, status_stored))
            if stored.stored and context.unresolved_notice and self.resolve_notices is not None:
                yield ("resolve_notices", (person_id,))
            yield ("commit", ())
        return stored, status_stored

    def _may_resolve_notices(self, work: _Work, context: IngestContext) -> bool:
        return bool(work.valid) and context.unresolved_notice and self.resolve_notices is not None

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


def _policy_in_force(uow: UnitOfWork, day: date) -> Policy:
    return policy_book(uow).in_force_on(day)


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


def _all_valid(items: Sequence[ReportItem]) -> _Valid | None:
    """The whole batch column by column, if every item is a storable report with its own
    client id — the common case, checked with :func:`all_storable` at once instead of
    :func:`rejection` report by report. None as soon as anything is off: the caller then goes
    item by item, which finds each item's exact error."""
    if not all(type(item) is LocationReport for item in items):
        return None
    valid = _Valid.of(items)  # type: ignore[arg-type]  # all LocationReport (checked above)
    if len(set(valid.client_id)) != len(valid.client_id):
        return None
    if not all_storable(
        valid.client_id,
        valid.device_time,
        valid.provider,
        np.array(valid.lat),
        np.array(valid.lon),
        np.array(valid.accuracy_m),
        valid.speed_mps,
        valid.altitude_m,
    ):
        return None
    return valid


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
        for position, item in enumerate(batch.items):
            if isinstance(item, Unreadable):
                results[position] = ReportResult(item.client_id, "rejected", (), item.error)
                continue
            refused = rejection(item)
            if refused is not None:
                results[position] = ReportResult(
                    item.client_id, "rejected", (), _item_error(refused)
                )
            elif item.client_id in first_seen:
                repeats.append((position, first_seen[item.client_id]))
            else:
                first_seen[item.client_id] = position
                reports.append(item)
                positions.append(position)
        valid = _Valid.of(reports)
    status: StatusRecord | None = None
    status_result: StatusResult | None = None
    if batch.status is not None:
        read = (
            batch.status.error
            if isinstance(batch.status, Unreadable)
            else _status_record(batch.status, received_at)
        )
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
