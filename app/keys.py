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


def outbox_recovery_lock() -> str:
    """Held by the one process delivering items that a dead process left in the outbox."""
    return f"{PREFIX}:outbox:recovery"


def semantic_backfill_lock() -> str:
    """Held by the one process whose semantic backfill pass is running."""
    return f"{PREFIX}:semantic:backfill"


def leaderboard(board_id: str) -> str:
    """One sorted set per board (`rewards.leaderboard.Board.id`):
    `entraide:lb:week:2026-W47:room:<key>`, global all-time `entraide:lb:all:all`."""
    return f"{PREFIX}:lb:{board_id}"


def leaderboard_rebuild(board_id: str) -> str:
    """Where `entraide rebuild-leaderboards` builds a board before renaming it over the live
    one (outside `leaderboard_pattern`)."""
    return f"{PREFIX}:lb-rebuild:{board_id}"


def leaderboard_rebuild_pattern() -> str:
    return f"{PREFIX}:lb-rebuild:*"


def leaderboard_rebuilding() -> str:
    """Set while a rebuild runs: writers then note the visitors they touch."""
    return f"{PREFIX}:lb-rebuilding"


def leaderboard_touched() -> str:
    """Visitors whose boards changed during a rebuild: reset from the store after it."""
    return f"{PREFIX}:lb-touched"


def leaderboard_pattern() -> str:
    return f"{PREFIX}:lb:*"
