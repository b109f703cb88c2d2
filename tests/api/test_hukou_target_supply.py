"""The supply beside each county's settlement target (二.7 "由市公安局根据我市公共服务资源供给情况,
对非户籍人口在城市落户目标数实行动态管理"): housing's waiting list and education's school places,
asked by hukou as itself; a service that cannot say leaves its figures unknown, with the reason,
and the targets answer all the same."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from services.education.app import build as build_education
from services.housing.app import build as build_housing
from services.hukou.api import supply_sources
from services.hukou.supply import Sources
from shared.settings import Settings
from tests.api import education_support, housing_support
from tests.api.hukou_support import ZHENJIANG, HukouApiTests
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, ok

YEAR = 2019  # education's family settles in school year 2019-2020

Figures = dict[str, tuple[str, int | None]]


def supply_of(client: TestClient, headers: Headers, county: str = WUJIANG) -> dict[str, Any]:
    """GET /v1/settlement-targets/{YEAR}: the county's supply."""
    rows = ok(client.get(f"/v1/settlement-targets/{YEAR}", headers=headers))
    (row,) = [row for row in rows if row["region_code"] == county]
    supply: dict[str, Any] = row["supply"]
    assert supply["clause"] == "二.7"
    return supply


def figures(supply: dict[str, Any]) -> Figures:
    """Each figure's (status, value)."""
    return {
        name: (figure["status"], figure["value"])
        for name, figure in supply.items()
        if name != "clause"
    }


def answering(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    """A client of a service that answers every request with `handler`."""
    return httpx.Client(base_url="http://service", transport=httpx.MockTransport(handler))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SupplyTests(HukouApiTests):
    def ask(self, hukou: TestClient, housing: httpx.Client, education: httpx.Client) -> None:
        """Hukou asks these clients for the supply."""
        sources = Sources(housing=housing, education=education)
        hukou.app.dependency_overrides[supply_sources] = lambda: sources  # type: ignore[attr-defined]


class TestSupplyBesideTheTargets(SupplyTests):
    @pytest.fixture
    def housing(self, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
        """Housing, on a database of its own, with its limits: two families of three waiting
        in 武江区."""
        housing_support.configure(monkeypatch, housing_support.PARAMETERS)
        own = settings.model_copy(update={"data_dir": settings.data_dir / "housing"})
        with TestClient(build_housing(own)) as client:
            yield client

    @pytest.fixture
    def education(self, settings: Settings) -> Iterator[TestClient]:
        own = settings.model_copy(update={"data_dir": settings.data_dir / "education"})
        with TestClient(build_education(own)) as client:
            yield client

    def test_each_county_shows_the_waiting_list_and_the_school_places(
        self,
        hukou: TestClient,
        officer: Headers,
        housing: TestClient,
        education: TestClient,
        auth: TokenFactory,
    ) -> None:
        for _ in "ab":
            waiting = housing_support.owner(housing)
            housing_support.applied(housing, auth("housing"), waiting, "public_rental_housing")
        education_support.decide_directly(
            education, education_support.settlement(county=WUJIANG)
        )  # a child in primary school and one in junior middle school, in 2019-2020 and next
        self.ask(hukou, housing, education)

        supply = supply_of(hukou, officer)

        assert figures(supply) == {
            "housing_waiting_households": ("known", 2),
            "housing_waiting_persons": ("known", 6),
            "compulsory_school_places": ("known", 2),
            "compulsory_school_places_next_year": ("known", 2),
        }
        assert "school year 2019-2020" in supply["compulsory_school_places"]["reason"]
        assert "2020-2021" in supply["compulsory_school_places_next_year"]["reason"]
        assert "三(五)" in supply["housing_waiting_households"]["reason"]
        assert set(figures(supply_of(hukou, officer, ZHENJIANG)).values()) == {("known", 0)}

    def test_a_service_that_does_not_answer_is_unknown_and_a_target_is_set_all_the_same(
        self, hukou: TestClient, officer: Headers, education: TestClient
    ) -> None:
        gone = httpx.Client(base_url=f"http://127.0.0.1:{closed_port()}", timeout=2)
        self.ask(hukou, gone, education)

        put = hukou.put(
            f"/v1/settlement-targets/{YEAR}/{WUJIANG}",
            headers=officer,
            json={"target_persons": 40},
        )

        (row,) = [row for row in ok(put) if row["region_code"] == WUJIANG]
        assert row["target_persons"] == 40
        households = row["supply"]["housing_waiting_households"]
        assert (households["status"], households["value"]) == ("unknown", None)
        assert households["reason"] == "unknown: housing did not answer (ConnectError)"
        places = row["supply"]["compulsory_school_places"]
        assert (places["status"], places["value"]) == ("known", 0)  # education answered


class TestUnknownFigures(SupplyTests):
    def test_a_service_not_configured_is_unknown_and_says_what_to_set(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        supply = supply_of(hukou, officer)

        assert set(figures(supply).values()) == {("unknown", None)}
        assert "LUOHU_HUKOU_HOUSING_URL" in supply["housing_waiting_persons"]["reason"]
        assert "LUOHU_HUKOU_EDUCATION_URL" in supply["compulsory_school_places"]["reason"]

    def test_a_refusal_or_an_answer_not_understood_is_unknown_with_the_reason(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        refusing = answering(lambda _: httpx.Response(503))
        garbled = answering(lambda _: httpx.Response(200, json={"counties": "none"}))
        self.ask(hukou, garbled, refusing)

        supply = supply_of(hukou, officer)

        reasons = {name: figure["reason"] for name, figure in supply.items() if name != "clause"}
        assert reasons["housing_waiting_households"] == (
            "unknown: housing's answer was not understood"
        )
        assert reasons["compulsory_school_places"] == "unknown: education answered 503"

    def test_places_education_cannot_count_yet_say_what_it_needs(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        plan = {
            "region_code": WUJIANG,
            "school_year": "2019-2020",
            "next_school_year": "2020-2021",
            "compulsory": None,
            "information_needed": ["parameters.primary_entry_age"],
        }
        no_list = answering(lambda _: httpx.Response(200, json={"counties": []}))
        self.ask(hukou, no_list, answering(lambda _: httpx.Response(200, json=[plan])))

        supply = supply_of(hukou, officer)

        assert supply["compulsory_school_places"]["status"] == "unknown"
        assert supply["compulsory_school_places"]["reason"].endswith(
            "it needs parameters.primary_entry_age"
        )
        assert supply["housing_waiting_households"]["reason"] == (
            "unknown: housing did not count 武江区"
        )

    def test_hukou_asks_as_public_security_with_the_read_scope_only(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        asked: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            asked.append(request)
            return httpx.Response(200, json=[] if "planning" in request.url.path else {})

        self.ask(hukou, answering(record), answering(record))

        supply_of(hukou, officer)

        assert [(r.url.path, dict(r.url.params)) for r in asked] == [
            ("/v1/waiting-lists", {}),
            ("/v1/planning", {"year": str(YEAR)}),
        ]
        claims = [
            jwt.decode(
                r.headers["Authorization"].removeprefix("Bearer "),
                options={"verify_signature": False},
            )
            for r in asked
        ]
        assert [(c["dept"], c["sub"], c["scope"]) for c in claims] == [
            ("public_security", "hukou", "housing:read"),
            ("public_security", "hukou", "education:read"),
        ]
