"""The tariff table: dated rows per year and region, each with its legal source, versioned
like the policy (a supervisor adds a version with a reason; nothing is overwritten)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.patent.tables import PatentTariffRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.patent import Region, Tariff, TariffBook, tariff_row
from amina.i18n import N_
from amina.services.audit.trail import Actor, record_access
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind
from amina.services.patent.errors import tariff_invalid
from amina.services.staff.permissions import Permission, require

MIN_REASON_LENGTH = 10


def tariff_of(row: PatentTariffRow) -> Tariff:
    return Tariff(
        year=row.year,
        region=Region(row.region),
        base=Decimal(row.base),
        deflator=Decimal(row.deflator),
        coefficient=Decimal(row.coefficient),
        amount=Decimal(row.amount),
        effective_from=row.effective_from,
        source=row.source,
        verified=row.verified,
        version=row.version,
    )


def tariff_book(uow: UnitOfWork) -> TariffBook:
    """The rows in force: the newest version of each year and region."""
    return TariffBook(tariff_of(row) for row in uow.session.scalars(select(PatentTariffRow)))


def tariff_history(uow: UnitOfWork) -> list[PatentTariffRow]:
    """Every version of every row, newest year first (the console's table)."""
    return list(
        uow.session.scalars(
            select(PatentTariffRow).order_by(
                PatentTariffRow.year.desc(), PatentTariffRow.region, PatentTariffRow.version.desc()
            )
        )
    )


def _decimal(value: str, field: str) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise tariff_invalid(field, "not_a_number") from None
    if not number.is_finite() or number <= 0 or number > 100_000:
        raise tariff_invalid(field, "out_of_range")
    return number


def add_tariff_version(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    year: int,
    region: str,
    deflator: str,
    coefficient: str,
    source: str,
    verified: bool,
    reason: str,
    base: str = "1200",
) -> Tariff:
    """Add a version of the row for ``year`` and ``region`` (``policy.edit``: supervisors).

    The amount is computed by the formula, never typed. Audited with the reason as purpose and
    the old and new values. In the caller's transaction.
    """
    require(actor, Permission.policy_edit)
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise tariff_invalid("reason", "reason_required")
    if not 2015 <= year <= 2100:
        raise tariff_invalid("year", "out_of_range")
    try:
        region_ = Region(region)
    except ValueError:
        raise tariff_invalid("region", "unknown_region") from None
    source = source.strip()
    if len(source) < MIN_REASON_LENGTH:
        raise tariff_invalid("source", "source_required")
    made = tariff_row(
        year,
        region_,
        str(_decimal(deflator, "deflator")),
        str(_decimal(coefficient, "coefficient")),
        source,
        base=str(_decimal(base, "base")),
        verified=verified,
    )
    previous = uow.session.scalar(
        select(PatentTariffRow)
        .where(PatentTariffRow.year == year, PatentTariffRow.region == region_.value)
        .order_by(PatentTariffRow.version.desc())
        .limit(1)
    )
    version = (
        uow.session.scalar(
            select(func.max(PatentTariffRow.version)).where(
                PatentTariffRow.year == year, PatentTariffRow.region == region_.value
            )
        )
        or 0
    ) + 1
    uow.session.add(
        PatentTariffRow(
            year=year,
            region=region_.value,
            version=version,
            base=str(made.base),
            deflator=str(made.deflator),
            coefficient=str(made.coefficient),
            amount=str(made.amount),
            effective_from=date(year, 1, 1),
            source=source,
            verified=verified,
            recorded_at=clock.now(),
            recorded_by=actor.staff_id,
            reason=reason,
        )
    )
    try:
        uow.session.flush()
    except IntegrityError as error:
        raise AminaError(
            "patent_tariff_conflict",
            ErrorKind.conflict,
            N_("Please try again"),
            N_("Another change was saved at the same moment."),
        ) from error
    record_access(
        uow,
        clock,
        actor,
        action="patent.tariff_version_added",
        purpose=reason,
        details={
            "year": year,
            "region": region_.value,
            "version": version,
            "old": None
            if previous is None
            else {
                "deflator": previous.deflator,
                "coefficient": previous.coefficient,
                "amount": previous.amount,
                "verified": previous.verified,
            },
            "new": {
                "deflator": str(made.deflator),
                "coefficient": str(made.coefficient),
                "amount": str(made.amount),
                "verified": verified,
            },
        },
    )
    return Tariff(
        made.year,
        made.region,
        made.base,
        made.deflator,
        made.coefficient,
        made.amount,
        made.effective_from,
        made.source,
        made.verified,
        version,
    )


# --- use cases: each in one transaction of its own, committed here ------------------------------


def submit_tariff_version(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    *,
    year: int,
    region: str,
    deflator: str,
    coefficient: str,
    source: str,
    verified: bool,
    reason: str,
) -> Tariff:
    """A supervisor adds a version of a tariff row (:func:`add_tariff_version`)."""
    with uow_factory() as uow:
        added = add_tariff_version(
            uow,
            clock,
            actor,
            year=year,
            region=region,
            deflator=deflator,
            coefficient=coefficient,
            source=source,
            verified=verified,
            reason=reason,
        )
        uow.commit()
    return added
