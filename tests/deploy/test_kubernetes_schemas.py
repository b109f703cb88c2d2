"""Every Kubernetes manifest, kustomization and rendered overlay validates against the pinned
version's schemas and yamllint, and the schema check does reject a broken manifest."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.deploy.support import (
    BUREAUS,
    DEPLOY,
    K8S,
    documents,
    kustomization_files,
    manifest_files,
    render,
    schema_errors,
    tool,
)


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
