"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app

from app.services.views import mail_stats_view
from app.web.deps import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
async def readyz() -> tuple[dict[str, Any], int]:
    """The store (and Redis, when configured) answer: safe to route traffic here."""
    checks: dict[str, str] = {}
    try:
        await services().readiness.check_store()
        checks["store"] = "ok"
    except Exception as exc:
        checks["store"] = f"down: {type(exc).__name__}"
    redis = current_app.extensions.get("entraide.redis")
    if redis is not None:
        try:
            await redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"down: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    body: dict[str, Any] = {"status": "ok" if ready else "unavailable", "checks": checks}
    mail = services().mail
    if mail.available and checks["store"] == "ok":
        # E-mail trouble does not stop the chat: reported, never a reason for 503.
        body["details"] = {"mail": mail_stats_view(await mail.stats())}
    return body, 200 if ready else 503
