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


def leaderboard(period_key: str, room: str | None = None, category: str | None = None) -> str:
    """One sorted set per board: `entraide:lb:week:2026-W47:room:<key>` (global: `:all`)."""
    scope = f"room:{room}" if room else f"category:{category}" if category else "all"
    return f"{PREFIX}:lb:{period_key}:{scope}"


def leaderboard_pattern() -> str:
    return f"{PREFIX}:lb:*"


def disqualified() -> str:
    return f"{PREFIX}:lb-disqualified"
