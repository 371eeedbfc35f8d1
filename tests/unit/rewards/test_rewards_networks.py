"""Throwaway identities (issue 8, defect 5): identities cost nothing, networks do.

A visitor carries the keyed hash of the network it was created from (`Actor.network`).
Thanks and questions from an unverified identity of the author's own network earn the author
nothing; unverified visitors of one other network thank as one giver (one vote per answer,
one daily cap, one halving). Verified shoppers stay themselves. The network key itself
(`app.services.identity`) is tested at the end: /24 and /64 grouping, no raw address.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.services.identity import client_network, network_key
from rewards import (
    Actor,
    AnswerRef,
    Award,
    LedgerEntry,
    Outcome,
    points_for_accept,
    points_for_answer,
    points_for_fast_first_answer,
    points_for_vote,
    release_deferred_votes,
)
from rewards.badges import stats_for
from rewards.ledger import parse_snapshot
from tests.unit.rewards.factories import T0, answer

HOME, MOBILE, ELSEWHERE = "n-home", "n-mobile", "n-elsewhere"
FARMER = Actor("farmer", network=HOME)
SOCKS = [Actor(f"sock-{n}", network=HOME) for n in range(5)]
MOBILE_SOCKS = [Actor(f"mobile-{n}", network=MOBILE) for n in range(5)]
SHOPPER = Actor("shopper", network=ELSEWHERE)
LATER = T0 + timedelta(minutes=30)


def vote(
    ref: AnswerRef, voter: Actor, history: list[LedgerEntry] | None = None, at: datetime = LATER
) -> Award:
    return points_for_vote(ref, voter, at=at, voter_participations=1, history=history or [])


def farmed(asker: Actor, n: int = 0) -> AnswerRef:
    return answer(f"m{n}", thread_id=f"t{n}", author=FARMER, asker=asker)


def test_the_reported_attack_earns_the_farmer_nothing() -> None:
    """Five throwaways from the farmer's network ask, vote and accept: 135 points before."""
    history: list[LedgerEntry] = []
    for n, sock in enumerate(SOCKS):
        ref = farmed(sock, n)
        awards = [
            points_for_answer(ref, history=history),
            points_for_fast_first_answer(ref, first_answer=True, history=history),
            points_for_vote(ref, sock, at=LATER, voter_participations=1, history=history),
            points_for_accept(ref, sock, at=LATER, history=history),
        ]
        assert [a.outcome for a in awards] == [Outcome.NOT_ELIGIBLE] * 4
        history += [a.entry for a in awards if a.entry is not None]
    assert history == []


def test_a_shopper_from_another_network_still_earns_the_author_points() -> None:
    ref = farmed(SHOPPER)
    assert points_for_answer(ref, history=[]).outcome is Outcome.AWARDED
    fast = points_for_fast_first_answer(ref, first_answer=True, history=[])
    assert fast.outcome is Outcome.AWARDED
    thanks = [vote(ref, SHOPPER), points_for_accept(ref, SHOPPER, at=LATER, history=[])]
    assert [(a.outcome, a.entry.points if a.entry else None) for a in thanks] == [
        (Outcome.AWARDED, 5),
        (Outcome.AWARDED, 15),
    ]


def test_a_deferred_vote_from_the_authors_network_is_not_released_either() -> None:
    [released] = release_deferred_votes(
        [(farmed(SHOPPER), T0)], SOCKS[0], at=LATER, voter_participations=1, history=[]
    )
    assert (released.outcome, released.entry) == (Outcome.NOT_ELIGIBLE, None)


def test_verified_shoppers_on_one_network_are_told_apart() -> None:
    """Two customers the shop vouched for (colleagues, a family) thank each other as usual;
    an unverified identity on a verified author's network does not."""
    colleague = Actor("colleague", shopper_id="cust-1", network=HOME)
    author = Actor("pro", shopper_id="cust-2", network=HOME)
    ref = answer(author=author, asker=colleague)
    assert points_for_answer(ref, history=[]).outcome is Outcome.AWARDED
    assert vote(ref, colleague).outcome is Outcome.AWARDED
    assert points_for_accept(ref, colleague, at=LATER, history=[]).outcome is Outcome.AWARDED
    assert vote(ref, SOCKS[0]).outcome is Outcome.NOT_ELIGIBLE
    # Either side unverified is enough to doubt them.
    verified_giver = answer(author=FARMER, asker=colleague)
    assert vote(verified_giver, colleague).outcome is Outcome.NOT_ELIGIBLE


