#!/usr/bin/env node
// Socket.IO load generator for Entraide rooms (and for the bare reference server).
//
// C clients spread evenly over R rooms (client i -> room i % R), websocket transport only.
// Each joins its room, then the clients post `ask` at a fixed total rate P posts/s for D
// seconds (post k is sent by client k % C), then the generator waits up to --drain seconds
// for the remaining deliveries. Every post body embeds a post id; every client's `event`
// reception is matched to its post and timed from the emit (one process, one clock).
//
// Bounded: hard caps on clients, rate, duration and total wall time; loopback only.
// Prints exactly one JSON line on stdout (progress goes to stderr). Exit status:
//   0  the run completed (even with undelivered messages: that is a measurement)
//   1  the run failed (setup error, connections/joins failed, server gone)
//   2  bad arguments
//   3  the hard wall-time cap fired
//
// Usage:
//   node bench/loadgen.mjs --url http://127.0.0.1:5000 --clients 1000 --rooms 50 \
//        --rate 200 --duration 10 [--drain 10] [--bare] [--server-pid PID] [--client lean]
//
// --client: socket.io-client (the default, socket.io-client 4.8) or lean (lean_client.mjs:
// the same protocol spoken directly over a WebSocket of its own, cheap enough per reception
// that a hot room's server saturates before the generator does). Both measure the same things
// the same way.

import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import { LeanSocket, eventStats } from "./lean_client.mjs";

const CAPS = { clients: 5000, rooms: 5000, rate: 5000, duration: 120, drain: 60 };

function parseArgs(argv) {
  const opts = {
    url: "http://127.0.0.1:5000",
    clients: 1000,
    rooms: 50,
    rate: 200,
    duration: 10,
    drain: 10,
    bare: false,
    serverPid: 0,
    connectConcurrency: 50,
    visitorConcurrency: 16,
    setupTimeout: 120, // seconds for visitors + connects + joins
    ackTimeout: 10, // seconds
    bodyBytes: 100,
    // Entraide creates a room on its first join. Concurrent first joins can fail (see
    // bench/README.md), so by default the first client of each room joins alone, one room at
    // a time, and only then the others join concurrently. --concurrent-first-join skips that.
    concurrentFirstJoin: false,
    // 0: clients spread evenly over the rooms. S > 0: room sizes follow Zipf's law with
    // exponent S (a shop: a few hot products, a long tail of rooms with one or two shoppers).
    zipf: 0,
    client: "socket.io-client",
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case "--url": opts.url = next(); break;
      case "--clients": opts.clients = intArg(a, next()); break;
      case "--rooms": opts.rooms = intArg(a, next()); break;
      case "--rate": opts.rate = numArg(a, next()); break;
      case "--duration": opts.duration = numArg(a, next()); break;
      case "--drain": opts.drain = numArg(a, next()); break;
      case "--bare": opts.bare = true; break;
      case "--concurrent-first-join": opts.concurrentFirstJoin = true; break;
      case "--server-pid": opts.serverPid = intArg(a, next()); break;
      case "--connect-concurrency": opts.connectConcurrency = intArg(a, next()); break;
      case "--setup-timeout": opts.setupTimeout = numArg(a, next()); break;
      case "--ack-timeout": opts.ackTimeout = numArg(a, next()); break;
      case "--body-bytes": opts.bodyBytes = intArg(a, next()); break;
      case "--zipf": opts.zipf = numArg(a, next()); break;
      case "--client": opts.client = next(); break;
      case "-h": case "--help": usage(null); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  const u = new URL(opts.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) {
    usage(`refusing non-loopback target ${u.hostname}: this generator only loads 127.0.0.1`);
  }
  for (const k of ["clients", "rooms", "rate", "duration", "drain"]) {
    if (!(opts[k] > 0) && !(k === "drain" && opts[k] === 0)) usage(`--${k} must be > 0`);
    if (opts[k] > CAPS[k]) usage(`--${k} ${opts[k]} exceeds the hard cap ${CAPS[k]}`);
  }
  if (opts.rooms > opts.clients) usage("--rooms must be <= --clients");
  if (opts.bodyBytes < 60 || opts.bodyBytes > 1500) usage("--body-bytes must be in 60..1500");
  if (!(opts.zipf >= 0 && opts.zipf <= 3)) usage("--zipf must be in 0..3");
  if (!["socket.io-client", "lean"].includes(opts.client)) usage("--client must be socket.io-client or lean");
  return opts;
}

function intArg(name, v) {
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n) || String(n) !== v.trim()) usage(`${name} wants an integer, got ${v}`);
  return n;
}

