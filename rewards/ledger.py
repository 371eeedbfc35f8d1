"""The points ledger: immutable entries, and revocation as separate, append-only facts.

Model (see docs/rewards.md):
- A `LedgerEntry` is written once and never edited. Its `points` never change.
- Taking points back writes a `Revocation` record; putting them back (a hidden message is
  restored, a ban lifted) writes another `Revocation` with `action="restore"`. The latest
  record for an entry decides whether it counts. Negative entries were rejected: they would
  land in the week of the revocation, so a weekly board could show someone below zero for
  content posted last month, and "rebuild from the ledger" would depend on when it ran.
- `apply_revocations` joins both into the *effective view*: the same entries with
  `revoked_at`/`revoked_reason` filled in. Every other function in this package takes that
  view. A store may keep the records in their own table and join on read, or mirror the
  latest state onto the entry row; both give the same view.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from rewards.rules import Reason, RevokeReason

RefKind = Literal["message", "thread", "bonus"]
RevocationAction = Literal["revoke", "restore"]


def require_aware(name: str, value: datetime) -> datetime:
    """Reject naive datetimes (they silently shift by the server's zone); return UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC)")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Actor:
    """A visitor, plus the verified shopper identity behind it when the shop vouched for one.

    Two visitor ids linked to the same verified shopper are one person for every
    anti-gaming check (self-votes, self-accepts, one vote per answer, caps, halving).

    `network` is the keyed hash of the network the visitor was created from (an IPv4 /24 or
    an IPv6 /64, never the address itself), None when unknown. Throwaway identities are
    cheap; networks are not: an unverified visitor's thanks count under their network
    (`giver_person`), and earn nothing when they come from the author's own network
    (docs/rewards.md, "Throwaway identities").
    """

    visitor_id: str
    shopper_id: str | None = None
    network: str | None = None

    @property
    def person(self) -> str:
        """The key anti-gaming checks compare: 'shopper:<id>' if verified, else 'visitor:<id>'."""
        if self.shopper_id:
            return f"shopper:{self.shopper_id}"
        return f"visitor:{self.visitor_id}"

    @property
    def giver_person(self) -> str:
        """Who gives, for the thanks checks (one vote per answer, caps, halving): a verified
        shopper is themselves; unverified visitors created from one network are one giver
        ('network:<key>'); an unverified visitor from an unknown network is themselves."""
        if not self.shopper_id and self.network:
            return f"network:{self.network}"
        return self.person

    def same_person(self, other: Actor) -> bool:
        return self.person == other.person or self.visitor_id == other.visitor_id

    def same_network(self, other: Actor) -> bool:
        """True when the two were created on one network and the shop did not verify both:
        they may be one person with two identities (verified shoppers are told apart, and
        so are visitors whose network is unknown)."""
        if self.network is None or self.network != other.network:
            return False
        return not (self.shopper_id and other.shopper_id)


def staff_person(staff_id: str) -> str:
    """Staff are never visitors: their person key cannot collide with one."""
    return f"staff:{staff_id}"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One fact that moved someone's points. Immutable; see the module docstring.

    `id` is deterministic for entries derived from facts (`helpful_vote:<msg>:<giver>#1`),
    so a store with a unique index on it makes a replayed or racing award land once.
    `person` is the receiver's `Actor.person` key at the time of the award, `giver_person`
    the giver's `Actor.giver_person` (their network's key for an unverified visitor).
    `rule` is the rule code plus a snapshot of the parameters that applied, as text:
    "helpful_vote value=5 nth=2 factor=0.5 cap=20 capped=0".
    `revoked_at`/`revoked_reason` are only ever set by `apply_revocations`.
    """

    id: str
    visitor_id: str
    points: int
    reason: Reason
    rule: str
    ref_kind: RefKind
    ref_id: str
    created_at: datetime
    person: str = ""
    thread_id: str | None = None
    room: str | None = None
    category: str | None = None
    giver_id: str | None = None
    giver_person: str | None = None
    lang: str | None = None
    note: str | None = None
    revoked_at: datetime | None = None
    revoked_reason: RevokeReason | None = None

    def __post_init__(self) -> None:
        # Normalised to UTC so an entry compares equal after any store's round trip.
        object.__setattr__(self, "created_at", require_aware("created_at", self.created_at))
        if self.revoked_at is not None:
            object.__setattr__(self, "revoked_at", require_aware("revoked_at", self.revoked_at))
        # Stores hand codes back as plain strings: coerce, so a round trip compares equal.
        object.__setattr__(self, "reason", Reason(self.reason))
        if self.revoked_reason is not None:
            object.__setattr__(self, "revoked_reason", RevokeReason(self.revoked_reason))
        if self.ref_kind not in ("message", "thread", "bonus"):
            raise ValueError(f"unknown ref_kind {self.ref_kind!r}")
        if self.points < 0:
            raise ValueError("ledger entries are never negative: revoke instead")
        if not self.person:
            object.__setattr__(self, "person", f"visitor:{self.visitor_id}")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class Revocation:
    """An append-only fact: points of `entry_id` taken back (or restored) at `at`.

    `by` is who decided (a staff id, or None for automatic ones like a withdrawn vote).
    For a restore, `reason` names the revocation being undone.
    """

    entry_id: str
    at: datetime
    reason: RevokeReason
    action: RevocationAction = "revoke"
    by: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", require_aware("at", self.at))
        object.__setattr__(self, "reason", RevokeReason(self.reason))
        if self.action not in ("revoke", "restore"):
            raise ValueError(f"unknown action {self.action!r}")


def apply_revocations(
    entries: Iterable[LedgerEntry], revocations: Iterable[Revocation]
) -> list[LedgerEntry]:
    """The effective view: each entry marked by the latest revocation record about it.

    "Latest" is by `at`, then by position in `revocations` (records appended in the same
    millisecond keep their order). Entries keep their input order.
    """
    latest: dict[str, tuple[datetime, int, Revocation]] = {}
    for index, record in enumerate(revocations):
        key = (record.at, index)
        held = latest.get(record.entry_id)
        if held is None or key >= held[:2]:
            latest[record.entry_id] = (record.at, index, record)
    view = []
    for entry in entries:
        found = latest.get(entry.id)
        if found is None or found[2].action == "restore":
            view.append(replace(entry, revoked_at=None, revoked_reason=None))
        else:
            view.append(replace(entry, revoked_at=found[2].at, revoked_reason=found[2].reason))
    return view


def _select(
    entries: Iterable[LedgerEntry],
    *,
    ref_id: str | None,
    visitor_id: str | None,
    giver_id: str | None,
    reasons: Iterable[Reason] | None,
) -> list[LedgerEntry]:
    if ref_id is None and visitor_id is None and giver_id is None:
        raise ValueError("name what to revoke: ref_id, visitor_id and/or giver_id")
    wanted = frozenset(reasons) if reasons is not None else None
    return [
        e
        for e in entries
        if (ref_id is None or e.ref_id == ref_id)
        and (visitor_id is None or e.visitor_id == visitor_id)
        and (giver_id is None or e.giver_id == giver_id)
        and (wanted is None or e.reason in wanted)
    ]


def revoke(
    entries: Iterable[LedgerEntry],
    *,
    at: datetime,
    reason: RevokeReason,
    ref_id: str | None = None,
    visitor_id: str | None = None,
    giver_id: str | None = None,
    reasons: Iterable[Reason] | None = None,
    by: str | None = None,
) -> list[Revocation]:
    """Revocation records for the active entries matching every selector given.

    - hidden message: `revoke(es, ref_id=msg, reason=CONTENT_HIDDEN, ...)` takes back the
      answer, its votes, its accept, its fast-answer and endorsement points;
    - banned author: `visitor_id=author` (all they earned); add a second call with
      `giver_id=author` to also cancel the points they gave (vote rings);
    - withdrawn vote: `ref_id=msg, giver_id=voter, reasons={HELPFUL_VOTE}`.
    Already revoked entries are skipped, so calling twice writes nothing the second time.
    """
    at = require_aware("at", at)
    chosen = _select(
        entries, ref_id=ref_id, visitor_id=visitor_id, giver_id=giver_id, reasons=reasons
    )
    return [Revocation(e.id, at, reason, "revoke", by) for e in chosen if e.active]


def restore(
    entries: Iterable[LedgerEntry],
    *,
    at: datetime,
    reason: RevokeReason,
    ref_id: str | None = None,
    visitor_id: str | None = None,
    giver_id: str | None = None,
    reasons: Iterable[Reason] | None = None,
    by: str | None = None,
) -> list[Revocation]:
    """Restore records for entries that were revoked *for `reason`* and match the selectors.

    Restoring a hidden message gives back what hiding took, not what a ban took: an entry
    revoked for another reason stays revoked. Calling twice writes nothing the second time.
    """
    at = require_aware("at", at)
    chosen = _select(
        entries, ref_id=ref_id, visitor_id=visitor_id, giver_id=giver_id, reasons=reasons
    )
    return [
        Revocation(e.id, at, reason, "restore", by)
        for e in chosen
        if not e.active and e.revoked_reason == reason
    ]


def active(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    return [e for e in entries if e.active]


def total_points(entries: Iterable[LedgerEntry], visitor_id: str | None = None) -> int:
    """Sum of active points (of one visitor if given): the all-time score behind the rank."""
    return sum(
        e.points for e in entries if e.active and (visitor_id is None or e.visitor_id == visitor_id)
    )


def snapshot(code: str, **params: object) -> str:
    """'helpful_vote value=5 nth=2': the rule code and its parameters, as stored in `rule`."""
    parts = [code]
    for key, value in params.items():
        text = f"{value:g}" if isinstance(value, float) else str(value)
        parts.append(f"{key}={text.replace(' ', '_')}")
    return " ".join(parts)


def parse_snapshot(rule: str) -> tuple[str, dict[str, str]]:
    """Inverse of `snapshot` (values come back as text)."""
    code, *tokens = rule.split(" ")
    params = dict(token.split("=", 1) for token in tokens if "=" in token)
    return code, params


class Outcome(enum.StrEnum):
    """What an award attempt decided; the service maps these to its answer.

    SELF and DUPLICATE mean the action itself should be refused (Forbidden / Conflict).
    DEFERRED, NOT_ELIGIBLE and CAPPED mean the action stands; only the points differ.
    """

    AWARDED = "awarded"
    CAPPED = "capped"  # entry written, reduced by a daily cap (possibly to 0)
    SELF = "self"  # own question / own answer, including a second identity
    DUPLICATE = "duplicate"  # this person already did this to this answer
    DEFERRED = "deferred"  # voter has not taken part yet: no entry now, release later
    NOT_ELIGIBLE = "not_eligible"  # e.g. not the first answer, or too late to be fast


@dataclass(frozen=True, slots=True)
class Award:
    outcome: Outcome
    entry: LedgerEntry | None = None


def next_id(base: str, existing: Sequence[LedgerEntry]) -> str:
    """`base#n`, n one more than the entries already written for `base` (any status).

    A vote withdrawn then given again gets a new id; two racing awards of the same fact
    compute the same id, and the store's unique index keeps one.
    """
    taken = sum(1 for e in existing if e.id.split("#", 1)[0] == base)
    return f"{base}#{taken + 1}"
