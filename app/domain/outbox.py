"""What a committed write still has to make happen: outbox items and the unit they ride in.

A write stores its outbox items in the same transaction as the entity (style rule: after
commit, an outbox). A dispatcher then feeds the listeners (rewards, notifications, staff
console, webhook) from them, so an acknowledgement never waits for those listeners, and a
crash between commit and dispatch loses nothing: undelivered items are delivered at the
next start. Listeners are idempotent, so delivering an item twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.domain.models import Event, new_id, utcnow


@dataclass(slots=True)
class OutboxItem:
    """One thing to deliver after commit.

    `refs` is what is stored: small JSON values (ids, flags) from which a process that did
    not write the item rebuilds the event from the store. `event` is the event as built by
    the writer, kept in memory only, so the usual case needs no read at all.
    """

    kind: str
    refs: dict[str, Any]
    id: str = field(default_factory=new_id)
    created_at: datetime = field(default_factory=utcnow)
    event: Any = field(default=None, compare=False)


class Unit(Protocol):
    """One atomic write in progress (`Store.atomic()`): what commits with it."""

    def publish(self, item: OutboxItem) -> None:
        """Store `item` with this write; it is dispatched only once the write commits."""


class CommitHook(Protocol):
    def __call__(self, events: list[Event], items: list[OutboxItem]) -> None:
        """Called once per committed write, in commit order, with the room events it
        appended and its outbox items. Must not block: it hands them to the dispatcher."""
