"""Abuse: insults, slurs and profanity (French and English).

Three tiers, because a shopper swearing at a broken reel ("putain, le pick-up a cassé")
is not the same as a helper calling someone a "connard": profanity alone opens a case
(score at the case threshold, published), an insult or slur is held, and an insult aimed
at someone ("t'es qu'un…", "you're an…") even more so. Words are matched on folded text
after undoing the usual disguises: leetspeak digits, letters stretched out ("fuuuck"),
starred letters ("f*ck"). Fishing words that look rude are left alone: "jerk" (a lure
and a technique), "bite"/"bites" (strikes, in English), "queue", "pêche au vif".

Words that name things too ("une honte", "a joke", "tanche", "gourde") count only once
someone is called one ("t'es une honte", "you're a joke"), and an insulting noun said as a
sentence of its own ("Blaireau, c'est marqué...", "Pipe down, numpty") counts as aimed.
Abuse without a rude word (threats, harassment, put-downs of a group, taunts) is in
`abuse_phrases`.
"""

from __future__ import annotations

import re

from moderation.abuse_phrases import abusive_phrases
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
    "waste of space|waste of air|eat shit|"
    # more French
    "conne|connes|pauvre conne|grosse conne|petasse|petasses|pouffiasses|salopard|salopards|"
    "ducon|tete de noeud|tete de con|face de rat|gros porc|sale porc|grosse vache|grosse truie|"
    "gros lard|grosse merde|petite merde|sale merde|merdeux|merdeuse|fils de chien|trou de balle|"
    "tete de cul|sac a merde|sous race|sale race|va chier|va te faire voir|allez vous faire voir|"
    "nique ta race|branleuse|"
    # more English
    "dipshit|dipshits|shithead|shitheads|shitbag|fuckwit|fuckwits|fuckface|fucktard|dickwad|"
    "dickface|douchebags|numbnuts|cocksucker|cocksuckers|twatwaffle|scrote|nonce|nonces|skank|"
    "skanks|bint|slapper|minger|mingers|spastic|spaz|pondlife|scumbags|lowlife|lowlifes|"
    "sack of shit|piece of crap|waste of skin|get fucked|get stuffed|bog off|naff off|"
    "shut your mouth|shut your face|shut your gob|gtfo|t trop con|t trop kon|tes con|tes trop con|"
    "t es trop con|ferme ta boite|ferme ta bouche|ferme ta grande gueule|"
    # slurs
    "bougnoule|bougnoules|bicot|bicots|negre|negres|negro|negros|youpin|youpins|youpine|"
    "chinetoque|chinetoques|niakoue|niakoues|rital|ritals|bamboula|bamboulas|travelo|travelos|"
    "gouine|gouines|pedale|pedales|tarlouze|tarlouzes|sale arabe|sale noir|sale juif|"
    "sale chinois|sale musulman|sale gitan|sale rom|sale blanc|sale feuj|sale bougnoule|"
    "nigger|niggers|nigga|niggas|kike|kikes|spic|spics|wetback|wetbacks|chink|chinks|gook|gooks|"
    "paki|pakis|raghead|ragheads|towelhead|towelheads|gyppo|gyppos|pikey|pikeys|tranny|trannies|"
    "golliwog|wog|wogs|darkie|darkies|beaner|beaners|mongoloid"
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
    "nase|piss off|bugger off|sod off|get lost|"
    # more French
    "nazes|neuneu|neuneus|demeure|demeuree|demeures|attardee|attardees|glandu|glandus|glandeur|"
    "glandeurs|feignasse|feignasses|couillon|couillons|couillonne|tocarde|tocardes|bolosse|"
    "bouffonne|bouffonnes|minus|pignouf|pignoufs|baltringues|sagouin|sagouins|goujat|goujats|"
    "gougnafier|nullos|nullard|nullarde|nullards|brele|breles|plouc|ploucs|cul terreux|"
    "peigne cul|tete a claques|sans cervelle|ecervele|ecervelee|cervelle de moineau|bon a rien|"
    "bonne a rien|bons a rien|moins que rien|sous doue|sous douee|cas social|cas soc|"
    "pauvre tache|pauvre fille|pauvre mec|pauvre naze|mytho|mythomane|menteur|menteuse|"
    "menteurs|menteuses|charognard|charognards|sangsue|sangsues|racaille|racailles|pouilleux|"
    "branquignol|branquignols|bras casses|pieds nickeles|zozo|zozos|"
    # more English
    "numpty|numpties|dipstick|dipsticks|wazzock|wazzocks|dropkick|dropkicks|prat|prats|twit|"
    "twits|plonkers|airhead|airheads|bonehead|boneheads|meathead|meatheads|knucklehead|"
    "knuckleheads|dunce|dunces|doofus|dolt|dolts|nincompoop|buffoon|buffoons|simpleton|"
    "simpletons|ignoramus|braindead|brain dead|brainless|dumbo|thicko|thickos|chancer|"
    "chancers|shyster|shysters|con artist|con artists|conman|conmen|fraudster|fraudsters|liar|"
    "liars|creep|creeps|pervert|perverts|perv|pervs|weirdo|weirdos|keyboard warrior|"
    "keyboard warriors|troll|trolls|snowflake|snowflakes|incel|incels|jobsworth|jobsworths|"
    "numbnut|dimwits|halfwits|nitwits|pleb|plebs|sheeple|bozo|bozos|dweeb|dork|dorks|"
    "absolute melt|what a melt|absolute weapon|absolute muppet|absolute numpty|absolute plank|"
    "absolute clown|absolute wazzock|vieux con|vieille conne|gros nul|grosse nulle|pauvre nul|"
    "nigaud|nigaude|nigauds|drongo|drongos|bore off|jog on|rack off|wind your neck in|"
    "pipe down|get a life|touch grass|fous moi la paix|lache moi la grappe|🤡|"
    # sixth round: regional and everyday words the seventh batch's train part showed
    "cancre|cancres|feignant|feignants|feignante|feignantes|rapiat|rapiats|lobotomise|"
    "lobotomises|lobotomisee|decerebre|decerebres|decerebree|ahuri|ahuris|ahurie|benet|benets|"
    "empote|empotes|empotee|triple buse|tete de linotte|niaiseux|niaiseuse|niaiseuses|nono|"
    "nonos|gnochon|gnochons|tarla|tarlas|gaou|gaous|snul|snuls|zievereer|taborniau|"
    "eejit|eejits|gobshite|gobshites|gormless|dozy|mouth breather|mouth breathers|mouthbreather|"
    "mouthbreathers|useless lump|divvy|divvies|sook|sooks"
)
# Words that are only insults when aimed ("you clown" / "coloris clown", "un blaireau" is
# also a badger): counted only after an aiming phrase.
_AIMED_ONLY_WORDS = (
    "clown|clowns|rigolo|rigolos|charlot|charlots|blaireau|blaireaux|baltringue|tache|"
    "buse|andouille|muppet|donkey|plonker|thick|dense|bete|betes|cons|git|gits|knob|berk|"
    "plank|weapon"
)
# Words that say what a thing is as often as what a person is ("quelle honte, ce délai", "what
# a joke this delivery is", "une plaie, ce montage"): insults only once someone is called
# one ("t'es une honte", "you're a joke", "bande de moutons").
_CALLED_ONLY_WORDS = (
    "honte|pitoyable|minable|minables|pathetique|pathetiques|nuisible|nuisibles|boulet|boulets|"
    "plaie|relou|relous|joke|disgrace|pathetic|worthless|embarrassment|cruche|cruches|pintade|"
    "pintades|karen|tool|tools|sheep|moutons|rapaces|vautours|parasite|parasites|gamin|gamine|"
    "gamins|blague|nullite|ratee|spanner|donut|wally|wallies|gourde|gourdes|tanche|tanches|"
    "quiche|quiches|pot de colle|nouille|nouilles"
)
_CALLERS = (
    "t es un|t es une|tu es un|tu es une|t es qu un|t es qu une|t es juste un|t es juste une|"
    "t es vraiment un|t es vraiment une|t es rien qu un|t es rien qu une|t es une vraie|"
    "t es un vrai|t es qu une vraie|t es qu un vrai|quelle gourde|quelle tanche|vous etes des|"
    "vous etes un|vous etes une|vous etes vraiment des|vous n etes que des|espece de|bande de|"
    "you re a|you re an|you re such a|you re just a|you re nothing but a|you are a|you are an|"
    "you are such a|you absolute|you utter|you total|bunch of|you bunch of|you lot are|oi|sale|"
    "shower of|pack of|tas de|ramassis de|ramassis d|troupeau de"
)
# Only nouns nobody names a thing with may be called out at the start or end of a sentence
# ("Blaireau, c'est marqué 12 ans", "Pipe down, numpty"): "Clown, sans hésiter" names a
# lure's colour.
_VOCATIVE = re.compile(r"(?:^|(?<=[.!?,;:]))\s*((?:[a-z]+\s+){0,2}[a-z]+)\s*(?=[.!?,;:]|$)")
_CALLABLE = frozenset(
    "blaireau|blaireaux|baltringue|baltringues|andouille|muppet|muppets|plonker|plonkers|numpty|"
    "numpties|dipstick|dipsticks|wazzock|pillock|nitwit|halfwit|dimwit|numbskull|moron|morons|"
    "idiot|idiots|imbecile|imbeciles|cretin|cretins|abruti|abrutis|boloss|bouffon|bouffons|"
    "guignols|tocard|tocards|prat|twit|dunce|doofus|dolt|buffoon|airhead|bonehead|knucklehead|"
    "dumbass|jackass|loser|losers|neuneu|glandu|couillon|nullos|pignouf|minus|bozo|dork|weirdo|"
    "creep|pervert|perv|troll|snowflake|sheeple|melt|plank|weapon|git|knob|berk|escrocs|"
    "voleurs|arnaqueurs|charlatans|scammers|crooks|chancers|shysters|nazes".split("|")
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


def _alternatives(words: str) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words.split("|"))


