"""Spam: links and repeated text from new visitors, promotions, floods.

An enthusiast linking a knot tutorial is helping; a visitor who arrived five minutes ago
posting a link to a "-70% Shimano" site is not. So links weigh by who posts them (new
visitors' links are held for review, the shop's own domains never count), repeated text
by how many times it was already posted, and a flood (too many messages in the window)
is held whatever it says. Bumps ("up", "quelqu'un ?") are short and are left to the
frustration detector, not counted as repeats.
"""

from __future__ import annotations

import re
from datetime import datetime

from moderation.signals import MessageContext, Signal, noisy_or
from moderation.text import cue_pattern, find_cues, fold
from moderation.thresholds import DEFAULT_THRESHOLDS, Thresholds

_TLDS = (
    "com|fr|net|org|io|co|uk|de|es|it|be|ch|eu|info|biz|xyz|top|shop|store|online|site|"
    "club|live|link|click|ly|me|ru|cn|tk|ml|ga|gq|cf|app|vip|win|bid|loan|pro|icu|buzz|cc"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']{1,200}"
    r"|(?<![\w@.-])(?:[a-z0-9-]{1,63}\.){1,4}(?:" + _TLDS + r")(?:/[^\s<>\"']{0,200})?(?![\w-])"
)
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/:?#\s]{1,253})")
_PROMO = cue_pattern(
    """code promo|promo code|discount code|coupon|promo|reduction|soldes|-50%|-70%|
    -80%|-90%|70% off|80% off|90% off|gratuit|gratuite|free|offert|offerte|gagne*|
    gagner de l argent|make money|earn money|earn|win|winner|cliquez|click here|
    click the link|cliquez ici|lien en bio|link in bio|visit my|visitez|check my|
    mon site|my site|my website|my shop|ma boutique|ma chaine|my channel|abonnez vous|
    subscribe|follow me|suivez moi|whatsapp|telegram|dm me|contact me|contactez moi|
    ecrivez moi|crypto|bitcoin|btc|forex|invest*|trading|casino|betting|paris sportifs|
    viagra|cialis|replica|contrefacon|cheap|pas cher|prix casses|meilleur prix|
    best price|wholesale|grossiste|factory direct|livraison gratuite|free shipping|
    limited offer|offre limitee|act now|instagram|tiktok|snapchat|onlyfans|giveaway*|
    jeu concours|concours|half the price|half price|moitie prix|a moitie prix|
    argent facile|easy money|revenu passif|passive income|depuis chez vous|from home|
    work from home|travail a domicile|en prive|en mp|message prive|private message|
    pm me|inbox me|dm|dm for|guaranteed|garanti|signals|followers|abonnes|likes|
    groupe facebook|facebook group|discord|lien dans mon profil|link in my profile|
    link in profile|voir profil|voir mon profil|destockage|liquidation|clearance|
    today only|aujourd hui seulement|only today|imbattable|unbeatable|prix de gros|
    insta|boost|boostez""".replace("\n", "").split("|")
)
# "200 €/jour", "$500 a day", "3000 euros par semaine".
_MONEY_RATE = re.compile(
    r"(?:[$£€]\s?\d{2,6}|\d{2,6}\s?(?:[$£€]|eur\b|euros?\b|dollars?\b))\s?"
    r"(?:/|par|a|an|per)\s?(?:jour|day|semaine|week|mois|month|heure|hour)"
)
_REPEATED_CHARS = re.compile(r"(.)\1{19,}")
_WORD = re.compile(r"[a-z0-9]+")
_MIN_REPEAT_WORDS = 4
# Weight by number of earlier copies: a regular re-asking once is a bump, not spam.
_REPEAT_NEW = (0.0, 0.55, 0.8, 0.9)
_REPEAT_KNOWN = (0.0, 0.3, 0.5, 0.7)


def _links(folded: str, trusted: frozenset[str]) -> list[str]:
    hosts: list[str] = []
    for match in _URL.finditer(folded):
        host_match = _HOST.match(match.group())
        host = host_match.group(1).rstrip(".,;:!?)") if host_match else match.group()
        if not any(ch.isalpha() for ch in host.rsplit(".", 1)[0]):
            continue  # "2.5.de" is a number, not a host
        if not any(host == d or host.endswith("." + d) for d in trusted):
            hosts.append(host)
    return hosts


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(text)[:2000]))


def _repeats(body: str, recent: tuple[str, ...]) -> int:
    """How many recent bodies say (nearly) the same thing: word-set Jaccard >= 0.7."""
    words = _words(body)
    if len(words) < _MIN_REPEAT_WORDS:
        return 0
    count = 0
    for previous in recent[-20:]:
        other = _words(previous)
        if other and len(words & other) / len(words | other) >= 0.7:
            count += 1
    return count


def _burst(sent_at: datetime | None, times: tuple[datetime, ...], thresholds: Thresholds) -> int:
    """Messages (this one included) within the flood window ending now."""
    if sent_at is None:
        return 0
    start = sent_at - thresholds.flood_window
    return 1 + sum(1 for t in times[-100:] if start <= t <= sent_at)


def spam_signal(ctx: MessageContext, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Signal | None:
    """A `spam` signal; held from `thresholds.spam_hold` (a new visitor's link, a flood)."""
    folded = fold(ctx.body)
    weights: list[float] = []
    evidence: list[str] = []

    hosts = _links(folded, thresholds.trusted_link_domains)
    if hosts:
        shown = ", ".join(list(dict.fromkeys(hosts))[:3])
        if ctx.author_is_new:
            weights.append(0.7 if len(hosts) == 1 else 0.85)
            evidence.append(f"{len(hosts)} link(s) from a new visitor: {shown}")
        else:
            weights.append(0.15 if len(hosts) < 3 else 0.5)
            evidence.append(f"{len(hosts)} link(s): {shown}")

    promo = find_cues(_PROMO, ctx.body)
    if promo:
        per_cue = 0.25 if (ctx.author_is_new or hosts) else 0.15
        weights.extend(per_cue for _ in promo[:4])
        evidence.append("promotion: " + ", ".join(promo[:4]))

    rate = _MONEY_RATE.search(folded[:2000])
    if rate:
        weights.append(0.4)
        evidence.append(f"money offer: '{rate.group()}'")

    repeats = _repeats(ctx.body, ctx.author_recent_bodies)
    if repeats:
        scale = _REPEAT_NEW if ctx.author_is_new else _REPEAT_KNOWN
        weights.append(scale[min(repeats, len(scale) - 1)])
        evidence.append(f"same text posted {repeats + 1} times")

    burst = _burst(ctx.sent_at, ctx.author_recent_times, thresholds)
    if burst >= thresholds.flood_messages:
        weights.append(0.9)
        window = int(thresholds.flood_window.total_seconds())
        evidence.append(f"flood: {burst} messages in {window} s")

    if _REPEATED_CHARS.search(folded[:2000]):
        weights.append(0.5 if ctx.author_is_new else 0.35)
        evidence.append("long run of one character")

    score = noisy_or(weights)
    if score < thresholds.spam:
        return None
    return Signal("spam", score, tuple(evidence), hold=score >= thresholds.spam_hold)
