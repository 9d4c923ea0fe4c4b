"""The composition root: builds settings, clock, database and gateways once, and wires them.

Nothing is built at import time; ``build()`` is called by the CLI, the tests and the ASGI
factory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from amina.adapters.db.engine import make_engine, make_session_factory
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.services.clock import Clock, clock_from_spec
from amina.settings import Settings, load_settings


@dataclass
class Container:
    settings: Settings
    clock: Clock
    engine: Engine
    uow: UnitOfWorkFactory
    extras: dict[str, Any] = field(default_factory=dict)


def build(settings: Settings | None = None, clock: Clock | None = None) -> Container:
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    return Container(
        settings=settings,
        clock=clock or clock_from_spec(settings.clock),
        engine=engine,
        uow=lambda: UnitOfWork(session_factory),
    )
