"""The public-service supply beside each county's settlement target (二.7): housing's waiting
lists and education's school places, asked of those services as hukou itself.

二.7: "由市公安局根据我市公共服务资源供给情况,对非户籍人口在城市落户目标数实行动态管理". Public
security types the target; these figures are what it adjusts it to. A figure a service cannot
give says `unknown` and why, and the targets answer all the same: the supply informs the
target, and the target never refuses anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from services.hukou import target_schemas
from shared.auth import sign_token
from shared.keys import Keyring
from shared.regions import SHAOGUAN_COUNTIES

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0

T = TypeVar("T")


@dataclass(frozen=True)
class Sources:
    """A client of each service asked, at its base URL; None where hukou has none configured."""

    housing: httpx.Client | None
    education: httpx.Client | None


@contextmanager
def sources_at(housing_url: str | None, education_url: str | None) -> Iterator[Sources]:
    """Clients of the services at these URLs (None: not configured), closed afterwards."""
    with ExitStack() as stack:

        def client(url: str | None) -> httpx.Client | None:
            if url is None:
                return None
            return stack.enter_context(httpx.Client(base_url=url, timeout=TIMEOUT_SECONDS))

        yield Sources(housing=client(housing_url), education=client(education_url))


# What hukou reads of the answers: services meet only through their routes, never their code.
class _CountyWaiting(BaseModel):
    region_code: str
    households: int
    persons: int


class _WaitingLists(BaseModel):
    counties: list[_CountyWaiting]


class _Places(BaseModel):
    this_year: int
    next_year: int


class _CountyPlan(BaseModel):
    region_code: str
    school_year: str
    next_school_year: str
    compulsory: _Places | None
    information_needed: list[str] = []


_PLANS = TypeAdapter(list[_CountyPlan])


@dataclass(frozen=True)
class _Unknown:
    reason: str


def supply_by_county(
    sources: Sources, keyring: Keyring, year: int
) -> dict[str, target_schemas.SupplyOut]:
    """Each county's supply for the target of `year`: the waiting list now, and the places
    education plans for the school year starting in `year` and the next (三(五), 三(八))."""
    waiting = _ask(
        sources.housing, "housing", "/v1/waiting-lists", {}, keyring, _WaitingLists.model_validate
    )
    plans = _ask(
        sources.education,
        "education",
        "/v1/planning",
        {"year": year},
        keyring,
        _PLANS.validate_python,
    )
    lists = {} if isinstance(waiting, _Unknown) else {c.region_code: c for c in waiting.counties}
    planned = {} if isinstance(plans, _Unknown) else {p.region_code: p for p in plans}
    return {
        code: target_schemas.SupplyOut(
            **_housing_figures(waiting, lists.get(code), name),
            **_school_figures(plans, planned.get(code), name),
        )
        for code, name in SHAOGUAN_COUNTIES.items()
    }


def _ask(
    client: httpx.Client | None,
    service: str,
    path: str,
    params: Mapping[str, Any],
    keyring: Keyring,
    parse: Callable[[Any], T],
) -> T | _Unknown:
    """The service's answer, read, or why it is unknown. Asked as hukou: a public security
    token signed with hukou's own key, holding the service's read scope only."""
    if client is None:
        return _Unknown(
            f"hukou is not configured to ask {service} (LUOHU_HUKOU_{service.upper()}_URL)"
        )
    scope = f"{service}:read"
    token = sign_token(keyring.signing_key("hukou"), scopes=[scope], lifetime=60)
    try:
        answer = client.get(path, params=dict(params), headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        return parse(answer.json())
    except httpx.HTTPStatusError as exc:
        reason = f"{service} answered {exc.response.status_code}"
    except httpx.HTTPError as exc:
        reason = f"{service} did not answer ({type(exc).__name__})"
    except ValueError:  # not JSON, or not the shape its route documents
        reason = f"{service}'s answer was not understood"
    log.warning("a supply figure could not be read: %s", reason)
    return _Unknown(reason)


def _known(value: int, reason: str) -> target_schemas.SupplyFigureOut:
    return target_schemas.SupplyFigureOut(status="known", value=value, reason=reason)


def _unknown(reason: str) -> target_schemas.SupplyFigureOut:
    return target_schemas.SupplyFigureOut(status="unknown", value=None, reason=f"unknown: {reason}")


def _housing_figures(
    answer: object, county: _CountyWaiting | None, name: str
) -> dict[str, target_schemas.SupplyFigureOut]:
    if isinstance(answer, _Unknown) or county is None:
        reason = answer.reason if isinstance(answer, _Unknown) else f"housing did not count {name}"
        return dict.fromkeys(
            ("housing_waiting_households", "housing_waiting_persons"), _unknown(reason)
        )
    return {
        "housing_waiting_households": _known(
            county.households,
            f"households found eligible and waiting for public rental housing in {name}, as "
            "housing counts its waiting list (三(五))",
        ),
        "housing_waiting_persons": _known(county.persons, "the members of those households"),
    }


def _school_figures(
    answer: object, plan: _CountyPlan | None, name: str
) -> dict[str, target_schemas.SupplyFigureOut]:
    if isinstance(answer, _Unknown) or plan is None or plan.compulsory is None:
        if isinstance(answer, _Unknown):
            reason = answer.reason
        elif plan is None:
            reason = f"education did not plan {name}"
        else:
            reason = f"education cannot count {name}'s places: it needs " + ", ".join(
                plan.information_needed
            )
        return dict.fromkeys(
            ("compulsory_school_places", "compulsory_school_places_next_year"), _unknown(reason)
        )
    places = "primary and junior middle school places settled families need in"
    return {
        "compulsory_school_places": _known(
            plan.compulsory.this_year,
            f"{places} {name} in school year {plan.school_year}, as education plans (三(八))",
        ),
        "compulsory_school_places_next_year": _known(
            plan.compulsory.next_year, f"{places} {name} in school year {plan.next_school_year}"
        ),
    }
