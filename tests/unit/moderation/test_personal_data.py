"""Personal data gate: every kind is caught, never echoed, and numbers in product talk pass."""

from __future__ import annotations

import pytest

from moderation import MessageContext, find_personal_data, personal_data_signal, redact


@pytest.mark.parametrize(
    ("body", "kind", "secret"),
    [
        ("Écrivez-moi : jean.dupont@gmail.com", "e-mail address", "jean.dupont"),
        ("mail: Marie.Pecheuse+shop@Orange.FR merci", "e-mail address", "Pecheuse"),
        ("contact : pierre (at) laposte.net", "e-mail address", "laposte"),
        ("pierre arobase laposte point net", "e-mail address", "laposte"),
        ("Appelez-moi au 06 12 34 56 78", "phone number", "34 56"),
        ("mon portable 0612345678", "phone number", "0612345678"),
        ("tel 07.81.22.45.90 le soir", "phone number", "22.45"),
        ("+33 6 12 34 56 78", "phone number", "34 56 78"),
        ("+33 (0)2 98 45 67 12", "phone number", "45 67"),
        ("call me on +44 7700 900123", "phone number", "900123"),
        ("my cell (415) 555-0132", "phone number", "555-0132"),
        ("mobile 07700 900 456", "phone number", "900 456"),
        ("IBAN FR76 3000 6000 0112 3456 7890 189 merci", "IBAN", "3456 7890"),
        ("iban: fr7630006000011234567890189", "IBAN", "011234567890189"),
        ("DE89370400440532013000", "IBAN", "0532013000"),
        ("GB29 NWBK 6016 1331 9268 19", "IBAN", "6016"),
        ("carte 4970 1012 3456 7893 exp 04/28", "card number", "3456 7893"),
        ("card 5132-7600-1234-5673", "card number", "1234-5673"),
        ("Commande n° 4587213 pas reçue", "order number", "4587213"),
        ("commande numéro 123456", "order number", "123456"),
        ("n° de commande : FR-88213", "order number", "88213"),
        ("order #A12345", "order number", "A12345"),
        ("order number 8812094", "order number", "8812094"),
        ("c'est la CMD-2024-0042", "order number", "2024-0042"),
        ("suivi XW123456789FR", "tracking number", "123456789"),
        ("tracking 1Z999AA10123456784", "tracking number", "1Z999AA1"),
        ("J'habite 12 rue des Lilas à Rennes", "postal address", "Lilas"),
        ("livrez au 7 bis avenue Jean Jaurès", "postal address", "Jaurès"),
        ("3 place de la République, 75003 Paris", "postal address", "République"),
        ("adresse : 35000 Rennes", "postal address", "35000"),
        ("221 Baker Street please", "postal address", "Baker"),
        ("ship to 10 Downing St, London SW1A 2AA", "postal address", "Downing"),
        ("Springfield, IL 62704", "postal address", "62704"),
    ],
)
def test_each_kind_is_held_and_named_not_echoed(body: str, kind: str, secret: str) -> None:
    found = personal_data_signal(MessageContext(body=body))
    assert found is not None, body
    assert found.hold is True
    assert found.score == 1.0
    assert kind in found.evidence
    assert secret not in found.describe()
    assert secret not in redact(body)
    assert f"[{kind}]" in redact(body)


@pytest.mark.parametrize(
    "body",
    [
        "La canne fait 2,70 m pour 10-40 g, ça passe en mer ?",
        "Stradic 4000 XG ou 3000 HG ? Je pêche en 0,28 mm.",
        "Stella 14000 XG pour le thon, quelqu'un a testé ?",
        "Le moulinet est à 149,90 € au lieu de 189,00 €.",
        "Code barre 3760123456789 sur la boîte, c'est bien le modèle 2024 ?",
        "Je voudrais commander 2500 mètres de tresse, c'est possible ?",
        "What size should I order, 2500 or 3000?",
        "Posted on 12/03/2024, still relevant?",
        "Je fais 3 cours de pêche par mois avec mon club.",
        "On a pris la route de nuit, 2 heures de trajet.",
        "Vitesse de récupération 12000 tours/min selon la fiche ?",
        "+15 cm de longueur par rapport à l'ancien modèle.",
        "IBAN-like FR76 3000 6000 0112 3456 7890 188 (wrong checksum)",
        "4970 1012 3456 7894 is not a valid card",
        "Cheaper at decathlon dot com, sadly",
        "We sell it cheaper at anglers-bargain.co.uk",
        "Taille 42-44, poids 1 250 g, 3 poches",
        "Fil 0.20 0.25 0.30 0.35 lequel pour la truite ?",
        "Ligne 20 lb, bas de ligne 30 lb, hameçons n°6",
    ],
)
def test_product_numbers_are_not_personal_data(body: str) -> None:
    assert find_personal_data(body) == (), body
    assert personal_data_signal(MessageContext(body=body)) is None


def test_redact_keeps_the_rest_and_masks_each_piece() -> None:
    body = "Commande n° 4587213 — rappelez-moi au 06 12 34 56 78 ou jean@exemple.fr"
    assert redact(body) == (
        "Commande n° [order number] — rappelez-moi au [phone number] ou [e-mail address]"
    )
    assert redact("rien à cacher") == "rien à cacher"
    assert redact("J'habite 12 rue des Lilas, 35000 Rennes.") == "J'habite [postal address]."


def test_several_kinds_are_all_listed_once() -> None:
    found = personal_data_signal(
        MessageContext(body="jean@exemple.fr / 06 12 34 56 78 / 06 98 76 54 32")
    )
    assert found is not None
    assert found.evidence == ("e-mail address", "phone number")
