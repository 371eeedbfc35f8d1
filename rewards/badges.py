"""Badges: milestones derived from a contributor's stats, with stable codes and fr/en labels.

Badges are computed, not granted: `badges_for(stats)` is the truth, so a badge whose
underlying entries were revoked (hidden answers, a ban) disappears again, and a rebuild from
the ledger always agrees. Notifications go out for `new_badges(before, after)` only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rewards.ledger import LedgerEntry
from rewards.rules import Lang, Reason

MULTILINGUAL_MIN_ANSWERS = 3  # per language, so one stray answer is not a language


@dataclass(frozen=True, slots=True)
class ContributorStats:
    """What badges look at. `stats_for` derives it from the ledger; a service may also fill
    it from its own counters, as long as it counts the same things."""

    points: int = 0
    answers: int = 0
    accepted: int = 0
    fast_answers: int = 0
    helpful_votes: int = 0
    distinct_thankers: int = 0  # different people who voted for or accepted their answers
    endorsements: int = 0
    answers_by_lang: tuple[tuple[str, int], ...] = ()  # sorted (lang, answers)

    def languages(self, min_answers: int = MULTILINGUAL_MIN_ANSWERS) -> frozenset[str]:
        return frozenset(lang for lang, count in self.answers_by_lang if count >= min_answers)


def stats_for(entries: Iterable[LedgerEntry], visitor_id: str) -> ContributorStats:
    """Stats of one visitor from their active entries (0-point entries count as events)."""
    mine = [e for e in entries if e.active and e.visitor_id == visitor_id]
    count = Counter(e.reason for e in mine)
    langs = Counter(e.lang for e in mine if e.reason == Reason.ANSWER and e.lang)
    thankers = {
        e.giver_person or e.giver_id
        for e in mine
        if e.reason in (Reason.HELPFUL_VOTE, Reason.ACCEPTED)
    }
    return ContributorStats(
        points=sum(e.points for e in mine),
        answers=count[Reason.ANSWER],
        accepted=count[Reason.ACCEPTED],
        fast_answers=count[Reason.FAST_FIRST_ANSWER],
        helpful_votes=count[Reason.HELPFUL_VOTE],
        distinct_thankers=len(thankers - {None}),
        endorsements=count[Reason.STAFF_ENDORSEMENT],
        answers_by_lang=tuple(sorted(langs.items())),
    )


def stats_from_counts(
    points: int, counts: Mapping[str, int], thankers: int, answers_by_lang: Mapping[str, int]
) -> ContributorStats:
    """The same stats as `stats_for`, from what a store counts with grouped queries over
    active entries: entries per reason, distinct thanking people, answers per language."""
    return ContributorStats(
        points=points,
        answers=counts.get(Reason.ANSWER, 0),
        accepted=counts.get(Reason.ACCEPTED, 0),
        fast_answers=counts.get(Reason.FAST_FIRST_ANSWER, 0),
        helpful_votes=counts.get(Reason.HELPFUL_VOTE, 0),
        distinct_thankers=thankers,
        endorsements=counts.get(Reason.STAFF_ENDORSEMENT, 0),
        answers_by_lang=tuple(sorted((k, v) for k, v in answers_by_lang.items() if k and v)),
    )


@dataclass(frozen=True, slots=True)
class Badge:
    code: str  # stable: stored and sent to clients
    label_fr: str
    label_en: str
    description_fr: str
    description_en: str
    earned: Callable[[ContributorStats], bool]

    def label(self, lang: Lang) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def description(self, lang: Lang) -> str:
        return self.description_fr if lang == "fr" else self.description_en


DEFAULT_BADGES: tuple[Badge, ...] = (
    Badge(
        "first_answer",
        "Première réponse",
        "First answer",
        "A répondu à la question de quelqu'un.",
        "Answered someone's question.",
        lambda s: s.answers >= 1,
    ),
    Badge(
        "first_accepted",
        "Première réponse acceptée",
        "First accepted answer",
        "Une réponse acceptée par l'auteur de la question.",
        "An answer accepted by the asker.",
        lambda s: s.accepted >= 1,
    ),
    Badge(
        "accepted_10",
        "10 réponses acceptées",
        "10 accepted answers",
        "Dix réponses acceptées par les auteurs des questions.",
        "Ten answers accepted by their askers.",
        lambda s: s.accepted >= 10,
    ),
    Badge(
        "fast_responder",
        "Réponse éclair",
        "Fast responder",
        "Cinq fois le premier à répondre, en quelques minutes.",
        "First to answer, within minutes, five times.",
        lambda s: s.fast_answers >= 5,
    ),
    Badge(
        "multilingual",
        "Entraide multilingue",
        "Multilingual helper",
        f"Au moins {MULTILINGUAL_MIN_ANSWERS} réponses dans chacune de deux langues.",
        f"At least {MULTILINGUAL_MIN_ANSWERS} answers in each of two languages.",
        lambda s: len(s.languages()) >= 2,
    ),
    Badge(
        "community_favourite",
        "Coup de cœur",
        "Community favourite",
        "Remercié par au moins dix personnes différentes.",
        "Thanked by at least ten different people.",
        lambda s: s.distinct_thankers >= 10,
    ),
    Badge(
        "endorsed",
        "Recommandé par la marque",
        "Endorsed by the brand",
        "Une réponse recommandée par l'équipe de la marque.",
        "An answer endorsed by the brand's staff.",
        lambda s: s.endorsements >= 1,
    ),
)


def badges_for(
    stats: ContributorStats, badges: Sequence[Badge] = DEFAULT_BADGES
) -> tuple[Badge, ...]:
    """The badges `stats` earn, in catalogue order (the order to display them)."""
    return tuple(b for b in badges if b.earned(stats))


def new_badges(
    before: ContributorStats, after: ContributorStats, badges: Sequence[Badge] = DEFAULT_BADGES
) -> tuple[Badge, ...]:
    """Badges earned in `after` but not in `before`: what to notify."""
    had = {b.code for b in badges_for(before, badges)}
    return tuple(b for b in badges_for(after, badges) if b.code not in had)


def badge_notice(badge: Badge, lang: Lang) -> str:
    """'New badge: Fast responder' / 'Nouveau badge : Réponse éclair'."""
    if lang == "fr":
        return f"Nouveau badge\u00a0: {badge.label_fr}"
    return f"New badge: {badge.label_en}"