# "t'es qu'un gros relou", "you're a right muppet", "bande de moutons"
_CALLED = re.compile(
    rf"(?<![a-z])(?:{_alternatives(_CALLERS)})\s+(?:(?:gros|grosse|petit|petite|sale|vrai|vraie|"
    r"pauvre|sacre|sacree|real|right|total|complete|absolute|bloody|fucking)\s+){0,2}"
    rf"(?:{_alternatives(_CALLED_ONLY_WORDS + '|' + _AIMED_ONLY_WORDS)})(?![a-z])"
)
# "What a tool", "Quelle cruche, elle a...", "quel boulet celui qui...", "encore une pintade":
# an exclamation about a person (a thing's "Quelle honte, ce délai" uses other words).
_EXCLAIMED = re.compile(
    r"(?<![a-z])(?:what\s+an?|quel|quelle|quels|quelles|encore\s+une?)\s+(?:vrai\s+|vraie\s+|"
    r"gros\s+|grosse\s+|sacre\s+|sacree\s+|right\s+|absolute\s+|complete\s+)?(?:boulet|"
    r"boulets|cruche|cruches|gourde|gourdes|pintade|pintades|tanche|tanches|quiche|quiches|tool|"
    r"tools|muppet|muppets|plonker|melt|weapon|git|knob|plank|wally|donut|relou|relous|"
    r"bouffon|bouffons|guignol|guignols|branquignol|baltringue|tocard|tocards|loser|nullos|"
    r"charlot|charlots|clown|clowns|idiot|idiote|abruti|abrutie|boloss|blaireau|blaireaux)"
    r"(?=\s*(?:[,.!?🤦😂🤣🙄]|$|celui|celle|ceux|that\s+guy|this\s+guy|he\s|she\s|il\s|elle\s|"
    r"qui\s|who\s|lol|mdr|ptdr))"
)
# "t'es lourd", "you're pathetic": a judgement of the person spoken to.
_JUDGED = re.compile(
    r"(?<![a-z])(?:t\s+es|tu\s+es|vous\s+etes|you\s+re|you\s+are|youre|ur|u\s+r|"
    r"(?:y\s+all|yall|you\s+all|you\s+guys|you\s+lot|you\s+people)\s+(?:r|are|re))\s+"
    r"(?:(?:vraiment|tellement|trop|si|juste|completement|grave|carrement|so|such|just|really|"
    r"completely|totally|truly|absolutely|a)\s+){0,2}(?:lourd|lourde|lourds|pathetique|"
    r"pathetiques|pitoyable|pitoyables|minable|minables|insupportable|insupportables|"
    r"un\s+cas\s+desespere|une\s+cas\s+desesperee|une\s+cause\s+perdue|pathetic|"
    r"insufferable|unbearable|delusional|a\s+lost\s+cause|hopeless\s+case|a\s+disgrace|"
    r"an\s+embarrassment|disgraceful|a\s+waste\s+of\s+time|dumb|thick|dim|dense)(?![a-z])"
    r"(?!\s+(?:skinned|sum|lights?|mode|enough\s+for))"
)
# "you absolute weapon", "you utter muppet": an insult whatever the noun, unless it praises.
_YOU_ABSOLUTE = re.compile(
    r"(?<![a-z])you\s+(?:absolute|utter|bloody|fucking)\s+(?!(?:genius|legend|star|hero|"
    r"beauty|beast|unit|animal|lifesaver|life|champ|champion|gem|angel|diamond|belter|"
    r"saint|king|queen|boss|wizard|superstar|rockstar|machine|treasure)(?![a-z]))[a-z]{3,}"
)
# "Bande de nazes, ...", "Espèce d'andouille !": said to someone, whatever the noun, unless
# it names a kind of fish, plant or tyre tread, or teases kindly ("Espèce de chanceuse").
_SENTENCE_INSULT = re.compile(
    r"(?:^|(?<=[.!?,;:]))\s*(?:espece|bande)\s+de?\s+(?!(?:poissons?|truites?|carpes?|"
    r"brochets?|perches?|roulement|plantes?|arbres?|champignons?|oiseaux?|insectes?|bois|"
    r"fleurs?|tissus?|velcro|led|chiens?|chats?|chanceux|chanceuse|veinard|veinarde|genie|"
    r"genies|crack|champion|championne|ange|amour|star|pro|coquin|coquine|potes?|copains?|"
    r"copines?|fous|folles?)(?![a-z]))[a-z]+(?:\s+[a-z]+)?\s*(?=[,!?.]|$)"
)

