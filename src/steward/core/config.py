"""Settings, read once from the environment (prefix STEWARD_) and passed in explicitly."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "development-only-secret-change-me"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    # Startup errors land in logs: never echo the values given (secret key, database password).
    model_config = SettingsConfigDict(
        env_prefix="STEWARD_", extra="ignore", hide_input_in_errors=True
    )

    env: Environment = Field(
        Environment.DEVELOPMENT,
        description="development (local, plain-HTTP cookies allowed), test, or production.",
    )
    data_dir: Path = Field(
        Path("var"),
        description="Directory holding the embedded database, the key file and document blobs.",
    )
    database_url: str | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the database. Unset: an encrypted SQLCipher file in data_dir. "
            "For scale-out: postgresql+psycopg://user@host/dbname."
        ),
    )
    key_file: Path | None = Field(
        None,
        description="Key file (key-encryption keys and the SQLCipher key). Default: data_dir/steward.key.",
    )
    secret_key: str = Field(
        DEFAULT_SECRET,
        description="Secret used to sign CSRF tokens. Must be set (32+ characters) in production.",
    )
    host: str = Field("127.0.0.1", description="Address `steward serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `steward serve` listens on.")
    session_hours: float = Field(
        8, gt=0, description="A signed-in session ends this many hours after it began."
    )
    session_idle_minutes: int = Field(
        30, gt=0, description="A session unused for this many minutes ends."
    )
    max_login_failures: int = Field(
        5, ge=1, description="Consecutive failed sign-ins after which an account is locked."
    )
    lockout_minutes: int = Field(15, ge=1, description="How long a locked account stays locked.")
    token_days: int = Field(
        90, ge=1, le=3650, description="An API token stops working this many days after it is made."
    )
    two_factor_required: bool | None = Field(
        None,
        description=(
            "Require two-factor sign-in for every role that reads case content or manages "
            "accounts: such a user is taken to set it up and can do nothing else until done. "
            "Unset: required everywhere except in development."
        ),
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted for forms and JSON."
    )
    max_upload_bytes: int = Field(
        25 * 1024 * 1024,
        ge=1024,
        description=(
            "Largest document file accepted by the upload page and the upload API. Only those "
            "two routes accept bodies this large; every other request keeps max_body_bytes."
        ),
    )
    intake_max_file_bytes: int = Field(
        25 * 1024 * 1024,
        ge=1024,
        description=(
            "Largest file a partner may submit (upload, API or `steward intake submit`); a "
            "larger one is refused whole with the code file.too_large."
        ),
    )
    break_glass_per_hour: int = Field(
        5, ge=1, description="Most break-glass openings one user may make in an hour."
    )
    break_glass_per_day: int = Field(
        10, ge=1, description="Most break-glass openings one user may make in 24 hours."
    )
    break_glass_alert_after: int = Field(
        3,
        ge=0,
        description=(
            "Break-glass openings by one user in 24 hours after which each further one "
            "raises an alert on the DPO's break-glass page."
        ),
    )
    api_rate_window_seconds: int = Field(
        60,
        ge=1,
        le=86_400,
        description=(
            "The window the API's rate limits count in, in seconds: each limit below is the "
            "most requests of its kind one API token may make in any such window. Past it, "
            "the API answers 429 with Retry-After."
        ),
    )
    api_rate_search: int = Field(
        60,
        ge=1,
        description="Full-text searches (/api/v1/search) one API token may make per window.",
    )
    api_rate_identity: int = Field(
        120,
        ge=1,
        description="Identity lookups (a person's details, people searches) one API token may make per window.",
    )
    api_rate_break_glass: int = Field(
        10,
        ge=1,
        description=(
            "Break-glass requests one API token may make per window (the per-user hourly and "
            "daily limits above apply besides)."
        ),
    )
    api_rate_other: int = Field(
        60,
        ge=1,
        description="Requests per window of any other operation marked rate-limited.",
    )
    jobs_url: str | None = Field(
        None,
        description=(
            "Queue for background jobs (a disposal run, re-dating, large imports). Unset: a "
            "queue file in data_dir read by a worker thread inside `steward serve`, no extra "
            "server. For several app processes: redis://host:6379/0 (every process then "
            "enqueues on, and works from, that Redis; needs the redis package)."
        ),
    )
    bank_holiday_region: str = Field(
        "ENG",
        description="UK bank-holiday region for statutory deadlines: ENG, WLS, SCT or NIR.",
    )

    organisation_name: str = Field(
        "Steward demonstration service",
        max_length=200,
        description="The organisation's name, printed at the head of every letter it sends.",
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        max_length=200,
        description=(
            "The address staff reach Steward at (https://steward.example.org), for the links "
            "in email sent without a web request, such as `steward training remind` from "
            "cron. Unset: such email names the page to open instead of linking to it."
        ),
    )
    smtp_host: str | None = Field(
        None,
        description=(
            "Mail server that sends the outbox's email (letters to requesters). Unset: each "
            "message is kept sealed in the database, readable on the Outbox page and with "
            "`steward outbox`, for staff to send another way."
        ),
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="Port of the mail server.")
    smtp_username: str | None = Field(
        None, description="User name to sign in to the mail server with. Unset: no sign-in."
    )
    smtp_password: SecretStr | None = Field(
        None, description="Password for smtp_username; never written to a log."
    )
    smtp_from: str = Field(
        "subject-access@steward.invalid",
        description="The From address of email the outbox sends.",
    )
    smtp_starttls: bool = Field(
        True,
        description=(
            "Upgrade the connection to TLS (STARTTLS) before signing in or sending. Turn off "
            "only for a relay on the same host."
        ),
    )

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.env is Environment.PRODUCTION and (
            self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "STEWARD_SECRET_KEY must be set to a random value of 32+ characters in production"
            )
        return self

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file or self.data_dir / "steward.key"

    @property
    def embedded_database_path(self) -> Path:
        return self.data_dir / "steward.db"

    @property
    def requires_two_factor(self) -> bool:
        if self.two_factor_required is not None:
            return self.two_factor_required
        return self.env is not Environment.DEVELOPMENT

    @property
    def cookies_secure(self) -> bool:
        return self.env is Environment.PRODUCTION


def get_settings() -> Settings:
    return Settings()
