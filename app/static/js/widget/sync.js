/*
 * The room's event stream, applied strictly in `seq` order: no DOM, no socket, so it is
 * unit-tested on its own (tests/js/sync.test.mjs).
 *
 * Every room event carries the room's `seq` (1, 2, 3...). The client keeps the last seq it
 * applied and:
 * - applies an event whose seq is last + 1;
 * - drops a duplicate (seq <= last);
 * - on a gap (seq > last + 1) keeps the event and re-joins with `since` = last, so the
 *   server replays what was missed;
 * - while a join is in flight, buffers every live event. The server puts the socket in the
 *   room before it reads what was missed, so a live event may arrive before the join's ack
 *   and also be in its `missed`: after the ack, the missed events with seq > last are
 *   applied in order, then the buffered ones with seq > the new last, each seq once;
 * - `complete: false` in the ack means too much was missed to replay: start again from the
 *   ack's snapshot (its threads at its seq);
 * - every (re)connect re-joins with `since` = last, so a blip loses nothing;
 * - the server tells the room its latest seq every few seconds (`seq`): a seq beyond last
 *   re-joins with `since` = last, so a missed event is fetched even when no later one comes.
 *
 * The caller sends the joins and renders: see createRoomSync's handlers.
 */

/**
 * handlers:
 * - join({id, since}): send a join for this room (since: last applied seq, null at first),
 *   then report its answer with joined(id, ack) or failed(id).
 * - reset(): forget every thread (the ack's snapshot replaces them).
 * - snapshot(threads, {fresh}): the ack's threads; fresh when nothing was applied before
 *   (first join, or after a reset).
 * - apply(event, {live}): one room event, in seq order; live is false for a replayed one.
 * options.room: events of other rooms are ignored.
 */
export function createRoomSync(handlers, options = {}) {
  const room = options.room;
  let last = null; // seq of the last event applied; null before the first join's ack
  let pending = null; // id of the join in flight, null when none
  let nextId = 0;
  let buffer = []; // live events received while joining or after a gap, each seq once

  function valid(event) {
    return !!event && typeof event.seq === "number" && (room === undefined || event.room === room);
  }

  function keep(event) {
    if (last !== null && event.seq <= last) return;
    if (buffer.some((other) => other.seq === event.seq)) return;
    buffer.push(event);
  }

  function startJoin() {
    nextId += 1;
    pending = nextId;
    handlers.join({ id: pending, since: last });
    return pending;
  }

  function applyInOrder(event, live) {
    last = event.seq;
    handlers.apply(event, { live });
  }

  /** A live `event` from the socket. */
  function receive(event) {
    if (!valid(event)) return;
    if (pending !== null || last === null) {
      keep(event);
      return;
    }
    if (event.seq <= last) return; // already applied
    if (event.seq > last + 1) {
      keep(event); // a gap: ask the server for what we missed, keep this one for afterwards
      startJoin();
      return;
    }
    applyInOrder(event, true);
  }

  /** The answer to join `id`: {seq, threads, missed, complete}. A superseded join's is ignored. */
  function joined(id, ack) {
    if (id !== pending) return false;
    pending = null;
    const complete = ack.complete !== false;
    if (!complete) {
      handlers.reset();
      last = null;
    }
    const fresh = last === null;
    handlers.snapshot(Array.isArray(ack.threads) ? ack.threads : [], { fresh });
    if (complete && Array.isArray(ack.missed)) {
      ack.missed
        .filter(valid)
        .slice()
        .sort((a, b) => a.seq - b.seq)
        .forEach((event) => {
          if (last === null || event.seq > last) applyInOrder(event, false);
        });
    }
    const seq = typeof ack.seq === "number" ? ack.seq : 0;
    last = Math.max(seq, last === null ? seq : last);
    flush();
    return true;
  }

  /** Join `id` failed (refused, timed out): keep what is buffered for the next join. */
  function failed(id) {
    if (id !== pending) return false;
    pending = null;
    return true;
  }

  /** Apply the buffered events that follow on; a gap among them starts another join. */
  function flush() {
    const events = buffer.sort((a, b) => a.seq - b.seq);
    buffer = [];
    events.forEach(receive);
  }

  /** The room's latest seq, as the server advertises it: fetch what we missed, if any. */
  function advertised(seq) {
    if (typeof seq !== "number" || last === null || pending !== null || seq <= last) return false;
    startJoin();
    return true;
  }

  /** The socket (re)connected: join again from the last applied seq. */
  function connected() {
    return startJoin();
  }

  return {
    receive,
    joined,
    failed,
    advertised,
    connected,
    get seq() {
      return last;
    },
    get joining() {
      return pending !== null;
    },
    get buffered() {
      return buffer.length;
    },
  };
}
