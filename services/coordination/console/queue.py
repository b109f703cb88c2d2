"""本部门待办: the signed-in department's open items, oldest due first, and the form that
answers an item asking for information, sent to that department's own API with the official's
token (`departments`): the department checks and decides, the console only relays.

The items are the office's read model of the departments' latest reports (`open_items`). The
office's own officials see every department's, read-only; no one else sees another's. The
department's own record of a settlement (its `GET /v1/settlements/{id}`) is shown only to that
department, its members' identity numbers masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from services.coordination.console.departments import FORM, Answer, departments
from services.coordination.console.facts import FactInput, fact_input
from services.coordination.console.render import render
from services.coordination.console.session import (
    ConsoleForbidden,
    ConsoleUser,
    PageNotFound,
    SameOrigin,
    SignedIn,
)
from services.coordination.open_items import list_due
from services.coordination.supervision_schemas import DueItemOut, OpenItemsFilter
from shared import labels
from shared.identity import mask_id_number
from shared.pagination import PageRequest
from shared.registry import DOWNSTREAM_SERVICES, SERVICES_BY_NAME
from shared.routes import read_session

SHOWN = 200
"""The most items a queue shows per service: the oldest due."""

OFFICE_READS = "coordination:read"
"""What lets an official of a department that runs no service see every department's queue."""

Reading = Annotated[Session, Depends(read_session)]
SettlementPath = Annotated[str, Path(min_length=1, max_length=64)]

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class FactField:
    """One input of an answer form: the fact, its input, and what the last attempt gave."""

    name: str
    input: FactInput
    html_id: str
    item: DueItemOut
    value: str = ""
    error: str | None = None


@dataclass
class ItemGroup:
    """One department's open items on one member (or the household) of one settlement."""

    service: str
    settlement_id: str
    member_index: int | None
    region_code: str | None
    items: list[DueItemOut] = field(default_factory=list)
    editable: bool = False
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    key: str = ""

    @property
    def overdue_days(self) -> int:
        return max(item.overdue_days for item in self.items)

    @property
    def fields(self) -> list[FactField]:
        """The form's inputs: one per fact the group's information items ask for."""
        return [
            FactField(
                item.field,
                fact_input(item.field),
                f"{self.key}-f{n}",
                item,
                self.values.get(item.field, ""),
                self.errors.get(item.field),
            )
            for n, item in enumerate(i for i in self.items if i.kind == "information")
        ]

    @property
    def form_errors(self) -> list[str]:
        """The refusal's reasons that name none of the form's facts (its member, the body)."""
        named = {item.field for item in self.items}
        return [reason for name, reason in self.errors.items() if name not in named]

    @property
    def member(self) -> str:
        """Whose items: the household's, the applicant's, or household member n's."""
        if self.member_index is None:
            return "全户"
        return "申请人" if self.member_index == 0 else f"家庭成员 {self.member_index}"

    def matches(self, service: str, settlement_id: str, member_index: int | None) -> bool:
        return (self.service, self.settlement_id, self.member_index) == (
            service,
            settlement_id,
            member_index,
        )


def own_services(user: ConsoleUser) -> list[str]:
    """The services the official's department runs that follow settlements through."""
    return [s for s in DOWNSTREAM_SERVICES if SERVICES_BY_NAME[s].department == user.dept]


def visible_services(user: ConsoleUser) -> list[str]:
    """Whose queues the official sees: their department's, or, for the office, everyone's."""
    own = own_services(user)
    if own:
        return own
    return list(DOWNSTREAM_SERVICES) if user.has(OFFICE_READS) else []


def may_answer(user: ConsoleUser, service: str) -> bool:
    """Only the service's own department answers its items, and only with its write scope."""
    entry = SERVICES_BY_NAME[service]
    return user.dept == entry.department and user.has(entry.write_scope)


def queue_groups(session: Session, user: ConsoleUser) -> tuple[list[ItemGroup], bool]:
    """The groups of open items the official sees, the most overdue first, and whether any
    service had more than `SHOWN`."""
    groups: dict[tuple[str, str, int | None], ItemGroup] = {}
    cut = False
    every = OpenItemsFilter(due_by=date.max, include_undated=True)
    for service in visible_services(user):
        filters = every.model_copy(update={"department": service})
        items, total = list_due(session, filters, PageRequest(page_size=SHOWN))
        cut = cut or total > len(items)
        for item in items:
            key = (item.service, item.settlement_id, item.member_index)
            group = groups.setdefault(
                key,
                ItemGroup(
                    item.service,
                    item.settlement_id,
                    item.member_index,
                    item.region_code,
                    editable=may_answer(user, item.service),
                    key=f"g{len(groups)}",
                ),
            )
            group.items.append(item)
    # Each service's list is oldest due first; the groups across services keep that order.
    ordered = sorted(groups.values(), key=lambda g: _earliest_due(g.items))
    return ordered, cut


