"""Where each table lives when the database is scaled out with Citus (SPEC §11,
docs/scale-out.md).

Every table class declares it beside its columns, as ``__distribution__``:

- :data:`PER_PERSON` — the person's own rows, spread over the workers by ``person_id`` and
  colocated with ``persons`` (which is spread by its ``id``): ``person_id`` is in the primary
  key, in every unique constraint and index, and in every foreign key to another per-person
  table, so that everything about one person lives on one shard and a statement that names the
  person is sent to that shard alone;
- :func:`by_key` — a small lookup table spread by its own key (a code printed on a slip or a
  ticket), so a code stays unique across every person without a constraint that leaves
  ``person_id`` out; it answers "whose is this code" and the rest is read by person;
- :data:`REFERENCE` — small, read everywhere, written rarely (policy, calendar, staff, the card
  register, the audit log): one copy on every node, so joins with per-person tables stay on
  the worker;
- :data:`COORDINATOR` — global working tables nothing joins with per-person data (the
  scheduler's lease and runs, sign-in throttles, the local channels' receipts): an ordinary
  table on the coordinator, written without the cost of a copy on every node.

``amina db distribute`` applies the declarations (amina.adapters.db.citus) and
``tests/integration/test_citus_rules.py`` holds the migrated catalog to them; a table without a
declaration fails that test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Placement(StrEnum):
    person = "person"
    key = "key"
    reference = "reference"
    coordinator = "coordinator"


@dataclass(frozen=True)
class Distribution:
    placement: Placement
    #: The distribution column (per-person and lookup tables), None otherwise.
    column: str | None = None

    @property
    def distributed(self) -> bool:
        return self.placement in {Placement.person, Placement.key}


PER_PERSON = Distribution(Placement.person, "person_id")
#: ``persons`` itself: spread by its own id, the value every other per-person table names.
PERSONS = Distribution(Placement.person, "id")
REFERENCE = Distribution(Placement.reference)
COORDINATOR = Distribution(Placement.coordinator)

#: The table every per-person table is colocated with.
COLOCATION_ANCHOR = "persons"


def by_key(column: str) -> Distribution:
    """A lookup table spread by ``column`` (its primary key)."""
    return Distribution(Placement.key, column)
