"""The row-lock rule of a Citus-distributed schema, checked on the SQL the code actually sends.

Citus refuses ``SELECT … FOR UPDATE`` (and the other row locks) that could touch more than one
shard: a statement that locks rows of a distributed table must name the row's distribution
value (``person_id = …``, or the lookup table's key). ``tests/conftest.py`` installs
:func:`guard` on every SQLAlchemy engine, so every integration test that runs on PostgreSQL
fails at the statement that breaks the rule (SQLite sends no row locks). docs/scale-out.md.
"""

from __future__ import annotations

import re
from typing import Any

from amina.adapters.db.schema import distribution

_ROW_LOCK = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.I)
_NAME = r"[a-z_][a-z0-9_]*"
_TABLE = re.compile(rf"\b(?:FROM|JOIN)\s+({_NAME})(?:\s+(?:AS\s+)?({_NAME}))?", re.I)
_NOT_ALIASES = {"where", "join", "left", "right", "inner", "outer", "on", "for", "order", "group"}
_NOT_ALIASES |= {"limit", "cross", "full", "using", "natural", "union", "returning", "set"}


def _distribution_columns() -> dict[str, str]:
    return {
        name: declared.column
        for name, declared in distribution().items()
        if declared is not None and declared.distributed and declared.column is not None
    }


DISTRIBUTED = _distribution_columns()


class UnroutableRowLock(AssertionError):
    """A row lock on a distributed table without its distribution value (Citus refuses it)."""


def lock_problem(statement: str) -> str | None:
    """Why Citus would refuse this statement's row lock, or None if it has none or routes."""
    if not _ROW_LOCK.search(statement):
        return None
    missing = []
    for table, alias in _TABLE.findall(statement):
        column = DISTRIBUTED.get(table.lower())
        if column is None:
            continue  # a reference or coordinator table: locking its rows is fine
        names = {table}
        if alias and alias.lower() not in _NOT_ALIASES:
            names.add(alias)
        qualified = "|".join(re.escape(name) for name in names)
        equality = rf"(?:(?:{qualified})\.)?{column}\s*=(?!\s*ANY)|=\s*(?:{qualified})\.{column}\b"
        if not re.search(equality, statement, re.I):
            missing.append(f"{table}.{column}")
    if not missing:
        return None
    return (
        f"row lock without an equality on {', '.join(missing)}: Citus refuses multi-shard row "
        f"locks (docs/scale-out.md). Statement: {' '.join(statement.split())}"
    )


def guard(
    _conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    """``before_cursor_execute`` listener: refuse a statement that breaks the row-lock rule."""
    if context is not None and context.dialect.name != "postgresql":
        return
    problem = lock_problem(statement)
    if problem is not None:
        raise UnroutableRowLock(problem)
