"""Abuse: insults held, profanity reported but published, fishing words left alone."""

from __future__ import annotations

import pytest

from moderation import MessageContext, Thresholds, abuse_signal
from moderation.abuse import reports_someone_else


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
        # aimed at someone without a listed insult, or with one that also names things
        "Blaireau, c'est marqué 12 ans minimum sur la boîte",
        "Oi dipstick, it says 12+ on the box",
        "Pipe down, numpty",
        "T'es une honte, même ton avatar est moche",
        "You're a joke and so are your reviews",
        "Quelle bande de moutons, vous achetez n'importe quoi",
        "what a wazzock, read the label",
        "T'es qu'un gros relou, on t'a assez vu",
        "You absolute weapon, that's the wrong charger",
        "Bande de nazes, j'ai posé ma question lundi",
        "Sit down, Einstein 🙄",
        "T'es à peu près aussi utile qu'une passoire pour la soupe",
        "Of course he's offended, get back to your church",
        "sale bougnoule",
        "What a tool",
        "Mais quel boulet celui qui a répondu au-dessus 🤦",
        "T'es lourd, personne te calcule, va voir ailleurs si j'y suis",
        "Stop showing off with your designer bag, you're pathetic",
        "Go play on the motorway",
        "Tu m'écris encore en MP et je te retrouve, c'est clair ?",
        "Vas-y dégage, minable",
        "Ceux qui achètent ça sont des gros beaufs de toute façon",
        # sixth round: a whole message that is only an insult, regional words, "you lot"
        "Pauvre nouille, va",
        "Quel boulet.",
        "Utter dope.",
        "Morons.",
        "Useless, the lot of you.",
        "Vous êtes des cancres au service client",
        "You're a gormless eejit",
        "you lot are so dumb, it's on the box",
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
        # a number ending in a mask is not a masked word ("500#" read as leet "soo#": "sook")
        "Réf 13109.500# ou 1300#, laquelle tient la pluie ?",
        "bench#901#13109.500# Would the strap need a new battery soon with sweat?",
    ],
)
def test_fishing_words_and_polite_phrases_are_not_abuse(body: str) -> None:
    assert abuse_signal(MessageContext(body=body)) is None, body


@pytest.mark.parametrize(
    ("body", "family"),
    [
        ("Va jouer sur l'autoroute", "threat"),
        ("À celui qui m'a signalé : je vais te trouver, t'inquiète", "threat"),
        ("Talk to me like that again and I'll find you", "threat"),
        ("Je sais où tu habites", "threat"),
        ("Hope you trip over in those boots and faceplant", "threat"),
        ("J'espère que ton canapé te tombe dessus", "threat"),
        ("the girl who answered about the mascara, you're cute, send me a pic 😏", "harassment"),
        ("tu mets une photo de tes jambes avec les collants ?", "harassment"),
        ("Bet those leggings look better on my bedroom floor 😏", "harassment"),
        ("Mums who ask questions like this shouldn't be allowed kids", "put-down of a group"),
        (
            "Les mamans qui posent des questions pareilles devraient pas avoir d'enfants",
            "put-down of a group",
        ),
        ("Les gens comme toi devraient pas avoir le droit de voter", "put-down of a group"),
        ("T'as un seul neurone et il est en grève ?", "taunt"),
        ("Avec un QI d'huître comme le tien, évite de donner des conseils", "taunt"),
        ("who let you out without a helmet", "taunt"),
        ("Nobody asked you, keyboard warrior", "taunt"),
        # sixth round: comparisons of someone's mind
        ("Votre SAV a le QI d'une serpillière", "taunt"),
        ("Your support team has the brains of a doorknob", "taunt"),
        ("He's thick as two short planks", "taunt"),
        ("T'es bête comme tes pieds", "taunt"),
        ("My hamster has more sense than your customer service team", "taunt"),
        ("Ce magasin est géré par des singes", "taunt"),
        ("Is there nothing at all between your ears?", "taunt"),
        ("Tu devrais retourner au CP", "taunt"),
        ("Arguing with someone this dense is pointless", "taunt"),
    ],
)
def test_abuse_without_a_rude_word_is_held(body: str, family: str) -> None:
    found = abuse_signal(MessageContext(body=body))
    assert found is not None, body
    assert found.hold is True
    assert any(item.startswith(family + ":") for item in found.evidence), found.evidence


