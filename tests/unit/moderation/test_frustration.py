"""Frustration: cues, shouting, bumps and waiting count; shop slang and polite questions don't."""

from __future__ import annotations

from datetime import timedelta

import pytest

from moderation import MessageContext, Thresholds, detect_language, frustration_signal


def signal(body: str, **context: object) -> object:
    return frustration_signal(MessageContext(body=body, **context))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [
        "Toujours pas reçu de réponse, c'est inadmissible !!!",
        "J'en ai marre, ça fait 3 jours que j'attends une réponse.",
        "Personne ne répond ici ? C'est vraiment lamentable.",
        "Très déçu, deuxième fois que je pose la question et rien.",
        "C'EST POSSIBLE D'AVOIR UNE RÉPONSE OUI OU NON ???",
        "Still waiting for an answer, this is ridiculous!!!",
        "I'm fed up, nobody replies to anything here.",
        "Seriously? Two days and not a single answer. Pathetic.",
        "Asking again because no one answered: does it fit a 40 mm spool?? 😡",
    ],
)
def test_frustrated_messages_open_a_case(body: str) -> None:
    found = frustration_signal(MessageContext(body=body))
    assert found is not None
    assert found.code == "frustration"
    assert 0.5 <= found.score <= 1.0
    assert found.evidence
    assert found.hold is False


def test_evidence_quotes_what_the_shopper_wrote() -> None:
    found = frustration_signal(
        MessageContext(body="Inadmissible : toujours pas reçu de réponse !!!")
    )
    assert found is not None
    assert "'Inadmissible'" in found.evidence
    assert "'toujours pas'" in found.evidence
    assert "'!!!'" in found.evidence
    assert found.describe().startswith("frustration 0.")


@pytest.mark.parametrize(
    "body",
    [
        "Leurre tueur pour le brochet, carnage hier soir au bord du lac !!",
        "Ce shad est une arme fatale sur les sandres, attaques violentes garanties",
        "Killer lure, deadly on pike, they absolutely smashed it!",
        "Monster carp on the new bait, what a beast!!",
        "Merci !!! Super moulinet, je l'adore",
        "Toujours pas trouvé la bonne taille, vous conseillez quoi ?",
        "I'm still not sure which size to get, 2500 or 3000?",
        "Pêche au vif ou au mort manié pour le brochet en hiver ?",
        "Bonjour, la canne est-elle vendue avec un tube de transport ?",
        "Is this jerkbait good for cold water? Bites have been slow lately.",
        "SHIMANO ou DAIWA pour débuter ?",
    ],
)
def test_slang_enthusiasm_and_polite_questions_do_not(body: str) -> None:
    assert frustration_signal(MessageContext(body=body)) is None


def test_bumps_by_the_asker_count() -> None:
    assert frustration_signal(MessageContext(body="up")) is None
    found = frustration_signal(MessageContext(body="up", asker_bump_count=2))
    assert found is not None
    assert "bumped 2x" in found.evidence


def test_waiting_past_the_sla_counts_and_says_so() -> None:
    body = "Quelqu'un ? Toujours pas de réponse"
    quick = frustration_signal(MessageContext(body=body, waiting_for=timedelta(minutes=2)))
    slow = frustration_signal(MessageContext(body=body, waiting_for=timedelta(minutes=45)))
    assert slow is not None
    assert "waiting 45 min, SLA 10 min" in slow.evidence
    assert quick is None or quick.score < slow.score


def test_shouting_is_evidence() -> None:
    found = frustration_signal(MessageContext(body="POURQUOI PERSONNE NE RÉPOND À MA QUESTION"))
    assert found is not None
    assert "written in capitals" in found.evidence


def test_threshold_is_respected() -> None:
    body = "Toujours pas de réponse... c'est pénible"
    assert frustration_signal(MessageContext(body=body)) is not None
    strict = Thresholds(frustration=0.95)
    assert frustration_signal(MessageContext(body=body), strict) is None


@pytest.mark.parametrize(
    ("body", "hint", "lang"),
    [
        ("Bonjour, est-ce que ce moulinet convient pour la mer ?", None, "fr"),
        ("Hi, is this reel any good in salt water?", None, "en"),
        ("Stradic 4000 ?", "en-GB", "en"),
        ("Stradic 4000 ?", None, "fr"),
        ("Ok", "fr", "fr"),
    ],
)
def test_language_is_guessed_from_stop_words_then_the_hint(
    body: str, hint: str | None, lang: str
) -> None:
    assert detect_language(body, hint) == lang
