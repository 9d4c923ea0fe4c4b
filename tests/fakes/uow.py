"""A unit of work without a database, for use cases written against stores and ports.

Like :class:`amina.adapters.db.uow.UnitOfWork`: nothing a use case writes is kept unless it
calls ``commit()``; ``after_commit`` callbacks run only after a commit. Fake stores write
through :meth:`FakeUnitOfWork.stage`, so their changes appear on commit and vanish otherwise.
There is no ORM session: a use case that needs one is tested on the real databases.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from amina.adapters.db.uow import UnitOfWork


class FakeUnitOfWork(UnitOfWork):
    def __init__(self) -> None:
        self._after_commit: list[Callable[[], None]] = []
        self._staged: list[Callable[[], None]] = []
        self.commits = 0
        self.rollbacks = 0
        self.open = False

    @property
    def session(self):  # type: ignore[no-untyped-def, override]
        raise RuntimeError("a fake unit of work has no database session")

    @property
    def dialect(self) -> str:
        return "fake"

    def __enter__(self) -> FakeUnitOfWork:
        self.open = True
        self._after_commit = []
        self._staged = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.open = False

    def stage(self, change: Callable[[], None]) -> None:
        """Apply ``change`` when (and only if) the unit of work commits."""
        if not self.open:
            raise RuntimeError("unit of work used outside its 'with' block")
        self._staged.append(change)

    def commit(self) -> None:
        staged, self._staged = self._staged, []
        for change in staged:
            change()
        self.commits += 1
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        if self._staged:
            self.rollbacks += 1
        self._staged = []
        self._after_commit = []


def fake_uow_factory() -> Callable[[], FakeUnitOfWork]:
    """A factory like ``container.uow``: a new fake unit of work per use."""
    return FakeUnitOfWork
