"""Out of scope: the shopper's order, delivery, money or account; not product senses."""

from __future__ import annotations

import pytest

from moderation import MessageContext, Thresholds, out_of_scope_signal


@pytest.mark.parametrize(
    "body",
    [
        "Où est ma commande ? Je l'ai passée il y a une semaine.",
        "Je n'ai toujours pas reçu mon colis, le suivi ne bouge plus.",
        "Comment me faire rembourser le sac de couchage ?",
        "Je voudrais retourner l'article, il ne me convient pas.",
        "Ma carte bancaire a été refusée deux fois au paiement.",
        "Pouvez-vous m'envoyer la facture de mon achat ?",
        "J'ai oublié mon mot de passe et je ne peux plus me connecter.",
        "On m'a débité deux fois pour la même commande !",
        "Vous livrez en Belgique ? Quel délai de livraison ?",
        "Where is my order? It was supposed to arrive on Monday.",
        "I never received my parcel and the tracking says delivered.",
        "How do I get a refund for the broken headlamp?",
        "I was charged twice for the same order.",
        "Can I have an invoice with my company name on it?",
        "I can't log into my account anymore.",
        "The box arrived damaged and the reel is scratched.",
    ],
)
def test_brand_only_topics_open_a_case(body: str) -> None:
    found = out_of_scope_signal(MessageContext(body=body))
    assert found is not None, body
    assert found.code == "out_of_scope"
    assert found.evidence
    assert found.hold is False


@pytest.mark.parametrize(
    "body",
    [
        "Is the reel delivered with a spare spool?",
        "Does it come with a carry bag?",
        "Bonjour, le moulinet est-il livré avec une bobine de rechange ?",
        "La canne est fournie avec un tube ?",
        "Vos retours sur ce moulinet en mer ?",
        "Des retours d'expérience sur la tente par grand vent ?",
        "La commande de frein est-elle progressive ?",
        "Je compte l'utiliser en kayak, ça tient l'eau salée ?",
        "Je ne suis pas arrivé à ferrer avec cette canne, trop souple ?",
        "Toujours pas reçu de réponse à ma question sur la taille.",
        "I haven't received any answer about the waders yet.",
        "What size should I order for a 9 ft rod?",
        "You need to take the current into account when choosing the weight.",
        "Late season trout: which fly would you use?",
        "oups, j'ai posé ma question sur le mauvais produit, pardon",
        "Sorry, posted this on the wrong listing!",
        "je me suis trompé de fiche, c'était pour la veste",
    ],
)
def test_product_senses_do_not(body: str) -> None:
    assert out_of_scope_signal(MessageContext(body=body)) is None, body


def test_a_helper_talking_about_refunds_is_not_a_case() -> None:
    body = "J'ai été remboursé en 3 jours quand le mien était défectueux, aucun souci."
    assert out_of_scope_signal(MessageContext(body=body, from_asker=False)) is None
    assert out_of_scope_signal(MessageContext(body=body, from_asker=True)) is not None


def test_a_single_topic_word_needs_company() -> None:
    assert out_of_scope_signal(MessageContext(body="La livraison, c'est rapide ?")) is None
    assert out_of_scope_signal(MessageContext(body="Quelle garantie sur ce moulinet ?")) is None
    assert out_of_scope_signal(MessageContext(body="Quel délai de livraison ?")) is not None


def test_an_order_number_is_itself_about_an_order() -> None:
    found = out_of_scope_signal(MessageContext(body="Commande n° 4587213, une question svp"))
    assert found is not None
    assert "order number" in found.evidence
    assert "4587213" not in found.describe()


def test_threshold_is_respected() -> None:
    body = "Quel délai de livraison ?"
    assert out_of_scope_signal(MessageContext(body=body), Thresholds(out_of_scope=0.9)) is None