function numArg(name, v) {
  const n = Number(v);
  if (!Number.isFinite(n)) usage(`${name} wants a number, got ${v}`);
  return n;
}

function usage(msg) {
  if (msg) process.stderr.write(`loadgen: ${msg}\n`);
  process.stderr.write(
    "usage: loadgen.mjs --url http://127.0.0.1:PORT [--clients C] [--rooms R] [--rate P]\n" +
      "       [--duration D] [--drain S] [--bare] [--server-pid PID] [--concurrent-first-join]\n" +
      "       [--zipf S] [--client socket.io-client|lean]\n",
  );
  process.exit(msg ? 2 : 0);
}

const opts = parseArgs(process.argv);
const log = (m) => process.stderr.write(`[loadgen ${new Date().toISOString().slice(11, 23)}] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Hard wall-time cap: setup + load + drain + slack. Fires even if something hangs.
const HARD_CAP_S = opts.setupTimeout + opts.duration + opts.drain + 30;
const hardTimer = setTimeout(() => {
  finish({ ok: false, error: `hard wall-time cap of ${HARD_CAP_S}s reached` }, 3);
}, HARD_CAP_S * 1000);

// ----------------------------------------------------------------------------------------
// /proc readings of the server process (RSS, CPU ticks)
function procStatus(pid) {
  if (!pid) return null;
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => {
      const m = text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
      return m ? Number(m[1]) : null;
    };
    return { rss_kb: kb("VmRSS"), hwm_kb: kb("VmHWM") };
  } catch {
    return null;
  }
}

function procDetail(pid) {
  // user/system split of the server and its context switches summed over its threads:
  // thread hand-offs (aiosqlite, asyncio.to_thread) on a one-core server cost switches.
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let ctx = 0;
    let threads = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const st = readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8");
        const v = st.match(/^voluntary_ctxt_switches:\s+(\d+)/m);
        const nv = st.match(/^nonvoluntary_ctxt_switches:\s+(\d+)/m);
        ctx += (v ? Number(v[1]) : 0) + (nv ? Number(nv[1]) : 0);
        threads++;
      } catch {
        /* thread ended meanwhile */
      }
    }
    return { user: Number(f[11]) / 100, system: Number(f[12]) / 100, ctx, threads };
  } catch {
    return null;
  }
}

function procCpuSeconds(pid) {
  // utime + stime of the process (all its threads), in seconds.
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // fields 14, 15 of stat(5)
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function procCpuTimes() {
  // Per-core jiffies from /proc/stat: { cpu0: {busy, total, steal}, ... }. The machine is
  // shared: other processes on the server's core show up as busy time the server did not use.
  try {
    const out = {};
    for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
      const m = line.match(/^(cpu\d+)\s+(.*)$/);
      if (!m) continue;
      const v = m[2].trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal
      const idle = v[3] + v[4];
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      out[m[1]] = { busy: total - idle - v[7], total, steal: v[7] };
    }
    return out;
  } catch {
    return null;
  }
}

function psiTotals() {
  // Pressure stall information, machine-wide: microseconds during which some task waited on
  // I/O or on a CPU. A shared machine's disk contention shows here, not in CPU numbers.
  const out = {};
  for (const kind of ["io", "cpu"]) {
    try {
      const m = readFileSync(`/proc/pressure/${kind}`, "utf8").match(/^some .*total=(\d+)/m);
      if (m) out[kind] = Number(m[1]);
    } catch {
      /* no PSI on this kernel */
    }
  }
  return out;
}

function cpuBusyPct(a, b) {
  if (!a || !b) return null;
  const res = {};
  for (const k of Object.keys(b)) {
    if (!a[k]) continue;
    const dt = b[k].total - a[k].total;
    const pct = (x) => Math.round((1000 * x) / Math.max(1, dt)) / 10;
    res[k] = { busy: pct(b[k].busy - a[k].busy), steal: pct(b[k].steal - a[k].steal) };
  }
  return res;
}

// ----------------------------------------------------------------------------------------
// setup: visitors, connections, joins

async function pool(n, concurrency, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  });
  await Promise.all(workers);
}

async function createVisitor(i) {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), 10_000);
  try {
    const resp = await fetch(`${opts.url}/api/v1/visitors`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: `bench ${i}` }),
      signal: ctl.signal,
    });
    const text = await resp.text();
    if (resp.status !== 201) throw new Error(`POST /api/v1/visitors -> ${resp.status} ${text.slice(0, 200)}`);
    return JSON.parse(text).token;
  } finally {
    clearTimeout(t);
  }
}

const runId = Math.random().toString(36).slice(2, 8);
const roomName = (r) => `bench-${runId}-r${r}`;

const clients = []; // { socket, room }
const counters = {
  disconnects: 0,
  disconnectReasons: {},
  foreignEvents: 0, // `event` receptions not matching any post of this run
  duplicateDeliveries: 0,
  presence: 0,
};

// Post bookkeeping. Post k: sentAt (ms), room, expected receivers, receivers so far.
const maxPosts = Math.ceil(opts.rate * opts.duration) + 10;
const sentAt = new Float64Array(maxPosts).fill(NaN);
const postRoom = new Int32Array(maxPosts);
const receivedCount = new Int32Array(maxPosts);
const ackLat = new Float64Array(maxPosts).fill(NaN);
const ackErrors = {};
let postsSent = 0;
let acksOk = 0;
let heldAcks = 0; // acked `held: true`: kept from the crowd by moderation, never broadcast
let heldExpected = 0;
let ackTimeouts = 0;

const roomOf = assignRooms(opts.clients, opts.rooms, opts.zipf); // client -> room
// Who posts the k-th post: clients in turn; with Zipf sizes in a shuffled turn, so that the
// first posts do not all come from each room's first client (one per room, uniform).
const postOrder = Int32Array.from({ length: opts.clients }, (_, i) => i);
if (opts.zipf > 0) shuffle(postOrder, seeded(0x2545f491));
const roomSize = new Int32Array(opts.rooms);
for (const r of roomOf) roomSize[r]++;
let expectedTotal = 0; // filled as posts are sent
const maxDeliveries = maxPosts * Math.max(...roomSize);
const deliveryLat = new Float64Array(maxDeliveries);
let deliveries = 0;
let firstPostAt = NaN;
let lastDeliveryAt = NaN;

const ID_RE = /^bench#(\d+)#/;

// mulberry32: a small seeded PRNG, so every run (and every server) gets the same rooms.
function seeded(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items, rand) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

// Client i's room. Clients 0..R-1 take rooms 0..R-1 (each room's first join is made alone,
// see main); the others are spread evenly, or by Zipf weights 1/(r+1)^S, in an order
// shuffled with a fixed seed so that consecutive posts (client k % C) visit different rooms.
function assignRooms(clients, rooms, zipf) {
  const out = new Int32Array(clients);
  for (let i = 0; i < rooms; i++) out[i] = i;
  if (zipf === 0) {
    for (let i = rooms; i < clients; i++) out[i] = i % rooms;
    return out;
  }
  const weights = Array.from({ length: rooms }, (_, r) => 1 / (r + 1) ** zipf);
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((clients * w) / total)));
  let extra = clients - sizes.reduce((a, b) => a + b, 0);
  for (let r = 0; extra > 0; r = (r + 1) % rooms, extra--) sizes[r]++; // top rooms first
  for (let r = rooms - 1; extra < 0; r = r > 0 ? r - 1 : rooms - 1) {
    if (sizes[r] > 1) { sizes[r]--; extra++; } // too many (tail rooms raised to one): trim the smallest
  }
  const rest = [];
  sizes.forEach((n, r) => { for (let j = 1; j < n; j++) rest.push(r); });
  shuffle(rest, seeded(0x9e3779b9));
  rest.forEach((r, i) => { out[rooms + i] = r; });
  return out;
}

function onEvent(payload, now = performance.now()) {
  const body = payload && payload.data && payload.data.body;
  const m = typeof body === "string" ? ID_RE.exec(body) : null;
  onDelivery(m ? Number(m[1]) : -1, now);
}

// Post k's delivery to one client (k = -1: an `event` that is no post of this run). The
// lean client calls this straight from its scan of the packet, without parsing the event.
function onDelivery(k, now) {
  if (k < 0 || !(k < postsSent) || Number.isNaN(sentAt[k])) {
    counters.foreignEvents++;
    return;
  }
  if (receivedCount[k] >= roomSize[postRoom[k]]) {
    counters.duplicateDeliveries++;
    return;
  }
  receivedCount[k]++;
  if (deliveries < maxDeliveries) deliveryLat[deliveries] = now - sentAt[k];
  deliveries++;
  lastDeliveryAt = now;
}

function countDisconnect(reason) {
  counters.disconnects++;
  counters.disconnectReasons[reason] = (counters.disconnectReasons[reason] || 0) + 1;
}

function connectLean(i, token) {
  const socket = new LeanSocket(opts.url, {
    auth: token ? { token } : undefined,
    now: () => performance.now(),
    handlers: {
      delivery: onDelivery,
      event: (name, args, now) => {
        if (name === "event") onEvent(args[0], now);
        else if (name === "presence") counters.presence++;
      },
      disconnect: countDisconnect,
    },
  });
  return socket.connect(20_000).catch((err) => {
    throw new Error(`client ${i} connect: ${err && err.message ? err.message : err}`);
  });
}

// emit with an ack, either client: cb(err, ack), err after timeoutMs without an ack.
function emitWithAck(socket, name, data, timeoutMs, cb) {
  if (opts.client === "lean") socket.emitWithAck(name, data, timeoutMs, cb);
  else socket.timeout(timeoutMs).emit(name, data, cb);
}

function connectClient(i, token) {
  if (opts.client === "lean") return connectLean(i, token);
  return new Promise((resolve, reject) => {
    const socket = io(opts.url, {
      transports: ["websocket"],
      forceNew: true,
      multiplex: false,
      reconnection: false,
      timeout: 20_000,
      auth: token ? { token } : undefined,
    });
    const fail = (err) => {
      socket.close();
      reject(new Error(`client ${i} connect: ${err && err.message ? err.message : err}`));
    };
    socket.once("connect_error", fail);
    socket.once("connect", () => {
      socket.off("connect_error", fail);
      socket.on("event", onEvent);
      socket.on("presence", () => { counters.presence++; });
      socket.on("disconnect", countDisconnect);
      resolve(socket);
    });
  });
}

async function joinClient(i) {
  const { socket, room } = clients[i];
  const join = {
    room: roomName(room),
    since: null,
    product: { title: `Bench room ${room}`, url: "https://shop.example/bench", category: "bench" },
  };
  const ack = await new Promise((resolve, reject) => {
    emitWithAck(socket, "join", join, 20_000, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
  if (!ack || ack.ok !== true) throw new Error(`client ${i} join refused: ${JSON.stringify(ack).slice(0, 300)}`);
}

// ----------------------------------------------------------------------------------------
// load

// Shoppers ask different questions: one text repeated by everyone would be held as spam by
// Entraide's moderation (the same text posted again and again) and never broadcast, which
// would measure less work than a real room. Each post picks its words from k alone, so a
// run is reproducible and every server gets the same bodies.
const PARTS = [
  ["Is", "Does", "Can", "Will", "Est-ce que", "Would", "Could", "Do you know if"],
  ["this watch", "the strap", "the steel case", "the leather band", "the crystal", "la montre",
   "le bracelet", "the clasp", "the dial", "the crown", "la boucle", "the bezel"],
  ["stay waterproof to 50 metres", "fit a small wrist", "survive a swim in the sea",
   "come in a gift box", "scratch easily", "tenir la pluie", "work with a 16 cm wrist",
   "fade in the sun", "need a new battery soon", "keep time when it is cold"],
  ["after a year?", "for daily wear?", "when diving?", "on a hike?", "pour le sport ?",
   "in winter?", "for a child?", "with sweat?", "au quotidien ?", "on holiday?"],
];

function makeBody(k, t) {
  // ~bodyBytes of ASCII-ish text, the post id first so receivers can match it.
  const head = `bench#${k}#${t.toFixed(3)}# `;
  let body = head;
  let n = k * 2654435761 % 4294967296; // Knuth's multiplicative hash: words vary with k
  while (body.length < opts.bodyBytes) {
    for (const words of PARTS) {
      body += words[n % words.length] + " ";
      n = Math.floor(n / words.length) + 7919;
    }
  }
  return body.slice(0, opts.bodyBytes);
}

