"""Location reports in (SPEC §6, API.md "Location reports"): classify, store, answer.

The web adapter reads the JSON body and judges each item in one pass
(amina.adapters.web.api.report_body, with the rules of amina.domain.reports): the use case
receives a :class:`Batch` — the storable reports column by column, as the store takes them,
and the error of each other item.

One batch is one transaction: the device credential is checked in the query that loads the
context (registered address, latest fix), every storable report is classified by ONE
``classify_columns`` call (vectorised for a batch; plain Python for a few reports, where numpy
costs more than it saves: amina.domain.reports) and inserted by ONE statement; the daily
summaries and the person's "last report" row are incremented for the rows actually stored, in
the same transaction; the answer leaves only after COMMIT. Invalid reports are ``rejected``
with an error; the rest of the batch is still stored.

A report's identity is its client id together with its device time (API.md). Sent again
unchanged it is ``duplicate`` and changes nothing; its client id with other content — a second
item of the same batch that differs, or a report with another device time than the one stored
under that client id — is ``rejected`` with ``client_id_reused``, never stored twice nor
silently dropped. Across batches a report is checked against the person's stored reports under
its client id taken within :data:`CLIENT_ID_WINDOW` of the batch. The person's filter of recent
client ids (``amina.domain.identity_filter``, read with the context, written with the
aggregates) rules out the client ids never stored recently; the stored reports
(``ReportStore.held_reports``) are read only for the others — sent before, or a false
positive — and for a batch reaching further back than the filter is complete. See
:func:`_unsure`.

The flow is written once, as a coroutine (:meth:`ReportIngest._store`) over the store's calls;
two short drivers run it: on a unit of work (any database, in a thread: the store's calls never
suspend, so the coroutine runs to its end in one step, without an event loop) and on asyncpg
connections (PostgreSQL, on the event loop — the hot path; BENCHMARKS.md). Both store
the reports and resolve the notices they cover in one transaction (ADR 005). The protocol for
app developers: docs/reports.md; the storage design: docs/adr/003-report-storage.md.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Protocol

from amina.adapters.db.reports.store import (
    AsyncReportStores,
    Fix,
    HeldReport,
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
from amina.domain.identity_filter import (
    FILTER_BITS,
    FilterWrite,
    IdentityFilter,
    Positions,
    arrival_day,
    mask_of,
    positions,
)
from amina.domain.policy import Policy
from amina.domain.reports import (
    FLAG_BITS,
    FLAG_ORDER,
    FLAGS_OF_BITS,
    ClassifiedRows,
    Flag,
    PreviousFix,
    Thresholds,
    classify_columns,
    counted_at,
    latest_counted,
    summarise_columns,
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
#: A client id is checked against the person's stored reports taken from this long before the
#: batch's earliest report to this long after its latest (API.md: "the person's recent
#: reports"): a re-sent report always falls inside (same device time), and so does a client id
#: re-used for a report taken within a day of it. Ruled out by the filter where it can
#: (:func:`_unsure`), else by one index range of the stored reports (the primary key starts
#: with person and device time).
CLIENT_ID_WINDOW = timedelta(days=1)


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
    "client_id_reused": N_(
        "This client id was already used for another report. Give every report its own "
        "client id, and send a report again only exactly as it was first sent."
    ),
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


@dataclass(frozen=True)
class Batch:
    """A request body, read and judged by the web adapter (amina.adapters.web.api.report_body):
    ``size`` report items in the order sent; the storable ones column by column (``reports``,
    without their classification yet) with their ``positions`` in the body; the others as
    (position, client id if any, error); and the device status, if any."""

    size: int
    reports: ReportColumns
    positions: list[int]
    rejected: list[tuple[int, str | None, ItemError]]
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


# --- the device status -----------------------------------------------------------------------


def _status_record(status: DeviceStatus, received_at: datetime) -> StatusRecord:
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


class _Store(Protocol):
    """The store's calls the flow makes, as coroutines: :class:`AsyncReportStore` as it is,
    :class:`ReportStore` (or a test's store) through :class:`_Immediate`."""

    async def fix_before(
        self, person_id: str, before: datetime, window: timedelta
    ) -> Fix | None: ...

    async def insert_reports(
        self,
        person_id: str,
        device_id: str,
        received_at: datetime,
        rows: ReportColumns,
    ) -> set[str]: ...

    async def held_reports(
        self, person_id: str, client_ids: Sequence[str], window: tuple[datetime, datetime]
    ) -> list[tuple[HeldReport, str]]: ...

    async def forget_reports(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> None: ...

    async def stored_flags(
        self, person_id: str, device_id: str, keys: Sequence[tuple[str, datetime]]
    ) -> dict[str, int]: ...

    async def insert_status(
        self, person_id: str, device_id: str, received_at: datetime, status: StatusRecord
    ) -> bool: ...

    async def update_aggregates(
        self,
        person_id: str,
        now: datetime,
        deltas: Sequence[SummaryDelta],
        latest: LatestReport | None,
        status: StatusRecord | None,
        identity: FilterWrite,
    ) -> None: ...


class _Immediate:
    """A synchronous store seen as :class:`_Store`: each call runs at once (blocking, in the
    caller's thread) and its coroutine finishes without suspending."""

    def __init__(self, store: Any) -> None:
        self.store = store

    async def fix_before(self, *args: Any) -> Fix | None:
        return self.store.fix_before(*args)  # type: ignore[no-any-return]

    async def insert_reports(self, *args: Any) -> set[str]:
        return self.store.insert_reports(*args)  # type: ignore[no-any-return]

    async def held_reports(self, *args: Any) -> list[tuple[HeldReport, str]]:
        return self.store.held_reports(*args)  # type: ignore[no-any-return]

    async def forget_reports(self, *args: Any) -> None:
        self.store.forget_reports(*args)

    async def stored_flags(self, *args: Any) -> dict[str, int]:
        return self.store.stored_flags(*args)  # type: ignore[no-any-return]

    async def insert_status(self, *args: Any) -> bool:
        return self.store.insert_status(*args)  # type: ignore[no-any-return]

    async def update_aggregates(self, *args: Any) -> None:
        self.store.update_aggregates(*args)


def _run_to_end(flow: Coroutine[Any, Any, Any]) -> Any:
    """The result of a coroutine that never suspends (its awaits are :class:`_Immediate`)."""
    try:
        flow.send(None)
    except StopIteration as done:
        return done.value
    flow.close()
    raise RuntimeError("a synchronous store's call suspended")


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
        filter_bits: int = FILTER_BITS,
    ) -> None:
        self.uow = uow
        #: the positions the filter of recent client ids uses (fewer only in tests: to force
        #: false positives; never changed on a running installation)
        self.filter_bits = filter_bits
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
            stored = _run_to_end(self._store(_Immediate(store), work, context, rules))
            if stored.wrote:
                if stored.stored and context.unresolved_notice and self.resolve_notices:
                    self.resolve_notices(uow, self.clock, context.person_id)
                uow.commit()
        return _outcome(work, context, stored)

    # -- the same use case on the event loop (PostgreSQL, asyncpg connections) ---------------

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
            # a notice waits that these reports may cover: the batch goes through the unit of
            # work (in a thread), so that the notice is resolved in the same transaction as the
            # reports, exactly as on SQLite (the notice rules run on the ORM). Nothing was
            # written here: leaving rolls back.
            handed_over = self._may_resolve_notices(work, context)
            if not handed_over:
                stored = await self._store(store, work, context, rules)
                if stored.wrote:
                    await store.commit()
        if handed_over:
            return await asyncio.to_thread(
                self._ingest_work,
                work,
                rules,
                lambda store: store.device_context(
                    bearer_owner(credential), secret_hash(credential)
                ),
            )
        return _outcome(work, context, stored)

    def _may_resolve_notices(self, work: _Work, context: IngestContext) -> bool:
        return bool(work.reports) and context.unresolved_notice and self.resolve_notices is not None

    # -- the one flow of a batch, for both drivers ---------------------------------------------

    async def _store(
        self, store: _Store, work: _Work, context: IngestContext, rules: ReportRules
    ) -> _Stored:
        """Classify and store the batch's reports and status, and add them to the summaries
        and the last-report row; the driver commits when something was written (and, on the
        unit of work, first resolves the notices the reports cover)."""
        person_id, device_id, received_at = context.person_id, context.device_id, work.received_at
        reports = work.reports
        stored = _Stored([], 0, [], None)
        spots: list[Positions] = []
        if reports:
            previous, wanted_before = _previous_fix(work, context)
            if wanted_before is not None:
                fix = await store.fix_before(person_id, wanted_before, PREVIOUS_FIX_WINDOW)
                previous = None if fix is None else PreviousFix(fix.device_time, fix.lat, fix.lon)
            batch = self._classify(work, context, rules, previous)
            seconds = work.seconds
            window = (
                _instant(min(seconds)) - CLIENT_ID_WINDOW,
                _instant(max(seconds)) + CLIENT_ID_WINDOW,
            )
            inserted = await store.insert_reports(person_id, device_id, received_at, reports)
            held: list[HeldReport] = []
            bits = self.filter_bits
            spots = [positions(c, bits) for c in reports.client_id]
            unsure = _unsure(work, inserted, context.identity, window[0], spots)
            if unsure:
                held = _before_this_batch(
                    work,
                    inserted,
                    device_id,
                    await store.held_reports(person_id, unsure, window),
                )
            answers = _identify(work, inserted, held)
            if answers.forget:
                await store.forget_reports(person_id, device_id, answers.forget)
            if answers.unknown:
                answers.earlier.update(
                    await store.stored_flags(person_id, device_id, answers.unknown)
                )
            stored = _settle(work, context, batch, inserted, answers)
        status_stored = False
        if work.status is not None:
            status_stored = await store.insert_status(
                person_id, device_id, received_at, work.status
            )
        stored.status_stored = status_stored
        if stored.stored or status_stored or reports:
            await store.update_aggregates(
                *_aggregates(work, context, stored), _filter_write(work, stored, spots)
            )
            stored.wrote = True
        return stored

    def _classify(
        self,
        work: _Work,
        context: IngestContext,
        rules: ReportRules,
        previous: PreviousFix | None,
    ) -> ClassifiedRows:
        """Classify the batch at once and complete its columns (region, flags, distance)."""
        reports = work.reports
        batch = classify_columns(
            reports.lat,
            reports.lon,
            reports.accuracy_m,
            work.seconds,
            reports.mocked,
            received_at=work.received_at,
            thresholds=rules.thresholds,
            classifier=self.classifiers(rules.border_margin_m),
            address=context.address,
            previous=previous,
        )
        reports.region = batch.regions
        reports.flags = batch.flags
        reports.distance_to_address_m = batch.distance_to_address_m
        return batch


def _policy_in_force(uow: UnitOfWork, day: date) -> Policy:
    return policy_book(uow).in_force_on(day)


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass
class _Work:
    """A request body, prepared: the reports to store (the first occurrence of each client id)
    with their positions in the body and their device times in POSIX seconds, the answers
    already known (rejected items, repeats), the device status."""

    received_at: datetime
    results: list[ReportResult | None]
    reports: ReportColumns
    positions: list[int]
    seconds: list[float]
    repeats: list[tuple[int, int]]  # (position, position of the first occurrence)
    status: StatusRecord | None
    status_result: StatusResult | None


@dataclass
class _Answers:
    """What the person's stored reports say about the batch's client ids."""

    #: flags of reports stored before under the same identity (client id and device time)
    earlier: dict[str, int]
    #: client ids stored before with another device time (rejected ``client_id_reused``)
    reused: set[str]
    #: rows this batch's insert nevertheless wrote for those, or for a report stored before
    #: from another device of the person (to be taken back)
    forget: list[tuple[str, datetime]]
    #: not inserted and not found among the stored reports read (another transaction stored
    #: them meanwhile): their flags are read afterwards
    unknown: list[tuple[str, datetime]]


def _identify(work: _Work, inserted: set[str], held: Sequence[HeldReport]) -> _Answers:
    """A report's identity is its client id with its device time (API.md): of the batch's
    reports, which were stored before (``duplicate``), which re-use a client id stored with
    another device time (``client_id_reused``)."""
    answers = _Answers({}, set(), [], [])
    if not held and len(inserted) == len(work.reports):
        return answers  # the common case: nothing sent before, everything went in
    times = dict(zip(work.reports.client_id, work.reports.device_time, strict=True))
    other_time: set[str] = set()
    for client_id, device_time, flags in held:
        if device_time == times[client_id]:
            answers.earlier[client_id] = flags
        else:
            other_time.add(client_id)
    answers.reused = other_time - answers.earlier.keys()
    for client_id in (*answers.reused, *answers.earlier):
        if client_id in inserted:
            answers.forget.append((client_id, times[client_id]))
    answers.unknown = [
        (c, t)
        for c, t in times.items()
        if c not in inserted and c not in answers.earlier and c not in answers.reused
    ]
    return answers


def _unsure(
    work: _Work,
    inserted: set[str],
    identity: IdentityFilter | None,
    window_start: datetime,
    spots: Sequence[Positions],
) -> list[str]:
    """The batch's client ids whose stored reports must be read: all of them unless the
    person's filter covers the batch's window; else those whose bits are all set (sent
    before, or a false positive) and those the primary key refused (sent again)."""
    client_ids = work.reports.client_id
    if identity is None or not identity.covers(window_start):
        return list(client_ids)
    return [
        c
        for c, spot in zip(client_ids, spots, strict=True)
        if c not in inserted or identity.may_hold(spot)
    ]


def _before_this_batch(
    work: _Work, inserted: set[str], device_id: str, found: Sequence[tuple[HeldReport, str]]
) -> list[HeldReport]:
    """The stored reports read after the insert, without the rows this batch's insert wrote."""
    times = dict(zip(work.reports.client_id, work.reports.device_time, strict=True))
    return [
        report
        for report, device in found
        if not (device == device_id and report[0] in inserted and report[1] == times[report[0]])
    ]


def _reused(client_id: str) -> ReportResult:
    return ReportResult(client_id, "rejected", (), ItemError("client_id_reused", "client_id"))


def _settle(
    work: _Work,
    context: IngestContext,
    batch: ClassifiedRows,
    inserted: set[str],
    answers: _Answers,
) -> _Stored:
    """The answer for each report and what the stored ones add to the summaries and to the
    last-report row."""
    reports = work.reports
    client_ids, bits = reports.client_id, reports.flags
    kept: Sequence[int]
    reused, earlier = answers.reused, answers.earlier
    if len(inserted) == len(client_ids) and not reused and not earlier:
        kept = range(len(client_ids))
        results = [
            ReportResult(c, "accepted", _NAMES_OF_BITS[b])
            for c, b in zip(client_ids, bits, strict=True)
        ]
    else:
        kept = [
            i
            for i, c in enumerate(client_ids)
            if c in inserted and c not in reused and c not in earlier
        ]
        results = [
            _reused(c)
            if c in reused
            else ReportResult(c, "accepted", _NAMES_OF_BITS[b])
            if c in inserted and c not in earlier
            else ReportResult(c, "duplicate", _NAMES_OF_BITS[earlier.get(c, b)])
            for c, b in zip(client_ids, bits, strict=True)
        ]
    if len(kept) == 0:
        return _Stored(results, 0, [], None, kept=kept)
    received_at = work.received_at
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
        for summary in summarise_columns(
            reports.device_time,
            batch,
            kept,
            received_at=received_at,
            device_seconds=work.seconds,
        ).values()
    ]
    # the latest by the time each report counts (a report from the future: its arrival)
    i = latest_counted(work.seconds, kept, received_at)
    newest = LatestReport(
        device_id=context.device_id,
        counted_at=counted_at(reports.device_time[i], received_at),
        received_at=received_at,
        lat=reports.lat[i],
        lon=reports.lon[i],
        region=batch.regions[i],
        flags=bits[i],
    )
    return _Stored(results, len(kept), deltas, newest, kept=kept)


