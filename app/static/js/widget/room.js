/*
 * The product's room over the socket: join (and re-join) through sync.js, then what the
 * server pushes: room events, presence, typing, notifications and private messages.
 *
 * Protocol (docs/api.md): namespace "/", `join` {room, since, product} acked with {seq,
 * threads, missed, complete}; server events `event` (room events, by seq), `seq` (the
 * room's latest seq, every few seconds), `presence`,
 * `typing`, `notification` (answer, nudge, rank, badge) and `private`.
 */
import { $ } from "../shared/dom.js";
import { config, LANG, PAGE_SIZE, product, ROOM, t, WRITE_ATTEMPTS } from "./config.js";
import { emitAck, socket } from "./connection.js";
import { postToParent } from "./embed.js";
import { announce, showAlert, showError, toast } from "./feedback.js";
import { scheduleLeaders } from "./leaders.js";
import { celebrate } from "./points.js";
import { isMine, me, state } from "./state.js";
import { createRoomSync } from "./sync.js";
import { badgeLabel, rankLabel } from "./text.js";
import {
  authorName, fetchThread, findMessage, isStaff, resetThreads, setMyRank, updateEmpty,
  upsertMessage, upsertThread, viewAction, focusThread,
} from "./threads.js";
import { onTyping } from "./typing.js";

const els = {
  list: $(".ep-thread-list"),
  empty: $("[data-testid=empty]"),
  older: $("[data-testid=load-older]"),
  presence: $(".ep-presence"),
  presenceText: $(".ep-presence__text"),
};

const sync = createRoomSync({ join: sendJoin, reset: resetThreads, snapshot, apply: applyEvent }, { room: ROOM });

/** Listen to the room's server events; the caller calls joinRoom() on every connect. */
export function listen() {
  socket.on("event", onEvent);
  socket.on("presence", onPresence);
  socket.on("seq", (data) => {
    if (data && data.room === ROOM) sync.advertised(data.seq);
  });
  socket.on("typing", onTyping);
  socket.on("notification", onNotification);
  socket.on("private", onPrivate);
}

/** (Re)connected: join from the last seq applied, so a blip loses nothing. */
let linked = config.open_thread; // a link from an e-mail: show that thread once

/** Bring the linked thread into view (fetched if it is older than the first page). */
function openLinkedThread() {
  const id = linked;
  linked = null;
  if (!id) return;
  const shown = state.threads.get(id);
  (shown && shown.messages.size ? Promise.resolve() : fetchThread(id)).then(() => focusThread(id));
}

export function joinRoom() {
  sync.connected();
}

function sendJoin({ id, since }) {
  const payload = {
    room: ROOM,
    since,
    product: {
      title: (product.title || "").slice(0, 200),
      // The server only records absolute http(s) product links.
      url: /^https?:\/\//i.test(product.url || "") ? product.url.slice(0, 500) : "",
      category: (product.category || "").slice(0, 60),
    },
  };
  emitAck("join", payload, WRITE_ATTEMPTS).then((res) => {
    if (!res.ok) {
      if (!sync.failed(id)) return; // a newer join is on its way
      els.list.setAttribute("aria-busy", "false");
      showError(res.error);
      if (sync.seq === null) {
        els.empty.hidden = true;
        showAlert(t("load_failed"), "error");
      }
      return;
    }
    if (!sync.joined(id, res)) return;
    els.list.setAttribute("aria-busy", "false");
    state.synced = true;
    updateEmpty();
    openLinkedThread();
  });
}

function snapshot(threads, { fresh }) {
  threads.forEach((thread) => upsertThread(thread, false, false));
  if (fresh) els.older.hidden = threads.length < PAGE_SIZE;
}

function onEvent(ev) {
  sync.receive(ev);
}

