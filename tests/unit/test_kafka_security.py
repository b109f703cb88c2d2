"""Kafka transport security: the settings, and every client the platform builds carrying them.

No test here connects: kafka-python's client classes are replaced by recorders that keep the
keyword arguments each would have been built with.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any, ClassVar

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient
from pydantic import ValidationError

from shared.events import kafka as kafka_engine
from shared.events import topics as kafka_topics
from shared.events.engines import open_bus
from shared.events.kafka import KafkaBus, KafkaGroupMember
from shared.events.kafka_security import KafkaSecurity, KafkaSecurityError
from shared.settings import Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_luohu_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test passes counts, whatever the shell running the tests exports."""
    for name in list(os.environ):
        if name.startswith("LUOHU_"):
            monkeypatch.delenv(name)


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def production(**values: Any) -> Settings:
    return settings(environment="production", bus="kafka", **values)


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text("s3cret-from-the-secret\n", encoding="utf-8")  # as a Secret key is mounted
    return path


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "ca.crt"
    path.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    return path


@pytest.fixture
def sasl_ssl(password_file: Path, ca_file: Path) -> dict[str, Any]:
    """A bureau's settings on a Strimzi cluster: SCRAM over TLS, password and CA mounted."""
    return {
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_username": "luohu-housing",
        "kafka_sasl_password_file": password_file,
        "kafka_ssl_ca_file": ca_file,
    }


def expected_client_config(ca_file: Path) -> dict[str, Any]:
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "luohu-housing",
        "sasl_plain_password": "s3cret-from-the-secret",
        "ssl_cafile": str(ca_file),
        "ssl_check_hostname": True,
        "ssl_certfile": None,
        "ssl_keyfile": None,
    }


# ---- The settings ----------------------------------------------------------------------------


class TestProductionRefusesPlaintext:
    def test_production_on_kafka_refuses_plaintext(self) -> None:
        with pytest.raises(ValidationError, match="PLAINTEXT is refused in production"):
            production()

    def test_production_on_kafka_starts_with_sasl_ssl(self, sasl_ssl: dict[str, Any]) -> None:
        assert production(**sasl_ssl).kafka_security().protocol == "SASL_SSL"

    def test_production_refuses_tls_without_a_client_identity(self, ca_file: Path) -> None:
        with pytest.raises(ValidationError, match="could not tell which bureau"):
            production(kafka_security_protocol="SSL", kafka_ssl_ca_file=ca_file)

    def test_production_accepts_mutual_tls(self, tmp_path: Path, ca_file: Path) -> None:
        cert, key = tmp_path / "user.crt", tmp_path / "user.key"
        cert.write_text("cert", encoding="utf-8")
        key.write_text("key", encoding="utf-8")
        config = (
            production(
                kafka_security_protocol="SSL",
                kafka_ssl_ca_file=ca_file,
                kafka_ssl_cert_file=cert,
                kafka_ssl_key_file=key,
            )
            .kafka_security()
            .client_config()
        )
        assert config["security_protocol"] == "SSL"
        assert (config["ssl_certfile"], config["ssl_keyfile"]) == (str(cert), str(key))
        assert "sasl_mechanism" not in config

    def test_production_refuses_skipping_the_hostname_check(self, sasl_ssl: dict[str, Any]) -> None:
        with pytest.raises(ValidationError, match="CHECK_HOSTNAME=false is refused"):
            production(**sasl_ssl, kafka_ssl_check_hostname=False)

    def test_the_embedded_bus_and_the_test_broker_keep_plaintext(self) -> None:
        production_embedded = settings(environment="production")
        assert production_embedded.kafka_security().client_config() == {
            "security_protocol": "PLAINTEXT"
        }
        assert settings(bus="kafka").kafka_security_protocol == "PLAINTEXT"

    def test_the_environment_variables_are_the_settings(
        self, monkeypatch: pytest.MonkeyPatch, password_file: Path
    ) -> None:
        for name, value in {
            "LUOHU_ENVIRONMENT": "production",
            "LUOHU_BUS": "kafka",
            "LUOHU_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "LUOHU_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
            "LUOHU_KAFKA_SASL_USERNAME": "luohu-pension",
            "LUOHU_KAFKA_SASL_PASSWORD_FILE": str(password_file),
        }.items():
            monkeypatch.setenv(name, value)
        config = settings().kafka_security().client_config()
        assert config["sasl_mechanism"] == "SCRAM-SHA-256"
        assert config["sasl_plain_username"] == "luohu-pension"
        assert config["sasl_plain_password"] == "s3cret-from-the-secret"
        assert config["ssl_cafile"] is None  # the system's trust store


