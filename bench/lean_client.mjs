// A lean Socket.IO client for the load generator (`loadgen.mjs --client lean`).
//
// Why: in the hot room (1,000 clients in one room) socket.io-client's per-packet decoding
// (engine.io parse, socket.io-parser, JSON.parse of every event, its emitters) fills the
// generator's core at ~65,000 receptions/s, before the servers under test saturate. This
// speaks the Engine.IO v4 / Socket.IO v5 protocol itself, over one WebSocket per client,
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
//
// The WebSocket itself (RFC 6455, client side) is written here too, on a plain TCP socket
// whose reads all land in one shared buffer (`onread`): with the `ws` package a reception
// still cost ~10 µs of the generator's CPU (a Readable stream push, a Writable frame
// parser, a Buffer per read and per message), a third of it in its stream machinery.

import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { connect as netConnect } from "node:net";

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

// ----------------------------------------------------------------------------------------
// WebSocket frames

// Every client's reads land here; each read is consumed (or its tail copied) before the next.
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

// A client frame: FIN, the opcode, masked with a fresh key as RFC 6455 requires.
export function clientFrame(opcode, payload) {
  const n = payload.length;
  const h = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(h + 4 + n);
  frame[0] = 0x80 | opcode;
  if (h === 2) frame[1] = 0x80 | n;
  else if (h === 4) { frame[1] = 0x80 | 126; frame.writeUInt16BE(n, 2); }
  else { frame[1] = 0x80 | 127; frame.writeBigUInt64BE(BigInt(n), 2); }
  randomFillSync(frame, h, 4);
  for (let i = 0; i < n; i++) frame[h + 4 + i] = payload[i] ^ frame[h + (i & 3)];
  return frame;
}

// Server frames (never masked) from a byte stream: onFrame(fin, opcode, buf, start, end)
// for each whole frame, in order; a frame cut by the end of a read waits for the next one.
export class FrameReader {
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.pending = null; // bytes of a frame cut at the end of the previous read (a copy)
  }

  push(buf, start, end) {
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, buf.subarray(start, end)]);
      [start, end] = [0, buf.length];
      this.pending = null;
    }
    let i = start;
    while (end - i >= 2) {
      const b1 = buf[i + 1];
      if (b1 & 0x80) throw new Error("masked frame from the server");
      let len = b1 & 0x7f;
      let h = 2;
      if (len === 126) {
        if (end - i < 4) break;
        len = buf.readUInt16BE(i + 2);
        h = 4;
      } else if (len === 127) {
        if (end - i < 10) break;
        len = Number(buf.readBigUInt64BE(i + 2));
        h = 10;
      }
      if (end - i < h + len) break;
      this.onFrame((buf[i] & 0x80) !== 0, buf[i] & 0x0f, buf, i + h, i + h + len);
      i += h + len;
    }
    if (i < end) this.pending = Buffer.from(buf.subarray(i, end)); // READ_BUFFER is reused
  }
}

// ----------------------------------------------------------------------------------------
// One client. `handlers`: {delivery(k, now), event(name, args, now), disconnect(reason)}:
// `delivery` gets the bench deliveries read by the scan, `event` every other event.
export class LeanSocket {
  constructor(url, { auth, handlers, now }) {
    const u = new URL(url);
    this.host = u.hostname.replace(/^\[|\]$/g, "");
    this.port = Number(u.port || 80);
    this.hostHeader = u.host;
    this.auth = auth;
    this.handlers = handlers;
    this.now = now;
    this.connected = false;
    this.closing = false;
    this.nextId = 0;
    this.acks = new Map(); // ack id -> callback(err, ack)
    this.sock = null;
    this.head = null; // the HTTP upgrade response, until its blank line
    this.reader = null; // frames, once upgraded
    this.fragments = null; // a fragmented message's parts so far (never seen from these servers)
  }

  // Resolves once the server has acknowledged CONNECT; rejects on CONNECT_ERROR, a refused
  // upgrade, a closed or failed socket, or after timeoutMs.
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
      const key = randomBytes(16).toString("base64");
      this.accept = createHash("sha1").update(key + WS_GUID).digest("base64");
      const sock = netConnect({
        host: this.host,
        port: this.port,
        onread: { buffer: READ_BUFFER, callback: (n, buf) => this.onRead(buf, n) },
      });
      this.sock = sock;
      sock.setNoDelay(true);
      sock.on("connect", () => {
        sock.write(
          `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${this.hostHeader}\r\n` +
            "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      sock.on("error", (err) => this.onClose(err));
      sock.on("close", () => this.onClose(null));
    });
  }