/** One room event, in seq order (live: it just happened; else replayed after a join). */
function applyEvent(ev, { live }) {
  const data = ev.data;
  if (!data || typeof data !== "object") return;
  if (ev.type === "thread.created" || ev.type === "thread.updated") {
    const before = state.threads.get(data.id);
    const wasResolved = before && before.thread.status === "resolved";
    upsertThread(data, live && ev.type === "thread.created" && !isMine(data.author), false);
    // A question staff restored comes back with its answers.
    if (!before && ev.type === "thread.updated" && data.status !== "hidden") fetchThread(data.id);
    if (live) scheduleLeaders();
    if (live && ev.type === "thread.updated" && before && !wasResolved && data.status === "resolved") {
      announce(t("live_resolved"));
    }
  } else if (ev.type === "message.created" || ev.type === "message.updated") {
    const known = findMessage(data.id);
    upsertMessage(data, live && ev.type === "message.created" && !isMine(data.author));
    if (live) scheduleLeaders();
    const entry = state.threads.get(data.thread_id);
    if (live && !known && ev.type === "message.created" && isStaff(data) && entry && isMine(entry.thread.author)) {
      toast(t("notify_staff_reply"), { action: viewAction(data.thread_id) });
      postToParent({ type: "notify" });
    }
  }
  updateEmpty();
}

function onPresence(data) {
  if (!data || data.room !== ROOM || typeof data.online !== "number") return;
  els.presence.hidden = false;
  els.presenceText.textContent = t("online", { n: data.online });
}

function onNotification(data) {
  if (data && data.type === "nudge") {
    onNudge(data);
    return;
  }
  if (data && data.type === "rank") {
    onRank(data);
    return;
  }
  if (data && data.type === "badge") {
    onBadge(data);
    return;
  }
  if (!data || data.type !== "answer") return;
  const name = data.message && data.message.author ? data.message.author.name : "";
  if (data.room === ROOM && data.thread) upsertThread(data.thread, false);
  if (data.room === ROOM && data.message) upsertMessage(data.message, false);
  const text = name ? t("notify_answer", { name }) : data.text || t("notify_answer", { name: "" });
  toast(text, { action: data.room === ROOM ? viewAction(data.thread_id) : null });
  announce(text);
  postToParent({ type: "notify" });
}

/** The server's text in the panel's language, when it sent one. */
function serverText(data) {
  return data.text && typeof data.text === "object" && typeof data.text[LANG] === "string" ? data.text[LANG] : "";
}

/** The visitor was promoted ("You are now a Helper!"): a calm, celebratory toast. */
function onRank(data) {
  if (!me() || typeof data.rank !== "string") return;
  const text = serverText(data) || t("rank_promoted", { rank: rankLabel(data.rank) });
  setMyRank(data.rank);
  celebrate(text);
}

/** A new badge ("New badge: Fast responder"): the same celebratory toast as a promotion. */
function onBadge(data) {
  if (!me() || typeof data.badge !== "string") return;
  celebrate(serverText(data) || t("badge_earned", { badge: badgeLabel(data.badge) }));
}

/** An enthusiast is asked to help with an unanswered question of this room. */
function onNudge(data) {
  // Other rooms' nudges carry no link to their product page: nothing useful to offer here.
  if (data.room !== ROOM || !data.thread || !data.thread.id) return;
  const id = data.thread.id;
  upsertThread(data.thread, false);
  updateEmpty();
  let body = String(data.thread.body || "").replace(/\s+/g, " ").trim();
  const chars = Array.from(body);
  if (chars.length > 80) body = chars.slice(0, 79).join("").trim() + "…";
  toast(t("notify_nudge", { text: body }), { action: viewAction(id, () => focusThread(id, true)) });
  postToParent({ type: "notify" });
}

/** A message only the asker and staff see: staff continuing privately, or our own follow-up. */
function onPrivate(data) {
  if (!data || data.room !== ROOM || !data.message || !data.message.thread_id) return;
  const known = findMessage(data.message.id);
  if (data.thread && data.thread.id) {
    // A thread we do not have is one the crowd never saw (our held question).
    upsertThread(data.thread, false, state.threads.has(data.thread.id) ? undefined : true);
  }
  upsertMessage(data.message, false);
  updateEmpty();
  if (known || isMine(data.message.author)) return;
  // Staff continuing privately, or a shopper's answer kept private (it had personal data).
  toast(isStaff(data.message) ? t("notify_staff_private")
    : t("notify_answer", { name: authorName(data.message.author) }), { action: viewAction(data.message.thread_id) });
  postToParent({ type: "notify" });
}
