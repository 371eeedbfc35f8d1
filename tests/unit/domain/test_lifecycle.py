"""Thread lifecycle rules: legal moves happen, illegal ones are `conflict`, roles enforced."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain import lifecycle
from app.domain.errors import Conflict, Forbidden
from app.domain.models import Message, MessageKind, Thread, ThreadStatus

NOW = datetime(2026, 11, 22, tzinfo=UTC)
S = ThreadStatus


def make_thread(status: ThreadStatus = S.OPEN, author: str = "asker") -> Thread:
    return Thread(
        id="t1", room="r", author_id=author, author_name="Camille", body="Q?",
        client_id="c1", created_at=NOW, status=status,
    )  # fmt: skip


def make_answer(author: str = "helper", kind: MessageKind = MessageKind.ANSWER) -> Message:
    return Message(
        id="m1", thread_id="t1", room="r", kind=kind, author_id=author, author_name="Hugo",
        body="A", client_id="c2", created_at=NOW,
    )  # fmt: skip


def test_first_answer_moves_open_to_answered_and_counts() -> None:
    thread = make_thread()
    lifecycle.record_answer(thread, "helper")
    lifecycle.record_answer(thread, "other helper")
    assert thread.status is S.ANSWERED and thread.answer_count == 2


def test_the_askers_follow_up_answers_nothing() -> None:
    thread = make_thread()
    lifecycle.record_answer(thread, "asker")
    assert thread.status is S.OPEN and thread.answer_count == 0


@pytest.mark.parametrize("status", [S.RESOLVED, S.HIDDEN])
def test_closed_threads_take_no_answers(status: ThreadStatus) -> None:
    with pytest.raises(Conflict):
        lifecycle.record_answer(make_thread(status), "helper")


def test_asker_accepts_someone_elses_answer() -> None:
    thread = make_thread(S.ANSWERED)
    lifecycle.accept(thread, make_answer(), "asker")
    assert thread.status is S.RESOLVED and thread.accepted_message_id == "m1"


@pytest.mark.parametrize(
    ("by", "answer", "error"),
    [
        ("helper", make_answer(), Forbidden),  # not the asker
        ("asker", make_answer(author="asker"), Forbidden),  # own answer
        ("asker", make_answer(kind=MessageKind.SYSTEM), Conflict),  # not an answer
    ],
)
def test_accept_refusals(by: str, answer: Message, error: type[Exception]) -> None:
    thread = make_thread(S.ANSWERED)
    with pytest.raises(error):
        lifecycle.accept(thread, answer, by)
    assert thread.status is S.ANSWERED and thread.accepted_message_id is None


def test_accepting_twice_is_a_conflict() -> None:
    thread = make_thread(S.ANSWERED)
    lifecycle.accept(thread, make_answer(), "asker")
    with pytest.raises(Conflict):
        lifecycle.accept(thread, make_answer(), "asker")


def test_hidden_answers_take_no_votes_and_nobody_votes_for_themselves() -> None:
    hidden = make_answer()
    hidden.hidden = True
    with pytest.raises(Conflict):
        lifecycle.check_can_vote(hidden, "someone")
    with pytest.raises(Forbidden):
        lifecycle.check_can_vote(make_answer(), "helper")


@pytest.mark.parametrize(
    ("start", "to", "legal"),
    [
        (S.OPEN, S.ESCALATED, True),
        (S.ESCALATED, S.STAFF, True),
        (S.STAFF, S.OPEN, True),  # handed back to the community
        (S.OPEN, S.STAFF, False),  # staff take over only what was escalated
        (S.RESOLVED, S.OPEN, False),
        (S.HIDDEN, S.STAFF, False),
        (S.ANSWERED, S.OPEN, False),
    ],
)
def test_transition_table(start: ThreadStatus, to: ThreadStatus, legal: bool) -> None:
    thread = make_thread(start)
    if legal:
        lifecycle.move(thread, to)
        assert thread.status is to
    else:
        with pytest.raises(Conflict):
            lifecycle.move(thread, to)
        assert thread.status is start


def test_only_the_asker_marks_resolved() -> None:
    with pytest.raises(Forbidden):
        lifecycle.resolve(make_thread(), "helper")
    thread = make_thread()
    lifecycle.resolve(thread, "asker")
    assert thread.status is S.RESOLVED
