"""Points rules: what earns points, how much, and the anti-gaming limits, with their texts.

Every number lives in `PointsRules` so a shop can tune them without touching code, and every
rule has a stable code (`Reason`) that the ledger stores: an entry written today can still
be explained after the numbers change, because it also keeps a snapshot of the parameters
that applied (see `LedgerEntry.rule`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Literal

Lang = Literal["fr", "en"]


def normalize_lang(tag: str | None) -> Lang:
    """'fr', 'fr-FR', 'FR_ca' -> 'fr'; anything else (or nothing) -> 'en'.

    The first shops are French, but an unknown locale is more likely a foreign shopper.
    """
    return "fr" if tag and tag.strip().lower()[:2] == "fr" else "en"


class Reason(enum.StrEnum):
    """Why an entry was written. Stable codes: stores, exports and the UI key on them."""

    ANSWER = "answer"
    HELPFUL_VOTE = "helpful_vote"
    ACCEPTED = "accepted"
    FAST_FIRST_ANSWER = "fast_first_answer"
    STAFF_ENDORSEMENT = "staff_endorsement"
    BONUS = "bonus"


class RevokeReason(enum.StrEnum):
    """Why points were taken back (or, for a restore, which revocation is being undone)."""

    CONTENT_HIDDEN = "content_hidden"
    AUTHOR_BANNED = "author_banned"
    VOTE_WITHDRAWN = "vote_withdrawn"
    ACCEPT_WITHDRAWN = "accept_withdrawn"
    STAFF_CORRECTION = "staff_correction"


# Reasons where a visitor gives points to another visitor: these are the ones a vote ring
# would farm, so they share the per-giver daily cap and the halving for repeated thanks.
THANKS_REASONS: frozenset[Reason] = frozenset({Reason.HELPFUL_VOTE, Reason.ACCEPTED})


@dataclass(frozen=True, slots=True)
class PointsRules:
    """How many points each contribution is worth, and the limits against gaming.

    Defaults: an answer is cheap (2) so that posting many short answers pays little; being
    found helpful (5) or accepted (15) is what counts, because someone else judged it.
    """

    answer: int = 2
    # An author earns answer points for at most this many points per rolling 24 hours:
    # twenty answers a day is a lot of genuine help, and beyond that it looks like farming.
    answer_daily_max: int = 40
    helpful_vote: int = 5
    accepted: int = 15
    fast_first_answer: int = 5
    fast_first_answer_within: timedelta = timedelta(minutes=10)
    staff_endorsement: int = 10
    # One person can give another at most this many points (votes + accepts) per rolling
    # 24 hours: exactly one "helpful + accepted" thread's worth.
    daily_cap_per_giver: int = 20
    # The k-th thanks of one kind from the same person to the same person within
    # `repeat_window` is worth value * repeat_factor ** (k - 1), rounded down.
    repeat_factor: float = 0.5
    repeat_window: timedelta = timedelta(days=30)
    # A voter's votes count only once they have asked or answered at least this many times.
    new_visitor_min_participations: int = 1
    bonus_max: int = 500

    def __post_init__(self) -> None:
        values = (
            self.answer,
            self.answer_daily_max,
            self.helpful_vote,
            self.accepted,
            self.fast_first_answer,
            self.staff_endorsement,
            self.daily_cap_per_giver,
            self.new_visitor_min_participations,
            self.bonus_max,
        )
        if any(v < 0 for v in values):
            raise ValueError("points, caps and thresholds must not be negative")
        if not 0 <= self.repeat_factor <= 1:
            raise ValueError("repeat_factor must be between 0 and 1")
        if self.repeat_window <= timedelta(0) or self.fast_first_answer_within <= timedelta(0):
            raise ValueError("windows must be positive")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PointsRules:
        """Rules from a shop's settings (JSON): any of the point values and limits by name,
        windows as `fast_first_answer_minutes` and `repeat_window_days`; the rest keep
        their defaults. Unknown names and wrong types are refused (ValueError), so a typo
        never silently leaves a default in place."""
        changes: dict[str, Any] = {}
        for name, value in data.items():
            if name in _WHOLE_NUMBERS:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{name} must be a whole number")
                changes[name] = value
            elif name in _WINDOWS:
                field, unit = _WINDOWS[name]
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"{name} must be a number")
                try:
                    changes[field] = timedelta(**{unit: value})
                except OverflowError:
                    raise ValueError(f"{name} is out of range") from None
            elif name == "repeat_factor":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError("repeat_factor must be a number")
                changes[name] = float(value)
            else:
                raise ValueError(f"unknown points rule {name!r}")
        return replace(cls(), **changes)

    @property
    def cap_window(self) -> timedelta:
        """The daily caps are rolling windows, so nobody games a midnight boundary."""
        return timedelta(hours=24)

    @property
    def history_window(self) -> timedelta:
        """How far back a caller must read a giver's (or author's) entries for the checks."""
        return max(self.repeat_window, self.cap_window)

    def value_of(self, reason: Reason) -> int:
        """The base value of a reason (bonus has none: staff choose the amount)."""
        return {
            Reason.ANSWER: self.answer,
            Reason.HELPFUL_VOTE: self.helpful_vote,
            Reason.ACCEPTED: self.accepted,
            Reason.FAST_FIRST_ANSWER: self.fast_first_answer,
            Reason.STAFF_ENDORSEMENT: self.staff_endorsement,
            Reason.BONUS: 0,
        }[reason]


DEFAULT_RULES = PointsRules()
_WHOLE_NUMBERS = frozenset(
    {
        "answer", "answer_daily_max", "helpful_vote", "accepted", "fast_first_answer",
        "staff_endorsement", "daily_cap_per_giver", "new_visitor_min_participations",
        "bonus_max",
    }
)  # fmt: skip
_WINDOWS = {
    "fast_first_answer_minutes": ("fast_first_answer_within", "minutes"),
    "repeat_window_days": ("repeat_window", "days"),
}


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _days(delta: timedelta) -> int:
    return int(delta.total_seconds() // 86400)


def reason_label(reason: Reason | str, lang: Lang) -> str:
    """A short heading for a group of entries ("Helpful votes", "Votes utiles")."""
    labels: dict[str, tuple[str, str]] = {
        Reason.ANSWER: ("Réponses", "Answers"),
        Reason.HELPFUL_VOTE: ("Votes « utile »", "Helpful votes"),
        Reason.ACCEPTED: ("Réponses acceptées", "Accepted answers"),
        Reason.FAST_FIRST_ANSWER: ("Premières réponses rapides", "Fast first answers"),
        Reason.STAFF_ENDORSEMENT: ("Recommandations de la marque", "Staff endorsements"),
        Reason.BONUS: ("Bonus de la marque", "Staff bonuses"),
    }
    fr, en = labels.get(str(reason), (str(reason), str(reason)))
    return fr if lang == "fr" else en


def rule_text(reason: Reason | str, rules: PointsRules, lang: Lang) -> str:
    """The rule as a contributor reads it in "how my points were computed".

    Written from the numbers in `rules`, so the text never disagrees with the code.
    """
    r = rules
    cap = r.daily_cap_per_giver
    halving = (
        f"each further one from the same person within {_days(r.repeat_window)} days is worth "
        f"{r.repeat_factor:g}× the previous one; one person can give you at most {cap} points "
        "per 24 hours"
    )
    halving_fr = (
        f"chaque suivant venant de la même personne en {_days(r.repeat_window)} jours vaut "
        f"{str(r.repeat_factor).replace('.', ',')} fois le précédent ; une même personne peut "
        f"vous donner au plus {cap} points sur 24 heures"
    )
    texts: dict[str, tuple[str, str]] = {
        Reason.ANSWER: (
            f"+{r.answer} par réponse à la question de quelqu'un d'autre "
            f"(au plus {r.answer_daily_max} points sur 24 heures).",
            f"+{r.answer} per answer to someone else's question "
            f"(at most {r.answer_daily_max} points per 24 hours).",
        ),
        Reason.HELPFUL_VOTE: (
            f"+{r.helpful_vote} quand quelqu'un trouve votre réponse utile : un vote par "
            f"personne et par réponse, jamais le vôtre ; {halving_fr}. Le vote d'un nouveau "
            "visiteur compte dès qu'il a lui-même participé.",
            f"+{r.helpful_vote} when someone finds your answer helpful: one vote per person "
            f"per answer, never your own; {halving}. A new visitor's vote counts once they "
            "have taken part themselves.",
        ),
        Reason.ACCEPTED: (
            f"+{r.accepted} quand l'auteur de la question accepte votre réponse (jamais sur "
            f"votre propre question) ; {halving_fr}.",
            f"+{r.accepted} when the asker accepts your answer (never on your own question); "
            f"{halving}.",
        ),
        Reason.FAST_FIRST_ANSWER: (
            f"+{r.fast_first_answer} pour la première réponse à une question, donnée en moins "
            f"de {_minutes(r.fast_first_answer_within)} minutes.",
            f"+{r.fast_first_answer} for the first answer to a question, given within "
            f"{_minutes(r.fast_first_answer_within)} minutes.",
        ),
        Reason.STAFF_ENDORSEMENT: (
            f"+{r.staff_endorsement} quand l'équipe de la marque recommande votre réponse "
            "(une fois par réponse).",
            f"+{r.staff_endorsement} when the brand's staff endorse your answer (once per answer).",
        ),
        Reason.BONUS: (
            "Points accordés par l'équipe de la marque, avec leur motif.",
            "Points granted by the brand's staff, with their reason.",
        ),
    }
    fr, en = texts.get(str(reason), (str(reason), str(reason)))
    return fr if lang == "fr" else en


def revoke_reason_text(reason: RevokeReason | str, lang: Lang) -> str:
    """Why points were taken back, for the contributor's own ledger view."""
    texts: dict[str, tuple[str, str]] = {
        RevokeReason.CONTENT_HIDDEN: (
            "contenu masqué par un modérateur",
            "content hidden by a moderator",
        ),
        RevokeReason.AUTHOR_BANNED: ("auteur banni", "author banned"),
        RevokeReason.VOTE_WITHDRAWN: ("vote retiré", "vote withdrawn"),
        RevokeReason.ACCEPT_WITHDRAWN: ("réponse plus acceptée", "answer no longer accepted"),
        RevokeReason.STAFF_CORRECTION: (
            "correction par l'équipe de la marque",
            "corrected by the brand's staff",
        ),
    }
    fr, en = texts.get(str(reason), (str(reason), str(reason)))
    return fr if lang == "fr" else en
