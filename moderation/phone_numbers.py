"""Phone numbers, for the personal data gate (`moderation.personal_data`).

The formats shoppers type: French numbers in every grouping (with an O typed for a 0, split
around the "06", spelled out or half spelled out), international numbers, North American,
British mobiles and landlines, and ten-digit national numbers from a 0 (Swiss, Irish,
Australian, Belgian mobiles). What looks like a phone but is a date ("le 01.02.2024 10 h")
or a list of sizes ("06 mois, 12 18 24 36") is skipped. Every quantifier is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_PHONE_FR = re.compile(
    r"(?<![\d+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
)
# "06/39/98/14/15", "06 : 39 98 17 24", "06 39 98 O5 71", "O6 39 98 12 34" (an O typed
# for a 0).
_PHONE_FR_LOOSE = re.compile(
    r"(?:(?<![\d+/.,])0|(?<![\w+/.,])o)[1-9](?:\s{0,2}[/.:-]?\s{0,2}(?:\d[\do]|o\d)){4}(?![\d/])"
)
# Ten digits from a 0 in any grouping: Swiss "079 123 45 67", Irish "087 123 4567",
# Australian "0491 570 156", a French mobile grouped oddly ("06 39 981 234"). Counted and
# checked against dates in `phone_spans`.
_PHONE_GROUPED = re.compile(r"(?<![\d.,/+])0\d{1,3}(?:[\s.-]\d{2,4}){2,4}(?!\d|[.,]\d)")
_DATE_INSIDE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}")
# A French mobile split around its "06": "mon 06 c'est le 39 98 12 34", "06... 39 98 12 34".
_PHONE_SPLIT = re.compile(
    r"(?<![\d.,])0[67](?!\d)([^\d\n]{1,25}?)\d{2}(?:[\s.-]?\d{2}){3}(?![\d]|[.,]\d)"
)
_NOT_A_PHONE_GAP = re.compile(
    r"(?<![a-z])(?:mois|ans?|months?|years?|cm|mm|kg|taille|size)(?![a-z])"
)
# Spelled out: "zéro six, trente-neuf, quatre-vingt-dix-huit, douze, quarante".
_NUMBER_WORD = (
    r"(?:zero|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|"
    r"quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|cent|et|"
    r"oh|one|two|three|four|five|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|nought|double|triple)"
)
_PHONE_SPELLED = re.compile(
    rf"(?<![a-z])zero[\s,-]{{1,3}}(?:six|sept|un|deux|trois|quatre|cinq|neuf)"
    rf"(?:[\s,-]{{1,3}}{_NUMBER_WORD}){{4,16}}(?![a-z])"
    # English: "oh seven seven double oh nine hundred one two three".
    rf"|(?<![a-z])(?:oh|zero|nought)[\s,-]{{1,3}}(?:one|two|three|four|five|six|seven|eight|nine)"
    rf"(?:[\s,-]{{1,3}}{_NUMBER_WORD}){{5,20}}(?![a-z])"
)
# Words and digits mixed: "zéro six 39 98 12 34", "06 trente neuf 98 12 34" (at least one
# number word; all-digit numbers are the patterns above).
_PHONE_MIXED = re.compile(
    rf"(?<![a-z\d])(?:zero[\s,-]{{1,3}}|0)(?:six|sept|[67])"
    rf"(?:[\s,.-]{{1,3}}(?:{_NUMBER_WORD}|\d{{2}})){{4,12}}(?![a-z\d])"
)
_SPELLED_WORD = re.compile(rf"(?<![a-z]){_NUMBER_WORD}(?![a-z])")
# Only next to a phone word: "555-0123, area code 312", "call me 555 0123" (7 digits), and a
# French mobile without its 0 ("tel : 6 39 98 12 34").
_PHONE_LOCAL = re.compile(
    r"(?<![\d-])[2-9]\d{2}[- ]\d{4}(?![\d-])|(?<![\d.,])[67](?:[\s.]\d{2}){4}(?!\d)"
)
_PHONE_WORDS = re.compile(
    r"(?<![a-z])(?:phone|tel|telephone|call|text|area\s+code|appel\w*|numero|number|"
    r"whatsapp|portable|mobile|cell)(?![a-z])"
)
_PHONE_INTL = re.compile(r"(?<![\w+])(?:\+|00)[1-9][\d\s().-]{6,22}\d(?!\d)")
_PHONE_NANP = re.compile(r"(?<![\d(])\(?[2-9]\d{2}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)")
_PHONE_UK = re.compile(r"(?<!\d)07\d{3}[\s.-]?\d{3}[\s.-]?\d{3}(?!\d)")
# UK landlines: 11 digits from a 0, in two or three groups ("020 7946 0958").
_PHONE_UK_LAND = re.compile(r"(?<![\d.,])0[1-9]\d{1,3}[\s-]\d{3,4}[\s-]?\d{3,4}(?![\d.,]\d)")


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def phone_spans(folded: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every phone number in folded text (`moderation.text.fold`); spans
    may overlap, the caller merges them."""
    if _PHONE_WORDS.search(folded):
        yield from (m.span() for m in _PHONE_LOCAL.finditer(folded))
    for pattern in (_PHONE_FR, _PHONE_FR_LOOSE):
        for match in pattern.finditer(folded):
            if not _DATE_INSIDE.search(match.group()):  # "le 01.02.2024 10 h"
                yield match.span()
    for pattern in (_PHONE_SPELLED, _PHONE_UK, _PHONE_NANP):
        yield from (m.span() for m in pattern.finditer(folded))
    for match in _PHONE_UK_LAND.finditer(folded):
        if _digits(match.group()) == 11:
            yield match.span()
    for match in _PHONE_INTL.finditer(folded):
        if 8 <= _digits(match.group()) <= 15:
            yield match.span()
    for match in _PHONE_GROUPED.finditer(folded):
        if _digits(match.group()) == 10 and not _DATE_INSIDE.search(match.group()):
            yield match.span()
    for match in _PHONE_SPLIT.finditer(folded):
        if not _NOT_A_PHONE_GAP.search(match.group(1)):
            yield match.span()
    for match in _PHONE_MIXED.finditer(folded):
        if _SPELLED_WORD.search(match.group()):
            yield match.span()
