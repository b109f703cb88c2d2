"""The Kubernetes manifests: schemas, each service's resources, bureaus, the topics Job."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.cli import app as cli_app
from shared.registry import SERVICE_PORTS
from shared.settings import Settings
from tests.deploy.support import (
    BUREAU_OF,
    BUREAUS,
    DEPARTMENT_LABEL,
    DEPLOY,
    K8S,
    KAFKA_PORT,
    PLATFORM_TOPICS,
    POSTGRES_PORT,
    ROLE_LABEL,
    SERVICES,
    Document,
    container_port,
    departments_allowed,
    documents,
    k8s_name,
    kustomization_files,
    manifest_files,
    one,
    render,
    schema_errors,
    service_config,
    service_docs,
    tool,
)

# What runs a service's code, each with the same pod settings: (kind, name from `{name}`).
WORKLOADS = (("Deployment", "{name}-api"), ("Job", "{name}-migrate"), ("CronJob", "{name}-prune"))


def pod_spec(workload: Document) -> Document:
    """The pod spec of a Deployment, a Job or a CronJob."""
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod: Document = spec["template"]["spec"]
    return pod


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
    assert one(docs, "CronJob", f"{name}-prune")["metadata"]["namespace"] == namespace

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

    cron = one(docs, "CronJob", f"{name}-prune")
    (prune,) = pod_spec(cron)["containers"]
    assert prune["command"] == ["luohu", "prune", service]
    assert prune["image"] == container["image"]
    prune_labels = cron["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert not selector.items() <= prune_labels.items(), "the Service must not route to prune"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_prunes_nightly_in_shaoguan_time_one_run_at_a_time(service: str) -> None:
    docs = service_docs(service)
    cron = one(docs, "CronJob", f"{k8s_name(service)}-prune")["spec"]
    minute, hour, *every_day = cron["schedule"].split()
    assert every_day == ["*", "*", "*"], "once a day"
    assert 0 <= int(hour) <= 5 and 0 <= int(minute) <= 59, "at night"
    assert cron["timeZone"] == service_config(service)["LUOHU_TIMEZONE"] == "Asia/Shanghai"
    assert cron["concurrencyPolicy"] == "Forbid"
    job = cron["jobTemplate"]["spec"]
    assert job["backoffLimit"] >= 1
    assert 0 < job["activeDeadlineSeconds"] <= 86400
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    assert int(service_config(service)["LUOHU_RETENTION_DAYS"]) >= 1


@pytest.mark.parametrize("service", SERVICES)
def test_pods_run_non_root_on_a_read_only_root_with_a_scratch_tmp(service: str) -> None:
    docs = service_docs(service)
    name = k8s_name(service)
    for kind, resource in WORKLOADS:
        spec = pod_spec(one(docs, kind, resource.format(name=name)))
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
    for kind, resource in WORKLOADS:
        (container,) = pod_spec(one(docs, kind, resource.format(name=name)))["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert set(env) == {"LUOHU_DATABASE_URL"}
        database = env["LUOHU_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        assert database["name"] == f"{name}-database"
        assert all("value" not in e for e in container["env"]), "no literal env values"
        (source,) = container["envFrom"]
        config = one(docs, "ConfigMap", source["configMapRef"]["name"])["data"]
        assert config["LUOHU_RUN_MIGRATIONS_ON_START"] == "false"
        assert config["LUOHU_BUS"] == "kafka"
        assert config["LUOHU_ENVIRONMENT"] == "production"
        assert "LUOHU_DATABASE_URL" not in config
        assert not [key for key in config if "SECRET" in key or key.endswith("_KEY")]


def mounted(pod: Document, container: Document, path: str) -> Document:
    """The volume mounted (read-only, as a folder) over the folder of `path`."""
    folder = path.rsplit("/", 1)[0]
    (mount,) = [m for m in container.get("volumeMounts", []) if m["mountPath"] == folder]
    assert mount.get("readOnly") is True and "subPath" not in mount, mount
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    return dict(volume)


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_holds_its_own_signing_key_and_the_bundle(service: str) -> None:
    """Its namespace's Secret <service>-signing-key, readable by the service's group only;
    the bundle from the one ConfigMap every namespace holds; the migration holds neither."""
    docs = service_docs(service)
    name = k8s_name(service)
    config = service_config(service)
    pod = one(docs, "Deployment", f"{name}-api")["spec"]["template"]["spec"]
    (container,) = pod["containers"]

    key = mounted(pod, container, config["LUOHU_SIGNING_KEY_FILE"])["secret"]
    assert key["secretName"] == f"{name}-signing-key"
    assert key["defaultMode"] == 0o400
    assert [i["path"] for i in key["items"]] == [config["LUOHU_SIGNING_KEY_FILE"].rsplit("/")[-1]]
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]
    bundle = mounted(pod, container, config["LUOHU_TRUST_BUNDLE_FILE"])["configMap"]
    assert bundle["name"] == "luohu-trust-bundle"
    assert [i["path"] for i in bundle["items"]] == ["trust.jwks.json"]

    secrets = {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    own_kafka_user = f"luohu-{name}"  # and the cluster CA's certificate, public
    assert secrets == {f"{name}-signing-key", own_kafka_user, "luohu-cluster-ca-cert"}, (
        "its own key, no other service's"
    )
    job = one(docs, "Job", f"{name}-migrate")["spec"]["template"]["spec"]
    assert not [v for v in job["volumes"] if "secret" in v or "configMap" in v]


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


@pytest.mark.parametrize("service", SERVICES)
def test_prune_pods_take_no_traffic_and_reach_only_the_database_kafka_and_dns(
    service: str,
) -> None:
    docs = service_docs(service)
    name = k8s_name(service)
    policy = one(docs, "NetworkPolicy", f"{name}-prune")["spec"]
    labels = one(docs, "CronJob", f"{name}-prune")["spec"]["jobTemplate"]["spec"]["template"]
    assert policy["podSelector"]["matchLabels"].items() <= labels["metadata"]["labels"].items()
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    assert not policy.get("ingress"), "nothing comes in"
    egress = {
        (next(iter(rule["to"][0]["namespaceSelector"]["matchLabels"].values())), p["port"])
        for rule in policy["egress"]
        for p in rule["ports"]
    }
    assert egress == {("postgresql", POSTGRES_PORT), ("kafka", KAFKA_PORT), ("kube-system", 53)}
    api = one(docs, "NetworkPolicy", f"{name}-api")["spec"]["podSelector"]["matchLabels"]
    assert not api.items() <= labels["metadata"]["labels"].items(), "not an API pod"


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
        namespace = one(docs, "Namespace", bureau)["metadata"]["labels"]
        assert namespace["luohu.shaoguan.gov.cn/bureau"] == bureau
        assert namespace["pod-security.kubernetes.io/enforce"] == "restricted"


# ---- Kafka topics ----------------------------------------------------------------------------


def topics_job_container() -> Document:
    (job,) = documents(K8S / "kafka" / "topics-job.yaml")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    return dict(container)


def test_the_topic_list_holds_every_topic_the_platform_uses_once() -> None:
    listed = CliRunner().invoke(cli_app, ["topics", "list"])
    assert listed.exit_code == 0, listed.output
    topics = listed.output.split()
    assert len(topics) == len(set(topics))
    assert set(topics) == PLATFORM_TOPICS


def test_topic_job_creates_every_topic_of_the_registry_at_three_copies_two_in_sync() -> None:
    container = topics_job_container()
    assert container["image"].startswith("luohu/"), "the CLI's own list, from the registry"
    assert container["command"][:3] == ["luohu", "topics", "create"]
    assert "--replication-factor=3" in container["command"]
    assert "--min-insync-replicas=2" in container["command"]
    assert "--dead-letter-retention-ms=-1" in container["command"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert set(env) <= {f"LUOHU_{field.upper()}" for field in Settings.model_fields}


def test_topics_keep_events_as_long_as_the_services_prune_keeps_them() -> None:
    """retention.ms comes from the same days as `luohu prune` (no --event-retention-ms)."""
    container = topics_job_container()
    assert not any(arg.startswith("--event-retention-ms") for arg in container["command"])
    env = {e["name"]: e["value"] for e in container["env"]}
    for service in SERVICES:
        config = service_config(service)
        for setting in ("LUOHU_RETENTION_DAYS", "LUOHU_EVENT_RETENTION_DAYS"):
            assert env.get(setting) == config.get(setting), (service, setting)
    assert int(env["LUOHU_RETENTION_DAYS"]) >= 1


def test_partitions_allow_every_replica_to_consume() -> None:
    """A consumer group uses at most one member per partition: maxReplicas <= partitions."""
    container = topics_job_container()
    env = {e["name"]: e["value"] for e in container["env"]}
    partitions = int(env["LUOHU_KAFKA_PARTITIONS"])
    config = service_config("hukou")
    assert int(config["LUOHU_KAFKA_PARTITIONS"]) == partitions
    replication = f"--replication-factor={config['LUOHU_KAFKA_REPLICATION_FACTOR']}"
    assert replication in container["command"]
    assert config["LUOHU_KAFKA_BOOTSTRAP_SERVERS"] == env["LUOHU_KAFKA_BOOTSTRAP_SERVERS"]
    for service in SERVICES:
        hpa = one(service_docs(service), "HorizontalPodAutoscaler", f"{k8s_name(service)}-api")
        assert hpa["spec"]["maxReplicas"] <= partitions
