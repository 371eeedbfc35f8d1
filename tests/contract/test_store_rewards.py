"""The storage contract for rewards: the append-only ledger and its revocation records (the
effective view), every ledger filter, the rebuild walk, boards against the pure reference
(`rewards.leaderboard`), disqualification, and what awards read from the Q&A tables."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.domain.models import MessageKind, Visibility, utcnow
from app.store.mongo import MongoStore
from app.store.mongo import boards as mongo_boards
from app.store.port import Store
from app.store.sqlite import SqliteStore
from app.store.sqlite import boards as sqlite_boards
from rewards.badges import stats_for
from rewards.leaderboard import Board, BoardRow, board_for, leaderboard, rank_of, totals_by_board
from rewards.ledger import (
    LedgerEntry,
    Revocation,
    apply_revocations,
    restore,
    revoke,
)
from rewards.periods import PERIODS, period_bounds
from rewards.rules import Reason, RevokeReason

from .conftest import Backend
from .helpers import BAG, WATCH, Factory, at, entry
from .test_store_contract import HOSTILE, REJECTED, rejected_or_empty

HIDDEN = RevokeReason.CONTENT_HIDDEN
BANNED = RevokeReason.AUTHOR_BANNED


def by_time(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """The contract's order for ledger_entries: oldest first, ties by id."""
    return sorted(entries, key=lambda e: (e.created_at, e.id))


def rows(standings: Any) -> list[tuple[str, int, datetime]]:
    """Boards order by the whole second of reached_at, and keep only that."""
    return [(s.visitor_id, s.points, s.reached_at.replace(microsecond=0)) for s in standings]


ALL_TIME = board_for("all", datetime(2025, 3, 10, tzinfo=UTC))


# ledger: append, duplicates, round trip ----------------------------------------------------
async def test_entries_round_trip_every_field_and_duplicates_are_skipped(
    backend: Backend,
) -> None:
    store = backend.make()
    await store.open()
    full = entry(
        "helpful_vote:m1:shopper:s9#1",
        "v1",
        5,
        at(1),
        reason=Reason.HELPFUL_VOTE,
        person="shopper:s1",
        thread_id="t1",
        room=WATCH,
        category="montres",
        giver_id="v2",
        giver_person="shopper:s9",
        lang="fr",
        note="merci",
        rule="helpful_vote value=5 nth=1 factor=0.5 cap=20 capped=0",
    )
    bare = entry("bonus:b1", "v2", 50, at(2), reason=Reason.BONUS, ref_kind="bonus")
    assert await store.add_ledger_entries([full, bare]) == [full, bare]

    again = entry("answer:m3#1", "v3", 2, at(3))
    clash = dataclasses.replace(bare, points=7)  # same id, other content: the first stays
    stored = await store.add_ledger_entries([bare, again, clash, again])
    assert stored == [again]
    assert await store.add_ledger_entries([]) == []
    assert await store.add_ledger_entries([full]) == []

    assert await store.ledger_entries() == [full, bare, again]
    await store.close()
    reopened = backend.make()
    await reopened.open()  # opening an existing database is safe
    try:
        assert await reopened.ledger_entries() == [full, bare, again]
        assert bare.person == "visitor:v2"
    finally:
        await reopened.close()


async def test_entries_given_as_revoked_are_stored_clear(store: Store) -> None:
    """Only revocation records set the effective state; a caller's mark is not trusted."""
    marked = entry("answer:m1#1", "v1", 2, at(1), revoked_at=at(2), revoked_reason=HIDDEN)
    clear = dataclasses.replace(marked, revoked_at=None, revoked_reason=None)
    assert await store.add_ledger_entries([marked]) == [clear]
    assert await store.ledger_entries() == [clear]


# revocations: the effective view ----------------------------------------------------------
async def test_revoke_and_restore_give_the_effective_view(store: Store) -> None:
    answer = entry("answer:m1#1", "v1", 2, at(1), ref_id="m1")
    vote = entry("helpful_vote:m1:visitor:v2#1", "v1", 5, at(2), ref_id="m1", giver_id="v2")
    other = entry("answer:m2#1", "v1", 2, at(3), ref_id="m2")
    await store.add_ledger_entries([answer, vote, other])

    # a moderator hides m1: its answer and its vote are taken back
    hide = revoke(await store.ledger_entries(), at=at(10), reason=HIDDEN, ref_id="m1", by="s1")
    assert [r.entry_id for r in hide] == [answer.id, vote.id]
    await store.add_revocations(hide)
    view = {e.id: e for e in await store.ledger_entries()}
    assert view[answer.id].revoked_at == at(10)
    assert view[answer.id].revoked_reason is HIDDEN
    assert view[vote.id].revoked_reason is HIDDEN
    assert view[other.id].active

    # then the author is banned: only still-active entries get a ban record
    ban = revoke(await store.ledger_entries(), at=at(20), reason=BANNED, visitor_id="v1")
    assert [r.entry_id for r in ban] == [other.id]
    await store.add_revocations(ban)

    # un-hiding m1 gives back what hiding took, not what the ban took
    unhide = restore(await store.ledger_entries(), at=at(30), reason=HIDDEN, visitor_id="v1")
    assert [r.entry_id for r in unhide] == [answer.id, vote.id]
    await store.add_revocations(unhide)
    view = {e.id: e for e in await store.ledger_entries()}
    assert view[answer.id].active
    assert view[vote.id].active
    assert view[other.id].revoked_reason is BANNED
    assert view[other.id].revoked_at == at(20)
    # restoring twice writes nothing the second time
    assert restore(list(view.values()), at=at(31), reason=HIDDEN, visitor_id="v1") == []

    everything = [*hide, *ban, *unhide]
    assert await store.ledger_entries() == apply_revocations([answer, vote, other], everything)


