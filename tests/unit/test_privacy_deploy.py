"""Every component's master key outlives its container: compose keeps it in a named volume,
Kubernetes mounts it from a Secret and names the file (a configured file is never made), and
the settings carry that file to the key store."""

from __future__ import annotations

import pytest

from shared.config import load_settings
from shared.privacy.master_key import (
    MasterKeyError,
    component_master_key,
    component_master_key_path,
)
from tests.unit.test_compose_file import stack_services
from tests.unit.test_k8s_manifests import of_kind

COMPONENTS = (*load_settings(environ={}).services, "gateway")


def test_compose_keeps_every_components_master_key_in_a_volume() -> None:
    services = stack_services()
    for component in COMPONENTS:
        assert "master-keys:/var/lib/gravity/keys/privacy" in services[component]["volumes"]


def test_kubernetes_mounts_each_components_master_key_from_its_own_secret() -> None:
    for deployment in of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        name = container["args"][0]
        if name not in COMPONENTS:
            continue
        variable = f"GRAVITY_{name.upper()}_MASTER_KEY_FILE"
        (key_file,) = [v["value"] for v in container["env"] if v["name"] == variable]
        (mount,) = [m for m in container["volumeMounts"] if m["name"] == "master-key"]
        assert key_file == f"{mount['mountPath']}/{name}.master", name
        (volume,) = [v for v in pod["volumes"] if v["name"] == "master-key"]
        assert volume["secret"]["secretName"] == f"gravity-{name}-master-key"


def test_a_configured_master_key_file_is_read_and_never_made(tmp_path) -> None:
    path = tmp_path / "secret" / "recruitment.master"
    settings = load_settings(
        environ={
            "GRAVITY_DATA_DIR": str(tmp_path / "var"),
            "GRAVITY_RECRUITMENT_MASTER_KEY_FILE": str(path),
        }
    )
    assert component_master_key_path(settings, "recruitment") == path
    with pytest.raises(MasterKeyError, match="no master key"):
        component_master_key(settings, "recruitment")
    assert not path.exists()
    made = component_master_key(settings, "placement")  # not configured: made on first use
    assert component_master_key_path(settings, "placement").exists()
    assert component_master_key(settings, "placement").key_id == made.key_id
