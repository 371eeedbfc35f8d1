"""Ranks: a title by all-time points, shown next to names and announced on promotion.

Ranks follow the all-time total of active points, so a revocation can lower a rank. Only
promotions are announced ("You are now an Expert"): a demotion is visible next to the name
but not pushed as a notification, because it would mostly announce a moderator's decision
that was already explained elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from rewards.rules import Lang


@dataclass(frozen=True, slots=True)
class Rank:
    code: str  # stable: stored, sent in the protocol's user.rank
    min_points: int
    label_fr: str
    label_en: str

    def label(self, lang: Lang) -> str:
        return self.label_fr if lang == "fr" else self.label_en


DEFAULT_RANKS: tuple[Rank, ...] = (
    Rank("newcomer", 0, "Nouveau membre", "Newcomer"),
    Rank("helper", 50, "Contributeur", "Helper"),
    Rank("expert", 250, "Expert", "Expert"),
    Rank("ambassador", 1000, "Ambassadeur", "Ambassador"),
)


def check_ranks(ranks: Sequence[Rank]) -> None:
    """A usable ladder starts at 0 and climbs strictly, with distinct codes."""
    if not ranks or ranks[0].min_points != 0:
        raise ValueError("the first rank must start at 0 points")
    if any(a.min_points >= b.min_points for a, b in pairwise(ranks)):
        raise ValueError("rank thresholds must strictly increase")
    if len({r.code for r in ranks}) != len(ranks):
        raise ValueError("rank codes must be distinct")


def rank_for(points: int, ranks: Sequence[Rank] = DEFAULT_RANKS) -> Rank:
    """The highest rank whose threshold `points` reaches (the first one below zero)."""
    check_ranks(ranks)
    found = ranks[0]
    for rank in ranks:
        if points >= rank.min_points:
            found = rank
    return found


def rank_change(before: int, after: int, ranks: Sequence[Rank] = DEFAULT_RANKS) -> Rank | None:
    """The new rank when going from `before` to `after` points is a promotion, else None."""
    old, new = rank_for(before, ranks), rank_for(after, ranks)
    return new if new.min_points > old.min_points else None


def rank_notice(rank: Rank, lang: Lang) -> str:
    """'You are now an Expert!' / 'Vous êtes maintenant Expert !'."""
    if lang == "fr":
        return f"Vous êtes maintenant {rank.label_fr}\u00a0!"
    article = "an" if rank.label_en[:1].lower() in "aeiou" else "a"
    return f"You are now {article} {rank.label_en}!"
