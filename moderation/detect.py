"""Run every message detector once, in the order the flow needs them.

`detect` is what the chat's hot path calls before publishing a message: it returns the
signals that reach their thresholds (each one a reason to open or add to a case), and
`held` says whether the message must stay private. Personal data goes first: it decides
whether anything is published at all.

With a learned model (the shipped one by default, or a shop's retrained one), the model's
calibrated probability decides whether frustration, out-of-scope, abuse and spam fire; the
rules' cues stay the evidence shown to moderators ("model 0.87" when no cue fired), and
their scores are among the model's features. Personal data stays rules-first: the
checksummed patterns fire on their own, and the model can only add a held signal for
what they miss. See docs/moderation.md, "Learned layer".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from moderation.abuse import abuse_signal, reports_someone_else
from moderation.frustration import frustration_signal
from moderation.learned import RULED, DetectorModel, raw_signals, shipped_model
from moderation.out_of_scope import out_of_scope_signal
from moderation.personal_data import find_personal_data, personal_data_signal
from moderation.signals import MessageContext, Signal
from moderation.spam import spam_signal
from moderation.thresholds import DEFAULT_THRESHOLDS, CategoryThresholds, Thresholds, resolve

ModelChoice = DetectorModel | None | Literal["shipped"]
# On messages under this many words, the model firing without a rule at its threshold needs
# at least SHORT_MESSAGE_CUT: on "Réponse 3" or "moi" a few n-grams carry the whole
# (L2-normalised) vector and a middling probability says more about the intercept than about
# the message, while "ugh. still nothing." or "Bore off" at 0.95+ are what they look like.
# 0.9 was chosen on the corpus' validation part (docs/moderation.md, "Learned layer").
MIN_WORDS_ALONE = 4
SHORT_MESSAGE_CUT = 0.9
# A rule this sure fires whatever the model says: "Commande n° 4587213 toujours pas arrivée,
# c'est inadmissible !!!" has three frustration cues, but few corpus messages with an order
# number are frustration, so the model alone doubted it. Neutral on the validation part.
RULE_SURE = 0.8
# Only the asker's own messages can be out of scope (their order, payment, account) or
# frustration (their wait): a helper's angry reply to another helper is abuse, if anything.
_ASKER_ONLY = frozenset({"out_of_scope", "frustration"})
_WORDS = re.compile(r"[^\W\d_]{2,}")
_ORDER = ("abuse", "spam", "out_of_scope", "frustration")


def detect(
    ctx: MessageContext,
    thresholds: Thresholds | CategoryThresholds | None = None,
    *,
    model: ModelChoice = "shipped",
) -> list[Signal]:
    """All signals for one message, using the thresholds of `ctx.category`.

    `model`: "shipped" (the model file in the package), a shop's own `DetectorModel`, or
    None for the rules alone. Order: personal_data, abuse, spam, out_of_scope, frustration.
    """
    limits = resolve(thresholds, ctx.category)
    chosen = shipped_model() if model == "shipped" else model
    if chosen is None:
        found = [
            personal_data_signal(ctx),
            abuse_signal(ctx, limits),
            spam_signal(ctx, limits),
            out_of_scope_signal(ctx, limits),
            frustration_signal(ctx, limits),
        ]
        return [signal for signal in found if signal is not None]
    raw = raw_signals(ctx, limits)
    probs = chosen.probabilities(ctx, raw, limits)
    alone = len(_WORDS.findall(ctx.body[:400])) >= MIN_WORDS_ALONE
    signals: list[Signal] = []
    personal = personal_data_signal(ctx)
    if personal is not None:
        signals.append(personal)
    elif (
        alone
        and not find_personal_data(ctx.body)  # found, then let through by a rule (a helper's
        # pointer to a company's line): the model must not overrule that decision
        and probs.get("personal_data", 0.0) >= chosen.thresholds["personal_data"]
    ):
        p = probs["personal_data"]
        signals.append(Signal("personal_data", p, (f"model {p:.2f}",), hold=True))
    for code in _ORDER:
        if code in _ASKER_ONLY and not ctx.from_asker:
            continue
        rule = raw.get(code)
        floor = 0.0
        if not alone and (rule is None or rule.score < _limit(code, limits)):
            floor = SHORT_MESSAGE_CUT  # a short message with no rule: the model must be sure
        if code == "abuse" and reports_someone_else(ctx.body):
            floor = max(floor, SHORT_MESSAGE_CUT)  # a quoted insult, reported: the model too
        signal = _combined(code, rule, probs.get(code), chosen, limits, floor)
        if signal is not None:
            signals.append(signal)
    return signals


def _combined(
    code: str,
    rule: Signal | None,
    probability: float | None,
    model: DetectorModel,
    limits: Thresholds,
    floor: float = 0.0,
) -> Signal | None:
    """The model decides (from its cut, and at least `floor`) unless the rule is sure
    (`RULE_SURE`); the rule's cues are the evidence."""
    if probability is None or code not in RULED:
        return rule if rule is not None and rule.score >= _limit(code, limits) else None
    cut = model_cut(model.thresholds[code], _limit(code, limits), _default(code))
    sure = rule is not None and rule.score >= max(RULE_SURE, _limit(code, limits))
    if probability < max(cut, floor) and not sure:
        return None
    evidence = (*(rule.evidence if rule is not None else ()), f"model {probability:.2f}")
    score = max(probability, rule.score if rule is not None else 0.0)
    hold = (rule is not None and rule.hold) or (
        code in ("abuse", "spam") and score >= _hold_limit(code, limits)
    )
    return Signal(rule.code if rule is not None else _code(code), score, evidence, hold)


def model_cut(cut: float, limit: float, default: float) -> float:
    """The model's cut in a category whose threshold is `limit` instead of `default`: the
    same relative move, so 1.0 (the strictest setting) asks for certainty and a lower
    threshold lowers the cut in proportion."""
    if default >= 1.0 or limit == default:
        return cut
    if limit > default:
        return cut + (1.0 - cut) * (limit - default) / (1.0 - default)
    return cut * limit / default


def _default(code: str) -> float:
    return _limit(code, DEFAULT_THRESHOLDS)


def _limit(code: str, limits: Thresholds) -> float:
    value: float = getattr(limits, code)
    return value


def _hold_limit(code: str, limits: Thresholds) -> float:
    return limits.abuse_hold if code == "abuse" else limits.spam_hold


def _code(code: str) -> Literal["frustration", "out_of_scope", "abuse", "spam"]:
    if code == "frustration":
        return "frustration"
    if code == "out_of_scope":
        return "out_of_scope"
    return "abuse" if code == "abuse" else "spam"


def held(signals: Sequence[Signal]) -> bool:
    """True when the message must not be published to the crowd."""
    return any(signal.hold for signal in signals)
