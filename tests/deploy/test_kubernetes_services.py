"""What each service must have in Kubernetes: its workloads, the nightly prune, locked-down
pods, settings from a ConfigMap and Secrets, and its own signing key with the bundle."""

from __future__ import annotations

import pytest

from shared.registry import SERVICE_PORTS
from shared.settings import Settings
from tests.deploy.support import (
    BUREAU_OF,
    SERVICES,
    Document,
    container_port,
    k8s_name,
    one,
    service_config,
    service_docs,
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
