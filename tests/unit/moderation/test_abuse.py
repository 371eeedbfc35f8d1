"""Abuse: insults held, profanity reported but published, fishing words left alone."""

from __future__ import annotations

import pytest

from moderation import MessageContext, Thresholds, abuse_signal


@pytest.mark.parametrize(
    "body",
    [
        "T'es vraiment un connard",
        "Ferme ta gueule",
        "Espèce d'abruti, relis la question",
        "c0nnard va",
        "Connnnnard",
        "Bande de bouffons, vous êtes des incompétents",
        "You're an idiot",
        "Shut the fuck up",
        "What a moron",
        "Fuuuck off",
        "you stupid b*tch",
        "sale pd va",
    ],
)
def test_insults_are_held(body: str) -> None:
    found = abuse_signal(MessageContext(body=body))
    assert found is not None, body
    assert found.code == "abuse"
    assert found.hold is True
    assert found.score >= 0.8


@pytest.mark.parametrize(
    "body",
    [
        "Putain, le pick-up a cassé au deuxième lancer",
        "Merde, j'ai oublié ma bobine",
        "Damn, this thing is heavy",
        "f*ck, lost another lure in the weeds",
    ],
)
def test_profanity_opens_a_case_but_is_published(body: str) -> None:
    found = abuse_signal(MessageContext(body=body))
    assert found is not None, body
    assert found.hold is False
    assert any(item.startswith("profanity") for item in found.evidence)


def test_an_insult_about_a_thing_is_reported_not_held() -> None:
    found = abuse_signal(MessageContext(body="Ce prix est complètement débile"))
    assert found is not None
    assert found.hold is False
    aimed = abuse_signal(MessageContext(body="T'es complètement débile"))
    assert aimed is not None
    assert aimed.hold is True
    assert "aimed at someone" in aimed.evidence


@pytest.mark.parametrize(
    "body",
    [
        "Le jerk de 12 cm en coloris clown marche fort",
        "Bite alarms included?",
        "The bites were slow but the jerkbait saved the day",
        "C'est peut-être une question idiote, mais ça flotte ?",
        "Sorry for the stupid question, does it float?",
        "Je suis nul en nœuds, un conseil ?",
        "Livraison en retard de deux jours, rien de grave",
        "Ma commande a pris du retard",
        "Pêche au vif, au mort manié ou au leurre tueur",
        "Un conseil pour monter ce moulinet contre le vent ?",
        "Mes waders sont crevés au genou, ça se répare ?",
        "FDP offerts dès 50 € ?",
        "Killer lure on pike, honestly",
        "Dick's reel is the same as mine",
        "Scunthorpe anglers club meets on Sunday",
        "Does the charger do 100W on USB-C PD?",
        "chargeur PD 65W compatible ?",
        "PD 3.0 ou QC ?",
    ],
)
def test_fishing_words_and_polite_phrases_are_not_abuse(body: str) -> None:
    assert abuse_signal(MessageContext(body=body)) is None, body


def test_thresholds_change_what_is_held() -> None:
    body = "What a moron"
    assert abuse_signal(MessageContext(body=body)).hold is True  # type: ignore[union-attr]
    lenient = Thresholds(abuse_hold=0.99)
    found = abuse_signal(MessageContext(body=body), lenient)
    assert found is not None
    assert found.hold is False