def _earliest_due(items: list[DueItemOut]) -> tuple[bool, date]:
    dates = [item.due_on for item in items if item.due_on is not None]
    return (not dates, min(dates) if dates else date.max)


def _queue_page(
    request: Request,
    user: ConsoleUser,
    session: Session,
    *,
    status_code: int = 200,
    attempt: tuple[str, str, int | None] | None = None,
    values: Mapping[str, str] | None = None,
    answer: Answer | None = None,
) -> Response:
    groups, cut = queue_groups(session, user)
    problem = answer.message if answer is not None else None
    for group in groups:
        if attempt is not None and group.matches(*attempt) and answer is not None:
            group.values = values or {}
            group.errors = dict(answer.errors) or {FORM: answer.message or ""}
            problem = None  # shown beside the form
    return render(
        request,
        user,
        "queue.html",
        status_code=status_code,
        groups=groups,
        cut=cut,
        shown=SHOWN,
        own=own_services(user),
        problem=problem,
    )


@router.get("/console/queue")
def queue_page(request: Request, user: SignedIn, session: Reading) -> Response:
    return _queue_page(request, user, session)


def _service(user: ConsoleUser, service: str) -> str:
    if service not in DOWNSTREAM_SERVICES:
        raise PageNotFound(user, f"没有名为 {service} 的部门业务")
    return service


def _member_index(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


@router.post("/console/queue/{service}/{settlement_id}/information", dependencies=[SameOrigin])
async def answer_items(
    request: Request, user: SignedIn, service: str, settlement_id: SettlementPath
) -> Response:
    """Relay the form to the department: back to the queue with a notice, or the queue again
    with the department's reasons beside the fields they concern and the values kept."""
    _service(user, service)
    if not may_answer(user, service):
        unit = labels.department(SERVICES_BY_NAME[service].department)
        raise ConsoleForbidden(user, f"只有{unit}可以办理{labels.service(service)}的待办事项")
    form = await request.form()
    member_index = _member_index(str(form.get("member_index", "")))
    values = {
        name: str(text).strip()
        for name, text in form.multi_items()
        if name != "member_index" and str(text).strip()
    }
    facts = {name: fact_input(name).read(text) for name, text in values.items()}
    calls = departments(request)
    answer = await run_in_threadpool(
        calls.supply_information,
        user.token,
        service,
        settlement_id,
        facts,
        member_index=member_index,
    )
    if answer.ok:
        done = f"已提交{labels.service(service)}补充材料(落户申请 {settlement_id}),部门已重新办理"
        return RedirectResponse(f"/console/queue?done={quote(done)}", 303)
    attempt = (service, settlement_id, member_index)
    return await run_in_threadpool(_answered_again, request, user, attempt, values, answer)


def _answered_again(
    request: Request,
    user: ConsoleUser,
    attempt: tuple[str, str, int | None],
    values: Mapping[str, str],
    answer: Answer,
) -> Response:
    runtime = request.app.state.runtime
    with runtime.db.read_only() as session:
        return _queue_page(
            request,
            user,
            session,
            status_code=answer.status,
            attempt=attempt,
            values=values,
            answer=answer,
        )


@router.get("/console/queue/{service}/{settlement_id}")
def department_record(
    request: Request, user: SignedIn, service: str, settlement_id: SettlementPath
) -> Response:
    """The department's own record of the settlement, for that department's officials only."""
    _service(user, service)
    if SERVICES_BY_NAME[service].department != user.dept:
        raise ConsoleForbidden(user, f"{labels.service(service)}的办理记录仅向承办部门显示")
    answer = departments(request).record(user.token, service, settlement_id)
    if not answer.ok or answer.record is None:
        reason = answer.message or "该部门未返回办理记录"
        return render(request, user, "refusal.html", status_code=answer.status, reason=reason)
    record = answer.record
    return render(
        request,
        user,
        "queue_record.html",
        service=service,
        settlement_id=settlement_id,
        record=record,
        members=masked_members(record),
    )


def masked_members(record: Any) -> dict[int, str]:
    """Each member the record names by identity number, by index, the number masked: the
    rest of the record (names, addresses) is not shown."""
    found: dict[int, str] = {}
    if isinstance(record, dict):
        index, number = record.get("member_index"), record.get("id_number")
        if isinstance(index, int) and isinstance(number, str):
            found[index] = mask_id_number(number)
        for value in record.values():
            found.update(masked_members(value))
    elif isinstance(record, list):
        for value in record:
            found.update(masked_members(value))
    return dict(sorted(found.items()))
