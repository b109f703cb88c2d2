"""The whole platform as real processes, started the way `make run` starts it
(`tests.platform_support`), on the embedded engines or on the real ones `make test` runs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.platform_support import Platform, platform_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with platform_in(tmp_path / "var") as running:
        yield running


def start_on(platform: Platform, engine: str, name: str) -> None:
    """Start the platform on the embedded engines or on the real Kafka broker and PostgreSQL
    server that `make test` runs, with topics, groups and databases of its own (`name`)."""
    if engine == "kafka":
        from tests.contract.conftest import kafka_bootstrap, postgres_admin_url

        suffix = uuid.uuid4().hex[:8]
        platform.env["LUOHU_BUS"] = "kafka"
        platform.env["LUOHU_KAFKA_BOOTSTRAP_SERVERS"] = kafka_bootstrap()
        platform.env["LUOHU_KAFKA_NAMESPACE"] = f"{name}-{suffix}."
        server = postgres_admin_url().rsplit("/", 1)[0]
        platform.start("--postgres", f"{server}/{name}_{suffix}")
    else:
        platform.start()
