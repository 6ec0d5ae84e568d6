"""Configuration: one YAML file with ``${VAR:default}`` substitution, read once per process."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from shared.production import production_problems
from shared.single_sign_on import SingleSignOnSettings, single_sign_on_settings

_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::([^}]*))?\}")
CONFIG_KEY = "GRAVITY"  # where a nameko container's config holds Gravity's own settings
DEVELOPMENT_SECRET = "gravity-development-secret-change-me"  # noqa: S105 - refused in production


class ConfigError(ValueError):
    """The configuration is missing something or would be unsafe to run with."""


def substitute(text: str, environ: Mapping[str, str]) -> str:
    """Replace ``${VAR}`` and ``${VAR:default}`` with values from ``environ``."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is None:
            raise ConfigError(f"configuration needs the environment variable {name}")
        return default

    return _VARIABLE.sub(replace, text)


@dataclass(frozen=True)
class Settings:
    """Everything a Gravity process needs to know about its surroundings."""

    environment: str
    data_dir: Path
    amqp_uri: str
    databases: dict[str, str]
    gateway_host: str
    gateway_port: int
    jwt_secret: str
    jwt_issuer: str
    log_format: str
    log_level: str
    services: tuple[str, ...] = ("recruitment",)
    relay: dict[str, Any] = field(default_factory=dict)
    rpc_timeout: float = 10.0
    jwt_max_ttl_seconds: int = 12 * 3600
    http: dict[str, Any] = field(default_factory=dict)
    keys_dir_setting: str = ""
    verification_secret: str = ""  # keys the public verification codes of serial numbers
    supervision: dict[str, Any] = field(default_factory=dict)  # gravity up's restart policy
    accounts: dict[str, Any] = field(default_factory=dict)  # sign-in, sessions, invitations
    metrics: dict[str, Any] = field(default_factory=dict)  # who scrapes /metrics, the broker's API
    # Authenticated producers (shared/events/producer_keys.py): a service's private key file
    # (empty: <keys_dir>/producers/<service>.key) and its public keys beside the key files.
    signing_keys: dict[str, str] = field(default_factory=dict)
    producer_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The broker user each producer publishes as (RabbitMQ validates a message's user_id against
    # the connection's user). Empty for a producer: its user is not checked, only its signature.
    broker_users: dict[str, str] = field(default_factory=dict)
    oidc: SingleSignOnSettings | None = None  # an OpenID Connect provider's tokens; None: off
    lookup_key_file: str = ""  # keys the ID-number digests (shared/lookup_digest.py)
    # Each component's master key file, wrapping its per-subject data keys (shared/privacy);
    # empty: <keys_dir>/privacy/<component>.master, made on first start.
    master_keys: dict[str, str] = field(default_factory=dict)
    retention: dict[str, Any] = field(default_factory=dict)  # how long personal fields stay

    @property
    def keys_dir(self) -> Path:
        """Where signing keys live (``<data_dir>/keys`` unless configured)."""
        return (
            Path(self.keys_dir_setting).expanduser()
            if self.keys_dir_setting
            else (self.data_dir / "keys")
        )

    def database_url(self, component: str) -> str:
        """A component's database URL; SQLite files under ``data_dir`` unless configured."""
        configured = self.databases.get(component, "")
        if configured:
            return configured
        return f"sqlite:///{self.data_dir / (component + '.db')}"

    @property
    def components(self) -> tuple[str, ...]:
        """Every component that owns a database: the event log, the gateway and each service."""
        return ("eventlog", "gateway", *self.services)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def check_safe_to_run(self) -> None:
        """A production process must never start with a placeholder secret or a default
        password; the error names every problem, one a line, so one restart can fix them all."""
        problems = production_problems(self)
        if problems:
            raise ConfigError(
                "refusing to start with GRAVITY_ENV=production:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
            )


def _key_list(value: Any) -> tuple[str, ...]:
    """Public keys given as a YAML list or as one comma-separated string (an env variable)."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def load_settings(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read the YAML config (the packaged default when ``path`` is None)."""
    environ = os.environ if environ is None else environ
    if path is None:
        path = environ.get("GRAVITY_CONFIG") or None
    if path is None:
        text = resources.files("shared").joinpath("default_config.yaml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(substitute(text, environ)) or {}
    raw.update(overrides or {})
    try:
        settings = Settings(
            environment=str(raw["environment"]),
            data_dir=Path(str(raw["data_dir"])).expanduser(),
            amqp_uri=str(raw["amqp_uri"]),
            databases={
                key: str(value or "") for key, value in (raw.get("databases") or {}).items()
            },
            gateway_host=str(raw["gateway"]["host"]),
            gateway_port=int(raw["gateway"]["port"]),
            # An empty variable reads as YAML null: it is an empty secret, not "None".
            jwt_secret=str(raw["auth"]["jwt_secret"] or ""),
            jwt_issuer=str(raw["auth"]["issuer"]),
            log_format=str(raw["logging"]["format"]),
            log_level=str(raw["logging"]["level"]),
            services=tuple(raw.get("services") or ("recruitment",)),
            relay=dict(raw.get("relay") or {}),
            rpc_timeout=float(raw.get("rpc_timeout", 10.0)),
            jwt_max_ttl_seconds=int(raw["auth"].get("max_token_ttl_seconds") or 12 * 3600),
            http=dict(raw.get("http") or {}),
            keys_dir_setting=str(raw.get("keys_dir") or ""),
            verification_secret=str((raw.get("honors") or {}).get("verification_secret") or ""),
            supervision=dict(raw.get("supervision") or {}),
            accounts=dict(raw.get("accounts") or {}),
            metrics=dict(raw.get("metrics") or {}),
            signing_keys={
                key: str(value or "") for key, value in (raw.get("signing_keys") or {}).items()
            },
            producer_keys={
                key: _key_list(value) for key, value in (raw.get("producer_keys") or {}).items()
            },
            broker_users={
                key: str(value or "") for key, value in (raw.get("broker_users") or {}).items()
            },
            oidc=single_sign_on_settings(raw.get("oidc") or {}, str(raw["auth"]["issuer"])),
            lookup_key_file=str(raw.get("lookup_key_file") or ""),
            master_keys={
                key: str(value or "") for key, value in (raw.get("master_keys") or {}).items()
            },
            retention=dict(raw.get("retention") or {}),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"configuration is incomplete or malformed: {error}") from error
    if settings.log_format not in ("json", "console"):
        raise ConfigError("logging.format must be json or console")
    return settings
