"""Housing's use cases over a Session: assess a settled household, apply, record the outcome."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from services.housing import schemas
from services.housing.models import TABLES, HeldApplication, HousingApplication, HousingAssessment
from services.housing.rules import CLAUSE, PARAMETERS, HousingFacts, assess_housing, read_facts
from services.housing.rules import HousingAssessment as Assessed
from shared.assessment import assessment_of, decision_of, fen, shaoguan_county_of
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput
from shared.follow_through import Case, Decision
from shared.loading import Loader
from shared.settlement import SettlementApproved

PENDING = "pending"
PUBLIC_RENTAL_HOUSING = "public_rental_housing"
BENEFIT = "housing security"
"""What the assessment decides, as its summary names it."""


def _plain(amount: Decimal | None) -> float | None:
    """An amount as the application gave it, for the stored facts."""
    return None if amount is None else float(amount)


def facts_of(settlement: SettlementApproved) -> HousingFacts:
    """What housing decides on: the household's size and housing facts, nothing personal."""
    return read_facts(
        region_code=shaoguan_county_of(settlement),
        decision_date=settlement.decision_date,
        household_size=settlement.household_size,
        housing=settlement.housing,
        residence=settlement.residence,
    )


def decide(session: Session, case: Case) -> Decision:
    """Decide the household's housing security on the settlement's decision date (三(五)), on
    what is known now: on approval, and again each time a fact or a parameter arrives. Every
    fact or parameter the assessment still needs is an open item of the household's."""
    facts = facts_of(case.settlement)
    decided = assess_housing(facts, PARAMETERS.current())
    assessment = _record(session, case.settlement, facts, decided)
    return decision_of(BENEFIT, CLAUSE, assessment, decided)


def _record(
    session: Session, settlement: SettlementApproved, facts: HousingFacts, decided: Assessed
) -> HousingAssessment:
    """The assessment, one row per settlement decided afresh (the follow-through and the audit
    log keep each version); the household's applications stay as they are."""
    assessment = assessment_of(session, HousingAssessment, settlement.settlement_id)
    assessment.forms = list(decided.forms)
    assessment.monthly_rental_subsidy_fen = fen(decided.monthly_rental_subsidy)
    assessment.decided(
        settlement,
        decided,
        facts={
            "monthly_household_income": _plain(facts.monthly_household_income),
            "current_area_m2": _plain(facts.current_area_m2),
            "household_size": facts.household_size,
            "destination_region_code": facts.region_code,
            "tenure": facts.tenure,
        },
    )
    session.add(assessment)
    session.flush()
    return assessment


load_assessment = Loader(
    HousingAssessment,
    HousingAssessment.settlement_id,
    "housing has not acted on settlement {}",
    options=(selectinload(HousingAssessment.applications),),
)


def _not_open(assessment: HousingAssessment, form: str) -> Conflict:
    """Why the household may not apply for `form`, from its own assessment's checks."""
    checks = assessment.checks
    if assessment.outcome == "not_eligible":
        failed = [c for c in checks if c["outcome"] == "failed"]
        return Conflict(
            f"the household is not eligible for housing security ({CLAUSE}): "
            + "; ".join(c["reason"] for c in failed),
            details=[{"field": "form", "reason": c["reason"], "clause": CLAUSE} for c in failed],
        )
    if assessment.outcome == "information_needed":
        needed = ", ".join(assessment.information_needed)
        return Conflict(
            f"the household's eligibility cannot be decided yet ({CLAUSE}): it needs {needed}",
            details=[
                {"field": "form", "reason": f"information needed: {item}", "clause": CLAUSE}
                for item in assessment.information_needed
            ],
        )
    may = " or ".join(assessment.forms)
    form_reason = next((c["reason"] for c in checks if c["rule"] == "form_by_tenure"), "")
    return Conflict(
        f"the household may not apply for {form}: it may apply for {may} ({CLAUSE})",
        details=[{"field": "form", "reason": form_reason, "clause": CLAUSE}],
    )


