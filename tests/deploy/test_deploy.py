"""The deployment files, checked statically: schemas, linters and the contract they must keep.

Nothing here starts a container or reaches a network. The Kubernetes overlays are rendered by
kustomize itself (`kustomize build`, else `kubectl kustomize`), then every document, plain
file and rendered alike, is validated against the pinned Kubernetes version's schemas.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from services.hukou.models import DOWNSTREAM_SERVICES
from shared.auth import DEPARTMENT_SCOPES
from shared.events.consumer import dead_letter_topic
from shared.events.envelope import event_type, topic_of
from shared.settings import DEVELOPMENT_SECRET, SERVICE_PORTS, Settings
from shared.settlement import APPROVED_TOPIC

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.32.0"

SERVICES = list(SERVICE_PORTS)  # the contract's six, in its order
BUREAUS = {
    "public-security": ["hukou", "residence_permit"],
    "housing": ["housing"],
    "human-resources": ["medical_insurance", "pension"],
    "education": ["education"],
}
BUREAU_OF = {service: bureau for bureau, members in BUREAUS.items() for service in members}
DEPARTMENT_LABEL = "luohu.shaoguan.gov.cn/department"
ROLE_LABEL = "luohu.shaoguan.gov.cn/role"
KAFKA_PORT = 9092
POSTGRES_PORT = 5432

PLATFORM_TOPICS = (
    {APPROVED_TOPIC}
    | {topic_of(event_type(service, "settlement.processed")) for service in DOWNSTREAM_SERVICES}
    | {dead_letter_topic(service) for service in SERVICES}
)

Document = dict[str, Any]


def k8s_name(service: str) -> str:
    """`medical_insurance` -> `medical-insurance`: Kubernetes names take no underscores."""
    return service.replace("_", "-")


def documents(path: Path) -> list[Document]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def tool(name: str) -> str:
    """A linter installed with the dev extras, beside this interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is missing: it comes with the dev extras (pip install -e '.[dev]')")
    return found


@cache
def kustomize_command() -> tuple[str, ...]:
    if shutil.which("kustomize"):
        return ("kustomize", "build")
    if shutil.which("kubectl"):
        return ("kubectl", "kustomize")
    pytest.fail("rendering the overlays needs `kustomize` or `kubectl` (its built-in kustomize)")


