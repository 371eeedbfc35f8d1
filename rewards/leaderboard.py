"""Leaderboards computed from the ledger: the reference every faster version must match.

Definitions (also in docs/rewards.md):
- A board is a period (`rewards.periods`) and a scope: global, one room, one category
  (room and category together filter on both).
- A visitor's points on a board: the sum of their *active* entries whose `created_at` is in
  the period and whose room/category match. A revoked entry counts nowhere, whenever it
  was earned; a bonus given without a room or category counts only on global boards.
- `reached_at`: the `created_at` of their latest non-zero entry on the board. Entries are
  never negative, so this is when they reached their current score.
- Only visitors with more than 0 points appear; `disqualified` visitors are left out and
  the others close ranks.
- Order: more points first; then earlier `reached_at`, compared to the whole second; then
  visitor id in *descending* byte order. The last rule is arbitrary but matches Redis: equal
  sorted-set scores come back in reverse member order from ZREVRANGE, so the Redis board
  needs no re-sorting. Ranks are 1, 2, 3... with no shared ranks.

`leaderboard_score` packs (points, reached_at second) into one integer for a Redis sorted
set, so ZREVRANGE / ZREVRANK give exactly this order.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from rewards.ledger import LedgerEntry, require_aware
from rewards.periods import PARIS, PERIODS, Period, in_period, period_bounds, period_key


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One contributor on a kept leaderboard bucket, as the store or Redis returns it."""

    visitor_id: str
    points: int
    reached_at: datetime


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    visitor_id: str
    points: int
    reached_at: datetime


@dataclass(frozen=True, slots=True)
class Board:
    """One bucket a store or Redis keeps: `key` from `period_key`, scope room or category."""

    period: Period
    key: str
    room: str | None = None
    category: str | None = None

    @property
    def id(self) -> str:
        """What stores and Redis name the bucket by: 'week:2026-W47:room:<key>', 'all:all'."""
        if self.room is not None:
            return f"{self.key}:room:{self.room}"
        if self.category is not None:
            return f"{self.key}:category:{self.category}"
        return f"{self.key}:all"


def board_for(
    period: Period,
    now: datetime,
    *,
    room: str | None = None,
    category: str | None = None,
    tz: tzinfo = PARIS,
) -> Board:
    """The kept bucket for the board of `period` containing `now`. With a room, the room's
    board: a room has one category, so filtering on it too changes nothing (callers check
    that the category is the room's)."""
    return Board(
        period,
        period_key(period, now, tz),
        room=room,
        category=None if room is not None else category,
    )


SCORE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_TIME_BITS = 32
_TIME_SPAN = 1 << _TIME_BITS
# points * 2**32 + 32 bits of time must stay below 2**53 to be exact in a double.
MAX_SCORE_POINTS = (1 << (53 - _TIME_BITS)) - 1


def _second(at: datetime) -> int:
    """Whole seconds since SCORE_EPOCH, rounded down (also before it: negative)."""
    return (at - SCORE_EPOCH) // timedelta(seconds=1)


def leaderboard_score(points: int, reached_at: datetime) -> int:
    """One sorted-set score: higher means ranked higher. `points * 2**32 + (2**32 - 1 - s)`.

    `s` is whole seconds from 2020-01-01 UTC to `reached_at`, so for equal points the
    earlier second scores higher. The value stays below 2**53, so it is exact as the double
    Redis keeps. Limits (ValueError beyond): 0 <= points <= 2,097,151 on one board;
    2020-01-01 <= reached_at < 2156-02-07. Two visitors with equal points reached in the
    same second tie; Redis then orders them by member, as the reference does.
    """
    second = _second(require_aware("reached_at", reached_at))
    if not 0 <= second < _TIME_SPAN:
        raise ValueError("reached_at is outside the score encoding's range (2020-2156)")
    if isinstance(points, bool) or not 0 <= points <= MAX_SCORE_POINTS:
        raise ValueError(f"points must be between 0 and {MAX_SCORE_POINTS} to encode")
    return points * _TIME_SPAN + (_TIME_SPAN - 1 - second)


def decode_leaderboard_score(score: float) -> tuple[int, datetime]:
    """(points, reached_at to the second) back from a score, e.g. ZREVRANGE WITHSCORES."""
    value = int(score)
    if value != score or not 0 <= value < (MAX_SCORE_POINTS + 1) * _TIME_SPAN:
        raise ValueError("not a leaderboard score")
    points, rest = divmod(value, _TIME_SPAN)
    return points, SCORE_EPOCH + timedelta(seconds=_TIME_SPAN - 1 - rest)


