"""A banned author earns nothing dated while the ban runs (issue 8, defect 7).

The ban revokes what the author had earned and lifting it restores that; an award dated
during the ban would be active at once and survive the lift, so the rules write none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rewards import (
    AnswerRef,
    Outcome,
    points_for_accept,
    points_for_answer,
    points_for_endorsement,
    points_for_fast_first_answer,
    points_for_vote,
    release_deferred_votes,
)
from tests.unit.rewards.factories import ASKER, EXPERT, T0, answer

ANSWERED = T0 + timedelta(minutes=4)
BAN_ENDS = T0 + timedelta(days=3)
DURING = T0 + timedelta(days=1)
AFTER = BAN_ENDS + timedelta(minutes=1)


def banned_answer(banned_until: datetime | None = BAN_ENDS) -> AnswerRef:
    ref = answer()
    return AnswerRef(
        message_id=ref.message_id, thread_id=ref.thread_id, room=ref.room,
        category=ref.category, author=ref.author, asker=ref.asker,
        answered_at=ref.answered_at, asked_at=ref.asked_at, lang=ref.lang,
        author_banned_until=banned_until,
    )  # fmt: skip


def test_a_vote_during_the_authors_ban_earns_nothing_and_counts_again_after() -> None:
    ref = banned_answer()
    during = points_for_vote(ref, EXPERT, at=DURING, voter_participations=3, history=[])
    assert (during.outcome, during.entry) == (Outcome.NOT_ELIGIBLE, None)
    after = points_for_vote(ref, EXPERT, at=AFTER, voter_participations=3, history=[])
    assert after.outcome is Outcome.AWARDED and after.entry is not None
    assert after.entry.points == 5


def test_an_accept_during_the_authors_ban_earns_nothing() -> None:
    ref = banned_answer()
    during = points_for_accept(ref, ASKER, at=DURING, history=[])
    assert (during.outcome, during.entry) == (Outcome.NOT_ELIGIBLE, None)
    assert points_for_accept(ref, ASKER, at=AFTER, history=[]).outcome is Outcome.AWARDED


def test_an_endorsement_during_the_authors_ban_earns_nothing() -> None:
    ref = banned_answer()
    during = points_for_endorsement(ref, "staff-1", at=DURING, history=[])
    assert (during.outcome, during.entry) == (Outcome.NOT_ELIGIBLE, None)
    after = points_for_endorsement(ref, "staff-1", at=AFTER, history=[])
    assert after.outcome is Outcome.AWARDED


def test_deferred_votes_released_during_the_authors_ban_earn_nothing() -> None:
    [released] = release_deferred_votes(
        [(banned_answer(), ANSWERED)], EXPERT, at=DURING, voter_participations=1, history=[]
    )
    assert (released.outcome, released.entry) == (Outcome.NOT_ELIGIBLE, None)


def test_a_deferred_vote_cast_during_the_ban_earns_nothing_when_released_after_it() -> None:
    """The ban is judged when the vote was cast, not when it is released: a new visitor
    who voted during the ban and takes part after it ended still gives nothing."""
    [released] = release_deferred_votes(
        [(banned_answer(), DURING)], EXPERT, at=AFTER, voter_participations=1, history=[]
    )
    assert (released.outcome, released.entry) == (Outcome.NOT_ELIGIBLE, None)


def test_an_answer_posted_while_banned_earns_nothing() -> None:
    """The chat refuses a banned author's answers; if one is scored anyway (an answer taken
    just as the ban landed), the rules still award nothing dated during the ban."""
    ref = banned_answer(banned_until=ANSWERED + timedelta(hours=1))
    assert points_for_answer(ref, history=[]).outcome is Outcome.NOT_ELIGIBLE
    fast = points_for_fast_first_answer(ref, first_answer=True, history=[])
    assert fast.outcome is Outcome.NOT_ELIGIBLE


def test_a_ban_that_has_ended_changes_nothing() -> None:
    ended = banned_answer(banned_until=T0)
    assert points_for_answer(ended, history=[]).outcome is Outcome.AWARDED
    vote = points_for_vote(ended, EXPERT, at=DURING, voter_participations=3, history=[])
    assert vote.outcome is Outcome.AWARDED
