// The widget's room sync (app/static/js/widget/sync.js): seq order, duplicates, gaps, replays,
// reconnects. Run with `node --test tests/js/`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createRoomSync } from "../../app/static/js/widget/sync.js";

const ROOM = "canne-spinning-240";

function ev(seq, room = ROOM) {
  return { room, seq, type: "message.created", data: { id: "m" + seq } };
}

/** A sync whose effects are recorded: joins sent, events applied, snapshots, resets. */
function harness() {
  const log = { joins: [], applied: [], snapshots: [], resets: 0 };
  const sync = createRoomSync(
    {
      join: (request) => log.joins.push(request),
      reset: () => {
        log.resets += 1;
      },
      snapshot: (threads, { fresh }) => log.snapshots.push({ threads, fresh }),
      apply: (event, { live }) => log.applied.push({ seq: event.seq, live }),
    },
    { room: ROOM },
  );
  return { sync, log, seqs: () => log.applied.map((a) => a.seq) };
}

/** Connect and answer the first join: the room is at `seq`. */
function joinedAt(seq, threads = []) {
  const h = harness();
  h.sync.connected();
  h.sync.joined(h.log.joins[0].id, { ok: true, seq, threads, missed: [], complete: true });
  return h;
}

describe("first join", () => {
  it("asks from scratch, takes the snapshot as fresh and starts at the ack's seq", () => {
    const h = harness();
    h.sync.connected();
    assert.deepEqual(h.log.joins, [{ id: 1, since: null }]);
    assert.equal(h.sync.joining, true);
    const threads = [{ id: "t1" }];
    assert.equal(h.sync.joined(1, { seq: 7, threads, missed: [], complete: true }), true);
    assert.deepEqual(h.log.snapshots, [{ threads, fresh: true }]);
    assert.equal(h.sync.seq, 7);
    assert.equal(h.sync.joining, false);
  });

  it("buffers live events that arrive before the ack and applies the ones after its seq", () => {
    const h = harness();
    h.sync.connected();
    h.sync.receive(ev(8));
    h.sync.receive(ev(6)); // already in the snapshot
    h.sync.receive(ev(7));
    assert.deepEqual(h.seqs(), []);
    h.sync.joined(1, { seq: 6, threads: [], missed: [], complete: true });
    assert.deepEqual(h.log.applied, [
      { seq: 7, live: true },
      { seq: 8, live: true },
    ]);
    assert.equal(h.sync.seq, 8);
  });
});

describe("live events", () => {
  it("applies events in seq order", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(4));
    h.sync.receive(ev(5));
    h.sync.receive(ev(6));
    assert.deepEqual(h.log.applied, [
      { seq: 4, live: true },
      { seq: 5, live: true },
      { seq: 6, live: true },
    ]);
    assert.equal(h.sync.seq, 6);
    assert.equal(h.log.joins.length, 1);
  });

  it("drops duplicates and events older than the last applied", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(4));
    h.sync.receive(ev(4));
    h.sync.receive(ev(2));
    h.sync.receive(ev(3));
    h.sync.receive(ev(5));
    assert.deepEqual(h.seqs(), [4, 5]);
    assert.equal(h.log.joins.length, 1);
  });

  it("ignores other rooms' events and events without a seq", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(4, "another-room"));
    h.sync.receive({ room: ROOM, type: "thread.created", data: {} });
    h.sync.receive(null);
    assert.deepEqual(h.seqs(), []);
    assert.equal(h.sync.seq, 3);
  });
});

describe("gaps", () => {
  it("a gap asks for a re-join since the last applied seq and keeps the event", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(4));
    h.sync.receive(ev(6)); // 5 is missing
    assert.deepEqual(h.seqs(), [4]);
    assert.deepEqual(h.log.joins[1], { id: 2, since: 4 });
    assert.equal(h.sync.joining, true);
    assert.equal(h.sync.buffered, 1);
  });

  it("after the re-join, the missed events then the buffered ones are applied once each", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(4));
    h.sync.receive(ev(6)); // gap: join #2 since 4
    h.sync.receive(ev(7)); // arrives while joining
    h.sync.joined(2, { seq: 6, threads: [], missed: [ev(5), ev(6)], complete: true });
    assert.deepEqual(h.log.applied, [
      { seq: 4, live: true },
      { seq: 5, live: false },
      { seq: 6, live: false },
      { seq: 7, live: true },
    ]);
    assert.equal(h.sync.seq, 7);
    assert.equal(h.sync.buffered, 0);
    assert.deepEqual(h.log.snapshots.at(-1).fresh, false);
  });

  it("only one join is in flight however many gaps arrive meanwhile", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(6));
    h.sync.receive(ev(8));
    h.sync.receive(ev(9));
    assert.equal(h.log.joins.length, 2);
    assert.equal(h.sync.buffered, 3);
  });

  it("a gap left after the replay starts another join", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(5)); // gap: join #2 since 3
    h.sync.receive(ev(9)); // buffered
    h.sync.joined(2, { seq: 5, threads: [], missed: [ev(4), ev(5)], complete: true });
    assert.deepEqual(h.seqs(), [4, 5]);
    assert.deepEqual(h.log.joins[2], { id: 3, since: 5 });
    assert.equal(h.sync.buffered, 1);
    h.sync.joined(3, { seq: 9, threads: [], missed: [ev(6), ev(7), ev(8), ev(9)], complete: true });
    assert.deepEqual(h.seqs(), [4, 5, 6, 7, 8, 9]);
  });
});

