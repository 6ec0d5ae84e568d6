"""The operator's docker-compose.yml and the image's entrypoint, read without running anything.

tests/e2e/test_compose_stack.py runs the stack for real; these catch the slips that are cheap
to catch early: a service the configuration knows but the stack does not run, an undocumented
variable, a published broker port, a password that breaks a URL, a production start with a
placeholder secret.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from shared.config import ConfigError, Settings, load_settings
from shared.messaging.topology import amqp_parameters
from shared.production import production_problems

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")
INFRASTRUCTURE = {"rabbitmq", "postgres"}
ONE_SHOT = {"migrate", "broker-users"}
BROKER_PASSWORDS = "/var/lib/gravity/broker"
PLACEHOLDER = "development-only-change-me"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text("utf-8"))
    return loaded


def stack_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose()["services"]
    return services


def gravity_processes() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in stack_services().items()
        if name not in INFRASTRUCTURE | ONE_SHOT
    }


def entrypoint() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gravity_entrypoint", REPO / "deploy" / "image" / "entrypoint.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def container_settings(**environ: str) -> Settings:
    """Settings as a container of the stack sees them, after the entrypoint's derivation."""
    module = entrypoint()
    base = {
        "GRAVITY_RABBITMQ_HOST": "rabbitmq",
        "GRAVITY_DB_HOST": "postgres",
        **environ,
    }
    derived = module.connection_environment(base, load_settings(environ=base).components)
    return load_settings(environ={**base, **derived})


def test_every_configured_service_runs_in_the_stack_from_the_one_image() -> None:
    configured = load_settings(environ={}).services
    processes = gravity_processes()
    assert set(processes) == {"eventlog", "gateway", "projector", *configured}
    images = {service["image"] for service in processes.values()}
    assert images == {stack_services()["migrate"]["image"]}
    for name, service in processes.items():
        assert service["command"] == [name]
        assert service["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "rabbitmq": {"condition": "service_healthy"},
            "broker-users": {"condition": "service_completed_successfully"},
        }
        assert service["restart"] == "unless-stopped"


def test_each_service_has_a_database_of_its_own_named_after_it() -> None:
    settings = container_settings()
    assert {"recruitment", "placement", "volunteering"} <= set(settings.services)
    databases = {
        component: sa.engine.make_url(settings.database_url(component)).database
        for component in settings.components
    }
    assert databases == {component: component for component in settings.components}
    assert stack_services()["volunteering"]["command"] == ["volunteering"]


def test_only_the_gateway_is_published_and_its_port_is_configurable() -> None:
    published = {name: s["ports"] for name, s in stack_services().items() if "ports" in s}
    assert published == {
        "gateway": ["${GRAVITY_HTTP_BIND:-127.0.0.1}:${GRAVITY_HTTP_PORT:-8000}:8000"]
    }


def test_every_image_comes_from_the_environment_with_an_official_default() -> None:
    images = {name: service["image"] for name, service in stack_services().items()}
    assert images["rabbitmq"].startswith("${GRAVITY_RABBITMQ_IMAGE:-rabbitmq:")
    assert images["rabbitmq"].endswith("-management}")
    assert images["postgres"].startswith("${GRAVITY_POSTGRES_IMAGE:-postgres:")
    assert set(images.values()) - {images["rabbitmq"], images["postgres"]} == {
        "${GRAVITY_IMAGE:-gravity:local}"
    }
    build = stack_services()["gateway"]["build"]
    assert build["dockerfile"] == "deploy/Dockerfile"
    assert build["args"]["PYTHON_IMAGE"].startswith("${GRAVITY_PYTHON_IMAGE:-python:3.11")


