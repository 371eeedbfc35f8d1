// The bench's lean Socket.IO client (bench/lean_client.mjs): its scan of a delivery must read
// the same post id as JSON.parse + payload.data.body would, or decline (-1) and let the
// packet be parsed. Run with `node --test tests/js/`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { benchPostId, clientFrame, decodePacket, FrameReader } from "../../bench/lean_client.mjs";

const ID_RE = /^bench#(\d+)#/;

// What loadgen.mjs's socket.io-client path reads: k, or -1 for a foreign event.
function parsedPostId(text) {
  const [name, payload] = JSON.parse(text.slice(2));
  const body = name === "event" && payload && payload.data && payload.data.body;
  const m = typeof body === "string" ? ID_RE.exec(body) : null;
  return m ? Number(m[1]) : -1;
}

const packet = (payload, name = "event") => "42" + JSON.stringify([name, payload]);

// Entraide's thread.created (app/services/views.py) and the references' (node_server.mjs).
const entraide = {
  room: "bench-abc-r0",
  seq: 7,
  type: "thread.created",
  data: {
    id: "0f3a", room: "bench-abc-r0", seq: 7, status: "open",
    author: { id: "v1", name: "bench 1", rank: null, staff: false, verified_owner: false },
    body: "bench#42#1234.567# Is this watch", erased: false, html: "bench#42#1234.567# Is this watch",
    created_at: "2026-12-04T21:00:00.000001+00:00", answer_count: 0, accepted_message_id: null,
    held: false,
  },
};

function variant(change) {
  const p = structuredClone(entraide);
  change(p);
  return p;
}

describe("benchPostId", () => {
  it("reads the post id of Entraide's and the references' deliveries", () => {
    assert.equal(benchPostId(packet(entraide)), 42);
    const node = variant((p) => {
      p.data = { id: "1", room: p.room, seq: 7, status: "open",
        author: { id: "x", name: "bench", rank: null }, body: "bench#0#1.000# hi", html: "" };
    });
    assert.equal(benchPostId(packet(node)), 0);
  });

  it("agrees with JSON.parse whenever it answers, and declines what it cannot read", () => {
    const cases = [
      entraide,
      variant((p) => { p.data.body = "not a bench post"; }),
      variant((p) => { p.data.body = 12; }),
      variant((p) => { delete p.data.body; }),
      variant((p) => { p.data.body = "bench#x#"; }),
      // "body" elsewhere: in author, in a string, at the top level, in a nested object
      variant((p) => { delete p.data.body; p.data.author.body = "bench#5#"; }),
      variant((p) => { delete p.data.body; p.data.status = '"body":"bench#6#'; }),
      variant((p) => { delete p.data.body; p.body = "bench#7#"; }),
      variant((p) => { p.extra = { body: "bench#8#" }; }),
      variant((p) => { delete p.data.body; p.data.author.more = { body: "bench#9#" }; }),
      // escapes and odd members before the body
      variant((p) => { p.data.author.name = 'a "quoted\\" name}{,'; }),
      variant((p) => { p.data.status = "caf\u00e9 \u2713"; }),
      variant((p) => { p.data.tags = ["a", "b"]; p.data.body = "bench#10#"; }),
      variant((p) => { p.data.author = {}; }),
      variant((p) => { p.data = { body: "bench#11#x" }; }),
      variant((p) => { p.data = "bench#12#"; }),
    ];
    for (const payload of cases) {
      for (const text of [packet(payload), packet(payload, "presence")]) {
        const k = benchPostId(text);
        if (k >= 0) assert.equal(k, parsedPostId(text), text); // -1: the caller parses it
      }
    }
    // the common shapes are read by the scan, not declined
    assert.equal(benchPostId(packet(variant((p) => { p.data.author.name = 'a "q"'; }))), 42);
    assert.equal(benchPostId(packet(variant((p) => { p.data = { body: "bench#11#x" }; }))), 11);
  });

  it("declines acks, other events and an escaped body", () => {
    assert.equal(benchPostId('431[{"ok":true,"seq":0}]'), -1);
    assert.equal(benchPostId(packet({ room: "r", count: 3 }, "presence")), -1);
    assert.equal(benchPostId('42["event",{"data":{"body":"\\u0062ench#3#"}}]'), -1);
    assert.equal(parsedPostId('42["event",{"data":{"body":"\\u0062ench#3#"}}]'), 3); // parsed instead
  });
});

