"""The storage port every adapter implements, and the contract suite checks.

Each write that changes what a room shows appends exactly one event and bumps the room's
`seq` atomically with the change, so `events_since` never misses or invents a change.
Held threads and private or held messages are stored without an event: the crowd never
learns of them. Writes are durable when the coroutine returns: services acknowledge only
after that.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from datetime import datetime
from typing import Protocol

from app.domain.knowledge import Embeddable, FaqEntry, Kind, Vector
from app.domain.mail import Consent, EmailAddress, Mail, MailKind, MailStats, ShopCustomer
from app.domain.models import (
    CastVote,
    DetectorModelRecord,
    Event,
    EventType,
    Message,
    Room,
    Thread,
    ThreadStatus,
    Visitor,
)
from app.domain.outbox import CommitHook, OutboxItem, Unit
from app.domain.staff import Staff
from insights.facts import Rating, ThreadFacts
from insights.kpis import DayRoomCounts, Query
from insights.topics import TermQuestions
from moderation.cases import AuditEntry, Case, CaseState
from moderation.reports import Report
from rewards.badges import ContributorStats
from rewards.leaderboard import Board, BoardRow
from rewards.ledger import LedgerEntry, Revocation


class UnitOfWork(Protocol):
    """Atomic writes and their outbox: the one write path's hold on the database."""

    def atomic(self) -> AbstractAsyncContextManager[Unit]:
        """Everything written inside commits together with the items published on the unit
        (SQLite: one transaction; MongoDB: ordered writes, outbox last). Nested calls and
        plain writes inside join the unit. Reads inside do not see its uncommitted writes."""

    def on_commit(self, hook: CommitHook) -> None:
        """Register the one hook told, in commit order, of each committed write's room
        events and outbox items (plain writes outside a unit included)."""

    async def pending_outbox(self, older_than: datetime, limit: int) -> list[OutboxItem]:
        """Stored items not yet marked done, created at or before `older_than`, oldest first."""

    async def outbox_done(self, ids: list[str]) -> None:
        """Forget delivered items (unknown ids are ignored)."""

    def after_commit_reads(self) -> AbstractContextManager[None]:
        """Reads made inside use a connection of their own: background work (the
        dispatcher's listeners, staff analytics) never queues in front of a request's reads."""


class MaintenanceStore(Protocol):
    """Connecting, schema and readiness: what the process lifecycle needs."""

    async def open(self) -> None:
        """Connect and create schema/indexes; safe to call on an existing database."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise if the database cannot answer (readiness)."""

    # visitors


class VisitorStore(Protocol):
    """Visitors (identity, bans)."""

    async def add_visitor(self, visitor: Visitor) -> None: ...

    async def get_visitor(self, visitor_id: str) -> Visitor | None: ...

    async def update_visitor(self, visitor: Visitor) -> None:
        """Save name and ban (`banned_until`)."""

    # rooms