# A whole message that is only a name for someone ("Boulet.", "Pauvre nouille va", "Utter
# dope."): a reply of a word or two said to the person above. Words that also name a thing
# or praise ("Clown." is a lure's colour, "Gourde." a bottle, "Dope." cool) need a word in
# front ("quelle nouille", "utter dope"). From a helper, a bare verdict ("Pathetic.",
# "Pitoyable.") counts too; from the asker it may be about the wait.
_PERSON_NOUNS = (
    "boulet|boulets|clowns|bouffon|bouffonne|bouffons|guignol|guignols|charlot|charlots|rigolo|"
    "rigolos|blaireau|baltringue|baltringues|muppet|muppets|berk|wally|plonker|jokers|idiot|"
    "idiote|idiots|moron|morons|cretin|abruti|abrutie|imbecile|boloss|tocard|nullos|loser|twit|"
    "dimwit|halfwit|nitwit|incapables|bras casses"
)
_NOUNS_AFTER_A_WORD = (
    "clown|nouille|nouilles|cruche|andouille|gourde|tanche|quiche|buse|tache|dope|plank|tool|"
    "knob|git|melt|donut|spanner|weapon"
)
_BARE_VERDICTS = "pathetic|pitoyable|lamentable|minable|brainless|hopeless|useless"
_SAID_OF = (
    r"pauvre|sombre|quel|quelle|what\s+an?|utter|total|absolute|complete|right|proper|gros|"
    r"grosse|petit|petite|vrai|vraie|espece\s+d|espece\s+de"
)
_WHOLE_INSULT = re.compile(
    rf"^(?:(?:mdr|lol|pff+|oh|ah)\s+)?(?:(?:(?:{_SAID_OF})\s+){{0,2}}"
    rf"(?P<noun>{_PERSON_NOUNS}|{_BARE_VERDICTS})|(?:(?:{_SAID_OF})\s+){{1,2}}"
    rf"(?:{_NOUNS_AFTER_A_WORD}))\s*[.!?,…]*\s*(?:va|lol|mdr|ptdr|smh|honestly|point|"
    r"(?P<all>all\s+of\s+you|the\s+lot\s+of\s+you))?\s*[.!?…]*$"
)
_PROFANE = cue_pattern(_PROFANITY.split("|"))
# Self-deprecation and set phrases that contain an insulting word.
_NOT_INSULT = re.compile(
    r"(?<![a-z])(?:questions?\s+(?:idiote?s?|bete|debile|stupide)|(?:silly|stupid|dumb|"
    r"idiot)\s+questions?|idiot\s*proof|fool\s*proof|(?:je\s+suis|chuis|i\s+am|i\s+m|im)\s+"
    r"(?:(?:un|une|a|an|peu|bit|so|trop|vrai|vraie|total|complete|real|such|totally|"
    r"vraiment)\s+){0,3}(?:nul|nulle|idiot|idiote|stupid|debile|moron|incompetent|clueless|"
    r"numpty|brele|boulet|quiche|buse|cruche|dunce|muppet|plonker|neuneu|tanche|manche)|"
    r"(?:j\s+ai|i\s+have|i\s+ve\s+got)\s+(?:le\s+qi|the\s+iq|an\s+iq)\s+(?:d\s+une?|de|"
    r"of\s+a)\s+[a-z]+|pardon\s+my\s+french|"
    # "j'étais le roi des idiots", "felt like a right plonker", "quelle andouille je fais"
    r"(?:j\s+etais|j\s+ai\s+ete|je\s+me\s+sens|je\s+me\s+sentais|je\s+me\s+suis\s+sentie?|"
    r"i\s+was|i\s+felt\s+like|felt\s+like|i\s+feel\s+like|i\s+look\s+like)\s+"
    r"(?:(?:un|une|a|an|le|la|the|peu|bit|so|trop|vrai|vraie|total|complete|real|such|right|"
    r"proper|totally|vraiment|roi\s+des|reine\s+des|king\s+of|queen\s+of)\s+){0,3}[a-z]+|"
    r"(?:quel|quelle|what\s+an?)\s+(?:[a-z]+\s+){0,2}?[a-z]+\s+(?:je\s+fais|je\s+suis|i\s+am))"
    r"(?![a-z])"
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
# A report of someone else's insult quotes or names it ("il m'a traitée de « mère indigne »",
# "the account above is calling everyone idiots", "reporting the user who writes 'bunch of
# clowns'"): the quoted span and the word after the naming verb are not said to anyone here.
_REPORT_CUE = re.compile(
    r"(?<![a-z])(?:signal[a-z]*|report[a-z]*|flag[a-z]*|mods?|modos?|moderat[a-z]*|"
    r"supprim[a-z]*|remove|ignor[a-z]*|ecrit|wrote|writing|writes|disait|dit|said|saying|says|"
    r"repondu|replied|reply|called|calling|traite[a-z]*)(?![a-z])"
)
_QUOTED = re.compile(
    r"[\"\u201c\u201d\u00ab\u00bb][^\"\u201c\u201d\u00ab\u00bb]{1,80}[\"\u201c\u201d\u00ab\u00bb]"
)
_NAMED_BY = (
    r"tout\s+le\s+monde|les\s+gens|everyone|everybody|people|me|moi|us|nous|her|him|them|"
    r"my\s+[a-z]+|ma\s+[a-z]+|mon\s+[a-z]+"
)
_NAMED_BY_OTHERS = re.compile(
    rf"(?<![a-z])(?:traite[a-z]*\s+(?:(?:{_NAMED_BY})\s+)?(?:de|d)\s+|(?:calling|called|calls)"
    rf"\s+(?:{_NAMED_BY})\s+(?:an?\s+)?)(?!(?:back|out|on|in|up|over|off|round|around|for|"
    r"about|to|at|again|later|tomorrow|today)(?![a-z]))(?:(?:petit|petite|gros|grosse|little|"
    r"useless|sale|pauvre)\s+)?[a-z]+"
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s"})
_STRETCH = re.compile(r"([a-z])\1{2,}")
# A letter-and-mask token ("f*ck", "c*nnard", "p***") stands for the list word of the same
# length it fits. Only tokens holding a mask are matched: "commande #4587" must not send
# every other word of the message through the list.
# Matched before leetspeak is undone, so a token must start with a real letter: "500#"
# (leet "soo#") is a number, not a masked "sook"; digits after the first letter still count
# ("sh1*").
_MASKED = re.compile(
    r"(?<![a-z0-9@$*#])[a-z](?=[a-z0-9@$*#]{1,14}(?![a-z0-9@$*#]))[a-z0-9@$]*[*#][a-z0-9@$*#]*"
)
# Keyed by length and first letter (a masked token starts with a letter: `_MASKED`).
_MASK_TARGETS: dict[tuple[int, str], tuple[str, ...]] = {}
for _word in sorted(
    {
        w
        for w in (_STRONG_INSULTS + "|" + _PROFANITY + "|" + _MILD_INSULTS).split("|")
        if " " not in w
    }
):
    _key = (len(_word), _word[0])
    _MASK_TARGETS[_key] = (*_MASK_TARGETS.get(_key, ()), _word)


def _unmask_token(match: re.Match[str]) -> str:
    token = match.group().translate(_LEET)
    if "*" not in token and "#" not in token:
        return token
    for word in _MASK_TARGETS.get((len(token), token[0]), ()):
        if all(t in "*#" or t == w for t, w in zip(token, word, strict=True)):
            return word
    return token


def _undisguise(folded: str) -> str:
    """Leetspeak, masks and stretched letters back to words (offsets are not kept)."""
    if "*" in folded or "#" in folded:
        folded = _MASKED.sub(_unmask_token, folded)
    text = folded.translate(_LEET) if any(ch in folded for ch in "0134@$5") else folded
    return _STRETCH.sub(r"\1", text)


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    return list(dict.fromkeys(m.group() for m in pattern.finditer(text)))


def _clean(body: str) -> str:
    """Folded text with disguises undone and harmless set phrases removed."""
    folded = _POWER_DELIVERY.sub(" ", fold(body))
    if _REPORT_CUE.search(folded.replace("'", " ")):
        folded = _QUOTED.sub(" ", folded)
    undisguised = _undisguise(folded).replace("'", " ").replace("-", " ")
    kept = _NAMED_BY_OTHERS.sub(" ", _NOT_INSULT.sub(" ", " ".join(undisguised.split())))
    return " ".join(kept.split())


def _called_out(text: str) -> list[str]:
    """Insulting nouns said to someone as a sentence of their own: "Blaireau, c'est...",
    "Oi dipstick, ...", "Pipe down, numpty"."""
    found: list[str] = []
    for match in _VOCATIVE.finditer(text):
        words = match.group(1).split()
        if words[-1] in _CALLABLE:
            found.append(words[-1])
    return found


def reports_someone_else(body: str) -> bool:
    """A report that quotes or names someone else's words ("il m'a traitée de « mère indigne
    »", "the account above is calling everyone idiots"): the rule reads past the quote, but a
    model's word grams still see the insult in it."""
    folded = fold(body).replace("'", " ")
    if _REPORT_CUE.search(folded) is None:
        return False
    return _QUOTED.search(folded) is not None or _NAMED_BY_OTHERS.search(folded) is not None


def _whole_message(text: str, from_asker: bool) -> list[str]:
    """The message is only an insult ("Boulet.", "Pauvre nouille va"); a bare verdict
    ("Pathetic.") counts from a helper, or aimed at "the lot of you"."""
    match = _WHOLE_INSULT.match(text)
    if match is None:
        return []
    noun = match.group("noun") or ""
    if from_asker and not match.group("all") and re.fullmatch(_BARE_VERDICTS, noun):
        return []
    return [match.group().strip(" .!?,…")]


def abuse_signal(ctx: MessageContext, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Signal | None:
    """An `abuse` signal for insults (held from `thresholds.abuse_hold`) or profanity."""
    text = _clean(ctx.body)
    strong = _found(_STRONG, text)
    called = [
        *_called_out(text),
        *_whole_message(text, ctx.from_asker),
        *_found(_CALLED, text),
        *_found(_YOU_ABSOLUTE, text),
        *_found(_EXCLAIMED, text),
        *_found(_JUDGED, text),
        *(m.strip() for m in _found(_SENTENCE_INSULT, text)),
    ]
    mild = list(dict.fromkeys([*_found(_MILD, text), *called]))
    profane = _found(_PROFANE, text)
    phrases = abusive_phrases(text)
    if not (strong or mild or profane or phrases):
        return None

    weights: list[float] = []
    evidence: list[str] = []
    aimed = bool(called) or (bool(strong or mild) and _AIMED.search(text) is not None)
    if strong:
        weights.append(0.85)
        evidence.append("insult: " + ", ".join(f"'{w}'" for w in strong[:4]))
    for family, phrase in phrases:
        weights.append(0.85)
        evidence.append(f"{family}: '{phrase}'")
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
    hold = bool(strong or mild or phrases) and score >= thresholds.abuse_hold
    return Signal("abuse", score, tuple(evidence), hold=hold)
