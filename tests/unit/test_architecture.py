"""Services speak SQL that runs on both databases: dialect-specific SQLAlchemy stays in adapters.

import-linter cannot say this (it squashes external packages to ``sqlalchemy``), so the
services' imports are read here. What differs between PostgreSQL and SQLite belongs in
``amina/adapters/db/<feature>/store.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import amina.services

SERVICES = Path(amina.services.__file__).parent
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
