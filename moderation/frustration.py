"""Frustration (French and English): is the asker losing patience?

Sentiment alone is a poor judge here: shoppers complain politely ("toujours pas de
réponse…") and enthusiasts gush in violent slang ("leurre tueur"). So the score combines,
as independent pieces of evidence (noisy-or), the VADER sentiment of the message with
slang neutralised, impatience and exasperation cues, shouting (capitals, "!!!", "?!"),
angry emojis, bumps by the asker and how long they have waited. Every piece that counts
is listed as evidence.
"""

from __future__ import annotations

import re

from moderation.sentiment import compound
from moderation.signals import MessageContext, Signal, noisy_or
from moderation.text import (
    cue_pattern,
    cue_text,
    detect_language,
    find_cues,
    fold,
    normalize,
    quote,
)
from moderation.thresholds import DEFAULT_THRESHOLDS, Thresholds

# Exasperation: on its own enough to open a case.
_STRONG = cue_pattern(
    """inadmissible|inacceptable|unacceptable|scandal*|honteu*|c est une honte|quelle honte|
    disgrace*|shameful|outrageous|ridicul*|ras le bol|j en ai marre|marre|fed up|sick of|
    sick and tired|pathetic|pitoyable|lamentable|foutage de gueule|vous vous foutez|
    se fout de|on se moque|vous vous moquez|moquez vous|c est une blague|is this a joke|
    what a joke|n importe quoi|plus jamais|never again|worst|pire service|
    last time i buy|waste of time|perte de temps|exaspere*|exasperat*|furieu*|furious|
    en colere|angry|livid|infuriat*|arnaque|scam|rip off|ripoff|
    aucun respect|no respect|je suis degoute*|degoutant|quelle blague|is a joke|
    a joke|daigne*|bothered to answer|bother to answer|bother to reply|tres decu*|
    vraiment decu*|super decu*|tellement decu*|really disappoint*|so disappoint*|
    very disappoint*|seriously disappoint*|extremely disappoint*|enerv*|annoy*|agace*|
    frustrat*|frustre*|irritat*|irrite*|perdre patience|losing patience|lose patience|
    out of patience|toujours pas de reponse*|toujours aucune reponse|toujours sans reponse|
    still no answer*|still no reply|still no response|
    c est abuse|abusé|c est pas serieux|pas serieux|
    not serious|de qui se moque t on|who do you think|s en fiche|s en fout|s en moque|
    nobody cares|no one cares|doesn t care|don t care|on m ignore|being ignored|
    ignored again|perds mon temps|perdre mon temps|perdu mon temps|wasting my time|
    waste my time|wasted my time|acheter ailleurs|aller ailleurs|commander ailleurs|
    chez la concurrence|go elsewhere|shop elsewhere|buy elsewhere|business elsewhere|
    take my business|tired of|had enough|j en ai assez|en ai assez|enough is enough|
    lasse d attendre|las d attendre|impossible d avoir une reponse|so hard to get|
    impossible to get an answer|can t get an answer|can t get a straight|not impressed|
    merci pour rien|thanks for nothing|merci du peu|bravo le service|super le service|
    great service not|quel service|what a service|waste of space""".replace("\n", "").split("|")
)
# Impatience and disappointment: needs company (sentiment, shouting, a second cue).
_MEDIUM = cue_pattern(
    """toujours pas|toujours rien|toujours aucun*|toujours en attente|j attends toujours|
    j attends depuis|attends depuis|on attend|still waiting|still no|still not|still nothing|
    still haven t|still hasn t|still don t|i ve been waiting|been waiting|waiting for days|
    waiting since|keep waiting|personne ne repond|personne pour repondre|personne ne m a|
    aucune reponse|pas de reponse|sans reponse|pas une reponse|no answer|no reply|
    no response|nobody answers|nobody replies|no one answers|no one replies|nobody has|
    no one has|no one ever|nobody ever|deja demande|je repose la question|je relance|
    je redemande|asked already|already asked|asking again|ask again|second time|
    deuxieme fois|troisieme fois|3eme fois|third time|decu*|decevant|disappoint*|
    useless|nul|nulle|horrible|awful|penible|c est penible|silence radio|
    repose ma question|je repose*|relance|relances|bump|bumps|bumped|deja pose|already posted|
    asked before|asked twice|asked this before|asked this twice|deux fois la question|urgent|
    urgence|
    asap|au plus vite|does anyone actually|is anyone actually|anyone actually|
    anybody actually|does anyone work|anyone work here|quelqu un travaille|y a quelqu un|
    il y a quelqu un|repondez|answer me|straight answer|simple answer|une simple reponse|
    reponse toute bete|reponse claire|somewhere else|ailleurs|pas terrible|oui ou non|
    yes or no|un petit effort|faites un effort|make an effort|a little effort|come on guys|
    allez les gars|regrett*|regret|
    nobody answer*|no one answer*|nobody repl*|no one repl*|nobody respond*|
    no one respond*|personne ne repond*|personne pour repond*|personne ne daigne|
    depuis des jours|depuis des semaines|depuis une semaine|depuis 15 jours|for days|
    for weeks|for a week|ca fait une semaine|ca fait deux semaines|ca fait des jours|
    cela fait une semaine|serieusement|seriously|sérieux|come on|allo|
    vraiment pas normal|pas normal|not normal|not ok|not okay|c est long|so long|too long|
    trop long|forever|for ages|une eternite""".replace("\n", "").split("|")
)
# "depuis 3 jours", "for 2 weeks", "ça fait 10 jours", "two days ago" with any number.
_NUMBER = r"(?:\d{1,3}|un|une|deux|trois|quatre|cinq|dix|quinze|a|an|two|three|four|five|ten)\s+"
_UNIT = r"(?:jours?|semaines?|mois|heures?|minutes?|days?|weeks?|months?|hours?)(?![a-z])"
_WHEN = (
    r"(?:ce\s+matin|hier(?:\s+soir)?|avant\s+hier|lundi|mardi|mercredi|jeudi|vendredi|"
    r"samedi|dimanche|this\s+morning|yesterday|last\s+night|last\s+week|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)(?![a-z])"
)
_DURATION = re.compile(
    r"(?<![a-z0-9])(?:(?:depuis|ca fait|cela fait|voila|il y a|for|since|already)\s+"
    r"(?:plus\s+d\s+|plus\s+de\s+|over\s+|more\s+than\s+)?"
    + _NUMBER
    + _UNIT
    + "|"
    + _NUMBER
    + _UNIT
    + r"\s+ago"
    + r"|(?:depuis|since|asked|posted|demande|pose|posee)\s+"
    + _WHEN
    + ")"
)
# "pour la 4e fois", "for the third time": saying you are asking again.
_NTH_TIME = re.compile(
    r"(?<![a-z0-9])(?:pour\s+la|for\s+the|c\s+est\s+la|this\s+is\s+the|la|the)\s+"
    r"(?:\d{1,2}\s?(?:e|eme|th|rd|nd)|deuxieme|troisieme|quatrieme|cinquieme|enieme|"
    r"second|third|fourth|fifth|nth|umpteenth)\s+(?:fois|time)(?![a-z])"
)
# Nobody answers / knows / helps, in a few words.
_NOBODY = re.compile(
    r"(?<![a-z])(?:personne|aucun|aucune|nobody|no\s+one|noone|none\s+of\s+you|not\s+one)"
    r"(?:\s+[a-z]+){0,3}?\s+(?:repond|answer|reply|replie|respond|aide|aider|help|sait|knows|"
    r"know|clue|idee|capable)[a-z]*(?![a-z])"
)
# "hello? hello??", "allô ? allô ?": the same greeting twice in a short message.
_REPEATED_CALL = re.compile(
    r"(?<![a-z])(hello|allo|bonjour|hi|hey|anyone|quelqu\s+un|personne)\W+\1(?![a-z])"
)
_BUMP_ONLY = re.compile(
    r"\s*(?:up+|bump|relance|re|hello+|allo+|ho+|quelqu\s*un|y\s*a\s*quelqu\s*un|"
    r"anyone|anybody|someone|personne|une reponse)"
    r"(?:\s+(?:svp|stp|please|pls|plz|merci|\?|!|s\s*v\s*p))*\s*[?!. ]*",
)
_EXCLAIM = re.compile(r"!{3,}|[!?]*(?:\?!|!\?)[!?]*|!!|\?{3,}")
_CAPS_WORD = re.compile(r"\b[A-ZÀ-Ý]{3,}\b")
_ACRONYMS = frozenset(
    "SAV PVC EVA USB GPS LED XXL IPX CMS TVA PDF RIB CGV DHL UPS USA GMT BTW FAQ SMS ABS "
    "MDR LOL PTN DIY TDB HIV XXXL".split()
)
_ANGRY_EMOJI = frozenset("😡🤬😤😠💢🙄😒😩😫👎")