def apply_for_housing(
    session: Session, settlement_id: str, form: str, *, actor: str
) -> HousingApplication:
    """The household applies for one form; public rental housing joins the county's list."""
    assessment = load_assessment(session, settlement_id, for_update=True)
    if form not in assessment.forms:
        raise _not_open(assessment, form)
    held = session.get(HeldApplication, settlement_id)
    if held is not None:
        holding = session.get(HousingApplication, held.application_id)
        status = holding.status if holding is not None else PENDING
        raise Conflict(
            f"the household already holds housing application {held.application_id} ({status}); "
            "a second is possible only after a refusal",
            details=[
                {
                    "field": "form",
                    "reason": "already applied",
                    "application_id": held.application_id,
                }
            ],
        )
    queue_number = None
    if form == PUBLIC_RENTAL_HOUSING:
        last = session.execute(
            select(func.max(HousingApplication.queue_number)).where(
                HousingApplication.region_code == assessment.region_code
            )
        ).scalar_one()
        queue_number = int(last or 0) + 1
    application = HousingApplication(
        id=str(uuid.uuid4()),
        settlement_id=settlement_id,
        form=form,
        region_code=assessment.region_code,
        household_size=assessment.household_size,
        status=PENDING,
        queue_number=queue_number,
        applied_at=utcnow(),
        applied_by=actor,
    )
    session.add(application)
    session.flush()
    session.add(HeldApplication(settlement_id=settlement_id, application_id=application.id))
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="housing.applied",
        entity_type="housing_application",
        entity_id=application.id,
        detail={"settlement_id": settlement_id, "form": form, "queue_number": queue_number},
    )
    session.flush()
    return application


load_application = Loader(HousingApplication, HousingApplication.id, "no housing application {}")


def record_outcome(
    session: Session, application_id: str, outcome: schemas.OutcomeIn, *, actor: str
) -> HousingApplication:
    """Record the department's outcome; either outcome takes the household off the list."""
    application = load_application(session, application_id, for_update=True)
    if application.status != PENDING:
        raise Conflict(
            f"housing application {application_id} is already {application.status}",
            details=[{"field": "outcome", "reason": f"already {application.status}"}],
        )
    problems = outcome.problems_for(application.form)
    monthly = fen(outcome.monthly_subsidy)
    if outcome.outcome == "granted" and application.form == "rental_subsidy" and monthly is None:
        assessment = load_assessment(session, application.settlement_id)
        monthly = assessment.monthly_rental_subsidy_fen
        if monthly is None:
            problems.append(
                {
                    "field": "monthly_subsidy",
                    "reason": "give the monthly amount: no rental_subsidy_amount_per_capita was "
                    f"in force for {assessment.region_code} on "
                    f"{assessment.decision_date.isoformat()}, so the assessment states none",
                }
            )
    if problems:
        fields = ", ".join(p["field"] for p in problems)
        raise InvalidInput(f"the outcome is not valid: {fields}", details=problems)
    application.monthly_subsidy_fen = monthly
    application.status = outcome.outcome
    application.unit_reference = outcome.unit_reference
    application.refusal_reason = outcome.reason
    application.decided_at = utcnow()
    application.decided_by = actor
    if outcome.outcome == "refused":
        session.execute(
            delete(HeldApplication).where(HeldApplication.application_id == application.id)
        )
    record_audit(
        session,
        TABLES,
        actor=actor,
        action=f"housing.{outcome.outcome}",
        entity_type="housing_application",
        entity_id=application.id,
        detail={
            "settlement_id": application.settlement_id,
            "form": application.form,
            "monthly_subsidy_fen": application.monthly_subsidy_fen,
            "unit_reference": application.unit_reference,
            "reason": application.refusal_reason,
        },
    )
    session.flush()
    return application
