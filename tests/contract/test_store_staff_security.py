"""The storage contract for staff sign-in security: attempts counted atomically (parallel
guesses each count and lock the account) and sessions ended on the server (the epoch)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from app.domain.staff import LOCK_AFTER, LOCK_MAX, lock_duration
from app.store.port import Store
from app.store.sqlite import SqliteStore

from .helpers import at
from .test_store_moderation import staff


async def test_parallel_attempts_each_count_and_lock_at_the_threshold(store: Store) -> None:
    await store.add_staff(staff(1))
    now = at(10)

    counted = await asyncio.gather(*(store.count_sign_in_attempt("s1", now) for _ in range(25)))

    passed = [c for c in counted if c is not None]
    assert sorted(c.failed_logins for c in passed) == list(range(1, LOCK_AFTER + 1))
    locking = max(passed, key=lambda c: c.failed_logins)
    pause = lock_duration(LOCK_AFTER)
    assert pause is not None and locking.locked_until == now + pause
    assert all(c.locked_until is None for c in passed if c is not locking)
    saved = await store.get_staff("s1")
    assert saved is not None
    assert (saved.failed_logins, saved.locked_until) == (LOCK_AFTER, now + pause)


async def test_a_lock_that_ran_out_lets_one_attempt_through_and_backs_off_longer(
    store: Store,
) -> None:
    agent = staff(1, failed_logins=LOCK_AFTER, locked_until=at(11))
    await store.add_staff(agent)

    assert await store.count_sign_in_attempt("s1", at(10)) is None  # still locked
    unchanged = await store.get_staff("s1")
    assert unchanged is not None and unchanged.failed_logins == LOCK_AFTER

    after = await store.count_sign_in_attempt("s1", at(11))  # the lock ends at 11
    pause = lock_duration(LOCK_AFTER + 1)
    assert after is not None and pause is not None
    assert (after.failed_logins, after.locked_until) == (LOCK_AFTER + 1, at(11) + pause)
    assert await store.count_sign_in_attempt("s1", at(11)) is None


async def test_counting_keeps_the_capped_pause_and_the_rest_of_the_account(store: Store) -> None:
    agent = staff(1, failed_logins=40)
    await store.add_staff(agent)

    counted = await store.count_sign_in_attempt("s1", at(5))

    assert counted is not None
    assert (counted.failed_logins, counted.locked_until) == (41, at(5) + LOCK_MAX)
    assert counted.email == agent.email and counted.password_hash == agent.password_hash
    assert await store.get_staff("s1") == counted
    # A successful sign-in clears the count through save_staff, as before.
    counted.failed_logins, counted.locked_until = 0, None
    await store.save_staff(counted)
    fresh = await store.count_sign_in_attempt("s1", at(6))
    assert fresh is not None and (fresh.failed_logins, fresh.locked_until) == (1, None)


async def test_an_unknown_account_counts_nothing(store: Store) -> None:
    assert await store.count_sign_in_attempt("nobody", at(1)) is None
    assert await store.get_staff("nobody") is None


async def test_ending_sessions_bumps_the_epoch_and_a_later_save_keeps_it(store: Store) -> None:
    agent = staff(1)
    await store.add_staff(agent)
    stale = await store.get_staff("s1")  # read before the sign-out
    assert stale is not None and stale.session_epoch == 0

    await store.end_staff_sessions("s1")
    await asyncio.gather(*(store.end_staff_sessions("s1") for _ in range(3)))
    await store.end_staff_sessions("nobody")  # nothing to end, no error

    ended = await store.get_staff("s1")
    assert ended is not None and ended.session_epoch == 4
    stale.failed_logins = 0  # e.g. a sign-in that read the account before the sign-outs
    await store.save_staff(stale)
    assert (await store.get_staff_by_email(agent.email)).session_epoch == 4  # type: ignore[union-attr]
    counted = await store.count_sign_in_attempt("s1", at(1))
    assert counted is not None and counted.session_epoch == 4


async def test_a_sqlite_database_from_before_session_epochs_opens_with_epoch_zero(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the staff table as it first shipped
        db.execute(
            "CREATE TABLE staff (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,"
            " name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,"
            " created_at TEXT NOT NULL, failed_logins INTEGER NOT NULL DEFAULT 0,"
            " locked_until TEXT)"
        )
        db.execute(
            "INSERT INTO staff VALUES ('s1', 'agent1@shop.example', 'Agent 1', 'moderator',"
            " 'scrypt$hash1', ?, 0, NULL)",
            (at(1).isoformat(),),
        )
    old = SqliteStore(str(path))
    await old.open()
    try:
        found = await old.get_staff("s1")
        assert found is not None and found.session_epoch == 0
        await old.end_staff_sessions("s1")
        assert (await old.get_staff("s1")).session_epoch == 1  # type: ignore[union-attr]
    finally:
        await old.close()


async def test_the_digest_choice_is_kept_and_lists_the_recipients(store: Store) -> None:
    for n, email in ((1, "b"), (2, "a"), (3, "c")):
        await store.add_staff(staff(n, email=f"{email}@shop.example"))
    [b, a, c] = [await store.get_staff_by_email(f"{e}@shop.example") for e in ("b", "a", "c")]
    assert a and b and c and a.digest_lang is None
    await store.set_digest_lang(b.id, "en")
    await store.set_digest_lang(a.id, "fr")
    await store.set_digest_lang(c.id, "fr")
    await store.set_digest_lang(c.id, None)  # changed their mind
    assert [(s.email, s.digest_lang) for s in await store.digest_recipients()] == [
        ("a@shop.example", "fr"), ("b@shop.example", "en"),
    ]  # fmt: skip
    saved = await store.get_staff(b.id)
    assert saved is not None and saved.digest_lang == "en"
    await store.save_staff(saved)  # a save of other fields keeps the choice
    assert (await store.get_staff(b.id)).digest_lang == "en"  # type: ignore[union-attr]
