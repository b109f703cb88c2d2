"""Hukou's read side: the application as department systems see it, lists and filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from services.hukou import schemas
from services.hukou.models import HouseholdMember, SettlementApplication
from shared.pagination import PageRequest, fetch_page
from shared.registry import DOWNSTREAM_SERVICES
from shared.routes import load_one

# An application is always read with its people and its fan-out: the answer shows both.
WHOLE_APPLICATION = (
    selectinload(SettlementApplication.members),
    selectinload(SettlementApplication.fanout),
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
    session: Session, filters: ApplicationFilter, request: PageRequest
) -> tuple[list[SettlementApplication], int]:
    """One page of the applications the filters let through, newest first, and their number."""
    # Select[Any]: the kernel's fetch_page is typed for SQLAlchemy 2.0's Select[tuple[...]].
    query: Select[Any] = select(SettlementApplication)
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
    ordered = query.options(*WHOLE_APPLICATION).order_by(
        SettlementApplication.submitted_at.desc(), SettlementApplication.id
    )
    return fetch_page(session, ordered, request)


def load_application(
    session: Session, application_id: str, *, for_update: bool = False
) -> SettlementApplication:
    """The application with its people and fan-out, read afresh (locked with `for_update`)."""
    return load_one(
        session,
        SettlementApplication,
        SettlementApplication.id == application_id,
        not_found=f"no settlement application {application_id}",
        for_update=for_update,
        options=WHOLE_APPLICATION,
    )


def application_out(application: SettlementApplication) -> schemas.SettlementApplicationOut:
    """The application as the contract shows it: its people, decision and fan-out."""
    members = [
        schemas.PersonOut.model_validate(member, from_attributes=True)
        for member in application.members
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
