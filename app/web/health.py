"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from quart import Blueprint, current_app

from app.services.views import mail_stats_view
from app.web.deps import services

bp = Blueprint("health", __name__)
CHECK_WITHIN = 1.0  # seconds: a load balancer gets an answer fast, naming what is down


async def _check(probe: Awaitable[Any]) -> str:
    try:
        await asyncio.wait_for(probe, CHECK_WITHIN)
    except TimeoutError:
        return f"down: no answer within {CHECK_WITHIN:g} s"
    except Exception as exc:
        return f"down: {type(exc).__name__}"
    return "ok"


@bp.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
async def readyz() -> tuple[dict[str, Any], int]:
    """The store (and Redis, when configured) answer: safe to route traffic here."""
    probes = {"store": services().readiness.check_store()}
    redis = current_app.extensions.get("entraide.redis")
    if redis is not None:
        probes["redis"] = redis.ping()
    results = await asyncio.gather(*map(_check, probes.values()))
    checks = dict(zip(probes, results, strict=True))
    ready = all(v == "ok" for v in checks.values())
    body: dict[str, Any] = {"status": "ok" if ready else "unavailable", "checks": checks}
    mail = services().mail
    if mail.available and checks["store"] == "ok":
        # E-mail trouble does not stop the chat: reported, never a reason for 503.
        body["details"] = {"mail": mail_stats_view(await mail.stats())}
    return body, 200 if ready else 503
