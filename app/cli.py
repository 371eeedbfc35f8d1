"""The `entraide` command: run, init-db, seed-demo.

Configuration errors stop here with the variable's name and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from collections.abc import Sequence

from app.config import ConfigError, load_settings


def _tune_gc() -> None:
    """Freeze start-up objects and collect less often (measured in shared/performance.md:
    python-socketio's per-recipient emit tasks made the collector the latency tail)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from app.factory import create_app

    port = args.port if args.port is not None else int(os.environ.get("PORT", "5000"))
    app = create_app()
    _tune_gc()
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
    print(f"Entraide is starting: demo shop at http://{shown}:{port}/demo", flush=True)
    uvicorn.run(
        app,
        host=args.host,
        port=port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        lifespan="on",
        log_level=args.log_level,
        proxy_headers=True,
    )
    return 0


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="entraide", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve pages, API and Socket.IO in one process")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=None, help="default: $PORT or 5000")
    run.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    run.set_defaults(func=cmd_run)
    sub.add_parser("init-db", help="create the schema / indexes").set_defaults(func=cmd_init_db)
    sub.add_parser("seed-demo", help="fill the demo shop with sample threads").set_defaults(
        func=cmd_seed_demo
    )
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
