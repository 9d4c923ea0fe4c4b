"""No seat is ever given twice (issue 12, point 3): 50 people fire at the last seats of one
slot at the same moment, each in their own unit of work, and exactly as many as there are seats
get one; the others get ``slot_full``. A move racing a booking for the last seat loses nothing.
On PostgreSQL the transactions truly overlap; on SQLite writers queue (``BEGIN IMMEDIATE`` and
the busy timeout) and the same answers must come out."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from booking_support import opened, people
from sqlalchemy import func, select

from amina.adapters.db.booking.tables import BookingRow, BookingSlotRow
from amina.adapters.db.uow import UnitOfWork
from amina.bootstrap import Container
from amina.domain.booking import ACTIVE, ServiceCode
from amina.services.booking.bookings import book, reschedule
from amina.services.booking.slots import free_slots
from amina.services.errors import AminaError
from amina.services.idempotency import Answer, IdempotentRequest, fingerprint, run_once

RUSH = 50


def _first_slots(container: Container, count: int) -> list[str]:
    with container.uow() as uow:
        found = free_slots(
            uow,
            container.clock,
            ServiceCode.biometrics,
            container.clock.now().date(),
            container.clock.now().date().replace(day=30),
        )
    return [s.id for s in found[:count]]


def _book(container: Container, person_id: str, slot_id: str) -> str:
    def create(uow: UnitOfWork) -> Answer:
        booking = book(uow, container.clock, person_id, ServiceCode.biometrics, slot_id)
        return Answer(201, {"id": booking.id})

    request = IdempotentRequest(
        f"person:{person_id} POST", "rush", fingerprint({"s": slot_id}), person_id
    )
    try:
        run_once(container.uow, container.clock, request, create)
    except AminaError as error:
        return error.code
    return "booked"


def _fire(jobs: list[Any]) -> list[str]:
    start = threading.Barrier(len(jobs))

    def run(job: Any) -> str:
        start.wait()
        return job()  # type: ignore[no-any-return]

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _seats(container: Container, slot_id: str) -> tuple[int, int, int]:
    """(capacity, the slot's counter, active bookings counted from the booking rows)."""
    with container.uow() as uow:
        slot = uow.session.get(BookingSlotRow, slot_id)
        assert slot is not None
        capacity, counter = slot.capacity, slot.booked
        active = uow.session.scalar(
            select(func.count()).where(
                BookingRow.slot_id == slot_id, BookingRow.status.in_([s.value for s in ACTIVE])
            )
        )
    return capacity, counter, int(active or 0)


def test_fifty_people_rushing_the_last_three_seats_get_exactly_three(
    container: Container,
) -> None:
    opened(container)
    (slot_id,) = _first_slots(container, 1)
    everyone = people(container, RUSH + 5)
    for early in everyone[:5]:  # 8 seats: 5 taken calmly, 3 left for the rush
        assert _book(container, early, slot_id) == "booked"

    outcomes = _fire([lambda p=p: _book(container, p, slot_id) for p in everyone[5:]])

    assert outcomes.count("booked") == 3
    assert outcomes.count("slot_full") == RUSH - 3
    assert _seats(container, slot_id) == (8, 8, 8)


def test_a_move_racing_a_booking_for_the_last_seat_loses_nothing(container: Container) -> None:
    opened(container)
    here, there = _first_slots(container, 2)
    mover, rival, *others = people(container, 9, first=7725400000)
    for filler in others:  # 7 of the 8 seats of "there" are taken
        assert _book(container, filler, there) == "booked"
    with container.uow() as uow:
        visit = book(uow, container.clock, mover, ServiceCode.biometrics, here)
        uow.commit()

    def move() -> str:
        try:
            with container.uow() as uow:
                reschedule(uow, container.clock, mover, visit.id, there)
                uow.commit()
        except AminaError as error:
            return error.code
        return "moved"

    outcomes = sorted(_fire([move, lambda: _book(container, rival, there)]))

    assert outcomes in (["booked", "slot_full"], ["moved", "slot_full"])
    assert _seats(container, there) == (8, 8, 8)
    mover_seat = here if "booked" in outcomes else there
    with container.uow() as uow:
        row = uow.session.get(BookingRow, (mover, visit.id))
        assert row is not None
        assert row.status == "confirmed"
        assert row.slot_id == mover_seat
    _capacity, counter, active = _seats(container, here)
    assert counter == active == (1 if mover_seat == here else 0)
