"""Sentiment from VADER (English) and its French port, loaded once, lazily.

Why VADER: a real, explainable lexicon (each word has a published valence) that costs
~0.05 ms a message. Why the guards around it:

- vaderSentiment_fr imports fuzzywuzzy, which warns at import when python-Levenshtein is
  missing. Its fuzzy matcher is only used by `polarity_scores_max`, which we never call, so
  that one warning is silenced at import and nothing else is.
- vaderSentiment_fr appends "/" to `sys.path` when imported (every top-level directory of
  the machine would become importable); we undo that.
- Both analyzers turn each emoji into several words and then go quadratic in the word count
  (2,000 emojis: ~2 s). Symbols are dropped and the input is capped before scoring; angry
  emojis are a frustration cue of their own instead.
- General-purpose lexicons read fishing slang as violence ("leurre tueur pour le brochet",
  "killer lure", "carnage sur les perches"): those words are removed before scoring.
"""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
import warnings
from functools import lru_cache
from typing import Protocol, cast

from moderation.text import Lang

MAX_SENTIMENT_CHARS = 1000


class _Analyzer(Protocol):
    def polarity_scores(self, text: str) -> dict[str, float]: ...


_lock = threading.Lock()
_analyzers: dict[Lang, _Analyzer] = {}


def _load(lang: Lang) -> _Analyzer:
    with _lock:
        analyzer = _analyzers.get(lang)
        if analyzer is not None:
            return analyzer
        if lang == "en":
            from vaderSentiment.vaderSentiment import (
                SentimentIntensityAnalyzer,
            )
        else:
            path_before = list(sys.path)
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore",
                    message="Using slow pure-python SequenceMatcher",
                    category=UserWarning,
                )
                from vaderSentiment_fr.vaderSentiment import (
                    SentimentIntensityAnalyzer,
                )
            if "/" in sys.path and "/" not in path_before:
                sys.path.remove("/")
        analyzer = cast(_Analyzer, SentimentIntensityAnalyzer())
        _analyzers[lang] = analyzer
        return analyzer


def warm_up() -> None:
    """Load both lexicons now (~0.1 s) so the first chat message does not pay for it."""
    _load("fr")
    _load("en")


# Fishing and outdoor slang that the general lexicons score as hostile or sad. Folded,
# matched as whole words (with simple plurals). Kept short and domain-specific on purpose:
# "nul", "honte", "scandale" stay in.
_DOMAIN_NEUTRAL = re.compile(
    r"(?<![a-z])(?:"
    r"tueur|tueuse|tue|tuer|killer|kill|kills|killing|deadly|lethal|dead|mort|morte|"
    r"assassin|carnage|massacre|monstre|monster|beast|bete|attaque|attaques|attack|"
    r"attacks|agressif|agressive|aggressive|violent|violente|violentes|brutal|brutale|"
    r"savage|sauvage|crazy|insane|sick|wicked|fou|folle|dingue|combat|fight|fighting|"
    r"battle|defense|piege|trap|strike|strikes|smash|smashed|destroy|destroyer|"
    r"crush|crushing|casse|break|snag|snagged|accroche|bloody|blood|bloodworm|devil|"
    r"diable|weapon|arme|fatal|fatale|vif|vifs|carnassier|carnassiers|predator|"
    r"predateur|noyer|noye|plomb|lourd|heavy|hard|dur|jerk|hook|hooked|hameçon|"
    r"ferrer|ferrage|touche|touches|bite|bites|mordre|mord"
    r")s?(?![a-z])"
)
_SYMBOLS = frozenset({"So", "Sk", "Cs", "Co", "Cn"})


def _prepare(folded: str) -> str:
    text = folded[:MAX_SENTIMENT_CHARS]
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) not in _SYMBOLS)
    return _DOMAIN_NEUTRAL.sub(" ", text)


@lru_cache(maxsize=256)
def compound(folded: str, lang: Lang) -> float:
    """VADER's compound score (-1..1) for folded text, slang neutralised.

    Takes folded text: both lexicons are lowercase (the French one accent-free too), so
    only VADER's capitals booster is lost, and the frustration detector measures shouting
    on its own.
    """
    text = _prepare(folded)
    if not text.strip():
        return 0.0
    return float(_load(lang).polarity_scores(text)["compound"])
