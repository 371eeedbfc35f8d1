"""User text: display names, body limits, safe HTML rendering and search terms.

Rendering escapes first and only then linkifies, so bleach never parses user markup: its
HTML parser is quadratic on deeply nested tags (20,000 unclosed `<b>` blocked for seconds).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import bleach
import snowballstemmer

from app.domain.errors import Invalid

NAME_MAX = 40
BODY_MAX = 2000
# Cc (controls), Cf (format: bidi overrides, zero-width joiners...), Co, Cs, Zl, Zp.
_STRIP_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
_SPACES = re.compile(r"\s+")


def clean_display_name(raw: str) -> str:
    """Trim, collapse spaces and drop control/bidi characters; refuse empty or long names."""
    spaced = _SPACES.sub(" ", raw)  # newlines and tabs become spaces before controls go
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in _STRIP_CATEGORIES)
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", kept)).strip()
    if not name:
        raise Invalid("a display name is required")
    if len(name) > NAME_MAX:
        raise Invalid(f"a display name is at most {NAME_MAX} characters")
    return name


def clean_body(raw: str, *, limit: int = BODY_MAX) -> str:
    """Keep the text as written (minus NULs and bidi tricks); refuse empty or oversized."""
    body = "".join(
        ch for ch in raw if ch in "\n\t" or unicodedata.category(ch) not in _STRIP_CATEGORIES
    ).strip()
    if not body:
        raise Invalid("the message is empty")
    if len(body) > limit:
        raise Invalid(f"a message is at most {limit} characters")
    return body


def _link_attributes(
    attrs: dict[tuple[str | None, str], str], new: bool = False
) -> dict[tuple[str | None, str], str] | None:
    href = attrs.get((None, "href"), "")
    if not href.startswith(("http://", "https://")):
        return None  # drops the link, keeps its text
    attrs[(None, "rel")] = "nofollow ugc noopener"
    attrs[(None, "target")] = "_blank"
    return attrs


_linker = bleach.linkifier.Linker(callbacks=[_link_attributes], parse_email=False)


@lru_cache(maxsize=4096)
def render_html(body: str) -> str:
    """Escaped text with clickable http(s) links and line breaks; nothing else survives."""
    escaped = html.escape(body, quote=False)
    if "http" in escaped:  # linkify tokenises the whole text: only pay for it when useful
        escaped = _linker.linkify(escaped)
    return escaped.replace("\n", "<br>")


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    """a an and are as at be but by can do does for from has have how i if in is it its me my
    no not of on or so that the their them there they this to was what when where which who
    why will with would you your au aux avec ce ces cette comment dans de des du elle en est et
    il ils je la le les leur lui ma mais me mes moi mon ne nos notre nous on ou par pas pour
    quand que quel quelle qui sa se ses son sont sur ta te tes toi ton tu un une vos votre vous
    y est-ce c d j l m n s t qu""".split()
)
_stemmers = (snowballstemmer.stemmer("french"), snowballstemmer.stemmer("english"))


def fold(text: str) -> str:
    """Lowercase and strip accents so 'Étanche' and 'etanche' meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_terms(text: str, *, limit: int = 64) -> list[str]:
    """Folded, stop-word-free stems (French and English) used by both stores' search.

    Both stemmers run on every word: a shop's rooms mix languages, and a wrong-language stem
    only adds a harmless extra term.
    """
    terms: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        if word in _STOPWORDS or len(word) < 2:
            continue
        for stem in _stems(word):
            terms[stem] = None
        if len(terms) >= limit:
            break
    return list(terms)


@lru_cache(maxsize=65_536)
def _stems(word: str) -> tuple[str, ...]:
    """French and English stems of one word. Shop vocabulary repeats a lot, so a cache
    spares the stemmers (C with PyStemmer installed, pure Python otherwise) most calls."""
    return tuple(stemmer.stemWord(word) for stemmer in _stemmers)
