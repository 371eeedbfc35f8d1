"""Labelled French/English messages for measuring the detectors.

Written for the purpose, in the voice of a French fishing and outdoor shop's visitors and
its English-speaking customers. Each example has zero or more labels (no label = "ok": a
normal product question or answer); the first label is its class for balance counts.

Two sets:
- DEV: written first and used while tuning the cue lists and weights.
- HOLDOUT: written after tuning was frozen and never tuned on; its numbers are the honest
  estimate of how the detectors do on text they have not been fitted to.

Context fields stand for what the service knows: `new` (a visitor without history),
`repeats` (how many times the author already posted the same text), `burst` (messages by
the author within the last 20 seconds, this one included), `bumps` (the asker's follow-ups
with no answer), `waiting_min` (how long the asker has waited), `asker` (False for a
helper's answer).
"""

from __future__ import annotations

from dataclasses import dataclass

CLASSES = ("ok", "frustration", "out_of_scope", "personal_data", "abuse", "spam")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    labels: tuple[str, ...]
    lang: str
    new: bool = False
    repeats: int = 0
    burst: int = 1
    bumps: int = 0
    waiting_min: int | None = None
    asker: bool = True

    @property
    def primary(self) -> str:
        return self.labels[0] if self.labels else "ok"


def fr(text: str, *labels: str, **context: object) -> Example:
    return Example(text, labels, "fr", **context)  # type: ignore[arg-type]


def en(text: str, *labels: str, **context: object) -> Example:
    return Example(text, labels, "en", **context)  # type: ignore[arg-type]


FRU, OOS, PD, ABU, SPAM = "frustration", "out_of_scope", "personal_data", "abuse", "spam"

