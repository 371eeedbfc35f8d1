"""Domain errors carry a machine code from the public protocol.

Transports map them once (HTTP status, Socket.IO ack); nothing else inspects messages.
"""

from __future__ import annotations

from typing import Any, ClassVar


class EntraideError(Exception):
    """Base class: `code` is the protocol's machine code, the message is for humans, and
    `details` are extra fields of the wire error (e.g. `banned_until`)."""

    code: ClassVar[str] = "internal"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Invalid(EntraideError):
    code = "invalid"


class Unauthorized(EntraideError):
    code = "unauthorized"


class Forbidden(EntraideError):
    code = "forbidden"


class NotFound(EntraideError):
    code = "not_found"


class Conflict(EntraideError):
    code = "conflict"


class Unavailable(EntraideError):
    """Something this needs is not there: not set up (e-mail without SMTP), or out of reach
    for now (Redis down): try again later."""

    code = "unavailable"


class Stale(Conflict):
    """The entity changed since it was read (optimistic version check): the one write path
    re-reads and retries; a visitor never sees it."""


class RateLimited(EntraideError):
    code = "rate_limited"


class DuplicateClientId(Exception):
    """Raised by a store when (author, client_id) already exists: the caller replays."""
