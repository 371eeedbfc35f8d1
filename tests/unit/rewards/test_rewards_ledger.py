"""The ledger: immutable entries, revocation and restore as appended records."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, asdict
from datetime import timedelta

import pytest

from rewards import (
    LedgerEntry,
    Reason,
    Revocation,
    RevokeReason,
    apply_revocations,
    points_for_accept,
    points_for_answer,
    points_for_fast_first_answer,
    points_for_vote,
    restore,
    revoke,
    total_points,
)
from rewards.ledger import parse_snapshot, snapshot
from tests.unit.rewards.factories import ASKER, EXPERT, HELPER, T0, answer

HIDE_AT = T0 + timedelta(hours=2)
MODERATOR = "moderator-1"


def thread_history() -> list[LedgerEntry]:
    """helper answers asker fast, gets a vote from expert and the accept; expert answers too."""
    a1, a2 = answer("m1"), answer("m2", author=EXPERT, after=timedelta(minutes=20))
    at = T0 + timedelta(minutes=30)
    found: list[LedgerEntry] = []
    for award in (
        points_for_answer(a1, history=found),
        points_for_fast_first_answer(a1, first_answer=True, history=found),
        points_for_answer(a2, history=found),
        points_for_vote(a1, EXPERT, at=at, voter_participations=1, history=found),
        points_for_vote(a2, HELPER, at=at, voter_participations=1, history=found),
        points_for_accept(a1, ASKER, at=at, history=found),
    ):
        assert award.entry is not None
        found.append(award.entry)
    return found


def test_entries_are_immutable_and_never_negative() -> None:
    e = thread_history()[0]
    with pytest.raises(FrozenInstanceError):
        e.points = 100  # type: ignore[misc]
    with pytest.raises(ValueError, match="never negative"):
        LedgerEntry("x", "helper", -5, Reason.BONUS, "bonus", "bonus", "b", T0)


def test_hiding_a_message_revokes_everything_it_earned() -> None:
    ledger = thread_history()
    assert total_points(ledger, "helper") == 2 + 5 + 5 + 15
    records = revoke(
        ledger, ref_id="m1", reason=RevokeReason.CONTENT_HIDDEN, at=HIDE_AT, by=MODERATOR
    )
    assert {r.entry_id for r in records} == {e.id for e in ledger if e.ref_id == "m1"}
    assert all(r.action == "revoke" and r.by == MODERATOR for r in records)
    view = apply_revocations(ledger, records)
    assert total_points(view, "helper") == 0
    # The points helper gave on m2 are untouched: they belong to expert's answer.
    assert total_points(view, "expert") == 2 + 5
    hidden = [e for e in view if e.ref_id == "m1"]
    assert {(e.revoked_at, e.revoked_reason) for e in hidden} == {
        (HIDE_AT, RevokeReason.CONTENT_HIDDEN)
    }
    # Nothing was edited: the original entries still carry their points.
    assert [e.points for e in view] == [e.points for e in ledger]


def test_revoking_twice_writes_nothing_the_second_time() -> None:
    ledger = thread_history()
    first = revoke(ledger, ref_id="m1", reason=RevokeReason.CONTENT_HIDDEN, at=HIDE_AT)
    view = apply_revocations(ledger, first)
    assert revoke(view, ref_id="m1", reason=RevokeReason.CONTENT_HIDDEN, at=HIDE_AT) == []


def test_a_ban_revokes_what_the_author_earned_and_optionally_what_they_gave() -> None:
    ledger = thread_history()
    earned = revoke(ledger, visitor_id="helper", reason=RevokeReason.AUTHOR_BANNED, at=HIDE_AT)
    view = apply_revocations(ledger, earned)
    assert total_points(view, "helper") == 0
    assert total_points(view, "expert") == 7
    given = revoke(view, giver_id="helper", reason=RevokeReason.AUTHOR_BANNED, at=HIDE_AT)
    view = apply_revocations(ledger, earned + given)
    assert total_points(view, "expert") == 2


def test_a_withdrawn_vote_revokes_only_that_vote() -> None:
    ledger = thread_history()
    records = revoke(
        ledger,
        ref_id="m1",
        giver_id="expert",
        reasons={Reason.HELPFUL_VOTE},
        reason=RevokeReason.VOTE_WITHDRAWN,
        at=HIDE_AT,
    )
    assert len(records) == 1
    assert total_points(apply_revocations(ledger, records), "helper") == 2 + 5 + 15


def test_revoke_needs_a_selector() -> None:
    with pytest.raises(ValueError, match="what to revoke"):
        revoke([], reason=RevokeReason.CONTENT_HIDDEN, at=HIDE_AT)


def test_restoring_a_message_gives_back_what_hiding_took_but_not_what_a_ban_took() -> None:
    ledger = thread_history()
    elsewhere = points_for_answer(answer("m3", thread_id="t3"), history=ledger).entry
    assert elsewhere is not None
    ledger.append(elsewhere)
    hidden = revoke(ledger, ref_id="m1", reason=RevokeReason.CONTENT_HIDDEN, at=HIDE_AT)
    view = apply_revocations(ledger, hidden)
    banned = revoke(view, visitor_id="helper", reason=RevokeReason.AUTHOR_BANNED, at=HIDE_AT)
    assert [r.entry_id for r in banned] == [elsewhere.id]
    log = hidden + banned
    later = HIDE_AT + timedelta(hours=1)
    back = restore(
        apply_revocations(ledger, log),
        ref_id="m1",
        reason=RevokeReason.CONTENT_HIDDEN,
        at=later,
    )
    assert {r.action for r in back} == {"restore"}
    view = apply_revocations(ledger, log + back)
    assert total_points(view, "helper") == 27  # m1's points; m3's stay revoked by the ban
    # Restoring again writes nothing.
    assert restore(view, ref_id="m1", reason=RevokeReason.CONTENT_HIDDEN, at=later) == []


def test_restore_leaves_entries_revoked_for_another_reason() -> None:
    ledger = thread_history()
    banned = revoke(ledger, visitor_id="helper", reason=RevokeReason.AUTHOR_BANNED, at=HIDE_AT)
    view = apply_revocations(ledger, banned)
    assert restore(view, ref_id="m1", reason=RevokeReason.CONTENT_HIDDEN, at=HIDE_AT) == []
    unbanned = restore(view, visitor_id="helper", reason=RevokeReason.AUTHOR_BANNED, at=HIDE_AT)
    assert total_points(apply_revocations(ledger, banned + unbanned), "helper") == 27


def test_the_latest_record_decides_and_order_breaks_same_time_ties() -> None:
    e = thread_history()[0]
    t1, t2 = HIDE_AT, HIDE_AT + timedelta(minutes=1)
    revoked = Revocation(e.id, t1, RevokeReason.CONTENT_HIDDEN)
    restored = Revocation(e.id, t2, RevokeReason.CONTENT_HIDDEN, "restore")
    # Records may be read back in any order: time decides.
    assert apply_revocations([e], [restored, revoked])[0].active
    assert not apply_revocations([e], [revoked])[0].active
    # Same instant: the one appended last wins.
    same = Revocation(e.id, t1, RevokeReason.CONTENT_HIDDEN, "restore")
    assert apply_revocations([e], [revoked, same])[0].active
    assert not apply_revocations([e], [same, revoked])[0].active


def test_apply_revocations_clears_a_stale_mark_when_no_record_says_revoked() -> None:
    e = thread_history()[0]
    view = apply_revocations([e], [Revocation(e.id, HIDE_AT, RevokeReason.CONTENT_HIDDEN)])
    assert apply_revocations(view, [])[0].active


def test_rule_snapshots_round_trip() -> None:
    text = snapshot("helpful_vote", value=5, factor=0.5, note="deux mots")
    assert text == "helpful_vote value=5 factor=0.5 note=deux_mots"
    assert parse_snapshot(text) == (
        "helpful_vote",
        {"value": "5", "factor": "0.5", "note": "deux_mots"},
    )


def test_entries_read_back_with_plain_string_codes_compare_equal() -> None:
    e = thread_history()[0]
    raw = asdict(e)
    raw["reason"] = str(e.reason)
    assert LedgerEntry(**raw) == e
    with pytest.raises(ValueError, match="ref_kind"):
        LedgerEntry(**{**raw, "ref_kind": "post"})
    with pytest.raises(ValueError, match="likes"):
        LedgerEntry(**{**raw, "reason": "likes"})
    record = Revocation(e.id, HIDE_AT, "content_hidden")  # type: ignore[arg-type]
    assert record.reason is RevokeReason.CONTENT_HIDDEN
