"""The demo shop: a few product pages and a believable mix of French and English threads."""

from __future__ import annotations

from typing import Any

PRODUCTS: list[dict[str, Any]] = [
    {
        "key": "leurre-brochet-12",
        "title": "Leurre souple Brochet 12 cm",
        "category": "leurres",
        "price": "8,90 €",
        "description": "Shad à queue vibrante, tête plombée 15 g, idéal pour le brochet en "
        "bordure d'herbiers.",
    },
    {
        "key": "canne-spinning-240",
        "title": "Canne spinning carbone 2,40 m",
        "category": "cannes",
        "price": "89,00 €",
        "description": "Action rapide, puissance 10-35 g, deux brins, poignée liège.",
    },
    {
        "key": "waders-respirants",
        "title": "Waders respirants à chaussons",
        "category": "vetements",
        "price": "159,00 €",
        "description": "Membrane 3 couches, chaussons néoprène, poche ventrale étanche.",
    },
    {
        "key": "montre-maree",
        "title": "Montre de pêche marées & baromètre",
        "category": "electronique",
        "price": "129,00 €",
        "description": "Horaires des marées pour 3 000 ports, baromètre, étanche 100 m.",
    },
]

# (product key, asker, question, [(helper, answer, votes)], accepted answer index or None)
SEED_THREADS: list[tuple[str, str, str, list[tuple[str, str, int]], int | None]] = [
    (
        "leurre-brochet-12",
        "Camille",
        "Il tient bien sur une tête plombée de 10 g ou c'est trop léger pour le brochet ?",
        [("Hugo", "Oui, en 10 g ça passe très bien en bordure d'herbiers jusqu'à 2 m.", 3)],
        0,
    ),
    (
        "leurre-brochet-12",
        "Emma",
        "Does the paddle tail still swim at very slow retrieve speeds?",
        [
            ("Lucas", "Yes, it starts wobbling at a very slow pace. Great in cold water.", 2),
            ("Hugo", "Confirmed, I use it in winter with a slow retrieve, works well.", 1),
        ],
        None,
    ),
    (
        "canne-spinning-240",
        "Julien",
        "La poignée est-elle en liège véritable ou en composite ?",
        [("Sophie", "Liège véritable avec une bague EVA en bout, très agréable.", 4)],
        0,
    ),
    (
        "canne-spinning-240",
        "Oliver",
        "Is this rod strong enough for sea bass from the rocks?",
        [],
        None,
    ),
    (
        "waders-respirants",
        "Léa",
        "Je fais du 38 en chaussures, quelle taille de chausson prendre ?",
        [("Nathalie", "Prenez la taille au-dessus pour mettre des chaussettes épaisses.", 2)],
        None,
    ),
    (
        "montre-maree",
        "Thomas",
        "La montre est-elle étanche pour la pêche en kayak ?",
        [("Chloé", "Oui, étanche à 100 m : aucun souci en kayak, même sous la pluie.", 5)],
        0,
    ),
    (
        "montre-maree",
        "Grace",
        "Can I set the tide times for Brittany ports?",
        [("Louis", "Yes, all Breton ports are in the list, Roscoff included.", 1)],
        None,
    ),
]


def product(key: str) -> dict[str, Any] | None:
    return next((p for p in PRODUCTS if p["key"] == key), None)