class QAStore(VisitorStore, Protocol):
    async def ensure_room(self, room: Room) -> Room:
        """Return the stored room with this key, creating it from `room` if absent."""

    async def get_room(self, key: str) -> Room | None: ...

    # reads
    async def get_thread(self, thread_id: str) -> Thread | None: ...

    async def get_thread_for_update(self, thread_id: str) -> Thread | None:
        """Inside `atomic()`, the thread as the unit will change it: SQLite reads it in the
        unit's own transaction, so no other writer can change it before the commit;
        MongoDB reads the latest (its version check may still raise Stale)."""

    async def get_message(self, message_id: str) -> Message | None: ...

    async def get_threads(self, thread_ids: list[str]) -> list[Thread]: ...

    async def get_messages(self, message_ids: list[str]) -> list[Message]: ...

    async def find_thread_by_client_id(self, author_id: str, client_id: str) -> Thread | None: ...

    async def find_message_by_client_id(self, author_id: str, client_id: str) -> Message | None: ...

    async def list_threads(
        self,
        room: str,
        *,
        status: ThreadStatus | None = None,
        before_seq: int | None = None,
        limit: int = 20,
    ) -> list[Thread]:
        """Published threads (held ones never), newest first; `before_seq` is the cursor."""

    async def held_threads_of(self, author_id: str, room: str, limit: int = 20) -> list[Thread]:
        """This author's held questions in `room`, newest first (shown to them alone)."""

    async def list_messages(self, thread_id: str) -> list[Message]:
        """Oldest first, every visibility and hidden ones included (callers filter)."""

    async def messages_of(self, thread_ids: list[str]) -> dict[str, list[Message]]:
        """`list_messages` of several threads in one read; every id asked is a key."""

    async def search_answered(self, room: str, terms: list[str], limit: int = 5) -> list[Thread]:
        """Answered or resolved published threads of `room` sharing the most `terms`."""

    async def events_since(self, room: str, since: int, limit: int = 500) -> list[Event]:
        """Events with seq > since, in seq order, at most `limit`."""

    # writes
    async def insert_thread(self, thread: Thread, terms: list[str]) -> Event | None:
        """Store a new thread; a published one gets `seq` and a `thread.created` event, a
        held one (`thread.held`) neither and stays out of search. Raises DuplicateClientId."""

    async def release_thread(self, thread: Thread, terms: list[str]) -> Event:
        """Publish a held thread (staff decided it may be shown): seq, event, search."""

    async def insert_message(self, message: Message, thread: Thread) -> Event | None:
        """Store a message and the thread changes it caused (answer count, status, version).

        A `message.created` event only for a public message in a published thread.
        Raises DuplicateClientId, or Conflict if the thread changed since it was read.
        """

    async def update_thread(self, thread: Thread) -> Event | None:
        """Save a thread read at `thread.version` (Conflict if it changed meanwhile), bump
        the version, and append `thread.updated` unless the thread is held."""

    async def set_vote(
        self, message_id: str, voter_id: str, value: int,
        author_banned_until: datetime | None = None,
    ) -> tuple[Message, Event]:  # fmt: skip
        """Record one person's vote (1 helpful, 0 withdrawn), with the author's ban as it is
        now (`CastVote`), and return the recounted message."""

    async def update_message(
        self, message: Message, event_type: EventType = EventType.MESSAGE_UPDATED
    ) -> Event | None:
        """Save hidden/body/visibility; append `event_type` if the message is public
        (`message.created` when a held message is released). Conflict if it does not exist."""


class StaffStore(Protocol):
    """Staff accounts and their sign-in state."""

    async def add_staff(self, staff: Staff) -> None:
        """Conflict if the e-mail is taken."""

    async def get_staff(self, staff_id: str) -> Staff | None: ...

    async def get_staff_by_email(self, email: str) -> Staff | None: ...

    async def save_staff(self, staff: Staff) -> None:
        """Save name, role, password hash and sign-in backoff state (never
        `session_epoch`: a save from an older read must not bring ended sessions back)."""

    async def set_digest_lang(self, staff_id: str, lang: str | None) -> None:
        """The language of the weekly digest e-mail the account wants (None: none)."""

    async def digest_recipients(self) -> list[Staff]:
        """Accounts that want the weekly digest by e-mail."""

    async def end_staff_sessions(self, staff_id: str) -> None:
        """Add one to the account's `session_epoch`, atomically: every session opened
        before (which carries the older epoch) is refused from now on."""

    async def count_sign_in_attempt(self, staff_id: str, now: datetime) -> Staff | None:
        """Count a sign-in attempt before its password is checked, in one atomic write:
        unless the account is locked at `now`, add one to `failed_logins` and, when
        `domain.staff.lock_duration` of the new count asks for a pause, lock it until
        `now` + that pause. Returns the account as written, or None when it was locked
        (nothing counted) or does not exist. Parallel attempts each count (none is lost
        to a read-then-save race), so guesses sent at once lock the account as fast as
        guesses sent one by one."""

    # cases (one per thread)


