"""The compose file and its environment, and no secret written anywhere in deploy/."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from shared.cli import app as cli_app
from shared.registry import SERVICE_PORTS
from shared.settings import DEVELOPMENT_SECRET, Settings
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
        assert DEVELOPMENT_SECRET not in text, f"{path} holds the development secret"
        if path.suffix in {".yaml", ".yml"}:
            for doc in yaml.safe_load_all(text):
                for node in walk(doc):
                    if isinstance(node, dict) and node.get("kind") == "Secret":
                        pytest.fail(f"{path} defines a Secret: secrets are never in the repo")
                    if isinstance(node, dict) and node.get("name") in {
                        "LUOHU_JWT_SECRET",
                        "LUOHU_DATABASE_URL",
                    }:
                        assert "value" not in node, f"{path}: {node['name']} inlined"

    for directory in [*(K8S / "overlays" / b for b in BUREAUS), K8S / "kafka"]:
        assert not [d for d in render(directory) if d["kind"] == "Secret"]

    for name, service in compose()["services"].items():
        environment = service.get("environment", {})
        secret = environment.get("LUOHU_JWT_SECRET")
        if secret is not None:
            assert re.fullmatch(r"\$\{LUOHU_JWT_SECRET:\?[^}]*\}", secret), name
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


def test_the_compose_environment_holds_placeholders_unless_asked_to_fill_them() -> None:
    settings = compose_env()
    secrets = {k: v for k, v in settings.items() if re.search(r"PASSWORD|SECRET", k)}
    assert "LUOHU_JWT_SECRET" in secrets
    assert {f"{s.upper()}_DB_PASSWORD" for s in SERVICES} <= set(secrets)
    assert set(secrets.values()) == {""}, "the template fills in no secret"
    filled = {k: v for k, v in compose_env("--fill").items() if k in secrets}
    assert all(len(value) >= 40 for value in filled.values()), "32 random bytes each"
    assert len(set(filled.values())) == len(filled), "no two secrets alike"
    lines = COMPOSE.read_text(encoding="utf-8").splitlines()
    uncommented = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    required = set(re.findall(r"\$\{(\w+):\?", uncommented))
    assert required <= set(settings), "every variable compose requires is in the template"
