"""Brand staff accounts: roles and the sign-in backoff rule."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

LOCK_AFTER = 5  # failed sign-ins in a row before the account backs off
LOCK_BASE = timedelta(minutes=1)
LOCK_MAX = timedelta(hours=1)


class Role(enum.StrEnum):
    MODERATOR = "moderator"
    ADMIN = "admin"


@dataclass(slots=True)
class Staff:
    id: str
    email: str
    name: str
    role: Role
    password_hash: str
    created_at: datetime
    failed_logins: int = 0
    locked_until: datetime | None = None
    # Sessions carry the epoch they were opened in; signing out bumps it, so every copy
    # of an earlier session cookie stops working at once.
    session_epoch: int = 0
    # The weekly insights digest by e-mail, in this language (None: not wanted).
    digest_lang: str | None = None

    def public(self) -> dict[str, str | None]:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role.value,
                "digest_lang": self.digest_lang}  # fmt: skip


def lock_duration(failed_logins: int) -> timedelta | None:
    """Exponential backoff once LOCK_AFTER failures pile up: 1, 2, 4... minutes, capped."""
    if failed_logins < LOCK_AFTER:
        return None
    doublings = min(failed_logins - LOCK_AFTER, 10)
    return min(LOCK_BASE * (1 << doublings), LOCK_MAX)