class ReviewStore(Protocol):
    """What the contributor review reads about one person."""

    async def list_audit_about(self, subject_id: str, limit: int = 50) -> list[AuditEntry]:
        """Entries whose `subject_id` is this visitor (bonus, disqualify, ban...), newest
        first, at most `limit` (indexed on subject and time)."""

    # contributor review
    async def reports_against(self, author_id: str, limit: int = 10) -> tuple[int, list[Report]]:
        """(how many reports name this author's messages, the latest `limit`, newest first)."""

    async def hidden_by_author(self, author_id: str) -> int:
        """This author's messages hidden by a moderator plus their questions in the
        `hidden` state (every one, not only recent ones)."""

    async def first_answer_waits(self, author_id: str, limit: int = 200) -> list[float]:
        """Seconds from the question to this author's first public, visible answer, for the
        latest `limit` published threads of others they answered (newest first); the cap
        keeps a prolific contributor's review cheap."""

    # sweeper and detector context


class CaseLookup(Protocol):
    """Finding a case (the Q&A use cases and the dispatcher read cases, never write them)."""

    async def get_case(self, case_id: str) -> Case | None: ...

    async def get_case_for_thread(self, thread_id: str) -> Case | None: ...

    async def cases_of(self, thread_ids: list[str]) -> dict[str, Case]:
        """The case of each of these threads that has one, in one read."""


class AuditLog(Protocol):
    """Who did what to which case or contributor."""

    async def add_audit(self, entry: AuditEntry) -> None: ...

    async def list_audit(self, case_id: str) -> list[AuditEntry]:
        """Oldest first."""


class ModerationStore(CaseLookup, AuditLog, Protocol):
    """Cases, reports, the sweeper's schedule and the detectors' context."""

    async def insert_case(self, case: Case) -> Case:
        """Store a new case, or return the thread's existing case unchanged."""

    async def update_case(self, case: Case) -> None:
        """Save a case read at `case.version` (reasons included); Conflict if it changed."""

    async def list_cases(
        self,
        *,
        states: list[CaseState] | None = None,
        reason: str | None = None,
        room: str | None = None,
        category: str | None = None,
        limit: int = 200,
    ) -> list[Case]:
        """Highest priority first, then the nearest `due_at`."""

    async def due_claims(self, now: datetime, limit: int = 100) -> list[Case]:
        """Cases whose `claim_due_at` <= now (indexed), nearest first."""

    async def detector_feedback(self) -> list[tuple[str, str]]:
        """(reason code, verdict) for every reason a moderator confirmed or dismissed."""

    async def detector_feedback_texts(self) -> list[tuple[str, str, str]]:
        """(question body, reason code, verdict) for every judged reason whose thread
        still exists, oldest case first: what the worker retrains the detectors from."""

    async def add_detector_model(self, record: DetectorModelRecord) -> None:
        """Store a training; an active one becomes the only active one."""

    async def detector_models(self, limit: int = 10) -> list[DetectorModelRecord]:
        """The latest trainings (active or rejected), newest first."""

    async def active_detector_model(self) -> DetectorModelRecord | None:
        """The newest active training, with its model file; None: the shipped model."""

    async def add_report(self, report: Report) -> None:
        """Store one visitor's report of a message (whose message, who, why, which case)."""

    async def due_threads(self, now: datetime, limit: int = 100) -> list[Thread]:
        """Threads whose `next_check_at` <= now, nearest first: one indexed range query."""

    async def save_thread_schedule(self, thread: Thread) -> None:
        """Save `next_check_at` and `nudged` only: no version bump, no event."""

    async def recent_by_author(self, author_id: str, limit: int = 20) -> list[tuple[str, datetime]]:
        """The author's latest questions and answers as (body, created_at), oldest first."""

    async def top_helpers(self, room: str, limit: int = 10) -> list[str]:
        """Visitor ids whose public answers in `room` got helpful votes, most first."""


