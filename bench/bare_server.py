"""Reference room server: bare python-socketio on uvicorn, no storage, no auth, no rules.

The framework's own ceiling for the bench: same uvicorn settings as `entraide run`
(websockets-sansio, no permessage-deflate), same gc tuning as app/cli.py `_tune_gc`, same
Socket.IO server options that matter for throughput (async_handlers=False, no http
compression). Handlers:

- `join` {room}: enter the room, ack {"ok": true, "seq": <room seq>}.
- `ask` {room, body, client_id}: next in-memory seq of the room, broadcast `event`
  {room, seq, type: "thread.created", data: {...}} to the room, ack {"ok": true, "thread"}.

`data` has the same fields and about the same size as Entraide's thread view, so both
servers send the same bytes per delivery and the ratio measures everything else (storage,
validation, rendering, rate limiting), not payload size.

Run: .venv/bin/python bench/bare_server.py --port 5100
"""

from __future__ import annotations

import argparse
import gc
import html
import itertools
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import socketio
import uvicorn


def _tune_gc() -> None:
    # Same as app/cli.py `_tune_gc` (copied so the reference does not import the app).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def build_app() -> Any:
    sio = socketio.AsyncServer(
        async_mode="asgi",
        cors_allowed_origins="*",
        async_handlers=False,
        ping_interval=25,
        http_compression=False,
        logger=False,
        engineio_logger=False,
    )
    seqs: defaultdict[str, int] = defaultdict(int)
    ids = itertools.count(1)

    @sio.event
    async def join(sid: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("room"), str):
            return {"ok": False, "error": {"code": "invalid", "message": "room is required"}}
        room = data["room"]
        await sio.enter_room(sid, f"room:{room}")
        return {"ok": True, "seq": seqs[room]}

    @sio.event
    async def ask(sid: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("room"), str):
            return {"ok": False, "error": {"code": "invalid", "message": "room is required"}}
        room = data["room"]
        body = str(data.get("body", ""))
        seqs[room] += 1
        seq = seqs[room]
        thread = {
            "id": f"{next(ids):016x}",
            "room": room,
            "seq": seq,
            "status": "open",
            "author": {"id": sid[:16], "name": "bench", "rank": None},
            "body": body,
            "html": html.escape(body, quote=False),
            "created_at": datetime.now(UTC).isoformat(),
            "answer_count": 0,
            "accepted_message_id": None,
        }
        await sio.emit(
            "event",
            {"room": room, "seq": seq, "type": "thread.created", "data": thread},
            room=f"room:{room}",
        )
        return {"ok": True, "thread": thread}

    @sio.event
    async def leave(sid: str, data: Any) -> dict[str, Any]:
        if isinstance(data, dict) and isinstance(data.get("room"), str):
            await sio.leave_room(sid, f"room:{data['room']}")
        return {"ok": True}

    async def http_app(scope: Any, receive: Any, send: Any) -> None:
        """Everything that is not Socket.IO: /healthz answers 200, the rest 404; lifespan ok."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        found = scope["path"] == "/healthz"
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found else 404,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok" if found else b"not found"})

    return socketio.ASGIApp(sio, other_asgi_app=http_app, socketio_path="socket.io")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5100)
    args = parser.parse_args()
    app = build_app()
    _tune_gc()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        lifespan="on",
        log_level="warning",
    )


if __name__ == "__main__":
    main()