async def test_the_latest_record_by_time_wins_then_the_last_appended(store: Store) -> None:
    a = entry("answer:m1#1", "v1", 2, at(1))
    b = entry("answer:m2#1", "v1", 2, at(2))
    c = entry("answer:m3#1", "v1", 2, at(3))
    await store.add_ledger_entries([a, b, c])
    records = [
        Revocation(a.id, at(10), HIDDEN),
        # appended later but dated earlier: the revocation at 10 stays the latest
        Revocation(a.id, at(5), HIDDEN, "restore"),
        # same instant, revoke then restore in one batch: the restore (appended last) wins
        Revocation(b.id, at(10), BANNED),
        Revocation(b.id, at(10), BANNED, "restore"),
    ]
    await store.add_revocations(records)
    # same instant across two calls: the later call wins
    await store.add_revocations([Revocation(c.id, at(10), HIDDEN, "restore")])
    later = [Revocation(c.id, at(10), HIDDEN, by="s1")]
    await store.add_revocations(later)
    # a record for an entry that is not (yet) stored is kept, and applied when it arrives
    early = [Revocation("answer:m4#1", at(10), BANNED)]
    await store.add_revocations(early)

    view = {e.id: e for e in await store.ledger_entries()}
    assert view[a.id].revoked_at == at(10)
    assert view[b.id].active
    assert view[c.id].revoked_reason is HIDDEN

    late = entry("answer:m4#1", "v1", 2, at(4))
    revoked = dataclasses.replace(late, revoked_at=at(10), revoked_reason=BANNED)
    assert await store.add_ledger_entries([late]) == [revoked]
    everything = [*records, Revocation(c.id, at(10), HIDDEN, "restore"), *later, *early]
    assert await store.ledger_entries() == apply_revocations([a, b, c, late], everything)


async def test_a_restore_record_restores_whatever_the_latest_revocation_was(store: Store) -> None:
    """The store mirrors apply_revocations exactly: choosing which entries a restore may
    touch (same reason only) is `rewards.ledger.restore`'s job, done before writing."""
    a = entry("answer:m1#1", "v1", 2, at(1))
    await store.add_ledger_entries([a])
    await store.add_revocations([Revocation(a.id, at(10), BANNED)])
    await store.add_revocations([Revocation(a.id, at(11), HIDDEN, "restore")])
    assert await store.ledger_entries() == apply_revocations(
        [a], [Revocation(a.id, at(10), BANNED), Revocation(a.id, at(11), HIDDEN, "restore")]
    )
    assert (await store.ledger_entries())[0].active


