""" "How my points were computed": grouped by reason, with the rule, in French and English."""

from __future__ import annotations

import json
from datetime import timedelta

from rewards import (
    PointsRules,
    Reason,
    RevokeReason,
    apply_revocations,
    bonus,
    explain,
    points_for_accept,
    points_for_answer,
    points_for_fast_first_answer,
    points_for_vote,
    revoke,
    rule_text,
)
from rewards.explain import ordinal
from rewards.ledger import LedgerEntry
from tests.unit.rewards.factories import ASKER, EXPERT, HELPER, T0, answer

AT = T0 + timedelta(minutes=30)


def helper_ledger() -> list[LedgerEntry]:
    ledger: list[LedgerEntry] = []

    def add(entry: LedgerEntry | None) -> None:
        assert entry is not None
        ledger.append(entry)

    a1, a2 = answer("m1"), answer("m2", thread_id="t2", after=timedelta(minutes=40))
    add(points_for_answer(a1, history=ledger).entry)
    add(points_for_fast_first_answer(a1, first_answer=True, history=ledger).entry)
    add(points_for_answer(a2, history=ledger).entry)
    add(points_for_vote(a1, ASKER, at=AT, voter_participations=1, history=ledger).entry)
    add(points_for_vote(a2, ASKER, at=AT, voter_participations=1, history=ledger).entry)
    add(points_for_accept(a1, ASKER, at=AT, history=ledger).entry)
    add(points_for_vote(a1, EXPERT, at=AT, voter_participations=1, history=ledger).entry)
    add(bonus(HELPER, 30, staff_id="staff-1", note="Guide des tailles", at=AT, bonus_id="b1"))
    # Someone else's entry must not show up in helper's explanation.
    add(points_for_answer(answer("m9", author=EXPERT), history=ledger).entry)
    return ledger


def test_entries_are_grouped_by_reason_with_counts_and_totals() -> None:
    found = explain(helper_ledger(), lang="en", visitor_id="helper")
    summary = [(g.reason, g.count, g.total) for g in found.groups]
    assert summary == [
        (Reason.ANSWER, 2, 4),
        # asker's second vote is halved (5 -> 2); expert's counts in full.
        (Reason.HELPFUL_VOTE, 3, 12),
        # Vote 5 + 2 and the accept 15 would make 22: the cap of 20 cuts the accept to 13.
        (Reason.ACCEPTED, 1, 13),
        (Reason.FAST_FIRST_ANSWER, 1, 5),
        (Reason.BONUS, 1, 30),
    ]
    assert found.total == 64
    assert found.groups[0].label == "Answers"


def test_each_group_states_its_rule_and_each_entry_why_it_is_worth_that() -> None:
    found = explain(helper_ledger(), lang="en", visitor_id="helper")
    votes = found.groups[1]
    assert votes.rule == rule_text(Reason.HELPFUL_VOTE, PointsRules(), "en")
    assert "+5 when someone finds your answer helpful" in votes.rule
    details = sorted(x.detail for x in votes.entries)
    assert details == ["", "", "2nd from the same person within 30 days: 5 × 0.5^1, rounded down"]
    accepted = found.groups[2].entries[0]
    assert accepted.detail == "limited by the cap of 20 points per person per 24 hours"
    fast = found.groups[3].entries[0]
    assert fast.detail == "answered in 4 min (limit 10 min)"
    assert found.groups[4].entries[0].detail == "Guide des tailles"


def test_the_explanation_speaks_french() -> None:
    found = explain(helper_ledger(), lang="fr", visitor_id="helper")
    assert [g.label for g in found.groups] == [
        "Réponses",
        "Votes « utile »",
        "Réponses acceptées",
        "Premières réponses rapides",
        "Bonus de la marque",
    ]
    assert found.groups[0].rule.startswith("+2 par réponse à la question de quelqu'un d'autre")
    details = {x.detail for x in found.groups[1].entries}
    assert "2e de la même personne en 30 jours : 5 × 0,5^1, arrondi à l'entier inférieur" in details
    assert found.groups[3].entries[0].detail == "réponse en 4 min (limite 10 min)"


def test_revoked_entries_are_listed_with_why_but_not_counted() -> None:
    ledger = helper_ledger()
    records = revoke(ledger, ref_id="m1", reason=RevokeReason.CONTENT_HIDDEN, at=AT)
    found = explain(apply_revocations(ledger, records), lang="en", visitor_id="helper")
    answers = found.groups[0]
    assert (answers.count, answers.total, answers.revoked_count, answers.revoked_points) == (
        1,
        2,
        1,
        2,
    )
    revoked = [x for x in answers.entries if x.revoked]
    assert [x.revoked for x in revoked] == ["revoked: content hidden by a moderator"]
    assert found.total == 2 + 2 + 30
    fr = explain(apply_revocations(ledger, records), lang="fr", visitor_id="helper")
    assert "annulé : contenu masqué par un modérateur" in {x.revoked for x in fr.groups[0].entries}


def test_rule_texts_follow_the_configured_numbers() -> None:
    rules = PointsRules(
        helpful_vote=7, daily_cap_per_giver=30, fast_first_answer_within=timedelta(minutes=5)
    )
    assert rule_text(Reason.HELPFUL_VOTE, rules, "en").startswith("+7 when")
    assert "at most 30 points per 24 hours" in rule_text(Reason.ACCEPTED, rules, "en")
    assert "en moins de 5 minutes" in rule_text(Reason.FAST_FIRST_ANSWER, rules, "fr")


def test_explanations_serialise_to_plain_json() -> None:
    data = explain(helper_ledger(), lang="en", visitor_id="helper").as_json()
    text = json.dumps(data)
    assert json.loads(text)["total"] == 64
    first = data["groups"][0]["entries"][0]
    assert first["created_at"].endswith("Z")
    assert {"id", "points", "rule", "detail", "revoked", "thread_id"} <= first.keys()


def test_an_empty_ledger_explains_to_nothing() -> None:
    found = explain([], lang="en", visitor_id="nobody")
    assert (found.total, found.groups) == (0, ())


def test_ordinals() -> None:
    assert [ordinal(n, "en") for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th"
    ]  # fmt: skip
    assert [ordinal(n, "fr") for n in (1, 2, 10)] == ["1er", "2e", "10e"]
