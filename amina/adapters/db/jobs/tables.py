"""Tables of the scheduler: the leader lease and one row per job run and Moscow day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import COORDINATOR


class SchedulerLeaseRow(Base):
    __tablename__ = "scheduler_lease"
    __distribution__ = COORDINATOR

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]


class JobRunRow(Base):
    """One run of a scheduled job for one Moscow day; unique, so a day's job runs once even
    when the scheduler's leader changes half-way through the day."""

    __tablename__ = "job_runs"
    __distribution__ = COORDINATOR

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    run_for_date: Mapped[date] = mapped_column(Date)
    holder: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # running, succeeded, failed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    summary: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("job", "run_for_date"),)
