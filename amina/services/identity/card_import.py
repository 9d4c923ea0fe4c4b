"""Importing the card register (``amina import cards FILE``; SPEC §4, API.md).

- Every record is checked; a rejected one is reported with its line number and every reason.
- Accepted records are upserted: new cards inserted, changed cards updated, identical cards
  left alone — importing the same file twice changes nothing.
- Records are written in batches, one transaction each, together with the import's progress
  (keyed by the file's content hash). A crash loses at most the batch in flight, and running
  the same file again resumes after the last committed batch.
- A card Amina knows is lost stays lost when the register still says valid: only the issuing
  system can replace it (with a new card) or revoke it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from amina.adapters.db.identity.tables import CardImportRow, CardRow
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.cards import Card, CardRowRejected, CardStatus, parse_card_row
from amina.services.clock import Clock
from amina.services.identity.cards import card_columns
from amina.services.ports import CardRegister

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class RejectedRecord:
    line: int
    reasons: tuple[str, ...]


@dataclass
class ImportReport:
    source: str
    records: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    resumed_after_line: int = 0
    rejected: list[RejectedRecord] = field(default_factory=list)


@dataclass
class _Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _start(
    uow_factory: UnitOfWorkFactory, register: CardRegister, fingerprint: str, now: datetime
) -> ImportReport:
    """Find or open the progress row of this content; a finished import starts over."""
    with uow_factory() as uow:
        row = uow.session.get(CardImportRow, fingerprint, with_for_update=True)
        if row is None or row.finished_at is not None:
            if row is None:
                row = CardImportRow(fingerprint=fingerprint)
                uow.session.add(row)
            row.source = register.name[:300]
            row.started_at = now
            row.finished_at = None
            row.lines_done = row.inserted = row.updated = row.unchanged = row.rejected = 0
        row.updated_at = now
        report = ImportReport(
            source=register.name,
            inserted=row.inserted,
            updated=row.updated,
            unchanged=row.unchanged,
            resumed_after_line=row.lines_done,
        )
        uow.commit()
    return report


def _write_batch(
    uow_factory: UnitOfWorkFactory,
    fingerprint: str,
    now: datetime,
    batch: list[Card],
    *,
    through_line: int,
    rejected: int,
    finished: bool,
) -> _Counts:
    counts = _Counts()
    with uow_factory() as uow:
        numbers = sorted({card.number for card in batch})
        existing = {
            row.card_number: row
            for row in uow.session.scalars(
                select(CardRow).where(CardRow.card_number.in_(numbers)).with_for_update()
            )
        }
        for card in batch:
            columns = card_columns(card)
            row = existing.get(card.number)
            if row is None:
                row = CardRow(**columns, imported_at=now, updated_at=now)
                uow.session.add(row)
                existing[card.number] = row
                counts.inserted += 1
                continue
            if row.status == CardStatus.lost.value and card.status is CardStatus.valid:
                columns["status"] = CardStatus.lost.value
            changed = {k: v for k, v in columns.items() if getattr(row, k) != v}
            if not changed:
                counts.unchanged += 1
                continue
            for name, value in changed.items():
                setattr(row, name, value)
            row.updated_at = now
            counts.updated += 1
        progress = uow.session.get(CardImportRow, fingerprint, with_for_update=True)
        assert progress is not None
        progress.lines_done = through_line
        progress.inserted += counts.inserted
        progress.updated += counts.updated
        progress.unchanged += counts.unchanged
        progress.rejected = rejected
        progress.updated_at = now
        if finished:
            progress.finished_at = now
        uow.commit()
    return counts


def import_cards(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    register: CardRegister,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a register source. Operators call it through the CLI; the demo loader too.

    Raises ``UnknownColumns`` (nothing imported) when the source has fields the format does not
    know. Records at or before the line where an interrupted import of the same content stopped
    are checked again (so the report lists every rejection) but not written again.
    """
    now = clock.now()
    today = moscow_date(now)
    fingerprint = register.fingerprint
    report = _start(uow_factory, register, fingerprint, now)
    batch: list[Card] = []
    last_line = report.resumed_after_line

    def flush(through_line: int, *, finished: bool) -> None:
        counts = _write_batch(
            uow_factory,
            fingerprint,
            now,
            batch,
            through_line=through_line,
            rejected=len(report.rejected),
            finished=finished,
        )
        report.inserted += counts.inserted
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        batch.clear()

    for record in register.lines():
        report.records += 1
        card: Card | None = None
        if record.fields is None:
            report.rejected.append(RejectedRecord(record.line, (record.problem or "unreadable",)))
        else:
            try:
                card = parse_card_row(record.fields, today)
            except CardRowRejected as rejection:
                report.rejected.append(RejectedRecord(record.line, rejection.reasons))
        if card is not None and record.line > report.resumed_after_line:
            batch.append(card)
            last_line = record.line
            if len(batch) >= batch_size:
                flush(record.line, finished=False)
        if progress is not None:
            progress(1)
    flush(max(last_line, report.resumed_after_line), finished=True)
    return report
