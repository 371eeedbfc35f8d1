"""What the shop's community already knows, ready before anyone has to ask: FAQ entries
staff promote from resolved threads (texts editable), one per thread at most."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
