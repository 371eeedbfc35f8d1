"""Spam: new visitors' links are held, repeats and floods counted, bumps and helpers' links not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation import MessageContext, Thresholds, spam_signal

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


def test_a_new_visitors_link_is_held() -> None:
    found = spam_signal(
        MessageContext(
            body="Top moulinets ici https://peche-discount.xyz/promo", author_is_new=True
        )
    )
    assert found is not None
    assert found.hold is True
    assert any("peche-discount.xyz" in item for item in found.evidence)


def test_a_regulars_tutorial_link_is_fine() -> None:
    body = "Le nœud que j'utilise : https://www.youtube.com/watch?v=abc123"
    assert spam_signal(MessageContext(body=body)) is None


def test_the_shops_own_domain_is_trusted() -> None:
    body = "Regardez plutôt celui-ci : https://www.labonneprise.fr/moulinets/stradic-4000"
    trusted = Thresholds(trusted_link_domains=frozenset({"labonneprise.fr"}))
    assert spam_signal(MessageContext(body=body, author_is_new=True), trusted) is None
    assert spam_signal(MessageContext(body=body, author_is_new=True)) is not None


def test_bare_domains_count_as_links_but_numbers_do_not() -> None:
    assert spam_signal(MessageContext(body="voir bit.ly/3xPeche", author_is_new=True)) is not None
    assert spam_signal(MessageContext(body="fil de 0.25.de diamètre", author_is_new=True)) is None


def test_repeated_text_counts_more_from_new_visitors() -> None:
    body = "Je vends mon matériel de carpe complet, contactez-moi pour le prix"
    once_new = spam_signal(
        MessageContext(body=body, author_is_new=True, author_recent_bodies=(body,))
    )
    once_known = spam_signal(MessageContext(body=body, author_recent_bodies=(body,)))
    thrice_known = spam_signal(MessageContext(body=body, author_recent_bodies=(body,) * 3))
    assert once_new is not None
    assert "same text posted 2 times" in once_new.evidence
    assert once_known is None
    assert thrice_known is not None


def test_near_duplicates_count_and_bumps_do_not() -> None:
    body = "Vends canne Sportex 3m neuve, 120 euros, intéressés en MP"
    tweaked = "vends canne sportex 3 m neuve 120 euros intéressés en MP !"
    assert spam_signal(
        MessageContext(body=tweaked, author_is_new=True, author_recent_bodies=(body, body))
    )
    assert spam_signal(MessageContext(body="up", author_recent_bodies=("up",) * 5)) is None


def test_a_flood_is_held_whatever_it_says() -> None:
    times = tuple(NOW - timedelta(seconds=s) for s in (25, 20, 15, 10, 5))
    found = spam_signal(MessageContext(body="ok", author_recent_times=times, sent_at=NOW))
    assert found is not None
    assert found.hold is True
    assert "flood: 6 messages in 30 s" in found.evidence
    spread = tuple(NOW - timedelta(minutes=m) for m in (5, 4, 3, 2, 1))
    assert spam_signal(MessageContext(body="ok", author_recent_times=spread, sent_at=NOW)) is None


def test_flood_limits_are_configurable() -> None:
    times = tuple(NOW - timedelta(seconds=s) for s in (10, 5))
    ctx = MessageContext(body="ok", author_recent_times=times, sent_at=NOW)
    assert spam_signal(ctx) is None
    assert spam_signal(ctx, Thresholds(flood_messages=3)) is not None


def test_promotions_from_new_visitors() -> None:
    found = spam_signal(
        MessageContext(
            body="Gagnez de l'argent avec le trading crypto, écrivez-moi sur WhatsApp",
            author_is_new=True,
        )
    )
    assert found is not None
    assert any(item.startswith("promotion") for item in found.evidence)
    assert spam_signal(MessageContext(body="Le moulinet est en promo en ce moment ?")) is None
