"""Demo staff: one account per role with fixed credentials, so a newcomer (and the browser
tests) can sign in to the console. Idempotent; refuses to run in production, where known
passwords would be an open door.

The TOTP code depends on the server's clock: with ``amina serve --clock fixed:...`` the code
stays the same, and each account can sign in once per 30-second step (codes are single-use).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from rich.console import Console

from amina.bootstrap import Container
from amina.domain.roles import Role
from amina.services.staff.accounts import create_staff, list_staff


@dataclass(frozen=True)
class DemoStaff:
    username: str
    role: Role
    display_name: str
    password: str
    totp_secret: str


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff(
        "demo.operator",
        Role.operator,
        "Olga Operatorova",
        "demo-operator-2025",
        "OPERATORDEMOAMINAOPERATORDEMO234",
    ),
    DemoStaff(
        "demo.inspector",
        Role.inspector,
        "Ivan Inspektorov",
        "demo-inspector-2025",
        "INSPECTORDEMOAMINAINSPECTORDEM23",
    ),
    DemoStaff(
        "demo.supervisor",
        Role.supervisor,
        "Svetlana Supervizorova",
        "demo-supervisor-2025",
        "SUPERVISORDEMOAMINASUPERVISORD23",
    ),
    DemoStaff(
        "demo.auditor",
        Role.auditor,
        "Anna Auditorova",
        "demo-auditor-2025",
        "AUDITORDEMOAMINAAUDITORDEMOAMI23",
    ),
)


def load_demo_staff(container: Container, console: Console) -> None:
    if container.settings.is_production:
        console.print("[yellow]Demo staff accounts are not created in production.[/]")
        return
    with container.uow() as uow:
        existing = {account.username for account in list_staff(uow)}
        for demo in DEMO_STAFF:
            if demo.username not in existing:
                create_staff(
                    uow,
                    container.clock,
                    username=demo.username,
                    role=demo.role,
                    display_name=demo.display_name,
                    password=demo.password,
                    totp_secret=demo.totp_secret,
                )
        uow.commit()
    now = container.clock.now()
    # Plain aligned lines, not a table: a narrow terminal must never shorten a credential.
    console.print("[bold]Demo staff accounts[/] — sign in at /console")
    header = f"  {'username':<17} {'role':<11} {'password':<21} {'TOTP secret':<33} code now"
    console.print(header, soft_wrap=True, highlight=False)
    for demo in DEMO_STAFF:
        code = pyotp.TOTP(demo.totp_secret).at(now)
        console.print(
            f"  {demo.username:<17} {demo.role.value:<11} {demo.password:<21} "
            f"{demo.totp_secret:<33} {code}",
            soft_wrap=True,
            highlight=False,
        )
    console.print(
        "Codes change every 30 seconds; get a fresh one with "
        "`python -c \"import pyotp; print(pyotp.TOTP('<secret>').now())\"` "
        "or any authenticator app."
    )
