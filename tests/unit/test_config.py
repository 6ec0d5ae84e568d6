import pytest

from shared.config import ConfigError, load_settings, substitute
from shared.logging import mask_personal_data


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


def test_production_refuses_the_default_secret():
    settings = load_settings(environ={"GRAVITY_ENV": "production"})
    with pytest.raises(ConfigError, match="GRAVITY_JWT_SECRET"):
        settings.check_safe_to_run()


def test_production_runs_with_a_real_secret():
    load_settings(
        environ={"GRAVITY_ENV": "production", "GRAVITY_JWT_SECRET": "s3cr3t-from-vault"}
    ).check_safe_to_run()


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ConfigError):
        load_settings(environ={"GRAVITY_LOG_FORMAT": "xml"})


def test_personal_data_never_reaches_a_log_line():
    line = mask_personal_data(None, "info", {"name": "张三", "id_number": "x", "student_id": "s"})
    assert line == {"name": "[masked]", "id_number": "[masked]", "student_id": "s"}
