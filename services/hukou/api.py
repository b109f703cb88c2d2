"""Hukou's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Annotated

from fastapi import Body, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.hukou import (
    approvals,
    operations,
    refusals,
    schemas,
    supply,
    target_schemas,
    targets,
    views,
)
from services.hukou.config import HukouSettings
from services.hukou.decision_schemas import (
    ApprovalIn,
    RejectionIn,
    ReviewDecisionIn,
    ReviewIn,
    ReviewOut,
)
from services.hukou.domain import PermitHistory
from services.hukou.models import SettlementApplication
from services.hukou.permits import fetch_permit_history
from shared import clock
from shared.auth import Principal, require
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, error_responses
from shared.fields import ShaoguanCounty
from shared.pagination import PageRequest, Paging, page_of
from shared.routes import Write, reading, v1_router, writing
from shared.service import Runtime, RuntimeDep

router = v1_router("settlement applications")

CanWrite = Annotated[Principal, Depends(require("settlement:write"))]
Writing = Annotated[Write, Depends(writing("settlement:write"))]
CanApprove = Annotated[Principal, Depends(require("settlement:approve"))]
Reading = Annotated[Session, Depends(reading("settlement:read"))]
CanSetTargets = Annotated[Principal, Depends(require("target:write"))]
ReadingTargets = Annotated[Session, Depends(reading("settlement:read", "report:read"))]
TargetYear = Annotated[
    int, Path(ge=2016, le=2100, description="A year targets are set for: 2016 to 2100")
]


@cache
def hukou_settings() -> HukouSettings:
    return HukouSettings()


HukouSettingsDep = Annotated[HukouSettings, Depends(hukou_settings)]


def supply_sources(config: HukouSettingsDep) -> Iterator[supply.Sources]:
    """The services asked for the supply beside the targets (二.7), as configured."""
    with supply.sources_at(config.housing_url, config.education_url) as sources:
        yield sources


SupplySources = Annotated[supply.Sources, Depends(supply_sources)]


def permit_history(
    config: HukouSettings, runtime: Runtime, request: schemas.SettlementApplicationIn
) -> PermitHistory | None:
    """The applicant's permit history when a permit service is configured and it matters."""
    if config.residence_permit_url is None or request.residence is None:
        return None
    return fetch_permit_history(
        config.residence_permit_url, runtime.keyring, request.applicant.id_number
    )


@router.post(
    "/settlement-applications",
    status_code=201,
    response_model=schemas.SettlementApplicationOut,
    summary="Submit a settlement application; the eligibility decision comes back at once",
    responses=error_responses(Conflict),
)
def submit_settlement_application(
    request: schemas.SettlementApplicationIn, write: Writing, config: HukouSettingsDep
) -> JSONResponse:
    repeated = request.repeated_people()
    if repeated:
        raise InvalidInput("a person appears twice in the application", details=repeated)
    unexplained = request.unexplained_late_entry(clock.today())
    if unexplained:
        raise InvalidInput(
            "an application entered after its received day needs a reason", details=unexplained
        )
    evidence = permit_history(config, write.runtime, request)  # I/O before the transaction opens
    return write(
        request,
        lambda session: views.application_out(
            operations.submit_application(
                session,
                request,
                actor=write.actor,
                versions=config.rules_versions(),
                parameters=config.parameters(),
                today=clock.today(),
                permit_history=evidence,
            )
        ),
    )


@router.get(
    "/settlement-applications",
    summary="List applications, filtered and paged: newest first, or the work queue "
    "(sort=queue: people already living in the city first, 二.8)",
)
def list_settlement_applications(
    session: Reading,
    paging: Paging,
    filters: Annotated[schemas.ApplicationFilter, Query()],
) -> schemas.ApplicationPage:
    search = schemas.ApplicationSearchIn.model_validate(filters.model_dump())
    return _page_of_applications(session, search, paging)


@router.post(
    "/settlement-applications/search",
    summary="Search applications by the person named in them (and the list's filters), paged "
    "(newest first); the identity number travels in the body, never in a URL",
)
def search_settlement_applications(
    search: schemas.ApplicationSearchIn,
    session: Reading,
    paging: Paging,
) -> schemas.ApplicationPage:
    return _page_of_applications(session, search, paging)


def _page_of_applications(
    session: Session, search: schemas.ApplicationSearchIn, paging: PageRequest
) -> schemas.ApplicationPage:
    found, total = views.list_applications(session, search, paging)
    return page_of([views.application_out(a) for a in found], total, paging)


@router.get(
    "/settlement-applications/{application_id}",
    responses=error_responses(NotFound),
)
def get_settlement_application(
    application_id: str, session: Reading
) -> schemas.SettlementApplicationOut:
    return views.application_out(views.load_application(session, application_id))


