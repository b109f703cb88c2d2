"""What the deploy checks share: the files, rendering with kustomize, the registry's lists, and
the KafkaUsers.

Nothing in tests/deploy starts a container or reaches a network. The Kubernetes overlays are
rendered by kustomize itself (`kustomize build`, else `kubectl kustomize`), then every
document, plain file and rendered alike, is validated against the pinned Kubernetes version's
schemas.
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

import jsonschema
import kubernetes_validate
import pytest
import yaml

from shared.events.consumer import dead_letter_topic
from shared.events.envelope import event_type, topic_of
from shared.registry import DEPARTMENT_SCOPES, DOWNSTREAM_SERVICES, SERVICE_PORTS
from shared.registry import SERVICES as REGISTERED
from shared.settlement import APPROVED_TOPIC

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.32.0"

SERVICES = list(SERVICE_PORTS)  # the contract's six, in its order


def k8s_name(service: str) -> str:
    """`medical_insurance` -> `medical-insurance`: Kubernetes names take no underscores."""
    return service.replace("_", "-")


# Each bureau (a department of the registry) runs its services in a namespace of its own.
BUREAUS = {
    k8s_name(dept): [s.name for s in REGISTERED if s.department == dept]
    for dept in dict.fromkeys(s.department for s in REGISTERED)
}
BUREAU_OF = {service: bureau for bureau, members in BUREAUS.items() for service in members}
DEPARTMENT_LABEL = "luohu.shaoguan.gov.cn/department"
ROLE_LABEL = "luohu.shaoguan.gov.cn/role"
KAFKA_PORT = 9093  # Strimzi's TLS listener: the services speak SASL_SSL only
POSTGRES_PORT = 5432

PLATFORM_TOPICS = (
    {APPROVED_TOPIC}
    | {topic_of(event_type(service, "settlement.processed")) for service in DOWNSTREAM_SERVICES}
    | {topic_of(event_type("residence_permit", "permit.changed"))}  # the permits' changes (三(一))
    | {dead_letter_topic(service) for service in SERVICES}
    # 四(四): every service's audit chain head, to the coordination office
    | {topic_of(event_type(service, "audit.head")) for service in SERVICES}
)

Document = dict[str, Any]


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
    """None when the document is valid for KUBERNETES_VERSION (strict: no unknown fields), or,
    for a Strimzi resource, for the part of its CRD the platform uses."""
    if str(doc.get("apiVersion", "")).startswith("kafka.strimzi.io/"):
        return strimzi_errors(doc)
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
    the scopes are read from the service's own `require`, `reading` and `writing` calls."""
    scopes: set[str] = set()
    for module in (REPO / "services" / service).rglob("*.py"):
        for call in re.finditer(
            r"\b(?:require|reading|writing)\(([^)]*)\)", module.read_text(encoding="utf-8")
        ):
            scopes |= set(re.findall(r"[\"']([^\"']+)[\"']", call.group(1)))
    assert scopes, f"no require/reading/writing(...) found in services/{service}"
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


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": False,
    }


_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}

# What the Strimzi KafkaUser CRD (kafka.strimzi.io/v1beta2) accepts, for the fields the platform
# writes, in its enumerations; strict, like the Kubernetes schemas: an unknown field is an error.
KAFKA_USER_SCHEMA = _closed(
    {
        "apiVersion": {"const": "kafka.strimzi.io/v1beta2"},
        "kind": {"const": "KafkaUser"},
        "metadata": _closed(
            {
                "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                "namespace": {"type": "string"},
                "labels": {**_STRING_MAP, "required": ["strimzi.io/cluster"]},
            },
            ["name", "labels"],
        ),
        "spec": _closed(
            {
                "authentication": _closed(
                    {"type": {"enum": ["tls", "tls-external", "scram-sha-512"]}}, ["type"]
                ),
                "authorization": _closed(
                    {
                        "type": {"const": "simple"},
                        "acls": {
                            "type": "array",
                            "items": _closed(
                                {
                                    "type": {"enum": ["allow", "deny"]},
                                    "host": {"type": "string"},
                                    "resource": _closed(
                                        {
                                            "type": {
                                                "enum": [
                                                    "topic",
                                                    "group",
                                                    "cluster",
                                                    "transactionalId",
                                                ]
                                            },
                                            "name": {"type": "string", "minLength": 1},
                                            "patternType": {"enum": ["literal", "prefix"]},
                                        },
                                        ["type"],
                                    ),
                                    "operations": {
                                        "type": "array",
                                        "minItems": 1,
                                        "uniqueItems": True,
                                        "items": {
                                            "enum": [
                                                "Read",
                                                "Write",
                                                "Create",
                                                "Delete",
                                                "Alter",
                                                "Describe",
                                                "ClusterAction",
                                                "AlterConfigs",
                                                "DescribeConfigs",
                                                "IdempotentWrite",
                                                "All",
                                            ]
                                        },
                                    },
                                },
                                ["resource", "operations"],
                            ),
                        },
                    },
                    ["type", "acls"],
                ),
            },
            ["authentication", "authorization"],
        ),
    },
    ["apiVersion", "kind", "metadata", "spec"],
)


def strimzi_errors(doc: Document) -> str | None:
    name = doc.get("metadata", {}).get("name")
    if doc.get("kind") != "KafkaUser":
        return f"{doc.get('kind')}/{name}: no schema for this Strimzi kind here"
    try:
        jsonschema.validate(doc, KAFKA_USER_SCHEMA)
    except jsonschema.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        return f"KafkaUser/{name}: {path}: {error.message}"
    return None


USERS_FILE = K8S / "kafka" / "kafka-users.yaml"
STRIMZI_CLUSTER = "luohu"  # its bootstrap Service is luohu-kafka-bootstrap


def kafka_users() -> dict[str, Document]:
    """The platform's KafkaUsers by name, as deploy/k8s/kafka/kafka-users.yaml declares them."""
    return {doc["metadata"]["name"]: doc for doc in documents(USERS_FILE)}
