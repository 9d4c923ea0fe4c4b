"""Typed settings, grouped by concern, read from the environment (prefix ``AMINA_``).

Built once by :func:`load_settings` in the composition root; never at import time.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from amina.domain.push_endpoints import DEFAULT_PUSH_SERVICES

#: The secret used when none is set: fine in development mode, refused in production.
DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 (a placeholder, refused in production)


class Environment(StrEnum):
    """Production unless asked: development and test are *development mode* (the local SMS
    gateway and ``/dev/sms``, the sandbox checkout, ``--clock``); ``./dev serve`` asks for
    development, the test fixtures for test (docs/operations.md, "Production unless asked")."""

    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AMINA_", env_file=None, extra="ignore")

    env: Environment = Field(
        default=Environment.production,
        description="production (the default), development or test. Development mode (the "
        "local SMS gateway and /dev/sms, the sandbox checkout, --clock) only when asked.",
    )
    database_url: str = Field(
        default="sqlite:///./amina.sqlite3",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL: a SQLite file by default; postgresql://... in production.",
    )
    secret_key: str = Field(
        default=DEVELOPMENT_SECRET,
        description="Signs staff session cookies and CSRF tokens. `amina serve` refuses to start "
        "in production without it.",
    )
    clock: str = Field(
        default="system",
        description="'system', 'fixed:2025-11-05T09:00:00+03:00' or 'offset:+3d'. Only outside "
        "production.",
    )
    host: str = Field(default="127.0.0.1", description="Address `amina serve` binds to.")
    port: int = Field(default=8000, description="Port `amina serve` listens on.")
    workers: int = Field(default=1, description="Number of uvicorn worker processes.")
    scheduler: bool = Field(
        default=True, description="Run the scheduler (jobs) inside `amina serve`."
    )
    scheduler_lease_seconds: float = Field(
        default=30,
        gt=0,
        description="How long the scheduler leader holds its lease without renewing it: a "
        "killed leader is replaced at most this long (plus one tick) later. Only outside "
        "production; tests shorten it.",
    )
    scheduler_tick_seconds: float = Field(
        default=5,
        gt=0,
        description="How often each replica renews (or tries to take) the scheduler lease and "
        "looks for due jobs; shorter than the lease. Only outside production.",
    )
    log_json: bool = Field(default=True, description="Structured JSON logs on stdout.")
    log_level: str = Field(default="INFO", description="Log level for application logs.")
    secure_cookies: bool = Field(
        default=True,
        description="Mark every cookie Secure (staff session, sign-in form, language). Browsers "
        "accept Secure cookies on http://localhost and http://127.0.0.1 too.",
    )
    staff_throttle_free_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed staff sign-ins from one address (within an hour) before each further "
        "attempt from it has to wait: 1 s, 2 s, 4 s ... (no account is ever locked).",
    )
    staff_throttle_max_delay_seconds: int = Field(
        default=900, ge=1, description="The longest wait for one address."
    )
    staff_throttle_account_free_attempts: int = Field(
        default=10,
        ge=1,
        description="Failed sign-ins on one account, from anywhere, before its attempts wait.",
    )
    staff_throttle_account_max_delay_seconds: int = Field(
        default=60,
        ge=1,
        description="The longest wait for one account: short, so that nobody can keep its "
        "owner out.",
    )
    staff_session_hours: int = Field(default=8, description="Lifetime of a staff console session.")
    public_base_url: str | None = Field(
        default=None,
        description="The address people and hosts reach the service at, e.g. "
        "https://amina.example.ru: every link that leaves the server starts with it (the QR "
        "codes of slips, receipts and tickets, the link a web push notification opens, the "
        "payment provider's return address). Default: the address `amina serve` was started "
        "on, http://<host>:<port>.",
    )
    payment_provider: str = Field(
        default="sandbox",
        description="Who collects the patent's payments: 'sandbox' (the built-in test acquirer "
        "with its checkout page; refused in production) or 'none' (payment shown as "
        "unavailable).",
    )
    payment_secret: str = Field(
        default="development-only-payment-secret",
        description="Signs the payment provider's callbacks and checkout references (HMAC).",
    )
    payment_intent_minutes: int = Field(
        default=30, description="How long a patent payment's checkout stays open."
    )
    push_services: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PUSH_SERVICES),
        description="Host names of the web push services the server sends to (JSON list; "
        "'*.example.com' allows every name below). Default: the browser vendors' services.",
    )
    push_subscriptions_per_person: int = Field(
        default=5,
        ge=1,
        description="Active web push subscriptions one person may have; a new browser beyond "
        "that replaces the oldest.",
    )
    push_local_endpoints: list[str] = Field(
        default_factory=list,
        description="Development and tests only: origins (http://127.0.0.1:PORT) of a local "
        "push endpoint the server may send web push to besides the push services, e.g. the "
        "end-to-end test's receiver (JSON list). Refused in production.",
    )
    data_dir: Path = Field(
        default=Path("./var"), description="Where local gateways keep files (VAPID keys etc.)."
    )

    audit_checkpoint_dir: Path | None = Field(
        default=None,
        description="Where signed audit checkpoints are written and read: outside the "
        "database, ideally storage the database's administrators cannot change. Default: "
        "<data_dir>/audit-checkpoints.",
    )
    audit_signing_key_file: Path | None = Field(
        default=None,
        description="The Ed25519 private key (PEM, `amina audit keygen`) that signs audit "
        "checkpoints. Never on the database server nor in its backups. Without it (and "
        "without audit_signing_key) this process writes no checkpoints.",
    )
    audit_signing_key: SecretStr | None = Field(
        default=None,
        description="The same private key as PEM text, for secret stores that hand keys over "
        "as environment variables. The file wins when both are set.",
    )
    audit_public_key_files: list[Path] = Field(
        default_factory=list,
        description="Public keys (PEM) trusted to verify audit checkpoints besides the signing "
        "key's own: keys rotated out, or every key on a machine that only verifies (JSON list).",
    )

    @property
    def checkpoint_dir(self) -> Path:
        """Where audit checkpoints go (``audit_checkpoint_dir`` or its default)."""
        return self.audit_checkpoint_dir or self.data_dir / "audit-checkpoints"

    @model_validator(mode="after")
    def _lease_outlives_ticks(self) -> Settings:
        if self.scheduler_tick_seconds >= self.scheduler_lease_seconds:
            raise ValueError(
                "AMINA_SCHEDULER_TICK_SECONDS must be shorter than AMINA_SCHEDULER_LEASE_SECONDS"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Environment.production

    @property
    def base_url(self) -> str:
        """``public_base_url`` without a trailing slash, or else the address the server was
        started on (``http://<host>:<port>``; an IPv6 host in brackets)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"http://{host}:{self.port}"

    def public_url(self, path: str) -> str:
        """The address of ``path`` (``/verify?code=…``) as people outside the server reach it."""
        return self.base_url + path

    @property
    def is_development_mode(self) -> bool:
        """Development or test: the local SMS gateway, /dev/sms, the sandbox, --clock."""
        return not self.is_production


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with explicit overrides (CLI flags) on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    # The overrides are untyped CLI values; pydantic validates them (Settings(**...) rather than
    # model_validate, so that the environment is still read).
    settings = Settings(**clean)  # type: ignore[arg-type]
    if settings.is_production:
        if settings.clock != "system":
            raise ValueError("--clock is accepted only outside production")
        if settings.push_local_endpoints:
            raise ValueError("AMINA_PUSH_LOCAL_ENDPOINTS is accepted only outside production")
        scheduler_defaults = (
            Settings.model_fields["scheduler_lease_seconds"].default,
            Settings.model_fields["scheduler_tick_seconds"].default,
        )
        if (settings.scheduler_lease_seconds, settings.scheduler_tick_seconds) != (
            scheduler_defaults
        ):
            raise ValueError(
                "AMINA_SCHEDULER_LEASE_SECONDS and AMINA_SCHEDULER_TICK_SECONDS are accepted "
                "only outside production"
            )
    return settings


def check_servable(settings: Settings) -> None:
    """Raise ValueError (with what to do) when these settings must not serve: production with
    the development secret. Only serving signs anything with the secret, so the other commands
    (``amina db upgrade``, ``amina staff ...``) run without it."""
    if settings.is_production and settings.secret_key == DEVELOPMENT_SECRET:
        raise ValueError(
            "AMINA_SECRET_KEY must be set in production. To try Amina on this machine, ask "
            "for development mode: ./dev serve, or AMINA_ENV=development amina serve"
        )
