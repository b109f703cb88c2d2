"""Hukou's read side: the application as department systems see it, lists and filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from services.hukou import schemas
from services.hukou.models import (
    DOWNSTREAM_SERVICES,
    HouseholdMember,
    SettlementApplication,
)


@dataclass(frozen=True)
class ApplicationFilter:
    status: str | None = None
    destination_region_code: str | None = None
    channel: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    id_number: str | None = None


def list_applications(
    session: Session, filters: ApplicationFilter, *, page: int, page_size: int
) -> tuple[list[SettlementApplication], int]:
    query = select(SettlementApplication)
    if filters.status:
        query = query.where(SettlementApplication.status == filters.status)
    if filters.destination_region_code:
        query = query.where(
            SettlementApplication.destination_region_code == filters.destination_region_code
        )
    if filters.channel:
        query = query.where(SettlementApplication.channel == filters.channel)
    if filters.submitted_from:
        query = query.where(SettlementApplication.received_on >= filters.submitted_from)
    if filters.submitted_to:
        query = query.where(SettlementApplication.received_on <= filters.submitted_to)
    if filters.id_number:
        query = query.where(
            SettlementApplication.id.in_(
                select(HouseholdMember.application_id).where(
                    HouseholdMember.id_number == filters.id_number
                )
            )
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = (
        session.execute(
            query.options(
                selectinload(SettlementApplication.members),
                selectinload(SettlementApplication.fanout),
            )
            .order_by(SettlementApplication.submitted_at.desc(), SettlementApplication.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        .scalars()
        .all()
    )
    return list(items), int(total)


def application_out(application: SettlementApplication) -> schemas.SettlementApplicationOut:
    members = [
        schemas.PersonOut(
            id_number=m.id_number,
            name=m.name,
            relation=m.relation,
            birth_date=m.birth_date,
            sex=m.sex,
            hukou_region_code=m.hukou_region_code,
            hukou_type=m.hukou_type,
        )
        for m in application.members
    ]
    reported = {f.service: f for f in application.fanout}
    return schemas.SettlementApplicationOut(
        id=application.id,
        status=application.status,
        channel=application.channel,
        destination_region_code=application.destination_region_code,
        received_on=application.received_on,
        submitted_at=application.submitted_at,
        approved_at=application.approved_at,
        rejected_at=application.rejected_at,
        rejection_reason=application.rejection_reason,
        settled_at=application.settled_at,
        applicant=members[0],
        household=members[1:],
        eligibility=schemas.EligibilityOut.model_validate(application.eligibility),
        fanout={
            s: reported[s].status if s in reported else "not_started" for s in DOWNSTREAM_SERVICES
        },
        fanout_summaries={s: f.summary for s, f in reported.items() if f.summary},
    )
