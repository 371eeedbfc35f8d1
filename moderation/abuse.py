"""Abuse: insults, slurs and profanity (French and English).

Three tiers, because a shopper swearing at a broken reel ("putain, le pick-up a cassé")
is not the same as a helper calling someone a "connard": profanity alone opens a case
(score at the case threshold, published), an insult or slur is held, and an insult aimed
at someone ("t'es qu'un…", "you're an…") even more so. Words are matched on folded text
after undoing the usual disguises: leetspeak digits, letters stretched out ("fuuuck"),
starred letters ("f*ck"). Fishing words that look rude are left alone: "jerk" (a lure
and a technique), "bite"/"bites" (strikes, in English), "queue", "pêche au vif".
"""

from __future__ import annotations

import re

from moderation.signals import MessageContext, Signal, noisy_or
from moderation.text import cue_pattern, fold
from moderation.thresholds import DEFAULT_THRESHOLDS, Thresholds

# Insults and slurs that are insults whatever they are aimed at.
_STRONG_INSULTS = (
    # French
    "connard|connards|connasse|connasses|conard|conasse|encule|encules|enculee|enfoire|"
    "enfoires|salaud|salauds|salope|salopes|batard|batards|fils de pute|pute|putes|"
    "ta gueule|ferme ta gueule|fermez vos gueules|ftg|nique ta mere|ntm|nique|niquer|"
    "pauvre con|gros con|espece de con|bande de cons|sale con|t es con|t es qu un con|"
    "vous etes cons|teube|pd|pede|tapette|tafiole|gogol|trou du cul|trouduc|pouffiasse|"
    "grognasse|raclure|ordure|vermine|sous merde|va crever|va te faire foutre|"
    "va te faire enculer|allez vous faire foutre|casse toi|cassez vous|ta race|"
    # English
    "asshole|assholes|arsehole|bastard|bastards|bitch|bitches|cunt|cunts|dickhead|"
    "dick head|prick|pricks|wanker|wankers|twat|twats|motherfucker|motherfuckers|"
    "retarded|you retard|such a retard|what a retard|you re a retard|ur a retard|"
    "scumbag|piece of shit|stfu|shut the fuck up|fuck you|fuck off|fck you|f you|"
    "screw you|go to hell|kill yourself|kys|faggot|fag|slut|whore|douchebag|knobhead|"
    "bellend|tosser|fuck yourself|go fuck yourself|branleur|branleurs|waste of oxygen|"
    "waste of space|waste of air|eat shit"
)
# Insulting words that also qualify things ("c'est débile ce prix"): held only when aimed
# at someone or piled up.
_MILD_INSULTS = (
    "abruti|abrutis|abrutie|debile|debiles|cretin|cretins|cretine|imbecile|imbeciles|"
    "idiot|idiots|idiote|idiotes|boloss|bouffon|bouffons|guignol|guignols|pauvre type|"
    "tocard|tocards|mongol|mongolien|attarde|attardes|cassos|incapable|incapables|"
    "incompetent|incompetents|nul a chier|"
    "moron|morons|dumbass|dumb ass|jackass|scum|loser|losers|shut up|pillock|nitwit|"
    "halfwit|dimwit|numbskull|clueless|stupid|voleur|voleurs|escroc|escrocs|arnaqueur|"
    "arnaqueurs|charlatan|charlatans|scammer|scammers|crook|crooks|thief|thieves|naze|"
    "nase|piss off|bugger off|sod off|get lost"
)
# Words that are only insults when aimed ("you clown" / "coloris clown", "un blaireau" is
# also a badger): counted only after an aiming phrase.
_AIMED_ONLY_WORDS = (
    "clown|clowns|rigolo|rigolos|charlot|charlots|blaireau|blaireaux|baltringue|tache|"
    "buse|andouille|muppet|donkey|plonker|thick|dense|bete|betes|cons"
)
_AIMERS = (
    "you|you re a|you re an|your a|ur a|u r a|what a|such a|you absolute|you bloody|"
    "you fucking|bunch of|espece de|bande de|t es un|t es une|tu es un|tu es une|"
    "vous etes des|vous etes un|vous etes une|quel|quelle|quels|sale|gros|pauvre|"
    "you absolute|you re such a|you are a|you are such a|you lot of|you people are|"
    "you lot are|you guys are|you re|you are|vous etes|t es|tu es|vous etes vraiment|"
    "t es vraiment"
)
_PROFANITY = (
    "putain|putains|ptn|merde|merdes|merdique|chier|chiant|chiante|fais chier|fait chier|"
    "bordel|foutre|foutu|foutue|couille|couilles|emmerde|emmerder|emmerdeur|"
    "fuck|fucks|fucking|fucked|fuckin|fck|wtf|shit|shitty|bullshit|crap|crappy|"
    "damn|goddamn|dammit|bloody hell|piss|pissed|hell no|arse"
)
_STRONG = cue_pattern(_STRONG_INSULTS.split("|"))
_MILD = cue_pattern(
    _MILD_INSULTS.split("|")
    + [f"{a} {w}" for a in _AIMERS.split("|") for w in _AIMED_ONLY_WORDS.split("|")]
)
_PROFANE = cue_pattern(_PROFANITY.split("|"))
# Self-deprecation and set phrases that contain an insulting word.
_NOT_INSULT = re.compile(
    r"(?<![a-z])(?:questions?\s+(?:idiote?s?|bete|debile|stupide)|(?:silly|stupid|dumb|"
    r"idiot)\s+questions?|idiot\s*proof|fool\s*proof|(?:je\s+suis|i\s+am|i\s+m|im)\s+"
    r"(?:un\s+peu\s+|a\s+bit\s+|so\s+|trop\s+)?(?:nul|nulle|idiot|idiote|stupid|"
    r"debile|an\s+idiot|a\s+moron|incompetent|clueless)|pardon\s+my\s+french)(?![a-z])"
)
# Aimed at someone: "t'es", "vous êtes", "you're", "espèce de", "what a".
# "PD" in a charger's spec is USB Power Delivery ("USB-C PD", "PD 65W", "PD 3.0"); matched
# before leetspeak is undone, which would turn its digits into letters.
_POWER_DELIVERY = re.compile(
    r"(?<![a-z])(?:usb[\s-]?c?\s{0,2}pd|pd\s{0,2}(?:\d+(?:[.,]\d)?\s{0,2}w|[23][.,]\d))(?![a-z])"
)
_AIMED = re.compile(
    r"(?<![a-z])(?:t\s?es|tu\s+es|vous\s+etes|espece\s+d|bande\s+d|sale|gros|pauvre|"
    r"you\s+(?:are|re)|youre|ur|u\s+r|what\s+an?|such\s+an?|you|vous|toi|les\s+gars|"
    r"les\s+vendeurs|le\s+vendeur|le\s+sav|support)(?![a-z])"
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s"})
_STRETCH = re.compile(r"([a-z])\1{2,}")
# A letter-and-mask token ("f*ck", "c*nnard", "p***") stands for the list word of the same
# length it fits.
_MASKED = re.compile(r"(?<![a-z*#])[a-z][a-z*#]{1,14}(?![a-z*#])")
_MASK_TARGETS: dict[int, tuple[str, ...]] = {}
for _word in sorted(
    {
        w
        for w in (_STRONG_INSULTS + "|" + _PROFANITY + "|" + _MILD_INSULTS).split("|")
        if " " not in w
    }
):
    _MASK_TARGETS[len(_word)] = (*_MASK_TARGETS.get(len(_word), ()), _word)


def _unmask_token(match: re.Match[str]) -> str:
    token = match.group()
    if "*" not in token and "#" not in token:
        return token
    for word in _MASK_TARGETS.get(len(token), ()):
        if all(t in "*#" or t == w for t, w in zip(token, word, strict=True)):
            return word
    return token


def _undisguise(folded: str) -> str:
    """Leetspeak, masks and stretched letters back to words (offsets are not kept)."""
    text = folded.translate(_LEET) if any(ch in folded for ch in "0134@$5") else folded
    if "*" in text or "#" in text:
        text = _MASKED.sub(_unmask_token, text)
    return _STRETCH.sub(r"\1", text)


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    return list(dict.fromkeys(m.group() for m in pattern.finditer(text)))


def _clean(body: str) -> str:
    """Folded text with disguises undone and harmless set phrases removed."""
    folded = _POWER_DELIVERY.sub(" ", fold(body))
    undisguised = _undisguise(folded).replace("'", " ").replace("-", " ")
    return " ".join(_NOT_INSULT.sub(" ", " ".join(undisguised.split())).split())


def abuse_signal(ctx: MessageContext, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Signal | None:
    """An `abuse` signal for insults (held from `thresholds.abuse_hold`) or profanity."""
    text = _clean(ctx.body)
    strong = _found(_STRONG, text)
    mild = _found(_MILD, text)
    profane = _found(_PROFANE, text)
    if not (strong or mild or profane):
        return None

    weights: list[float] = []
    evidence: list[str] = []
    aimed = bool(strong or mild) and _AIMED.search(text) is not None
    if strong:
        weights.append(0.85)
        evidence.append("insult: " + ", ".join(f"'{w}'" for w in strong[:4]))
    if mild:
        weights.extend([0.6] + [0.3] * (len(mild) - 1))
        evidence.append("insulting: " + ", ".join(f"'{w}'" for w in mild[:4]))
    if aimed:
        weights.append(0.5)
        evidence.append("aimed at someone")
    if profane:
        weights.append(thresholds.abuse)  # profanity alone opens a case and never holds
        weights.extend([0.15] * (len(profane) - 1))
        evidence.append("profanity: " + ", ".join(f"'{w}'" for w in profane[:4]))
    score = noisy_or(weights)
    if score < thresholds.abuse:
        return None
    hold = bool(strong or mild) and score >= thresholds.abuse_hold
    return Signal("abuse", score, tuple(evidence), hold=hold)