DEV: tuple[Example, ...] = (
    # --- ok: product questions and answers, including slang and tricky words -------------
    fr("Bonjour, ce moulinet Stradic 2500 est-il livré avec une bobine de rechange ?"),
    fr("Quelqu'un a testé ce leurre tueur pour le brochet ? Il nage bien en eau froide ?"),
    fr("Carnage sur les perches hier soir avec le shad 7 cm coloris perche, je recommande !!"),
    fr("Vos retours sur cette canne 2,70 m 10-40 g pour le bord de mer ?"),
    fr(
        "C'est peut-être une question idiote mais le frein arrière est-il plus fiable que "
        "le frein avant ?"
    ),
    fr("Pour la pêche au vif du sandre, vous mettez quel diamètre de fluoro ? 0,30 ou 0,35 ?"),
    fr(
        "La tente 3 places tient-elle vraiment le vent en bord de lac ? On part en Ardèche fin mai."
    ),
    fr(
        "J'ai le même modèle depuis 2 saisons, aucun souci, la tresse 8 brins passe nickel "
        "dans les anneaux.",
        asker=False,
    ),
    fr(
        "Le jerk de 12 cm en coloris clown marche très bien en fin d'automne sur les gros brochets."
    ),
    fr(
        "Est-ce que la veste est vraiment imperméable ? Je pêche souvent sous la pluie en Bretagne."
    ),
    fr("Merci beaucoup pour vos réponses, je vais prendre la version 4000 du coup 👍"),
    fr(
        "Perso j'ai été remboursé sans problème quand le mien avait un défaut, le SAV est réactif.",
        asker=False,
    ),
    fr("Il mesure combien une fois replié ? Je voudrais le mettre dans le coffre d'une Clio."),
    fr("Les waders sont-ils chauds pour l'hiver ou faut-il ajouter une polaire dessous ?"),
    fr("Question bête : on peut monter ce moulinet sur une canne casting ?"),
    fr("Monstre de 1m12 pris au lac de Sainte-Croix avec ce swimbait, une bête de leurre !"),
    fr("Bonjour, la frontale tient combien d'heures en mode max ? Et elle se recharge en USB-C ?"),
    fr("Quelle différence entre la version HG et XG ? Je pêche surtout au jig en verticale."),
    fr("Le réchaud fonctionne avec les cartouches à valve ou seulement les perçables ?"),
    fr(
        "La commande de frein est-elle progressive sur ce modèle ? Sur l'ancien elle était "
        "très brusque."
    ),
    fr("Je compte partir 5 jours en bivouac, le sac de 45 L suffit-il avec le duvet ?"),
    fr("Vous la conseillez pour un débutant ? J'y connais rien en pêche à la mouche."),
    en("Is the reel delivered with a spare spool?"),
    en("Does this killer lure work for pike in cold water, or is it more of a summer bait?"),
    en(
        "Deadly on bass last weekend, they smashed the frog in the lily pads. Highly recommend.",
        asker=False,
    ),
    en("What line would you pair with the 2500 size? Thinking 10 lb braid with a fluoro leader."),
    en("Does it come with a carry bag or do I need to buy one separately?"),
    en("Anyone used this tent in heavy wind? Planning a trip to the Highlands in June."),
    en(
        "Sorry if this is a dumb question, but can you use the rod for both spinning and "
        "float fishing?"
    ),
    en("How does the drag hold up against big carp? I had a monster rip line off my old one."),
    en("Thanks everyone, ordered the medium size in the end and it fits perfectly."),
    en("Great jacket, I wore it all week in Scotland and stayed dry.", asker=False),
    en(
        "Here is the knot I use for braid to fluoro, works every time: "
        "https://www.youtube.com/watch?v=abc123",
        asker=False,
    ),
    en("Is the stove compatible with Jetboil canisters? And how long to boil a litre?"),
    en("Would a 7ft medium-fast rod be too stiff for trout streams?"),
    en("Bite alarms included or sold separately?"),
    # --- frustration -------------------------------------------------------------------
    fr(
        "Ça fait trois jours que j'ai posé ma question et toujours personne... c'est "
        "vraiment décevant pour un forum d'entraide.",
        FRU,
        bumps=1,
    ),
    fr("ALLÔ ??? Il y a quelqu'un qui connaît ce moulinet oui ou non ???", FRU),
    fr("up", FRU, bumps=2, waiting_min=45),
    fr(
        "Je repose ma question vu que personne n'a daigné répondre : la canne est-elle en "
        "2 ou 3 brins ?",
        FRU,
    ),
    fr("Franchement c'est lamentable, trois relances et pas une seule réponse.", FRU),
    fr("J'en ai ras le bol d'attendre, je vais acheter ailleurs.", FRU),
    fr("C'EST QUAND QUE QUELQU'UN RÉPOND ICI ???", FRU),
    fr("Sérieusement ? Deux jours sans réponse sur une question aussi simple ?!", FRU),
    fr("Très déçue... on m'avait dit que ce chat répondait vite. Visiblement non.", FRU),
    fr("Bon, personne ? Je commence à perdre patience là.", FRU, bumps=2),
    fr("Quelle blague ce service, on vous pose une question et silence radio.", FRU),
    fr(
        "Je suis vraiment énervé, le moulinet grince déjà après deux sorties et personne ne "
        "m'explique pourquoi !!",
        FRU,
    ),
    fr(
        "Encore moi. Toujours aucune réponse pour la taille des waders... c'est pénible.",
        FRU,
        waiting_min=120,
    ),
    fr("Vous vous moquez du monde, ça fait une semaine que je demande la même info", FRU),
    fr("Je trouve ça honteux qu'aucun vendeur ne prenne 5 minutes pour répondre.", FRU),
    fr("hello ?? quelqu'un ?? 😤", FRU, bumps=1),
    fr("Ridicule. Je demande juste si la frontale est étanche.", FRU),
    en("Still nobody? I've asked this twice now and I'm getting really annoyed.", FRU),
    en("This is ridiculous, three days and not a single reply!!!", FRU),
    en("Hello??? Is anyone actually reading these?", FRU, bumps=1),
    en("Seriously disappointed. I was told this chat was quick, it clearly isn't.", FRU),
    en("I'm fed up with waiting, I'll just buy it somewhere else.", FRU),
    en("WHY DOES NOBODY ANSWER A SIMPLE QUESTION ABOUT LINE CAPACITY", FRU),
    en("bump", FRU, bumps=3, waiting_min=90),
    en("Unbelievable. I asked about the waders two days ago and still nothing.", FRU),
    en("Come on guys, it's a yes or no question. This is getting frustrating.", FRU),
    en("Honestly this is a joke. Every other shop answers within the hour.", FRU),
    en("Still waiting on an answer about the tent poles... anyone? 🙄", FRU, waiting_min=200),
    en("Worst support experience I've had. Nobody here knows anything about these reels.", FRU),
    en(
        "I've been patient but this is unacceptable, my question has been sitting here "
        "since Monday.",
        FRU,
    ),
    fr("Toujours pas reçu mon colis après 15 jours, c'est inadmissible !!!", FRU, OOS),
    en("Where is my order?! Placed it two weeks ago and nothing, absolutely ridiculous.", FRU, OOS),
    # --- out of scope ------------------------------------------------------------------
    fr("Bonjour, j'ai passé commande vendredi, savez-vous quand elle sera expédiée ?", OOS),
    fr("Mon colis est indiqué livré mais je n'ai rien dans ma boîte aux lettres, que faire ?", OOS),
    fr("Comment je fais pour renvoyer les waders ? Ils sont trop petits.", OOS),
    fr("Je voudrais être remboursée pour le réchaud, il ne s'allume pas.", OOS),
    fr("Ma carte a été refusée au moment de payer alors qu'elle fonctionne partout ailleurs.", OOS),
    fr("Est-ce que je peux avoir une facture au nom de mon club pour la comptabilité ?", OOS),
    fr(
        "Impossible de me connecter à mon compte depuis ce matin, le mot de passe ne marche plus.",
        OOS,
    ),
    fr("J'ai été débité deux fois pour la même commande, pouvez-vous vérifier ?", OOS),
    fr(
        "Le transporteur dit que le colis est bloqué en dépôt depuis 4 jours, vous pouvez "
        "relancer ?",
        OOS,
    ),
    fr("Je voudrais échanger la veste contre une taille L, comment on procède ?", OOS),
    fr("Bonjour, c'est possible de payer en 3 fois sans frais ?", OOS),
    fr("Quel est le délai de livraison pour la Corse ?", OOS),
    fr("J'ai reçu un moulinet rayé, comment faire jouer la garantie ?", OOS),
    fr("Je n'ai jamais reçu l'e-mail de confirmation de commande, est-elle bien passée ?", OOS),
    fr("Il manque la bobine de rechange dans mon colis, le carton était ouvert.", OOS),
    fr("Vous livrez en point relais ou seulement à domicile ?", OOS),
    fr("Comment annuler une commande passée par erreur hier soir ?", OOS),
    en("Hi, where's my parcel? The tracking hasn't updated since Tuesday.", OOS),
    en(
        "I'd like to return the sleeping bag, it's too narrow for me. How do I get a return label?",
        OOS,
    ),
    en("Can I get a refund for the headlamp? It stopped charging after a week.", OOS),
    en("My payment went through twice, can someone check and reverse one?", OOS),
    en("Do you ship to Ireland, and how long does delivery usually take?", OOS),
    en("I can't log into my account, the reset email never arrives.", OOS),
    en("Could you send me a VAT invoice for last month's purchase?", OOS),
    en("The box arrived damaged and the rod tip is snapped. What are my options?", OOS),
    en("I was charged but never got an order confirmation, is my order going through?", OOS),
    en("Can I swap the size 10 boots for an 11? They pinch at the toe.", OOS),
    en("Is there any way to pay with PayPal? My card keeps getting declined.", OOS),
    en("My discount code didn't apply at checkout, can you adjust the price?", OOS),
    en("It's been 10 days and my package still hasn't shown up.", OOS),
    # --- personal data -----------------------------------------------------------------
    fr("Vous pouvez me rappeler au 06 12 34 56 78 ? C'est plus simple pour moi.", PD),
    fr(
        "Mon mail c'est jean.dupont@gmail.com si quelqu'un veut m'envoyer des photos du montage.",
        PD,
    ),
    fr("Commande n° 4587213 toujours pas arrivée, vous pouvez regarder ?", PD, OOS),
    fr(
        "Je vous donne mon IBAN pour le remboursement : FR76 3000 6000 0112 3456 7890 189",
        PD,
        OOS,
    ),
    fr(
        "Livrez plutôt au 12 rue des Lilas, 35000 Rennes, je ne suis pas chez moi la semaine.",
        PD,
        OOS,
    ),
    fr("Mon numéro de suivi XW123456789FR n'est pas reconnu sur le site de La Poste.", PD, OOS),
    fr("Appelez-moi sur mon portable 07.81.22.45.90 entre 12h et 14h", PD),
    fr("C'est la commande CMD-2024-0042, il manque le bas de ligne.", PD, OOS),
    fr("Écrivez-moi à marie_pecheuse@orange.fr pour qu'on organise une sortie", PD),
    fr("J'habite 4 allée des Pins à Vannes, quelqu'un pêche dans le coin ?", PD),
    fr("Mon fixe c'est le +33 2 98 45 67 12 si besoin", PD),
    fr(
        "ma commande FR-88213 est partie à la mauvaise adresse, je suis au 7 bis avenue Jean "
        "Jaurès 69007 Lyon",
        PD,
        OOS,
    ),
    fr(
        "Pour le virement voilà mes coordonnées : FR14 2004 1010 0505 0001 3M02 606",
        PD,
        OOS,
    ),
    fr("Si vous avez besoin de me joindre : pierre.martin (at) laposte (point) net", PD),
    fr(
        "Voilà mon numéro de carte 4970 1012 3456 7893, vous pouvez débiter directement ?",
        PD,
        OOS,
    ),
    fr("Mon adresse : 23 chemin du Moulin, 29200 Brest", PD),
    en("Can someone call me on +44 7700 900123? Easier to explain the issue by phone.", PD),
    en("Order #A12345 still shows as processing, any update?", PD, OOS),
    en("My email is tom.baker@outlook.com, please send me the size chart.", PD),
    en(
        "Please ship it to 221 Baker Street, London NW1 6XE instead of my work address.",
        PD,
        OOS,
    ),
    en("Refund to this account please: GB29 NWBK 6016 1331 9268 19", PD, OOS),
    en("Text me at (415) 555-0132 when the waders are back in stock.", PD),
    en("Order number 8812094, the boots came in the wrong size.", PD, OOS),
    en("I live at 14 Maple Avenue, Springfield, IL 62704, is there a shop near me?", PD),
    en("You can reach me at sarah.fishes@yahoo.co.uk", PD),
    en("Tracking 1Z999AA10123456784 says delivered but nothing here.", PD, OOS),
    en(
        "My card ending... actually here's the full number 5132 7600 1234 5673 to rebill",
        PD,
        OOS,
    ),
    en("drop me a line at mike@riverflies.net and I'll show you my fly box", PD),
    en("My mobile is 07700 900 456, I'm usually on the water till 6.", PD),
    fr("Contactez-moi au 06 98 76 54 32 ou par mail à luc.b@free.fr", PD),
    # --- abuse -------------------------------------------------------------------------
    fr("T'es vraiment un connard de répondre ça à un débutant.", ABU, asker=False),
    fr("Ferme ta gueule, personne t'a demandé ton avis.", ABU),
    fr("Bande d'abrutis, vous y connaissez rien en carpe.", ABU),
    fr("Ce moulinet c'est de la merde, il a lâché au bout d'une semaine.", ABU, FRU),
    fr("Espèce d'idiot, relis la question avant de répondre.", ABU),
    fr("Va te faire foutre avec tes conseils à deux balles.", ABU),
    fr("Putain mais quel crétin celui-là", ABU),
    fr("Les vendeurs ici sont des incompétents, une bande de bouffons.", ABU),
    fr("Fils de p*te, tu m'as vendu un leurre cassé", ABU),
    fr("c0nnard va", ABU),
    fr("Vous êtes vraiment des guignols dans ce magasin", ABU),
    fr("Enculé de vendeur, rends-moi mon fric", ABU),
    fr("Toi t'es qu'un gros con qui pêche dans son bain", ABU, asker=False),
    fr("Sale pd, retourne à tes poissons rouges", ABU, asker=False),
    fr("Nique ta mère le modo", ABU),
    fr("Cette canne est une grosse daube, putain de bordel de merde", ABU),
    en("You're an idiot if you think that reel can handle 30lb braid.", ABU, asker=False),
    en("Shut the fuck up, nobody asked you.", ABU),
    en("What a moron, read the product page before answering.", ABU),
    en("This reel is a piece of shit and so is your customer service.", ABU, FRU),
    en("f*ck this shop seriously", ABU),
    en("Go to hell with your fake reviews, you bunch of scammers.", ABU),
    en("Listen here dickhead, I've been fishing longer than you've been alive.", ABU),
    en("Stupid bitch doesn't know what she's talking about.", ABU, asker=False),
    en("Fuuuuck off with the upselling", ABU),
    en("Ur a retard mate, that's a spinning rod not a baitcaster", ABU, asker=False),
    en("Absolute wankers, the lot of you.", ABU),
    en("Damn, this thing is heavy. Shit, I should have gone for the carbon one.", ABU),
    en("kill yourself you useless moderator", ABU),
    en("You're clueless mate, total numbskull.", ABU, asker=False),
    # --- spam --------------------------------------------------------------------------
    fr("Moulinets Shimano à -70% ici 👉 https://peche-discount-pro.xyz/promo", SPAM, new=True),
    fr(
        "Gagnez un kayak gratuit en participant sur www.concours-peche-gratuit.com !!!",
        SPAM,
        new=True,
    ),
    fr("Super site pour du matos pas cher : bit.ly/3xPeche", SPAM, new=True),
    fr(
        "Je vends mon matériel de carpe complet, contactez-moi sur WhatsApp pour le prix",
        SPAM,
        new=True,
        repeats=2,
    ),
    fr(
        "Rejoignez mon canal Telegram pour des bons plans pêche quotidiens : t.me/bonsplanspeche",
        SPAM,
        new=True,
    ),
    fr("lol", SPAM, burst=8),
    fr(
        "Investissez 250 € et gagnez 3000 € par semaine grâce au trading crypto, écrivez-moi",
        SPAM,
        new=True,
    ),
    fr(
        "Découvrez ma chaîne YouTube de pêche, abonnez-vous ! youtube.com/@peche-extreme-tv",
        SPAM,
        new=True,
    ),
    fr(
        "Meilleur prix garanti sur les leurres Savage Gear, livraison offerte, voir profil",
        SPAM,
        new=True,
        repeats=1,
    ),
    fr("Achetez des waders de marque à prix d'usine sur waders-outlet.shop", SPAM, new=True),
    fr("Vends canne Sportex 3m neuve, 120 euros, intéressés en MP", SPAM, repeats=3),
    fr("Code promo PECHE50 valable sur tout le site www.leurres-pas-chers.fr", SPAM, new=True),
    fr("salut", SPAM, new=True, burst=10),
    fr("Voir ici : https://tinyurl.com/peche-gratuit", SPAM, new=True),
    fr("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", SPAM, new=True),
    en("Cheap Daiwa reels, 80% off, click here -> https://daiwa-outlet-sale.top", SPAM, new=True),
    en("Make money from home fishing! Visit my site www.fish-cash.biz", SPAM, new=True),
    en(
        "Follow me on Instagram for daily fishing tips and giveaways @bassmaster_pro_99",
        SPAM,
        new=True,
    ),
    en(
        "Best prices on carp gear, free shipping worldwide: carpgear-wholesale.com",
        SPAM,
        new=True,
    ),
    en("Check out my new fishing vlog, link in bio!", SPAM, new=True, repeats=2),
    en("test", SPAM, burst=9),
    en("DM me for replica Shimano Stella, same quality half the price", SPAM, new=True),
    en("Earn $500 a day with bitcoin, contact me on WhatsApp", SPAM, new=True),
    en("http://free-fishing-licence.click claim yours now", SPAM, new=True),
    en(
        "www.best-lures-2024.shop www.best-lures-2024.shop www.best-lures-2024.shop",
        SPAM,
        new=True,
    ),
    en(
        "Great question! We sell the same rod cheaper at anglers-bargain.co.uk",
        SPAM,
        new=True,
        repeats=1,
        asker=False,
    ),
    en("Win a free Garmin fish finder, just subscribe to my channel", SPAM, new=True),
    en(
        "Selling my old Penn Slammer 6500, barely used, message me if interested",
        SPAM,
        repeats=2,
    ),
    en("hi", SPAM, new=True, burst=6),
    en("Casino bonus 200% for new players → www.lucky-spin-casino.win", SPAM, new=True),
)

HOLDOUT: tuple[Example, ...] = ()
