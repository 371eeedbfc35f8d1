"""Public shapes of threads and messages (protocol objects), rendered from entities."""

from __future__ import annotations

from typing import Any

from app.domain.mail import Mail, MailStats
from app.domain.models import Event, EventType, Message, MessageKind, Thread, ThreadStatus
from app.domain.text import render_html
from insights.facts import Rating


def author(
    author_id: str, name: str, *, staff: bool = False, verified_owner: bool = False
) -> dict[str, Any]:
    # Ranks come from the rewards module once it exists; null means "no rank yet".
    # `staff` marks the brand's team (the widget shows a brand badge); `verified_owner`
    # someone the shop says bought the product ("bought it" badge).
    return {"id": author_id, "name": name, "rank": None, "staff": staff,
            "verified_owner": verified_owner}  # fmt: skip


def thread_view(thread: Thread) -> dict[str, Any]:
    hidden = thread.status is ThreadStatus.HIDDEN
    return {
        "id": thread.id,
        "room": thread.room,
        "seq": thread.seq,
        "status": thread.status.value,
        "author": author(thread.author_id, thread.author_name),
        "body": "" if hidden else thread.body,
        "erased": not hidden and thread.body == "",
        "html": "" if hidden else render_html(thread.body),
        "created_at": thread.created_at.isoformat(),
        "answer_count": thread.answer_count,
        "accepted_message_id": thread.accepted_message_id,
        "held": thread.held,  # only ever true for its asker and staff: never broadcast
    }


def message_view(message: Message) -> dict[str, Any]:
    """System messages carry a `code` (e.g. "staff_joined") the widget translates."""
    system = message.kind is MessageKind.SYSTEM
    view = {
        "id": message.id,
        "thread_id": message.thread_id,
        "kind": message.kind.value,
        "author": author(
            message.author_id,
            message.author_name,
            staff=message.kind is MessageKind.STAFF,
            verified_owner=message.verified_owner,
        ),
        "body": "" if message.hidden else message.body,
        "erased": not message.hidden and not system and message.body == "",
        "html": "" if message.hidden or system else render_html(message.body),
        "created_at": message.created_at.isoformat(),
        "votes": message.votes,
        "hidden": message.hidden,
        "visibility": message.visibility.value,
    }
    if system:
        view["code"] = message.body
    return view


def thread_summary(thread: Thread) -> dict[str, Any]:
    """What a message event carries about its thread, so clients update counts and status."""
    return {"id": thread.id, "status": thread.status.value, "answer_count": thread.answer_count}


def event_data(event: Event, thread: Thread, message: Message | None) -> dict[str, Any]:
    if event.type in (EventType.MESSAGE_CREATED, EventType.MESSAGE_UPDATED):
        assert message is not None
        return {**message_view(message), "thread": thread_summary(thread)}
    return thread_view(thread)


def wire_event(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    return {"room": event.room, "seq": event.seq, "type": event.type.value, "data": data}


def posted_extras(posted: Any) -> dict[str, Any]:
    """Ack fields of a write: `held` when kept from the crowd, `notice` for the author."""
    extras: dict[str, Any] = {}
    if posted.held:
        extras["held"] = True
    if posted.notice:
        extras["notice"] = posted.notice
    return extras


def rating_view(rating: Rating) -> dict[str, Any]:
    return {
        "thread_id": rating.thread_id,
        "helpful": rating.helpful,
        "would_have_contacted": rating.would_have_contacted,
        "at": rating.at.isoformat(),
    }


def mail_stats_view(stats: MailStats) -> dict[str, Any]:
    last = stats.last_failed_at.isoformat() if stats.last_failed_at else None
    return {"pending": stats.pending, "failed": stats.failed, "sent_last_24h": stats.sent,
            "last_error": stats.last_error, "last_failed_at": last}  # fmt: skip


def failed_mail_view(mail: Mail) -> dict[str, Any]:
    """What staff see of an e-mail given up on (the address: they may need to reach them)."""
    return {"id": mail.id, "kind": mail.kind.value, "to": mail.to, "attempts": mail.attempts,
            "last_error": mail.last_error, "created_at": mail.created_at.isoformat(),
            "thread_id": mail.thread_id}  # fmt: skip
