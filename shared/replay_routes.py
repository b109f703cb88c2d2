"""`POST /v1/dead-letters/replay` on every service: its own consumers' dead letters sent again
to their topics, once the cause is fixed, by an official of the department that runs it (the
console's incidents page, 四(三)), as `luohu deadletters replay` does for an operator.

Guarded by the service's own write scope (its registry entry's first `*:write`), so no bureau
replays another's. Each consumer group of the service is replayed in turn (every group is named
after its service, as the CLI names them) and the answer counts each. A replay that sent
something is in the service's audit log, who and how many, once the bus has taken it: the
records themselves are the producers', signed by them, and are checked again when consumed.

On Kafka a service's own user may read its dead letters but not write another bureau's topic
(docs/operations.md "Dead letters"): there the bus refuses the send, the route answers 503 and
the refused group's dead letters stay waiting; the operators' replay Job remains the way.
"""

# No `from __future__ import annotations`: FastAPI reads the route's annotations at run time.

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from shared.audit import record_audit
from shared.auth import Principal, require
from shared.errors import LuohuError, error_responses
from shared.events.bus import BusUnavailable
from shared.events.deadletters import replay_dead_letters
from shared.registry import SERVICES_BY_NAME
from shared.routes import v1_router
from shared.service import Runtime, RuntimeDep, ServiceSpec

REPLAYED = "dead_letters.replayed"
"""The audit action of a replay that sent something."""


class BusRefused(LuohuError, status_code=503, code="bus_unavailable"):
    """The event bus could not be reached, or refused the send: nothing was marked replayed."""


class ReplayedOut(BaseModel):
    """How many dead letters each of the service's consumer groups sent again."""

    replayed: dict[str, int] = Field(examples=[{"housing": 1}])


def replay_router(spec: ServiceSpec) -> APIRouter:
    """The replay route of the service `spec` describes."""
    router = v1_router("operations")
    scope = SERVICES_BY_NAME[spec.name].write_scope
    Replaying = Annotated[Principal, Depends(require(scope))]

    @router.post(
        "/dead-letters/replay",
        summary="Send this service's dead letters to their topics again (四(三))",
        description=(
            f"Needs `{scope}`. Each of the service's consumer groups is replayed; the answer "
            "counts what each sent again (0: none waited). The consumers apply a replayed event "
            "as if it came for the first time, once (their inbox absorbs a repeat)."
        ),
        responses=error_responses(BusRefused),
    )
    def replay(principal: Replaying, runtime: RuntimeDep) -> ReplayedOut:
        replayed: dict[str, int] = {}
        try:
            for subscription in spec.all_subscriptions(runtime.keyring):
                group = subscription.group
                replayed[group] = replay_dead_letters(runtime.bus, group)
        except BusUnavailable as exc:
            raise BusRefused(
                f"the event bus refused the replay of {group}'s dead letters",
                details=[{"field": None, "reason": str(exc)}],
            ) from exc
        finally:  # what was sent before a refusal is audited too
            _audit(runtime, spec, principal.actor, replayed)
        return ReplayedOut(replayed=replayed)

    return router


def _audit(runtime: Runtime, spec: ServiceSpec, actor: str, replayed: dict[str, int]) -> None:
    sent = {group: count for group, count in replayed.items() if count}
    if not sent:
        return
    with runtime.db.unit_of_work() as session:
        for group, count in sent.items():
            record_audit(
                session,
                spec.tables,
                actor=actor,
                action=REPLAYED,
                entity_type="consumer",
                entity_id=group,
                detail={"replayed": count},
            )
