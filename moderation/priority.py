"""Queue priority: one number (0..100, higher first) from a case's reasons.

Why this order: personal data and abuse come first because a held message or a shopper's
details are waiting on staff right now; spam is held too but hurts nobody while it waits;
an out-of-scope question or a frustrated shopper needs the brand soon; an unanswered
question climbs with how overdue it is (its score), so a long-forgotten one can overtake a
fresh frustration. Each extra distinct reason adds a little: a frustrated shopper asking
about their refund is more urgent than either alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from moderation.signals import Signal, SignalCode

# code: (base, span) -> priority = base + span * score
WEIGHTS: Final[dict[SignalCode, tuple[int, int]]] = {
    "personal_data": (90, 10),
    "abuse": (75, 20),
    "out_of_scope": (60, 15),
    "frustration": (55, 25),
    "spam": (45, 25),
    "report": (40, 40),
    "unanswered": (30, 50),
}
EXTRA_REASON: Final = 5
HELD_BONUS: Final = 5


def priority(signals: Iterable[Signal]) -> int:
    """The case's priority: its most urgent reason, plus a bonus per other reason.

    No reasons gives 0. Always within 0..100.
    """
    best = 0.0
    codes: set[str] = set()
    held = False
    for signal in signals:
        base, span = WEIGHTS[signal.code]
        best = max(best, base + span * signal.score)
        codes.add(signal.code)
        held = held or signal.hold
    if not codes:
        return 0
    total = best + EXTRA_REASON * (len(codes) - 1) + (HELD_BONUS if held else 0)
    return min(100, round(total))