function sendPost(k) {
  const c = postOrder[k % opts.clients];
  const { socket, room } = clients[c];
  const t = performance.now();
  sentAt[k] = t;
  postRoom[k] = room;
  expectedTotal += roomSize[room];
  postsSent = k + 1;
  const ask = { room: roomName(room), body: makeBody(k, t), client_id: `bench-${runId}-${k}` };
  emitWithAck(socket, "ask", ask, opts.ackTimeout * 1000, (err, ack) => {
    if (err) {
      ackTimeouts++;
      return;
    }
    if (ack && ack.ok === true) {
      acksOk++;
      ackLat[k] = performance.now() - t;
      if (ack.held === true) {
        heldAcks++;
        heldExpected += roomSize[room];
      }
    } else {
      const code = (ack && ack.error && ack.error.code) || "malformed_ack";
      ackErrors[code] = (ackErrors[code] || 0) + 1;
    }
  });
}

function runLoad() {
  // A 2 ms ticker sends every post whose scheduled time (start + k/P) has come, so the
  // offered rate stays exact even when timers fire late (late posts go out in a burst and
  // count their latency from their real emit time).
  return new Promise((resolve) => {
    const total = Math.round(opts.rate * opts.duration);
    const start = performance.now();
    firstPostAt = start;
    let k = 0;
    let maxBurst = 0;
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * opts.rate) + 1);
      maxBurst = Math.max(maxBurst, due - k);
      while (k < due) sendPost(k++);
      if (k >= total) {
        clearInterval(timer);
        resolve({ sendWindowMs: performance.now() - start, maxBurst });
      }
    }, 2);
  });
}