describe("join in flight (the server enters the room before it reads what was missed)", () => {
  it("live events that are also in `missed` are applied once, in order", () => {
    const h = joinedAt(10);
    h.sync.connected(); // a reconnect: join #2 since 10
    // The socket is in the room: 12 and 13 arrive live before the ack, which lists 11-13.
    h.sync.receive(ev(13));
    h.sync.receive(ev(12));
    h.sync.receive(ev(13));
    h.sync.joined(2, { seq: 13, threads: [], missed: [ev(11), ev(12), ev(13)], complete: true });
    assert.deepEqual(h.log.applied, [
      { seq: 11, live: false },
      { seq: 12, live: false },
      { seq: 13, live: false },
    ]);
    assert.equal(h.sync.seq, 13);
    assert.equal(h.sync.buffered, 0);
  });

  it("missed events at or below the last applied seq are skipped, and `missed` is sorted", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(4));
    h.sync.receive(ev(5));
    h.sync.connected(); // join #2 since 5
    h.sync.receive(ev(8)); // live, after the server's read
    h.sync.joined(2, { seq: 7, threads: [], missed: [ev(7), ev(4), ev(6), ev(5), ev(6)], complete: true });
    assert.deepEqual(h.seqs(), [4, 5, 6, 7, 8]);
    assert.deepEqual(h.log.applied.slice(2).map((a) => a.live), [false, false, true]);
  });

  it("events buffered past the ack's seq follow on after it", () => {
    const h = joinedAt(3);
    h.sync.connected();
    h.sync.receive(ev(5));
    h.sync.receive(ev(4));
    h.sync.joined(2, { seq: 3, threads: [], missed: [], complete: true });
    assert.deepEqual(h.seqs(), [4, 5]);
  });
});

describe("complete: false", () => {
  it("reloads from scratch: reset, fresh snapshot at the ack's seq, no partial replay", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(4));
    h.sync.connected(); // after a long disconnection
    h.sync.receive(ev(902)); // live while joining
    const threads = [{ id: "t9" }];
    h.sync.joined(2, { seq: 901, threads, missed: [ev(5), ev(6)], complete: false });
    assert.equal(h.log.resets, 1);
    assert.deepEqual(h.log.snapshots.at(-1), { threads, fresh: true });
    assert.deepEqual(h.seqs(), [4, 902]);
    assert.equal(h.sync.seq, 902);
  });
});

describe("reconnects", () => {
  it("every connect re-joins from the last applied seq", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(4));
    h.sync.connected();
    assert.deepEqual(h.log.joins.at(-1), { id: 2, since: 4 });
    h.sync.joined(2, { seq: 6, threads: [], missed: [ev(5), ev(6)], complete: true });
    h.sync.connected();
    assert.deepEqual(h.log.joins.at(-1), { id: 3, since: 6 });
  });

  it("a reconnect during a join supersedes it: the older ack is ignored", () => {
    const h = joinedAt(3);
    h.sync.connected(); // join #2
    h.sync.connected(); // reconnected again before #2 answered: join #3
    assert.equal(h.sync.joined(2, { seq: 99, threads: [{ id: "old" }], missed: [], complete: false }), false);
    assert.equal(h.log.resets, 0);
    assert.equal(h.sync.seq, 3);
    assert.equal(h.sync.joining, true);
    h.sync.joined(3, { seq: 5, threads: [], missed: [ev(4), ev(5)], complete: true });
    assert.deepEqual(h.seqs(), [4, 5]);
  });

  it("a failed join keeps the buffer; the next connect picks up from the last seq", () => {
    const h = joinedAt(3);
    h.sync.receive(ev(5)); // gap: join #2
    assert.equal(h.sync.failed(2), true);
    assert.equal(h.sync.joining, false);
    assert.equal(h.sync.failed(2), false); // only once
    h.sync.connected(); // join #3 since 3
    assert.deepEqual(h.log.joins.at(-1), { id: 3, since: 3 });
    h.sync.joined(3, { seq: 4, threads: [], missed: [ev(4)], complete: true });
    assert.deepEqual(h.seqs(), [4, 5]);
  });

  it("a first join that failed leaves the room unsynced until the next connect", () => {
    const h = harness();
    h.sync.connected();
    h.sync.failed(1);
    h.sync.receive(ev(2));
    assert.deepEqual(h.seqs(), []);
    assert.equal(h.log.joins.length, 1);
    h.sync.connected();
    assert.deepEqual(h.log.joins.at(-1), { id: 2, since: null });
    h.sync.joined(2, { seq: 1, threads: [], missed: [], complete: true });
    assert.deepEqual(h.seqs(), [2]);
  });
});

describe("advertised seq", () => {
  it("re-joins from the last seq when the room is ahead, then applies what was missed", () => {
    const h = joinedAt(3);
    assert.equal(h.sync.advertised(3), false); // up to date: nothing to do
    assert.equal(h.sync.advertised(5), true);
    assert.deepEqual(
      h.log.joins.map((j) => j.since),
      [null, 3],
    );
    assert.equal(h.sync.advertised(6), false); // a join is already on its way
    h.sync.joined(h.log.joins[1].id, { ok: true, seq: 5, threads: [], missed: [ev(4), ev(5)], complete: true });
    assert.deepEqual(h.seqs(), [4, 5]);
    assert.equal(h.sync.seq, 5);
  });

  it("ignores what is not a number and anything before the first join", () => {
    const h = harness();
    assert.equal(h.sync.advertised(9), false); // never joined: the first join will come
    const joined = joinedAt(2);
    assert.equal(joined.sync.advertised("9"), false);
    assert.equal(joined.log.joins.length, 1);
  });
});
