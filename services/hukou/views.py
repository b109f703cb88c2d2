"""Hukou's read side: the application as department systems see it, lists and filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from services.hukou import schemas, work_queue
from services.hukou.models import DecisionVersion, HouseholdMember, SettlementApplication
from shared.db import columns_of
from shared.loading import Loader
from shared.pagination import PageRequest, fetch_page
from shared.registry import DOWNSTREAM_SERVICES
from shared.routes import load_one

# An application is always read with its people and its fan-out: the answer shows both.
WHOLE_APPLICATION = (
    selectinload(SettlementApplication.members),
    selectinload(SettlementApplication.fanout),
)


def list_applications(
    session: Session, filters: schemas.ApplicationSearchIn, request: PageRequest
) -> tuple[list[SettlementApplication], int]:
    """One page of the applications the filters let through, and their number: newest first,
    or as the work queue (the waiting ones, people already living in the city first, 二.8)."""
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
    if filters.sort == "queue":
        query = query.where(SettlementApplication.status.in_(work_queue.PENDING)).order_by(
            SettlementApplication.stock_first.desc(),
            SettlementApplication.received_on,
            SettlementApplication.submitted_at,
        )
    else:
        query = query.order_by(SettlementApplication.submitted_at.desc())
    ordered = query.options(*WHOLE_APPLICATION).order_by(SettlementApplication.id)
    return fetch_page(session, ordered, request)


load_application = Loader(
    SettlementApplication,
    SettlementApplication.id,
    "no settlement application {}",
    options=WHOLE_APPLICATION,
)
"""The application with its people and fan-out, read afresh (locked with `for_update`)."""


def application_out(application: SettlementApplication) -> schemas.SettlementApplicationOut:
    """The application as the contract shows it: its people, decision and fan-out."""
    applicant, *household = application.members
    reported = {f.service: f for f in application.fanout}
    return schemas.SettlementApplicationOut.model_validate(
        {
            **columns_of(application),  # eligibility is stored in the shape it is answered in
            "applicant": applicant,
            "household": household,
            "fanout": {
                s: reported[s].status if s in reported else "not_started"
                for s in DOWNSTREAM_SERVICES
            },
            "fanout_summaries": {s: f.summary for s, f in reported.items() if f.summary},
            "fanout_open_items": {s: f.open_items for s, f in reported.items() if f.open_items},
            "queue": {"stock_first": application.stock_first, "reason": application.queue_reason},
        }
    )


def settling_members(application: SettlementApplication) -> list[HouseholdMember]:
    """The people of an approved application who settle: those its decision does not leave out
    (二.3, 举家进城落户: a member who cannot settle with the applicant is left out, not the
    family). A decision recorded before the members were decided leaves no one out."""
    left_out = {
        member["index"]
        for member in application.eligibility.get("members", [])
        if member["settles"] is False
    }
    return [m for m in application.members if m.position not in left_out]


def decision_versions(session: Session, application_id: str) -> list[schemas.DecisionVersionOut]:
    """Every decision on the application, the first first; the last is the current one."""
    load_one(
        session,
        SettlementApplication,
        SettlementApplication.id == application_id,
        not_found=f"no settlement application {application_id}",
    )
    rows = session.execute(
        select(DecisionVersion)
        .where(DecisionVersion.application_id == application_id)
        .order_by(DecisionVersion.version)
    ).scalars()
    return [schemas.DecisionVersionOut.model_validate(row) for row in rows]
