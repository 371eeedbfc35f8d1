"""Entities of a Q&A room. Plain dataclasses: the store persists them, services change them."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def new_id() -> str:
    """Random, URL-safe, 16 hex chars: unguessable enough for public ids, short in URLs."""
    return secrets.token_hex(8)


def utcnow() -> datetime:
    """Now, in UTC, to the millisecond: what every store (BSON dates included) keeps exactly,
    so an object acknowledged before and after a round trip through the store is identical."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class ThreadStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    STAFF = "staff"
    HIDDEN = "hidden"


class MessageKind(enum.StrEnum):
    ANSWER = "answer"
    STAFF = "staff"
    SYSTEM = "system"


class Visibility(enum.StrEnum):
    """Who sees a message: everyone, only the asker and staff, or staff only (held)."""

    PUBLIC = "public"
    PRIVATE = "private"
    HELD = "held"


class EventType(enum.StrEnum):
    THREAD_CREATED = "thread.created"
    THREAD_UPDATED = "thread.updated"
    MESSAGE_CREATED = "message.created"
    MESSAGE_UPDATED = "message.updated"


@dataclass(slots=True)
class Visitor:
    id: str
    name: str
    created_at: datetime
    banned_until: datetime | None = None
    # The shop's own customer id, when the shop vouched for it (signed): two visitors with
    # the same shopper id are one person for votes, accepts and rewards.
    shopper_id: str | None = None
    # Keyed hash (HMAC with the secret key) of the network the visitor was created from (an
    # IPv4 /24, an IPv6 /64); never the address. None when unknown (a loopback or private
    # address: a proxy that is not trusted). Rewards treat unverified visitors of one
    # network as one giver (docs/rewards.md, "Throwaway identities").
    network_key: str | None = None
    # Set when the visitor's data was erased (their right to erasure): the name is a
    # pseudonym, their content is gone and their token no longer works.
    erased_at: datetime | None = None


@dataclass(slots=True)
class Room:
    key: str
    title: str
    url: str
    category: str
    created_at: datetime
    seq: int = 0


@dataclass(slots=True)
class Thread:
    """A question and its lifecycle. `seq` is the room sequence of its creation event."""

    id: str
    room: str
    author_id: str
    author_name: str
    body: str
    client_id: str
    created_at: datetime
    status: ThreadStatus = ThreadStatus.OPEN
    answer_count: int = 0
    accepted_message_id: str | None = None
    updated_at: datetime | None = None
    seq: int = 0
    version: int = 0
    category: str = ""
    held: bool = False  # kept from the crowd (personal data, abuse): no event, not listed
    next_check_at: datetime | None = None  # when the sweeper looks at it next (SLA ladder)
    nudged: bool = False  # enthusiasts were already nudged about it


@dataclass(slots=True)
class Message:
    id: str
    thread_id: str
    room: str
    kind: MessageKind
    author_id: str
    author_name: str
    body: str
    client_id: str
    created_at: datetime
    votes: int = 0
    hidden: bool = False
    visibility: Visibility = Visibility.PUBLIC
    # The shop says the author bought this product (as the answer was written).
    verified_owner: bool = False


@dataclass(slots=True, frozen=True)
class CastVote:
    """A vote as stored: 1 helpful, 0 withdrawn; `at` when it was first cast; the answer's
    author's ban as it was at its last change (rewards score a new visitor's votes later)."""

    message_id: str
    value: int
    at: datetime
    author_banned_until: datetime | None = None


@dataclass(slots=True, frozen=True)
class Event:
    """A durable change in a room. Data is rendered from the current entity on delivery."""

    room: str
    seq: int
    type: EventType
    entity_id: str
    created_at: datetime = field(default_factory=utcnow)


@dataclass(slots=True)
class DetectorModelRecord:
    """One training of the shop's detector model: the model file (`body`, JSON; empty for
    a rejected attempt), its scores on the corpus' held-out test part, and how many
    moderator verdicts it learned from. `active`: the one `screen` uses (the newest active
    record); a rejected attempt is kept (inactive) so the schedule and the console know."""

    id: str
    version: str
    created_at: datetime
    active: bool
    feedback_count: int
    scores: dict[str, Any]
    body: str = ""
