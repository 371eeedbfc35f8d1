"""Abuse without a rude word: threats, sexual harassment, put-downs of a group, taunts.

"Va jouer sur l'autoroute", "send me a pic 😏" or "mums who ask questions like this
shouldn't be allowed kids" contain no insult from a list, and an n-gram model trained on a
few hundred examples misses the wordings it has not seen. These phrases are each abuse in
a shop's Q&A room whoever says them, so a match scores like a strong insult (held).

Every pattern reads `abuse._clean` text (folded, apostrophes and hyphens as spaces) and is
written for precision: a phrase that has a harmless reading in a shop ("je vais te trouver
le lien", "I'll find you a link", "send me a pic of the label", "les clients qui ont
commandé lundi ne devraient pas être débités") is either left out or guarded.
"""

from __future__ import annotations

import re
from typing import Final

# What a helper finds *for* someone, not someone: "je vais te trouver le lien", "I'll find
# you a better one".
_FOUND_FOR = (
    r"(?!\s+(?:le|la|les|l|un|une|des|du|ca|cela|ceci|quelque|ce|cette|ces|mon|ma|mes|ton|"
    r"ta|tes|son|sa|ses|leur|a|an|the|one|some|something|it|that|this|those|these|my|your|"
    r"another|more|info|out|online)(?![a-z]))"
)

_THREATS = (
    # French: finding, beating, killing, wishing death
    r"(?:je|j|on)\s+(?:vais|va|vas)\s+(?:te|vous)\s+(?:trouver|retrouver)" + _FOUND_FOR,
    r"(?:je|j|on)\s+(?:vais|va)\s+(?:te|vous)\s+(?:defoncer|buter|tuer|tabasser|cogner|frapper|"
    r"gifler|planter|egorger|demolir|pourrir|niquer|faire\s+la\s+peau|refaire\s+le\s+portrait|"
    r"casser\s+(?:la\s+gueule|la\s+figure|les\s+dents|la\s+tete))",
    r"je\s+sais\s+ou\s+(?:tu|vous)\s+(?:habite|habites|habitez|vis|vivez|bosses|travailles)",
    r"(?:j\s+ai|on\s+a)\s+(?:retrouve|trouve)\s+(?:ton|ta|votre)\s+(?:facebook|insta|instagram|"
    r"adresse|profil|linkedin|compte|employeur|femme|mari|mec|copine)",
    r"je\s+t\s+attends\s+(?:au|a\s+la|devant|dehors|en\s+bas|a\s+la\s+sortie)",
    r"fais\s+gaffe\s+a\s+(?:toi|tes\s+fesses)|surveille\s+tes\s+arrieres",
    r"va\s+(?:jouer\s+sur\s+l\s+autoroute|te\s+pendre|te\s+jeter\s+(?:d\s+un|du|sous)|mourir|"
    r"te\s+noyer)",
    r"qu\s+un\s+(?:bus|camion|train|tracteur|semi)\s+te\s+(?:passe|roule|rentre)",
    r"j\s+espere\s+que\s+tu\s+(?:meurs|vas\s+mourir|vas\s+crever|creves|crevera)",
    r"creve\s+(?:donc|en\s+silence|la\s+bouche\s+ouverte|charogne)",
    r"j\s+espere\s+que\s+(?:tu|ton|ta|tes)\s+(?:\S+\s+){0,6}?(?:te\s+tombe|te\s+casse|"
    r"vas\s+te\s+casser|te\s+casses|crev|mour|meur|t\s+etouff|te\s+noie|brul)[a-z]*",
    r"(?:je|j)\s+(?:te|vous)\s+(?:retrouve|trouve|retrouverai|trouverai)" + _FOUND_FOR,
    r"(?:je|j)\s+(?:vais\s+)?(?:te|lui|vous)\s+(?:mets|mettre|mettrai|foutre|fous|colle|coller)"
    r"\s+(?:une|mon\s+poing)\s*(?:claque|baffe|gifle|droite|beigne|tarte|mandale|pain|"
    r"dans\s+(?:la|ta)\s+(?:gueule|figure|tronche))|(?:lui|te|vous)\s+(?:fais|ferai|faire)\s+"
    r"passer\s+l\s+envie|(?:getting|get|gets)\s+a\s+(?:slap|smack|punch|kicking|hiding)|"
    r"punch\s+(?:you|u)\s+in\s+the\s+face|with\s+(?:you|u)\s+(?:still\s+)?(?:in|on|under)\s+"
    r"it",
    r"tu\s+vas\s+(?:le\s+sentir\s+passer|avoir\s+des\s+(?:problemes|ennuis))|"
    r"ferme\s+la(?:\s+un\s+peu|\s*[,!]|\s*$)|va\s+(?:pleurer|chialer)\s+chez\s+ta\s+mere|"
    r"retourne\s+dans\s+ta\s+grotte",
    # English
    r"(?:i\s+ll|i\s+will|i\s+m\s+going\s+to|im\s+going\s+to|gonna|we\s+ll)\s+(?:find|hunt)\s+"
    r"you" + _FOUND_FOR,
    r"(?:i\s+ll|i\s+will|i\s+m\s+going\s+to|im\s+going\s+to|gonna)\s+(?:punch|slap|smack|beat|"
    r"batter|stab|kill|hurt|smash|deck|end)\s+(?:you|u|your\s+face)",
    r"i\s+know\s+where\s+(?:you|u)\s+(?:live|work)",
    r"(?:found|tracked\s+down)\s+your\s+(?:facebook|insta|instagram|address|profile|linkedin|"
    r"employer|wife|husband|girlfriend|boyfriend)",
    r"watch\s+your\s+back|see\s+what\s+happens\s+to\s+you|meet\s+me\s+outside|"
    r"say\s+that\s+to\s+my\s+face",
    r"(?:go\s+)?play\s+(?:in|on)\s+(?:the\s+)?(?:traffic|motorway|highway|freeway|m\d+)|go\s+die|drop\s+dead|"
    r"die\s+in\s+a\s+(?:fire|ditch|hole)|jump\s+off\s+a\s+(?:bridge|cliff|roof)|"
    r"neck\s+yourself|unalive\s+yourself|hang\s+yourself",
    r"(?:i\s+)?hope\s+(?:you|u)\s+(?:die|choke|get\s+hit|trip|fall\s+(?:over|down|off)|crash|"
    r"rot|burn|get\s+run\s+over)",
    r"get\s+(?:hit|run\s+over)\s+by\s+a\s+(?:bus|truck|lorry|car|train)",
)

