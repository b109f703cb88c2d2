"""The office's follow-up list (督办, 四(三) 纳入市政府督查工作范围): chasing a department's open
item, until the department reports it done (`supervision.report_applied` closes it).

The office only asks: it records whom it asked and when, and the department's own report is
what closes the follow-up. A chase is made by the coordination department's token (its
officer, when it names one), never by the department chased.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from services.coordination import supervision_schemas as schemas
from services.coordination.models import (
    TABLES,
    FollowUp,
    FollowUpChase,
    SettlementProgress,
    SupervisedItem,
)
from services.coordination.open_items import region_codes
from services.coordination.supervision import OPEN
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import InvalidInput, NotFound
from shared.loading import Loader
from shared.pagination import PageRequest, fetch_page
from shared.registry import SERVICES_BY_NAME


def chase(session: Session, request: schemas.FollowUpIn, *, actor: str) -> schemas.FollowUpOut:
    """Chase the open item: a new follow-up, or one more chase of the open one."""
    # The settlement's row is the lock two chases of one item meet at: one open follow-up each.
    if session.get(SettlementProgress, request.settlement_id, with_for_update=True) is None:
        raise NotFound(
            f"the coordination office has heard nothing of settlement {request.settlement_id}"
        )
    item = _open_item(session, request)
    follow_up = session.execute(
        _with_chases(
            select(FollowUp).where(
                FollowUp.settlement_id == item.settlement_id,
                FollowUp.service == item.service,
                FollowUp.item_id == item.item_id,
                FollowUp.state == OPEN,
            )
        )
    ).scalar_one_or_none()
    now = utcnow()
    if follow_up is None:
        follow_up = FollowUp(
            id=str(uuid.uuid4()),
            settlement_id=item.settlement_id,
            service=item.service,
            item_id=item.item_id,
            field=item.field,
            kind=item.kind,
            due_on=item.due_on,
            state=OPEN,
            opened_at=now,
            opened_by=actor,
            chases=[],
        )
        session.add(follow_up)
    follow_up.chases.append(
        FollowUpChase(
            sequence=len(follow_up.chases) + 1,
            chased_at=now,
            chased_by=actor,
            asked_office=request.asked.office,
            asked_contact=request.asked.contact,
            note=request.note,
        )
    )
    session.flush()
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="follow_up.opened" if len(follow_up.chases) == 1 else "follow_up.chased",
        entity_type="follow_up",
        entity_id=follow_up.id,
        detail={
            "settlement_id": item.settlement_id,
            "service": item.service,
            "item_id": item.item_id,
            "chase": len(follow_up.chases),
            "asked_office": request.asked.office,
            "asked_contact": request.asked.contact,
            "note": request.note,
        },
    )
    return follow_up_out(session, follow_up)


def _open_item(session: Session, request: schemas.FollowUpIn) -> SupervisedItem:
    """The item chased, among those the departments' latest reports list; a 422 naming why
    when it is not open."""
    query = select(SupervisedItem).where(
        SupervisedItem.settlement_id == request.settlement_id,
        SupervisedItem.item_id == request.item_id,
    )
    if request.service is not None:
        query = query.where(SupervisedItem.service == request.service)
    found = list(session.execute(query).scalars())
    if len(found) == 1:
        return found[0]
    if found:
        reason = "two departments list an item of this id: name the department in `service`"
        raise InvalidInput("the item chased is ambiguous", details=[_detail("service", reason)])
    whose = f"{request.service}'s" if request.service else "any department's"
    reason = (
        f"is not an open item of {whose} latest report on settlement {request.settlement_id}: "
        "the department has done it, or never asked for it; only an open item is chased"
    )
    raise InvalidInput("the item chased is not open", details=[_detail("item_id", reason)])


def _detail(field: str, reason: str) -> dict[str, str]:
    return {"field": field, "reason": reason}


def list_follow_ups(
    session: Session, filters: schemas.FollowUpFilter, paging: PageRequest
) -> tuple[list[schemas.FollowUpOut], int]:
    """One page of the follow-ups the filters match, the oldest opened first."""
    query = select(FollowUp)
    if filters.state is not None:
        query = query.where(FollowUp.state == filters.state)
    if filters.department is not None:
        query = query.where(FollowUp.service == filters.department)
    if filters.region_code is not None:
        query = query.join(
            SettlementProgress, SettlementProgress.settlement_id == FollowUp.settlement_id
        ).where(SettlementProgress.region_code == filters.region_code)
    query = _with_chases(query.order_by(FollowUp.opened_at, FollowUp.id))
    found, total = fetch_page(session, query, paging)
    counties = region_codes(session, {f.settlement_id for f in found})
    return [_out(f, counties.get(f.settlement_id)) for f in found], total


load_follow_up = Loader(
    FollowUp,
    FollowUp.id,
    "there is no follow-up {}",
    options=(selectinload(FollowUp.chases),),
)


def get_follow_up(session: Session, follow_up_id: str) -> schemas.FollowUpOut:
    return follow_up_out(session, load_follow_up(session, follow_up_id))


def follow_up_out(session: Session, follow_up: FollowUp) -> schemas.FollowUpOut:
    return _out(
        follow_up, region_codes(session, [follow_up.settlement_id]).get(follow_up.settlement_id)
    )


def _out(follow_up: FollowUp, region_code: str | None) -> schemas.FollowUpOut:
    return schemas.FollowUpOut(
        id=follow_up.id,
        settlement_id=follow_up.settlement_id,
        service=follow_up.service,
        department=SERVICES_BY_NAME[follow_up.service].department,
        region_code=region_code,
        item_id=follow_up.item_id,
        field=follow_up.field,
        kind=follow_up.kind,
        due_on=follow_up.due_on,
        state=follow_up.state,
        opened_at=follow_up.opened_at,
        opened_by=follow_up.opened_by,
        closed_at=follow_up.closed_at,
        closed_by_event_id=follow_up.closed_by_event_id,
        closed_reason=follow_up.closed_reason,
        chases=[
            schemas.ChaseOut.model_validate(chase, from_attributes=True)
            for chase in follow_up.chases
        ],
    )


def _with_chases(query: Select[Any]) -> Select[Any]:
    return query.options(selectinload(FollowUp.chases))
