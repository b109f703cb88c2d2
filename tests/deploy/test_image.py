"""The one Dockerfile: an image per service, non-root, serving its contract port."""

from __future__ import annotations

import re
import subprocess

import pytest
from typer.testing import CliRunner

from shared.cli import app as cli_app
from shared.registry import SERVICE_PORTS
from tests.deploy.support import DEPLOY, REPO, tool

# ---- The image -------------------------------------------------------------------------------


DOCKERFILE = DEPLOY / "Dockerfile"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            pairs.append((instruction.upper(), " ".join(arguments.split())))
    return pairs


def dockerfile_stage(name: str) -> list[tuple[str, str]]:
    """The instructions of stage `name`, from its FROM to the next FROM."""
    instructions = dockerfile_instructions()
    (start,) = [
        i
        for i, (instruction, arguments) in enumerate(instructions)
        if instruction == "FROM" and arguments.endswith(f" AS {name}")
    ]
    end = next(
        (i for i in range(start + 1, len(instructions)) if instructions[i][0] == "FROM"),
        len(instructions),
    )
    return instructions[start:end]


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--no-color", str(DOCKERFILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_dockerfile_builds_one_image_per_service_on_its_contract_port() -> None:
    instructions = dockerfile_instructions()
    froms = [arguments for instruction, arguments in instructions if instruction == "FROM"]
    assert instructions[0] == ("ARG", "SERVICE")
    assert froms[-1] == "python:3.11.13-slim-bookworm AS runtime", "the runtime is the image"
    bases = {f.split()[0] for f in froms}
    assert len(bases) == 1
    (base,) = bases
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base), f"pinned slim 3.11: {base}"
    copies = [arguments for instruction, arguments in instructions if instruction == "COPY"]
    assert "services/${SERVICE}/ services/${SERVICE}/" in copies
    assert not [c for c in copies if c.startswith("services/ ") or c.startswith(". ")], (
        "only the chosen service's package goes into the image"
    )
    runs = " ".join(arguments for instruction, arguments in instructions if instruction == "RUN")
    assert "SERVICE_PORTS['${SERVICE}']" in runs, "a service missing from the registry fails"
    for service in SERVICE_PORTS:
        assert (REPO / "services" / service / "app.py").exists()


def test_the_image_serves_its_service_as_a_fixed_non_root_user_and_never_migrates() -> None:
    runtime = dockerfile_stage("runtime")

    def arguments_of(wanted: str) -> list[str]:
        return [arguments for instruction, arguments in runtime if instruction == wanted]

    environment = " ".join(arguments_of("ENV"))
    assert "LUOHU_RUN_MIGRATIONS_ON_START=false" in environment
    assert "LUOHU_SERVICE=${SERVICE}" in environment
    assert "LUOHU_TIMEZONE=Asia/Shanghai" in environment
    (user,) = arguments_of("USER")
    uid, _, gid = user.partition(":")
    assert int(uid) >= 1000 and int(gid) >= 1000
    (healthcheck,) = arguments_of("HEALTHCHECK")
    assert healthcheck.endswith('CMD ["luohu", "probe", "/healthz"]')
    (command,) = arguments_of("CMD")
    assert command == '["luohu", "serve"]'
    assert arguments_of("COPY") == ["--from=builder /opt/venv /opt/venv"], "venv and code only"
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "--no-compile" not in text, "the gb2260 data's bytecode is kept"
    assert ".[dev]" not in text


def test_dockerignore_keeps_the_context_to_what_the_image_needs() -> None:
    beside = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    root = REPO / ".dockerignore"
    assert root.exists(), "place deploy/Dockerfile.dockerignore at the root as .dockerignore"
    assert root.read_text(encoding="utf-8") == beside
    rules = [line for line in beside.splitlines() if line and not line.startswith("#")]
    assert rules[0] == "*"
    assert {"!pyproject.toml", "!shared/", "!services/"} <= set(rules)


def test_the_image_commands_refuse_a_service_the_registry_does_not_know(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LUOHU_SERVICE", "tax")
    for command in (["serve"], ["probe", "/healthz"]):
        refused = CliRunner().invoke(cli_app, command)
        assert refused.exit_code == 2, refused.output
        assert "unknown service 'tax'" in refused.output


def test_the_health_check_fails_while_nothing_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUOHU_SERVICE", "housing")
    monkeypatch.setenv("LUOHU_PORT_OFFSET", "51000")  # 53002: nothing listens there
    probed = CliRunner().invoke(cli_app, ["probe", "/readyz"])
    assert probed.exit_code == 1
    assert "housing: /readyz unreachable" in probed.output