_HARASSMENT = (
    r"send\s+(?:me\s+)?nudes|send\s+(?:me\s+)?(?:more|a|some|your)?\s*(?:pic|pics|photo|photos|"
    r"selfie|selfies)\s+(?:of\s+(?:you|yourself|your\s+(?:legs|feet|body|bum|butt|ass|boobs|"
    r"chest|thighs|face))|in\s+(?:it|them|your|a\s+bikini|lingerie|underwear))",
    r"send\s+(?:me\s+)?(?:more|a|some)?\s*(?:pic|pics|photo|photos|selfie|selfies|more)\s*"
    r"[,.!]*\s*(?:😏|😉|😘|😍|🍆|🥵|babe|baby|sexy|cutie|gorgeous|beautiful)",
    r"envoie(?:s|z)?\s+(?:moi\s+)?(?:une|des|d\s+autres)\s+(?:photo|photos|selfie|selfies|nude|"
    r"nudes)\s+(?:de\s+toi|de\s+vous|de\s+tes|de\s+ton|de\s+ta|en\s+(?:maillot|sous\s+vetements|"
    r"lingerie|tenue|bikini|culotte|string|nuisette)|avec\s+(?:ca|le|la)\s+sur\s+toi)",
    r"(?:photo|photos|pic|pics)\s+de\s+(?:tes|ton|ta)\s+(?:jambes|pieds|fesses|seins|corps|cul|"
    r"poitrine|cuisses|decollete)",
    r"(?:pic|pics|photo|photos)\s+of\s+your\s+(?:legs|feet|body|bum|butt|ass|boobs|tits|chest|"
    r"thighs)",
    r"nice\s+(?:legs|ass|arse|bum|tits|boobs|rack|body|cleavage)|beau\s+cul|beaux\s+seins|"
    r"belles\s+(?:fesses|cuisses|jambes)\s+(?:au\s+fait|😏|😉|😍)",
    r"t\s+es\s+(?:trop\s+)?(?:bonne|canon|sexy|chaudasse)|tu\s+es\s+(?:trop\s+)?(?:bonne|sexy)|"
    r"(?:you\s+re|you\s+are|ur|youre)\s+(?:so\s+|really\s+|very\s+)?(?:hot|sexy|fit)\s*"
    r"(?:😏|😉|😘|😍|🥵|babe|baby|x+)",
    r"on\s+my\s+bedroom\s+floor|in\s+my\s+bed\s+tonight|dans\s+mon\s+lit\s+ce\s+soir|"
    r"sans\s+(?:le\s+reste|rien\s+dessous|rien\s+en\s+dessous)|with\s+nothing\s+(?:on|under)",
    r"(?:dm|pm|text|inbox)\s+me\s+(?:babe|baby|sexy|cutie|gorgeous|beautiful|darling)",
)

