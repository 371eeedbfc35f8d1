"""Run every message detector once, in the order the flow needs them.

`detect` is what the chat's hot path calls before publishing a message: it returns the
signals that reach their thresholds (each one a reason to open or add to a case), and
`held` says whether the message must stay private. Personal data goes first: it decides
whether anything is published at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from moderation.abuse import abuse_signal
from moderation.frustration import frustration_signal
from moderation.out_of_scope import out_of_scope_signal
from moderation.personal_data import personal_data_signal
from moderation.signals import MessageContext, Signal
from moderation.spam import spam_signal
from moderation.thresholds import CategoryThresholds, Thresholds, resolve


def detect(
    ctx: MessageContext, thresholds: Thresholds | CategoryThresholds | None = None
) -> list[Signal]:
    """All signals for one message, using the thresholds of `ctx.category`.

    Order: personal_data, abuse, spam, out_of_scope, frustration.
    """
    limits = resolve(thresholds, ctx.category)
    found = [
        personal_data_signal(ctx),
        abuse_signal(ctx, limits),
        spam_signal(ctx, limits),
        out_of_scope_signal(ctx, limits),
        frustration_signal(ctx, limits),
    ]
    return [signal for signal in found if signal is not None]


def held(signals: Sequence[Signal]) -> bool:
    """True when the message must not be published to the crowd."""
    return any(signal.hold for signal in signals)
