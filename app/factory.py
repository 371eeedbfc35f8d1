"""`create_app`: the one wiring place. Picks adapters from config, registers listeners.

Returns an ASGI app: Socket.IO in front (`/socket.io/`), Quart for everything else. Quart
owns the lifespan, so stores and Redis open in `before_serving` and close after serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import socketio
from quart import Quart
from quart_schema import Info, QuartSchema
from redis.asyncio import Redis

from app.adapters.redis_health import Breaker
from app.adapters.redis_health import connect as connect_redis
from app.adapters.redis_leaderboards import RedisLeaderboards
from app.adapters.redis_limits import limits_storage
from app.adapters.redis_lock import backfill_lock, outbox_recovery_lock, sweeper_lock
from app.adapters.smtp import SmtpTransport
from app.config import Settings, load_settings
from app.realtime.fanout import FanOut
from app.realtime.names import PRESENCE, WIDGET_NAMESPACE, room_channel, visitor_presence
from app.realtime.presence import LocalPresence, Presence, PresenceBroadcast, RedisPresence
from app.realtime.server import (
    SeqBeacon,
    build_server,
    connect_bus,
    run_heartbeat,
    stop_server,
)
from app.realtime.staff import StaffNamespace
from app.realtime.widget import WidgetNamespace
from app.resources import STATIC_DIR, TEMPLATES_DIR
from app.services.bus import EventBus
from app.services.casework import Casework
from app.services.container import Services
from app.services.contributors import Contributors
from app.services.detectors import DetectorTraining
from app.services.digest import Digests
from app.services.gate import Gate
from app.services.identity import Identity
from app.services.insights import InsightsService
from app.services.knowledge import Knowledge
from app.services.leaderboards import Leaderboards, StoreLeaderboards
from app.services.mail import MailService
from app.services.mail_compose import MailComposer
from app.services.mail_links import MailLinks
from app.services.mail_worker import MailWorker
from app.services.moderation import ModerationService
from app.services.outbox import RECOVERY_HOLD, Dispatcher
from app.services.owners import Owners
from app.services.privacy import Privacy
from app.services.qa import QA
from app.services.ratelimit import RateLimits
from app.services.readiness import Readiness
from app.services.rewards import RewardsService
from app.services.semantic import BACKFILL, Embedder, Semantic
from app.services.staff_auth import StaffAccounts
from app.services.sweeper import sweep_forever
from app.services.webhook import Webhook
from app.store.port import Store
from app.web import (
    api,
    crawl,
    errors,
    health,
    i18n,
    mail,
    pages,
    rewards_api,
    shop_api,
    staff_api,
    staff_digest,
    staff_pages,
)
from app.web.snapshots import Snapshots
from moderation import warm_up
from moderation.thresholds import CategoryThresholds, Thresholds

log = logging.getLogger(__name__)
SNAPSHOT_TTL = 10.0  # seconds a JSON room read may show contributors' ranks late


def build_store(settings: Settings) -> Store:
    if settings.database_url.startswith("sqlite:///"):
        from app.store.sqlite import SqliteStore

        return SqliteStore(settings.sqlite_path)
    from app.store.mongo import MongoStore

    return MongoStore.from_url(settings.database_url)


def trust_shop_links(settings: Settings) -> CategoryThresholds:
    """Links to the shops embedding the widget are not spam, even from a new visitor."""
    hosts = {urlsplit(o).hostname or "" for o in settings.allowed_origins if o != "*"} - {""}
    t = settings.moderation
    if not hosts:
        return t

    def trusting(th: Thresholds) -> Thresholds:
        return th.replace(trusted_link_domains=th.trusted_link_domains | hosts)

    return CategoryThresholds(
        trusting(t.default), {name: trusting(th) for name, th in t.categories.items()}
    )


def build_mail_worker(services: Services) -> MailWorker | None:
    """The worker that sends the mail queue over SMTP (None without ENTRAIDE_SMTP_URL)."""
    settings = services.settings
    if not settings.smtp_url:
        return None
    return MailWorker(services.store, SmtpTransport(settings.smtp_url), settings.sender,
                      services.mail.queued)  # fmt: skip


def build_semantic(settings: Settings, store: Store, redis: Redis | None) -> Semantic | None:
    """Semantic look-alikes, or None when the setting or the machine keeps them lexical."""
    if settings.semantic == "off":
        return None
    embedder = load_embedder()
    if embedder is None and settings.semantic == "on":
        raise RuntimeError("ENTRAIDE_SEMANTIC=on but the [semantic] extra cannot run here")
    if embedder is None:
        return None
    lock = backfill_lock(redis, BACKFILL) if redis is not None else None
    return Semantic(store, embedder, lock)


def load_embedder() -> Embedder | None:
    """The bundled model (loaded once per process: tests build many apps)."""
    try:
        from app.adapters import e5  # numpy comes with the extra
    except ImportError:
        log.info("semantic search off: the [semantic] extra is not installed")
        return None
    return e5.load()


class EntraideApp:
    """The running product: an ASGI callable plus handles tests and the CLI need."""

    def __init__(self, quart: Quart, sio: socketio.AsyncServer, services: Services) -> None:
        self.quart = quart
        self.sio = sio
        self.services = services
        self._asgi = socketio.ASGIApp(sio, other_asgi_app=quart, socketio_path="socket.io")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._asgi(scope, receive, send)


def create_app(overrides: dict[str, Any] | None = None, store: Store | None = None) -> EntraideApp:
    """Build the app from the environment plus `overrides`.

    `store` replaces the adapter named by the database URL (tests run the whole product on
    the Mongo adapter over an in-memory MongoDB stand-in this way).
    """
    settings = load_settings(**(overrides or {}))
    assert settings.secret_key is not None
    store = store or build_store(settings)
    bus = EventBus()
    breaker = Breaker()  # one per process: every Redis client here fails fast together
    redis = connect_redis(settings.redis_url, breaker) if settings.redis_url else None
    limits = RateLimits(
        write_rate=settings.write_rate,
        visitor_rate=settings.visitor_rate,
        room_rate=settings.room_rate,
        storage=limits_storage(redis),
        fallback=limits_storage(None) if redis is not None else None,
    )
    gate = Gate(store, limits)
    moderation = ModerationService(
        store,
        gate,
        trust_shop_links(settings),
        respond_within=timedelta(minutes=settings.respond_minutes),
    )
    qa = QA(store, gate, moderation, max_body_chars=settings.max_body_chars)
    leaderboards: Leaderboards = (
        RedisLeaderboards(redis, store) if redis is not None else StoreLeaderboards(store)
    )
    rewards = RewardsService(store, bus, leaderboards, settings.points)
    rewards.subscribe()
    insights = InsightsService(
        store, gate, bus, ZoneInfo(settings.timezone), settings.cost_per_contact
    )
    insights.subscribe()
    counts: Presence = RedisPresence(redis) if redis else LocalPresence()

    async def online(visitor_id: str) -> bool:
        return await counts.count(visitor_presence(visitor_id)) > 0

    composer = None
    if settings.smtp_url and settings.public_url:
        composer = MailComposer(MailLinks(settings.secret_key, settings.public_url))
    mail_service = MailService(store, gate, bus, composer, online)
    mail_service.subscribe_listeners()
    semantic = build_semantic(settings, store, redis)
    if semantic is not None:
        semantic.subscribe(bus)
    recovery = outbox_recovery_lock(redis, RECOVERY_HOLD) if redis is not None else None
    services = Services(
        settings=settings,
        store=store,
        bus=bus,
        limits=limits,
        gate=gate,
        dispatcher=Dispatcher(store, bus, qa.room_changes, recovery, [insights.settled]),
        identity=Identity(store, settings.secret_key, settings.shopper_secret),
        qa=qa,
        moderation=moderation,
        staff=StaffAccounts(store),
        casework=Casework(
            store,
            moderation,
            claim_within=timedelta(minutes=settings.claim_minutes),
            max_body_chars=settings.max_body_chars,
        ),
        rewards=rewards,
        contributors=Contributors(store),
        readiness=Readiness(store),
        insights=insights,
        digests=Digests(insights, settings.digest_dir, settings.public_url, mail_service),
        mail=mail_service,
        owners=Owners(
            store, composer, trust_shop_links(settings), mail_service.queued, settings.shop_api_key
        ),
        knowledge=Knowledge(store, settings.max_body_chars, ZoneInfo(settings.timezone), semantic),
        semantic=semantic,
        detectors=DetectorTraining(store, on_model=moderation.use_model),
        privacy=Privacy(
            store,
            leaderboards,
            rewards,
            insights,
            retention_days=settings.retention_days,
            private_retention_days=settings.private_retention_days,
        ),
    )
    services.qa.ranks = rewards.ranks

    quart = Quart(
        __name__,
        static_folder=str(STATIC_DIR),
        template_folder=str(TEMPLATES_DIR),
    )
    quart.response_class = pages.ClosingResponse
    quart.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=64 * 1024,
        TEMPLATES_AUTO_RELOAD=settings.env == "development",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=(settings.public_url or "").startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    quart.extensions["entraide"] = services
    quart.extensions["entraide.snapshots"] = Snapshots(ttl=SNAPSHOT_TTL)
    quart.extensions["entraide.pages"] = Snapshots(ttl=crawl.MAX_AGE)
    QuartSchema(
        quart,
        info=Info(title="Entraide API", version="1"),
        swagger_ui_path=None,  # the bundled UIs load scripts from a CDN: we serve our own
        redoc_ui_path=None,
        scalar_ui_path=None,
    )
    errors.init_app(quart)
    i18n.init_app(quart)
    blueprints = (api.bp, health.bp, pages.bp, rewards_api.bp, staff_api.bp, staff_pages.bp,
                  staff_digest.bp, mail.bp, shop_api.bp, crawl.bp)  # fmt: skip
    for blueprint in blueprints:
        quart.register_blueprint(blueprint)

    sio = build_server(settings, breaker)
    beacon = SeqBeacon(sio, services.qa.room_seq)
    if isinstance(sio.manager, FanOut):
        sio.manager.recovered = beacon.now

    async def emit_presence(room: str, online: int) -> None:
        await sio.emit(
            PRESENCE,
            {"room": room, "online": online},
            room=room_channel(room),
            namespace=WIDGET_NAMESPACE,
        )

    presence = PresenceBroadcast(counts, emit_presence)
    sio.register_namespace(
        WidgetNamespace(
            services.qa,
            services.moderation,
            services.identity,
            presence,
            limits,
            services.insights,
        )
    )
    sio.register_namespace(StaffNamespace(quart, services.staff))
    connect_bus(sio, bus, services.qa.add_ranks)
    if redis is not None:
        quart.extensions["entraide.redis"] = redis

    webhook = None
    if settings.webhook_url and settings.webhook_secret:
        webhook = Webhook(store, settings.webhook_url, settings.webhook_secret)
        webhook.subscribe(bus)

    @quart.while_serving
    async def lifespan() -> Any:
        await store.open()
        await asyncio.to_thread(warm_up)  # load the sentiment lexicons before the first message
        # Without Redis this is the only process: what an earlier run left in the outbox is
        # ours to deliver now. With Redis, other processes deliver their own fresh items.
        async with services.dispatcher.running(recover_all=redis is None):
            background = []
            if redis is not None:
                background.append(asyncio.create_task(run_heartbeat(sio, counts)))
            background.append(asyncio.create_task(beacon.run()))
            # Background work reads on the store's second reader connection: its reads
            # never queue in front of a request's (the tasks copy this context).
            with store.after_commit_reads():
                worker = build_mail_worker(services)
                if worker is not None and settings.mail_worker == "inprocess":
                    background.append(asyncio.create_task(worker.run()))
                if semantic is not None:
                    background.append(asyncio.create_task(semantic.run()))
                if settings.sweeper == "inprocess":
                    lock = sweeper_lock(redis, settings.sweep_seconds) if redis else None
                    background.append(
                        asyncio.create_task(
                            sweep_forever(services.jobs(), lock, settings.sweep_seconds)
                        )
                    )
            yield
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await presence.close()
            if semantic is not None:
                semantic.close()
        if webhook is not None:
            await webhook.close()
        await stop_server(sio)
        await store.close()
        if redis is not None:
            await redis.aclose()

    return EntraideApp(quart, sio, services)