@cache
def render(directory: Path) -> tuple[Document, ...]:
    result = subprocess.run(
        [*kustomize_command(), str(directory)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"kustomize {directory}:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def manifest_files() -> list[Path]:
    """Every plain Kubernetes resource file under deploy/k8s (kustomizations are not)."""
    return sorted(
        path
        for path in K8S.rglob("*.yaml")
        if path.name not in {"kustomization.yaml", "kustomization.yml"}
    )


def kustomization_files() -> list[Path]:
    return sorted(K8S.rglob("kustomization.yaml"))


def schema_errors(doc: Document) -> str | None:
    """None when the document is valid for KUBERNETES_VERSION (strict: no unknown fields)."""
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        return f"{doc['kind']}/{doc['metadata'].get('name')}: {path}: {error.message}"
    except kubernetes_validate.SchemaNotFoundError as error:
        return f"{doc.get('kind')}: {error.message}"
    return None


def one(docs: tuple[Document, ...], kind: str, name: str) -> Document:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def service_docs(service: str) -> tuple[Document, ...]:
    """The resources of a service as its bureau's overlay renders them."""
    docs = render(K8S / "overlays" / BUREAU_OF[service])
    name = k8s_name(service)
    return tuple(
        d for d in docs if d["metadata"].get("labels", {}).get("app.kubernetes.io/name") == name
    )


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def departments_allowed(service: str) -> set[str]:
    """The departments whose scopes (shared/auth.py) open at least one of the service's routes:
    the scopes are read from the service's own `require("...")` calls."""
    scopes: set[str] = set()
    for module in (REPO / "services" / service).rglob("*.py"):
        for call in re.finditer(r"\brequire\(([^)]*)\)", module.read_text(encoding="utf-8")):
            scopes |= set(re.findall(r"[\"']([^\"']+)[\"']", call.group(1)))
    assert scopes, f"no require(...) found in services/{service}"
    return {dept for dept, held in DEPARTMENT_SCOPES.items() if held & scopes}


def service_config(service: str) -> dict[str, str]:
    """The data of the ConfigMap the service's Deployment reads (its name carries a hash)."""
    docs = service_docs(service)
    deployment = one(docs, "Deployment", f"{k8s_name(service)}-api")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    (source,) = container["envFrom"]
    data: dict[str, str] = one(docs, "ConfigMap", source["configMapRef"]["name"])["data"]
    return data


def container_port(container: Document, port: int | str) -> int:
    """A probe's or Service's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container["ports"] if p.get("name") == port]
    return int(number)


# ---- Kubernetes: schemas ---------------------------------------------------------------------


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_kubernetes_manifest_file_validates(path: Path) -> None:
    docs = documents(path)
    assert docs, f"{path} holds no document"
    errors = [error for doc in docs if (error := schema_errors(doc))]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("path", kustomization_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_kustomization_is_one_and_lists_files_that_exist(path: Path) -> None:
    (kustomization,) = documents(path)
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    for resource in kustomization.get("resources", []):
        assert (path.parent / resource).exists(), f"{path}: {resource} does not exist"
    assert "secretGenerator" not in kustomization, "secrets are never generated from the repo"


def test_yaml_files_pass_yamllint() -> None:
    """Catches what the YAML parsers forgive: a key given twice keeps only its last value."""
    targets = [DEPLOY / "compose.yaml", K8S, DEPLOY / "yamllint.yaml"]
    result = subprocess.run(
        [tool("yamllint"), "--strict", "-c", str(DEPLOY / "yamllint.yaml"), *map(str, targets)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("directory", [*sorted(BUREAUS), "kafka"])
def test_rendered_overlays_validate(directory: str) -> None:
    path = K8S / directory if directory == "kafka" else K8S / "overlays" / directory
    docs = render(path)
    assert docs
    errors = [error for doc in docs if (error := schema_errors(doc))]
    assert not errors, "\n".join(errors)


def test_the_schema_check_rejects_a_broken_manifest() -> None:
    """The validator really looks: an unknown field and a wrong type are both caught."""
    (deployment,) = documents(K8S / "base" / "service-template" / "deployment.yaml")
    assert schema_errors(deployment) is None
    typo = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    assert schema_errors(typo) is not None
    wrong_type = {**deployment, "spec": {**deployment["spec"], "minReadySeconds": "soon"}}
    assert schema_errors(wrong_type) is not None


# ---- Kubernetes: what each service must have -------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_kubernetes_resources(service: str) -> None:
    docs = service_docs(service)
    name, port = k8s_name(service), SERVICE_PORTS[service]
    namespace = BUREAU_OF[service]
    api, migrate = f"{name}-api", f"{name}-migrate"
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        assert one(docs, kind, api)["metadata"]["namespace"] == namespace
    assert one(docs, "NetworkPolicy", api)["metadata"]["namespace"] == namespace
    assert one(docs, "Job", migrate)["metadata"]["namespace"] == namespace

    deployment = one(docs, "Deployment", api)
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["image"].split(":")[0] == f"luohu/{name}"
    assert container_port(container, "http") == port
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe"):
        assert container_port(container, container[probe]["httpGet"]["port"]) == port
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"

    service_resource = one(docs, "Service", api)
    (service_port,) = service_resource["spec"]["ports"]
    assert service_port["port"] == port
    assert container_port(container, service_port["targetPort"]) == port
    selector = service_resource["spec"]["selector"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    assert selector == deployment["spec"]["selector"]["matchLabels"]

    pdb = one(docs, "PodDisruptionBudget", api)
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == selector

    hpa = one(docs, "HorizontalPodAutoscaler", api)
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert target == {"apiVersion": "apps/v1", "kind": "Deployment", "name": api}
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]

    job = one(docs, "Job", migrate)
    (migration,) = job["spec"]["template"]["spec"]["containers"]
    assert migration["command"] == ["luohu", "migrate", service]
    assert migration["image"] == container["image"]
    assert job["spec"]["backoffLimit"] >= 1
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    job_labels = job["spec"]["template"]["metadata"]["labels"]
    assert not selector.items() <= job_labels.items(), "the Service must not route to the Job"


@pytest.mark.parametrize("service", SERVICES)
def test_pods_run_non_root_on_a_read_only_root_with_a_scratch_tmp(service: str) -> None:
    docs = service_docs(service)
    name = k8s_name(service)
    for kind, resource in (("Deployment", f"{name}-api"), ("Job", f"{name}-migrate")):
        spec = one(docs, kind, resource)["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 10001  # the image's fixed uid
        assert spec["automountServiceAccountToken"] is False
        (container,) = spec["containers"]
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        assert "emptyDir" in volume


@pytest.mark.parametrize("service", SERVICES)
def test_settings_come_from_a_config_map_and_secrets_by_reference(service: str) -> None:
    docs = service_docs(service)
    name = k8s_name(service)
    for kind, resource in (("Deployment", f"{name}-api"), ("Job", f"{name}-migrate")):
        (container,) = one(docs, kind, resource)["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert env["LUOHU_JWT_SECRET"]["valueFrom"]["secretKeyRef"]["name"] == "luohu-jwt"
        database = env["LUOHU_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        assert database["name"] == f"{name}-database"
        assert all("value" not in e for e in container["env"]), "no literal env values"
        (source,) = container["envFrom"]
        config = one(docs, "ConfigMap", source["configMapRef"]["name"])["data"]
        assert config["LUOHU_RUN_MIGRATIONS_ON_START"] == "false"
        assert config["LUOHU_BUS"] == "kafka"
        assert config["LUOHU_ENVIRONMENT"] == "production"
        assert not {"LUOHU_JWT_SECRET", "LUOHU_DATABASE_URL"} & set(config)


def test_config_map_names_only_real_settings() -> None:
    """A misspelt LUOHU_ variable would be silently ignored by the service."""
    known = {f"LUOHU_{field.upper()}" for field in Settings.model_fields}
    for service in SERVICES:
        assert not set(service_config(service)) - known


@pytest.mark.parametrize("service", SERVICES)
def test_network_policy_admits_only_the_departments_the_contract_allows(service: str) -> None:
    name = k8s_name(service)
    policy = one(service_docs(service), "NetworkPolicy", f"{name}-api")["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    departments: set[str] = set()
    for rule in policy["ingress"]:
        assert [p["port"] for p in rule["ports"]] == ["http"]
        for peer in rule["from"]:
            # Namespaces only: no pod selector (services never call each other), no IP range.
            assert set(peer) == {"namespaceSelector"}, peer
            labels = peer["namespaceSelector"]["matchLabels"]
            if DEPARTMENT_LABEL in labels:
                departments.add(labels[DEPARTMENT_LABEL])
            else:
                assert labels == {ROLE_LABEL: "monitoring"}, "only Prometheus besides departments"
    assert departments == departments_allowed(service)

    egress = {
        (next(iter(rule["to"][0]["namespaceSelector"]["matchLabels"].values())), p["port"])
        for rule in policy["egress"]
        for p in rule["ports"]
    }
    assert egress == {
        ("kafka", KAFKA_PORT),
        ("postgresql", POSTGRES_PORT),
        ("kube-system", 53),
    }


def test_hukou_is_called_by_departments_and_never_by_another_service() -> None:
    assert "public_security" in departments_allowed("hukou")
    for bureau in BUREAUS:
        (namespace,) = [d for d in render(K8S / "overlays" / bureau) if d["kind"] == "Namespace"]
        assert namespace["metadata"]["name"] == bureau
        assert DEPARTMENT_LABEL not in namespace["metadata"].get("labels", {}), (
            "a bureau namespace with a department label would let its services call in"
        )


def test_every_contract_service_runs_in_exactly_one_bureau() -> None:
    assert sorted(BUREAU_OF) == sorted(SERVICES)
    assert {p.name for p in (K8S / "overlays").iterdir()} == set(BUREAUS)
    assert {p.name for p in (K8S / "base").iterdir()} == {
        *map(k8s_name, SERVICES),
        "service-template",
        "namespace-defaults",
    }


def test_each_bureau_namespace_holds_its_services_and_denies_by_default() -> None:
    for bureau, members in BUREAUS.items():
        docs = render(K8S / "overlays" / bureau)
        deployments = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
        assert deployments == {f"{k8s_name(s)}-api" for s in members}
        deny = one(docs, "NetworkPolicy", "default-deny-all")["spec"]
        assert deny["podSelector"] == {}
        assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
        namespaced = [d for d in docs if d["kind"] != "Namespace"]
        assert {d["metadata"]["namespace"] for d in namespaced} == {bureau}


# ---- Kafka topics ----------------------------------------------------------------------------


def topics_job_container() -> Document:
    (job,) = documents(K8S / "kafka" / "topics-job.yaml")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    return dict(container)


def test_topic_job_creates_every_topic_the_platform_uses() -> None:
    container = topics_job_container()
    env = {e["name"]: e["value"] for e in container["env"]}
    topics = env["EVENT_TOPICS"].split() + env["DEAD_LETTER_TOPICS"].split()
    assert len(topics) == len(set(topics))
    assert set(topics) == PLATFORM_TOPICS
    assert env["REPLICATION_FACTOR"] == "3"
    assert env["MIN_INSYNC_REPLICAS"] == "2"
    script = " ".join(container["args"])
    for expected in (
        "kafka-topics.sh",
        "--create --if-not-exists",
        '--partitions "$PARTITIONS"',
        '--replication-factor "$REPLICATION_FACTOR"',
        'min.insync.replicas="$MIN_INSYNC_REPLICAS"',
        "$EVENT_TOPICS",
        "$DEAD_LETTER_TOPICS",
    ):
        assert expected in script
    assert container["image"].startswith("apache/kafka:")


def test_partitions_allow_every_replica_to_consume() -> None:
    """A consumer group uses at most one member per partition: maxReplicas <= partitions."""
    env = {e["name"]: e["value"] for e in topics_job_container()["env"]}
    partitions = int(env["PARTITIONS"])
    config = service_config("hukou")
    assert int(config["LUOHU_KAFKA_PARTITIONS"]) == partitions
    assert int(config["LUOHU_KAFKA_REPLICATION_FACTOR"]) == int(env["REPLICATION_FACTOR"])
    assert config["LUOHU_KAFKA_BOOTSTRAP_SERVERS"] == env["BOOTSTRAP_SERVERS"]
    for service in SERVICES:
        hpa = one(service_docs(service), "HorizontalPodAutoscaler", f"{k8s_name(service)}-api")
        assert hpa["spec"]["maxReplicas"] <= partitions


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
    assert froms[-1] == "service-${SERVICE}", "the image is the SERVICE's stage"
    bases = {f.split()[0] for f in froms if not f.startswith(("service-", "runtime"))}
    assert len(bases) == 1
    (base,) = bases
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base), f"pinned slim 3.11: {base}"
    copies = [arguments for instruction, arguments in instructions if instruction == "COPY"]
    assert "services/${SERVICE}/ services/${SERVICE}/" in copies
    assert not [c for c in copies if c.startswith("services/ ") or c.startswith(". ")], (
        "only the chosen service's package goes into the image"
    )
    for service, port in SERVICE_PORTS.items():
        assert (REPO / "services" / service / "app.py").exists()
        stage = instructions.index(("FROM", f"runtime AS service-{service}"))
        assert instructions[stage + 1] == ("ENV", f"UVICORN_PORT={port}")
        assert instructions[stage + 2] == ("EXPOSE", str(port))


def test_the_image_serves_with_uvicorn_as_a_fixed_non_root_user_and_never_migrates() -> None:
    runtime = dockerfile_stage("runtime")

    def arguments_of(wanted: str) -> list[str]:
        return [arguments for instruction, arguments in runtime if instruction == wanted]

    environment = " ".join(arguments_of("ENV"))
    assert "LUOHU_RUN_MIGRATIONS_ON_START=false" in environment
    assert "UVICORN_APP=services.${SERVICE}.app:app" in environment
    assert "UVICORN_HOST=0.0.0.0" in environment
    (user,) = arguments_of("USER")
    uid, _, gid = user.partition(":")
    assert int(uid) >= 1000 and int(gid) >= 1000
    (healthcheck,) = arguments_of("HEALTHCHECK")
    assert "/healthz" in healthcheck and '"python"' in healthcheck
    (command,) = arguments_of("CMD")
    assert command.startswith('["uvicorn"')
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
    init = "./postgres/init.sql:/docker-entrypoint-initdb.d/10-luohu.sql:ro"
    assert init in services["postgres"]["volumes"]
    for engine in ("kafka", "postgres"):
        assert services[engine]["healthcheck"]["test"]
        assert ":latest" not in services[engine]["image"]
        assert ":" in services[engine]["image"]


def test_postgres_init_creates_one_database_and_role_per_service() -> None:
    script = (DEPLOY / "postgres" / "init.sql").read_text(encoding="utf-8")
    postgres_environment = compose()["services"]["postgres"]["environment"]
    for service in SERVICES:
        variable = f"{service.upper()}_DB_PASSWORD"
        assert f"\\getenv {service}_password {variable}" in script
        assert f"CREATE ROLE {service} LOGIN PASSWORD :'{service}_password';" in script
        assert f"CREATE DATABASE {service} OWNER {service};" in script
        assert postgres_environment[variable].startswith(f"${{{variable}:?")
    assert "PASSWORD '" not in script, "no password literal"


def test_compose_topic_init_creates_every_topic_the_platform_uses() -> None:
    topics_init = compose()["services"]["kafka-topics"]
    assert topics_init["restart"] == "no"
    environment = topics_init["environment"]
    topics = environment["EVENT_TOPICS"].split() + environment["DEAD_LETTER_TOPICS"].split()
    assert set(topics) == PLATFORM_TOPICS
    script = " ".join(topics_init["command"])
    assert "--create --if-not-exists" in script
    assert '--partitions "$$PARTITIONS"' in script  # $$: compose's escape for a literal $


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


def test_the_compose_env_example_holds_placeholders_only() -> None:
    example = (DEPLOY / "compose.env.example").read_text(encoding="utf-8")
    settings = dict(
        line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#")
    )
    secrets = {k: v for k, v in settings.items() if re.search(r"PASSWORD|SECRET", k)}
    assert "LUOHU_JWT_SECRET" in secrets
    assert {f"{s.upper()}_DB_PASSWORD" for s in SERVICES} <= set(secrets)
    assert set(secrets.values()) == {""}, "the example fills in no secret"
    lines = COMPOSE.read_text(encoding="utf-8").splitlines()
    uncommented = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    required = set(re.findall(r"\$\{(\w+):\?", uncommented))
    assert required <= set(settings), "every variable compose requires is in the example"
