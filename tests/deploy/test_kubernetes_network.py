"""Who may reach whom: each service's network policy admits only the departments the contract
allows, and each bureau's namespace holds its services and denies by default."""

from __future__ import annotations

import pytest

from tests.deploy.support import (
    BUREAU_OF,
    BUREAUS,
    DEPARTMENT_LABEL,
    K8S,
    KAFKA_PORT,
    POSTGRES_PORT,
    ROLE_LABEL,
    SERVICES,
    departments_allowed,
    k8s_name,
    one,
    render,
    service_docs,
)


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