# Who: a group of people. Then, within a few words, what they should not have or be.
_GROUP = (
    r"(?:people|ppl|folks|mums|moms|mothers|mommies|dads|fathers|parents|women|girls|ladies|men|"
    r"guys|blokes|lads|kids|boomers|millennials|zoomers|gen\s+z|customers|shoppers|anglers|"
    r"gamers|tourists|foreigners|immigrants|those|anyone|anybody|gens|mamans|meres|peres|"
    r"papas|femmes|filles|nanas|meufs|hommes|mecs|vieux|jeunes|gamins|clients|clientes|"
    r"acheteurs|pecheurs|touristes|etrangers|immigres|ceux|celles|quiconque)"
    r"\s+(?:who|that|like\s+(?:you|u|this|that|them|her|him)|qui|comme\s+(?:toi|vous|ca|eux|"
    r"elle|lui))(?![a-z])"
)
_GROUP_VERDICT = (
    r"(?:shouldn\s+t|should\s+not|shouldnt)\s+(?:be\s+allowed|have\s+(?:kids|children|a\s+phone|"
    r"a\s+card|internet)|breed|reproduce|vote|exist)|should\s+be\s+(?:banned|sterili[sz]ed|shot|"
    r"locked\s+up)|(?:don\s+t|do\s+not|dont)\s+deserve\s+(?:kids|children|to\s+live|to\s+exist)|"
    r"(?:ne\s+)?devraient\s+pas\s+(?:avoir\s+(?:le\s+droit|d\s+enfants|des\s+enfants|de\s+gosses|"
    r"de\s+telephone|de\s+carte|de\s+permis)|se\s+reproduire|voter|exister|etre\s+autorises?)|"
    r"devraient\s+etre\s+(?:interdits?|bannis?|enfermes?|sterilises?)|"
    r"(?:ne\s+)?meritent\s+pas\s+(?:d\s+avoir|d\s+exister|de\s+vivre|leurs?\s+enfants)|"
    r"are\s+(?:all\s+)?(?:the\s+)?(?:idiots|morons|braindead|brain\s+dead|a\s+plague|thick|"
    r"retards|scum|parasites|vermin|sheep|mugs)|is\s+(?:a|an)\s+(?:sheep|idiot|moron|mug|fool|"
    r"muppet|clown)|sont\s+(?:tous\s+|toutes\s+)?(?:des\s+)?(?:gros\s+|grosses\s+|vrais\s+|"
    r"vraies\s+)?(?:debiles|cons|connes|idiots|idiotes|abrutis|abruties|attardes|attardees|"
    r"parasites|beaufs|moutons|pigeons|une\s+plaie|de\s+la\s+vermine)|(?:est|c\s+est)\s+"
    r"(?:un|une)\s+(?:gros\s+|grosse\s+|vrai\s+|vraie\s+)?(?:beauf|mouton|pigeon|abruti|"
    r"abrutie|debile|idiot|idiote|con|conne)"
)
_GROUP_PUT_DOWNS = (
    _GROUP + r"(?:\s+\S+){0,12}?\s+(?:" + _GROUP_VERDICT + ")",
    r"go\s+back\s+to\s+(?:the\s+kitchen|your\s+(?:own\s+)?country|where\s+you\s+came\s+from)|"
    r"retourne\s+(?:a\s+la\s+cuisine|a\s+tes\s+fourneaux|dans\s+ton\s+pays|chez\s+toi\s+au\s+bled)|"
    r"typical\s+(?:woman|women|female|boomer|millennial)\b|"
    r"(?:femmes|women)\s+au\s+volant",
)