async function drain() {
  const end = performance.now() + opts.drain * 1000;
  while (performance.now() < end) {
    if (deliveries >= expectedTotal - heldExpected && acksOk + ackTimeouts + sumValues(ackErrors) >= postsSent) return;
    await sleep(20);
  }
}

// ----------------------------------------------------------------------------------------
// results

function sumValues(o) {
  return Object.values(o).reduce((a, b) => a + b, 0);
}

function percentiles(arr, n) {
  if (n === 0) return { p50: null, p95: null, p99: null, max: null };
  const a = arr.slice(0, n).sort();
  const at = (q) => a[Math.min(n - 1, Math.ceil(q * n) - 1)];
  const r = (x) => Math.round(x * 100) / 100;
  return { p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(a[n - 1]) };
}

let finished = false;
function finish(result, code) {
  if (finished) return;
  finished = true;
  clearTimeout(hardTimer);
  process.stdout.write(JSON.stringify(result) + "\n");
  for (const c of clients) {
    try { c.socket.close(); } catch { /* closing anyway */ }
  }
  // Give stdout a moment to flush, then leave without waiting for sockets to close.
  setTimeout(() => process.exit(code), 50).unref();
  setTimeout(() => process.exit(code), 2000);
}

async function main() {
  const base = {
    mode: opts.bare ? "bare" : "entraide",
    client: opts.client,
    url: opts.url,
    clients: opts.clients,
    rooms: opts.rooms,
    rate: opts.rate,
    duration_s: opts.duration,
    drain_s: opts.drain,
    body_bytes: opts.bodyBytes,
    concurrent_first_join: opts.concurrentFirstJoin,
    zipf: opts.zipf,
    largest_room: Math.max(...roomSize),
  };
  const setupDeadline = performance.now() + opts.setupTimeout * 1000;
  const withSetupDeadline = (p, what) =>
    Promise.race([
      p,
      sleep(Math.max(0, setupDeadline - performance.now())).then(() => {
        throw new Error(`setup timeout (${opts.setupTimeout}s) during ${what}`);
      }),
    ]);

  // 1. visitors (tokens)
  const tokens = new Array(opts.clients).fill(null);
  const t0 = performance.now();
  if (!opts.bare) {
    await withSetupDeadline(
      pool(opts.clients, opts.visitorConcurrency, async (i) => { tokens[i] = await createVisitor(i); }),
      "visitor creation",
    );
    log(`created ${opts.clients} visitors in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  }
  // 2. connections
  const t1 = performance.now();
  await withSetupDeadline(
    pool(opts.clients, opts.connectConcurrency, async (i) => {
      const socket = await connectClient(i, tokens[i]);
      clients[i] = { socket, room: roomOf[i] };
    }),
    "connect",
  );
  log(`connected ${opts.clients} clients in ${((performance.now() - t1) / 1000).toFixed(1)}s`);
  // 3. joins
  const t2 = performance.now();
  const firstJoins = opts.concurrentFirstJoin ? 0 : opts.rooms; // clients 0..R-1: one per room
  await withSetupDeadline(pool(firstJoins, 1, joinClient), "first join of each room");
  await withSetupDeadline(
    pool(opts.clients - firstJoins, opts.connectConcurrency, (i) => joinClient(firstJoins + i)),
    "join",
  );
  log(`joined ${opts.rooms} rooms in ${((performance.now() - t2) / 1000).toFixed(1)}s`);
  await sleep(500); // let presence broadcasts settle before measuring
  const rssBefore = procStatus(opts.serverPid);

  // 4. load + drain, with CPU accounting of both sides
  const serverCpu0 = procCpuSeconds(opts.serverPid);
  const detail0 = procDetail(opts.serverPid);
  const cores0 = procCpuTimes();
  const psi0 = psiTotals();
  const genCpu0 = process.cpuUsage();
  const wall0 = performance.now();
  log(`posting ${opts.rate}/s for ${opts.duration}s (${Math.round(opts.rate * opts.duration)} posts)`);
  const load = await runLoad();
  const genCpuLoad = process.cpuUsage(genCpu0);
  const wallLoad = performance.now() - wall0;
  await drain();
  const wallAll = performance.now() - wall0;
  const genCpuAll = process.cpuUsage(genCpu0);
  const serverCpu1 = procCpuSeconds(opts.serverPid);
  const detail1 = procDetail(opts.serverPid);
  const cores1 = procCpuTimes();
  const psi1 = psiTotals();
  const rssAfter = procStatus(opts.serverPid);
  const connected = clients.filter((c) => c.socket.connected).length;

  const lat = percentiles(deliveryLat, Math.min(deliveries, maxDeliveries));
  const acks = [];
  for (let k = 0; k < postsSent; k++) if (!Number.isNaN(ackLat[k])) acks.push(ackLat[k]);
  const ackP = percentiles(Float64Array.from(acks), acks.length);
  const deliverySpanS = Number.isNaN(lastDeliveryAt) ? NaN : (lastDeliveryAt - firstPostAt) / 1000;
  const r2 = (x) => (x === null || Number.isNaN(x) ? null : Math.round(x * 100) / 100);
  const cpuPct = (us) => r2(((us.user + us.system) / 1000 / wallAll) * 100);

  if (opts.serverPid && rssAfter === null) {
    finish({ ...base, ok: false, error: `server pid ${opts.serverPid} is gone` }, 1);
    return;
  }
  finish(
    {
      ...base,
      ok: true,
      posts_sent: postsSent,
      posts_per_s_achieved: r2(postsSent / (load.sendWindowMs / 1000)),
      max_send_burst: load.maxBurst,
      acks_ok: acksOk,
      ack_errors: ackErrors,
      ack_timeouts: ackTimeouts,
      expected_deliveries: expectedTotal,
      delivered: deliveries,
      held: heldAcks,
      undelivered: expectedTotal - heldExpected - deliveries,
      duplicate_deliveries: counters.duplicateDeliveries,
      foreign_events: counters.foreignEvents,
      offered_deliveries_per_s: r2((opts.rate * opts.clients) / opts.rooms),
      delivered_per_s: r2(deliveries / deliverySpanS),
      delivery_span_s: r2(deliverySpanS),
      latency_ms: lat,
      ack_latency_ms: { p50: ackP.p50, p99: ackP.p99, max: ackP.max },
      connections_held: connected,
      disconnects: counters.disconnects,
      disconnect_reasons: counters.disconnectReasons,
      server_pid: opts.serverPid || null,
      server_rss_kb_before_load: rssBefore ? rssBefore.rss_kb : null,
      server_rss_kb: rssAfter ? rssAfter.rss_kb : null,
      server_rss_peak_kb: rssAfter ? rssAfter.hwm_kb : null,
      server_cpu_pct: serverCpu0 === null || serverCpu1 === null
        ? null : r2(((serverCpu1 - serverCpu0) / (wallAll / 1000)) * 100),
      server_user_system_pct: detail0 && detail1
        ? [r2(((detail1.user - detail0.user) / (wallAll / 1000)) * 100),
          r2(((detail1.system - detail0.system) / (wallAll / 1000)) * 100)]
        : null,
      // counts only threads alive at the end (pool threads that exited are not summed)
      server_ctx_switches_per_s: detail0 && detail1 ? r2((detail1.ctx - detail0.ctx) / (wallAll / 1000)) : null,
      server_threads: detail1 ? detail1.threads : null,
      generator_cpu_pct: cpuPct(genCpuAll),
      generator_user_system_pct: [cpuPct({ user: genCpuAll.user, system: 0 }),
        cpuPct({ user: 0, system: genCpuAll.system })],
      generator_cpu_pct_send_window: r2(((genCpuLoad.user + genCpuLoad.system) / 1000 / wallLoad) * 100),
      cores: cpuBusyPct(cores0, cores1), // whole-machine busy % per core (all processes)
      psi_some_pct: Object.fromEntries(
        Object.keys(psi1).filter((k) => k in psi0)
          .map((k) => [k, r2(((psi1[k] - psi0[k]) / 1000 / wallAll) * 100)]),
      ),
      measured_wall_s: r2(wallAll / 1000),
      // lean client: events read by its scan vs JSON-parsed (presence, foreign events, ...)
      ...(opts.client === "lean"
        ? { lean_events_scanned: eventStats.scanned, lean_events_parsed: eventStats.parsed }
        : {}),
    },
    0,
  );
}

main().catch((err) => {
  finish({ ok: false, mode: opts.bare ? "bare" : "entraide", client: opts.client, error: String(err && err.message ? err.message : err) }, 1);
});
