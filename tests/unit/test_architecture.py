"""Layer rules import-linter cannot express, read from the source.

- Services speak SQL that runs on both databases: dialect-specific SQLAlchemy stays in
  adapters. import-linter squashes external packages to ``sqlalchemy``, so the services'
  imports are read here. What differs between PostgreSQL and SQLite belongs in
  ``amina/adapters/db/<feature>/store.py``.
- The use case commits (docs/contributing.md, "Transactions"): ``.commit()`` is called only in
  ``amina/services/`` and ``amina/adapters/db/`` (the unit of work; a store that owns its
  connection), never in a route, a page, a command or a job.
"""

from __future__ import annotations

import ast
from pathlib import Path

import amina.services

SERVICES = Path(amina.services.__file__).parent
AMINA = SERVICES.parent
DIALECTS = "sqlalchemy.dialects"


def dialect_imports(source: str) -> list[str]:
    """The dialect-specific SQLAlchemy modules ``source`` imports."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if _is_dialect(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _is_dialect(node.module):
                found.append(node.module)
            elif node.module == "sqlalchemy":
                found += [f"sqlalchemy.{a.name}" for a in node.names if a.name == "dialects"]
    return found


def _is_dialect(module: str) -> bool:
    return module == DIALECTS or module.startswith(DIALECTS + ".")


def test_the_check_sees_every_way_of_importing_a_dialect() -> None:
    assert dialect_imports("from sqlalchemy.dialects import postgresql") == [DIALECTS]
    assert dialect_imports("from sqlalchemy.dialects.sqlite import insert") == [
        "sqlalchemy.dialects.sqlite"
    ]
    assert dialect_imports("import sqlalchemy.dialects.postgresql as pg") == [
        "sqlalchemy.dialects.postgresql"
    ]
    assert dialect_imports("from sqlalchemy import dialects") == [DIALECTS]
    assert dialect_imports("from sqlalchemy import insert, select") == []


def test_no_service_imports_a_dialect_of_sqlalchemy() -> None:
    offenders = {
        str(path.relative_to(SERVICES)): found
        for path in sorted(SERVICES.rglob("*.py"))
        if (found := dialect_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move dialect-specific SQL into amina/adapters/db/<feature>/store.py"


# --- the use case commits ----------------------------------------------------------------------

#: Where ``.commit()`` may be called (paths relative to the ``amina`` package), and why.
MAY_COMMIT: dict[str, str] = {
    "services/": "the use cases",
    "adapters/db/": "the unit of work itself, and the report store that owns its connection",
    "demo/": "each demo loader is itself the use case 'load demo data' (docs/contributing.md)",
}


def commit_calls(source: str) -> list[int]:
    """The lines of ``source`` that call a method named ``commit``."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    )


def test_the_check_sees_every_way_of_committing() -> None:
    assert commit_calls("uow.commit()") == [1]
    assert commit_calls("with f() as u:\n    u.session.commit()") == [2]
    assert commit_calls("async def f(c):\n    await c.connection.commit()") == [2]
    assert commit_calls("x = 1\nuow.commit  # not a call") == []
    assert commit_calls("commit()  # not a method") == []


def test_only_use_cases_commit() -> None:
    offenders = {
        relative: lines
        for path in sorted(AMINA.rglob("*.py"))
        if not (relative := path.relative_to(AMINA).as_posix()).startswith(tuple(MAY_COMMIT))
        and (lines := commit_calls(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, (
        "routes, pages, commands and jobs call a use case in amina/services/<feature>/ "
        "that commits (docs/contributing.md, 'Transactions — the use case commits')"
    )
