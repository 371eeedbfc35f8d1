"""The `entraide` command: run, init-db, seed-demo, create-staff, sweep, rebuild-leaderboards,
train-detectors...

Configuration errors stop here with the variable's name and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config import ConfigError, load_settings

if TYPE_CHECKING:
    import uvicorn

    from app.factory import EntraideApp


def _tune_gc() -> None:
    """Freeze start-up objects and collect less often: python-socketio's per-recipient emit
    tasks made the cyclic collector the latency tail (p99 at C=200, 100 posts/s fell from
    77-92 ms to 11 ms when measured on a 2-core machine; bench/README.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


MAX_WORKERS = 64  # more processes than that on one host is a typo, not a plan


def _workers(text: str) -> int:
    """`--workers`: a whole number of processes from 1 to MAX_WORKERS."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= count <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_WORKERS}, not {count}")
    return count


def worker_app() -> EntraideApp:
    """The app of one `--workers` process (uvicorn's factory): each process builds its own
    and tunes its own collector, as `entraide run` does for its single process."""
    from uvicorn.config import STARTUP_FAILURE

    from app.factory import create_app

    try:
        app = create_app()
    except Exception:
        # uvicorn's supervisor would replace a process that crashed here again and again;
        # this status makes it stop instead, as the whole command should.
        traceback.print_exc()
        sys.exit(STARTUP_FAILURE)
    _tune_gc()
    return app


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from app.realtime.lean import LeanWebSocketProtocol

    port = args.port if args.port is not None else int(os.environ.get("PORT", "5000"))
    if args.workers == 1:
        from app.factory import create_app

        app = create_app()
        settings = app.services.settings
        _tune_gc()
    else:
        # Checked once, before any process starts: a wrong setting stops the command with its
        # name, and the development secret (made on first use) is written once, not raced.
        settings = load_settings()
        if settings.redis_url is None:
            raise ConfigError(
                f"--workers {args.workers} needs ENTRAIDE_REDIS_URL: broadcasts between the"
                " processes, presence and rate limits are kept in Redis"
            )
    proxies = list(settings.forwarded_allow_ips)
    options: dict[str, Any] = {
        "host": args.host,
        "port": port,
        "ws": LeanWebSocketProtocol,  # websockets-sansio, smaller per connection
        "ws_per_message_deflate": False,
        # Engine.IO pings every client every 25 s and drops one that stays silent; uvicorn's
        # own WebSocket pings would add a timer and a frame per connection every 20 s.
        "ws_ping_interval": None,
        "lifespan": "on",
        "log_level": args.log_level,
        # Client addresses (per-address limits) come from X-Forwarded-For only when the
        # peer is a proxy the operator named; uvicorn's own default would trust 127.0.0.1.
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
    }
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
    print(f"Entraide is starting: demo shop at http://{shown}:{port}/demo", flush=True)
    if args.workers == 1:
        # `workers` given: uvicorn would otherwise read $WEB_CONCURRENCY and refuse the app.
        uvicorn.run(app, workers=1, **options)
        return 0
    config = uvicorn.Config(f"{__name__}:worker_app", factory=True, workers=args.workers,
                            **options)  # fmt: skip
    return _supervise(config)


def _supervise(config: uvicorn.Config) -> int:
    """What `uvicorn.run` does with several workers (bind once, start them, replace any that
    dies, SIGHUP replaces them one by one, SIGTERM stops them), plus an exit status: when a
    process cannot start, the command fails as a single process would (systemd restarts
    it), where uvicorn.run would return as if stopped on purpose."""
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    failed = any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes)
    return STARTUP_FAILURE if failed else 0


async def _init_db() -> None:
    from app.factory import build_store

    store = build_store(load_settings())
    await store.open()
    await store.close()


def cmd_init_db(args: argparse.Namespace) -> int:
    asyncio.run(_init_db())
    print("database ready:", load_settings().database_url)
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from app.seed import seed_demo

    created = asyncio.run(seed_demo())
    print(f"demo shop seeded: {created} new threads")
    return 0


async def _create_staff(args: argparse.Namespace) -> str:
    from app.factory import create_app

    app = create_app()
    await app.services.store.open()
    try:
        staff = await app.services.staff.create(
            email=args.email, password=args.password, role=args.role, name=args.name
        )
    finally:
        await app.services.store.close()
    return f"{staff.role.value} {staff.email} created (id {staff.id})"


def cmd_create_staff(args: argparse.Namespace) -> int:
    from app.domain.errors import EntraideError

    try:
        print(asyncio.run(_create_staff(args)))
    except EntraideError as exc:
        print(f"entraide: {exc.message}", file=sys.stderr)
        return 1
    return 0


async def _sweep(once: bool) -> None:
    from redis.asyncio import Redis

    from app.adapters.redis_lock import sweeper_lock
    from app.factory import build_mail_worker, create_app
    from app.services.sweeper import sweep_forever, sweep_once
    from moderation import warm_up

    app = create_app()
    settings = app.services.settings
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    lock = sweeper_lock(redis, settings.sweep_seconds) if redis is not None else None
    await app.services.store.open()
    warm_up()
    try:
        # Cases and nudges the sweeper writes reach consoles and helpers from here (through
        # Redis when the web runs in other processes).
        async with app.services.dispatcher.running(recover_all=redis is None):
            worker = build_mail_worker(app.services)
            if once:
                await sweep_once(app.services.jobs(), lock)
                if worker is not None:
                    await worker.send_due()
                return
            with app.services.store.after_commit_reads():
                tasks = [asyncio.create_task(sweep_forever(app.services.jobs(), lock,
                                                           settings.sweep_seconds))]  # fmt: skip
                if worker is not None:  # it sends the queue for every process
                    tasks.append(asyncio.create_task(worker.run()))
            await asyncio.gather(*tasks)
    finally:
        await app.services.store.close()
        if redis is not None:
            await redis.aclose()


def cmd_sweep(args: argparse.Namespace) -> int:
    """Note: the sweeper's events reach consoles only through Redis (scaled-out set-up)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_sweep(args.once))
    return 0


async def _rebuild() -> str:
    from redis.asyncio import Redis

    from app.adapters.redis_leaderboards import RedisLeaderboards
    from app.factory import create_app
    from app.services.leaderboards import Leaderboards, StoreLeaderboards

    app = create_app()
    settings, store = app.services.settings, app.services.store
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    boards: Leaderboards = (
        RedisLeaderboards(redis, store) if redis is not None else StoreLeaderboards(store)
    )
    await store.open()
    try:
        kept = await boards.rebuild()
    finally:
        await store.close()
        if redis is not None:
            await redis.aclose()
    where = "the store and Redis" if redis is not None else "the store"
    return f"leaderboards rebuilt from the ledger in {where}: {kept} contributor rows"


def cmd_rebuild(args: argparse.Namespace) -> int:
    print(asyncio.run(_rebuild()))
    return 0


async def _rebuild_insights() -> str:
    from app.factory import create_app

    app = create_app()
    await app.services.store.open()
    try:
        done = await app.services.insights.rebuild()
    finally:
        await app.services.store.close()
    return f"insights rebuilt from the questions: {done} questions"


def cmd_rebuild_insights(args: argparse.Namespace) -> int:
    print(asyncio.run(_rebuild_insights()))
    return 0


async def _digest(week: str | None, lang: str) -> str:
    from app.factory import create_app

    app = create_app()
    await app.services.store.open()
    try:
        _, html = await app.services.digests.render(week, lang)
    finally:
        await app.services.store.close()
    return html


def cmd_digest(args: argparse.Namespace) -> int:
    from app.domain.errors import EntraideError

    try:
        html = asyncio.run(_digest(args.week, args.lang))
    except EntraideError as exc:
        print(f"entraide: {exc.message}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_text(html, encoding="utf-8")
    else:
        sys.stdout.write(html)
    return 0


def cmd_train_detectors(args: argparse.Namespace) -> int:
    """Train the detectors' model from the corpus (and a feedback export), write it, print
    its scores on the corpus' untouched test part next to the rules alone."""
    from moderation.learned import SHIPPED_PATH, ModelError, load_corpus, read_feedback
    from moderation.training import CORPUS_PATH, build

    corpus_path = Path(args.corpus) if args.corpus else CORPUS_PATH
    out = Path(args.out) if args.out else SHIPPED_PATH
    try:
        corpus = load_corpus(corpus_path)
        feedback = read_feedback(Path(args.feedback)) if args.feedback else []
        if out.exists() and out.is_dir():
            raise ModelError(f"{out} is a directory; give a file name")
        trained = build(corpus, feedback, seed=args.seed)
        trained.model.save(out)
    except (ModelError, OSError) as exc:
        print(f"entraide: {exc}", file=sys.stderr)
        return 1
    model = trained.model
    print(f"model {model.version} written to {out} ({out.stat().st_size / 1024:.0f} KiB)")
    print("thresholds: " + ", ".join(f"{c} {t:.2f}" for c, t in model.thresholds.items()))
    print(trained.rules_test.table("rules only, test part"))
    print(trained.test.table("rules + model, test part"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="entraide", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve pages, API and Socket.IO")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=None, help="default: $PORT or 5000")
    run.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help=f"processes sharing the port (1 to {MAX_WORKERS}; more than 1 needs"
        " ENTRAIDE_REDIS_URL)",
    )
    run.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    run.set_defaults(func=cmd_run)
    sub.add_parser("init-db", help="create the schema / indexes").set_defaults(func=cmd_init_db)
    sub.add_parser("seed-demo", help="fill the demo shop with sample threads").set_defaults(
        func=cmd_seed_demo
    )
    staff = sub.add_parser("create-staff", help="add a moderator or admin account")
    staff.add_argument("--email", required=True)
    staff.add_argument("--password", required=True, help="12 characters or more")
    staff.add_argument("--role", required=True, choices=["moderator", "admin"])
    staff.add_argument("--name", default="", help="shown to shoppers (default: from e-mail)")
    staff.set_defaults(func=cmd_create_staff)
    sweep = sub.add_parser("sweep", help="run the moderation sweeper (Procfile worker)")
    sweep.add_argument("--once", action="store_true", help="one tick, then exit")
    sweep.set_defaults(func=cmd_sweep)
    sub.add_parser(
        "rebuild-leaderboards", help="recompute the leaderboards (store, Redis) from the ledger"
    ).set_defaults(func=cmd_rebuild)
    sub.add_parser(
        "rebuild-insights", help="recompute every question's insights facts from the source"
    ).set_defaults(func=cmd_rebuild_insights)
    digest = sub.add_parser("digest", help="render a week's insights digest as HTML")
    digest.add_argument("--week", help="YYYY-Www (default: the last complete week)")
    digest.add_argument("--lang", default="fr", choices=["fr", "en"])
    digest.add_argument("--out", help="write to this file (default: standard output)")
    digest.set_defaults(func=cmd_digest)
    train = sub.add_parser(
        "train-detectors", help="train the detectors' model (corpus + feedback), print scores"
    )
    train.add_argument("--corpus", help="labelled JSON lines (default: the shipped corpus)")
    train.add_argument("--feedback", help="moderator verdicts, JSON lines {text, code, verdict}")
    train.add_argument("--out", help="model file (default: moderation/model/detectors.json)")
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(func=cmd_train_detectors)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except ConfigError as exc:
        print(f"entraide: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
