"""Every Kafka client the platform builds carries the security settings: the bus's, the
consumers', the topic creation's, and no client built anywhere in the code without them.

No test here connects: kafka-python's client classes are replaced by recorders that keep the
keyword arguments each would have been built with."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient

from shared.events import kafka as kafka_engine
from shared.events import topics as kafka_topics
from shared.events.engines import open_bus
from shared.events.kafka import KafkaBus, KafkaGroupMember
from tests.unit.kafka_security_support import KafkaSecurityTests, expected_client_config, production

REPO = Path(__file__).resolve().parents[2]


class Recorder:
    """Stands in for a kafka-python client class: keeps the keyword arguments, connects nowhere."""

    def __init__(self, real: type) -> None:
        self.real = real
        self.built: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> Recorder.Client:
        unknown = set(kwargs) - set(self.real.DEFAULT_CONFIG)
        assert not unknown, f"{self.real.__name__} has no setting {unknown}"
        self.built.append(kwargs)
        return Recorder.Client()

    class Client:
        def partitions_for_topic(self, topic: str) -> set[int]:
            return {0}

        def list_topics(self) -> list[str]:
            return ["hukou.settlement.approved", "deadletter.hukou"]

        def subscribe(self, topics: list[str]) -> None:
            pass

        def close(self, **kwargs: Any) -> None:
            pass


class TestEveryClient(KafkaSecurityTests):
    """Each client the platform builds, as the recorders saw it built."""

    @pytest.fixture
    def recorders(self, monkeypatch: pytest.MonkeyPatch) -> dict[str, Recorder]:
        made = {
            "producer": Recorder(KafkaProducer),
            "consumer": Recorder(KafkaConsumer),
            "admin": Recorder(KafkaAdminClient),
            "topics admin": Recorder(KafkaAdminClient),
        }
        monkeypatch.setattr(kafka_engine, "KafkaProducer", made["producer"])
        monkeypatch.setattr(kafka_engine, "KafkaConsumer", made["consumer"])
        monkeypatch.setattr(kafka_engine, "KafkaAdminClient", made["admin"])
        monkeypatch.setattr(kafka_topics, "KafkaAdminClient", made["topics admin"])
        return made

    def test_every_client_the_platform_builds_gets_the_security_settings(
        self, recorders: dict[str, Recorder], sasl_ssl: dict[str, Any], ca_file: Path
    ) -> None:
        loaded = production(**sasl_ssl)
        bus = open_bus(loaded)
        assert isinstance(bus, KafkaBus)
        bus._get_producer()
        bus._get_admin()
        KafkaGroupMember(bus, group="hukou", topics=["hukou.settlement.approved"])
        kafka_topics.create_topics(
            loaded.kafka_bootstrap_servers,
            {"hukou.settlement.approved": -1, "deadletter.hukou": -1},
            partitions=1,
            replication_factor=1,
            min_insync_replicas=1,
            security=loaded.kafka_security(),
        )
        expected = expected_client_config(ca_file)
        for client, recorder in recorders.items():
            (kwargs,) = recorder.built
            assert {key: kwargs.get(key) for key in expected} == expected, client

    def test_without_settings_a_bus_is_plaintext_for_the_test_broker(
        self, recorders: dict[str, Recorder]
    ) -> None:
        bus = KafkaBus("127.0.0.1:9092")
        bus._get_producer()
        (kwargs,) = recorders["producer"].built
        assert kwargs["security_protocol"] == "PLAINTEXT"
        assert "sasl_plain_password" not in kwargs


CLIENT_CLASSES = {"KafkaProducer", "KafkaConsumer", "KafkaAdminClient"}


def _calls(name: str, *, methods: bool = True) -> list[tuple[Path, ast.Call]]:
    """Every call of `name` in the product's code: as a bare name, or also as an attribute."""
    found = []
    for folder in ("shared", "services", "bench"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    func = node.func
                    if isinstance(func, ast.Name):
                        called = func.id
                    else:
                        called = getattr(func, "attr", "") if methods else ""
                    if called == name:
                        found.append((path, node))
    return found


@pytest.mark.parametrize("client", sorted(CLIENT_CLASSES))
def test_no_client_is_built_anywhere_without_the_security_settings(client: str) -> None:
    """A client built elsewhere (a new command, a tool) must spread `client_config()` too."""
    calls = _calls(client)
    assert calls, f"no {client}(...) found: the search is broken"
    for path, call in calls:
        spread = [kw.value for kw in call.keywords if kw.arg is None]
        assert any("client_config" in ast.unparse(value) for value in spread), (
            f"{path.relative_to(REPO)}:{call.lineno}: {client}(...) without **...client_config()"
        )


@pytest.mark.parametrize("builder", ["KafkaBus", "create_topics"])
def test_every_bus_and_topic_creation_is_given_the_settings_security(builder: str) -> None:
    calls = _calls(builder, methods=False)  # not the admin client's own create_topics
    assert calls, f"no {builder}(...) found: the search is broken"
    for path, call in calls:
        assert "security" in {kw.arg for kw in call.keywords}, (
            f"{path.relative_to(REPO)}:{call.lineno}: {builder}(...) without security="
        )