def add_to_score(score: float | None, points: int, created_at: datetime) -> int:
    """The score after adding a non-zero entry to a member's score (None: not on the board).

    What a Redis writer does per board from `boards_for(entry)`: ZSCORE, this, ZADD (in one
    Lua script or WATCH/MULTI so concurrent writers do not lose an update). Entries may
    arrive in any order: reached_at is the latest, as in the reference.
    """
    if points <= 0:
        raise ValueError("only entries with points move a score")
    if score is None:
        return leaderboard_score(points, created_at)
    held, reached = decode_leaderboard_score(score)
    return leaderboard_score(held + points, max(reached, created_at))


def _matches(entry: LedgerEntry, room: str | None, category: str | None) -> bool:
    return (room is None or entry.room == room) and (category is None or entry.category == category)


def tally(
    entries: Iterable[LedgerEntry],
    period: Period,
    now: datetime,
    *,
    room: str | None = None,
    category: str | None = None,
    tz: tzinfo = PARIS,
) -> dict[str, tuple[int, datetime]]:
    """visitor id -> (points, reached_at) on one board, for visitors with points > 0.

    What a store or Redis adapter recomputes for the visitors a revocation touched.
    """
    start, end = period_bounds(period, now, tz)
    totals: dict[str, tuple[int, datetime]] = {}
    for e in entries:
        if not e.active or e.points == 0 or not _matches(e, room, category):
            continue
        if not in_period(e.created_at, start, end):
            continue
        points, reached = totals.get(e.visitor_id, (0, e.created_at))
        totals[e.visitor_id] = (points + e.points, max(reached, e.created_at))
    return totals


def order(totals: dict[str, tuple[int, datetime]]) -> list[str]:
    """Visitor ids in board order (see the module docstring)."""
    by_member = sorted(totals, key=lambda v: v.encode(), reverse=True)
    return sorted(by_member, key=lambda v: (-totals[v][0], _second(totals[v][1])))


def leaderboard(
    entries: Iterable[LedgerEntry],
    period: Period,
    now: datetime,
    *,
    room: str | None = None,
    category: str | None = None,
    limit: int | None = 50,
    disqualified: AbstractSet[str] = frozenset(),
    tz: tzinfo = PARIS,
) -> list[Standing]:
    """The board for the period containing `now`: the top `limit` (all if None)."""
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    totals = tally(entries, period, now, room=room, category=category, tz=tz)
    for visitor_id in disqualified:
        totals.pop(visitor_id, None)
    ranked = order(totals)
    if limit is not None:
        ranked = ranked[:limit]
    return [
        Standing(rank, visitor_id, totals[visitor_id][0], totals[visitor_id][1])
        for rank, visitor_id in enumerate(ranked, start=1)
    ]


def rank_of(
    visitor_id: str,
    entries: Iterable[LedgerEntry],
    period: Period,
    now: datetime,
    *,
    room: str | None = None,
    category: str | None = None,
    disqualified: AbstractSet[str] = frozenset(),
    tz: tzinfo = PARIS,
) -> Standing | None:
    """A visitor's standing on a board (None if not on it), beyond any top-N limit."""
    board = leaderboard(
        entries,
        period,
        now,
        room=room,
        category=category,
        limit=None,
        disqualified=disqualified,
        tz=tz,
    )
    return next((s for s in board if s.visitor_id == visitor_id), None)


def boards_for(entry: LedgerEntry, tz: tzinfo = PARIS) -> tuple[Board, ...]:
    """Every bucket an entry counts in: 3 periods x (global, its room, its category).

    A Redis writer adds the entry's points to each of these; `leaderboard` with the same
    period and scope reads the same entries. Room + category boards are not kept: a room
    has one category, so they equal the room board.
    """
    boards = []
    for period in PERIODS:
        key = period_key(period, entry.created_at, tz)
        boards.append(Board(period, key))
        if entry.room is not None:
            boards.append(Board(period, key, room=entry.room))
        if entry.category is not None:
            boards.append(Board(period, key, category=entry.category))
    return tuple(boards)


def totals_by_board(
    entries: Iterable[LedgerEntry], tz: tzinfo = PARIS
) -> dict[tuple[str, str], tuple[int, datetime]]:
    """(board id, visitor id) -> (points, reached_at to the whole second) for every bucket
    the active, non-zero entries count in: what a store keeps per board. For each bucket it
    equals `tally` of that board, with reached_at rounded down to its second (the only
    precision the order uses)."""
    totals: dict[tuple[str, str], tuple[int, datetime]] = {}
    for e in entries:
        if not e.active or e.points == 0:
            continue
        second = e.created_at.replace(microsecond=0)
        for board in boards_for(e, tz):
            key = (board.id, e.visitor_id)
            points, reached = totals.get(key, (0, second))
            totals[key] = (points + e.points, max(reached, second))
    return totals
