"""Hukou's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Annotated, Any

from fastapi import Body, Depends, Path, Query
from fastapi.responses import JSONResponse

from services.hukou import approvals, operations, schemas, targets, views
from services.hukou.config import HukouSettings
from services.hukou.domain import Channel, PermitHistory
from services.hukou.permits import fetch_permit_history
from shared import clock
from shared.auth import Principal, require
from shared.errors import Conflict, InvalidInput, NotFound, error_responses
from shared.fields import IdNumber, ShaoguanCounty
from shared.pagination import Paging, page_of
from shared.routes import IdempotencyKey, create_idempotently, v1_router
from shared.service import Runtime, RuntimeDep

router = v1_router("settlement applications")

CanWrite = Annotated[Principal, Depends(require("settlement:write"))]
CanApprove = Annotated[Principal, Depends(require("settlement:approve"))]
CanRead = Annotated[Principal, Depends(require("settlement:read"))]
CanSetTargets = Annotated[Principal, Depends(require("target:write"))]
CanReadTargets = Annotated[Principal, Depends(require("settlement:read", "report:read"))]


@cache
def hukou_settings() -> HukouSettings:
    return HukouSettings()


HukouSettingsDep = Annotated[HukouSettings, Depends(hukou_settings)]


def permit_history(
    config: HukouSettings, runtime: Runtime, request: schemas.SettlementApplicationIn
) -> PermitHistory | None:
    """The applicant's permit history when a permit service is configured and it matters."""
    if config.residence_permit_url is None or request.residence is None:
        return None
    return fetch_permit_history(
        config.residence_permit_url, runtime.settings, request.applicant.id_number
    )


@router.post(
    "/settlement-applications",
    status_code=201,
    response_model=schemas.SettlementApplicationOut,
    summary="Submit a settlement application; the eligibility decision comes back at once",
    responses=error_responses(Conflict),
)
def submit_settlement_application(
    request: schemas.SettlementApplicationIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    config: HukouSettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    repeated = request.repeated_people()
    if repeated:
        raise InvalidInput("a person appears twice in the application", details=repeated)
    evidence = permit_history(config, runtime, request)  # I/O before the transaction opens

    def submit(session: Any) -> tuple[int, Any]:
        application = operations.submit_application(
            session,
            request,
            actor=principal.actor,
            versions=config.rules_versions(),
            parameters=config.parameters(),
            today=clock.today(),
            permit_history=evidence,
        )
        return 201, schemas.dump(views.application_out(application))

    return create_idempotently(
        runtime,
        principal,
        key=idempotency_key,
        route="POST /v1/settlement-applications",
        body=request.model_dump(mode="json"),
        operation=submit,
    )


@router.get(
    "/settlement-applications",
    response_model=schemas.ApplicationPage,
    summary="List applications, filtered and paged (newest first)",
)
def list_settlement_applications(
    principal: CanRead,
    runtime: RuntimeDep,
    paging: Paging,
    status: schemas.ApplicationStatus | None = None,
    destination_region_code: ShaoguanCounty | None = None,
    channel: Channel | None = None,
    submitted_from: date | None = Query(None, description="received on or after"),
    submitted_to: date | None = Query(None, description="received on or before"),
    id_number: IdNumber | None = Query(None, description="applications naming this person"),
) -> schemas.ApplicationPage:
    filters = views.ApplicationFilter(
        status=status,
        destination_region_code=destination_region_code,
        channel=channel,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        id_number=id_number,
    )
    with runtime.db.read_only() as session:
        found, total = views.list_applications(session, filters, paging)
        return page_of([views.application_out(a) for a in found], total, paging)


@router.get(
    "/settlement-applications/{application_id}",
    response_model=schemas.SettlementApplicationOut,
    responses=error_responses(NotFound),
)
def get_settlement_application(
    application_id: str, principal: CanRead, runtime: RuntimeDep
) -> schemas.SettlementApplicationOut:
    with runtime.db.read_only() as session:
        return views.application_out(views.load_application(session, application_id))


@router.post(
    "/settlement-applications/{application_id}/approve",
    response_model=schemas.SettlementApplicationOut,
    summary="Approve an eligible application; publishes settlement.approved",
    responses=error_responses(NotFound, Conflict),
)
def approve_settlement_application(
    application_id: str,
    principal: CanApprove,
    runtime: RuntimeDep,
    approval: Annotated[schemas.ApprovalIn | None, Body()] = None,
) -> schemas.SettlementApplicationOut:
    with runtime.db.unit_of_work() as session:
        application = approvals.approve_application(
            session, application_id, approval or schemas.ApprovalIn(), actor=principal.actor
        )
        return views.application_out(application)


@router.post(
    "/settlement-applications/{application_id}/reassess",
    response_model=schemas.SettlementApplicationOut,
    summary="Decide an application awaiting information again, with the sections supplied",
    responses=error_responses(NotFound, Conflict),
)
def reassess_settlement_application(
    application_id: str,
    principal: CanWrite,
    runtime: RuntimeDep,
    config: HukouSettingsDep,
    supplied: Annotated[schemas.InformationIn | None, Body()] = None,
) -> schemas.SettlementApplicationOut:
    supplied = supplied or schemas.InformationIn()
    with runtime.db.read_only() as session:
        stored = views.load_application(session, application_id).request
    merged = schemas.SettlementApplicationIn.model_validate(
        {**stored, **supplied.model_dump(mode="json", exclude_unset=True)}
    )
    evidence = permit_history(config, runtime, merged)
    with runtime.db.unit_of_work() as session:
        application = operations.reassess_application(
            session,
            application_id,
            supplied,
            actor=principal.actor,
            versions=config.rules_versions(),
            parameters=config.parameters(),
            permit_history=evidence,
        )
        return views.application_out(application)


@router.post(
    "/settlement-applications/{application_id}/reject",
    response_model=schemas.SettlementApplicationOut,
    responses=error_responses(NotFound, Conflict),
)
def reject_settlement_application(
    application_id: str,
    rejection: schemas.RejectionIn,
    principal: CanApprove,
    runtime: RuntimeDep,
) -> schemas.SettlementApplicationOut:
    with runtime.db.unit_of_work() as session:
        application = operations.reject_application(
            session, application_id, rejection.reason, actor=principal.actor
        )
        return views.application_out(application)


@router.put(
    "/settlement-targets/{year}/{region_code}",
    response_model=list[schemas.TargetOut],
    tags=["settlement targets"],
    summary="Set a county's yearly target of people settled (一.1, 二.7): it steers, never refuses",
)
def set_settlement_target(
    year: Annotated[int, Path(ge=2016, le=2100)],
    region_code: ShaoguanCounty,
    target: schemas.TargetIn,
    principal: CanSetTargets,
    runtime: RuntimeDep,
) -> list[schemas.TargetOut]:
    with runtime.db.unit_of_work() as session:
        targets.set_target(
            session, year=year, region_code=region_code, target=target, actor=principal.actor
        )
        return targets.targets_for_year(session, year)


@router.get(
    "/settlement-targets/{year}",
    response_model=list[schemas.TargetOut],
    tags=["settlement targets"],
    summary="Each county's target beside the people approved to settle there that year",
)
def get_settlement_targets(
    year: int, principal: CanReadTargets, runtime: RuntimeDep
) -> list[schemas.TargetOut]:
    with runtime.db.read_only() as session:
        return targets.targets_for_year(session, year)
