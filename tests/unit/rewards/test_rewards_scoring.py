"""Scoring: each rule, and each anti-gaming case, turns facts into the right entry or none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.errors import Invalid
from app.domain.models import Message, MessageKind, Thread
from rewards import (
    DEFAULT_RULES,
    Actor,
    AnswerRef,
    Award,
    LedgerEntry,
    Outcome,
    PointsRules,
    Reason,
    RevokeReason,
    answer_ref,
    bonus,
    endorsed_answers,
    points_for_accept,
    points_for_answer,
    points_for_endorsement,
    points_for_fast_first_answer,
    points_for_vote,
    release_deferred_votes,
)
from rewards.ledger import parse_snapshot
from tests.unit.rewards.factories import (
    ASKER,
    EXPERT,
    HELPER,
    NEWBIE,
    SHOPPER_ALT,
    SHOPPER_MAIN,
    T0,
    answer,
)

LATER = T0 + timedelta(minutes=30)


def vote(
    ans: AnswerRef,
    voter: Actor,
    history: Iterable[LedgerEntry] = (),
    at: datetime = LATER,
    participations: int = 3,
    rules: PointsRules = DEFAULT_RULES,
) -> Award:
    return points_for_vote(
        ans,
        voter,
        at=at,
        voter_participations=participations,
        history=list(history),
        rules=rules,
    )


# --- answers ---------------------------------------------------------------------------


def test_an_answer_to_someone_elses_question_earns_the_answer_points() -> None:
    award = points_for_answer(answer(), history=[])
    assert award.outcome is Outcome.AWARDED
    e = award.entry
    assert e is not None
    assert (e.visitor_id, e.points, e.reason) == ("helper", 2, Reason.ANSWER)
    assert (e.ref_kind, e.ref_id, e.thread_id) == ("message", "m1", "t1")
    assert (e.room, e.category, e.lang) == ("velo-rando", "sport", "fr")
    assert e.giver_id is None
    assert e.created_at == T0 + timedelta(minutes=4)
    assert e.id == "answer:m1#1"
    assert parse_snapshot(e.rule) == ("answer", {"value": "2", "cap": "40", "capped": "0"})


def test_answering_your_own_question_earns_nothing_even_from_a_second_identity() -> None:
    assert points_for_answer(answer(author=ASKER), history=[]).outcome is Outcome.SELF
    alt = answer(author=SHOPPER_ALT, asker=SHOPPER_MAIN)
    assert points_for_answer(alt, history=[]).outcome is Outcome.SELF


def test_an_answer_is_scored_once() -> None:
    first = points_for_answer(answer(), history=[]).entry
    assert first is not None
    assert points_for_answer(answer(), history=[first]).outcome is Outcome.DUPLICATE


def test_answer_points_stop_at_the_daily_maximum() -> None:
    rules = PointsRules(answer=2, answer_daily_max=5)
    history: list[LedgerEntry] = []
    outcomes = []
    for n in range(4):
        award = points_for_answer(
            answer(f"m{n}", thread_id=f"t{n}", after=timedelta(minutes=n)),
            history=history,
            rules=rules,
        )
        outcomes.append((award.outcome, award.entry.points if award.entry else None))
        if award.entry:
            history.append(award.entry)
    assert outcomes == [
        (Outcome.AWARDED, 2),
        (Outcome.AWARDED, 2),
        (Outcome.CAPPED, 1),
        (Outcome.CAPPED, 0),
    ]
    # The window rolls: a day later, answers count again.
    next_day = answer("m9", thread_id="t9", asked_at=T0 + timedelta(days=1, minutes=5))
    assert points_for_answer(next_day, history=history, rules=rules).outcome is Outcome.AWARDED


def test_answer_ref_takes_the_domain_entities_and_refuses_staff_messages() -> None:
    thread = Thread("t1", "velo-rando", "asker", "Asker", "Quelle taille ?", "c1", T0)
    message = Message(
        "m1", "t1", "velo-rando", MessageKind.ANSWER, "helper", "Helper", "M", "c2", LATER
    )
    ref = answer_ref(message, thread, category="sport", asker_shopper_id="cust-1", lang="fr")
    assert ref.author == Actor("helper")
    assert ref.asker == Actor("asker", "cust-1")
    assert (ref.asked_at, ref.answered_at, ref.room) == (T0, LATER, "velo-rando")
    staff = Message("m2", "t1", "velo-rando", MessageKind.STAFF, "s", "Staff", "x", "c3", LATER)
    with pytest.raises(ValueError, match="no points"):
        answer_ref(staff, thread, category="sport")


# --- helpful votes ---------------------------------------------------------------------


def test_a_helpful_vote_gives_the_vote_points_to_the_author() -> None:
    award = vote(answer(), ASKER)
    assert award.outcome is Outcome.AWARDED
    e = award.entry
    assert e is not None
    assert (e.visitor_id, e.points, e.reason, e.giver_id) == ("helper", 5, "helpful_vote", "asker")
    assert e.giver_person == "visitor:asker"
    assert e.created_at == LATER
    assert e.id == "helpful_vote:m1:visitor:asker#1"


def test_no_self_votes_including_from_a_second_identity() -> None:
    assert vote(answer(), HELPER).outcome is Outcome.SELF
    mine = answer(author=SHOPPER_MAIN)
    assert vote(mine, SHOPPER_ALT).outcome is Outcome.SELF
    # Same visitor id, shopper id known on one side only: still the same person.
    assert vote(answer(author=Actor("helper", "cust-9")), HELPER).outcome is Outcome.SELF


def test_one_vote_per_person_per_answer() -> None:
    first = vote(answer(), ASKER).entry
    assert first is not None
    assert vote(answer(), ASKER, [first]).outcome is Outcome.DUPLICATE
    # Another voter is fine; so is the same voter on another answer.
    assert vote(answer(), EXPERT, [first]).outcome is Outcome.AWARDED
    assert vote(answer("m2"), ASKER, [first]).outcome is Outcome.AWARDED


def test_one_vote_per_person_counts_linked_identities_as_one_person() -> None:
    first = vote(answer(), SHOPPER_MAIN).entry
    assert first is not None
    assert vote(answer(), SHOPPER_ALT, [first]).outcome is Outcome.DUPLICATE


def test_a_withdrawn_vote_can_be_given_again_under_a_new_id() -> None:
    first = vote(answer(), ASKER).entry
    assert first is not None
    withdrawn = replace(first, revoked_at=LATER, revoked_reason=RevokeReason.VOTE_WITHDRAWN)
    again = vote(answer(), ASKER, [withdrawn], at=LATER + timedelta(minutes=1))
    assert again.outcome is Outcome.AWARDED
    assert again.entry is not None
    assert again.entry.id == "helpful_vote:m1:visitor:asker#2"
    # The withdrawn vote no longer halves the new one.
    assert again.entry.points == 5


@pytest.mark.parametrize(
    "taken_back_for",
    [RevokeReason.AUTHOR_BANNED, RevokeReason.CONTENT_HIDDEN, RevokeReason.STAFF_CORRECTION],
)
def test_a_vote_or_accept_taken_back_until_restored_is_not_scored_twice(
    taken_back_for: RevokeReason,
) -> None:
    """A ban or a hidden answer takes an entry back until it is restored: the same vote or
    accept scored again meanwhile (a new visitor's release, a redelivery) is a duplicate,
    else the restore would give back both."""
    for score in (vote, accept):
        first = score(answer(), ASKER).entry
        assert first is not None
        held = replace(first, revoked_at=LATER, revoked_reason=taken_back_for)
        again = score(answer(), ASKER, [held], at=LATER + timedelta(minutes=1))
        assert (again.outcome, again.entry) == (Outcome.DUPLICATE, None)


def test_a_new_visitors_vote_is_deferred_until_they_take_part() -> None:
    assert vote(answer(), NEWBIE, participations=0).outcome is Outcome.DEFERRED
    strict = PointsRules(new_visitor_min_participations=2)
    assert vote(answer(), NEWBIE, participations=1, rules=strict).outcome is Outcome.DEFERRED
    assert vote(answer(), NEWBIE, participations=2, rules=strict).outcome is Outcome.AWARDED


def test_deferred_votes_are_released_dated_at_release_with_caps_applied_together() -> None:
    votes = [
        (answer("m2", thread_id="t2"), T0 + timedelta(minutes=20)),
        (answer("m1"), T0 + timedelta(minutes=10)),
        (answer("m3", author=EXPERT, thread_id="t3"), T0 + timedelta(minutes=30)),
    ]
    released_at = T0 + timedelta(days=2)
    awards = release_deferred_votes(
        votes, NEWBIE, at=released_at, voter_participations=1, history=[]
    )
    got = [(a.entry.ref_id, a.entry.points) for a in awards if a.entry]
    # Oldest vote first: m1 full, m2 halved (second from newbie to helper), m3 full.
    assert got == [("m1", 5), ("m2", 2), ("m3", 5)]
    assert all(a.entry and a.entry.created_at == released_at for a in awards)
    assert awards[0].entry is not None
    assert parse_snapshot(awards[0].entry.rule)[1]["voted_at"] == "2026-11-18T10:10:00Z"
    # Still not taken part: everything stays deferred.
    waiting = release_deferred_votes(
        votes, NEWBIE, at=released_at, voter_participations=0, history=[]
    )
    assert {a.outcome for a in waiting} == {Outcome.DEFERRED}


def test_repeated_thanks_from_one_person_halve_each_time() -> None:
    history: list[LedgerEntry] = []
    points = []
    for n in range(5):
        award = vote(
            answer(f"m{n}", thread_id=f"t{n}"),
            ASKER,
            history,
            at=T0 + timedelta(days=n),  # one per day: the daily cap is not what bites
        )
        assert award.entry is not None
        history.append(award.entry)
        points.append(award.entry.points)
    assert points == [5, 2, 1, 0, 0]
    assert parse_snapshot(history[1].rule)[1]["nth"] == "2"


def test_halving_forgets_votes_older_than_the_window() -> None:
    old = vote(answer("m0", thread_id="t0"), ASKER, at=T0).entry
    assert old is not None
    fresh = vote(answer("m1"), ASKER, [old], at=T0 + timedelta(days=30, seconds=1))
    assert fresh.entry is not None
    assert fresh.entry.points == 5
    recent = vote(answer("m1"), ASKER, [old], at=T0 + timedelta(days=29))
    assert recent.entry is not None
    assert recent.entry.points == 2


def test_many_different_askers_outweigh_repeated_thanks_from_one() -> None:
    fans = [Actor(f"shopper-{n}") for n in range(3)]
    from_many = [vote(answer(f"m{n}", thread_id=f"t{n}"), fan).entry for n, fan in enumerate(fans)]
    from_one: list[LedgerEntry] = []
    for n in range(3):
        award = vote(answer(f"m{n}", thread_id=f"t{n}"), ASKER, from_one, at=T0 + timedelta(days=n))
        assert award.entry is not None
        from_one.append(award.entry)
    assert sum(e.points for e in from_many if e) == 15
    assert sum(e.points for e in from_one) == 8


def test_daily_cap_on_points_one_person_gives_another() -> None:
    rules = PointsRules(repeat_factor=1.0)  # isolate the cap from the halving
    history: list[LedgerEntry] = []
    got = []
    for n in range(6):
        award = vote(
            answer(f"m{n}", thread_id=f"t{n}"),
            ASKER,
            history,
            at=LATER + timedelta(minutes=n),
            rules=rules,
        )
        assert award.entry is not None
        history.append(award.entry)
        got.append((award.outcome, award.entry.points))
    assert got == [(Outcome.AWARDED, 5)] * 4 + [(Outcome.CAPPED, 0)] * 2
    # The cap is per receiver: the same voter can still thank someone else.
    other = vote(answer("m9", author=EXPERT, thread_id="t9"), ASKER, history, rules=rules)
    assert other.outcome is Outcome.AWARDED
    # And it rolls: 24 hours after the first vote, room again.
    tomorrow = vote(
        answer("m7", thread_id="t7"), ASKER, history, at=LATER + timedelta(days=1), rules=rules
    )
    assert tomorrow.entry is not None
    assert tomorrow.entry.points == 5


def test_the_cap_counts_every_identity_of_the_giver_and_of_the_receiver() -> None:
    rules = PointsRules(repeat_factor=1.0, daily_cap_per_giver=10)
    history: list[LedgerEntry] = []
    receivers = [Actor("pro-1", "cust-7"), Actor("pro-2", "cust-7")]
    givers = [SHOPPER_MAIN, SHOPPER_ALT, SHOPPER_MAIN]
    got = []
    for n, giver in enumerate(givers):
        award = vote(
            answer(f"m{n}", thread_id=f"t{n}", author=receivers[n % 2]),
            giver,
            history,
            rules=rules,
        )
        assert award.entry is not None
        history.append(award.entry)
        got.append(award.entry.points)
    assert got == [5, 5, 0]


def test_the_cap_can_cut_a_vote_short() -> None:
    rules = PointsRules(repeat_factor=1.0, daily_cap_per_giver=12)
    history: list[LedgerEntry] = []
    for n in range(3):
        e = vote(answer(f"m{n}", thread_id=f"t{n}"), ASKER, history, rules=rules).entry
        assert e is not None
        history.append(e)
    assert [e.points for e in history] == [5, 5, 2]
    assert parse_snapshot(history[2].rule)[1]["capped"] == "1"


# --- accepts ---------------------------------------------------------------------------


def accept(
    ans: AnswerRef,
    accepter: Actor = ASKER,
    history: Iterable[LedgerEntry] = (),
    at: datetime = LATER,
    rules: PointsRules = DEFAULT_RULES,
) -> Award:
    return points_for_accept(ans, accepter, at=at, history=list(history), rules=rules)


def test_an_accepted_answer_earns_the_accept_points() -> None:
    award = accept(answer())
    assert award.outcome is Outcome.AWARDED
    assert award.entry is not None
    assert (award.entry.points, award.entry.reason, award.entry.giver_id) == (
        15,
        Reason.ACCEPTED,
        "asker",
    )


def test_no_self_accepts() -> None:
    assert accept(answer(author=ASKER), ASKER).outcome is Outcome.SELF


def test_no_accepting_an_answer_from_your_own_second_identity() -> None:
    # The shopper asks as one visitor and answers as another; both are customer 42.
    alt_answer = answer(author=SHOPPER_ALT, asker=SHOPPER_MAIN)
    assert accept(alt_answer, SHOPPER_MAIN).outcome is Outcome.SELF
    assert points_for_answer(alt_answer, history=[]).outcome is Outcome.SELF
    # Different verified shoppers are different people.
    other = answer(author=Actor("someone", "cust-43"), asker=SHOPPER_MAIN)
    assert accept(other, SHOPPER_MAIN).outcome is Outcome.AWARDED


def test_only_the_askers_accept_counts() -> None:
    assert accept(answer(), EXPERT).outcome is Outcome.NOT_ELIGIBLE


def test_an_answer_is_accepted_once() -> None:
    first = accept(answer()).entry
    assert first is not None
    assert accept(answer(), ASKER, [first]).outcome is Outcome.DUPLICATE


def test_a_vote_then_an_accept_on_the_same_answer_is_not_halved_but_shares_the_cap() -> None:
    v = vote(answer(), ASKER).entry
    assert v is not None
    a = accept(answer(), ASKER, [v]).entry
    assert a is not None
    assert (v.points, a.points) == (5, 15)
    # A second thread the same day: the pair already reached the 20-point cap.
    again = accept(answer("m2", thread_id="t2"), ASKER, [v, a], at=LATER + timedelta(hours=1))
    assert again.outcome is Outcome.CAPPED
    assert again.entry is not None
    assert again.entry.points == 0


def test_repeated_accepts_from_one_asker_halve() -> None:
    first = accept(answer()).entry
    assert first is not None
    second = accept(answer("m2", thread_id="t2"), ASKER, [first], at=LATER + timedelta(days=2))
    assert second.entry is not None
    assert second.entry.points == 7


# --- fast first answers, endorsements, bonuses -----------------------------------------


def test_a_fast_first_answer_earns_the_bonus() -> None:
    award = points_for_fast_first_answer(answer(), first_answer=True, history=[])
    assert award.outcome is Outcome.AWARDED
    assert award.entry is not None
    assert (award.entry.points, award.entry.ref_id, award.entry.id) == (
        5,
        "m1",
        "fast_first_answer:t1#1",
    )
    assert parse_snapshot(award.entry.rule)[1]["waited_s"] == "240"


@pytest.mark.parametrize(
    ("after", "first", "outcome"),
    [
        (timedelta(minutes=10), True, Outcome.AWARDED),
        (timedelta(minutes=10, seconds=1), True, Outcome.NOT_ELIGIBLE),
        (timedelta(minutes=2), False, Outcome.NOT_ELIGIBLE),
    ],
)
def test_fast_means_first_and_within_the_delay(
    after: timedelta, first: bool, outcome: Outcome
) -> None:
    award = points_for_fast_first_answer(answer(after=after), first_answer=first, history=[])
    assert award.outcome is outcome


def test_no_fast_bonus_for_answering_yourself_or_twice_per_thread() -> None:
    own = points_for_fast_first_answer(answer(author=ASKER), first_answer=True, history=[])
    assert own.outcome is Outcome.SELF
    first = points_for_fast_first_answer(answer(), first_answer=True, history=[]).entry
    assert first is not None
    again = points_for_fast_first_answer(
        answer("m2", author=EXPERT), first_answer=True, history=[first]
    )
    assert again.outcome is Outcome.DUPLICATE


def test_a_staff_endorsement_counts_once_per_answer_and_is_not_capped() -> None:
    award = points_for_endorsement(answer(), "staff-1", at=LATER, history=[])
    assert award.entry is not None
    assert (award.entry.points, award.entry.giver_person) == (10, "staff:staff-1")
    again = points_for_endorsement(answer(), "staff-2", at=LATER, history=[award.entry])
    assert again.outcome is Outcome.DUPLICATE
    # Endorsements do not eat into anyone's daily cap.
    v = vote(answer(), ASKER, [award.entry])
    assert v.entry is not None
    assert v.entry.points == 5


def test_endorsed_answers_are_those_with_an_endorsement_that_still_counts() -> None:
    kept = points_for_endorsement(answer("m1"), "staff-1", at=LATER, history=[]).entry
    hidden = points_for_endorsement(answer("m2"), "staff-1", at=LATER, history=[]).entry
    voted = vote(answer("m3"), ASKER).entry
    assert kept is not None and hidden is not None and voted is not None
    taken_back = replace(hidden, revoked_at=LATER, revoked_reason=RevokeReason.CONTENT_HIDDEN)
    assert endorsed_answers([kept, taken_back, voted]) == {"m1"}
    assert endorsed_answers([]) == set()


def test_a_bonus_needs_a_reason_and_bounded_positive_points() -> None:
    e = bonus(
        HELPER,
        50,
        staff_id="staff-1",
        note="  Merci pour le   guide des tailles ",
        at=LATER,
        bonus_id="b1",
    )
    assert (e.points, e.reason, e.ref_kind, e.ref_id, e.id) == (
        50,
        "bonus",
        "bonus",
        "b1",
        "bonus:b1",
    )
    assert e.note == "Merci pour le guide des tailles"
    assert e.room is None
    for points, note in [(0, "ok"), (-5, "ok"), (501, "ok"), (10, "   "), (10, "x" * 501)]:
        with pytest.raises(Invalid):
            bonus(HELPER, points, staff_id="s", note=note, at=LATER, bonus_id="b2")


def test_naive_times_are_refused() -> None:
    naive = datetime(2026, 11, 18, 10, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        vote(answer(), ASKER, at=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        answer(asked_at=naive)


def test_times_are_normalised_to_utc() -> None:
    paris = LATER.astimezone(ZoneInfo("Europe/Paris"))
    e = vote(answer(), ASKER, at=paris).entry
    assert e is not None
    assert e.created_at.tzinfo is UTC
    assert e.created_at == LATER