# ledger filters and the rebuild walk ------------------------------------------------------
def _filter_sample() -> list[LedgerEntry]:
    people = [("v1", "visitor:v1"), ("v2", "shopper:s2"), ("v3", "shopper:s2")]
    givers = [None, "visitor:v4", "shopper:s5"]
    return [
        entry(
            f"e{(i * 7) % 30:02d}",  # ids not in time order
            people[i % 3][0],
            i % 4,
            at(i // 2),  # two entries per minute: ties on created_at broken by id
            person=people[i % 3][1],
            giver_person=givers[i % 3 if i % 2 else 0],
            giver_id=None if i % 2 == 0 else f"g{i % 3}",
            ref_id=f"m{i % 5}",
        )
        for i in range(30)
    ]


async def test_ledger_entries_filters_are_anded_oldest_first(store: Store) -> None:
    sample = _filter_sample()
    await store.add_ledger_entries(sample)
    await store.add_revocations([Revocation(sample[4].id, at(40), HIDDEN)])
    stored = apply_revocations(sample, [Revocation(sample[4].id, at(40), HIDDEN)])

    def expect(**f: Any) -> list[LedgerEntry]:
        found = [
            e
            for e in stored
            if (f.get("visitor_id") is None or e.visitor_id == f["visitor_id"])
            and (f.get("person") is None or e.person == f["person"])
            and (f.get("giver_person") is None or e.giver_person == f["giver_person"])
            and (f.get("ref_ids") is None or e.ref_id in f["ref_ids"])
            and (f.get("since") is None or e.created_at >= f["since"])
        ]
        return by_time(found)

    cases: list[dict[str, Any]] = [
        {},
        {"visitor_id": "v1"},
        {"visitor_id": "nobody"},
        {"person": "shopper:s2"},
        {"giver_person": "visitor:v4"},
        {"giver_person": "shopper:s5", "person": "shopper:s2"},
        {"ref_ids": ["m1", "m3", "m3"]},
        {"ref_ids": ["m2"], "visitor_id": "v3"},
        {"since": at(7)},
        {"since": at(7), "person": "shopper:s2", "ref_ids": ["m0", "m1", "m4"]},
        {"giver_person": "shopper:s5", "since": at(3)},
    ]
    for filters in cases:
        assert await store.ledger_entries(**filters) == expect(**filters), filters
        everything = expect(**filters)
        for limit in (1, 3, 100):
            kept = everything[-limit:]
            assert await store.ledger_entries(**filters, limit=limit) == kept, (filters, limit)
    assert await store.ledger_entries(ref_ids=[]) == []
    assert await store.ledger_entries(limit=0) == []


async def test_ledger_page_walks_every_entry_in_id_order(store: Store) -> None:
    sample = _filter_sample()
    await store.add_ledger_entries(sample)
    walked: list[LedgerEntry] = []
    after: str | None = None
    while page := await store.ledger_page(after, 7):
        assert len(page) <= 7
        walked += page
        after = page[-1].id
    assert [e.id for e in walked] == sorted(e.id for e in sample)
    assert walked == sorted(sample, key=lambda e: e.id.encode())
    assert await store.ledger_page("e99", 10) == []
    assert await store.ledger_page(None, 0) == []


# boards against the reference --------------------------------------------------------------
VISITORS = ["v1", "v2", "v3", "V4", "ana", "zoé", "émile", "v10", "twin-a", "twin-b", "twin-ç"]
ROOMS = [WATCH, BAG, None]
CATEGORIES = ["montres", "sacs", None]
# Around a month end and several weeks, including Paris' clock change (2025-03-30).
LEDGER_START = datetime(2025, 3, 10, 0, 0, tzinfo=UTC)


def random_ledger(seed: int, count: int) -> tuple[list[LedgerEntry], list[list[Revocation]]]:
    """Entries over ~6 weeks with many equal totals and shared seconds, and batches of
    revocation records (revokes, restores, same-instant ties)."""
    rng = random.Random(seed)
    entries = []
    for i in range(count):
        moment = LEDGER_START + timedelta(
            minutes=rng.randrange(6 * 7 * 24 * 60) // 180 * 180,  # few distinct minutes
            milliseconds=rng.choice([0, 1, 400, 999, 1000, 59_999]),
        )
        room = rng.choice(ROOMS)
        category = {WATCH: "montres", BAG: "sacs", None: rng.choice(CATEGORIES)}[room]
        entries.append(
            entry(
                f"{rng.choice(['answer', 'vote', 'bonus'])}:{rng.randrange(10**6):06d}#{i}",
                rng.choice(VISITORS),
                rng.choice([0, 1, 2, 2, 5, 5, 15]),
                moment,
                room=room,
                category=category,
            )
        )
    # Twins earn the same points in the same seconds (other milliseconds): they tie on
    # points and second on every board, so the visitor id decides.
    for i, model in enumerate(rng.sample(entries, 12)):
        for twin, ms in (("twin-a", 0), ("twin-b", 999), ("twin-ç", 500)):
            second = model.created_at.replace(microsecond=0)
            entries.append(
                dataclasses.replace(
                    model,
                    id=f"{twin}:{i}",
                    visitor_id=twin,
                    person=f"visitor:{twin}",
                    created_at=second + timedelta(milliseconds=ms),
                )
            )
    batches: list[list[Revocation]] = []
    for _ in range(6):
        batch = []
        for e in rng.sample(entries, count // 8):
            when = e.created_at + timedelta(hours=rng.randrange(1, 48))
            reason = rng.choice([HIDDEN, BANNED])
            batch.append(
                Revocation(e.id, when, reason, rng.choice(["revoke", "revoke", "restore"]))
            )
            if rng.random() < 0.2:  # a same-instant follow-up: append order decides
                batch.append(Revocation(e.id, when, reason, rng.choice(["revoke", "restore"])))
        batches.append(batch)
    return entries, batches


# (room, category): global, one room, one category, both
SCOPES: list[tuple[str | None, str | None]] = [
    (None, None),
    (WATCH, None),
    (BAG, None),
    (None, "montres"),
    (None, "sacs"),
    (WATCH, "montres"),
    ("nowhere", None),
]
NOWS = [
    datetime(2025, 3, 30, 12, tzinfo=UTC),  # the week of the clock change
    datetime(2025, 3, 31, 21, 59, tzinfo=UTC),  # 23:59 in Paris: still March
    datetime(2025, 4, 9, tzinfo=UTC),
]


async def test_board_and_positions_match_the_reference(store: Store) -> None:
    entries, batches = random_ledger(1, 240)
    await store.add_ledger_entries(entries)
    for batch in batches:
        await store.add_revocations(batch)
    view = apply_revocations(entries, [r for batch in batches for r in batch])
    assert await store.ledger_entries() == by_time(view)
    await store.set_disqualified("v2", True)
    out = frozenset({"v2"})

    compared = 0
    candidates = [*VISITORS, "nobody"]
    turn = 0
    for period in PERIODS:
        for now in NOWS if period != "all" else NOWS[:1]:
            for room, category in SCOPES:
                scope = {"room": room, "category": category}
                kept = board_for(period, now, room=room, category=category)
                expected = leaderboard(
                    view, period, now, limit=None, disqualified=out, room=room, category=category
                )
                board = await store.board(kept, limit=1000)
                assert rows(board) == rows(expected), (period, now, scope)
                assert all(isinstance(r, BoardRow) for r in board)
                if room is None and category is None:
                    paged = await store.board(kept, limit=3, offset=2)
                    assert rows(paged) == rows(expected[2:5])
                # mongomock is slow: every visitor on the global all-time board, 2 in turn
                # on the others
                if period == "all" and room is None and category is None:
                    visitors = candidates
                else:
                    visitors = [candidates[(turn + k) % len(candidates)] for k in range(2)]
                    turn += 2
                for visitor in visitors:
                    reference = rank_of(
                        visitor, view, period, now, disqualified=out, room=room, category=category
                    )
                    position = await store.board_position(visitor, kept)
                    if reference is None:
                        assert position is None, (visitor, period, now, scope)
                    else:
                        assert position is not None, (visitor, period, now, scope)
                        rank, row = position
                        assert (rank, *rows([row])[0]) == (reference.rank, *rows([reference])[0])
                compared += len(expected)
    assert compared > 100  # the ledger put enough people on enough boards
    assert await store.board(ALL_TIME, limit=0) == []
    with pytest.raises(ValueError, match="negative"):
        await store.board(ALL_TIME, limit=-1)


async def test_board_ties_earlier_second_first_then_visitor_id_descending(store: Store) -> None:
    t = datetime(2025, 3, 12, 12, 0, 0, tzinfo=UTC)
    ms = timedelta(milliseconds=1)
    await store.add_ledger_entries(
        [
            entry("a1", "a", 10, t + 900 * ms),
            entry("b1", "b", 4, t - 3000 * ms),  # b reaches 10 at .100, same second as a
            entry("b2", "b", 6, t + 100 * ms),
            entry("B1", "B", 10, t + 500 * ms),  # "B" < "a" < "b" in bytes
            entry("e1", "é", 10, t + 999 * ms),  # "é" (0xC3 0xA9) > "b"
            entry("c1", "c", 10, t - ms),  # the second before: first
            entry("d1", "d", 10, t + 1000 * ms),  # the second after: after all of them
            entry("z1", "z", 11, t + 5000 * ms),  # more points: first whatever the time
            entry("z0", "zero", 0, t),  # zero points: on no board
        ]
    )
    expected = ["z", "c", "é", "b", "a", "B", "d"]
    board = await store.board(ALL_TIME)
    assert [r.visitor_id for r in board] == expected
    assert board[3] == BoardRow("b", 10, t)  # reached at t + 100 ms: its second
    view = await store.ledger_entries()
    assert [s.visitor_id for s in leaderboard(view, "all", t, limit=None)] == expected
    for rank, visitor in enumerate(expected, start=1):
        position = await store.board_position(visitor, ALL_TIME)
        assert position is not None
        assert position[0] == rank
        assert position[1] == board[rank - 1]
    assert await store.board_position("zero", ALL_TIME) is None

    # revoking b's last entry moves its reached_at back to its first one, a second earlier
    await store.add_revocations([Revocation("b2", t + 2000 * ms, HIDDEN)])
    assert await store.board_position("b", ALL_TIME) == (7, BoardRow("b", 4, t - 3000 * ms))


async def test_bounds_are_half_open(store: Store) -> None:
    week = board_for("week", datetime(2025, 3, 12, tzinfo=UTC))
    start, end = period_bounds("week", datetime(2025, 3, 12, tzinfo=UTC))
    assert start is not None and end is not None
    ms = timedelta(milliseconds=1)
    await store.add_ledger_entries(
        [
            entry("in1", "first", 1, start),
            entry("out1", "before", 1, start - ms),
            entry("in2", "last", 1, end - ms),
            entry("out2", "after", 1, end),
        ]
    )
    board = await store.board(week)
    assert sorted(r.visitor_id for r in board) == ["first", "last"]
    assert await store.board_position("after", week) is None
    assert await store.board_position("before", week) is None


# totals and disqualification --------------------------------------------------------------
async def test_points_totals_count_active_points_of_all_time(store: Store) -> None:
    await store.add_ledger_entries(
        [
            entry("a1", "v1", 5, at(1)),
            entry("a2", "v1", 15, at(60 * 24 * 90)),
            entry("a3", "v1", 2, at(3)),
            entry("b1", "v2", 2, at(4)),
            entry("c1", "v3", 0, at(5)),
        ]
    )
    await store.add_revocations(
        [Revocation("a3", at(10), HIDDEN), Revocation("b1", at(10), BANNED)]
    )
    totals = await store.points_totals(["v1", "v2", "v3", "nobody", "v1"])
    assert totals == {"v1": 20, "v2": 0, "v3": 0, "nobody": 0}
    assert await store.points_totals([]) == {}


async def test_disqualification_round_trips_and_leaves_the_ledger_alone(
    backend: Backend,
) -> None:
    store = backend.make()
    await store.open()
    await store.add_ledger_entries([entry("a1", "v1", 5, at(1)), entry("b1", "v2", 3, at(2))])
    assert await store.disqualified() == set()
    await store.set_disqualified("v1", True)
    await store.set_disqualified("v1", True)
    await store.set_disqualified("v3", True)
    assert await store.disqualified() == {"v1", "v3"}
    assert [r.visitor_id for r in await store.board(ALL_TIME)] == ["v2"]
    assert await store.board_position("v1", ALL_TIME) is None
    assert await store.board_position("v2", ALL_TIME) == (
        1,
        BoardRow("v2", 3, at(2)),
    )
    assert await store.points_totals(["v1"]) == {"v1": 5}  # ranks next to names still count

    await store.close()
    reopened = backend.make()
    await reopened.open()
    try:
        assert await reopened.disqualified() == {"v1", "v3"}
        await reopened.set_disqualified("v1", False)
        await reopened.set_disqualified("nobody", False)
        assert await reopened.disqualified() == {"v3"}
        assert [r.visitor_id for r in await reopened.board(ALL_TIME)] == ["v1", "v2"]
    finally:
        await reopened.close()


# kept totals: copies, rebuilds, counts ------------------------------------------------------
async def cut_totals(store: Store, *, state: str | None, keep_visitors: str = "") -> None:
    """Adapter specifics: drop the totals of visitor ids after `keep_visitors` and set the
    fill state ('filling': a rebuild killed half way; None: a database from before the
    totals and their state existed)."""
    if isinstance(store, SqliteStore):
        async with store._transaction() as db:
            await db.execute("DELETE FROM board_totals WHERE visitor_id > ?", (keep_visitors,))
            await db.execute("DELETE FROM meta WHERE key = 'boards'")
            if state is not None:
                await db.execute("INSERT INTO meta VALUES ('boards', ?)", (state,))
    else:
        assert isinstance(store, MongoStore)
        await store.database["board_totals"].delete_many({"visitor_id": {"$gt": keep_visitors}})
        await store.database["meta"].delete_many({})
        if state is not None:
            await store.database["meta"].insert_one({"_id": "boards", "state": state})


def pair(item: tuple[str, BoardRow]) -> tuple[bytes, bytes]:
    """board_page's order: board id, then visitor id (as UTF-8 bytes)."""
    return item[0].encode(), item[1].visitor_id.encode()


async def every_board(store: Store) -> list[tuple[str, BoardRow]]:
    walked: list[tuple[str, BoardRow]] = []
    after = None
    while page := await store.board_page(after, 7):
        walked += page
        after = (page[-1][0], page[-1][1].visitor_id)
    return walked


async def test_rows_pages_and_rebuild_agree_with_the_reference(backend: Backend) -> None:
    store = backend.make()
    await store.open()
    entries, batches = random_ledger(2, 120)
    await store.add_ledger_entries(entries)
    for batch in batches[:3]:
        await store.add_revocations(batch)
    view = apply_revocations(entries, [r for batch in batches[:3] for r in batch])
    await store.set_disqualified("v3", True)  # still kept: only reads leave them out

    expected = sorted(
        (
            (board_id, BoardRow(visitor, points, reached))
            for (board_id, visitor), (points, reached) in totals_by_board(view).items()
        ),
        key=pair,
    )
    walked = await every_board(store)
    assert walked == expected
    assert await store.board_page(None, 0) == []
    mine = await store.board_rows_of("v1")
    assert mine == {b: r for b, r in expected if r.visitor_id == "v1"}
    assert await store.board_rows_of("nobody") == {}

    assert await store.rebuild_boards() == len(expected)
    assert await every_board(store) == expected

    # A database from before the totals, then one whose rebuild was killed half way: both
    # get their totals when opened; a finished one is left alone.
    for state, kept in ((None, ""), ("filling", "v1"), ("ready", "v1")):
        await cut_totals(store, state=state, keep_visitors=kept)
        assert await every_board(store) != expected
        await store.close()
        store = backend.make()
        await store.open()
        if state == "ready":
            assert await every_board(store) == [p for p in expected if p[1].visitor_id <= "v1"]
        else:
            assert await every_board(store) == expected, state
    await store.close()


async def test_many_revocations_at_once_like_a_ban_keep_boards_exact(store: Store) -> None:
    entries, _ = random_ledger(3, 150)
    entries += [  # v1 answered a lot more
        dataclasses.replace(e, id=f"heavy:{i}", visitor_id="v1", person="visitor:v1")
        for i, e in enumerate(entries[:80])
    ]
    heavy = [e for e in entries if e.visitor_id == "v1"]
    assert len(heavy) > 60  # more flips at once than the adapters shift one by one
    await store.add_ledger_entries(entries)
    records: list[Revocation] = []
    now = datetime(2025, 3, 20, tzinfo=UTC)

    async def check(step: str) -> None:
        view = apply_revocations(entries, records)
        for period in PERIODS:
            kept = board_for(period, now)
            expected = leaderboard(view, period, now, limit=None)
            assert rows(await store.board(kept, limit=1000)) == rows(expected), (step, period)

    steps: list[tuple[str, Any]] = [
        ("ban", lambda mine: revoke(mine, at=now, reason=BANNED, visitor_id="v1")),
        ("unban", lambda mine: restore(mine, at=now, reason=BANNED, visitor_id="v1")),
        ("hide most", lambda mine: [Revocation(e.id, now, HIDDEN) for e in mine[:55]]),
    ]
    for step, act in steps:
        batch = act(apply_revocations(heavy, records))
        assert len(batch) > 50, step
        records += batch
        await store.add_revocations(batch)
        await check(step)


async def test_sqlite_rebuild_in_small_transactions_gives_the_same_totals(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(str(tmp_path / "chunks.db"))
    await store.open()
    try:
        entries, batches = random_ledger(4, 120)
        await store.add_ledger_entries(entries)
        await store.add_revocations(batches[0])
        expected = await every_board(store)
        async with store._transaction() as db:  # a row for nobody, and one gone wrong
            await db.execute(
                "INSERT INTO board_totals VALUES ('all:all', 'zz-nobody', 5, '2025-03-10T00:00:00')"
            )
            await db.execute("UPDATE board_totals SET points = 1 WHERE visitor_id = 'v1'")
        monkeypatch.setattr(sqlite_boards, "REBUILD_VISITORS", 3)  # 11 visitors: 4 chunks
        assert await store.rebuild_boards() == len(expected)
        assert await every_board(store) == expected
    finally:
        await store.close()


async def test_mongo_rebuild_by_small_visitor_ranges_gives_the_same_totals(
    mongo_store: MongoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries, batches = random_ledger(4, 120)
    await mongo_store.add_ledger_entries(entries)
    await mongo_store.add_revocations(batches[0])
    expected = await every_board(mongo_store)
    totals = mongo_store.database["board_totals"]
    # rows for nobody (between ledger visitors, past the last one), one wrong, one missing
    for nobody in ("v1x-nobody", "ž-past-everyone"):
        await totals.insert_one(
            {
                "_id": {"board": "all:all", "visitor_id": nobody},
                "board": "all:all",
                "visitor_id": nobody,
                "points": 5,
                "reached_at": LEDGER_START,
            }
        )
    await totals.update_one({"visitor_id": "v1"}, {"$set": {"points": 1}})
    await totals.delete_one({"visitor_id": "ana"})
    seen: list[int] = []

    async def read_during(after: str, last: str) -> int:  # the boards are never emptied
        seen.append(len(await mongo_store.board(ALL_TIME, limit=100)))
        return await replace_range(after, last)

    replace_range = mongo_store._rebuild_range
    monkeypatch.setattr(mongo_store, "_rebuild_range", read_during)
    monkeypatch.setattr(mongo_boards, "REBUILD_VISITORS", 3)  # 11 visitors: 4 ranges
    assert await mongo_store.rebuild_boards() == len(expected)
    assert await every_board(mongo_store) == expected
    assert len(seen) == 4 and min(seen) >= 10, seen


async def test_ledger_counts_count_active_entries_per_reason(store: Store) -> None:
    await store.add_ledger_entries(
        [
            entry("a1", "v1", 2, at(1)),
            entry("a2", "v1", 0, at(2)),  # a 0-point answer is still an answer
            entry("h1", "v1", 5, at(3), reason=Reason.HELPFUL_VOTE),
            entry("h2", "v1", 5, at(4), reason=Reason.HELPFUL_VOTE),
            entry("c1", "v1", 15, at(5), reason=Reason.ACCEPTED),
            entry("a3", "v2", 2, at(6)),
        ]
    )
    await store.add_revocations([Revocation("h2", at(7), RevokeReason.VOTE_WITHDRAWN)])
    assert await store.ledger_counts(["v1", "v2", "nobody", "v1"]) == {
        "v1": {"answer": 2, "helpful_vote": 1, "accepted": 1},
        "v2": {"answer": 1},
        "nobody": {},
    }
    assert await store.ledger_counts([]) == {}


async def test_contributor_stats_are_stats_for_of_the_ledger(store: Store) -> None:
    rng = random.Random(7)
    entries = []
    for i in range(300):
        reason = rng.choice(list(Reason))
        giver = rng.choice(["visitor:g1", "shopper:s2", "visitor:g3", None])
        entries.append(
            entry(
                f"s{i}", rng.choice(["v1", "v2", "émile"]), rng.choice([0, 2, 5]), at(i),
                reason=reason, lang=rng.choice(["fr", "en", "de", None]),
                giver_person=giver if reason in (Reason.HELPFUL_VOTE, Reason.ACCEPTED) else None,
                giver_id=rng.choice(["g9", None]),
            )
        )  # fmt: skip
    await store.add_ledger_entries(entries)
    records = [Revocation(e.id, at(400), HIDDEN) for e in rng.sample(entries, 40)]
    await store.add_revocations(records)
    view = apply_revocations(entries, records)

    found = await store.contributor_stats(["v1", "émile", "nobody", "v2"])
    assert found == {v: stats_for(view, v) for v in ("v1", "émile", "nobody", "v2")}
    assert found["v1"].distinct_thankers >= 2 and len(found["v1"].answers_by_lang) >= 2
    assert await store.contributor_stats([]) == {}


async def test_contributor_stats_follow_every_revoke_and_restore(backend: Backend) -> None:
    """Stats stay `stats_for` of the effective ledger through batches of revokes and
    restores (bans of many entries included), and after reopening a database whose
    stats were never counted (SQLite keeps counters: a database from before them)."""
    rng = random.Random(11)
    entries, batches = random_ledger(5, 160)
    entries = [
        dataclasses.replace(
            e, reason=rng.choice(list(Reason)), lang=rng.choice(["fr", "en", None]),
            giver_person=rng.choice(["visitor:g1", "shopper:s2", "", None]),
            giver_id=rng.choice(["g9", "g8", None]),
        )
        for e in entries
    ]  # fmt: skip
    visitors = [*sorted({e.visitor_id for e in entries}), "nobody"]
    store = backend.make()
    await store.open()
    try:
        await store.add_ledger_entries(entries[:100])
        await store.add_ledger_entries(entries)  # the first 100 again: skipped, not counted
        applied: list[Revocation] = []
        ban = [Revocation(e.id, at(900), BANNED) for e in entries if e.visitor_id == "v2"]
        unban = [Revocation(r.entry_id, at(901), BANNED, "restore") for r in ban]
        for batch in [*batches, ban, unban]:
            await store.add_revocations(batch)
            applied += batch
            view = apply_revocations(entries, applied)
            expected = {v: stats_for(view, v) for v in visitors}
            assert await store.contributor_stats(visitors) == expected
            assert await store.ledger_counts(visitors) == {
                v: dict(Counter(e.reason.value for e in view if e.active and e.visitor_id == v))
                for v in visitors
            }
        if isinstance(store, SqliteStore):
            async with store._transaction() as db:
                await db.execute("DELETE FROM ledger_counts")
                await db.execute("DELETE FROM ledger_thankers")
                await db.execute("DELETE FROM meta WHERE key = 'counts'")
            assert await store.contributor_stats(visitors) != expected
    finally:
        await store.close()
    store = backend.make()
    await store.open()
    try:
        assert await store.contributor_stats(visitors) == expected
    finally:
        await store.close()


# what awards read from the Q&A tables -----------------------------------------------------
async def test_participations_count_published_questions_and_public_answers(
    store: Store, make: Factory
) -> None:
    asked, _ = await make.ask("Est-elle étanche ?", author="v1")
    await make.hold("Arnaque ?", author="v1")  # held: not published
    other, _ = await make.ask("Et le bracelet ?", author="v2")
    first_answer = await make.answer(other, author="v1")
    await make.answer(asked, author="v2")
    await make.answer(other, author="v1", visibility=Visibility.PRIVATE)
    await make.answer(other, author="v1", visibility=Visibility.HELD)
    await make.answer(other, author="v1", kind=MessageKind.STAFF)
    hidden = await make.answer(other, author="v1")
    hidden.hidden = True
    await store.update_message(hidden)

    assert await store.participations("v1") == 2  # one question, one answer
    assert await store.participations("v2") == 2
    assert await store.participations("nobody") == 0
    # when they took part, oldest first: the counted question, then the counted answer
    assert await store.participation_times("v1", 5) == [asked.created_at, first_answer.created_at]
    assert await store.participation_times("v1", 1) == [asked.created_at]
    assert await store.participation_times("nobody", 1) == []
    assert await store.participation_times("v1", 0) == []

    released = await make.hold("Vraiment ?", author="v3")
    assert await store.participations("v3") == 0
    await store.release_thread(released, ["vraiment"])
    assert await store.participations("v3") == 1


async def test_votes_by_lists_every_vote_cast_with_the_authors_ban_then(
    store: Store, make: Factory
) -> None:
    thread, _ = await make.ask("Est-elle étanche ?")
    first = await make.answer(thread, author="h1")
    second = await make.answer(thread, author="h2")
    banned = at(40)
    await store.set_vote(first.id, "v9", 1)
    await store.set_vote(second.id, "v9", 1, banned)  # h2 banned as v9 votes
    await store.set_vote(first.id, "v8", 1)
    await store.set_vote(second.id, "v9", 0)  # withdrawn: still listed, value 0, no ban now

    mine = {v.message_id: v for v in await store.votes_by("v9")}
    assert {m: (v.value, v.author_banned_until) for m, v in mine.items()} == {
        first.id: (1, None),
        second.id: (0, None),
    }
    await store.set_vote(second.id, "v9", 1, banned)  # cast again: the ban as it is now
    again = {v.message_id: v for v in await store.votes_by("v9")}
    assert again[second.id].author_banned_until == banned
    assert again[second.id].at == mine[second.id].at  # when it was first cast
    assert mine[first.id].at <= mine[second.id].at <= utcnow()
    assert [(v.message_id, v.value) for v in await store.votes_by("v8")] == [(first.id, 1)]
    assert await store.votes_by("nobody") == []


# hostile values ------------------------------------------------------------------------------
@pytest.mark.parametrize("hostile", [h for h in HOSTILE if h is not None], ids=repr)
async def test_operator_values_never_match_ledger_rows(store: Store, hostile: Any) -> None:
    await store.add_ledger_entries([entry("a1", "v1", 5, at(1), giver_person="visitor:v2")])
    await store.set_disqualified("v1", True)
    for call in (
        store.ledger_entries(visitor_id=hostile),
        store.ledger_entries(person=hostile),
        store.ledger_entries(giver_person=hostile),
        store.ledger_entries(ref_ids=[hostile]),
        store.board(Board("all", "all", room=hostile)),
        store.board(Board("all", hostile)),
        store.board_position(hostile, ALL_TIME),
        store.votes_by(hostile),
        store.participation_times(hostile, 1),
    ):
        assert await rejected_or_empty(call)
    for mapping in (store.board_rows_of(hostile), store.ledger_counts([hostile])):
        try:
            found = await mapping
        except REJECTED:
            continue
        assert not any(found.values()), found


# adapter specifics: the board queries use their indexes ----------------------------------
async def plan(store: SqliteStore, sql: str, params: tuple[object, ...]) -> str:
    async with store._r.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cur:
        return " | ".join(row["detail"] for row in await cur.fetchall())


async def test_sqlite_board_reads_walk_the_totals_order_index(tmp_path: Any) -> None:
    store = SqliteStore(str(tmp_path / "plan.db"))
    await store.open()
    try:
        order = "board_totals_order"
        top = await plan(
            store,
            "SELECT visitor_id FROM board_totals WHERE board = ?"
            " ORDER BY points DESC, reached_at, visitor_id DESC LIMIT 50",
            ("all:all",),
        )
        assert order in top and "TEMP B-TREE" not in top, top
        ahead = await plan(
            store,
            "SELECT COUNT(*) FROM board_totals WHERE board = ? AND points > ?",
            ("all:all", 10),
        )
        assert order in ahead, ahead
        for counters in (  # badges: read around every award
            "SELECT n FROM ledger_counts WHERE visitor_id IN (?, ?)",
            "SELECT n FROM ledger_thankers WHERE visitor_id IN (?, ?)",
        ):
            stats = await plan(store, counters, ("v1", "v2"))
            assert "USING PRIMARY KEY (visitor_id=?)" in stats, stats
        mine = await plan(store, "SELECT * FROM board_totals WHERE visitor_id = ?", ("v1",))
        assert "board_totals_by_visitor" in mine, mine
        detail = await plan(
            store,
            "SELECT * FROM ledger WHERE visitor_id = ? AND created_at >= ? ORDER BY created_at",
            ("v1", "2025-03-10T00:00:00.000000+00:00"),
        )
        assert "ledger_by_visitor" in detail, detail
    finally:
        await store.close()


async def test_mongo_open_creates_the_ledger_indexes(mongo_store: MongoStore) -> None:
    await mongo_store.open()
    expected = {
        "ledger": {
            "ledger_by_visitor": [("visitor_id", 1), ("created_at", 1)],
            "ledger_by_person": [("person", 1), ("created_at", 1)],
            "ledger_by_giver": [("giver_person", 1), ("created_at", 1)],
            "ledger_by_ref": [("ref_id", 1)],
            "ledger_by_time": [("created_at", 1)],
            "ledger_by_room": [("room", 1), ("created_at", 1)],
            "ledger_by_category": [("category", 1), ("created_at", 1)],
        },
        "revocations": {"revocations_by_entry": [("entry_id", 1), ("seq", 1)]},
        "votes": {"votes_by_voter": [("voter_id", 1), ("created_at", 1)]},
    }
    for collection, indexes in expected.items():
        info = await mongo_store.database[collection].index_information()
        for name, keys in indexes.items():
            assert name in info, f"{collection} lacks {name}"
            assert [(k, int(d)) for k, d in info[name]["key"]] == keys
