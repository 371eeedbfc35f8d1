"""Thread lifecycle: which status may follow which, and who may act on a thread.

open -> answered -> resolved; any live state -> escalated -> staff -> resolved or handed back;
a moderator may hide any thread. An illegal move raises `Conflict`, never a silent no-op.
"""

from __future__ import annotations

from app.domain.errors import Conflict, Forbidden
from app.domain.models import Message, MessageKind, Thread, ThreadStatus

S = ThreadStatus

ALLOWED: dict[ThreadStatus, frozenset[ThreadStatus]] = {
    S.OPEN: frozenset({S.ANSWERED, S.RESOLVED, S.ESCALATED, S.HIDDEN}),
    S.ANSWERED: frozenset({S.RESOLVED, S.ESCALATED, S.HIDDEN}),
    S.RESOLVED: frozenset({S.ESCALATED, S.HIDDEN}),
    S.ESCALATED: frozenset({S.STAFF, S.RESOLVED, S.OPEN, S.ANSWERED, S.HIDDEN}),
    S.STAFF: frozenset({S.RESOLVED, S.OPEN, S.ANSWERED, S.HIDDEN}),
    S.HIDDEN: frozenset({S.OPEN, S.ANSWERED, S.RESOLVED}),
}

ANSWERABLE = frozenset({S.OPEN, S.ANSWERED, S.ESCALATED, S.STAFF})


def move(thread: Thread, to: ThreadStatus) -> None:
    """Change `thread.status` or raise `Conflict` if the lifecycle forbids it."""
    if to not in ALLOWED[thread.status]:
        raise Conflict(f"a thread that is {thread.status} cannot become {to}")
    thread.status = to


def restored(thread: Thread) -> ThreadStatus:
    """Where a hidden question goes back to when a moderator restores it."""
    if thread.accepted_message_id is not None:
        return S.RESOLVED
    return S.ANSWERED if thread.answer_count else S.OPEN


def check_can_answer(thread: Thread) -> None:
    if thread.status not in ANSWERABLE:
        raise Conflict(f"this question is {thread.status} and takes no more answers")


def record_answer(thread: Thread, by_visitor_id: str) -> None:
    """Count a new community answer; the first one moves an open thread to answered.

    The asker's own follow-ups ("any news?") are allowed but answer nothing.
    """
    check_can_answer(thread)
    if by_visitor_id == thread.author_id:
        return
    thread.answer_count += 1
    thread.next_check_at = None  # answered: the unanswered-SLA ladder stops
    if thread.status is S.OPEN:
        move(thread, S.ANSWERED)


def accept(thread: Thread, message: Message, by_visitor_id: str) -> None:
    """Only the asker accepts, only someone else's visible answer in this thread."""
    if thread.author_id != by_visitor_id:
        raise Forbidden("only the person who asked can accept an answer")
    if message.thread_id != thread.id or message.kind is not MessageKind.ANSWER or message.hidden:
        raise Conflict("only a visible answer in this thread can be accepted")
    if message.author_id == by_visitor_id:
        raise Forbidden("you cannot accept your own answer")
    if thread.accepted_message_id is not None:
        raise Conflict("an answer is already accepted")
    move(thread, S.RESOLVED)
    thread.accepted_message_id = message.id


def resolve(thread: Thread, by_visitor_id: str) -> None:
    """The asker says their question is settled without accepting a particular answer."""
    if thread.author_id != by_visitor_id:
        raise Forbidden("only the person who asked can mark it resolved")
    move(thread, S.RESOLVED)


def check_can_vote(message: Message, voter_id: str) -> None:
    if message.author_id == voter_id:
        raise Forbidden("you cannot vote for your own answer")
    if message.kind is not MessageKind.ANSWER or message.hidden:
        raise Conflict("only visible answers take helpful votes")