class TestPassword:
    def test_the_password_file_is_read_without_its_newline(
        self, sasl_ssl: dict[str, Any], ca_file: Path
    ) -> None:
        assert production(**sasl_ssl).kafka_security().client_config() == (
            expected_client_config(ca_file)
        )

    def test_a_rotated_password_file_is_read_again(
        self, sasl_ssl: dict[str, Any], password_file: Path
    ) -> None:
        security = production(**sasl_ssl).kafka_security()
        password_file.write_text("rotated\n", encoding="utf-8")
        assert security.client_config()["sasl_plain_password"] == "rotated"

    def test_a_missing_password_file_stops_the_start_naming_the_setting(
        self, sasl_ssl: dict[str, Any], tmp_path: Path
    ) -> None:
        loaded = production(**{**sasl_ssl, "kafka_sasl_password_file": tmp_path / "absent"})
        with pytest.raises(KafkaSecurityError, match="LUOHU_KAFKA_SASL_PASSWORD_FILE: cannot"):
            loaded.kafka_security()
        with pytest.raises(KafkaSecurityError, match="LUOHU_KAFKA_SASL_PASSWORD_FILE"):
            open_bus(loaded)

    def test_an_empty_password_file_is_refused(
        self, sasl_ssl: dict[str, Any], password_file: Path
    ) -> None:
        password_file.write_text("\n", encoding="utf-8")
        with pytest.raises(KafkaSecurityError, match="is empty"):
            production(**sasl_ssl).kafka_security()

    def test_a_missing_ca_file_stops_the_start_naming_the_setting(
        self, sasl_ssl: dict[str, Any], tmp_path: Path
    ) -> None:
        loaded = production(**{**sasl_ssl, "kafka_ssl_ca_file": tmp_path / "absent.crt"})
        with pytest.raises(KafkaSecurityError, match="LUOHU_KAFKA_SSL_CA_FILE"):
            loaded.kafka_security()

    def test_a_literal_password_works_and_is_never_shown(self, ca_file: Path) -> None:
        loaded = settings(
            bus="kafka",
            kafka_security_protocol="SASL_SSL",
            kafka_sasl_username="luohu-education",
            kafka_sasl_password="literal-s3cret",
            kafka_ssl_ca_file=ca_file,
        )
        security = loaded.kafka_security()
        assert security.client_config()["sasl_plain_password"] == "literal-s3cret"
        assert "literal-s3cret" not in repr(loaded)
        assert "literal-s3cret" not in repr(security)

    def test_sasl_needs_a_username_and_exactly_one_password(self, sasl_ssl: dict[str, Any]) -> None:
        with pytest.raises(ValidationError, match="needs LUOHU_KAFKA_SASL_USERNAME"):
            settings(**{**sasl_ssl, "kafka_sasl_username": None})
        with pytest.raises(ValidationError, match="exactly one of"):
            settings(**{**sasl_ssl, "kafka_sasl_password_file": None})
        with pytest.raises(ValidationError, match="exactly one of"):
            settings(**sasl_ssl, kafka_sasl_password="both")


class TestSettingsThatWouldBeIgnored:
    def test_credentials_beside_plaintext_are_refused(self, password_file: Path) -> None:
        with pytest.raises(ValidationError, match=r"LUOHU_KAFKA_SASL_USERNAME.*is PLAINTEXT"):
            settings(kafka_sasl_username="luohu-housing")
        with pytest.raises(ValidationError, match="LUOHU_KAFKA_SSL_CA_FILE set"):
            settings(kafka_ssl_ca_file=password_file)

    def test_sasl_credentials_beside_tls_alone_are_refused(self, password_file: Path) -> None:
        with pytest.raises(ValidationError, match=r"LUOHU_KAFKA_SASL_PASSWORD_FILE set.*is SSL"):
            settings(kafka_security_protocol="SSL", kafka_sasl_password_file=password_file)

    def test_a_key_without_its_certificate_is_refused(self, password_file: Path) -> None:
        with pytest.raises(ValidationError, match="KEY_FILE is set without"):
            settings(kafka_security_protocol="SSL", kafka_ssl_key_file=password_file)


# ---- Every client gets them ------------------------------------------------------------------


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


@pytest.fixture
def recorders(monkeypatch: pytest.MonkeyPatch) -> dict[str, Recorder]:
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
    recorders: dict[str, Recorder], sasl_ssl: dict[str, Any], ca_file: Path
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
    recorders: dict[str, Recorder],
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


