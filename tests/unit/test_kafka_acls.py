"""`luohu topics grant` gives compose's broker the users and ACLs Strimzi would make, and a
topic the ACLs hide is reported as not allowed, not as missing."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from shared.events.kafka import KafkaBus
from tests.unit.kafka_security_support import KafkaSecurityTests


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


def grant_passwords(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from shared.events.kafka_access import password_variable, platform_users

    passwords = {u.name: f"pw-{u.name}" for u in platform_users()}
    for user in platform_users():
        monkeypatch.setenv(password_variable(user), passwords[user.name])
    return passwords


class TestGrant(KafkaSecurityTests):
    """`luohu topics grant` against a fake admin client."""

    @pytest.fixture
    def fake_admin(self, monkeypatch: pytest.MonkeyPatch) -> type[FakeAdmin]:
        import kafka.admin

        FakeAdmin.built = []
        monkeypatch.setattr(kafka.admin, "KafkaAdminClient", FakeAdmin)
        return FakeAdmin

    def test_grant_gives_every_user_its_password_and_exactly_its_acls(
        self, fake_admin: type[FakeAdmin], monkeypatch: pytest.MonkeyPatch
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
        self, fake_admin: type[FakeAdmin], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from typer.testing import CliRunner

        from shared.cli import app

        grant_passwords(monkeypatch)
        result = CliRunner().invoke(app, ["topics", "grant", "--admin-listener", "kafka:9094"])
        assert result.exit_code != 0
        assert "loopback" in result.output
        assert fake_admin.built == []

    def test_grant_names_the_passwords_missing(
        self, fake_admin: type[FakeAdmin], monkeypatch: pytest.MonkeyPatch
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
