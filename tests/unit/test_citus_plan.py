"""The steps ``amina db distribute`` runs on a Citus cluster: every table as it is declared,
reference tables first, with the settings Citus needs, and nothing twice (docs/scale-out.md).
Citus is not installable on these machines, so the plan is checked here; the command itself
against plain PostgreSQL and SQLite in tests/integration/test_citus_distribute.py.
"""

from __future__ import annotations

from typer.testing import CliRunner

from amina.adapters.db.citus import plan
from amina.adapters.db.distribution import Placement
from amina.adapters.db.schema import distribution
from amina.entrypoints.cli.main import app as cli


def test_the_plan_places_every_declared_table_once_reference_tables_first() -> None:
    steps = plan(shard_count=64)
    placed = [step.table for step in steps]
    declared = distribution()
    assert sorted(placed) == sorted(
        name
        for name, place in declared.items()
        if place is not None and place.placement is not Placement.coordinator
    )
    kinds = [step.placement for step in steps]
    assert kinds == sorted(
        kinds, key=[Placement.reference, Placement.person, Placement.key].index
    ), "reference tables, then per-person tables, then the code lookup tables"
    people = [step for step in steps if step.placement is Placement.person]
    assert people[0].table == "persons"
    assert "'id'" in people[0].statement
    assert "shard_count => 64" in people[0].statement
    assert all("colocate_with => 'persons'" in step.statement for step in people[1:])
    assert placed.index("staff") < placed.index("staff_sessions")
    assert placed.index("registrations") < placed.index("notices") < placed.index("cases")


def test_the_plan_sets_what_citus_needs_around_cards_slots_and_the_audit_log() -> None:
    settings = {step.table: dict(step.settings) for step in plan()}
    off = {"citus.enable_local_reference_table_foreign_keys": "off"}
    assert settings["cards"] == off
    assert settings["booking_slots"] == off
    assert settings["audit_log"] == {"citus.enable_unsafe_triggers": "on"}
    assert settings["policy_versions"] == {}


def test_running_it_again_places_nothing_more() -> None:
    everything = frozenset(step.table for step in plan())
    assert plan(placed=everything) == []
    assert [step.table for step in plan(placed=everything - {"outbox"})] == ["outbox"]


def test_the_dry_run_prints_the_steps() -> None:
    result = CliRunner().invoke(cli, ["db", "distribute", "--dry-run"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    output = result.output
    assert "SELECT create_reference_table('cards')" in output
    assert "SELECT create_distributed_table('registration_codes', 'slip_code'" in output
    assert "scheduler_lease" not in output  # coordinator tables stay where they are
