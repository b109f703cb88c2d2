"""Every service fuzzed from its own OpenAPI document (schemathesis): no request, however odd,
makes a server error, and every answer is one the document declares, in the shape it declares.

Each service runs in-process with its own department's token and every scope that department
holds, so the fuzzer reaches the routes' validation and operations, not only the 401. Without the
token, or with a forged one, every /v1 route must answer 401 (schemathesis tries both)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Err

from shared import registry
from shared.auth import issue_token
from shared.launcher import built_services
from tests.support import quick_settings

EXAMPLES_PER_OPERATION = 50

# The document states each field's shape; the validators judge more than a schema can say
# (an identity number's check digit, a date against Shaoguan's calendar, a county of the city),
# so a request that fits the schema may still be a 422, which every route declares.
NOT_CHECKED = [schemathesis.checks.positive_data_acceptance]


@pytest.mark.parametrize("service", built_services())
def test_every_answer_is_declared_and_none_is_a_server_error(
    service: str, tmp_path: Path, key_folder: Path
) -> None:
    platform = quick_settings(tmp_path / "var", workers=False, keys=key_folder)
    app = importlib.import_module(f"services.{service}.app").build(platform)
    entry = registry.SERVICES_BY_NAME[service]
    bearer = issue_token(platform, dept=entry.department, scopes=entry.scopes)
    token = {"Authorization": f"Bearer {bearer}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the app's lifespan
    failures: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # an operation the document cannot describe
            failures.append(f"invalid schema: {result.err()}")
            continue
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def exercise(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=token, excluded_checks=NOT_CHECKED)

        try:
            exercise()
        except Exception as failure:  # each operation's findings are reported together
            failures.append(f"{operation.label}: {failure}")
    assert failures == [], "\n\n".join(failures)
