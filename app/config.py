"""Configuration from `ENTRAIDE_*` environment variables, validated once at start.

A wrong value stops the process with a message naming the variable, never at first request.
Every variable name lives here and only here.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from moderation.thresholds import CategoryThresholds
from rewards.rules import DEFAULT_RULES, PointsRules

DEFAULT_DATA_DIR = Path("var")


class ConfigError(Exception):
    """Raised at start when the environment holds a setting we cannot run with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ENTRAIDE_", extra="ignore", frozen=True, arbitrary_types_allowed=True
    )

    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'entraide.db'}"
    redis_url: str | None = None
    secret_key: str | None = Field(default=None, min_length=32)
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto `entraide run` believes (IPs or
    # CIDR networks, comma-separated, or "*"). Empty: none; the TCP peer is the client.
    forwarded_allow_ips: Annotated[tuple[str, ...], NoDecode] = ()
    public_url: str | None = None
    env: Literal["development", "production"] = "development"
    # Limits (protocol: each refusal is a clear error code and stores nothing).
    max_body_chars: int = Field(default=2000, ge=100, le=20_000)
    max_event_bytes: int = Field(default=16_384, ge=1024, le=1_048_576)
    # Packets waiting for a socket that stopped reading before it is dropped (it then
    # reconnects and joins with `since`).
    max_queued_packets: int = Field(default=1000, ge=5, le=100_000)
    write_rate: str = "20/minute;5/5second"
    visitor_rate: str = "10/hour"
    room_rate: str = "60/hour"  # new product rooms opened per client address
    similar_limit: int = Field(default=5, ge=1, le=20)
    # Look-alikes by meaning across French and English (the [semantic] extra): "auto" uses
    # it when it is installed and the CPU can run it, "on" refuses to start without it,
    # "off" keeps lexical search (docs/knowledge.md).
    semantic: Literal["auto", "on", "off"] = "auto"
    # Moderation: detector thresholds and SLAs per category, as JSON (docs/moderation.md):
    # {"default": {"unanswered_sla_minutes": 10}, "categories": {"kayaks": {...}}}
    moderation: Annotated[CategoryThresholds, NoDecode] = CategoryThresholds()
    # Rewards: point values and anti-gaming limits, as JSON (docs/rewards.md), e.g.
    # {"accepted": 20, "daily_cap_per_giver": 25, "fast_first_answer_minutes": 15}
    points: Annotated[PointsRules, NoDecode] = DEFAULT_RULES
    claim_minutes: float = Field(default=10, gt=0, le=24 * 60)
    respond_minutes: float = Field(default=15, gt=0, le=7 * 24 * 60)
    sweeper: Literal["inprocess", "off"] = "inprocess"
    # Who sends the e-mail queue: this process, or ("off") the `entraide sweep` worker, so
    # SMTP conversations never share the chat's event loop (bench/README.md, issue 10).
    mail_worker: Literal["inprocess", "off"] = "inprocess"
    sweep_seconds: float = Field(default=5, gt=0, le=3600)
    # The shop signs its customers' ids with this secret so two visitor identities of one
    # customer count as one person (docs/api.md, "Verified shopper identity").
    shopper_secret: str | None = Field(default=None, min_length=16)
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, min_length=16)
    # Insights: the shop's days (KPIs per day, the Monday digest) and, optionally, what one
    # customer-service contact costs it in euros (deflected contacts -> estimated savings).
    timezone: str = "Europe/Paris"
    cost_per_contact: float | None = Field(default=None, ge=0, le=10_000)
    digest_dir: Path = DEFAULT_DATA_DIR / "digests"  # where the Monday digests are written
    # E-mail (docs/mail.md): smtp://[user:password@]host:port or smtps://...; unset, no
    # e-mail is ever sent and the widget offers none. Links in e-mails start with public_url.
    smtp_url: str | None = None
    # Retention (days): public questions and answers (unset: kept), private and held ones.
    retention_days: int | None = Field(default=None, ge=1, le=36_500)
    private_retention_days: int = Field(default=90, ge=1, le=36_500)
    # The shop's server authenticates its purchase feed with this key (docs/mail.md).
    shop_api_key: str | None = Field(default=None, min_length=24)
    mail_from: str | None = None  # default: Entraide <no-reply@the public URL's host>

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "mongodb://", "mongodb+srv://")):
            raise ValueError("must start with sqlite:/// or mongodb:// (or mongodb+srv://)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Europe/Paris") from None
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// or smtps://")
        return value or None

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("moderation", mode="before")
    @classmethod
    def _thresholds(cls, value: object) -> object:
        if isinstance(value, str):
            return CategoryThresholds.from_mapping(_json_object(value))
        return value

    @field_validator("points", mode="before")
    @classmethod
    def _points_rules(cls, value: object) -> object:
        if isinstance(value, str):
            return PointsRules.from_mapping(_json_object(value))
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value or None

    @field_validator("write_rate", "visitor_rate", "room_rate")
    @classmethod
    def _rate_syntax(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError("use the limits syntax, e.g. '20/minute;5/5second'") from None
        return value

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _proxy_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        for item in value if isinstance(value, list | tuple) else ():
            if item == "*":
                continue
            try:
                ipaddress.ip_network(str(item), strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network like 10.0.0.0/8 (or *)"
                ) from None
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
    def sender(self) -> str:
        """The From of every e-mail."""
        if self.mail_from:
            return self.mail_from
        return f"Entraide <no-reply@{urlsplit(self.public_url or '').hostname or 'localhost'}>"

    @property
    def data_dir(self) -> Path:
        if self.database_url.startswith("sqlite:///"):
            return Path(self.sqlite_path).parent
        return DEFAULT_DATA_DIR


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError("must be a JSON object")
    return data


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
    if settings.webhook_url and not settings.webhook_secret:
        raise ConfigError("ENTRAIDE_WEBHOOK_SECRET is required with ENTRAIDE_WEBHOOK_URL")
    if settings.smtp_url and not settings.public_url:
        raise ConfigError(
            "ENTRAIDE_PUBLIC_URL is required with ENTRAIDE_SMTP_URL (links in e-mails)"
        )
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