@pytest.mark.parametrize(
    "body",
    [
        "Je vais te trouver le lien, deux minutes",
        "I'll find you a better one, give me a sec",
        "Send me a pic of the label and I'll tell you the size",
        "Envoie une photo du produit au SAV, ils remboursent",
        "Les clients qui ont commandé lundi ne devraient pas être débités deux fois ?",
        "People who bought this also liked the blue one",
        "Clown, sans hésiter, c'est le coloris qui prend le plus",
        "Quelle honte, trois semaines sans colis",
        "What a joke this delivery is",
        "J'ai le QI d'un bulot avec les housses de couette, le zip c'est plus simple ?",
        "I'm a total numpty with tech, does the doorbell pair with Alexa?",
        "Ma chienne est en chaleur, vous avez les culottes en taille M ?",
        "Quel manche choisir pour une canne de 2,70 m ?",
        "Ferme la porte du congélateur avant de le déplacer",
        "Il va jouer sur la console tout le week-end avec ça",
        "My dog could eat through the old one, is this one tougher?",
        "Nobody asked for the blue one but it's the best seller",
        "Espèce de chanceuse, t'as eu la dernière en rose 😄",
        "You absolute legend, that fixed it",
        "Bande de roulement, elle tient combien de km ?",
        "Cette espèce de carpe se pêche au printemps ?",
        "Il est aussi utile qu'un couteau suisse, je recommande",
        "Merci le génie, ça marche !",
        "bon ok je craque, mon banquier va pleurer 😅",
        "La teinte « Sale Gosse » du rouge à lèvres, c'est plutôt rose ou corail ?",
        "Shut it down before you unplug it",
        "As kids grow up, the bed frame extends",
        "Le moteur dégage une odeur de brûlé, c'est normal ?",
        "Je te retrouve le lien de la notice",
        "Quelle pagaille ce rayon, mais quel choix !",
        # sixth round: look-alikes of the forms above
        "Gourde.",
        "Clown.",
        "Dope.",
        "Les nouilles sautées, c'est combien de portions ?",
        "It has the brain of a Raspberry Pi inside",
        "This robot has more brains than your old Roomba",
        "Ma fille retourne à la maternelle lundi, le cartable arrivera avant ?",
        "Le plateau est tenu par des vis ou par des chevilles ?",
        "You guys are dim sum fans? The steamer fits 3 baskets",
        "Someone this tall needs the XL frame",
        "Elle est bête comme chou cette recette",
        "Je signale un membre qui a écrit « bande d'abrutis » sous ma photo",
        "Mods, the user above keeps calling people morons",
        "J'étais le roi des idiots ce jour-là, j'avais oublié les piles",
        "Felt like a right muppet when I found the second screw bag",
        "Quelle nouille je fais, j'ai commandé le mauvais coloris",
    ],
)
def test_look_alikes_of_abuse_without_a_rude_word_are_left_alone(body: str) -> None:
    found = abuse_signal(MessageContext(body=body))
    assert found is None or not found.hold, (body, found)


def test_thresholds_change_what_is_held() -> None:
    body = "What a moron"
    assert abuse_signal(MessageContext(body=body)).hold is True  # type: ignore[union-attr]
    lenient = Thresholds(abuse_hold=0.99)
    found = abuse_signal(MessageContext(body=body), lenient)
    assert found is not None
    assert found.hold is False


def test_a_bare_verdict_is_an_insult_from_a_helper_only() -> None:
    """A bare "Pathetic." replying to someone is said to them; the asker's may be about the wait."""
    helper = abuse_signal(MessageContext(body="Pathetic.", from_asker=False))
    assert helper is not None and helper.hold
    asker = abuse_signal(MessageContext(body="Pathetic."))
    assert asker is None or not asker.hold


@pytest.mark.parametrize(
    ("body", "report"),
    [
        ("Un membre m'a traitée de « grosse vache », vous pouvez supprimer ?", True),
        ('Reporting the guy who wrote "you lot are morons" under my post', True),
        ("Modération : il traite tout le monde de guignols", True),
        ("You're an idiot and I'm reporting you", False),
        ("Quelle bande de guignols", False),
        ("Thanks for calling me back so quickly", False),
    ],
)
def test_reports_of_someone_elses_insult(body: str, report: bool) -> None:
    assert reports_someone_else(body) is report
