"""Configuration from `ENTRAIDE_*` environment variables, validated once at start.

A wrong value stops the process with a message naming the variable, never at first request.
Every variable name lives here and only here.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Literal

from limits import parse_many
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class ConfigError(Exception):
    """Raised at start when the environment holds a setting we cannot run with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ENTRAIDE_", extra="ignore", frozen=True)

    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'entraide.db'}"
    redis_url: str | None = None
    secret_key: str | None = Field(default=None, min_length=32)
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()
    public_url: str | None = None
    env: Literal["development", "production"] = "development"
    # Limits (protocol: each refusal is a clear error code and stores nothing).
    max_body_chars: int = Field(default=2000, ge=100, le=20_000)
    max_event_bytes: int = Field(default=16_384, ge=1024, le=1_048_576)
    write_rate: str = "20/minute;5/5second"
    visitor_rate: str = "10/hour"
    similar_limit: int = Field(default=5, ge=1, le=20)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "mongodb://", "mongodb+srv://")):
            raise ValueError("must start with sqlite:/// or mongodb:// (or mongodb+srv://)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("write_rate", "visitor_rate")
    @classmethod
    def _rate_syntax(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError("use the limits syntax, e.g. '20/minute;5/5second'") from None
        return value

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v.strip().rstrip("/") for v in value.split(",") if v.strip()]
        for origin in value if isinstance(value, list | tuple) else ():
            if origin != "*" and not str(origin).startswith(("http://", "https://")):
                raise ValueError(f"{origin!r} is not an origin like https://shop.example")
        return value

    @property
    def sqlite_path(self) -> str:
        return self.database_url.removeprefix("sqlite:///")

    @property
    def data_dir(self) -> Path:
        if self.database_url.startswith("sqlite:///"):
            return Path(self.sqlite_path).parent
        return DEFAULT_DATA_DIR


def load_settings(**overrides: object) -> Settings:
    """Read the environment (plus test overrides) or raise ConfigError naming the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"ENTRAIDE_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
    if settings.secret_key is None:
        if settings.env == "production":
            raise ConfigError("ENTRAIDE_SECRET_KEY is required in production (32+ characters)")
        settings = settings.model_copy(update={"secret_key": _local_secret(settings.data_dir)})
    return settings


def _local_secret(folder: Path) -> str:
    """A development secret kept beside the data so visitor tokens survive restarts."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