# Taunts about someone's mind: "un seul neurone", "who let you out", "learn to read".
_TAUNTS = (
    r"(?:un\s+seul|qu\s+un|deux|one|a\s+single|only\s+one|two|1|2)\s+(?:neurone|neurones|"
    r"brain\s+cell|brain\s+cells)|brain\s+cell\s+count|neurone\s+en\s+greve",
    r"(?:achete|achetes|achetez|acheter|get|buy)\s+(?:toi|vous|yourself)?\s*(?:un|a)\s+"
    r"(?:cerveau|brain)|get\s+a\s+clue",
    r"(?:rien|que\s+dalle|du\s+vide)\s+dans\s+(?:le\s+crane|la\s+caboche|le\s+citron|"
    r"le\s+ciboulot|la\s+cervelle)",
    r"(?:qi|quotient\s+intellectuel)\s+(?:d\s+(?:une?\s+)?|de\s+)(?:huitre|moule|bulot|poisson\s+rouge|"
    r"pigeon|courgette|plante\s+verte|mouche|endive|chaussette)|"
    r"(?:qi|quotient\s+intellectuel)\s+d\s+une?\s+(?!(?:enfant|bebe|adulte|eleve|adolescent|ado)"
    r"(?![a-z]))[a-z]+|(?:iq|i\s+q)\s+(?:of\s+a|lower\s+"
    r"than|smaller\s+than)",
    r"(?:appris|apprendre)\s+a\s+lire\s+(?:dans|sur)\s+(?:un|une|le|la|les)|"
    r"(?:apprends|apprenez)\s+a\s+lire|learn\s+(?:how\s+)?to\s+read|"
    r"(?:can\s+t|cant|cannot)\s+(?:you|u)\s+read|(?:can|do)\s+(?:you|u)\s+even\s+read|"
    r"(?:tu|vous)\s+(?:sais|savez)\s+lire\s*\?",
    r"who\s+let\s+(?:you|u)\s+(?:out|online|on\s+here|near|have)|"
    r"(?:dropped|drop)\s+on\s+(?:your|ur)\s+head|tombe\s+(?:sur\s+la\s+tete|dans\s+la\s+betise)"
    r"\s+(?:quand|petit|bebe)|hit\s+you\s+with\s+a\s+(?:frying\s+pan|shovel|brick)",
    r"(?:pas|t\s+as\s+pas|a\s+pas)\s+invente\s+(?:l\s+eau\s+tiede|la\s+poudre|le\s+fil\s+a\s+"
    r"couper\s+le\s+beurre)|pas\s+(?:une|la)\s+lumiere|pas\s+une\s+fusee|"
    r"not\s+the\s+(?:sharpest|brightest)|imagine\s+being\s+this\s+(?:dense|thick|stupid|dumb|"
    r"slow)",
    r"nobody\s+asked\s+(?:you|u)|personne\s+(?:ne\s+)?t\s+a\s+(?:sonne|demande)|"
    r"(?:on|qui)\s+t\s+a\s+(?:pas\s+)?sonne|(?:tu|vous)\s+(?:te|vous)\s+prend(?:s|z)?\s+pour\s+"
    r"qui|occupe\s+toi\s+de\s+tes\s+(?:fesses|oignons)|(?:on|personne)\s+(?:ne\s+)?t\s+a\s+"
    r"rien\s+demande|personne\s+(?:ne\s+)?(?:t\s+ecoute|veut\s+(?:de\s+)?ton\s+avis)|"
    r"(?:nobody|no\s+one)\s+(?:likes|wants|cares\s+about)\s+you|tu\s+(?:ne\s+)?sers\s+a\s+"
    r"rien",
    r"(?:sit\s+down|ok|okay|alright|well\s+done|bravo|calm\s+down|nice\s+try|thanks|merci|"
    r"cheers)\s*,?\s*(?:einstein|sherlock|captain\s+obvious|capitaine\s+evidence|"
    r"professeur\s+tournesol|mr\s+know\s+it\s+all|monsieur\s+je\s+sais\s+tout|"
    r"madame\s+je\s+sais\s+tout|le\s+sachant|la\s+sachante)|(?:sit\s+down|ok|okay|alright|"
    r"well\s+done|bravo|calm\s+down|nice\s+try)\s*,?\s*(?:genius|le\s+genie|la\s+genie)|"
    r"no\s+shit\s+sherlock|le\s+genie\s+du\s+jour|(?:a\s+)?real\s+genius\s+aren\s+t\s+you|"
    r"quelle\s+intelligence\s*,\s*vraiment",
    r"(?:t\s+es|tu\s+es|you\s+re|you\s+are|ton\s+conseil\s+est|ta\s+reponse\s+est|"
    r"your\s+(?:advice|answer)\s+is)\s+(?:a\s+peu\s+pres\s+|about\s+|juste\s+)?(?:aussi|as)\s+"
    r"(?:utile|fute|futee|malin|maligne|affute|affutee|vif|vive|intelligent|intelligente|"
    r"eclaire|useful|sharp|bright|smart|helpful|clever)\s+(?:qu|que|as)",
    r"laisse\s+(?:parler\s+)?les\s+(?:grands|adultes)|leave\s+it\s+to\s+the\s+(?:adults|"
    r"grown\s+ups)|retourne\s+(?:jouer|a\s+l\s+ecole|sur\s+tiktok|sur\s+wish|a\s+tes\s+"
    r"(?:jeux|poupees|legos))|keep\s+talking\s+and|fais\s+pas\s+(?:le\s+malin|la\s+maligne)|"
    r"(?:get|go)\s+back\s+to\s+your\s+(?:church|mosque|synagogue|cave)",
    r"(?:^|(?<=[.!?,;:]))\s*(?:vas\s+y\s+|allez\s+|bon\s+)?degagez?(?=\s+(?:avec|d\s+ici|de\s+la|"
    r"minable|[a-z]+\s*[,!.]|$)|\s*[,!.]|$)|va\s+voir\s+ailleurs\s+si\s+j\s+y\s+suis|"
    r"(?:^|(?<=[.!?,;:]))\s*(?:grow\s+up|zip\s+it|shut\s+it)(?=\s*[,.!]|$)|go\s+cry\s+to\s+"
    r"(?:your|ur)\s+(?:mum|mom|mommy|mummy|mother)|(?:^|(?<=[.!?,;:]))\s*(?:allez\s+)?va\s+pleurer|personne\s+(?:ne\s+)?te\s+"
    r"calcule|nobody\s+cares\s+about\s+(?:you|your)|who\s+raised\s+(?:you|u)|"
    r"qui\s+t\s+a\s+(?:eleve|elevee)|t\s+as\s+pas\s+de\s+vie|no\s+wonder\s+(?:you\s+re|"
    r"youre|ur)\s+single|pas\s+etonnant\s+que\s+t\s+aies\s+pas\s+de\s+(?:copine|copain|mec|"
    r"meuf|vie|amis)|tu\s+fais\s+pitie|you\s+should\s+be\s+ashamed|tu\s+devrais\s+avoir\s+"
    r"honte|personality\s+of\s+a\s+(?:wet|damp|soggy)|out\s+of\s+(?:your|ur)\s+depth|"
    r"embarrassing\s+yourself|tu\s+sors\s+d\s+ou\s+toi|pochette\s+surprise|"
    r"cerveau\s+en\s+mode\s+avion|spoilt\s+brat|spoiled\s+brat",
    # comparisons of someone's mind: "has the brains of a teaspoon", "thick as mince", "bête
    # comme ses pieds", "more sense than your support team", "trained by chimps"
    r"(?:has|have|got|with)\s+the\s+(?:brains|iq|sense)\s+of\s+an?\s+[a-z]+|"
    r"(?:thick|dumb|daft|stupid)\s+as\s+(?:mince|two\s+short\s+planks|pig\s+shit|dirt|"
    r"(?:a\s+)?(?:post|rocks?|(?:box|bag|sack|bucket)\s+of\s+[a-z]+))|"
    r"(?:bete|betes|con|conne|cons)\s+comme\s+(?:ses|tes|vos|leurs|mes)\s+pieds|"
    r"bete\s+comme\s+(?:un|une)\s+(?:ane|oie|pied|chou|mouton|poule|huitre|moule)|"
    r"con\s+comme\s+(?:un\s+balai|une\s+valise|la\s+lune|un\s+manche)|"
    r"(?:more|plus\s+de)\s+(?:sense|brains?|brain\s+cells|cervelle|neurones|jugeote|"
    r"bon\s+sens)\s+(?:than|que)\s+(?:(?:you|u|toi|vous)(?![a-z])|(?:your|ur|vos|votre|ton|"
    r"ta|tes)\s+(?:[a-z]+\s+)?(?:staff|team|support|reps|people|lot|employees|employes|vendeurs|"
    r"conseillers|conseilleres|equipes?|collegues|sav|service))|"
    r"(?:trained|raised|hired|run|staffed|managed)\s+by\s+(?:chimps|monkeys|apes|baboons|"
    r"clowns|muppets|goldfish|toddlers)|(?:dresses?|formes?|geres?|recrutes?|formee?s?|geree?s?|"
    r"recrutee?s?|tenue?s?)\s+par\s+des\s+(?:singes|chimpanzes|babouins|huitres|moules|clowns|"
    r"guignols|poissons\s+rouges|cancres)|(?:someone|somebody|anyone|quelqu\s+un)\s+(?:this|"
    r"that|so|aussi)\s+(?:thick|dense|dim|dumb|stupid|bete|con|conne|borne|bornee)|"
    r"(?:nothing|anything|rien|du\s+vide|que\s+dalle)\s+(?:[a-z]+\s+){0,3}?(?:between|entre)"
    r"\s+(?:those|your|ur|his|her|tes|vos|ses|les)\s+(?:deux\s+)?(?:ears|oreilles)|"
    r"(?:devrait|devriez|devraient|tu\s+devrais)\s+retourner\s+(?:a\s+la\s+maternelle|"
    r"en\s+maternelle|au\s+cp)|should\s+go\s+back\s+to\s+(?:nursery|kindergarten|preschool)|"
    r"(?:useless|gormless|hopeless|clueless|lazy|incompetent|pathetic|thick|dozy|"
    r"spineless)\s*,?\s+the\s+lot\s+of\s+(?:you|ya|ye|them)",
    r"meme\s+mon\s+(?:chien|chat|poisson\s+rouge|fils\s+de\s+\d+\s+ans|neveu)\s+(?:repondrait|"
    r"ferait|saurait|aurait)\s+mieux|my\s+(?:dog|cat|goldfish)\s+(?:could|would)\s+(?:do|answer)"
    r"\s+better",
)


def _compile(parts: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])(?:" + "|".join(f"(?:{p})" for p in parts) + r")(?![a-z])")


PHRASE_FAMILIES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("threat", _compile(_THREATS)),
    ("harassment", _compile(_HARASSMENT)),
    ("put-down of a group", _compile(_GROUP_PUT_DOWNS)),
    ("taunt", _compile(_TAUNTS)),
)


def abusive_phrases(text: str) -> list[tuple[str, str]]:
    """(family, matched phrase) for every phrase family found in cleaned text."""
    found: list[tuple[str, str]] = []
    for family, pattern in PHRASE_FAMILIES:
        match = pattern.search(text)
        if match is not None:
            found.append((family, match.group()))
    return found
