"""Opening hours and slots: the templates (data, edited by supervisors), the days the centre
closed, opening slots ahead on working days, and the free slots anyone may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select, update

from amina.adapters.db.booking.tables import (
    BookingClosedDayRow,
    BookingSlotRow,
    BookingTemplateRow,
)
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.booking import (
    OPEN_DAYS_AHEAD,
    ServiceCode,
    SlotTemplate,
    default_templates,
    planned_slots,
)
from amina.domain.calendar import moscow_date
from amina.domain.roles import Permission
from amina.services.audit.trail import Actor, record_access
from amina.services.booking.errors import reason_required, template_invalid
from amina.services.clock import Clock
from amina.services.policy.calendar import working_calendar
from amina.services.staff.permissions import require

MIN_REASON = 5


@dataclass(frozen=True)
class Slot:
    id: str
    service: str
    day: date
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    closed: bool

    @property
    def free(self) -> int:
        return 0 if self.closed else max(0, self.capacity - self.booked)


def slot_from_row(row: BookingSlotRow) -> Slot:
    return Slot(
        row.id,
        row.service,
        row.day,
        row.starts_at,
        row.ends_at,
        row.capacity,
        row.booked,
        row.closed,
    )


def templates(uow: UnitOfWork) -> list[SlotTemplate]:
    """The templates in force: the stored ones, or the defaults until a supervisor edits."""
    rows = uow.session.scalars(
        select(BookingTemplateRow).order_by(BookingTemplateRow.weekday, BookingTemplateRow.service)
    ).all()
    if not rows:
        return default_templates()
    return [
        SlotTemplate(r.weekday, ServiceCode(r.service), r.opens, r.closes, r.counters) for r in rows
    ]


def closed_days(uow: UnitOfWork, start: date, end: date) -> list[BookingClosedDayRow]:
    return list(
        uow.session.scalars(
            select(BookingClosedDayRow)
            .where(BookingClosedDayRow.day >= start, BookingClosedDayRow.day <= end)
            .order_by(BookingClosedDayRow.day)
        )
    )


def open_slots(uow: UnitOfWork, clock: Clock, days_ahead: int = OPEN_DAYS_AHEAD) -> int:
    """Create the slots of the next ``days_ahead`` days that do not exist yet (idempotent: the
    daily job and the demo call it). Returns how many were created."""
    today = moscow_date(clock.now())
    end = today + timedelta(days=days_ahead)
    closed = [row.day for row in closed_days(uow, today, end)]
    planned = planned_slots(today, end, working_calendar(uow), templates(uow), closed)
    existing = {
        (service, starts_at)
        for service, starts_at in uow.session.execute(
            select(BookingSlotRow.service, BookingSlotRow.starts_at).where(
                BookingSlotRow.day >= today, BookingSlotRow.day <= end
            )
        )
    }
    rows = [
        {
            "id": str(uuid.uuid4()),
            "service": p.service.value,
            "day": p.day,
            "starts_at": p.starts_at,
            "ends_at": p.ends_at,
            "capacity": p.capacity,
            "booked": 0,
            "closed": False,
        }
        for p in planned
        if (p.service.value, p.starts_at) not in existing
    ]
    if rows:
        uow.session.execute(insert(BookingSlotRow), rows)
    return len(rows)


def free_slots(
    uow: UnitOfWork, clock: Clock, service: ServiceCode, start: date, end: date
) -> list[Slot]:
    """Future slots of a service between two dates (both included) with a free seat."""
    rows = uow.session.scalars(
        select(BookingSlotRow)
        .where(
            BookingSlotRow.service == service.value,
            BookingSlotRow.day >= start,
            BookingSlotRow.day <= end,
            BookingSlotRow.closed.is_(False),
            BookingSlotRow.booked < BookingSlotRow.capacity,
            BookingSlotRow.starts_at > clock.now(),
        )
        .order_by(BookingSlotRow.starts_at)
    )
    return [slot_from_row(row) for row in rows]


def slot(uow: UnitOfWork, slot_id: str) -> Slot | None:
    row = uow.session.get(BookingSlotRow, slot_id)
    return None if row is None else slot_from_row(row)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise reason_required()
    return reason


def save_template(
    uow: UnitOfWork, clock: Clock, actor: Actor, template: SlotTemplate, reason: str
) -> int:
    """A supervisor changes one service's hours or counters on one weekday (audited, with a
    reason). Slots not opened yet follow it; open future slots of that weekday take the new
    counters, never fewer than their seats already booked. Returns the slots changed."""
    require(actor, Permission.appointment_hours)
    why = _reason(reason)
    if template.problems():
        raise template_invalid()
    now = clock.now()
    if uow.session.scalar(select(BookingTemplateRow).limit(1)) is None:
        for default in default_templates():
            uow.session.add(_template_row(default, now, None))
        uow.session.flush()
    row = uow.session.get(BookingTemplateRow, (template.weekday, template.service.value))
    if row is None:
        uow.session.add(_template_row(template, now, actor.staff_id))
    else:
        row.opens, row.closes, row.counters = template.opens, template.closes, template.counters
        row.updated_at, row.updated_by = now, actor.staff_id
    today = moscow_date(now)
    changed = 0
    for slot_row in uow.session.scalars(
        select(BookingSlotRow).where(
            BookingSlotRow.service == template.service.value, BookingSlotRow.day > today
        )
    ):
        if slot_row.day.weekday() == template.weekday:
            slot_row.capacity = max(slot_row.booked, template.counters)
            changed += 1
    record_access(
        uow,
        clock,
        actor,
        action="booking.template_edit",
        purpose=why,
        details={
            "weekday": template.weekday,
            "service": template.service.value,
            "opens": template.opens.isoformat(),
            "closes": template.closes.isoformat(),
            "counters": template.counters,
        },
    )
    return changed


def _template_row(template: SlotTemplate, now: datetime, by: str | None) -> BookingTemplateRow:
    return BookingTemplateRow(
        weekday=template.weekday,
        service=template.service.value,
        opens=template.opens,
        closes=template.closes,
        counters=template.counters,
        updated_at=now,
        updated_by=by,
    )


def close_slots_of_day(uow: UnitOfWork, day: date) -> None:
    uow.session.execute(
        update(BookingSlotRow)
        .where(BookingSlotRow.day == day)
        .values(closed=True)
        .execution_options(synchronize_session=False)
    )


def record_closed_day(uow: UnitOfWork, clock: Clock, actor: Actor, day: date, reason: str) -> str:
    require(actor, Permission.appointment_hours)
    why = _reason(reason)
    if uow.session.get(BookingClosedDayRow, day) is None:
        uow.session.add(
            BookingClosedDayRow(
                day=day, reason=why, closed_at=clock.now(), closed_by=actor.staff_id
            )
        )
    close_slots_of_day(uow, day)
    record_access(
        uow,
        clock,
        actor,
        action="booking.day_close",
        purpose=why,
        details={"day": day.isoformat()},
    )
    return why


__all__ = [
    "Slot",
    "close_slots_of_day",
    "closed_days",
    "free_slots",
    "open_slots",
    "record_closed_day",
    "save_template",
    "slot",
    "templates",
]


# --- use cases: each in one transaction of its own, committed here ------------------------------


def open_slots_ahead(
    uow_factory: UnitOfWorkFactory, clock: Clock, days_ahead: int = OPEN_DAYS_AHEAD
) -> int:
    """The system (the daily job) opens the slots of the next days (:func:`open_slots`)."""
    with uow_factory() as uow:
        created = open_slots(uow, clock, days_ahead)
        uow.commit()
    return created


def save_opening_hours(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, template: SlotTemplate, reason: str
) -> int:
    """A supervisor changes one service's hours or counters on one weekday
    (:func:`save_template`). Returns the slots changed."""
    with uow_factory() as uow:
        changed = save_template(uow, clock, actor, template, reason)
        uow.commit()
    return changed
