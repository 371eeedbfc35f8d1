"""What detectors return, and what they read.

A `Signal` is one explainable reason to involve staff: a code, a 0..1 score and the
human-readable evidence behind it ("frustration 0.82: 'toujours pas reçu', '!!!'").
Evidence never repeats a secret (personal data is named by kind, not echoed).
`MessageContext` is everything a detector may look at besides the text; the caller
(a service) fills it from the store, so detectors stay pure and cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal, get_args

SignalCode = Literal[
    "frustration", "out_of_scope", "personal_data", "abuse", "spam", "unanswered", "report"
]
SIGNAL_CODES: Final[frozenset[str]] = frozenset(get_args(SignalCode))


@dataclass(frozen=True, slots=True)
class Signal:
    """One reason to open (or add to) a moderation case.

    `hold` True means the message must not be published to the crowd: always for
    personal data, and for abuse/spam at or above their hold threshold.
    """

    code: SignalCode
    score: float
    evidence: tuple[str, ...] = ()
    hold: bool = False

    def __post_init__(self) -> None:
        if self.code not in SIGNAL_CODES:
            raise ValueError(f"unknown signal code {self.code!r}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within 0..1, got {self.score}")

    def describe(self) -> str:
        """One line for the staff console: "frustration 0.82: 'toujours pas reçu', '!!!'"."""
        head = f"{self.code} {self.score:.2f}"
        return f"{head}: {', '.join(self.evidence)}" if self.evidence else head


@dataclass(frozen=True, slots=True)
class MessageContext:
    """A message about to be published, and what the service knows around it.

    - `lang_hint`: the widget's locale ("fr", "en-GB"), used when the text itself is
      ambiguous.
    - `from_asker`: the thread's author wrote it (question or follow-up); out-of-scope
      topics are only meaningful from the asker.
    - `author_is_new`: a visitor with no history worth trusting yet (the service decides:
      e.g. first day, no accepted answer).
    - `author_recent_bodies` / `author_recent_times`: the same author's previous messages
      (any room), most recent last; bounded by the caller (a few dozen at most).
    - `sent_at`: when this message arrived (timezone-aware UTC); needed for floods.
    - `asker_bump_count`: follow-ups the asker posted while nobody answered.
    - `waiting_for`: how long the asker has waited without a community answer.
    """

    body: str
    lang_hint: str | None = None
    category: str | None = None
    from_asker: bool = True
    author_is_new: bool = False
    author_recent_bodies: tuple[str, ...] = ()
    author_recent_times: tuple[datetime, ...] = ()
    sent_at: datetime | None = None
    asker_bump_count: int = 0
    waiting_for: timedelta | None = None


def noisy_or(weights: list[float]) -> float:
    """Combine independent pieces of evidence: 1 - prod(1 - w). Stays within 0..1.

    Why not a sum: two weak cues should add up to more than one, but never past
    certainty, and one strong cue should not need company.
    """
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - min(max(weight, 0.0), 1.0)
    return round(1.0 - remaining, 4)
