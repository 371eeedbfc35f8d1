"""What the shop's community already knows, ready before anyone has to ask: FAQ entries
staff promote from resolved threads (texts editable), one per thread at most."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from app.domain.models import new_id

QUESTION_MAX = 500  # an FAQ question is a title, not a thread


@dataclass(slots=True)
class FaqEntry:
    room: str
    question: str
    answer: str
    thread_id: str
    lang: str  # "fr" | "en": the language the texts are written in
    created_by: str  # staff id
    created_at: datetime
    updated_at: datetime
    id: str = field(default_factory=new_id)


Kind = Literal["thread", "faq"]


@dataclass(frozen=True, slots=True)
class Embeddable:
    """A text look-alike search embeds: a published answered question (kind "thread") or
    an FAQ entry's question (kind "faq"). Its vector is stored under `ref`."""

    kind: Kind
    id: str
    room: str
    text: str

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class Vector:
    """An embedded text: its ref ("thread:<id>" / "faq:<id>"), room, language, vector."""

    ref: str
    room: str
    lang: str
    data: bytes
