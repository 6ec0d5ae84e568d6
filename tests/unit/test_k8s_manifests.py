"""The Kubernetes base in deploy/k8s, checked offline.

Built-in kinds are validated against the Kubernetes OpenAPI schemas that the ``kubernetes-
validate`` package ships (strict: unknown fields fail), for the oldest Kubernetes we support and
the newest the package knows. The two operator resources are validated against their CRD
schemas, vendored and trimmed in deploy/k8s/schemas/ (see its README), made strict the same
way. The rest checks what a schema cannot: probes, limits, budgets and references that match.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from shared.config import load_settings

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy" / "k8s"
SCHEMAS = BASE / "schemas"
OLDEST_SUPPORTED_KUBERNETES = "1.28.0"
KUBERNETES_VERSIONS = (OLDEST_SUPPORTED_KUBERNETES, kubernetes_validate.latest_version())
CUSTOM_RESOURCES = {
    ("postgresql.cnpg.io/v1", "Cluster"): "postgresql.cnpg.io_v1_cluster.json",
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "rabbitmq.com_v1beta1_rabbitmqcluster.json",
}
# Secrets the site creates (docs/operations.md); the operators create the rest.
# gravity-metrics is optional: without it the gateway's /metrics answers 401 in production.
BROKER_USERS = ("recruitment", "placement", "volunteering", "honors", "gateway", "eventlog")
SITE_SECRETS = {"gravity-jwt", "gravity-verification", "gravity-db", "gravity-metrics"} | {
    f"gravity-{name}-broker" for name in BROKER_USERS
}
KUSTOMIZE_FEATURES = {"apiVersion", "kind", "resources", "images"}
# The read models' projector runs as the gateway (its broker user, signing and master keys),
# in one replica (a second only waits on the checkpoint's lock), and migrates nothing: it
# waits for the schemas the gateway's migrate step makes.
RUNS_AS = {"projector": "gateway"}
SINGLE_REPLICA = {"gravity-projector"}


def kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((BASE / "kustomization.yaml").read_text("utf-8"))
    return loaded


def build() -> list[dict[str, Any]]:
    """What ``kustomize build deploy/k8s`` gives for the features the base uses."""
    base = kustomization()
    documents = [
        document
        for resource in base["resources"]
        for document in yaml.safe_load_all((BASE / resource).read_text("utf-8"))
        if document
    ]
    images = {
        image["name"]: f"{image.get('newName', image['name'])}:{image['newTag']}"
        for image in base.get("images", [])
    }
    for document in documents:
        for container in containers(document):
            container["image"] = images.get(container["image"], container["image"])
    return documents


def containers(document: dict[str, Any]) -> list[dict[str, Any]]:
    pod = document.get("spec", {}).get("template", {}).get("spec", {})
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [document for document in build() if document["kind"] == kind]


def strict(schema: Any) -> Any:
    """Unknown fields fail, as with ``kubectl apply``'s strict field validation."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    tightened = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        tightened["additionalProperties"] = False
    return tightened


def custom_resource_validator(document: dict[str, Any]) -> jsonschema.Validator:
    name = CUSTOM_RESOURCES[(document["apiVersion"], document["kind"])]
    schema = json.loads((SCHEMAS / name).read_text("utf-8"))
    schema.pop("x-gravity-source")
    # metadata is the API server's ObjectMeta, which the CRD leaves open.
    schema["properties"]["metadata"] = {"type": "object"}
    validator: jsonschema.Validator = jsonschema.Draft7Validator(strict(schema))
    return validator


def test_the_base_lists_every_manifest_and_uses_only_plain_kustomize_features() -> None:
    assert set(kustomization()) <= KUSTOMIZE_FEATURES
    assert sorted(kustomization()["resources"]) == sorted(
        path.name for path in BASE.glob("*.yaml") if path.name != "kustomization.yaml"
    )


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_builtin_resource_matches_the_kubernetes_schema(version: str) -> None:
    builtin = [d for d in build() if (d["apiVersion"], d["kind"]) not in CUSTOM_RESOURCES]
    assert {d["kind"] for d in builtin} >= {
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    }
    for document in builtin:
        kubernetes_validate.validate(document, version, strict=True)


