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


@pytest.mark.parametrize(
    ("body", "kind", "secret"),
    [
        # Ten digits from a 0, however grouped (Swiss, Irish, Australian, odd French groups).
        ("mon natel c'est le 079 123 45 67", "phone number", "45 67"),
        ("ring me on 087 123 4567 after six", "phone number", "4567"),
        ("text me 0491 570 156 thanks", "phone number", "570 156"),
        ("rappelle moi 06 39 981 234 stp", "phone number", "981 234"),
        ("mon num 063 998 12 34", "phone number", "998 12"),
        # An O typed for the first 0, a number split around its "06", digits without the 0.
        ("O6 39 98 12 34 appelez le soir", "phone number", "98 12"),
        ("mon 06 c'est le 39 98 12 34", "phone number", "98 12"),
        ("06... 39 98 12 34 si besoin", "phone number", "98 12"),
        ("tel : 6 39 98 12 34", "phone number", "98 12"),
        ("call me 555 0123 after 5", "phone number", "0123"),
        # Half or fully spelled out.
        ("zéro six 39 98 12 34", "phone number", "98 12"),
        ("06 trente neuf 98 12 34", "phone number", "98 12"),
        (
            "call me on oh seven seven double oh nine hundred one two three",
            "phone number",
            "hundred",
        ),
        # E-mail typos: no TLD after a provider, a comma or a space for the dot.
        ("mon mail jdupont74@yahoo merci", "e-mail address", "jdupont74"),
        ("écris moi sur jdupont74 @ gmail", "e-mail address", "jdupont74"),
        ("jean.dupont@gmail,com", "e-mail address", "jean.dupont"),
        ("reply to jean.dupont@gmail com pls", "e-mail address", "jean.dupont"),
        # Partial card numbers that show more than the last four digits.
        ("5145 33.. .... 2791 débitée deux fois", "card number", "2791"),
        ("les 10 premiers chiffres c'est 4970 1234 56", "card number", "1234 56"),
        ("card number begins 4539 1488 03 and the rest is hidden", "card number", "1488 03"),
        ("4970 12## #### 3456", "card number", "3456"),
        # Street first (Belgium, Switzerland): with a postcode and city, or an address word.
        ("Rue de la Loi 16, 1000 Bruxelles", "postal address", "Loi 16"),
        ("Bahnhofstrasse 12, 8001 Zürich", "postal address", "8001"),
        ("livrer à Chemin des Vignes 4 svp", "postal address", "Vignes 4"),
        # Customer numbers and an order number after a date.
        ("mon numéro adhérent est le 00012345", "ID number", "00012345"),
        ("carte de fidélité n° 40012345", "ID number", "40012345"),
        ("commande du 12/03, numéro 8841234", "order number", "8841234"),
        # Grouped member and customer numbers, a parcel named by its carrier.
        ("n° d'adhérent fidélité : 3307 1122 45", "ID number", "1122"),
        ("my loyalty number is 5521-0098", "ID number", "0098"),
        ("le colis Chronopost 08123456789012 est bloqué", "tracking number", "3456789012"),
        ("GLS 98765432101 says returned", "tracking number", "98765432101"),
    ],
)
def test_format_variants_are_caught(body: str, kind: str, secret: str) -> None:
    found = personal_data_signal(MessageContext(body=body))
    assert found is not None, body
    assert kind in found.evidence, (body, found.evidence)
    assert secret not in redact(body)


@pytest.mark.parametrize(
    "body",
    [
        "livré le 01.02.2024 10 30 environ",
        "le 01/02/2024 10h je serai là",
        "tailles 06 mois, 12 18 24 36 mois",
        "Place de la Concorde 8 fois plus grande",
        "il commence par 4 et finit par 2",
        "ça commence par 2024 et se termine en 2025",
        "oh no, oh well, one two three",
        "Prix 1 299 €, promo 999 € jusqu'au 12/05",
        "la carte qui finit par 4242 a été refusée",
        "Colissimo livre en 48h ou 72h ?",
        "DPD 2 jours ouvrés, vous confirmez ?",
        "ma carte fidélité a 1200 points",
    ],
)
def test_look_alikes_are_not_personal_data(body: str) -> None:
    assert find_personal_data(body) == (), body


@pytest.mark.parametrize(
    ("body", "from_asker", "flagged"),
    [
        ("Le SAV de la marque répond au 01 99 00 27 40 (non surtaxé)", False, False),
        ("For spare parts, the brand's helpline is 0808 157 0192 (free)", False, False),
        ("customer service: +44 20 7946 0958", False, False),
        ("écris à sav@marque-exemple.fr, ils répondent vite", False, False),
        # A mobile is a person's, even next to "SAV"; a first person in between is theirs.
        ("le SAV de la marque : 06 39 98 12 34", False, True),
        ("le SAV c'est nul, appelle moi au 01 99 00 27 40", False, True),
        ("écris à jean.dupont@gmail.com", False, True),
        # The asker's own message is always held.
        ("Le SAV de la marque répond au 01 99 00 27 40 ?", True, True),
    ],
)
def test_a_helpers_pointer_to_a_company_line_is_not_personal_data(
    body: str, from_asker: bool, flagged: bool
) -> None:
    found = personal_data_signal(MessageContext(body=body, from_asker=from_asker))
    assert (found is not None) is flagged, body
