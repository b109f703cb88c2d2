"""The compose file and its environment, and no secret written anywhere in deploy/."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from shared.cli import app as cli_app
from shared.keys import TrustBundle
from shared.registry import SERVICE_PORTS
from shared.settings import Settings
from tests.deploy.support import (
    BUREAUS,
    DEPLOY,
    K8S,
    REPO,
    SERVICES,
    Document,
    k8s_name,
    render,
    tool,
    walk,
)

# ---- Compose ---------------------------------------------------------------------------------


COMPOSE = DEPLOY / "compose.yaml"


@cache
def compose() -> Document:
    loaded: Document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def test_compose_file_validates_against_the_compose_specification() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_compose_runs_each_service_after_its_migration(service: str) -> None:
    services = compose()["services"]
    name, port = k8s_name(service), SERVICE_PORTS[service]
    runner, migrate = services[name], services[f"migrate-{name}"]

    assert migrate["command"] == ["luohu", "migrate", service]
    assert migrate["restart"] == "no"
    for container in (runner, migrate):
        assert container["build"]["args"] == {"SERVICE": service}
        assert container["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (COMPOSE.parent / container["build"]["context"]).resolve() == REPO
        assert container["image"].startswith(f"luohu/{name}:")
        assert container["read_only"] is True
        environment = container["environment"]
        assert environment["LUOHU_RUN_MIGRATIONS_ON_START"] == "false"
        assert environment["LUOHU_DATABASE_URL"].endswith(f"@postgres:5432/{service}")

    assert runner["depends_on"] == {
        f"migrate-{name}": {"condition": "service_completed_successfully"},
        "kafka-topics": {"condition": "service_completed_successfully"},
        "kafka": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }
    assert [p.rsplit(":", 2)[-2:] for p in runner["ports"]] == [[str(port), str(port)]]
    assert "/readyz" in " ".join(runner["healthcheck"]["test"])


def test_compose_engines_are_the_official_images_with_healthchecks() -> None:
    services = compose()["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["postgres"]["image"].startswith("postgres:")
    init = "./postgres/init.sh:/docker-entrypoint-initdb.d/10-luohu.sh:ro"
    assert init in services["postgres"]["volumes"]
    for engine in ("kafka", "postgres"):
        assert services[engine]["healthcheck"]["test"]
        assert ":latest" not in services[engine]["image"]
        assert ":" in services[engine]["image"]


def test_postgres_init_creates_one_database_and_role_per_service() -> None:
    script = (DEPLOY / "postgres" / "init.sh").read_text(encoding="utf-8")
    postgres_environment = compose()["services"]["postgres"]["environment"]
    assert postgres_environment["LUOHU_DATABASES"].split() == SERVICES
    for service in SERVICES:
        variable = f"{service.upper()}_DB_PASSWORD"
        assert postgres_environment[variable].startswith(f"${{{variable}:?")
    assert "CREATE ROLE :\"service\" LOGIN PASSWORD :'password';" in script
    assert 'CREATE DATABASE :"service" OWNER :"service";' in script
    assert "PASSWORD '" not in script, "no password literal"


def test_compose_topic_init_creates_every_topic_of_the_registry() -> None:
    topics_init = compose()["services"]["kafka-topics"]
    assert topics_init["restart"] == "no"
    assert topics_init["image"] == compose()["services"]["hukou"]["image"]
    assert topics_init["command"][:3] == ["luohu", "topics", "create"]
    assert topics_init["environment"]["LUOHU_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_compose_environment_names_only_real_settings() -> None:
    known = {f"LUOHU_{field.upper()}" for field in Settings.model_fields}
    for name in SERVICES:
        environment = compose()["services"][k8s_name(name)]["environment"]
        assert not set(environment) - known


# ---- Secrets ---------------------------------------------------------------------------------


def deploy_text_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file() and p.suffix != ".xml")


def test_no_secret_is_inlined_anywhere() -> None:
    for path in deploy_text_files():
        text = path.read_text(encoding="utf-8")
        assert "PRIVATE KEY-----" not in text, f"{path} holds a private key"
        assert "JWT_SECRET" not in text, f"{path} names the retired shared secret"
        if path.suffix in {".yaml", ".yml"}:
            for doc in yaml.safe_load_all(text):
                for node in walk(doc):
                    if isinstance(node, dict) and node.get("kind") == "Secret":
                        pytest.fail(f"{path} defines a Secret: secrets are never in the repo")
                    if isinstance(node, dict) and node.get("name") == "LUOHU_DATABASE_URL":
                        assert "value" not in node, f"{path}: {node['name']} inlined"

    for directory in [*(K8S / "overlays" / b for b in BUREAUS), K8S / "kafka"]:
        assert not [d for d in render(directory) if d["kind"] == "Secret"]

    for name, service in compose()["services"].items():
        environment = service.get("environment", {})
        url = environment.get("LUOHU_DATABASE_URL")
        if url is not None:
            assert re.fullmatch(r"postgresql\+psycopg://\w+:\$\{\w+_DB_PASSWORD:\?[^}]*\}@.*", url)
        for variable, value in environment.items():
            if re.search(r"PASSWORD|SECRET", str(variable)):
                assert str(value).startswith("${"), f"{name}: {variable} is inlined"


def compose_env(*options: str) -> dict[str, str]:
    printed = CliRunner().invoke(cli_app, ["compose-env", *options])
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def env_file_value(raw: str) -> str:
    """A value as Compose reads it from the env file: double quotes expand `\\n`, single
    quotes keep everything as it is."""
    if raw[:1] == raw[-1:] == '"':
        return raw[1:-1].replace("\\n", "\n")
    if raw[:1] == raw[-1:] == "'":
        return raw[1:-1]
    return raw


SIGNING_KEYS = {f"{s.upper()}_SIGNING_KEY": s for s in SERVICES}


def test_the_compose_environment_holds_placeholders_unless_asked_to_fill_them() -> None:
    settings = compose_env()
    secrets = {k: v for k, v in settings.items() if re.search(r"PASSWORD|SECRET|KEY", k)}
    assert "LUOHU_TRUST_BUNDLE" in settings
    assert {f"{s.upper()}_DB_PASSWORD" for s in SERVICES} <= set(secrets)
    assert set(SIGNING_KEYS) <= set(secrets)
    assert set(secrets.values()) | {settings["LUOHU_TRUST_BUNDLE"]} == {""}, "no secret filled"
    filled_env = compose_env("--fill")
    filled = {k: v for k, v in filled_env.items() if k in secrets and k not in SIGNING_KEYS}
    assert all(len(value) >= 40 for value in filled.values()), "32 random bytes each"
    assert len(set(filled.values())) == len(filled), "no two secrets alike"
    lines = COMPOSE.read_text(encoding="utf-8").splitlines()
    uncommented = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    required = set(re.findall(r"\$\{(\w+):\?", uncommented))
    required |= {source["environment"] for source in compose()["secrets"].values()}
    required |= {source["environment"] for source in compose()["configs"].values()}
    assert required <= set(settings), "every variable compose requires is in the template"


def test_the_filled_environment_gives_each_service_its_own_key_and_trusts_them_all() -> None:
    filled = compose_env("--fill")
    bundle = TrustBundle.from_json(env_file_value(filled["LUOHU_TRUST_BUNDLE"]))
    seen: set[bytes] = set()
    for variable, service in SIGNING_KEYS.items():
        pem = env_file_value(filled[variable]).encode()
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, Ed25519PrivateKey)
        entry = bundle.holding(key)
        assert entry is not None and entry.service == service, variable
        seen.add(pem)
    assert len(seen) == len(SERVICES), "no two services share a key"
    assert "PRIVATE" not in env_file_value(filled["LUOHU_TRUST_BUNDLE"])


def test_compose_env_keeps_its_keys_where_asked(tmp_path: Path) -> None:
    """With --keys-dir the set stays there (the calling departments' keys too, for
    `luohu token`), and printing again gives the same keys."""
    first = compose_env("--fill", "--keys-dir", str(tmp_path))
    again = compose_env("--fill", "--keys-dir", str(tmp_path))

    assert first["HOUSING_SIGNING_KEY"] == again["HOUSING_SIGNING_KEY"]
    assert first["LUOHU_TRUST_BUNDLE"] == again["LUOHU_TRUST_BUNDLE"]
    assert (tmp_path / "audit.key.pem").exists()


@pytest.mark.parametrize("service", SERVICES)
def test_each_compose_service_gets_its_own_key_only_and_the_bundle(service: str) -> None:
    services = compose()["services"]
    runner, migrate = services[k8s_name(service)], services[f"migrate-{k8s_name(service)}"]
    (secret,) = runner["secrets"]
    assert secret["source"] == f"{k8s_name(service)}-signing-key"
    assert compose()["secrets"][secret["source"]] == {
        "environment": f"{service.upper()}_SIGNING_KEY"
    }
    assert f"/run/secrets/{secret['target']}" == runner["environment"]["LUOHU_SIGNING_KEY_FILE"]
    assert (secret["uid"], secret["gid"]) == ("10001", "10001"), "the image's user reads it"
    assert secret["mode"] in (0o400, "0o400"), "its owner alone"
    (config,) = runner["configs"]
    assert config["source"] == "trust-bundle"
    assert config["target"] == runner["environment"]["LUOHU_TRUST_BUNDLE_FILE"]
    assert "secrets" not in migrate, "a migration signs nothing"
