#!/usr/bin/env node
// Reference room server on Node: socket.io 4.x, no storage, no auth, no rules.
//
// The Node counterpart of bench/bare_server.py, with exactly the same events, acks and
// payloads, so `bench/loadgen.mjs --bare` drives either one unchanged:
//
// - `join` {room}: enter the room, ack {"ok": true, "seq": <room seq>}.
// - `ask` {room, body, client_id}: next in-memory seq of the room, broadcast `event`
//   {room, seq, type: "thread.created", data: {...}} to the room, ack {"ok": true, thread}.
// - `leave` {room}: leave the room, ack {"ok": true}.
//
// `data` has the same fields and the same size as bare_server.py's (and Entraide's thread
// view): the same 16-hex-digit id, a 16-character author id, `created_at` in Python's
// `datetime.isoformat()` shape (microseconds and "+00:00"), so all three servers send the
// same bytes per delivery. Server options as the Python servers: no per-message deflate, no
// HTTP compression, ping every 25 s. Stock socket.io otherwise (the `ws` engine, the
// in-memory adapter). GET /healthz answers 200 "ok", any other plain HTTP request 404.
//
// Loopback only. Stops on SIGTERM/SIGINT (bounded: exits within 2 s whatever happens).
//
// Run: node bench/node_server.mjs --port 5200

import { createServer } from "node:http";
import { Server } from "socket.io";

function parseArgs(argv) {
  const opts = { host: "127.0.0.1", port: 5200 };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case "--host": opts.host = next(); break;
      case "--port": opts.port = Number.parseInt(next(), 10); break;
      case "-h": case "--help": usage(null); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!["127.0.0.1", "localhost", "::1"].includes(opts.host)) {
    usage(`refusing to listen on ${opts.host}: this reference server is loopback only`);
  }
  if (!(opts.port > 0 && opts.port < 65536)) usage("--port must be 1..65535");
  return opts;
}

function usage(msg) {
  if (msg) process.stderr.write(`node_server: ${msg}\n`);
  process.stderr.write("usage: node_server.mjs [--host 127.0.0.1] [--port 5200]\n");
  process.exit(msg ? 2 : 0);
}

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

function escapeHtml(s) {
  // Python's html.escape(s, quote=False).
  return s.replace(/[&<>]/g, (c) => HTML_ESCAPES[c]);
}

function isoNow() {
  // datetime.now(UTC).isoformat(): "2026-12-05T10:00:00.123456+00:00" (same length).
  return new Date().toISOString().replace("Z", "000+00:00");
}

const invalid = () => ({ ok: false, error: { code: "invalid", message: "room is required" } });
const hasRoom = (data) => data !== null && typeof data === "object" && typeof data.room === "string";

function main() {
  const opts = parseArgs(process.argv);
  const http = createServer((req, res) => {
    const found = req.url === "/healthz";
    res.writeHead(found ? 200 : 404, { "content-type": "text/plain" });
    res.end(found ? "ok" : "not found");
  });
  const io = new Server(http, {
    path: "/socket.io",
    cors: { origin: "*" },
    perMessageDeflate: false,
    httpCompression: false,
    pingInterval: 25_000,
    serveClient: false,
  });

  const seqs = new Map(); // room -> last seq
  let ids = 0;

  io.on("connection", (socket) => {
    socket.on("join", (data, ack) => {
      if (typeof ack !== "function") return;
      if (!hasRoom(data)) return ack(invalid());
      socket.join(`room:${data.room}`);
      ack({ ok: true, seq: seqs.get(data.room) || 0 });
    });

    socket.on("ask", (data, ack) => {
      if (!hasRoom(data)) {
        if (typeof ack === "function") ack(invalid());
        return;
      }
      const room = data.room;
      const body = data.body === undefined || data.body === null ? "" : String(data.body);
      const seq = (seqs.get(room) || 0) + 1;
      seqs.set(room, seq);
      ids += 1;
      const thread = {
        id: ids.toString(16).padStart(16, "0"),
        room,
        seq,
        status: "open",
        author: { id: socket.id.slice(0, 16), name: "bench", rank: null },
        body,
        html: escapeHtml(body),
        created_at: isoNow(),
        answer_count: 0,
        accepted_message_id: null,
      };
      io.to(`room:${room}`).emit("event", { room, seq, type: "thread.created", data: thread });
      if (typeof ack === "function") ack({ ok: true, thread });
    });

    socket.on("leave", (data, ack) => {
      if (hasRoom(data)) socket.leave(`room:${data.room}`);
      if (typeof ack === "function") ack({ ok: true });
    });
  });

  const shutdown = () => {
    setTimeout(() => process.exit(0), 2000).unref();
    io.close(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  http.listen(opts.port, opts.host, () => {
    process.stderr.write(`node_server: socket.io ${opts.host}:${opts.port} pid ${process.pid}\n`);
  });
}

main();
