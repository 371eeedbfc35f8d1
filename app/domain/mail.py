"""E-mail: the addresses people gave, what they consented to, and the e-mails queued for them.

Pure data and rules. An address is usable only once confirmed (double opt-in); every e-mail
is queued in the store first (written with the change that causes it, or by a listener after
commit) and sent by the mail worker, so no request ever waits for SMTP. A failed send is
retried with a growing delay (BACKOFF) and then left `failed` for staff to see.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.models import new_id, utcnow


class MailKind(StrEnum):
    CONFIRM = "confirm"  # "confirm your address": the only e-mail before consent is confirmed
    ANSWER = "answer"  # someone answered your question
    OWNER = "owner"  # you bought this product: can you answer a shopper's question?
    DIGEST = "digest"  # the weekly insights digest, to staff who asked for it


class Purpose(StrEnum):
    """What a person consented to receive."""

    ANSWERS = "answers"  # e-mails about answers to my questions
    OWNER_QUESTIONS = "owner_questions"  # questions about products I bought (the shop asked)
    DIGEST = "digest"  # staff: the weekly insights digest


class MailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


# Delays before the 2nd, 3rd... attempt; after the last one the e-mail is `failed`.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
ANSWER_EVERY = timedelta(minutes=15)  # at most one answer e-mail per question in this time
CONFIRMATIONS_PER_DAY = 3  # confirmation e-mails to one address in 24 hours, at most
OWNERS_PER_QUESTION = 5  # owners e-mailed about one unanswered question, at most
OWNER_EVERY = timedelta(days=1)  # at most one "can you answer?" e-mail per owner in this time
OWNER_LOOKBACK = timedelta(days=7)  # older unanswered questions are not sent to owners
MAX_PURCHASES = 500  # products in one call of the shop's purchase feed


def address_key(email: str) -> str:
    """What the suppression list keeps of an address: a hash, never the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed sends; None: give up."""
    if attempts > len(BACKOFF):
        return None
    return now + BACKOFF[attempts - 1]


@dataclass(slots=True)
class EmailAddress:
    """A visitor's address. `nonce` is what the confirmation link must carry: cleared once
    confirmed, so a confirmation link works once."""

    visitor_id: str
    email: str
    lang: str
    created_at: datetime
    nonce: str | None = None
    confirmed_at: datetime | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass(slots=True)
class ShopCustomer:
    """A customer as the shop's server describes them (`POST /api/v1/shop/customers`):
    `customer_id` is the id the shop signs in verified shopper identities. The shop
    collected `owner_questions` consent; `consent_at` is when it told us (None: withdrawn)."""

    customer_id: str
    email: str
    lang: str
    owner_questions: bool
    updated_at: datetime
    consent_at: datetime | None = None


@dataclass(slots=True)
class Consent:
    """A record of consent: who, to what, when, and the exact text they were shown."""

    subject_id: str  # a visitor id
    purpose: Purpose
    text: str
    lang: str
    given_at: datetime
    withdrawn_at: datetime | None = None
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class Mail:
    """One e-mail to send (or sent, or given up on)."""

    kind: MailKind
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None
    visitor_id: str | None = None  # whose data it holds (erasure reaches it)
    thread_id: str | None = None
    status: MailStatus = MailStatus.PENDING
    attempts: int = 0
    next_at: datetime = field(default_factory=utcnow)
    last_error: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    sent_at: datetime | None = None
    id: str = field(default_factory=new_id)


@dataclass(frozen=True, slots=True)
class MailStats:
    """What staff and `/readyz` see of the mail queue."""

    pending: int
    failed: int
    sent: int
    last_error: str | None = None
    last_failed_at: datetime | None = None