def _filter_write(work: _Work, stored: _Stored, spots: Sequence[Positions]) -> FilterWrite:
    """What the batch adds to the filter: the client ids of the reports it stored (``spots``:
    the positions of each of the batch's reports)."""
    times, received_at = work.reports.device_time, work.received_at
    ahead = [times[i] for i in stored.kept if times[i] > received_at]
    return FilterWrite(
        arrival_day(received_at),
        mask_of(spots[i] for i in stored.kept),
        max(ahead) if ahead else None,
    )


def _aggregates(
    work: _Work, context: IngestContext, stored: _Stored
) -> tuple[str, datetime, list[SummaryDelta], LatestReport | None, StatusRecord | None]:
    deltas = stored.deltas
    status = work.status if stored.status_stored else None
    if status is not None and status_problem(status):
        deltas = _with_status_problem(deltas, moscow_date(status.reported_at))
    return context.person_id, work.received_at, deltas, stored.latest, status


def _previous_fix(
    work: _Work, context: IngestContext
) -> tuple[PreviousFix | None, datetime | None]:
    """The fix the impossible-speed check compares the batch's first report with: the latest
    stored one when it is older than the whole batch; otherwise (a late, queued batch) the one
    stored just before the batch, to be read (the time returned)."""
    last = context.last_fix
    if last is None:
        return None, None
    if last.device_time.timestamp() < min(work.seconds):
        return PreviousFix(last.device_time, last.lat, last.lon), None
    return None, min(work.reports.device_time)