describe("decodePacket", () => {
  it("splits type, ack id and data", () => {
    assert.deepEqual(decodePacket('4312[{"ok":true}]'), { type: 3, id: 12, data: [{ ok: true }] });
    assert.deepEqual(decodePacket('42["presence",{"n":1}]'), { type: 2, id: null, data: ["presence", { n: 1 }] });
    assert.deepEqual(decodePacket('40{"sid":"a"}'), { type: 0, id: null, data: { sid: "a" } });
    assert.deepEqual(decodePacket("41"), { type: 1, id: null, data: undefined });
    assert.equal(decodePacket('42/staff,["x"]'), null);
    assert.equal(decodePacket("42[oops"), null);
  });
});

// A server frame (unmasked), as a server writes it.
function serverFrame(opcode, payload, fin = true) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 65536) { head[1] = 126; head.writeUInt16BE(n, 2); }
  if (n >= 65536) { head[1] = 127; head.writeBigUInt64BE(BigInt(n), 2); }
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, payload]);
}

function readAll(chunks) {
  const frames = [];
  const reader = new FrameReader((fin, op, buf, start, end) => {
    frames.push([fin, op, buf.toString("utf8", start, end)]);
  });
  for (const c of chunks) {
    // as net's onread does: each read lands in the same reused buffer
    const shared = Buffer.alloc(c.length + 8, 0xaa);
    c.copy(shared, 3);
    reader.push(shared, 3, 3 + c.length);
    shared.fill(0xbb);
  }
  return frames;
}

describe("FrameReader", () => {
  const small = "42" + "x".repeat(100);
  const medium = "42" + "y".repeat(400);
  const large = "42" + "z".repeat(70_000);
  const stream = Buffer.concat([
    serverFrame(1, Buffer.from(small)),
    serverFrame(1, Buffer.from(medium)),
    serverFrame(9, Buffer.from("")),
    serverFrame(1, Buffer.from(large)),
    serverFrame(1, Buffer.from("2")),
  ]);
  const expected = [[true, 1, small], [true, 1, medium], [true, 9, ""], [true, 1, large], [true, 1, "2"]];

  it("reads frames of each length encoding, several to a read", () => {
    assert.deepEqual(readAll([stream]), expected);
  });

  it("reads frames cut anywhere across reads, from a buffer reused between reads", () => {
    for (const cut of [1, 2, 3, 50, 103, 104, 105, 107, 510, 600, stream.length - 1]) {
      assert.deepEqual(readAll([stream.subarray(0, cut), stream.subarray(cut)]), expected, `cut at ${cut}`);
    }
    const bytes = [];
    for (let i = 0; i < 700; i++) bytes.push(stream.subarray(i, i + 1));
    bytes.push(stream.subarray(700));
    assert.deepEqual(readAll(bytes), expected);
  });

  it("refuses a masked frame", () => {
    const reader = new FrameReader(() => {});
    assert.throws(() => reader.push(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 5]), 0, 7), /masked/);
  });
});

describe("clientFrame", () => {
  it("masks the payload with the key it carries", () => {
    for (const n of [0, 3, 125, 126, 300, 65_536]) {
      const payload = Buffer.alloc(n, 0x41);
      const f = clientFrame(1, payload);
      assert.equal(f[0], 0x81);
      assert.equal(f[1] & 0x80, 0x80);
      const len = f[1] & 0x7f;
      const h = len < 126 ? 2 : len === 126 ? 4 : 10;
      assert.equal(len < 126 ? len : len === 126 ? f.readUInt16BE(2) : Number(f.readBigUInt64BE(2)), n);
      const key = f.subarray(h, h + 4);
      const out = Buffer.from(f.subarray(h + 4));
      for (let i = 0; i < out.length; i++) out[i] ^= key[i & 3];
      assert.deepEqual(out, payload);
    }
  });
});
