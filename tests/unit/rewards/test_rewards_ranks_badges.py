"""Ranks by points, badges from stats, and the notifications for reaching them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rewards import (
    DEFAULT_BADGES,
    DEFAULT_RANKS,
    ContributorStats,
    Rank,
    Reason,
    RevokeReason,
    apply_revocations,
    badge_notice,
    badges_for,
    new_badges,
    rank_change,
    rank_for,
    rank_notice,
    revoke,
    stats_for,
)
from tests.unit.rewards.factories import T0, entry


@pytest.mark.parametrize(
    ("points", "code"),
    [(-3, "newcomer"), (0, "newcomer"), (49, "newcomer"), (50, "helper"), (249, "helper"),
     (250, "expert"), (999, "expert"), (1000, "ambassador"), (10**6, "ambassador")],
)  # fmt: skip
def test_rank_by_points(points: int, code: str) -> None:
    assert rank_for(points).code == code


def test_a_promotion_is_announced_a_demotion_is_not() -> None:
    promoted = rank_change(240, 255)
    assert promoted is not None
    assert promoted.code == "expert"
    assert rank_notice(promoted, "en") == "You are now an Expert!"
    assert rank_notice(promoted, "fr") == "Vous êtes maintenant Expert\u00a0!"
    assert rank_notice(DEFAULT_RANKS[1], "en") == "You are now a Helper!"
    assert rank_change(255, 260) is None
    assert rank_change(300, 40) is None
    # Jumping two ranks at once announces the one reached.
    jumped = rank_change(0, 1200)
    assert jumped is not None
    assert jumped.code == "ambassador"


def test_ranks_are_configurable_and_checked() -> None:
    ladder = (Rank("new", 0, "Nouveau", "New"), Rank("pro", 10, "Pro", "Pro"))
    assert rank_for(12, ladder).code == "pro"
    assert rank_for(12, ladder).label("fr") == "Pro"
    for bad in [
        (),
        (Rank("a", 5, "A", "A"),),
        (Rank("a", 0, "A", "A"), Rank("b", 0, "B", "B")),
        (Rank("a", 0, "A", "A"), Rank("a", 9, "B", "B")),
    ]:
        with pytest.raises(ValueError, match="rank"):
            rank_for(1, bad)


def codes(stats: ContributorStats) -> list[str]:
    return [b.code for b in badges_for(stats)]


def test_badges_from_stats() -> None:
    assert codes(ContributorStats()) == []
    assert codes(ContributorStats(answers=1)) == ["first_answer"]
    assert codes(ContributorStats(answers=12, accepted=10)) == [
        "first_answer",
        "first_accepted",
        "accepted_10",
    ]
    assert "fast_responder" in codes(ContributorStats(fast_answers=5))
    assert "fast_responder" not in codes(ContributorStats(fast_answers=4))
    assert "community_favourite" in codes(ContributorStats(distinct_thankers=10))
    assert "endorsed" in codes(ContributorStats(endorsements=1))


def test_multilingual_needs_a_few_answers_in_each_of_two_languages() -> None:
    one_stray = ContributorStats(answers=4, answers_by_lang=(("en", 1), ("fr", 3)))
    assert "multilingual" not in codes(one_stray)
    both = ContributorStats(answers=6, answers_by_lang=(("en", 3), ("fr", 3)))
    assert "multilingual" in codes(both)


def test_new_badges_are_the_ones_just_earned() -> None:
    before = ContributorStats(answers=1, accepted=9)
    after = ContributorStats(answers=2, accepted=10, endorsements=1)
    assert [b.code for b in new_badges(before, after)] == ["accepted_10", "endorsed"]
    assert new_badges(after, after) == ()
    badge = new_badges(before, after)[0]
    assert badge_notice(badge, "en") == "New badge: 10 accepted answers"
    assert badge_notice(badge, "fr") == "Nouveau badge\u00a0: 10 réponses acceptées"


def test_every_badge_has_a_distinct_code_and_both_languages() -> None:
    assert len({b.code for b in DEFAULT_BADGES}) == len(DEFAULT_BADGES)
    for b in DEFAULT_BADGES:
        assert b.label("fr") and b.label("en") and b.description("fr") and b.description("en")


def test_stats_come_from_active_entries() -> None:
    ledger = [
        entry("helper", 2, T0, reason=Reason.ANSWER, lang="fr", ref_id="a1"),
        entry("helper", 2, T0, reason=Reason.ANSWER, lang="en", ref_id="a2"),
        entry("helper", 2, T0, reason=Reason.ANSWER, lang=None, ref_id="a3"),
        entry("helper", 5, T0, reason=Reason.HELPFUL_VOTE, giver_id="asker", ref_id="a1"),
        entry("helper", 0, T0, reason=Reason.HELPFUL_VOTE, giver_id="asker", ref_id="a2"),
        entry("helper", 15, T0, reason=Reason.ACCEPTED, giver_id="fan", ref_id="a1"),
        entry("helper", 5, T0, reason=Reason.FAST_FIRST_ANSWER, ref_id="a1"),
        entry("helper", 10, T0, reason=Reason.STAFF_ENDORSEMENT, giver_id="s", ref_id="a2"),
        entry("expert", 2, T0, reason=Reason.ANSWER, lang="fr"),
    ]
    stats = stats_for(ledger, "helper")
    assert stats == ContributorStats(
        points=41,
        answers=3,
        accepted=1,
        fast_answers=1,
        helpful_votes=2,
        distinct_thankers=2,
        endorsements=1,
        answers_by_lang=(("en", 1), ("fr", 1)),
    )
    # Hiding the first answer takes its badges' ground away too.
    records = revoke(
        ledger, ref_id="a1", reason=RevokeReason.CONTENT_HIDDEN, at=T0 + timedelta(hours=1)
    )
    after = stats_for(apply_revocations(ledger, records), "helper")
    assert (after.accepted, after.fast_answers, after.points) == (0, 0, 14)
    assert "first_accepted" not in codes(after)
