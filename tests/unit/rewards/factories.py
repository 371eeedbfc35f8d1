"""Named people and small builders for the rewards tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from rewards import Actor, AnswerRef, LedgerEntry, Reason, RevokeReason
from rewards.ledger import snapshot

# Wednesday 18 November 2026, 10:00 UTC (11:00 in Paris).
T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)

ASKER = Actor("asker")
HELPER = Actor("helper")
EXPERT = Actor("expert")
NEWBIE = Actor("newbie")
# One verified shopper behind two visitor ids.
SHOPPER_MAIN = Actor("shopper-main", shopper_id="cust-42")
SHOPPER_ALT = Actor("shopper-alt", shopper_id="cust-42")


def answer(
    message_id: str = "m1",
    *,
    author: Actor = HELPER,
    asker: Actor = ASKER,
    thread_id: str = "t1",
    asked_at: datetime = T0,
    after: timedelta = timedelta(minutes=4),
    room: str = "velo-rando",
    category: str | None = "sport",
    lang: str | None = "fr",
) -> AnswerRef:
    return AnswerRef(
        message_id=message_id,
        thread_id=thread_id,
        room=room,
        category=category,
        author=author,
        asker=asker,
        answered_at=asked_at + after,
        asked_at=asked_at,
        lang=lang,
    )


_counter = iter(range(1, 1_000_000))


def entry(
    visitor_id: str,
    points: int,
    at: datetime,
    *,
    reason: Reason = Reason.HELPFUL_VOTE,
    room: str | None = "velo-rando",
    category: str | None = "sport",
    ref_id: str | None = None,
    giver_id: str | None = None,
    revoked: bool = False,
    lang: str | None = None,
) -> LedgerEntry:
    """A ledger entry for leaderboard and explain tests (scoring tests build real ones)."""
    n = next(_counter)
    return LedgerEntry(
        id=f"e{n}",
        visitor_id=visitor_id,
        points=points,
        reason=reason,
        rule=snapshot(reason, value=points),
        ref_kind="message",
        ref_id=ref_id or f"m{n}",
        room=room,
        category=category,
        giver_id=giver_id,
        giver_person=f"visitor:{giver_id}" if giver_id else None,
        lang=lang,
        created_at=at,
        revoked_at=at + timedelta(hours=1) if revoked else None,
        revoked_reason=RevokeReason.CONTENT_HIDDEN if revoked else None,
    )


def entries_of(awards: Iterable[object]) -> list[LedgerEntry]:
    """The entries of a list of awards, skipping the ones that wrote nothing."""
    found = []
    for award in awards:
        e = getattr(award, "entry", None)
        if e is not None:
            found.append(e)
    return found
