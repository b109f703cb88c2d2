"""Approving a settlement (四(一)): the status, the fan-out and `settlement.approved`, at once.

The approval and its event are one transaction (the outbox): an approval that cannot write its
event changes nothing, and an event is never published for an approval that did not commit.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.hukou import operations
from services.hukou.decision_schemas import ApprovalIn
from services.hukou.models import TABLES, FanoutStatus, SettlementApplication
from services.hukou.views import load_application, settling_members
from shared import clock, regions
from shared.db import utcnow
from shared.errors import Conflict
from shared.events.envelope import CloudEvent
from shared.events.outbox import add_to_outbox
from shared.keys import TrustBundle
from shared.registry import DOWNSTREAM_SERVICES
from shared.settlement import (
    HousingFacts,
    Residence,
    RuralRights,
    SettledMember,
    SettlementApproved,
    SocialInsurance,
    approved_event,
)

log = logging.getLogger(__name__)

Section = TypeVar("Section", bound=BaseModel)


def approve_application(
    session: Session,
    application_id: str,
    approval: ApprovalIn,
    *,
    actor: str,
    recipients: TrustBundle,
) -> SettlementApplication:
    """Approve an eligible application and, in the same transaction, publish the approval,
    each department's section sealed to its key in `recipients` (the trust bundle)."""
    application = load_application(session, application_id, for_update=True)
    if application.status != "eligible":
        failing = [c for c in application.eligibility["checks"] if c["outcome"] != "passed"]
        raise Conflict(
            f"only an eligible application can be approved; this one is {application.status}",
            details=failing or [{"reason": f"the application is {application.status}"}],
        )
    now = utcnow()
    application.status = "approved"
    application.approved_at = now
    application.approved_by = actor
    application.fanout.extend(
        FanoutStatus(
            application_id=application.id, service=service, status="pending", updated_at=now
        )
        for service in DOWNSTREAM_SERVICES
    )
    event = approval_event(application, recipients)
    add_to_outbox(session, TABLES, event, key=application.id)
    log.info("settlement approved", extra={"settlement_id": application.id})
    operations.audit(
        session,
        application.id,
        actor=actor,
        action="settlement.approved",
        detail={"note": approval.note, "conditions": [c.model_dump() for c in approval.conditions]},
    )
    session.flush()
    return application


def _section(model: type[Section], stored: dict[str, Any] | None) -> Section | None:
    # The stored request is the validated body as JSON: each section reads back whole, and a
    # field the event does not carry (rural rights' surrender_required) is left out.
    return model.model_validate(stored) if stored else None


def approval_event(application: SettlementApplication, recipients: TrustBundle) -> CloudEvent:
    """`settlement.approved`: what every department needs, so none re-keys the family's data,
    and each department receives only its own part of it."""
    request = application.request
    residence = _section(Residence, request.get("residence"))
    settling = settling_members(application)
    decided_at = application.approved_at or utcnow()
    return approved_event(
        SettlementApproved(
            settlement_id=application.id,
            decided_at=decided_at,
            # Departments decide as of the day the family settles, the approval's in Shaoguan
            # (三(八) 进城落户农民子女就学需求: the needs of those settled), not the lodging day.
            decision_date=clock.local_date(decided_at),
            rules_version=application.rules_version,
            channel=application.channel,
            destination_region_code=application.destination_region_code,
            destination_region_name=regions.describe(application.destination_region_code),
            household_size=len(settling),
            # 三(一) 农业转移人口: a count the office and finance may read, naming no one.
            rural_registered_count=sum(m.hukou_type == "rural" for m in settling),
            destination_address=residence.address if residence else None,
            residence=residence,
            members=[
                SettledMember(
                    id_number=m.id_number,
                    name=m.name,
                    birth_date=m.birth_date,
                    sex=m.sex,
                    relation=m.relation,
                    previous_region_code=m.hukou_region_code,
                    previous_hukou_type=m.hukou_type,
                )
                for m in settling
            ],
            social_insurance=_section(SocialInsurance, request.get("social_insurance")),
            housing=_section(HousingFacts, request.get("housing")),
            rural_rights=_section(RuralRights, request.get("rural_rights")),
        ),
        recipients,
    )
