"""In-process event bus: the outbox dispatcher publishes committed changes; realtime, rewards
and the webhook listen.

The core never imports its listeners (Chatwoot's dispatcher pattern). A failing listener is
logged and does not undo or block the write that already committed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from app.domain.models import Event, Message, Thread
from moderation.cases import Case

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RoomChanged:
    """A durable room event plus the public object it carries (`event` on the wire)."""

    name = "room.changed"
    event: Event
    data: dict[str, Any]
    thread: Thread
    message: Message | None = None


@dataclass(frozen=True, slots=True)
class AnswerPosted:
    """Someone answered `thread`: its asker is told wherever they are connected."""

    name = "answer.posted"
    thread: Thread
    message: Message


@dataclass(frozen=True, slots=True)
class CaseChanged:
    """A moderation case was opened or changed: every staff console hears of it."""

    name = "case.changed"
    case: Case
    thread: Thread
    opened: bool = False


@dataclass(frozen=True, slots=True)
class PrivateMessage:
    """A message only the asker and staff see (private follow-up, or a held message)."""

    name = "message.private"
    thread: Thread
    message: Message


@dataclass(frozen=True, slots=True)
class EnthusiastsNudged:
    """Helpers who answered well in this room are asked to look at an unanswered question."""

    name = "thread.nudged"
    thread: Thread
    visitor_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VoteCast:
    """A visitor marked an answer helpful (value 1) or withdrew their vote (value 0)."""

    name = "vote.cast"
    message: Message
    thread: Thread
    voter_id: str
    value: int
    # The author's ban when the vote was cast: rewards may run after the ban is lifted.
    author_banned_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AnswerAccepted:
    name = "answer.accepted"
    message: Message
    thread: Thread
    accepter_id: str
    author_banned_until: datetime | None = None  # as for VoteCast


@dataclass(frozen=True, slots=True)
class ContentModerated:
    """Staff hid or restored a message or a question, or banned or unbanned a visitor."""

    name = "content.moderated"
    action: str  # hide | restore | ban | unban
    staff_id: str
    message: Message | None = None
    visitor_id: str | None = None
    thread: Thread | None = None  # a question hidden or restored (`message` None)


@dataclass(frozen=True, slots=True)
class ThreadRated:
    """The asker rated the answers to their question (insights count it)."""

    name = "thread.rated"
    thread: Thread


@dataclass(frozen=True, slots=True)
class Recognised:
    """A contributor reached a new rank (`kind` "rank") or earned a badge ("badge"): they
    are told wherever they are connected, in their language."""

    name = "contributor.recognised"
    visitor_id: str
    kind: Literal["rank", "badge"]
    code: str  # the rank or badge code
    text_fr: str
    text_en: str


@dataclass(frozen=True, slots=True)
class BatchDelivered:
    """The dispatcher delivered a batch of committed writes: listeners that gather work
    per batch (one transaction for many events) do it now."""

    name = "batch.delivered"


DomainEvent = (
    RoomChanged
    | AnswerPosted
    | CaseChanged
    | PrivateMessage
    | EnthusiastsNudged
    | VoteCast
    | AnswerAccepted
    | ContentModerated
    | ThreadRated
    | Recognised
    | BatchDelivered
)
Listener = Callable[[Any], Awaitable[None]]


class EventBus:
    def __init__(self) -> None:
        self._listeners: defaultdict[str, list[Listener]] = defaultdict(list)

    def subscribe(self, name: str, listener: Listener) -> None:
        self._listeners[name].append(listener)

    async def publish(self, event: DomainEvent) -> None:
        for listener in self._listeners[event.name]:
            try:
                await listener(event)
            except Exception:
                log.exception("listener %r failed on %s", listener, event.name)
