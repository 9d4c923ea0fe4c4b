"""The fake unit of work keeps the real one's promise (tests/fakes/uow.py): nothing written is
kept unless the use case commits, and side effects wait for the commit — so a use case tested
on the fake in milliseconds behaves as it will on the databases
(tests/integration/test_unit_of_work.py pins the same on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fakes.uow import FakeUnitOfWork


class UseCaseFailed(Exception):
    pass


def test_changes_are_kept_only_when_the_unit_of_work_commits() -> None:
    held: list[str] = []
    uow = FakeUnitOfWork()
    with uow:
        uow.stage(lambda: held.append("forgotten"))

    def failing() -> None:
        with uow:
            uow.stage(lambda: held.append("failed"))
            raise UseCaseFailed

    with pytest.raises(UseCaseFailed):
        failing()
    with uow:
        uow.stage(lambda: held.append("kept"))
        uow.commit()
    assert held == ["kept"]


def test_side_effects_run_only_after_the_commit() -> None:
    sent: list[str] = []
    uow = FakeUnitOfWork()
    with uow:
        uow.after_commit(lambda: sent.append("not sent"))
    with uow:
        uow.after_commit(lambda: sent.append("sent"))
        assert sent == []
        uow.commit()
    assert sent == ["sent"]
