// A lean Socket.IO client for the load generator (`loadgen.mjs --client lean`).
//
// Why: in the hot room (1,000 clients in one room) socket.io-client's per-packet decoding
// (engine.io parse, socket.io-parser, JSON.parse of every event, its emitters) fills the
// generator's core at ~65,000 receptions/s, before the servers under test saturate. This
// speaks the Engine.IO v4 / Socket.IO v5 protocol itself, over one `ws` WebSocket per client,
// websocket transport only, default namespace only:
//
//   server  0{"sid":...,"pingInterval":...}   Engine.IO OPEN
//   client  40 or 40{"token":...}             CONNECT with the auth payload socket.io-client sends
//   server  40{"sid":...} | 44{...}           CONNECT | CONNECT_ERROR
//   server  2  -> client 3                    PING -> PONG
//   client  42<id>["ask",{...}]               EVENT with an ack id
//   server  43<id>[{...}]                     ACK
//   server  42["event",{...}]                 EVENT (the deliveries: the bulk)
//
// Acks, joins and every other packet are JSON-parsed as socket.io-client would. A delivery of
// a bench post is read by `benchPostId`, one anchored regular expression instead of
// JSON.parse (~0.3 µs instead of ~1.4 µs for a 400-byte event); any event it does not
// recognise falls back to JSON.parse, so it decides exactly as `payload.data.body` would.

import WebSocket from "ws";

// JSON string, scalar (number, true, false, null), and an object of scalars (`author`).
const STR = String.raw`"(?:[^"\\]|\\.)*"`;
const SCALAR = String.raw`(?:${STR}|[-+.\w]+)`;
const FLAT = String.raw`\{(?:${STR}:${SCALAR}(?:,${STR}:${SCALAR})*)?\}`;
const MEMBER = String.raw`${STR}:(?:${SCALAR}|${FLAT}),`;
// `42["event",{...,"data":{...,"body":"bench#<k>#`: the body as a member of the payload's
// `data`, the members before it at either level walked whole (strings with their escapes,
// scalars, flat objects), so a "body" inside another member or inside a string never
// matches. Anything else (another shape, nested members, an escaped "bench") does not match
// and goes to JSON.parse. Only duplicate keys could tell the two apart (JSON.parse keeps the
// last one): no server under test sends any.
const BENCH_EVENT_RE = new RegExp(
  String.raw`^42\["event",\{(?:${MEMBER})*?"data":\{(?:${MEMBER})*?"body":"bench#(\d+)#`,
);

// Events read by the scan, and events parsed (the scan did not recognise them), all clients.
export const eventStats = { scanned: 0, parsed: 0 };

// The post id k of a bench post's delivery `42["event",{..."data":{..."body":"bench#k#...`,
// or -1 when the packet is not one that this scan can read (the caller parses it instead).
export function benchPostId(text) {
  const m = BENCH_EVENT_RE.exec(text);
  return m ? Number(m[1]) : -1;
}

// Socket.IO packet `2<type>[<ack id>]<json>` of the default namespace: {type, id, data}, or
// null when malformed or of another namespace (never sent to these clients).
export function decodePacket(text) {
  const type = text.charCodeAt(1) - 48;
  let i = 2;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const id = i > 2 ? Number(text.slice(2, i)) : null;
  if (text[i] === "/") return null;
  try {
    return { type, id, data: i < text.length ? JSON.parse(text.slice(i)) : undefined };
  } catch {
    return null;
  }
}

// One client. `handlers`: {delivery(k, now), event(name, args, now), disconnect(reason)}:
// `delivery` gets the bench deliveries read by the scan, `event` every other event.
export class LeanSocket {
  constructor(url, { auth, handlers, now }) {
    const u = new URL(url);
    this.url = `ws://${u.host}/socket.io/?EIO=4&transport=websocket`;
    this.auth = auth;
    this.handlers = handlers;
    this.now = now;
    this.connected = false;
    this.closing = false;
    this.nextId = 0;
    this.acks = new Map(); // ack id -> callback(err, ack)
    this.ws = null;
  }