def test_state_lives_in_named_volumes_and_every_long_running_service_is_health_checked() -> None:
    services = stack_services()
    assert set(compose()["volumes"]) == {
        "rabbitmq-data",
        "postgres-data",
        "eventlog-keys",
        "producer-keys",
        "documents-keys",
        "broker-passwords",
        "lookup-keys",
        "master-keys",
    }
    assert "eventlog-keys:/var/lib/gravity/keys" in services["eventlog"]["volumes"]
    producers = "producer-keys:/var/lib/gravity/keys/producers"
    assert f"{producers}:ro" in services["eventlog"]["volumes"]
    for producer in (*load_settings(environ={}).services, "gateway"):  # the gateway signs too
        assert producers in services[producer]["volumes"], producer
    assert "documents-keys:/var/lib/gravity/keys/documents" in services["gateway"]["volumes"]
    # Recruitment's ID-number lookup key: made by the migrate step, read by recruitment only.
    assert "lookup-keys:/var/lib/gravity/keys/lookup" in services["migrate"]["volumes"]
    assert "lookup-keys:/var/lib/gravity/keys/lookup:ro" in services["recruitment"]["volumes"]
    assert "rabbitmq-data:/var/lib/rabbitmq" in services["rabbitmq"]["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in INFRASTRUCTURE:
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "unless-stopped", name
    # The Gravity processes use the image's own HEALTHCHECK (deploy/image/healthcheck.py).
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text("utf-8")
    assert "\nHEALTHCHECK " in dockerfile
    assert "\nUSER 10001:10001" in dockerfile


def test_every_variable_the_stack_reads_is_documented_in_env_example() -> None:
    used = set(VARIABLE.findall(COMPOSE_FILE.read_text("utf-8")))
    documented = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert used == documented - {"COMPOSE_PROJECT_NAME"}


@pytest.mark.stack
def test_docker_compose_accepts_the_file() -> None:
    # Runs in the stack stage (`make stack`), which installs docker-compose first.
    command = shutil.which("docker-compose")
    assert command is not None, "docker-compose is missing: run deploy/ci/ensure-docker.sh"
    subprocess.run(
        [command, "-f", str(COMPOSE_FILE), "config", "--quiet"],
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_passwords_with_any_character_survive_the_connection_urls() -> None:
    password = "p@ss/w:rd%#?&= 密"
    settings = container_settings(
        GRAVITY_RABBITMQ_PASSWORD=password, GRAVITY_DB_PASSWORD=password, GRAVITY_DB_USER="app"
    )
    assert amqp_parameters(settings.amqp_uri)["password"] == password
    assert amqp_parameters(settings.amqp_uri)["virtual_host"] == "/"
    for component in ("eventlog", "gateway", *settings.services):
        url = sa.engine.make_url(settings.database_url(component))
        assert (url.username, url.password, url.host, url.database) == (
            "app",
            password,
            "postgres",
            component,
        )


def test_a_url_given_whole_wins_over_its_parts() -> None:
    settings = container_settings(GRAVITY_AMQP_URI="amqp://u:p@elsewhere:5673/gravity")
    assert settings.amqp_uri == "amqp://u:p@elsewhere:5673/gravity"


def test_a_production_start_refuses_placeholder_and_short_secrets() -> None:
    problems = entrypoint().production_problems(
        container_settings(
            GRAVITY_ENV="production",
            GRAVITY_RABBITMQ_PASSWORD=PLACEHOLDER,
            GRAVITY_DB_PASSWORD=PLACEHOLDER,
        )
    )
    assert problems == [
        "GRAVITY_JWT_SECRET is empty or a placeholder",
        "GRAVITY_VERIFICATION_SECRET is empty or a placeholder",
        "the RabbitMQ password (GRAVITY_RABBITMQ_PASSWORD) is a default",
        "the eventlog database password (GRAVITY_DB_PASSWORD) is a default",
    ]
    short = entrypoint().production_problems(
        container_settings(
            GRAVITY_ENV="production",
            GRAVITY_JWT_SECRET="too-short-but-real",
            GRAVITY_VERIFICATION_SECRET="y" * 8 + "a-long-enough-random-secret-value",
            GRAVITY_RABBITMQ_PASSWORD="s3cret-broker-pw",
            GRAVITY_DB_PASSWORD="s3cret-db-pw",
        )
    )
    assert short == ["GRAVITY_JWT_SECRET is shorter than 32 characters"]


def test_a_production_start_with_real_secrets_and_a_development_start_are_allowed() -> None:
    module = entrypoint()
    real = container_settings(
        GRAVITY_ENV="production",
        GRAVITY_JWT_SECRET="x" * 8 + "a-long-enough-random-secret-value",
        GRAVITY_VERIFICATION_SECRET="y" * 8 + "a-long-enough-random-secret-value",
        GRAVITY_RABBITMQ_PASSWORD="s3cret-broker-pw",
        GRAVITY_DB_PASSWORD="s3cret-db-pw",
    )
    assert module.production_problems(real) == []
    assert module.production_problems(container_settings(GRAVITY_DB_PASSWORD=PLACEHOLDER)) == []


def test_the_entrypoint_checks_with_the_rules_every_process_checks_with() -> None:
    assert entrypoint().production_problems is production_problems


def test_the_command_names_the_component_and_a_service_left_out_of_the_configuration_fails() -> (
    None
):
    module = entrypoint()
    settings = container_settings()
    assert module.command_for(["gateway"], settings)[1:] == ["-m", "gateway"]
    assert module.command_for(["projector"], settings)[1:] == ["-m", "gateway.projector"]
    assert module.command_for(["eventlog"], settings)[1:] == ["-m", "shared.eventlog"]
    assert module.command_for(["recruitment"], settings)[1:] == ["-m", "services.recruitment"]
    assert module.command_for(["gravity", "audit", "verify"], settings)[0].endswith("/gravity")
    assert module.command_for(["sh", "-c", "true"], settings) == ["sh", "-c", "true"]
    with pytest.raises(ConfigError, match="recruitment is a service"):
        module.command_for(["recruitment"], replace(settings, services=()))


# The projector asks the key owners for keys as the gateway does, so it logs in as the gateway.
BROKER_USER_OF = {"projector": "gateway"}


def broker_login(name: str, tmp_path: Path) -> dict[str, str | int]:
    """The broker login process ``name`` of the stack connects with, its password file read
    from ``tmp_path`` instead of the volume."""
    environment = dict(stack_services()[name]["environment"])
    user = BROKER_USER_OF.get(name, name)
    password_file = tmp_path / f"{user}.password"
    password_file.write_text(f"{user}-secret\n")
    assert environment["GRAVITY_RABBITMQ_PASSWORD_FILE"] == f"{BROKER_PASSWORDS}/{user}.password"
    environment["GRAVITY_RABBITMQ_PASSWORD_FILE"] = str(password_file)
    return amqp_parameters(entrypoint().amqp_uri(environment))


def test_each_process_connects_to_the_broker_as_its_own_user_never_as_guest_or_the_operator(
    tmp_path: Path,
) -> None:
    services = stack_services()
    operator = services["broker-users"]["environment"]["GRAVITY_RABBITMQ_USER"]
    for name, service in gravity_processes().items():
        login = broker_login(name, tmp_path)
        user = BROKER_USER_OF.get(name, name)
        assert (login["username"], login["password"]) == (user, f"{user}-secret")
        assert login["username"] not in {"guest", operator}
        # Nothing of the operator's login reaches the process: its password is blanked.
        assert service["environment"]["GRAVITY_RABBITMQ_PASSWORD"] == ""
        assert f"broker-passwords:{BROKER_PASSWORDS}:ro" in service["volumes"], name


def test_the_broker_users_step_makes_every_processs_user_with_the_operators_login() -> None:
    step = stack_services()["broker-users"]
    assert step["command"] == ["gravity", "broker-users", "--passwords", BROKER_PASSWORDS]
    assert step["restart"] == "no"
    assert step["depends_on"] == {"rabbitmq": {"condition": "service_healthy"}}
    assert f"broker-passwords:{BROKER_PASSWORDS}" in step["volumes"]
    assert step["environment"]["GRAVITY_RABBITMQ_PASSWORD"].startswith(
        "${GRAVITY_RABBITMQ_PASSWORD:-"
    )
    assert "GRAVITY_RABBITMQ_PASSWORD_FILE" not in step["environment"]
    assert "/var/lib/gravity/broker" in (REPO / "deploy" / "Dockerfile").read_text("utf-8")


def test_every_producer_is_registered_with_its_own_broker_user() -> None:
    environment = stack_services()["eventlog"]["environment"]
    registered = {k: str(v) for k, v in environment.items() if k.endswith("_BROKER_USER")}
    settings = load_settings(environ=registered)
    producers = (*settings.services, "gateway")
    assert settings.broker_users == {producer: producer for producer in producers}
    for name in gravity_processes():
        assert stack_services()[name]["environment"]["GRAVITY_RECRUITMENT_BROKER_USER"] == (
            "recruitment"
        )


def test_a_missing_broker_password_file_is_refused_by_name(tmp_path: Path) -> None:
    missing = tmp_path / "recruitment.password"
    with pytest.raises(ConfigError, match=str(missing)):
        entrypoint().amqp_uri(
            {"GRAVITY_RABBITMQ_HOST": "rabbitmq", "GRAVITY_RABBITMQ_PASSWORD_FILE": str(missing)}
        )
