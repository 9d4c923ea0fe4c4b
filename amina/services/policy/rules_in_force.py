"""The rules a person lives by, as the policy in force today sets them (issue 13, point 8).

The public help page (``/help``) prints these numbers; it reads them from the policy book at
request time, so that the page never disagrees with the rules the sweeps and decisions use.
Anyone may call it: policy is public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.services.clock import Clock
from amina.services.policy.versions import policy_book


@dataclass(frozen=True)
class RulesInForce:
    """The parameters a person needs to know, from the policy version in force on ``today``."""

    today: date
    policy_version: str
    effective_from: date
    report_interval_minutes: int
    reminder_after_working_days: int  # 0: no reminder
    no_data_working_days: int
    out_of_region_days: int  # 0: the out-of-region rule is off
    proximity_check_enabled: bool
    proximity_radius_m: int
    notice_deadline_working_days: int
    objection_days: int
    report_retention_days: int


def rules_in_force(uow_factory: UnitOfWorkFactory, clock: Clock) -> RulesInForce:
    """The rules in force today (Moscow date). Reads policy only; writes nothing."""
    today = moscow_date(clock.now())
    with uow_factory() as uow:
        policy = policy_book(uow).in_force_on(today)

    def number(name: str) -> int:
        return int(policy.parameter(name))

    return RulesInForce(
        today=today,
        policy_version=policy.version,
        effective_from=policy.effective_from,
        report_interval_minutes=number("report_interval_minutes"),
        reminder_after_working_days=number("reminder_after_working_days"),
        no_data_working_days=number("no_data_working_days"),
        out_of_region_days=number("out_of_region_days"),
        proximity_check_enabled=bool(policy.parameter("proximity_check_enabled")),
        proximity_radius_m=number("proximity_radius_m"),
        notice_deadline_working_days=number("notice_deadline_working_days"),
        objection_days=number("objection_days"),
        report_retention_days=number("report_retention_days"),
    )
