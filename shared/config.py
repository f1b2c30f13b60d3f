"""One typed settings object for every Tipline process, read from TIPLINE_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = Path(__file__).resolve().parent / "rules"


class Settings(BaseSettings):
    """Tipline configuration; every field can be set as TIPLINE_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="TIPLINE_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'tipline.db'}",
        description="SQLAlchemy URL: sqlite:///path (embedded default) or postgresql+psycopg://...",
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Celery broker and shared indexes"
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "data" / "cambridge",
        description="Cambridge open data: wards, postcodes, places",
    )
    rules_dir: Path = Field(default=RULES_DIR, description="taxonomy.yaml, routes.yaml, teams.yaml")

    secret_key: SecretStr = Field(
        default=SecretStr("dev-only-secret-change-me"),
        description="Signs staff sessions and CSRF tokens; keys identifier hashes",
    )
    identifier_secret: SecretStr | None = Field(
        default=None,
        description="HMAC key for phone and registration matching (defaults to secret_key)",
    )
    contact_key: SecretStr | None = Field(
        default=None,
        description="Fernet key encrypting reporters' contact details at rest (derived from secret_key if unset)",
    )

    lease_minutes: int = Field(default=30, ge=1, le=24 * 60, description="Claim lease length")
    sweep_interval_seconds: float = Field(
        default=10.0, gt=0, description="How often stuck tips are re-published"
    )
    stuck_after_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A tip still 'received' this long after acceptance is re-published",
    )
    task_max_retries: int = Field(default=5, ge=0, le=20)
    task_retry_backoff_max: int = Field(
        default=60, ge=1, le=600, description="Longest retry delay, seconds"
    )
    rate_limit_per_minute: int = Field(
        default=30, ge=1, description="Public form submissions per client per minute"
    )
    api_rate_limit_per_minute: int = Field(
        default=600, ge=1, description="Phone API submissions per key per minute"
    )
    max_body_bytes: int = Field(default=64 * 1024, description="Largest accepted request body")
    contact_retention_days: int = Field(
        default=365, ge=1, description="Reporters' contact details are erased after this many days"
    )
    tip_retention_days: int = Field(
        default=2190, ge=1, description="Whole tips are erased after this many days (audit kept)"
    )
    secure_cookies: bool = Field(
        default=False, description="Mark session cookies Secure (set when served over HTTPS)"
    )
    proxy_hops: int = Field(
        default=0, ge=0, le=5, description="Reverse proxies in front whose X-Forwarded-* to trust"
    )
    log_level: str = Field(default="INFO")
    ingest_port: int = 8000
    router_port: int = 8001

    @field_validator("data_dir", "rules_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value if value.is_absolute() else (PROJECT_ROOT / value).resolve()

    @property
    def identifier_key(self) -> bytes:
        secret = self.identifier_secret or self.secret_key
        return secret.get_secret_value().encode()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
