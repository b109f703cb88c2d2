"""督办: the office's follow-ups and the weekly digest for the municipal supervision office
(四(三) 纳入市政府督查工作范围), each also as a CSV for Excel, and, for an official who may
write the office's records, the form that chases an open item (`follow_ups.chase`).

Only ids, departments, counties and counts: nothing here names a person. The CSV files are
UTF-8 with a byte-order mark, which is how Excel knows to read Chinese from them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from services.coordination import digest, follow_ups
from services.coordination import supervision_schemas as schemas
from services.coordination.console.render import render
from services.coordination.console.session import ConsoleUser, SameOrigin, SignedIn, require
from services.coordination.open_items import list_due
from shared import labels
from shared.errors import LuohuError
from shared.pagination import PageRequest
from shared.routes import read_session

READS, WRITES = "coordination:read", "coordination:write"
SHOWN = 200
"""The most follow-ups, and open items to chase, a page lists."""

DIGEST_COLUMNS = {
    "approvals": "本周审批通过",
    "settled": "本周落户办结",
    "in_progress": "办理中",
    "open_items": "未办结事项",
    "overdue_items": "逾期事项",
    "follow_ups_opened": "本周发起督办",
    "follow_ups_closed": "本周督办办结",
    "oldest_overdue_days": "最久逾期天数",
}
"""The digest's figures (`digest.COLUMNS`) in the order and words the page and its CSV use."""

FOLLOW_UP_HEADER = (
    "督办编号",
    "落户申请",
    "承办部门",
    "业务",
    "区县",
    "事项",
    "所需",
    "期限",
    "状态",
    "发起时间",
    "督办次数",
    "最近督办对象",
    "办结时间",
)

Reading = Annotated[Session, Depends(read_session)]
router = APIRouter(include_in_schema=False)


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV file Excel opens with its Chinese intact (UTF-8 with BOM), saved as `filename`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


def _follow_ups(session: Session, state: str | None) -> tuple[list[schemas.FollowUpOut], int]:
    filters = schemas.FollowUpFilter(state=state if state in ("open", "closed") else None)
    return follow_ups.list_follow_ups(session, filters, PageRequest(page_size=SHOWN))


def _digest(session: Session, week: str | None) -> tuple[schemas.DigestOut | None, str | None]:
    """The week's digest, or why the week asked for is not one."""
    try:
        return digest.weekly_digest(session, week or None), None
    except LuohuError as exc:
        reasons = [str(d.get("reason", "")) for d in exc.details]
        return None, ";".join(r for r in reasons if r) or exc.message


def _chaseable(session: Session) -> list[schemas.DueItemOut]:
    """The open items due by today, the oldest due first: what the office chases."""
    items, _ = list_due(session, schemas.OpenItemsFilter(), PageRequest(page_size=SHOWN))
    return items


def item_key(item: schemas.DueItemOut) -> str:
    """How the chase form names an item: its service, settlement and id."""
    return f"{item.service}|{item.settlement_id}|{item.item_id}"


def _page(
    request: Request,
    user: ConsoleUser,
    session: Session,
    *,
    status_code: int = 200,
    chase: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    week = request.query_params.get("week", "")
    state = request.query_params.get("state")
    found, total = _follow_ups(session, state)
    week_digest, week_error = _digest(session, week)
    return render(
        request,
        user,
        "supervision.html",
        status_code=422 if week_error and status_code == 200 else status_code,
        follow_ups=found,
        total=total,
        shown=SHOWN,
        state=state or "",
        digest=week_digest,
        week=week,
        week_error=week_error,
        columns=DIGEST_COLUMNS,
        may_chase=user.has(WRITES),
        chaseable=_chaseable(session) if user.has(WRITES) else [],
        item_key=item_key,
        chase=chase or {},
        errors=errors or {},
    )


@router.get("/console/supervision")
def supervision_page(request: Request, user: SignedIn, session: Reading) -> Response:
    require(user, READS)
    return _page(request, user, session)


@router.get("/console/supervision/follow-ups.csv")
def follow_ups_csv(user: SignedIn, session: Reading, state: str | None = None) -> Response:
    require(user, READS)
    found, _ = _follow_ups(session, state)
    rows = [
        (
            f.id,
            f.settlement_id,
            labels.department(f.department),
            labels.service(f.service),
            f.region_code,
            labels.item_kind(f.kind),
            f.field,
            f.due_on,
            "督办中" if f.state == "open" else "已办结",
            f.opened_at.isoformat(timespec="minutes"),
            len(f.chases),
            f.chases[-1].asked_office if f.chases else None,
            f.closed_at.isoformat(timespec="minutes") if f.closed_at else None,
        )
        for f in found
    ]
    return csv_download("督办清单.csv", FOLLOW_UP_HEADER, rows)


@router.get("/console/supervision/digest.csv")
def digest_csv(
    request: Request, user: SignedIn, session: Reading, week: str | None = None
) -> Response:
    require(user, READS)
    week_digest, _ = _digest(session, week)
    if week_digest is None:  # the page says why beside the week's field
        return _page(request, user, session, status_code=422)
    header = ("周", "区县代码", "区县", *DIGEST_COLUMNS.values())
    rows = [
        (
            week_digest.week,
            county.region_code,
            county.county,
            *(getattr(county, name) for name in DIGEST_COLUMNS),
        )
        for county in week_digest.counties
    ]
    return csv_download(f"督查周报-{week_digest.week}.csv", header, rows)


@router.post("/console/supervision/chase", dependencies=[SameOrigin])
def chase_item(
    request: Request,
    user: SignedIn,
    item: Annotated[str, Form(max_length=200)] = "",
    office: Annotated[str, Form(max_length=200)] = "",
    contact: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Chase the chosen item in the office's own records, as the official: back with a notice,
    or the page again with each reason beside its field and the values kept."""
    require(user, WRITES)
    values = {"item": item, "office": office, "contact": contact, "note": note}
    service, _, rest = item.partition("|")
    settlement_id, _, item_id = rest.partition("|")
    runtime = request.app.state.runtime
    try:
        asked = schemas.AskedIn(office=office, contact=contact)
        chased = schemas.FollowUpIn(
            settlement_id=settlement_id,
            item_id=item_id,
            service=service or None,
            asked=asked,
            note=note,
        )
        with runtime.db.unit_of_work() as session:
            follow_ups.chase(session, chased, actor=user.actor)
    except ValidationError as exc:
        errors = {_form_field(error["loc"]): _reason(error) for error in exc.errors()}
        return _again(request, user, values, errors)
    except LuohuError as exc:
        return _again(request, user, values, {"item": exc.message}, status_code=exc.status_code)
    done = f"已督办:{labels.service(service)}(落户申请 {settlement_id})"
    return RedirectResponse(f"/console/supervision?done={quote(done)}", 303)


def _reason(error: Any) -> str:
    if error["type"] in ("string_too_short", "too_short"):
        return "请填写此项"
    return str(error["msg"]).removeprefix("Value error, ")


def _form_field(location: Sequence[int | str]) -> str:
    """The chase form's field a validation error concerns (the item for its ids)."""
    name = str(location[-1]) if location else "item"
    return name if name in ("office", "contact", "note") else "item"


def _again(
    request: Request,
    user: ConsoleUser,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 422,
) -> Response:
    with request.app.state.runtime.db.read_only() as session:
        return _page(request, user, session, status_code=status_code, chase=values, errors=errors)
