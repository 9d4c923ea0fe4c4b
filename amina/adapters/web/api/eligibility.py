"""POST /api/v1/eligibility/evaluate (API.md, public)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from amina.adapters.web.context import container_of
from amina.bootstrap import Container
from amina.domain.calendar import moscow_date
from amina.domain.eligibility import Category, EligibilityFacts, Purpose
from amina.services.policy.eligibility import evaluate_eligibility

router = APIRouter(tags=["eligibility"])


class EligibilityQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    citizenship: Annotated[
        str, Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$", examples=["TJ"])
    ]
    date_of_birth: date
    purpose: Purpose
    region: Literal["RU-MOW", "RU-MOS", "other"] | None = None
    intended_stay_days: Annotated[int | None, Field(ge=0, le=36500)] = None
    category: Category = Category.none
    on: date | None = Field(default=None, description="Evaluation date; today (Moscow) if absent")

    @field_validator("citizenship")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class EligibilityAnswerOut(BaseModel):
    status: Literal["required", "exempt", "not_covered"]
    rule: str | None
    reason: str
    policy_version: str


def _container(request: Request) -> Container:
    return container_of(request)


@router.post("/api/v1/eligibility/evaluate", response_model=EligibilityAnswerOut)
def evaluate_endpoint(
    question: EligibilityQuestion, container: Container = Depends(_container)
) -> EligibilityAnswerOut:
    """Who must use Amina. Stores nothing."""
    on = question.on or moscow_date(container.clock.now())
    facts = EligibilityFacts(
        citizenship=question.citizenship,
        date_of_birth=question.date_of_birth,
        purpose=question.purpose,
        region=question.region,
        intended_stay_days=question.intended_stay_days,
        category=question.category,
    )
    answer = evaluate_eligibility(container.uow, facts, on)
    return EligibilityAnswerOut(
        status=answer.status.value,
        rule=answer.rule,
        reason=answer.reason,
        policy_version=answer.policy_version,
    )