def _same_content(reports: ReportColumns, i: int, j: int) -> bool:
    return (
        reports.device_time[i] == reports.device_time[j]
        and reports.lat[i] == reports.lat[j]
        and reports.lon[i] == reports.lon[j]
        and reports.accuracy_m[i] == reports.accuracy_m[j]
        and reports.speed_mps[i] == reports.speed_mps[j]
        and reports.altitude_m[i] == reports.altitude_m[j]
        and reports.provider[i] == reports.provider[j]
        and reports.mocked[i] == reports.mocked[j]
    )


def _prepare(batch: Batch, received_at: datetime, rules: ReportRules) -> _Work:
    results: list[ReportResult | None] = [None] * batch.size
    for position, client_id, error in batch.rejected:
        results[position] = ReportResult(client_id, "rejected", (), error)
    reports, positions = batch.reports, batch.positions
    repeats: list[tuple[int, int]] = []
    if len(set(reports.client_id)) != len(reports.client_id):
        # a client id twice in one body: the same report sent twice is stored once (the
        # second answered like the first); other content under it is client_id_reused
        first: dict[str, int] = {}
        keep: list[int] = []
        for i, client_id in enumerate(reports.client_id):
            j = first.get(client_id)
            if j is None:
                first[client_id] = i
                keep.append(i)
            elif _same_content(reports, i, j):
                repeats.append((positions[i], positions[j]))
            else:
                results[positions[i]] = _reused(client_id)
        reports = _only(reports, keep)
        positions = [positions[i] for i in keep]
    status: StatusRecord | None = None
    status_result: StatusResult | None = None
    if isinstance(batch.status, Unreadable):
        status_result = StatusResult("rejected", batch.status.error)
    elif batch.status is not None:
        read = _status_record(batch.status, received_at)
        if read.reported_at > received_at + rules.thresholds.future_tolerance:
            # a status "from the future" is kept as of its arrival, so that retention
            # (counted from reported_at) cannot be stretched by a wrong clock
            status = dataclasses.replace(read, reported_at=received_at)
        else:
            status = read
    seconds = [t.timestamp() for t in reports.device_time]
    return _Work(received_at, results, reports, positions, seconds, repeats, status, status_result)


def _only(reports: ReportColumns, keep: Sequence[int]) -> ReportColumns:
    return ReportColumns(
        *([column[i] for i in keep] for column in dataclasses.astuple(reports)[:9])
    )


def _outcome(work: _Work, context: IngestContext, stored: _Stored) -> IngestOutcome:
    results = work.results
    for position, answer in zip(work.positions, stored.results, strict=True):
        results[position] = answer
    for position, first in work.repeats:
        earlier = results[first]
        assert earlier is not None
        results[position] = (
            earlier
            if earlier.status == "rejected"
            else ReportResult(earlier.client_id, "duplicate", earlier.flags)
        )
    status_result = work.status_result
    if work.status is not None:
        status_result = StatusResult("accepted" if stored.status_stored else "duplicate")
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


@dataclass
class _Stored:
    results: list[ReportResult]
    stored: int
    deltas: list[SummaryDelta]
    latest: LatestReport | None
    status_stored: bool = False
    #: the positions (in ``work.reports``) of the reports stored
    kept: Sequence[int] = ()
    #: something was written: the driver commits
    wrote: bool = False


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
