import pytest

from shared.config import DEVELOPMENT_SECRET, ConfigError, load_settings, substitute
from shared.logging import mask_personal_data
from shared.production import production_problems


def test_substitutes_variables_and_defaults():
    assert substitute("a=${A:1} b=${B:two}", {"A": "x"}) == "a=x b=two"


def test_a_variable_without_default_must_be_set():
    with pytest.raises(ConfigError, match="NEEDED"):
        substitute("${NEEDED}", {})


def test_defaults_give_sqlite_files_under_the_data_dir():
    settings = load_settings(environ={"GRAVITY_DATA_DIR": "/srv/gravity"})
    assert settings.database_url("recruitment") == "sqlite:////srv/gravity/recruitment.db"
    assert settings.amqp_uri == "amqp://guest:guest@127.0.0.1:5672/"
    assert settings.gateway_port == 8000


def test_a_configured_database_url_wins():
    settings = load_settings(environ={"GRAVITY_EVENTLOG_DB": "postgresql://db/log"})
    assert settings.database_url("eventlog") == "postgresql://db/log"


def production_settings(**environ):
    """A production configuration that is safe to run, with ``environ`` changing parts of it."""
    return load_settings(
        environ={
            "GRAVITY_ENV": "production",
            "GRAVITY_JWT_SECRET": "k7Qx2-from-the-vault-9fL3mZp8rT4wYb6n",
            "GRAVITY_VERIFICATION_SECRET": "Vq8-from-the-vault-3mZp8rT4wYb6nK7Qx2",
            "GRAVITY_AMQP_URI": "amqp://gravity:broker-from-the-vault@rabbitmq:5672/",
            **environ,
        }
    )


def test_production_refuses_the_development_secret():
    settings = load_settings(environ={"GRAVITY_ENV": "production"})
    with pytest.raises(ConfigError, match="GRAVITY_JWT_SECRET is empty or a placeholder"):
        settings.check_safe_to_run()


def test_production_refuses_a_placeholder_secret():
    with pytest.raises(ConfigError, match="GRAVITY_JWT_SECRET is empty or a placeholder"):
        production_settings(GRAVITY_JWT_SECRET="changeme").check_safe_to_run()


def test_production_refuses_a_secret_shorter_than_32_characters():
    with pytest.raises(ConfigError, match="GRAVITY_JWT_SECRET is shorter than 32 characters"):
        production_settings(GRAVITY_JWT_SECRET="s3cr3t-from-vault-20").check_safe_to_run()


def test_production_refuses_a_placeholder_or_short_verification_secret():
    settings = load_settings(environ={"GRAVITY_ENV": "production"})
    assert settings.verification_secret.startswith("gravity-development-")
    with pytest.raises(ConfigError, match="GRAVITY_VERIFICATION_SECRET is empty or a placeholder"):
        settings.check_safe_to_run()
    short = production_settings(GRAVITY_VERIFICATION_SECRET="s3cr3t-from-vault-20")
    with pytest.raises(ConfigError, match="GRAVITY_VERIFICATION_SECRET is shorter than 32"):
        short.check_safe_to_run()


def test_production_refuses_the_default_rabbitmq_password():
    settings = production_settings(GRAVITY_AMQP_URI="amqp://guest:guest@rabbitmq:5672/")
    with pytest.raises(ConfigError, match=r"RabbitMQ password .* is a default"):
        settings.check_safe_to_run()


def test_production_refuses_a_postgres_database_with_a_default_password():
    settings = production_settings(
        GRAVITY_RECRUITMENT_DB="postgresql+psycopg2://gravity:postgres@db:5432/recruitment"
    )
    with pytest.raises(ConfigError, match=r"the recruitment database password .* is a default"):
        settings.check_safe_to_run()


def test_a_refusal_names_every_problem_on_its_own_line():
    settings = load_settings(environ={"GRAVITY_ENV": "production", "GRAVITY_JWT_SECRET": ""})
    with pytest.raises(ConfigError) as refusal:
        settings.check_safe_to_run()
    assert str(refusal.value).splitlines()[1:] == [
        "  - GRAVITY_JWT_SECRET is empty or a placeholder",
        "  - GRAVITY_VERIFICATION_SECRET is empty or a placeholder",
        "  - the RabbitMQ password (GRAVITY_RABBITMQ_PASSWORD) is a default",
    ]


def test_production_runs_with_real_secrets_and_sqlite_files():
    settings = production_settings(
        GRAVITY_EVENTLOG_DB="postgresql+psycopg2://gravity:db-from-the-vault@db:5432/eventlog"
    )
    assert production_problems(settings) == []
    settings.check_safe_to_run()


def test_development_runs_with_the_development_secret_and_default_passwords():
    settings = load_settings(
        environ={"GRAVITY_EVENTLOG_DB": "postgresql+psycopg2://gravity:postgres@db/eventlog"}
    )
    assert settings.jwt_secret == DEVELOPMENT_SECRET
    settings.check_safe_to_run()


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ConfigError):
        load_settings(environ={"GRAVITY_LOG_FORMAT": "xml"})


def test_personal_data_never_reaches_a_log_line():
    line = mask_personal_data(None, "info", {"name": "张三", "id_number": "x", "student_id": "s"})
    assert line == {"name": "[masked]", "id_number": "[masked]", "student_id": "s"}


def test_every_field_a_contract_marks_personal_is_masked_in_log_lines():
    from shared.contracts import personal_field_names

    marked = personal_field_names()
    assert {"name", "phone", "id_number", "contact_person", "contact_phone"} <= marked
    assert "insured_person" in marked
    line = mask_personal_data(None, "info", dict.fromkeys(marked, "secret") | {"student_id": "s"})
    assert set(line.values()) == {"[masked]", "s"}
