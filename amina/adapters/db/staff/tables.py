"""Tables of staff accounts and their console sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import COORDINATOR, REFERENCE


class StaffRow(Base):
    __tablename__ = "staff"
    __distribution__ = REFERENCE

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: A short number, set once at creation and never reused: how a person's access log and the
    #: audit page name a staff member (with the role), instead of the account id.
    number: Mapped[int] = mapped_column(Integer, unique=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_totp_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    #: The staff account that created this one; None: the installation's administrator
    #: (``amina staff create``). Nobody decides an objection against their own creation.
    created_by: Mapped[str | None] = mapped_column(String(36))
    last_signed_in_at: Mapped[datetime | None]


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"
    __distribution__ = REFERENCE

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: Failed sign-ins on this account between the previous sign-in and this one (the banner).
    failures_before: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class StaffSignInFailureRow(Base):
    """One failed staff sign-in: the (normalised) username tried and the source address.
    Throttling counts these; kept for a day (``amina.services.staff.throttle``)."""

    __tablename__ = "staff_sign_in_failures"
    __distribution__ = COORDINATOR

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]

    __table_args__ = (
        Index("ix_staff_sign_in_failures_username_at", "username", "at"),
        Index("ix_staff_sign_in_failures_source_at", "source", "at"),
    )