@router.get(
    "/settlement-applications/{application_id}/decisions",
    summary="Every decision on the application, as made (the last is the current one)",
    responses=error_responses(NotFound),
)
def list_decision_versions(
    application_id: str, session: Reading
) -> list[schemas.DecisionVersionOut]:
    return views.decision_versions(session, application_id)


def changed(
    runtime: Runtime, change: Callable[[Session], SettlementApplication]
) -> schemas.SettlementApplicationOut:
    """Run `change` in one unit of work; the application it leaves, as the contract shows it."""
    with runtime.db.unit_of_work() as session:
        return views.application_out(change(session))


@router.post(
    "/settlement-applications/{application_id}/approve",
    summary="Approve an eligible application; publishes settlement.approved",
    responses=error_responses(NotFound, Conflict),
)
def approve_settlement_application(
    application_id: str,
    principal: CanApprove,
    runtime: RuntimeDep,
    approval: Annotated[ApprovalIn | None, Body()] = None,
) -> schemas.SettlementApplicationOut:
    return changed(
        runtime,
        lambda session: approvals.approve_application(
            session,
            application_id,
            approval or ApprovalIn(),
            actor=principal.actor,
            recipients=runtime.keyring.bundle(),
        ),
    )


@router.post(
    "/settlement-applications/{application_id}/reassess",
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
    evidence = permit_history(config, runtime, supplied.supplementing(stored))
    return changed(
        runtime,
        lambda session: operations.reassess_application(
            session,
            application_id,
            supplied,
            actor=principal.actor,
            versions=config.rules_versions(),
            parameters=config.parameters(),
            permit_history=evidence,
        ),
    )


@router.post(
    "/settlement-applications/{application_id}/reject",
    summary="Refuse an application on a ground of the closed list, with the reason in words; "
    "a target (二.7) or rural rights (三(四)) refuse no one",
    responses=error_responses(NotFound, Conflict),
)
def reject_settlement_application(
    application_id: str,
    rejection: RejectionIn,
    principal: CanApprove,
    runtime: RuntimeDep,
) -> schemas.SettlementApplicationOut:
    return changed(
        runtime,
        lambda session: refusals.reject_application(
            session, application_id, rejection, actor=principal.actor
        ),
    )


@router.post(
    "/settlement-applications/{application_id}/review",
    status_code=201,
    summary="Ask for review (复核) of a refusal (ineligible or rejected), with the family's "
    "grounds",
    responses=error_responses(NotFound, Conflict),
)
def request_review(
    application_id: str, request: ReviewIn, principal: CanWrite, runtime: RuntimeDep
) -> ReviewOut:
    with runtime.db.unit_of_work() as session:
        review = refusals.request_review(session, application_id, request, actor=principal.actor)
        return ReviewOut.model_validate(review)


@router.post(
    "/settlement-applications/{application_id}/review/decision",
    summary="Decide the open review: an officer named by the token, not the one who refused; "
    "overturned, the refusal is undone",
    responses=error_responses(NotFound, Forbidden, Conflict),
)
def decide_review(
    application_id: str, decision: ReviewDecisionIn, principal: CanApprove, runtime: RuntimeDep
) -> ReviewOut:
    with runtime.db.unit_of_work() as session:
        review = refusals.decide_review(session, application_id, decision, by=principal)
        return ReviewOut.model_validate(review)


@router.get(
    "/settlement-applications/{application_id}/reviews",
    summary="Every review of the application's refusals, as asked and decided",
    responses=error_responses(NotFound),
)
def list_reviews(application_id: str, session: Reading) -> list[ReviewOut]:
    return [ReviewOut.model_validate(r) for r in refusals.reviews_of(session, application_id)]


@router.put(
    "/settlement-targets/{year}/{region_code}",
    tags=["settlement targets"],
    summary="Set a county's yearly target of people settled (一.1, 二.7): it steers, never refuses",
)
def set_settlement_target(
    year: TargetYear,
    region_code: ShaoguanCounty,
    target: target_schemas.TargetIn,
    principal: CanSetTargets,
    runtime: RuntimeDep,
    sources: SupplySources,
) -> list[target_schemas.TargetOut]:
    # Asked before the unit of work opens: no transaction waits on another service.
    counties = supply.supply_by_county(sources, runtime.keyring, year)
    with runtime.db.unit_of_work() as session:
        targets.set_target(
            session, year=year, region_code=region_code, target=target, actor=principal.actor
        )
        return targets.targets_for_year(session, year, counties)


@router.get(
    "/settlement-targets/{year}",
    tags=["settlement targets"],
    summary="Each county's target beside the people approved to settle there that year and the "
    "public-service supply (housing's waiting list, school places planned)",
)
def get_settlement_targets(
    year: TargetYear, session: ReadingTargets, runtime: RuntimeDep, sources: SupplySources
) -> list[target_schemas.TargetOut]:
    counties = supply.supply_by_county(sources, runtime.keyring, year)
    return targets.targets_for_year(session, year, counties)
