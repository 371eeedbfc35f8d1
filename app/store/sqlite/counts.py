"""Per-visitor ledger counters, so a contributor's stats cost a few key look-ups.

`contributor_stats` runs before and after awards; counting a top contributor's ledger
(16,000 entries: 10 ms, two thirds of it the distinct thankers) put that cost on every award.
`ledger_counts` keeps active entries per (visitor, reason, language) and `ledger_thankers`
active thanks (helpful votes, accepts) per (visitor, thanking person), moved in the same
transaction as the ledger: `shift` with +1 for entries that became active (stored or
restored), -1 for those revoked. A database from before the counters (`meta.counts` unset)
is counted once when the store opens (`recount`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from app.store.sqlite.writer import WriterConnection
from rewards.ledger import LedgerEntry
from rewards.rules import Reason

THANKS = (Reason.HELPFUL_VOTE, Reason.ACCEPTED)
# As `rewards.badges.stats_for`: the thanking person, else the giver's visitor id.
THANKER_SQL = "COALESCE(NULLIF(giver_person, ''), NULLIF(giver_id, ''))"


def thanker(entry: LedgerEntry) -> str | None:
    if entry.reason not in THANKS:
        return None
    return entry.giver_person or entry.giver_id or None


async def shift(db: WriterConnection, entries: Iterable[LedgerEntry], by: int) -> None:
    """Add `by` (1 or -1) per entry to its counters; rows that reach 0 go."""
    counts: Counter[tuple[str, str, str]] = Counter()
    thanks: Counter[tuple[str, str]] = Counter()
    for e in entries:
        counts[e.visitor_id, e.reason.value, e.lang or ""] += by
        if (who := thanker(e)) is not None:
            thanks[e.visitor_id, who] += by
    if not counts:
        return
    await db.executemany(
        "INSERT INTO ledger_counts (visitor_id, reason, lang, n) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (visitor_id, reason, lang) DO UPDATE SET n = n + excluded.n",
        [(*key, n) for key, n in counts.items()],
    )
    await db.executemany(
        "INSERT INTO ledger_thankers (visitor_id, thanker, n) VALUES (?, ?, ?)"
        " ON CONFLICT (visitor_id, thanker) DO UPDATE SET n = n + excluded.n",
        [(*key, n) for key, n in thanks.items()],
    )
    if by < 0:
        visitors = [(v,) for v in {key[0] for key in counts}]
        await db.executemany("DELETE FROM ledger_counts WHERE visitor_id = ? AND n <= 0", visitors)
        await db.executemany(
            "DELETE FROM ledger_thankers WHERE visitor_id = ? AND n <= 0", visitors
        )


async def recount(db: WriterConnection) -> None:
    """Count every active entry again (one transaction) and mark the counters ready."""
    await db.execute("DELETE FROM ledger_counts")
    await db.execute("DELETE FROM ledger_thankers")
    await db.execute(
        "INSERT INTO ledger_counts (visitor_id, reason, lang, n)"
        " SELECT visitor_id, reason, COALESCE(lang, ''), COUNT(*) FROM ledger"
        " WHERE revoked_at IS NULL GROUP BY 1, 2, 3"
    )
    await db.execute(
        f"INSERT INTO ledger_thankers (visitor_id, thanker, n)"
        f" SELECT visitor_id, {THANKER_SQL} AS who, COUNT(*) FROM ledger"
        f" WHERE revoked_at IS NULL AND reason IN (?, ?) AND who IS NOT NULL GROUP BY 1, 2",
        tuple(r.value for r in THANKS),
    )
    await db.execute(
        "INSERT INTO meta (key, value) VALUES ('counts', 'ready')"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
