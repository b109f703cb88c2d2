"""Services in-process (TestClient runs their lifespan: migrations, relay, consumer): hukou's
for its own tests, every service once for a module's, and hukou's application body."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from services.hukou.app import build
from shared.registry import SERVICES_BY_NAME
from shared.service import ServiceSpec
from shared.settings import Settings
from tests.conftest import TokenFactory
from tests.support import MEIZHOU, WUJIANG, Headers, person_id, quick_settings, token


@pytest.fixture
def hukou(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build(settings)) as client:
        yield client


@pytest.fixture
def office(settings: Settings) -> Iterator[TestClient]:
    """The coordination office without its consumer thread: a test delivers the events
    itself (`tests.api.coordination_support.deliver`)."""
    quiet = settings.model_copy(update={"start_workers": False})
    with TestClient(spec_of("coordination").build(quiet)) as client:
        yield client


def spec_of(name: str) -> ServiceSpec:
    spec: ServiceSpec = importlib.import_module(f"services.{name}.app").SPEC
    return spec


def _path_value(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    if parameter["name"] == "year":
        return "2019"
    if schema.get("type") == "integer":
        return "0"
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if parameter["name"] == "region_code":
        return WUJIANG
    return "x"


def operations(name: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation of the service's API: method, a path with its parameters filled in, and
    the operation's OpenAPI entry."""
    document = importlib.import_module(f"services.{name}.app").app.openapi()
    routes = []
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            path = template
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    path = path.replace(f"{{{parameter['name']}}}", _path_value(parameter))
            routes.append((method.upper(), path, operation))
    return routes


class Services:
    """Every service in-process, without workers, each started once for the module."""

    def __init__(self, stack: ExitStack, folder: Path) -> None:
        self._stack = stack
        self._folder = folder
        self._clients: dict[str, TestClient] = {}
        self.settings: dict[str, Settings] = {}

    def __call__(self, name: str) -> TestClient:
        if name not in self._clients:
            settings = quick_settings(self._folder / name, workers=False)
            client = TestClient(spec_of(name).build(settings), raise_server_exceptions=False)
            self._clients[name] = self._stack.enter_context(client)
            self.settings[name] = settings
        return self._clients[name]

    def token(self, name: str) -> Headers:
        """A token of the service's own department, with every scope it holds."""
        self(name)
        return token(self.settings[name], SERVICES_BY_NAME[name].department)

    def token_for(self, name: str, path: str) -> Headers:
        """A token that may call `path` of the service: the audit department's for its audit
        log (`audit:read` is the audit department's alone, 四(四)), else its own department's."""
        if path.startswith("/v1/audit"):
            self(name)
            return token(self.settings[name], "audit")
        return self.token(name)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with ExitStack() as stack:
        yield Services(stack, tmp_path_factory.mktemp("services"))


class DepartmentApiTests:
    """The fixtures a department's API test classes share by inheriting them; `SERVICE` names
    the department's service (and its clerk's department)."""

    SERVICE: ClassVar[str]

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        """No consumer or relay threads by default: the tests decide through the handler."""
        return settings.model_copy(update={"start_workers": False})

    @pytest.fixture
    def fresh(self, settings: Settings) -> Iterator[TestClient]:
        """A service of its own, for tests that count every waiting settlement."""
        with TestClient(spec_of(self.SERVICE).build(settings)) as client:
            yield client

    @pytest.fixture(scope="class")
    @classmethod
    def service(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
        """One service for the class's tests, which look only at their own settlements."""
        settings = quick_settings(tmp_path_factory.mktemp("shared"), workers=False)
        with TestClient(spec_of(cls.SERVICE).build(settings)) as client:
            yield client

    @pytest.fixture
    def clerk(self, auth: TokenFactory) -> Headers:
        """A token of the department's, with every scope it holds."""
        return auth(SERVICES_BY_NAME[self.SERVICE].department)


def application(**overrides: Any) -> dict[str, Any]:
    """A valid stable-residence application received while the 2017 measures were in force."""
    body: dict[str, Any] = {
        "applicant": {
            "id_number": person_id(date(1988, 5, 1)),
            "name": "张三",
            "hukou_region_code": MEIZHOU,
            "hukou_type": "rural",
        },
        "channel": "stable_residence",
        "destination_region_code": WUJIANG,
        "received_on": "2019-06-01",
        "received_on_reason": "a paper application, entered later",
        "residence": {"address": "武江区沿江路 1 号", "tenure": "rented", "since": "2018-01-01"},
        "social_insurance": {
            "pension_months": 14,
            "medical_months": 14,
            "insured_region_code": WUJIANG,
            "employer_paid": True,
        },
        "household": [
            {
                "id_number": person_id(date(1990, 2, 2), female=True),
                "name": "李四",
                "relation": "spouse",
            },
            {"id_number": person_id(date(2012, 3, 3)), "name": "张小", "relation": "child"},
        ],
        "rural_rights": {"land_contract": True, "homestead": True, "collective_income": True},
        "housing": {"monthly_household_income": 4200, "current_area_m2": 0},
    }
    body.update(overrides)
    return body
