"""One mapping from domain errors to Socket.IO acknowledgements."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from app.domain.errors import EntraideError

log = logging.getLogger(__name__)
Ack = dict[str, Any]


def error_ack(code: str, message: str, **details: Any) -> Ack:
    return {"ok": False, "error": {"code": code, "message": message, **details}}


def acknowledged(
    handler: Callable[..., Awaitable[Ack]],
) -> Callable[..., Awaitable[Ack]]:
    """Turn domain errors into `{"ok": false, "error": ...}`; never leak a traceback."""

    @functools.wraps(handler)
    async def wrapper(*args: Any) -> Ack:
        try:
            return await handler(*args)
        except EntraideError as exc:
            return error_ack(exc.code, exc.message, **exc.details)
        except TypeError:
            # python-socketio passes one positional per emitted argument: wrong arity.
            return error_ack("invalid", "this event takes exactly one JSON object")
        except Exception:
            log.exception("socket handler %s failed", handler.__name__)
            return error_ack("unavailable", "something went wrong on our side; try again")

    return wrapper
