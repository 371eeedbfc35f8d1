"""Text helpers shared by the detectors: folding, cue matching, language guess.

Why a length-preserving fold: detectors match cue words on lowercased, accent-free text
('Reçu', 'RECU' and 'recu' meet), but the evidence shown to moderators quotes what the
shopper actually wrote. Keeping one folded character per original character lets a match
span be read back from the original text. `str.translate` with a self-filling table keeps
it in C: one dict lookup per character.

Cue lists become one regular expression per weight tier, built as a trie
(`toujours\\s+(?:pas|rien)`), so the engine tests about one character per position
instead of every cue in turn; nothing in them can backtrack more than a cue's length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

Lang = Literal["fr", "en"]

_SPECIAL_FOLDS = {
    "\u2019": "'",  # right single quotation mark, the usual phone apostrophe
    "\u2018": "'",
    "\u02bc": "'",
    "`": "'",
    "\u00b4": "'",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
}


class _FoldTable(dict[int, str]):
    """Maps a code point to exactly one folded character, computing it on first use."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = _SPECIAL_FOLDS.get(ch)
        if folded is None:
            lowered = ch.lower()
            base = "".join(
                c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
            )
            folded = base if len(base) == 1 else (lowered if len(lowered) == 1 else ch)
        if len(self) < 65_536:  # bounded: hostile input cannot grow it without limit
            self[code] = folded
        return folded


_FOLD = _FoldTable()


@lru_cache(maxsize=512)
def normalize(text: str) -> str:
    """NFC form: the text every detector reads and every evidence span refers to."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=512)
def fold(text: str) -> str:
    """Lowercase, accent-free, curly apostrophes made straight; same length as `normalize`."""
    return normalize(text).translate(_FOLD)


_SEPARATORS = str.maketrans({"'": " ", "-": " ", "_": " "})


@lru_cache(maxsize=512)
def cue_text(text: str) -> str:
    """`fold` with apostrophes and hyphens as spaces: "j'en ai marre" == "j en ai marre"."""
    return fold(text).translate(_SEPARATORS)


def quote(original: str, start: int, end: int, limit: int = 40) -> str:
    """A short quotation of the original text for evidence lists."""
    snippet = " ".join(original[start:end].split())
    if len(snippet) > limit:
        snippet = snippet[: limit - 1] + "…"
    return f"'{snippet}'"


# --- cue patterns -------------------------------------------------------------------------

_END = ""  # trie key marking the end of a cue
_PREFIX = "*"  # trie key marking "any word ending from here" (a trailing * in the cue)


def _trie_regex(node: dict[str, dict[str, object]]) -> str:
    alternatives: list[str] = []
    optional = False
    for key in sorted(node, key=lambda k: (k in (_END, _PREFIX), k)):
        child = node[key]
        if key == _END:
            optional = True
        elif key == _PREFIX:
            alternatives.append("[a-z0-9]*")
        else:
            piece = r"\s+" if key == " " else re.escape(key)
            alternatives.append(piece + _trie_regex(child))  # type: ignore[arg-type]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    if optional:
        body = f"(?:{body})?"
    return body


def cue_pattern(cues: Iterable[str]) -> re.Pattern[str]:
    """Compile cues into one whole-word pattern for `cue_text` output.

    A cue is written folded ("toujours pas recu"); spaces match any run of spaces,
    apostrophes or hyphens; a trailing "*" accepts any ending ("rembours*").
    """
    root: dict[str, dict[str, object]] = {}
    for raw in cues:
        cue = " ".join(cue_text(raw).split())
        if not cue:
            continue
        node: dict[str, object] = root  # type: ignore[assignment]
        prefix = cue.endswith(_PREFIX)
        for ch in cue.rstrip(_PREFIX):
            node = node.setdefault(ch, {})  # type: ignore[assignment]
        node[_PREFIX if prefix else _END] = {}
    if not root:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![a-z0-9])" + _trie_regex(root) + r"(?![a-z0-9])")


def find_cues(
    pattern: re.Pattern[str],
    text: str,
    *,
    masked: str | None = None,
    taken: list[tuple[int, int]] | None = None,
) -> list[str]:
    """Distinct cues found, quoted from the original text, in reading order.

    `masked` is the cue text with product-sense phrases blanked out (same length).
    `taken` collects the spans already counted by earlier (stronger) patterns: a match
    overlapping one of them is skipped, so "seriously disappointed" is one cue, not three.
    """
    haystack = cue_text(text) if masked is None else masked
    original = normalize(text)
    spans = taken if taken is not None else []
    seen: dict[str, str] = {}
    for match in pattern.finditer(haystack):
        start, end = match.span()
        if any(start < e and s < end for s, e in spans):
            continue
        spans.append((start, end))
        key = " ".join(match.group().split())
        if key not in seen:
            seen[key] = quote(original, start, end)
    return list(seen.values())


def blank(text: str, pattern: re.Pattern[str]) -> str:
    """Replace every match with spaces, keeping offsets (used to mask product senses)."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


# --- language -----------------------------------------------------------------------------

# Only words that are frequent in one language and rare in the other: "a", "on", "me",
# "en", "est" are left out. Folded forms.
_FRENCH = frozenset(
    """le la les des du un une et je tu il elle nous vous ils ne pas que qui pour sur avec
    dans mon ma mes ton ta votre vos ce cette ces ca c est j ai suis sont au aux mais ou
    bonjour merci quel quelle quels comment pourquoi aussi tres bien deja encore toujours
    rien personne peut faut fait avez avoir etre mes leur y qu d l s n m moulinet canne
    leurre commande livraison""".split()
)
_ENGLISH = frozenset(
    """the and is are i you he she we they it my your this that these those with for of
    to in not do does did can could would should will have has had was were what where
    when why how which hello hi thanks thank please any anyone still just from about
    been there their reel rod lure order delivery""".split()
)
_WORD = re.compile(r"[a-z]+")


def detect_language(text: str, hint: str | None = None) -> Lang:
    """Guess French or English from stop-word counts; the hint (widget locale) breaks ties.

    Cheap on purpose (one regex scan over at most the first 600 characters). With no
    signal and no usable hint the answer is French: the first customers are French shops.
    """
    fr = en = 0
    for word in _WORD.findall(cue_text(text[:600])):
        if word in _FRENCH:
            fr += 1
        elif word in _ENGLISH:
            en += 1
    if fr != en:
        return "fr" if fr > en else "en"
    if hint and hint.lower().startswith("en"):
        return "en"
    return "fr"
