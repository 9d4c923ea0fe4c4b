"""The unit of work rolls back unless the use case commits, and runs side effects only after
a commit — on SQLite and PostgreSQL (the convention in docs/contributing.md "Transactions")."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from amina.adapters.db.identity.tables import DevSmsRow
from amina.bootstrap import Container


def _texts(container: Container) -> list[str]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(DevSmsRow.text).order_by(DevSmsRow.text)))


class UseCaseFailed(Exception):
    pass


def test_nothing_is_kept_unless_the_unit_of_work_commits(container: Container) -> None:
    now = container.clock.now()
    with container.uow() as uow:
        uow.session.add(DevSmsRow(to="+77251000001", text="forgotten", sent_at=now))
        uow.session.flush()
        assert uow.session.scalar(select(func.count()).select_from(DevSmsRow)) == 1

    def failing() -> None:
        with container.uow() as uow:
            uow.session.add(DevSmsRow(to="+77251000001", text="failed", sent_at=now))
            uow.session.flush()
            raise UseCaseFailed

    with pytest.raises(UseCaseFailed):
        failing()
    with container.uow() as uow:
        uow.session.add(DevSmsRow(to="+77251000001", text="kept", sent_at=now))
        uow.commit()
    assert _texts(container) == ["kept"]


def test_side_effects_run_only_after_the_commit(container: Container) -> None:
    sent: list[str] = []
    with container.uow() as uow:
        uow.after_commit(lambda: sent.append("not sent"))
    with container.uow() as uow:
        uow.after_commit(lambda: sent.append("sent"))
        assert sent == []
        uow.commit()
    assert sent == ["sent"]