def test_an_unknown_network_changes_nothing() -> None:
    """Visitors from before networks were recorded, or from a loopback/private address."""
    ref = answer(author=Actor("helper"), asker=Actor("asker"))
    assert points_for_answer(ref, history=[]).outcome is Outcome.AWARDED
    award = vote(ref, Actor("asker"))
    assert award.entry is not None
    assert award.entry.giver_person == "visitor:asker"


def test_throwaways_of_one_other_network_give_as_one_person() -> None:
    """The farmer moves the throwaways to a second network: they thank as one giver, so
    one day of them is worth one person's daily cap (a vote and an accept: 20)."""
    history: list[LedgerEntry] = []
    got = []
    for n, sock in enumerate(MOBILE_SOCKS):
        ref = farmed(sock, n)
        assert points_for_answer(ref, history=history).outcome is Outcome.AWARDED
        for award in (
            vote(ref, sock, history),
            points_for_accept(ref, sock, at=LATER, history=history),
        ):
            assert award.entry is not None
            assert award.entry.giver_person == f"network:{MOBILE}"
            assert award.entry.giver_id == sock.visitor_id
            history.append(award.entry)
            got.append(award.entry.points)
    assert got == [5, 15] + [0] * 8
    # The next day the cap has room again, but the halving remembers the whole network:
    # a sixth vote from it within 30 days is worth 5 * 0.5**5, rounded down.
    next_day = LATER + timedelta(days=1)
    tomorrow = vote(farmed(MOBILE_SOCKS[0], 9), MOBILE_SOCKS[0], history, next_day)
    assert tomorrow.entry is not None
    assert tomorrow.entry.points == 0
    rule = parse_snapshot(tomorrow.entry.rule)[1]
    assert (rule["nth"], rule["capped"]) == ("6", "0")


def test_one_vote_per_network_per_answer_for_unverified_visitors() -> None:
    ref = farmed(SHOPPER)
    first = vote(ref, MOBILE_SOCKS[0]).entry
    assert first is not None
    assert first.id == f"helpful_vote:m0:network:{MOBILE}#1"
    assert vote(ref, MOBILE_SOCKS[1], [first]).outcome is Outcome.DUPLICATE
    # Verified shoppers on that network vote as themselves.
    verified = Actor("customer", shopper_id="cust-5", network=MOBILE)
    assert vote(ref, verified, [first]).outcome is Outcome.AWARDED


def test_thanks_given_before_networks_were_recorded_still_count_against_the_giver() -> None:
    ref = farmed(SHOPPER)
    legacy = vote(ref, Actor("mobile-0")).entry  # giver_person "visitor:mobile-0"
    assert legacy is not None
    again = vote(farmed(SHOPPER, 1), MOBILE_SOCKS[0], [legacy])
    assert again.entry is not None
    assert again.entry.points == 2  # the second thanks from the same giver: halved


def test_distinct_thankers_count_networks_for_the_community_badge() -> None:
    history: list[LedgerEntry] = []
    for n, sock in enumerate(MOBILE_SOCKS):
        award = vote(farmed(SHOPPER, n), sock, history, LATER + timedelta(days=n))
        assert award.entry is not None
        history.append(award.entry)
    assert stats_for(history, "farmer").distinct_thankers == 1


# --- the network key ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("81.250.40.7", "81.250.40.0/24"),
        (" 81.250.40.200 ", "81.250.40.0/24"),
        ("::ffff:81.250.40.9", "81.250.40.0/24"),
        ("2a01:e0a:5c3:1a0:1c2d:3e4f:5a6b:7c8d", "2a01:e0a:5c3:1a0::/64"),
        ("127.0.0.1", None),  # a local proxy whose forwarded address is not trusted
        ("10.1.2.3", None),
        ("192.168.1.20", None),
        ("::1", None),
        ("fe80::1", None),
        ("unknown", None),
        ("", None),
        (None, None),
    ],
)
def test_the_client_network_is_a_public_slash_24_or_slash_64(
    address: str | None, network: str | None
) -> None:
    assert client_network(address) == network


def test_the_network_key_is_keyed_and_hides_the_address() -> None:
    secret = "s" * 40
    key = network_key(secret, "81.250.40.7")
    assert key is not None and len(key) == 32
    int(key, 16)  # hex of an HMAC: neither the address nor the network is in it
    assert key == network_key(secret, "81.250.40.99")  # one /24, one key
    assert key != network_key(secret, "81.250.41.7")
    assert key != network_key("t" * 40, "81.250.40.7")  # another shop's secret
    assert network_key(secret, "2a01:e0a:5c3:1a0::1") == network_key(
        secret, "2a01:e0a:5c3:1a0:ffff::2"
    )
    assert network_key(secret, "127.0.0.1") is None
