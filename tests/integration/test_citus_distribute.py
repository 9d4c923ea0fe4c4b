"""``amina db distribute`` on a database without Citus says so and changes nothing
(docs/scale-out.md); the plan it runs on a Citus cluster is checked in
tests/unit/test_citus_plan.py (Citus is not installable on these machines).
"""

from __future__ import annotations

from sqlalchemy import inspect
from typer.testing import CliRunner

from amina.adapters.db.engine import make_engine
from amina.entrypoints.cli.main import app as cli

runner = CliRunner()


def amina(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _tables(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_without_citus_distribute_says_so_and_changes_nothing(database_url: str) -> None:
    before = _tables(database_url)
    code, output = amina("db", "distribute", "--database-url", database_url)
    assert code == 0, output
    assert "no Citus extension" in output
    assert "nothing was distributed" in output
    assert _tables(database_url) == before