def test_the_operator_resources_match_their_crd_schemas() -> None:
    custom = [d for d in build() if (d["apiVersion"], d["kind"]) in CUSTOM_RESOURCES]
    assert sorted(d["kind"] for d in custom) == ["Cluster", "RabbitmqCluster"]
    for document in custom:
        errors = [
            error.message for error in custom_resource_validator(document).iter_errors(document)
        ]
        assert errors == [], f"{document['kind']}: {errors}"


def test_a_misspelt_operator_field_is_caught() -> None:
    (cluster,) = of_kind("Cluster")
    broken = copy.deepcopy(cluster)
    broken["spec"]["instancs"] = broken["spec"].pop("instances")
    broken["spec"]["managed"]["roles"][0]["createdb"] = "yes"
    messages = [error.message for error in custom_resource_validator(broken).iter_errors(broken)]
    assert any("instancs" in message for message in messages)
    assert any("'yes' is not of type 'boolean'" in message for message in messages)


def test_every_deployment_has_replicas_probes_limits_and_a_disruption_budget() -> None:
    budgets = of_kind("PodDisruptionBudget")
    for deployment in of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        assert deployment["spec"]["replicas"] >= (1 if name in SINGLE_REPLICA else 2), name
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in containers(deployment):
            resources = container["resources"]
            assert set(resources["requests"]) == {"cpu", "memory"}, name
            assert set(resources["limits"]) == {"cpu", "memory"}, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        for container in pod["containers"]:
            assert {"livenessProbe", "readinessProbe"} <= set(container), name
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        guarding = [
            budget
            for budget in budgets
            if budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(guarding) == 1, f"{name} needs exactly one PodDisruptionBudget"
        budget = guarding[0]["spec"]
        if "minAvailable" in budget:  # a drain can still evict one pod
            assert budget["minAvailable"] < deployment["spec"]["replicas"], name
        else:
            assert budget["maxUnavailable"] >= 1, name


def test_the_gateway_is_served_and_scales_on_cpu() -> None:
    (gateway,) = [d for d in of_kind("Deployment") if d["metadata"]["name"] == "gravity-gateway"]
    (service,) = of_kind("Service")
    (autoscaler,) = of_kind("HorizontalPodAutoscaler")
    labels = gateway["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    (container,) = gateway["spec"]["template"]["spec"]["containers"]
    assert service["spec"]["ports"][0]["targetPort"] in {p["name"] for p in container["ports"]}
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "gravity-gateway")
    assert autoscaler["spec"]["minReplicas"] >= gateway["spec"]["replicas"]
    assert autoscaler["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_secrets_are_only_referenced_and_every_reference_has_an_owner() -> None:
    assert of_kind("Secret") == [], "the base must not carry secret values"
    (cluster,) = of_kind("Cluster")
    (broker,) = of_kind("RabbitmqCluster")
    owned = SITE_SECRETS | {f"{broker['metadata']['name']}-default-user"}
    referenced = {
        variable["valueFrom"]["secretKeyRef"]["name"]
        for deployment in [*of_kind("Deployment"), *of_kind("Job")]
        for container in containers(deployment)
        for variable in container["env"]
        if "secretKeyRef" in variable.get("valueFrom", {})
    }
    (job,) = of_kind("Job")
    mounted = {
        source["secret"]["name"]
        for volume in job["spec"]["template"]["spec"]["volumes"]
        for source in volume.get("projected", {}).get("sources", [])
    }
    assert referenced | mounted == owned
    assert cluster["spec"]["bootstrap"]["initdb"]["secret"]["name"] == "gravity-db"
    (role,) = cluster["spec"]["managed"]["roles"]
    assert (role["name"], role["createdb"], role["passwordSecret"]["name"]) == (
        cluster["spec"]["bootstrap"]["initdb"]["owner"],
        True,
        "gravity-db",
    )
    (config,) = of_kind("ConfigMap")
    assert config["data"]["GRAVITY_RABBITMQ_HOST"] == broker["metadata"]["name"]
    assert config["data"]["GRAVITY_DB_HOST"] == f"{cluster['metadata']['name']}-rw"
    assert config["data"]["GRAVITY_ENV"] == "production"


def test_every_configured_service_runs_and_migrates_before_it_starts() -> None:
    services = load_settings(environ={}).services
    by_command = {
        container["args"][0]: deployment
        for deployment in of_kind("Deployment")
        for container in deployment["spec"]["template"]["spec"]["containers"]
    }
    assert set(by_command) == {"eventlog", "gateway", *services, *RUNS_AS}
    for command, deployment in by_command.items():
        assert {c["image"] for c in containers(deployment)} == {"gravity:local"}
        if command in RUNS_AS:  # waits for the gateway's migrate step instead
            assert "initContainers" not in deployment["spec"]["template"]["spec"], command
            continue
        (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
        assert init["args"] == ["migrate"]


def test_volunteering_runs_like_every_service_with_probes_and_a_disruption_budget() -> None:
    (deployment,) = [
        document
        for document in of_kind("Deployment")
        if document["metadata"]["name"] == "gravity-volunteering"
    ]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["volunteering"]
    assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container)
    budgets = {budget["metadata"]["name"] for budget in of_kind("PodDisruptionBudget")}
    assert "gravity-volunteering" in budgets


def broker_login(container: dict[str, Any]) -> set[str]:
    """The Secrets a container's broker user and password come from."""
    return {
        variable["valueFrom"]["secretKeyRef"]["name"]
        for variable in container["env"]
        if variable["name"] in {"GRAVITY_RABBITMQ_USER", "GRAVITY_RABBITMQ_PASSWORD"}
    }


def test_each_process_connects_to_the_broker_as_its_own_user() -> None:
    (broker,) = of_kind("RabbitmqCluster")
    default_user = f"{broker['metadata']['name']}-default-user"
    names = set()
    for deployment in of_kind("Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        name = RUNS_AS.get(container["args"][0], container["args"][0])
        names.add(name)
        assert broker_login(container) == {f"gravity-{name}-broker"}, name
        for init in deployment["spec"]["template"]["spec"].get("initContainers", []):
            assert broker_login(init) == {default_user}  # migrate publishes nothing
    assert names == set(BROKER_USERS)


def test_the_broker_users_job_makes_every_processs_user_with_the_operators_login() -> None:
    (job,) = of_kind("Job")
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == [
        "gravity",
        "broker-users",
        "--passwords",
        "/var/lib/gravity/broker",
    ]
    (broker,) = of_kind("RabbitmqCluster")
    assert broker_login(container) == {f"{broker['metadata']['name']}-default-user"}
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/var/lib/gravity/broker"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    files = {
        item["path"]: source["secret"]["name"]
        for source in volume["projected"]["sources"]
        for item in source["secret"]["items"]
    }
    assert files == {f"{name}.password": f"gravity-{name}-broker" for name in BROKER_USERS}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert set(container["resources"]["limits"]) == {"cpu", "memory"}


def test_every_producer_is_registered_with_the_user_its_secret_names() -> None:
    (config,) = of_kind("ConfigMap")
    registered = {k: v for k, v in config["data"].items() if k.endswith("_BROKER_USER")}
    settings = load_settings(environ=registered)
    assert settings.broker_users == {name: name for name in BROKER_USERS if name != "eventlog"}


def test_every_producer_signs_with_its_own_secret_key_and_lists_its_public_keys() -> None:
    (config,) = of_kind("ConfigMap")
    producers = (*load_settings(environ={}).services, "gateway")  # the gateway signs too
    for deployment in of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        name = RUNS_AS.get(container["args"][0], container["args"][0])
        if name not in producers:
            continue
        variable = f"GRAVITY_{name.upper()}_SIGNING_KEY"
        (key_file,) = [v["value"] for v in container["env"] if v["name"] == variable]
        (mount,) = [m for m in container["volumeMounts"] if m["name"] == "signing-key"]
        assert key_file == f"{mount['mountPath']}/{name}.key", name
        (volume,) = [v for v in pod["volumes"] if v["name"] == "signing-key"]
        assert volume["secret"]["secretName"] == f"gravity-{name}-signing-key"
        assert f"GRAVITY_{name.upper()}_PUBLIC_KEYS" in config["data"]