class LedgerStore(Protocol):
    """The points ledger (append-only), its revocation records, and what is counted from it.

    Reads return the *effective view* (`rewards.ledger.apply_revocations`): entries with
    `revoked_at`/`revoked_reason` set from the latest revocation record.
    """

    async def add_ledger_entries(self, entries: Sequence[LedgerEntry]) -> list[LedgerEntry]:
        """Append entries; an id already stored is skipped. Returns the ones stored now."""

    async def add_revocations(self, records: Sequence[Revocation]) -> None:
        """Append revocation/restore records and update the effective view."""

    async def ledger_entries(
        self,
        *,
        visitor_id: str | None = None,
        person: str | None = None,
        giver_person: str | None = None,
        ref_ids: Sequence[str] | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[LedgerEntry]:
        """Entries matching every given filter (AND), oldest first; `limit` keeps the newest."""

    async def ledger_page(self, after_id: str | None, limit: int) -> list[LedgerEntry]:
        """All entries ordered by id, after `after_id`: how rebuilds walk the whole ledger."""

    async def contributor_stats(self, visitor_ids: Sequence[str]) -> dict[str, ContributorStats]:
        """Every requested id -> `rewards.stats_for` of their ledger (what badges look at),
        from grouped counts: a few queries for the whole list, never whole ledgers."""

    async def ledger_counts(self, visitor_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """Visitor id -> {reason: number of active entries} (0-point entries count: they are
        events, as in `rewards.stats_for`); every requested id is a key."""

    async def points_totals(self, visitor_ids: Sequence[str]) -> dict[str, int]:
        """All-time active points per visitor (missing = 0), for ranks next to names."""

    async def set_disqualified(self, visitor_id: str, disqualified: bool) -> None: ...

    async def disqualified(self) -> set[str]: ...

    async def participations(self, visitor_id: str) -> int:
        """Published questions + answers by this visitor (votes count after the first)."""

    async def participation_times(self, visitor_id: str, first: int) -> list[datetime]:
        """When the first `first` of the participations `participations` counts were
        posted, oldest first (fewer if there are fewer)."""

    async def votes_by(self, voter_id: str) -> list[CastVote]:
        """Every vote this visitor cast (withdrawn ones, value 0, included), oldest first."""


class BoardsStore(Protocol):
    """Kept leaderboard buckets (per-board totals), read and rebuilt."""

    async def board(self, board: Board, *, limit: int = 50, offset: int = 0) -> list[BoardRow]:
        """One kept bucket (`rewards.leaderboard.Board`), disqualified contributors left
        out, in the order of rewards.leaderboard.order: points desc, reached_at (a whole
        second) asc, visitor id desc. Equal to `tally` of that board.

        Adapters keep per-bucket totals, updated with the ledger (each new active entry adds
        to its `boards_for` buckets; revocations recompute the touched visitors), so a read
        costs the rows returned, not the size of the ledger."""

    async def board_position(self, visitor_id: str, board: Board) -> tuple[int, BoardRow] | None:
        """(1-based rank, row) of one visitor on that board, None if not on it."""

    async def board_rows_of(self, visitor_id: str) -> dict[str, BoardRow]:
        """Board id -> this visitor's row on every bucket they are on (disqualified or not):
        what a Redis copy of the boards resets a visitor from."""

    async def board_page(
        self, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, BoardRow]]:
        """Every (board id, row), disqualified included, ordered by (board id, visitor id),
        after `after`: how a Redis copy of the boards is rebuilt."""

    async def rebuild_boards(self) -> int:
        """Recompute every bucket from the ledger (repair, or a database from before the
        totals existed). Returns the number of (board, visitor) rows kept."""


class RewardsStore(LedgerStore, BoardsStore, Protocol):
    """The ledger and the boards kept from it."""


class InsightsStore(Protocol):
    """Ratings, and the facts kept per question for brand insights (`insights.facts`).

    Days are the `ThreadFacts.day` strings (YYYY-MM-DD, shop time); a query's bounds are
    inclusive. Only facts with `counted` count anywhere.
    """

    async def save_rating(self, rating: Rating) -> None:
        """Store the asker's rating of a thread, replacing an earlier one."""

    async def get_rating(self, thread_id: str) -> Rating | None: ...

    async def ratings_of(self, thread_ids: list[str]) -> dict[str, Rating]:
        """The rating of each of these threads that has one, in one read."""

    async def save_thread_facts(self, facts: Sequence[ThreadFacts]) -> None:
        """Upsert each question's facts (and its topic terms) by thread id."""

    async def insight_counts(self, query: Query) -> list[DayRoomCounts]:
        """Counts per (day, room) of the questions in the period that pass the filters."""

    async def first_answer_histogram(self, query: Query) -> list[tuple[int, int]]:
        """(seconds to the first answer, questions), ascending, for answered questions."""

    async def nth_latest_day(self, query: Query, n: int) -> str | None:
        """The day of the period's n-th most recent counted question (None with fewer):
        topics read the days from it on, a bounded number of questions at any store size."""

    async def top_terms(self, query: Query, limit: int) -> list[tuple[str, str, int]]:
        """(room, term, questions) asked at least twice in the period, most asked first
        (then room, term)."""

    async def term_questions(
        self, query: Query, pairs: Sequence[tuple[str, str]]
    ) -> list[TermQuestions]:
        """For each (room, term), the period's questions that have it (and the frustrated)."""

    async def thread_ids_after(self, after: str, limit: int) -> list[str]:
        """Every thread id greater than `after`, ascending (rebuilding the facts)."""

    async def add_self_served(self, room: str, category: str, day: str, ref: str,
                              at: datetime) -> None:  # fmt: skip
        """A shopper said an instant answer (`ref`: "faq:<id>" or "thread:<id>") answered
        their question, on `day` (shop time)."""

    async def self_served_counts(self, query: Query) -> list[tuple[str, str, int]]:
        """(day, room, how many) in the period, with the query's filters."""


class MailStore(Protocol):
    """Addresses, consent records, the suppression list and the mail queue (`domain.mail`)."""

    async def save_address(self, address: EmailAddress, consent: Consent) -> None:
        """Replace the visitor's address (unconfirmed, with its nonce) and record the
        consent they gave with it."""

    async def get_address(self, visitor_id: str) -> EmailAddress | None: ...

    async def confirm_address(self, visitor_id: str, nonce: str, at: datetime) -> bool:
        """Confirm the address if `nonce` is still its confirmation nonce (clears it)."""

    async def delete_address(self, visitor_id: str, at: datetime) -> bool:
        """Forget the address, withdraw its consents and drop its pending e-mails; False
        when there was none."""

    async def save_consent(self, consent: Consent) -> None:
        """Insert or update one consent record (by id)."""

    async def list_consents(self, subject_id: str) -> list[Consent]:
        """Every consent record of a person, oldest first (withdrawn ones included)."""

    async def suppress(self, key: str, kind: MailKind, at: datetime) -> None:
        """Never send `kind` to the address whose `address_key` is `key` again."""

    async def is_suppressed(self, key: str, kind: MailKind) -> bool: ...

    async def enqueue_mail(self, mail: Mail) -> None:
        """Queue an e-mail (joins the running unit of work, if any)."""

    async def claim_mails(self, now: datetime, lease_until: datetime, limit: int) -> list[Mail]:
        """Pending e-mails due by `now`, oldest first, each moved to `lease_until` so that no
        other worker takes it meanwhile."""

    async def mails_sent(self, mail_ids: Sequence[str], at: datetime) -> None:
        """Record these e-mails as sent (one write)."""

    async def mail_failed(self, mail_id: str, attempts: int, error: str,
                          retry_at: datetime | None) -> None:  # fmt: skip
        """Record a failed attempt: pending again at `retry_at`, or `failed` for good."""

    async def get_mail(self, mail_id: str) -> Mail | None: ...

    async def mails_since(
        self, since: datetime, *, to: str | None = None, thread_id: str | None = None,
        kind: MailKind | None = None,
    ) -> int:  # fmt: skip
        """How many e-mails were queued since `since` (to an address, about a thread)."""

    async def mail_stats(self) -> MailStats: ...

    async def failed_mails(self, limit: int) -> list[Mail]:
        """The most recent e-mails given up on, newest first."""


class OwnersStore(Protocol):
    """What the shop says its customers bought, and the questions sent to those owners."""

    async def save_customer(self, customer: ShopCustomer, purchased: Sequence[str]) -> None:
        """Upsert the customer; `purchased` room keys are added to what they own."""

    async def get_customer(self, customer_id: str) -> ShopCustomer | None: ...

    async def purchases(self, customer_id: str) -> list[str]:
        """The room keys a customer bought, sorted."""

    async def owners_of(self, room: str, limit: int, offset: int = 0) -> list[ShopCustomer]:
        """Customers who bought `room` and agree to owner questions, newest buyers first."""

    async def unanswered_threads(
        self, created_after: datetime, created_before: datetime, limit: int
    ) -> list[Thread]:
        """Open, unanswered, published questions created in the window that were not sent to
        owners yet, oldest first."""

    async def record_owner_asks(
        self, thread_id: str, asks: Sequence[tuple[str, str]], at: datetime
    ) -> None:
        """Mark the question as sent to owners: (customer id, invitation nonce) per owner
        (none: nobody to ask; the question is still marked)."""

    async def has_purchased(self, customer_id: str, room: str) -> bool: ...

    async def use_invitation(
        self, thread_id: str, customer_id: str, nonce: str, at: datetime
    ) -> bool:
        """Spend an owner's invitation to a question: True once, then False."""


class PrivacyStore(Protocol):
    """A visitor's data, read whole (export) or erased everywhere; old content erased."""

    async def visitor_threads(self, visitor_id: str) -> list[Thread]:
        """Every question they asked (held and hidden ones too), oldest first."""

    async def visitor_messages(self, visitor_id: str) -> list[Message]:
        """Every answer or message they wrote, oldest first."""

    async def visitor_votes(self, visitor_id: str) -> list[tuple[str, int, datetime]]:
        """(message id, value, when) of every vote they cast, oldest first."""

    async def visitor_ratings(self, visitor_id: str) -> list[Rating]: ...

    async def visitor_reports(self, visitor_id: str) -> list[Report]:
        """The reports they filed, oldest first."""

    async def erase_visitor(self, visitor_id: str, pseudonym: str, at: datetime) -> list[str]:
        """In one unit: the name becomes `pseudonym`, the shop's customer id and network key
        go, the bodies of their questions and messages are emptied (out of search and topic
        terms; room events announce the change), their address, consents and e-mails are
        deleted, their ratings lose their name, they leave every board (disqualified).
        Returns the ids of the questions whose content changed."""

    async def erase_expired(
        self, public_before: datetime | None, private_before: datetime, limit: int
    ) -> list[str]:
        """Empty the bodies of up to `limit` questions and messages older than their
        retention (public ones: `public_before`, None keeps them; private and held ones:
        `private_before`), as `erase_visitor` does; the ids of the questions changed."""


class KnowledgeStore(Protocol):
    """FAQ entries, and their search (the same folded stems as questions)."""

    async def save_faq(self, entry: FaqEntry, terms: list[str]) -> None:
        """Insert, or replace the entry with the same id (its search terms too)."""

    async def get_faq(self, faq_id: str) -> FaqEntry | None: ...

    async def faq_for_thread(self, thread_id: str) -> FaqEntry | None: ...

    async def delete_faq(self, faq_id: str) -> FaqEntry | None:
        """Remove the entry; the removed entry, or None when there was none."""

    async def room_faq(self, room: str) -> list[FaqEntry]:
        """The room's FAQ, oldest first."""

    async def search_faq(self, room: str, terms: list[str], limit: int) -> list[FaqEntry]:
        """The room's entries sharing the most terms, best first."""

    async def answered_rooms(self, limit: int) -> list[str]:
        """Rooms with a published answered or resolved question, or an FAQ entry, sorted."""

    # vectors: one per text and embedding model, for look-alikes across languages
    async def unembedded(
        self, kind: Kind, model: str, *, after: str = "", ids: Sequence[str] | None = None,
        limit: int = 100,
    ) -> tuple[list[Embeddable], str | None]:  # fmt: skip
        """Up to `limit` published answered questions (or FAQ entries) by id after `after`
        (or among `ids`), and those of them with no vector for `model`; the cursor to go on
        from (None: nothing after them)."""

    async def save_vectors(self, model: str, vectors: Sequence[Vector]) -> None:
        """Store (or replace) each text's vector, tagged with its room's next version."""

    async def room_vectors(self, room: str, model: str, after: int = 0) -> list[Vector]:
        """What is embedded in the room with `model` (saved after version `after`), by ref."""

    async def vectors_version(self, room: str) -> tuple[int, int]:
        """(version, dropped): the room's version moves whenever one of its vectors is saved
        or dropped; `dropped` is the version of the last drop. (0, 0): never any."""


class Store(
    MaintenanceStore,
    UnitOfWork,
    QAStore,
    ModerationStore,
    StaffStore,
    ReviewStore,
    RewardsStore,
    InsightsStore,
    MailStore,
    OwnersStore,
    PrivacyStore,
    KnowledgeStore,
    Protocol,
):
    """Everything the services need from a database: what the adapters implement."""


# What each write-path service receives (the others take one slice above) -------------------
class PurchaseLookup(Protocol):
    async def has_purchased(self, customer_id: str, room: str) -> bool:
        """Whether the shop says this customer bought the product of `room`."""


class QAUnit(UnitOfWork, QAStore, CaseLookup, PurchaseLookup, Protocol):
    """The Q&A use cases: rooms, threads, answers and votes in units of work."""


class ModerationUnit(UnitOfWork, QAStore, ModerationStore, Protocol):
    """Screening, reports, the sweeper's checks and staff casework."""


class DispatchStore(UnitOfWork, QAStore, CaseLookup, Protocol):
    """The dispatcher: the outbox, and the rows an item is rebuilt from."""


class AwardsStore(LedgerStore, QAStore, Protocol):
    """The rewards listeners: the ledger, and the answers, threads and visitors it is about."""


class InsightsUnit(UnitOfWork, QAStore, CaseLookup, InsightsStore, Protocol):
    """Ratings, and the questions, messages and cases the insights facts are made from."""


class ContributorsStore(LedgerStore, QAStore, ReviewStore, AuditLog, Protocol):
    """A contributor's record for staff: points, counts, and the actions taken about them."""


class MailUnit(UnitOfWork, MailStore, OwnersStore, QAStore, StaffStore, Protocol):
    """E-mail: addresses and consent in units of work, the queue, and the questions and
    rooms an e-mail is about."""


class PrivacyUnit(UnitOfWork, PrivacyStore, QAStore, MailStore, LedgerStore, AuditLog, Protocol):
    """Export and erasure: a visitor's rows everywhere, and the audit of staff requests."""


class KnowledgeUnit(
    UnitOfWork, KnowledgeStore, QAStore, CaseLookup, AuditLog, InsightsStore, Protocol
):
    """FAQ entries, the threads they come from, and the audit of staff changes."""
