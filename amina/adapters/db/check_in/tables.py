"""The evening check-in (migration 0015): the person's choice of the reminder (on or off,
at which time of the Moscow day). No row: the person has not chosen, and the default holds
(on at 20:00, ``amina.domain.check_in``) once they have a push subscription.

Which day's reminder was sent is the outbox's row itself (one key a person and day,
``check-in:YYYY-MM-DD``), so a re-run sends nothing more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import PER_PERSON


class CheckInReminderRow(Base):
    __tablename__ = "check_in_reminders"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(String(36), ForeignKey("persons.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    #: The chosen time as minutes after midnight, Moscow time (20:00 → 1200).
    minute_of_day: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