def test_plaintext_security_gives_no_tls_or_sasl_setting() -> None:
    assert KafkaSecurity().client_config() == {"security_protocol": "PLAINTEXT"}


# ---- `luohu topics grant`: compose's broker gets the users Strimzi would make ----------------


class FakeAdmin:
    """Keeps what `grant` asks of the broker."""

    built: ClassVar[list[FakeAdmin]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.credentials: list[Any] = []
        self.acls: list[Any] = []
        FakeAdmin.built.append(self)

    def alter_user_scram_credentials(self, alterations: list[Any]) -> dict[str, None]:
        self.credentials += alterations
        return {alteration.user: None for alteration in alterations}

    def create_acls(self, acls: list[Any]) -> dict[str, list[Any]]:
        self.acls += acls
        return {"succeeded": acls, "failed": []}

    def close(self) -> None:
        pass


@pytest.fixture
def fake_admin(monkeypatch: pytest.MonkeyPatch) -> type[FakeAdmin]:
    import kafka.admin

    FakeAdmin.built = []
    monkeypatch.setattr(kafka.admin, "KafkaAdminClient", FakeAdmin)
    return FakeAdmin


def grant_passwords(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from shared.events.kafka_access import password_variable, platform_users

    passwords = {u.name: f"pw-{u.name}" for u in platform_users()}
    for user in platform_users():
        monkeypatch.setenv(password_variable(user), passwords[user.name])
    return passwords


def test_grant_gives_every_user_its_password_and_exactly_its_acls(
    fake_admin: type[FakeAdmin], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kafka.admin import ACLPermissionType, ACLResourcePatternType, ScramMechanism
    from typer.testing import CliRunner

    from shared.cli import app
    from shared.events.kafka_access import kafka_user_manifest, platform_users

    passwords = grant_passwords(monkeypatch)
    result = CliRunner().invoke(app, ["topics", "grant"])
    assert result.exit_code == 0, result.output
    (admin,) = fake_admin.built
    assert admin.kwargs["bootstrap_servers"] == "127.0.0.1:9094"
    assert admin.kwargs["security_protocol"] == "PLAINTEXT"  # the loopback admin listener

    assert {c.user for c in admin.credentials} == set(passwords)
    assert {c.mechanism for c in admin.credentials} == {ScramMechanism.SCRAM_SHA_512}
    granted = set()
    for acl in admin.acls:
        assert acl.permission_type == ACLPermissionType.ALLOW
        assert acl.resource_pattern.pattern_type == ACLResourcePatternType.LITERAL
        granted.add(
            (
                acl.principal,
                acl.resource_pattern.resource_type.name.lower(),
                acl.resource_pattern.resource_name,
                acl.operation.name,
            )
        )
    expected = {
        (
            f"User:{doc['metadata']['name']}",
            rule["resource"]["type"],
            rule["resource"]["name"],
            op.upper(),
        )
        for doc in map(kafka_user_manifest, platform_users())
        for rule in doc["spec"]["authorization"]["acls"]
        for op in rule["operations"]
    }
    assert granted == expected
    assert len(admin.acls) == len(expected), "each ACL once"


def test_grant_refuses_a_listener_off_the_loopback(
    fake_admin: type[FakeAdmin], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from shared.cli import app

    grant_passwords(monkeypatch)
    result = CliRunner().invoke(app, ["topics", "grant", "--admin-listener", "kafka:9094"])
    assert result.exit_code != 0
    assert "loopback" in result.output
    assert fake_admin.built == []


def test_grant_names_the_passwords_missing(
    fake_admin: type[FakeAdmin], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from shared.cli import app

    grant_passwords(monkeypatch)
    monkeypatch.delenv("PENSION_KAFKA_PASSWORD")
    result = CliRunner().invoke(app, ["topics", "grant"])
    assert result.exit_code != 0
    assert "PENSION_KAFKA_PASSWORD" in result.output
    assert fake_admin.built == []


def test_a_topic_the_acls_hide_is_reported_as_not_allowed_not_as_missing() -> None:
    from kafka.errors import TopicAuthorizationFailedError

    from shared.events.bus import BusUnavailable

    class HidingAdmin:
        def list_topics(self) -> list[str]:
            return []  # the broker lists only the topics the user may describe

        def create_topics(self, topics: list[Any]) -> None:
            raise TopicAuthorizationFailedError("education.settlement.processed")

    bus = KafkaBus("127.0.0.1:9092")
    bus._admin = HidingAdmin()  # type: ignore[assignment]
    with pytest.raises(BusUnavailable, match=r"may not use .*education\.settlement\.processed"):
        bus.ensure_topics(["education.settlement.processed"])
