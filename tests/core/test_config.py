"""Settings come from STEWARD_* environment variables, and production refuses to start with a
secret anyone could know."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from steward.core.config import DEFAULT_SECRET, Environment, Settings, get_settings

STRONG_SECRET = "q" * 32


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the variables they set, not the developer's or the CI's."""
    for name in list(os.environ):
        if name.startswith("STEWARD_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("secret", [DEFAULT_SECRET, "", "short", "x" * 31])
def test_production_refuses_a_default_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="STEWARD_SECRET_KEY"):
        Settings(env=Environment.PRODUCTION, secret_key=secret)


def test_production_refuses_to_start_when_no_secret_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_ENV", "production")
    with pytest.raises(ValidationError, match="STEWARD_SECRET_KEY"):
        get_settings()


def test_the_refusal_does_not_print_the_secrets_it_was_given() -> None:
    """Startup errors end up in logs; a near-miss secret or a database password must not."""
    with pytest.raises(ValidationError) as caught:
        Settings(
            env=Environment.PRODUCTION,
            secret_key="nearly-the-real-secret",
            database_url="postgresql+psycopg://steward:hunter2-db-password@db/steward",
        )
    assert "nearly-the-real-secret" not in str(caught.value)
    assert "hunter2-db-password" not in str(caught.value)


def test_production_accepts_a_long_secret_and_sends_secure_cookies() -> None:
    settings = Settings(env=Environment.PRODUCTION, secret_key=STRONG_SECRET)
    assert settings.cookies_secure


@pytest.mark.parametrize("env", [Environment.DEVELOPMENT, Environment.TEST])
def test_development_runs_with_the_default_secret_over_plain_http(env: Environment) -> None:
    settings = Settings(env=env)
    assert settings.secret_key == DEFAULT_SECRET
    assert not settings.cookies_secure


def test_settings_are_read_from_steward_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STEWARD_ENV", "production")
    monkeypatch.setenv("STEWARD_SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("STEWARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STEWARD_DATABASE_URL", "postgresql+psycopg://steward@db/steward")
    monkeypatch.setenv("STEWARD_MAX_LOGIN_FAILURES", "3")
    monkeypatch.setenv("STEWARD_SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("SECRET_KEY", "unprefixed variables are not ours")
    settings = get_settings()
    assert settings.env is Environment.PRODUCTION
    assert settings.secret_key == STRONG_SECRET
    assert settings.data_dir == tmp_path
    assert settings.database_url == "postgresql+psycopg://steward@db/steward"
    assert settings.max_login_failures == 3
    assert settings.session_idle_minutes == 10
    assert settings.resolved_key_file == tmp_path / "steward.key"
    assert settings.embedded_database_path == tmp_path / "steward.db"


def test_the_key_file_can_live_outside_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STEWARD_KEY_FILE", str(tmp_path / "keys" / "steward.key"))
    assert get_settings().resolved_key_file == tmp_path / "keys" / "steward.key"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STEWARD_PORT", "0"),
        ("STEWARD_PORT", "70000"),
        ("STEWARD_MAX_LOGIN_FAILURES", "0"),
        ("STEWARD_LOCKOUT_MINUTES", "0"),
        ("STEWARD_SESSION_HOURS", "0"),
        ("STEWARD_SESSION_IDLE_MINUTES", "-5"),
        ("STEWARD_ENV", "staging"),
    ],
)
def test_nonsense_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        get_settings()


def test_every_setting_is_described_for_operators() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and field.description.strip(), name
