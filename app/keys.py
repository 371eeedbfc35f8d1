"""Every Redis key template, in one module (style.md rule 7)."""

from __future__ import annotations

PREFIX = "entraide"
RATE_LIMIT_PREFIX = f"{PREFIX}:rl"  # the `limits` library appends its own key parts


def presence(room: str) -> str:
    return f"{PREFIX}:presence:{room}"


def socketio_channel() -> str:
    return f"{PREFIX}:socketio"


def sweeper_lock() -> str:
    return f"{PREFIX}:sweeper:lock"
