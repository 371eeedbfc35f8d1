"""Turn domain facts (an answer, a vote, an accept...) into ledger entries, with anti-gaming.

Every function is pure: the caller (a service) reads the facts and the relevant history
from the store, passes them in, and appends the returned entry. Preconditions on `history`
are stated per function; each function filters it itself, so passing more is harmless.
Time windows are half-open on the left: an entry counts if `at - window < created_at <= at`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.errors import Invalid
from app.domain.models import Message, MessageKind, Thread
from rewards.ledger import (
    Actor,
    Award,
    LedgerEntry,
    Outcome,
    next_id,
    require_aware,
    snapshot,
    staff_person,
)
from rewards.rules import DEFAULT_RULES, THANKS_REASONS, PointsRules, Reason, RevokeReason


@dataclass(frozen=True, slots=True)
class AnswerRef:
    """What scoring needs to know about an answer and the question it answers."""

    message_id: str
    thread_id: str
    room: str
    category: str | None
    author: Actor
    asker: Actor
    answered_at: datetime
    asked_at: datetime
    lang: str | None = None  # detected language of the answer: feeds the multilingual badge
    # When the author's ban ends, if they are banned: nothing is awarded to them while it
    # runs (their earlier points were revoked by the ban and come back when it is lifted).
    author_banned_until: datetime | None = None

    def __post_init__(self) -> None:
        require_aware("answered_at", self.answered_at)
        require_aware("asked_at", self.asked_at)
        if self.author_banned_until is not None:
            require_aware("author_banned_until", self.author_banned_until)

    def author_banned_at(self, at: datetime) -> bool:
        """Whether an entry dated `at` would land while the author is banned."""
        return self.author_banned_until is not None and at < self.author_banned_until


def answer_ref(
    message: Message,
    thread: Thread,
    *,
    category: str | None,
    author_shopper_id: str | None = None,
    asker_shopper_id: str | None = None,
    lang: str | None = None,
    author_network: str | None = None,
    asker_network: str | None = None,
    author_banned_until: datetime | None = None,
) -> AnswerRef:
    """Build an `AnswerRef` from the domain entities. Only community answers earn points.

    The networks are the visitors' `network` keys (see `Actor`), `author_banned_until` the
    author's `Visitor.banned_until` as read when the fact is scored.
    """
    if message.kind != MessageKind.ANSWER:
        raise ValueError(f"{message.kind} messages earn no points")
    if message.thread_id != thread.id:
        raise ValueError("the message does not belong to this thread")
    return AnswerRef(
        message_id=message.id,
        thread_id=thread.id,
        room=thread.room,
        category=category,
        author=Actor(message.author_id, author_shopper_id, author_network),
        asker=Actor(thread.author_id, asker_shopper_id, asker_network),
        answered_at=message.created_at,
        asked_at=thread.created_at,
        lang=lang,
        author_banned_until=author_banned_until,
    )


def _within(entry: LedgerEntry, at: datetime, window: timedelta) -> bool:
    return at - window < entry.created_at <= at


def _given(
    history: Iterable[LedgerEntry],
    giver: Actor,
    receiver: Actor,
    at: datetime,
    window: timedelta,
    reasons: frozenset[Reason],
) -> list[LedgerEntry]:
    """Active entries of `reasons` from one giver (`Actor.giver_person`: unverified visitors
    of one network give as one) to one person within the window."""
    return [
        e
        for e in history
        if e.active
        and e.reason in reasons
        and (e.giver_person == giver.giver_person or e.giver_id == giver.visitor_id)
        and (e.person == receiver.person or e.visitor_id == receiver.visitor_id)
        and _within(e, at, window)
    ]


def _entry(
    answer: AnswerRef,
    reason: Reason,
    points: int,
    rule: str,
    entry_id: str,
    at: datetime,
    *,
    giver_id: str | None = None,
    giver_person: str | None = None,
    lang: str | None = None,
) -> LedgerEntry:
    return LedgerEntry(
        id=entry_id,
        visitor_id=answer.author.visitor_id,
        person=answer.author.person,
        points=points,
        reason=reason,
        rule=rule,
        ref_kind="message",
        ref_id=answer.message_id,
        thread_id=answer.thread_id,
        room=answer.room,
        category=answer.category,
        giver_id=giver_id,
        giver_person=giver_person,
        lang=lang,
        created_at=at,
    )


WITHDRAWN = frozenset({RevokeReason.VOTE_WITHDRAWN, RevokeReason.ACCEPT_WITHDRAWN})


def _stands(entry: LedgerEntry) -> bool:
    """The fact's entry is still there: active, or taken back by a ban, a hidden answer or
    staff, which restoring gives back. Scoring the same fact again (a release, a redelivery)
    must not write a second entry that the restore would give back too. Only a withdrawn
    vote or accept is gone for good: given again, it is new."""
    return entry.active or entry.revoked_reason not in WITHDRAWN


def _has_standing(history: Iterable[LedgerEntry], reason: Reason, ref_id: str) -> bool:
    return any(_stands(e) and e.reason == reason and e.ref_id == ref_id for e in history)


def points_for_answer(
    answer: AnswerRef, *, history: Sequence[LedgerEntry], rules: PointsRules = DEFAULT_RULES
) -> Award:
    """Points for answering someone else's question, within the author's daily maximum.

    `history`: at least the author's entries of the last 24 hours and every entry about
    this answer. Answering your own question (or your other identity's) earns nothing;
    nor does answering while banned, or answering a question asked from the author's own
    network by an identity the shop did not verify (NOT_ELIGIBLE).
    """
    at = require_aware("answered_at", answer.answered_at)
    if answer.author.same_person(answer.asker):
        return Award(Outcome.SELF)
    if _has_standing(history, Reason.ANSWER, answer.message_id):
        return Award(Outcome.DUPLICATE)
    if answer.author_banned_at(at) or answer.author.same_network(answer.asker):
        return Award(Outcome.NOT_ELIGIBLE)
    earned = sum(
        e.points
        for e in history
        if e.active
        and e.reason == Reason.ANSWER
        and (e.person == answer.author.person or e.visitor_id == answer.author.visitor_id)
        and _within(e, at, rules.cap_window)
    )
    points = max(0, min(rules.answer, rules.answer_daily_max - earned))
    capped = points < rules.answer
    rule = snapshot(
        Reason.ANSWER, value=rules.answer, cap=rules.answer_daily_max, capped=int(capped)
    )
    base = f"{Reason.ANSWER}:{answer.message_id}"
    entry = _entry(
        answer, Reason.ANSWER, points, rule, next_id(base, history), at, lang=answer.lang
    )
    return Award(Outcome.CAPPED if capped else Outcome.AWARDED, entry)


def _thanks(
    reason: Reason,
    answer: AnswerRef,
    giver: Actor,
    at: datetime,
    history: Sequence[LedgerEntry],
    rules: PointsRules,
    extra: dict[str, str] | None = None,
) -> Award:
    """Shared by votes and accepts: halving for repeated thanks, then the daily cap.

    The k-th thanks *of the same kind* counts: a helpful vote then an accept on the same
    answer is the normal way to say thank you and is not halved. Givers are compared by
    `Actor.giver_person`, so unverified visitors of one network share one cap.
    """
    base_value = rules.value_of(reason)
    recent = _given(history, giver, answer.author, at, rules.repeat_window, frozenset({reason}))
    nth = len(recent) + 1
    value = math.floor(base_value * rules.repeat_factor ** (nth - 1))
    today = _given(history, giver, answer.author, at, rules.cap_window, THANKS_REASONS)
    room_left = max(0, rules.daily_cap_per_giver - sum(e.points for e in today))
    points = min(value, room_left)
    capped = points < value
    rule = snapshot(
        reason,
        value=base_value,
        nth=nth,
        factor=rules.repeat_factor,
        window_days=int(rules.repeat_window.total_seconds() // 86400),
        cap=rules.daily_cap_per_giver,
        capped=int(capped),
        **(extra or {}),
    )
    base = f"{reason}:{answer.message_id}:{giver.giver_person}"
    entry = _entry(
        answer,
        reason,
        points,
        rule,
        next_id(base, history),
        at,
        giver_id=giver.visitor_id,
        giver_person=giver.giver_person,
    )
    return Award(Outcome.CAPPED if capped else Outcome.AWARDED, entry)


def points_for_vote(
    answer: AnswerRef,
    voter: Actor,
    *,
    at: datetime,
    voter_participations: int,
    history: Sequence[LedgerEntry],
    rules: PointsRules = DEFAULT_RULES,
    deferred_from: datetime | None = None,
) -> Award:
    """Points for a helpful vote on `answer` by `voter`.

    `history`: at least every entry given by the voter's person in the last
    `rules.history_window`, and every entry about this answer.
    `voter_participations`: questions + answers the voter's person has posted (not hidden).
    Order of checks: self-vote, one vote per giver per answer (a network's unverified
    visitors are one giver), the author banned when the vote was cast (`at`, or
    `deferred_from` for a vote released later) or the voter an unverified identity of the
    author's network (NOT_ELIGIBLE), new voter (DEFERRED: keep the vote, call
    `release_deferred_votes` once they take part), halving, daily cap.
    """
    at = require_aware("at", at)
    voted = require_aware("deferred_from", deferred_from) if deferred_from else at
    if voter.same_person(answer.author):
        return Award(Outcome.SELF)
    if any(
        _stands(e)
        and e.reason == Reason.HELPFUL_VOTE
        and e.ref_id == answer.message_id
        and (e.giver_person == voter.giver_person or e.giver_id == voter.visitor_id)
        for e in history
    ):
        return Award(Outcome.DUPLICATE)
    if answer.author_banned_at(voted) or voter.same_network(answer.author):
        return Award(Outcome.NOT_ELIGIBLE)
    if voter_participations < rules.new_visitor_min_participations:
        return Award(Outcome.DEFERRED)
    extra = None
    if deferred_from is not None:
        extra = {"voted_at": voted.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return _thanks(Reason.HELPFUL_VOTE, answer, voter, at, history, rules, extra)


def release_deferred_votes(
    votes: Iterable[tuple[AnswerRef, datetime]],
    voter: Actor,
    *,
    at: datetime,
    voter_participations: int,
    history: Sequence[LedgerEntry],
    rules: PointsRules = DEFAULT_RULES,
) -> list[Award]:
    """Score the votes a new visitor cast before taking part, now that they have.

    `votes` are (answer, voted_at) pairs still standing (the service drops votes on hidden
    answers), each answer with its author's ban as it was when the vote was cast: a vote
    cast during a ban never counts. Points are dated `at`, the release: they count in this
    week's board, not a past one, and the caps see them all together, oldest vote first.
    """
    seen = list(history)
    awards = []
    for answer, voted_at in sorted(votes, key=lambda pair: pair[1]):
        award = points_for_vote(
            answer,
            voter,
            at=at,
            voter_participations=voter_participations,
            history=seen,
            rules=rules,
            deferred_from=voted_at,
        )
        if award.entry is not None:
            seen.append(award.entry)
        awards.append(award)
    return awards


def points_for_accept(
    answer: AnswerRef,
    accepter: Actor,
    *,
    at: datetime,
    history: Sequence[LedgerEntry],
    rules: PointsRules = DEFAULT_RULES,
) -> Award:
    """Points for the asker accepting `answer`.

    No points when the accepter is the author, including through a second visitor id of
    the same verified shopper; only the asker's accept counts; nothing while the author is
    banned, nor from an unverified identity of the author's network. `history` as for
    votes. Precondition: when the asker switches to another answer, the service first
    revokes the previous accept (`RevokeReason.ACCEPT_WITHDRAWN`).
    """
    at = require_aware("at", at)
    if accepter.same_person(answer.author):
        return Award(Outcome.SELF)
    if not accepter.same_person(answer.asker):
        return Award(Outcome.NOT_ELIGIBLE)
    if _has_standing(history, Reason.ACCEPTED, answer.message_id):
        return Award(Outcome.DUPLICATE)
    if answer.author_banned_at(at) or accepter.same_network(answer.author):
        return Award(Outcome.NOT_ELIGIBLE)
    return _thanks(Reason.ACCEPTED, answer, accepter, at, history, rules)


def points_for_fast_first_answer(
    answer: AnswerRef,
    *,
    first_answer: bool,
    history: Sequence[LedgerEntry],
    rules: PointsRules = DEFAULT_RULES,
) -> Award:
    """Bonus for the first answer to a question when it came within the configured delay.

    `first_answer`: no earlier visible answer by someone other than the asker. `history`:
    every entry about this thread. The entry refers to the answer, so hiding it takes the
    bonus back too. Not while banned, nor for a question asked from the author's own
    network by an identity the shop did not verify (as for `points_for_answer`).
    """
    at = require_aware("answered_at", answer.answered_at)
    if answer.author.same_person(answer.asker):
        return Award(Outcome.SELF)
    waited = max(timedelta(0), at - answer.asked_at)
    if not first_answer or waited > rules.fast_first_answer_within:
        return Award(Outcome.NOT_ELIGIBLE)
    if answer.author_banned_at(at) or answer.author.same_network(answer.asker):
        return Award(Outcome.NOT_ELIGIBLE)
    if any(
        e.active and e.reason == Reason.FAST_FIRST_ANSWER and e.thread_id == answer.thread_id
        for e in history
    ):
        return Award(Outcome.DUPLICATE)
    rule = snapshot(
        Reason.FAST_FIRST_ANSWER,
        value=rules.fast_first_answer,
        within_min=int(rules.fast_first_answer_within.total_seconds() // 60),
        waited_s=int(waited.total_seconds()),
    )
    base = f"{Reason.FAST_FIRST_ANSWER}:{answer.thread_id}"
    entry = _entry(
        answer, Reason.FAST_FIRST_ANSWER, rules.fast_first_answer, rule, next_id(base, history), at
    )
    return Award(Outcome.AWARDED, entry)


def points_for_endorsement(
    answer: AnswerRef,
    staff_id: str,
    *,
    at: datetime,
    history: Sequence[LedgerEntry],
    rules: PointsRules = DEFAULT_RULES,
) -> Award:
    """Points when brand staff endorse an answer: once per answer, whoever endorses.

    Not capped: staff are accountable (audited) and are not part of any vote ring.
    Nothing while the author is banned (NOT_ELIGIBLE). `history`: every entry about this
    answer.
    """
    at = require_aware("at", at)
    if _has_standing(history, Reason.STAFF_ENDORSEMENT, answer.message_id):
        return Award(Outcome.DUPLICATE)
    if answer.author_banned_at(at):
        return Award(Outcome.NOT_ELIGIBLE)
    rule = snapshot(Reason.STAFF_ENDORSEMENT, value=rules.staff_endorsement)
    base = f"{Reason.STAFF_ENDORSEMENT}:{answer.message_id}"
    entry = _entry(
        answer,
        Reason.STAFF_ENDORSEMENT,
        rules.staff_endorsement,
        rule,
        next_id(base, history),
        at,
        giver_id=staff_id,
        giver_person=staff_person(staff_id),
    )
    return Award(Outcome.AWARDED, entry)


def endorsed_answers(entries: Iterable[LedgerEntry]) -> set[str]:
    """Ids of the answers whose staff endorsement currently counts (an active entry).

    An endorsement taken back with its hidden answer is not shown as endorsed, and comes
    back with the answer; `entries`: the ledger entries about the answers of interest.
    """
    return {e.ref_id for e in entries if e.active and e.reason == Reason.STAFF_ENDORSEMENT}


def bonus(
    visitor: Actor,
    points: int,
    *,
    staff_id: str,
    note: str,
    at: datetime,
    bonus_id: str,
    room: str | None = None,
    category: str | None = None,
    rules: PointsRules = DEFAULT_RULES,
) -> LedgerEntry:
    """A staff bonus: positive, bounded, and always with a reason the contributor can read.

    `bonus_id` comes from the caller (a new id, or the request's idempotency key) so a
    retried request lands once. A bonus without a room only counts on global boards.
    Raises `Invalid` (bad staff input), never writes a penalty: take points back with
    `revoke(..., reason=STAFF_CORRECTION)`.
    """
    at = require_aware("at", at)
    text = " ".join(note.split())
    if not text:
        raise Invalid("a bonus needs a reason the contributor can read")
    if len(text) > 500:
        raise Invalid("the reason is too long (500 characters at most)")
    if isinstance(points, bool) or not 1 <= points <= rules.bonus_max:
        raise Invalid(f"bonus points must be between 1 and {rules.bonus_max}")
    return LedgerEntry(
        id=f"{Reason.BONUS}:{bonus_id}",
        visitor_id=visitor.visitor_id,
        person=visitor.person,
        points=points,
        reason=Reason.BONUS,
        rule=snapshot(Reason.BONUS, max=rules.bonus_max),
        ref_kind="bonus",
        ref_id=bonus_id,
        room=room,
        category=category,
        giver_id=staff_id,
        giver_person=staff_person(staff_id),
        note=text,
        created_at=at,
    )
