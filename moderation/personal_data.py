"""Personal data gate: what must never be shown to the crowd.

Runs before anything is published. E-mail addresses, phone numbers, IBANs, card numbers,
order and tracking numbers and postal addresses in a shopper's message send it privately to
staff instead (the shopper is told why, see `moderation.notices`). Evidence names the kind
of data, never the value, so case lists and logs do not spread it either.

Precision matters as much as recall: a rod length ("2,70 m"), a reel size ("4000"), a
price or an EAN barcode must not hold a product question. Hence IBANs must pass their
mod-97 checksum, card numbers the Luhn check, order numbers need an order word, and a
postcode + city needs a street or an address word next to it. Every quantifier is bounded
so a hostile 2,000-character message cannot make a pattern backtrack for long.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from moderation.phone_numbers import phone_spans
from moderation.signals import MessageContext, Signal
from moderation.text import fold, normalize

EMAIL = "e-mail address"
PHONE = "phone number"
IBAN = "IBAN"
CARD = "card number"
ORDER = "order number"
TRACKING = "tracking number"
ADDRESS = "postal address"
ID_NUMBER = "ID number"
KINDS = (EMAIL, PHONE, IBAN, CARD, ORDER, TRACKING, ADDRESS, ID_NUMBER)


@dataclass(frozen=True, slots=True)
class Finding:
    """A piece of personal data: its kind and its span in `normalize(text)`."""

    kind: str
    start: int
    end: int


# All patterns run on `fold(text)` (lowercase, accent-free, same offsets) unless noted.
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}"
    r"\.[a-z]{2,24}(?![a-z0-9-])"
)
# "jean (at) gmail.com", "jean arobase gmail point com".
_SPELLED_AT = r"(?:\(at\)|\[at\]|\(arobase\)|\[arobase\]|\sarobase\s|@)"
_SPELLED_DOT = r"(?:\(dot\)|\[dot\]|\(point\)|\[point\]|\sdot\s|\spoint\s)"
_TLD = r"(?:com|fr|net|org|eu|be|ch|ca|de|io|co(?:\.|\sdot\s|\spoint\s)uk|uk)(?![a-z])"
_LOCAL = r"(?<![a-z0-9._-])[a-z0-9._-]{2,64}(?:\s(?:dot|point)\s[a-z0-9_-]{1,30}){0,2}\s{0,3}"
_DOMAIN = r"\s{0,3}[a-z0-9-]{2,63}\s{0,3}"
# With a bare " at ", only well-known mailbox providers: "look at gmail dot com" is rare,
# "jean at gmail dot com" is not.
_PROVIDERS = (
    r"\s{0,3}(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|icloud|me|aol|gmx|proton|"
    r"protonmail|orange|wanadoo|free|sfr|neuf|laposte|bbox|numericable|club-internet)\s{0,3}"
)
_EMAIL_SPELLED = re.compile(
    rf"{_LOCAL}{_SPELLED_AT}{_DOMAIN}(?:\.|{_SPELLED_DOT})\s{{0,3}}{_TLD}"
    rf"|{_LOCAL}\s(?:at|chez)\s{_PROVIDERS}(?:\.|{_SPELLED_DOT})\s{{0,3}}{_TLD}"
    # "jdupont74@yahoo" (no TLD) and "jean.dupont@gmail,com" / "@gmail com" (typos).
    rf"|{_LOCAL}@{_PROVIDERS}(?![a-z0-9-])"
    rf"|{_LOCAL}@{_DOMAIN}[,\s]\s{{0,2}}{_TLD}"
)
_IBAN = re.compile(r"(?<![a-z0-9])[a-z]{2}\d{2}(?:\s?[a-z0-9]){11,30}(?![a-z0-9])")
_CARD = re.compile(r"(?<![\d.,])[2-6]\d{3}(?:[ -]?\d){11,15}(?![\d.,]\d)")
# Partial card numbers that show more than the last four digits: "4682 24** **** 5394",
# "starts 5145 33 ends 2791", "commence par 4970 43 et finit par 6986", the first four
# and the last four given apart.
_CARD_PARTIAL = re.compile(
    r"(?<![\d.,])[2-6]\d{3}(?:[ -]?\d){2,8}(?:[ -]?[*x•#_]){4,12}(?:[ -]?\d){0,4}(?![\d*])"
    # dots as the mask ("5145 33.. .... 2791"): only with the last four after them
    r"|(?<![\d.,])[2-6]\d{3}(?:[ -]?\d){2,8}(?:[ -]?\.){4,12}[ -]?\d{4}(?!\d)"
    # the first ten digits or more, after "starts with" / "les 10 premiers chiffres"
    r"|(?:commence|debute|starts?|starting|begins?|premiers\s+chiffres|first\s+\w{1,5}\s+digits)"
    r"[^0-9]{0,30}[2-6]\d{3}(?:[ -]?\d){6,11}(?!\d)"
    r"|(?:commence|debute|starts?|starting|begins?)\s{1,3}(?:par|with|by)?\s{0,3}"
    r"[2-6]\d{3}[ -]?\d{2}(?:\d{2})?[^0-9]{1,30}?(?:finit|termine|ends?|ending)\s{1,3}"
    r"(?:par|with|in|by)?\s{0,3}\d{4}(?!\d)"
    r"|(?:premiers?\s+chiffres|first\s+(?:4|four)\s+digits)[^0-9]{0,30}[2-6]\d{3}(?!\d)"
    r".{1,40}?(?:derniers|last\s+(?:4|four))[^0-9]{0,20}\d{4}(?!\d)"
)
# A customer or member number after its label: 5 to 12 digits, written whole or in groups
# ("2208 5561 903", "8820-1147").
_GROUPED_ID = r"(?=(?:\d[ -]?){5,12}(?![\d-]))\d+(?:[ -]\d+){0,3}(?![\d-])"
# Social security (FR: 15 digits from 1 or 2), US SSN, UK National Insurance, and a
# customer or account number.
_ID_NUMBER = re.compile(
    r"(?<![\d.,])[12]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2a|2b)\s?\d{3}\s?\d{3}"
    r"(?:\s?\d{2})?(?![\d.,]\d)"
    r"|(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"
    r"|(?<![a-z0-9])(?:national\s+insurance|ni\s+number|nin)[^0-9]{0,20}"
    r"[a-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[a-d](?![a-z0-9])"
    r"|(?<![a-z0-9])(?:numero|n[°o]|num|no|carte)\.?\s{0,2}(?:de\s+|d'\s?)?"
    r"(?:client|adherent|fidelite)(?:\s{1,3}(?:client|fidelite))?"
    r"\s{0,3}(?:n[°o]\s?)?:?\s{0,3}(?:(?:est|c'est|is)\s{1,3}(?:le\s{1,3})?)?"
    + _GROUPED_ID
    + r"|(?<![a-z0-9])(?:customer|account|member(?:ship)?|loyalty)\s+(?:number|no|id|#)"
    r"\.?\s{0,3}(?:is\s+)?:?\s{0,3}#?[a-z]{0,3}" + _GROUPED_ID
)
_ORDER = re.compile(
    r"(?<![a-z0-9])(?:numero\s+de\s+(?:commande|suivi)|n[°o]?\s?de\s+commande|"
    r"ref(?:erence)?\s+(?:de\s+)?commande|commande|cde|cmd|order\s+(?:number|no|id|ref)|"
    r"order|purchase)"
    r"(\s{0,3}(?:n\s?[°o]|no|num|numero|number|nr|#|id|ref)?\.?\s{0,3}[:#]?\s{0,3}"
    r"(?:(?:is|was|est|etait|c\s?est)\s{1,3})?)"
    r"(#?[a-z]{0,4}[-/]?\d[a-z0-9/-]{2,24})(?![a-z0-9])"
)
# The order word, a short gap (a date, "passée le"), then a number marker and the code.
_ORDER_LATER = re.compile(
    r"(?<![a-z0-9])(?:commande|order|cmd|cde)(?![a-z])[^\d\n.?!]{0,25}"
    r"(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?[^\d\n.?!]{0,15})?"
    r"(?<![a-z])(?:n\s?[°o]|numero|number|num|no\.?|#|ref)\s{0,3}[:#]?\s{0,3}"
    r"(#?[a-z]{0,4}[-/]?\d[a-z0-9/-]{3,24})(?![a-z0-9])"
)
_ORDER_CODE = re.compile(
    r"(?<![a-z0-9])(?:cmd|cde|ord)[-_]?\d{3,10}(?:[-_]\d{2,10}){0,3}(?![a-z0-9])"
)
_DATE = re.compile(r"\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?")
_TRACKING = re.compile(
    r"(?<![a-z0-9])(?:[a-z]{2}\d{9}[a-z]{2}|1z[a-z0-9]{16}|\d[a-z]\d{11}|jd\d{16,18})(?![a-z0-9])"
    r"|(?<![a-z0-9])(?:tracking|suivi)\s{1,3}(?:n[°o]\s?|number\s|no\.?\s)?:?\s{0,3}"
    r"[a-z]{0,3}\d{10,22}(?![a-z0-9])"
    # a parcel named by its carrier: "Colis DPD 05210087346229", "my UPS parcel 1Z..."
    r"|(?<![a-z0-9])(?:colis|parcel|package|envoi)?\s{0,3}(?:dpd|ups|gls|dhl|fedex|tnt|evri|"
    r"chronopost|colissimo|mondial\s+relay|relais\s+colis|royal\s+mail|hermes)"
    r"(?:\s{1,3}(?:colis|parcel|package))?\s{1,3}(?:n[°o]\s?|number\s|no\.?\s)?:?\s{0,3}"
    r"[a-z]{0,3}\d{10,22}(?![a-z0-9])"
)
_STREET_FR = re.compile(
    r"(?<![a-z0-9])\d{1,4}\s{0,2}(?:bis|ter)?\s{0,2},?\s{1,3}"
    r"(rue|avenue|av\.?|bd|boulevard|chemin|allee|impasse|quai|route|place|cours|square|"
    r"passage|residence|lotissement|lieu[- ]dit|hameau|chaussee|faubourg|cite|villa|domaine)"
    r"\s{1,3}(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d'|la\s+|le\s+|les\s+)?([a-z][a-z'-]{1,30})"
)
# Belgian, Swiss, German and Dutch order, street first: "Rue de la Loi 16, 1000 Bruxelles",
# "Bahnhofstrasse 12, 8001 Zürich". Needs a 4-5 digit postcode and a city right after, or
# an address word in the message (`_find_address`).
_STREET_FIRST = re.compile(
    r"(?<![a-z0-9])(?:rue|avenue|av\.|chemin|chaussee|boulevard|bd|place|quai|allee|impasse|"
    r"route|[a-z]{2,30}(?:strasse|str\.|gasse|weg|platz|straat|laan|steenweg))"
    r"(?:\s{1,3}(?:de\s{1,3}la|de\s{1,3}l'|du|des|de|d'|la|le|les|l')?\s{0,2}[a-z][a-z'-]{1,30}){0,4}"
    r"\s{1,3}\d{1,4}(?:\s?[a-z](?![a-z]))?(?!\d)"
    r"(\s{0,2},?\s{1,3}(?:[a-z]{1,2}-)?\d{4,5}\s{1,3}[a-z][a-z'-]{2,30})?"
)
_NAME_WORD = re.compile(r"\s{1,2}(?:(?:de|du|des|la|le|d')\s?)?[A-ZÀ-Ý][\w'-]{0,30}")
# Words that also have a common non-address meaning: the name after them must be capitalised.
_AMBIGUOUS_STREET = frozenset(
    {"route", "place", "cours", "square", "passage", "residence", "cite", "villa", "domaine"}
)
# Original (not folded) text: names are capitalised.
_STREET_EN = re.compile(
    r"(?<![\w])\d{1,5}\s{1,3}(?:[A-Z][A-Za-z'-]{1,20}\s{1,3}){1,3}"
    r"(?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|court|ct|way|close|"
    r"crescent|place|terrace|gardens|grove|square|parkway|approach|view|hill|row|walk|mews|"
    r"rise|green|park|wharf|quay)\b\.?"
)
# A house name, then a street: "The Old Barn, Hollow Lane".
_HOUSE_NAME = re.compile(
    r"(?<![\w])(?:The\s{1,3})?(?:[A-Z][a-z'-]{1,20}\s{1,3}){0,2}"
    r"(?:Barn|Cottage|House|Farm|Farmhouse|Lodge|Mill|Manor|Rectory|Granary|Stables)"
    r",\s{1,3}(?:[A-Z][A-Za-z'-]{1,20}\s{1,3}){1,3}"
    r"(?:Street|Road|Lane|Avenue|Drive|Close|Way|Hill|Row|Green|Walk)\b"
)
# Irish Eircode: "P24 X2Y6" (routing key + unique identifier), with address context.
_EIRCODE = re.compile(
    r"(?<![A-Za-z0-9])[ACDEFHKNPRTVWXY]\d[\dW]\s?[0-9AC-FHKNPRTV-Y]{4}(?![A-Za-z0-9])"
)
_POSTCODE_CITY = re.compile(
    r"(?<![\d])(?:0[1-9]|[1-8]\d|9[0-8])\d{3}\s{1,3}(?:cedex\s{1,3})?"
    r"[A-ZÀ-Ý][a-zà-ÿ'-]{2,30}"
    r"(?:[ -](?:sur|sous|en|les|le|la|de|du|des|[A-ZÀ-Ý][a-zà-ÿ'-]{1,30})){0,4}"
)
_UK_POSTCODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}\d[A-Z\d]?\s{1,2}\d[A-Z]{2}(?![A-Za-z0-9])")
_US_ZIP = re.compile(r",\s{0,2}[A-Z]{2}\s{1,2}\d{5}(?:-\d{4})?(?!\d)")
_ADDRESS_WORDS = re.compile(
    r"(?<![a-z])(?:adresse|address|habite|j'habite|i live|domicile|chez moi|livrer a|livre a|"
    r"livree a|envoyer a|envoye a|ship to|send to|deliver to|deliver it to|code postal|"
    r"postcode|post code|zip|cedex|i'm at|i am at|my place is|je suis au)(?![a-z])"
)
_MAY_HOLD_DATA = re.compile(
    r"[\d@]|\bat\b|arobase|\bchez\b|\bzero\b|\boh\s|\bnought\b"
    r"|(?:barn|cottage|house|farm|farmhouse|lodge|mill|manor|rectory|granary|stables),"
)


def _iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact[2:4].isdigit():
        return False
    if compact.startswith("FR") and len(compact) != 27:
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def _find_iban(folded: str) -> Iterator[Finding]:
    for match in _IBAN.finditer(folded):
        # The greedy match may run into the next word ("... 189 merci"): drop trailing
        # groups until the checksum holds.
        parts = match.group().split(" ")
        while parts:
            candidate = " ".join(parts)
            if _iban_ok(candidate):
                yield Finding(IBAN, match.start(), match.start() + len(candidate))
                break
            parts.pop()


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _find_card(folded: str) -> Iterator[Finding]:
    for match in _CARD.finditer(folded):
        digits = "".join(ch for ch in match.group() if ch.isdigit())
        if len(digits) in (15, 16, 19) and _luhn_ok(digits):
            yield Finding(CARD, match.start(), match.end())


def _find_order(folded: str) -> Iterator[Finding]:
    for match in _ORDER.finditer(folded):
        marker, code = match.group(1), match.group(2)
        digits = sum(ch.isdigit() for ch in code)
        has_marker = any(ch.isalpha() or ch in "#:°" for ch in marker) or code.startswith("#")
        mixed = any(ch.isalpha() for ch in code.lstrip("#")) or "-" in code
        if _DATE.fullmatch(code):
            continue
        if digits >= 5 or (digits >= 3 and (has_marker or mixed)):
            yield Finding(ORDER, match.start(2), match.end(2))
    for match in _ORDER_LATER.finditer(folded):
        if sum(ch.isdigit() for ch in match.group(1)) >= 5:
            yield Finding(ORDER, match.start(1), match.end(1))
    for match in _ORDER_CODE.finditer(folded):
        yield Finding(ORDER, match.start(), match.end())


def _find_address(original: str, folded: str) -> Iterator[Finding]:
    streets: list[Finding] = []
    for match in _STREET_FR.finditer(folded):
        if match.group(1) in _AMBIGUOUS_STREET and not original[match.start(2)].isupper():
            continue
        end = match.end()
        for _ in range(3):  # "avenue Jean Jaurès", "rue du Général de Gaulle"
            more = _NAME_WORD.match(original, end)
            if more is None:
                break
            end = more.end()
        streets.append(Finding(ADDRESS, match.start(), end))
    has_address_word = _ADDRESS_WORDS.search(folded) is not None
    for match in _STREET_FIRST.finditer(folded):
        if match.group(1) or has_address_word:
            streets.append(Finding(ADDRESS, match.start(), match.end()))
    for pattern in (_STREET_EN, _HOUSE_NAME):
        for match in pattern.finditer(original):
            streets.append(Finding(ADDRESS, match.start(), match.end()))
    yield from streets
    for match in _US_ZIP.finditer(original):
        yield Finding(ADDRESS, match.start() + 1, match.end())
    context = bool(streets) or has_address_word
    for pattern in (_POSTCODE_CITY, _UK_POSTCODE, _EIRCODE):
        for match in pattern.finditer(original):
            before = original[max(0, match.start() - 2) : match.start()]
            if pattern is not _POSTCODE_CITY:
                before = original[max(0, match.start() - 30) : match.start()]
            if context or "," in before or "\n" in before or "cedex" in match.group().lower():
                yield Finding(ADDRESS, match.start(), match.end())


@lru_cache(maxsize=256)
def find_personal_data(text: str) -> tuple[Finding, ...]:
    """Every piece of personal data found, in reading order, overlaps merged.

    Cached: the gate and the out-of-scope detector both ask about the same message.
    """
    original = normalize(text)
    folded = fold(text)
    if _MAY_HOLD_DATA.search(folded) is None:
        return ()
    found: list[Finding] = []
    if "@" in folded:
        found.extend(Finding(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(folded))
    found.extend(Finding(EMAIL, m.start(), m.end()) for m in _EMAIL_SPELLED.finditer(folded))
    found.extend(_find_iban(folded))
    found.extend(_find_card(folded))
    found.extend(Finding(CARD, m.start(), m.end()) for m in _CARD_PARTIAL.finditer(folded))
    found.extend(Finding(ID_NUMBER, m.start(), m.end()) for m in _ID_NUMBER.finditer(folded))
    found.extend(Finding(PHONE, start, end) for start, end in phone_spans(folded))
    found.extend(_find_order(folded))
    found.extend(Finding(TRACKING, m.start(), m.end()) for m in _TRACKING.finditer(folded))
    found.extend(_find_address(original, folded))
    return _merge(found, original)


def _merge(found: list[Finding], original: str) -> tuple[Finding, ...]:
    # Earlier start first; on equal starts the longer span wins; overlapped spans are
    # absorbed into the first (an IBAN is not also a phone number), and pieces of one
    # address separated by a comma or a space ("12 rue des Lilas, 35000 Rennes") join.
    merged: list[Finding] = []
    for item in sorted(found, key=lambda f: (f.start, -f.end)):
        if merged:
            last = merged[-1]
            touching = item.kind == last.kind and not original[last.end : item.start].strip(" ,")
            if item.start < last.end or touching:
                if item.end > last.end:
                    merged[-1] = Finding(last.kind, last.start, item.end)
                continue
        merged.append(item)
    return tuple(merged)


def redact(text: str) -> str:
    """The text (NFC) with every piece of personal data replaced by its kind in brackets."""
    original = normalize(text)
    pieces: list[str] = []
    cursor = 0
    for item in find_personal_data(text):
        pieces.append(original[cursor : item.start])
        pieces.append(f"[{item.kind}]")
        cursor = item.end
    pieces.append(original[cursor:])
    return "".join(pieces)


# A helper pointing to a company's public line is not personal data: "le SAV de la marque
# répond au 01 99 00 27 40", "the brand's helpline is 0808 157 0192", "support@brand.com".
_COMPANY_LINE = re.compile(
    r"(?<![a-z])(?:sav|service\s+(?:client|clientele|apres[- ]vente|consommateurs?)|hotline|"
    r"helpline|customer\s+(?:service|care|support|line)|support|standard|numero\s+vert|"
    r"freephone|la\s+marque|le\s+fabricant|the\s+brand|the\s+manufacturer|the\s+maker)"
    r"(?![a-z])"
)
_FIRST_PERSON = re.compile(
    r"(?<![a-z])(?:mon|ma|mes|moi|me|m'|je|j'|perso|personnel|my|me|mine|i|i'm|personal)(?![a-z])"
)
_ROLE_MAILBOX = re.compile(
    r"(?:sav|support|contact|service[._-]?client|serviceclient|help|info|hello|"
    r"customer[._-]?(?:service|care)|care)@"
)
_MOBILE = re.compile(
    r"(?:\+|00)\s?(?:33\s?(?:\(0\)\s?)?[67]|44\s?7|41\s?7|32\s?4|61\s?4|353\s?8)|0[67]"
)


def _company_line(folded: str, item: Finding) -> bool:
    """True when `item` is a phone number or role mailbox introduced as a company's line."""
    value = folded[item.start : item.end]
    if item.kind == EMAIL:
        return _ROLE_MAILBOX.match(value) is not None
    if item.kind != PHONE or _MOBILE.match(value.replace(" ", "")) is not None:
        return False  # a mobile is a person's
    before = folded[max(0, item.start - 60) : item.start]
    lines = list(_COMPANY_LINE.finditer(before))
    return bool(lines) and _FIRST_PERSON.search(before[lines[-1].end() :]) is None


def personal_data_signal(ctx: MessageContext) -> Signal | None:
    """A held `personal_data` signal naming the kinds found, or None.

    No threshold: one e-mail address is enough, and the shopper's message still reaches
    staff privately. A helper's pointer to a company's public line (not a mobile) does not
    count; the asker's own message always does.
    """
    found = find_personal_data(ctx.body)
    if not ctx.from_asker:
        folded = fold(ctx.body)
        found = tuple(item for item in found if not _company_line(folded, item))
    kinds = list(dict.fromkeys(item.kind for item in found))
    if not kinds:
        return None
    return Signal("personal_data", 1.0, tuple(kinds), hold=True)