  // Resolves once the server has acknowledged CONNECT; rejects on CONNECT_ERROR, a closed
  // or failed WebSocket, or after timeoutMs.
  connect(timeoutMs) {
    return new Promise((resolve, reject) => {
      const fail = (err) => {
        clearTimeout(timer);
        this.onConnected = null;
        this.close();
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      const timer = setTimeout(() => fail(new Error("timeout")), timeoutMs);
      this.onConnected = (err) => (err ? fail(err) : (clearTimeout(timer), resolve(this)));
      // No per-message deflate (the servers have it off) and no UTF-8 check of each frame:
      // loopback from known servers, and the scan reads ASCII only.
      const ws = new WebSocket(this.url, { perMessageDeflate: false, skipUTF8Validation: true });
      this.ws = ws;
      ws.on("message", (data, isBinary) => { if (!isBinary) this.onMessage(data.toString()); });
      ws.on("error", (err) => this.onClose(err));
      ws.on("close", () => this.onClose(null));
    });
  }

  onMessage(text) {
    const now = this.now();
    switch (text.charCodeAt(0)) {
      case 52: // "4" Engine.IO MESSAGE: a Socket.IO packet
        this.onPacket(text, now);
        break;
      case 50: // "2" PING
        this.ws.send("3");
        break;
      case 48: // "0" OPEN: now CONNECT to the default namespace
        this.ws.send(this.auth === undefined ? "40" : "40" + JSON.stringify(this.auth));
        break;
      case 49: // "1" CLOSE
        this.ws.close();
        break;
      default: // "6" NOOP, and upgrades this transport never asks for
    }
  }

  onPacket(text, now) {
    const k = benchPostId(text);
    if (k >= 0) {
      eventStats.scanned++;
      this.handlers.delivery(k, now);
      return;
    }
    const p = decodePacket(text);
    if (p === null) return;
    if (p.type === 2 && Array.isArray(p.data) && typeof p.data[0] === "string") {
      eventStats.parsed++;
      this.handlers.event(p.data[0], p.data.slice(1), now);
    } else if (p.type === 3 && p.id !== null) {
      this.onAck(p.id, Array.isArray(p.data) ? p.data : []);
    } else if (p.type === 0 && this.onConnected) {
      this.connected = true;
      this.onConnected(null);
      this.onConnected = null;
    } else if (p.type === 4 && this.onConnected) {
      this.onConnected(new Error((p.data && p.data.message) || "connect_error"));
    } else if (p.type === 1) {
      this.disconnected("io server disconnect");
      this.ws.close();
    }
  }

  onAck(id, args) {
    const cb = this.acks.get(id);
    if (!cb) return; // timed out already: socket.io-client drops it too
    this.acks.delete(id);
    cb(null, args[0]);
  }

  onClose(err) {
    if (this.onConnected) {
      this.onConnected(err || new Error("websocket closed"));
      return;
    }
    this.disconnected(this.closing ? "io client disconnect" : err ? "transport error" : "transport close");
  }

  disconnected(reason) {
    if (!this.connected) return;
    this.connected = false;
    for (const cb of this.acks.values()) cb(new Error(`disconnected: ${reason}`));
    this.acks.clear();
    this.handlers.disconnect(reason);
  }

  // emit with an ack: cb(err, ack), err after timeoutMs without one (socket.io-client's
  // `socket.timeout(ms).emit(name, data, cb)`).
  emitWithAck(name, data, timeoutMs, cb) {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      if (this.acks.delete(id)) cb(new Error("operation has timed out"));
    }, timeoutMs);
    this.acks.set(id, (err, ack) => {
      clearTimeout(timer);
      cb(err, ack);
    });
    this.ws.send(`42${id}` + JSON.stringify([name, data]));
  }

  close() {
    this.closing = true;
    if (!this.ws) return;
    if (this.ws.readyState === WebSocket.OPEN && this.connected) this.ws.send("41");
    this.ws.close();
  }
}
