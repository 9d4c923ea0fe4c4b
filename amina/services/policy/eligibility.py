"""Use case: evaluate eligibility (public; stores nothing)."""

from __future__ import annotations

from datetime import date

from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.eligibility import EligibilityAnswer, EligibilityFacts, evaluate
from amina.services.policy.versions import policy_book


def evaluate_eligibility(
    uow_factory: UnitOfWorkFactory, facts: EligibilityFacts, on: date
) -> EligibilityAnswer:
    """Anyone may call this; it reads policy and writes nothing."""
    with uow_factory() as uow:
        policy = policy_book(uow).in_force_on(on)
    return evaluate(facts, on, policy)