  onRead(buf, n) {
    if (this.reader !== null) {
      try {
        this.reader.push(buf, 0, n);
      } catch (err) {
        this.sock.destroy(err);
      }
      return;
    }
    // Still reading the HTTP response to the upgrade: 101 and the key's accept value.
    this.head = Buffer.concat([this.head || Buffer.alloc(0), buf.subarray(0, n)]);
    const end = this.head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (this.head.length > 16384) this.sock.destroy(new Error("upgrade response too long"));
      return;
    }
    const response = this.head.latin1Slice(0, end);
    const accept = /^sec-websocket-accept:\s*(\S+)/im.exec(response);
    if (!/^HTTP\/1\.1 101 /.test(response) || !accept || accept[1] !== this.accept) {
      this.sock.destroy(new Error(`unexpected server response: ${response.split("\r\n")[0]}`));
      return;
    }
    const rest = this.head;
    this.head = null;
    this.reader = new FrameReader((fin, op, b, s, e) => this.onFrame(fin, op, b, s, e));
    if (end + 4 < rest.length) this.onRead(rest.subarray(end + 4), rest.length - end - 4);
  }

  onFrame(fin, opcode, buf, start, end) {
    if (opcode === OP.text && fin && this.fragments === null) {
      this.onMessage(buf, start, end);
    } else if (opcode === OP.text || opcode === OP.binary || opcode === OP.continuation) {
      this.fragments = this.fragments || { opcode, parts: [] };
      this.fragments.parts.push(Buffer.from(buf.subarray(start, end)));
      if (!fin) return;
      const { opcode: first, parts } = this.fragments;
      this.fragments = null;
      const whole = Buffer.concat(parts);
      if (first === OP.text) this.onMessage(whole, 0, whole.length); // binary: not Socket.IO text
    } else if (opcode === OP.ping) {
      this.sock.write(clientFrame(OP.pong, buf.subarray(start, end)));
    } else if (opcode === OP.close) {
      if (!this.sock.destroyed) this.sock.end(clientFrame(OP.close, buf.subarray(start, Math.min(end, start + 2))));
    }
  }

  // One Engine.IO packet. A bench delivery is read from latin1 text (multibyte UTF-8 never
  // holds a quote, a backslash or a digit, so the scan reads the same); anything else is
  // decoded as UTF-8 and parsed.
  onMessage(buf, start, end) {
    const now = this.now();
    if (buf[start] === 52) { // "4" Engine.IO MESSAGE: a Socket.IO packet
      const k = benchPostId(buf.latin1Slice(start, end));
      if (k >= 0) {
        eventStats.scanned++;
        this.handlers.delivery(k, now);
        return;
      }
    }
    const text = buf.toString("utf8", start, end);
    switch (text.charCodeAt(0)) {
      case 52: // "4" MESSAGE
        this.onPacket(text, now);
        break;
      case 50: // "2" PING
        this.send("3");
        break;
      case 48: // "0" OPEN: now CONNECT to the default namespace
        this.send(this.auth === undefined ? "40" : "40" + JSON.stringify(this.auth));
        break;
      case 49: // "1" CLOSE
        this.sock.end();
        break;
      default: // "6" NOOP, and upgrades this transport never asks for
    }
  }

  send(text) {
    if (!this.sock.destroyed) this.sock.write(clientFrame(OP.text, Buffer.from(text, "utf8")));
  }

  onPacket(text, now) {
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
      this.sock.end();
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
      this.onConnected(err || new Error("connection closed"));
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
    this.send(`42${id}` + JSON.stringify([name, data]));
  }

  close() {
    this.closing = true;
    if (this.sock === null || this.sock.destroyed) return;
    if (this.connected) this.send("41");
    if (this.reader !== null) this.sock.end(clientFrame(OP.close, Buffer.from([0x03, 0xe8]))); // 1000
    else this.sock.destroy();
  }
}
