"""Domain errors carry a machine code from the public protocol.

Transports map them once (HTTP status, Socket.IO ack); nothing else inspects messages.
"""

from __future__ import annotations

from typing import ClassVar


class EntraideError(Exception):
    """Base class: `code` is the protocol's machine code, the message is for humans."""

    code: ClassVar[str] = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


class RateLimited(EntraideError):
    code = "rate_limited"


class Unavailable(EntraideError):
    code = "unavailable"


class DuplicateClientId(Exception):
    """Raised by a store when (author, client_id) already exists: the caller replays."""