_SENTIMENT_WEIGHT = 0.55
_STRONG_WEIGHT = 0.55
_MEDIUM_WEIGHT = 0.3


def _shouting(original: str) -> tuple[float, str | None]:
    letters = [ch for ch in original if ch.isalpha()]
    if len(letters) >= 12:
        upper = sum(1 for ch in letters if ch.isupper())
        if upper / len(letters) >= 0.7:
            return 0.4, "written in capitals"
    caps = {w for w in _CAPS_WORD.findall(original[:2000]) if w not in _ACRONYMS}
    if len(caps) >= 2:
        return 0.25, "capitals: " + ", ".join(sorted(caps)[:3])
    return 0.0, None


def frustration_signal(
    ctx: MessageContext, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Signal | None:
    """A `frustration` signal when the combined score reaches `thresholds.frustration`."""
    weights: list[float] = []
    evidence: list[str] = []
    original = normalize(ctx.body)
    text = cue_text(ctx.body)

    lang = detect_language(ctx.body, ctx.lang_hint)
    sentiment = compound(fold(ctx.body), lang)
    if sentiment <= -0.3:
        weights.append(_SENTIMENT_WEIGHT * -sentiment)
        evidence.append(f"sentiment {sentiment:.2f}")

    taken: list[tuple[int, int]] = []
    strong = find_cues(_STRONG, ctx.body, taken=taken)
    nth = _NTH_TIME.search(text[:2000])
    if nth:
        strong.append(quote(original, nth.start(), nth.end()))
    medium = find_cues(_MEDIUM, ctx.body, taken=taken)
    for pattern in (_DURATION, _NOBODY):
        found = pattern.search(text[:2000])
        if found and not any(found.start() < e and s < found.end() for s, e in taken):
            medium.append(quote(original, found.start(), found.end()))
    strong, medium = strong[:3], medium[:3]
    weights += [_STRONG_WEIGHT] * len(strong) + [_MEDIUM_WEIGHT] * len(medium)
    evidence += strong + medium

    if len(text) <= 80 and (_BUMP_ONLY.fullmatch(text) or _REPEATED_CALL.search(text)):
        weights.append(0.3)
        evidence.append("bump message")

    exclaim = _EXCLAIM.search(original[:2000])
    if exclaim:
        mark = exclaim.group()[:4]
        weights.append(0.3 if len(exclaim.group()) >= 3 else 0.2)
        evidence.append(f"'{mark}'")

    shout, shout_note = _shouting(original)
    if shout_note:
        weights.append(shout)
        evidence.append(shout_note)

    angry = [ch for ch in original[:2000] if ch in _ANGRY_EMOJI]
    if angry:
        weights.append(0.35)
        evidence.append(f"'{angry[0]}'")

    if ctx.asker_bump_count > 0:
        weights.append(min(0.2 + 0.15 * ctx.asker_bump_count, 0.6))
        evidence.append(f"bumped {ctx.asker_bump_count}x")

    if ctx.waiting_for is not None and ctx.waiting_for >= thresholds.unanswered_sla:
        minutes = int(ctx.waiting_for.total_seconds() // 60)
        sla = int(thresholds.unanswered_sla.total_seconds() // 60)
        weights.append(0.3 if ctx.waiting_for >= 3 * thresholds.unanswered_sla else 0.2)
        evidence.append(f"waiting {minutes} min, SLA {sla} min")

    score = noisy_or(weights)
    if score < thresholds.frustration:
        return None
    return Signal("frustration", score, tuple(evidence))
