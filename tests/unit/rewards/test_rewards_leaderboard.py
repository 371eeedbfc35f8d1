"""Leaderboards: periods on the Paris calendar, scopes, tie-break, exclusions, score encoding."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import Invalid
from rewards import (
    MAX_SCORE_POINTS,
    PERIODS,
    SCORE_EPOCH,
    LedgerEntry,
    Reason,
    Standing,
    add_to_score,
    board_for,
    boards_for,
    decode_leaderboard_score,
    leaderboard,
    leaderboard_score,
    parse_period,
    period_bounds,
    period_key,
    rank_of,
    tally,
    totals_by_board,
)
from rewards.leaderboard import order
from tests.unit.rewards.factories import T0, entry


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- periods ---------------------------------------------------------------------------


def test_weeks_start_monday_midnight_in_paris() -> None:
    # Wednesday 18 November 2026: Paris is UTC+1.
    assert period_bounds("week", T0) == (utc(2026, 11, 15, 23), utc(2026, 11, 22, 23))
    # Sunday 22 November 23:30 in Paris is still that week, though it is Sunday 22:30 UTC;
    # Monday 00:30 in Paris is the next one, though UTC still says Sunday.
    assert period_key("week", utc(2026, 11, 22, 22, 30)) == "week:2026-W47"
    assert period_key("week", utc(2026, 11, 22, 23, 30)) == "week:2026-W48"


def test_a_week_with_a_clock_change_is_still_monday_to_monday_local() -> None:
    # Summer time ends Sunday 25 October 2026 at 03:00 (UTC+2 -> UTC+1).
    start, end = period_bounds("week", utc(2026, 10, 21, 12))
    assert (start, end) == (utc(2026, 10, 18, 22), utc(2026, 10, 25, 23))
    assert start is not None and end is not None
    assert end - start == timedelta(hours=169)


def test_months_follow_the_paris_calendar() -> None:
    assert period_bounds("month", T0) == (utc(2026, 10, 31, 23), utc(2026, 11, 30, 23))
    # 31 December 23:30 UTC is already January in Paris.
    assert period_key("month", utc(2026, 12, 31, 23, 30)) == "month:2027-01"
    assert period_bounds("month", utc(2026, 12, 15)) == (
        utc(2026, 11, 30, 23),
        utc(2026, 12, 31, 23),
    )


def test_all_time_has_no_bounds_and_periods_parse_strictly() -> None:
    assert period_bounds("all", T0) == (None, None)
    assert period_key("all", T0) == "all"
    assert [parse_period(p) for p in ("week", " Month ", None, "")] == [
        "week",
        "month",
        "all",
        "all",
    ]
    with pytest.raises(Invalid):
        parse_period("year")


# --- boards ----------------------------------------------------------------------------


def test_points_are_summed_per_visitor_and_ranked() -> None:
    ledger = [
        entry("helper", 5, T0),
        entry("helper", 15, T0 + timedelta(hours=1)),
        entry("expert", 10, T0),
        entry("asker", 2, T0),
    ]
    board = leaderboard(ledger, "week", T0 + timedelta(hours=2))
    assert board == [
        Standing(1, "helper", 20, T0 + timedelta(hours=1)),
        Standing(2, "expert", 10, T0),
        Standing(3, "asker", 2, T0),
    ]


def test_periods_only_count_entries_inside_them() -> None:
    last_week = T0 - timedelta(days=7)
    last_month = T0 - timedelta(days=31)
    ledger = [
        entry("helper", 5, T0),
        entry("expert", 50, last_week),
        entry("asker", 100, last_month),
    ]
    assert [(s.visitor_id, s.points) for s in leaderboard(ledger, "week", T0)] == [("helper", 5)]
    assert [s.visitor_id for s in leaderboard(ledger, "month", T0)] == ["expert", "helper"]
    assert [s.visitor_id for s in leaderboard(ledger, "all", T0)] == ["asker", "expert", "helper"]


def test_scopes_filter_by_room_and_category() -> None:
    ledger = [
        entry("helper", 5, T0, room="velo-rando", category="sport"),
        entry("expert", 7, T0, room="tente-2p", category="camping"),
        entry("asker", 3, T0, room="velo-ville", category="sport"),
        entry("fan", 50, T0, room=None, category=None),  # a staff bonus with no room
    ]
    now = T0 + timedelta(hours=1)
    assert [s.visitor_id for s in leaderboard(ledger, "all", now)] == [
        "fan",
        "expert",
        "helper",
        "asker",
    ]
    assert [s.visitor_id for s in leaderboard(ledger, "all", now, room="velo-rando")] == ["helper"]
    assert [s.visitor_id for s in leaderboard(ledger, "all", now, category="sport")] == [
        "helper",
        "asker",
    ]
    both = leaderboard(ledger, "all", now, room="velo-ville", category="sport")
    assert [s.visitor_id for s in both] == ["asker"]
    assert leaderboard(ledger, "all", now, room="velo-ville", category="camping") == []


def test_ties_go_to_whoever_reached_the_score_first() -> None:
    ledger = [
        entry("helper", 10, T0 + timedelta(hours=3)),
        entry("expert", 5, T0),
        entry("expert", 5, T0 + timedelta(hours=1)),  # expert reached 10 two hours earlier
    ]
    board = leaderboard(ledger, "week", T0 + timedelta(hours=4))
    assert [(s.rank, s.visitor_id, s.reached_at) for s in board] == [
        (1, "expert", T0 + timedelta(hours=1)),
        (2, "helper", T0 + timedelta(hours=3)),
    ]


def test_ties_in_the_same_second_go_by_visitor_id_descending_like_redis() -> None:
    ledger = [
        entry("alice", 5, T0 + timedelta(milliseconds=900)),
        entry("bob", 5, T0 + timedelta(milliseconds=100)),
        entry("carol", 5, T0 + timedelta(seconds=1)),
    ]
    board = leaderboard(ledger, "week", T0 + timedelta(hours=1))
    assert [s.visitor_id for s in board] == ["bob", "alice", "carol"]


def test_revoked_and_zero_entries_count_nowhere() -> None:
    ledger = [
        entry("helper", 10, T0),
        entry("helper", 50, T0 + timedelta(hours=1), revoked=True),
        entry("expert", 10, T0 - timedelta(hours=1)),
        entry("expert", 0, T0 + timedelta(hours=2)),  # a capped vote: not a new reached_at
        entry("asker", 0, T0),
    ]
    board = leaderboard(ledger, "week", T0 + timedelta(hours=3))
    assert [(s.visitor_id, s.points, s.reached_at) for s in board] == [
        ("expert", 10, T0 - timedelta(hours=1)),
        ("helper", 10, T0),
    ]


def test_disqualified_visitors_are_left_out_and_the_others_close_ranks() -> None:
    ledger = [entry("cheater", 99, T0), entry("helper", 10, T0), entry("expert", 5, T0)]
    board = leaderboard(ledger, "all", T0, disqualified=frozenset({"cheater"}))
    assert [(s.rank, s.visitor_id) for s in board] == [(1, "helper"), (2, "expert")]
    assert rank_of("cheater", ledger, "all", T0, disqualified=frozenset({"cheater"})) is None


def test_limit_and_rank_of_beyond_the_limit() -> None:
    ledger = [entry(f"v{n:02d}", 100 - n, T0) for n in range(60)]
    board = leaderboard(ledger, "all", T0)
    assert len(board) == 50
    assert len(leaderboard(ledger, "all", T0, limit=None)) == 60
    assert leaderboard(ledger, "all", T0, limit=0) == []
    assert rank_of("v55", ledger, "all", T0) == Standing(56, "v55", 45, T0)
    assert rank_of("nobody", ledger, "all", T0) is None
    with pytest.raises(ValueError, match="limit"):
        leaderboard(ledger, "all", T0, limit=-1)


def test_rebuilding_from_the_ledger_in_any_order_gives_the_same_board() -> None:
    rng = random.Random(7)
    ledger = random_ledger(rng, 300)
    expected = leaderboard(ledger, "month", T0, limit=None)
    for _ in range(5):
        rng.shuffle(ledger)
        assert leaderboard(ledger, "month", T0, limit=None) == expected


# --- score encoding --------------------------------------------------------------------


def test_the_score_encodes_points_then_earlier_second() -> None:
    assert leaderboard_score(10, T0) > leaderboard_score(9, T0 - timedelta(days=2000))
    assert leaderboard_score(10, T0) > leaderboard_score(10, T0 + timedelta(seconds=1))
    assert leaderboard_score(10, T0) == leaderboard_score(10, T0 + timedelta(milliseconds=999))
    assert decode_leaderboard_score(leaderboard_score(42, T0)) == (42, T0)
    assert decode_leaderboard_score(float(leaderboard_score(42, T0))) == (42, T0)


def test_the_score_stays_exact_as_a_double_at_its_limits() -> None:
    last = SCORE_EPOCH + timedelta(seconds=2**32 - 1)
    for points, at in [(0, SCORE_EPOCH), (MAX_SCORE_POINTS, SCORE_EPOCH), (MAX_SCORE_POINTS, last)]:
        score = leaderboard_score(points, at)
        assert score < 2**53
        assert int(float(score)) == score
        assert decode_leaderboard_score(float(score)) == (points, at)
    for points, at in [
        (MAX_SCORE_POINTS + 1, T0),
        (-1, T0),
        (1, SCORE_EPOCH - timedelta(seconds=1)),
        (1, last + timedelta(seconds=1)),
    ]:
        with pytest.raises(ValueError, match="encod"):
            leaderboard_score(points, at)
    with pytest.raises(ValueError, match="not a leaderboard score"):
        decode_leaderboard_score(1.5)


def random_ledger(rng: random.Random, size: int) -> list[LedgerEntry]:
    people = [f"{rng.getrandbits(32):08x}" for _ in range(25)]
    rooms = [("velo-rando", "sport"), ("velo-ville", "sport"), ("tente-2p", "camping")]
    ledger = []
    for _ in range(size):
        room, category = rng.choice(rooms)
        # Within about two months before T0, with many same-second collisions.
        at = T0 - timedelta(seconds=rng.choice([0, 1, 2, 60, rng.randrange(60 * 86400)]))
        at += timedelta(milliseconds=rng.randrange(1000))
        ledger.append(
            entry(
                rng.choice(people),
                rng.choice([0, 2, 5, 5, 10, 15]),
                at,
                reason=rng.choice(list(Reason)),
                room=room,
                category=category,
                revoked=rng.random() < 0.1,
            )
        )
    return ledger


@pytest.mark.parametrize("seed", range(20))
def test_sorting_by_score_then_member_matches_the_reference_board(seed: int) -> None:
    """What a Redis sorted set does (ZREVRANGE: score desc, then member desc) must equal the
    pure board, for every period and scope."""
    rng = random.Random(seed)
    ledger = random_ledger(rng, rng.randrange(1, 200))
    for period in PERIODS:
        for scope in ({}, {"room": "velo-rando"}, {"category": "sport"}):
            totals = tally(ledger, period, T0, **scope)  # type: ignore[arg-type]
            scored = sorted(
                totals,
                key=lambda v: (leaderboard_score(*totals[v]), v.encode()),
                reverse=True,
            )
            board = leaderboard(ledger, period, T0, limit=None, **scope)  # type: ignore[arg-type]
            assert scored == [s.visitor_id for s in board] == order(totals)


@pytest.mark.parametrize("seed", range(10))
def test_boards_for_puts_each_entry_in_the_buckets_the_reference_reads(seed: int) -> None:
    """Adding each active entry to the buckets `boards_for` names, as a Redis writer would,
    gives the same points and reached_at as the pure board."""
    rng = random.Random(100 + seed)
    ledger = random_ledger(rng, 150)
    buckets: dict[tuple[str, str, str | None, str | None], dict[str, tuple[int, datetime]]] = {}
    for e in ledger:
        if not e.active or e.points == 0:
            continue
        for b in boards_for(e):
            bucket = buckets.setdefault((b.period, b.key, b.room, b.category), {})
            points, reached = bucket.get(e.visitor_id, (0, e.created_at))
            bucket[e.visitor_id] = (points + e.points, max(reached, e.created_at))
    for period in PERIODS:
        key = period_key(period, T0)
        for room, category in [(None, None), ("velo-rando", None), (None, "camping")]:
            got = buckets.get((period, key, room, category), {})
            assert got == tally(ledger, period, T0, room=room, category=category)


@pytest.mark.parametrize("seed", range(10))
def test_a_redis_style_writer_adding_entries_in_any_order_matches_the_reference(
    seed: int,
) -> None:
    """ZSCORE -> add_to_score -> ZADD per bucket, entries in random order, then ZREVRANGE."""
    rng = random.Random(200 + seed)
    ledger = random_ledger(rng, 150)
    rng.shuffle(ledger)
    zsets: dict[tuple[str, str | None, str | None], dict[str, float]] = {}
    for e in ledger:
        if not e.active or e.points == 0:
            continue
        for b in boards_for(e):
            if b.key != period_key(b.period, T0):
                continue  # another week or month than the one we read back
            zset = zsets.setdefault((b.period, b.room, b.category), {})
            # Redis hands scores back as doubles.
            zset[e.visitor_id] = float(add_to_score(zset.get(e.visitor_id), e.points, e.created_at))
    for period in PERIODS:
        for room, category in [(None, None), ("velo-ville", None), (None, "sport")]:
            zset = zsets.get((period, room, category), {})
            redis_order = sorted(zset, key=lambda v: (zset[v], v.encode()), reverse=True)
            board = leaderboard(ledger, period, T0, room=room, category=category, limit=None)
            assert redis_order == [s.visitor_id for s in board]
            assert [decode_leaderboard_score(zset[v])[0] for v in redis_order] == [
                s.points for s in board
            ]


@pytest.mark.parametrize("seed", range(10))
def test_totals_by_board_are_the_reference_tally_of_every_bucket(seed: int) -> None:
    """What a store keeps per bucket: the reference tally, reached_at to its second."""
    rng = random.Random(300 + seed)
    ledger = random_ledger(rng, 150)
    totals = totals_by_board(ledger)
    for period in PERIODS:
        for room, category in [(None, None), ("velo-rando", None), (None, "camping")]:
            bucket = board_for(period, T0, room=room, category=category)
            kept = {v: t for (b, v), t in totals.items() if b == bucket.id}
            expected = tally(ledger, period, T0, room=room, category=category)
            assert kept == {v: (p, at.replace(microsecond=0)) for v, (p, at) in expected.items()}


def test_board_ids_name_the_period_bucket_and_one_scope() -> None:
    now = utc(2026, 11, 22, 12)
    assert board_for("all", now).id == "all:all"
    assert board_for("week", now, room="velo").id == "week:2026-W47:room:velo"
    assert board_for("month", now, category="sport").id == "month:2026-11:category:sport"
    # a room's board is its category's board too: the category is not part of the bucket
    assert board_for("all", now, room="velo", category="sport") == board_for(
        "all", now, room="velo"
    )
    assert {b.id for b in boards_for(entry("v", 5, now, room="velo", category="sport"))} == {
        f"{key}:{scope}"
        for key in ("all", "week:2026-W47", "month:2026-11")
        for scope in ("all", "room:velo", "category:sport")
    }
