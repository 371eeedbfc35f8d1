/*
 * The Socket.IO connection of the panel (namespace "/"): the "reconnecting" line, acks with
 * a timeout and retries. What to do on each (re)connect is the caller's (room.js re-joins).
 */
import { $ } from "../shared/dom.js";
import { ACK_TIMEOUT_MS, RETRY_AFTER_MS, t } from "./config.js";
import { state } from "./state.js";

const line = $(".ep-connection");
let waiters = [];

/** The socket; null until connect() (the Socket.IO client is a classic script: window.io). */
export let socket = null;

/**
 * Open the socket with the visitor's token when there is one. handlers.connected() runs
 * on every (re)connect; handlers.refused() when the server refused our token.
 */
export function connect(handlers) {
  socket = window.io({
    transports: ["websocket"],
    auth: state.visitor ? { token: state.visitor.token } : {},
  });

  socket.on("connect", () => {
    line.hidden = true;
    handlers.connected();
    const ready = waiters;
    waiters = [];
    ready.forEach((fn) => fn());
  });

  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") return; // our own reconnect with a new token
    showReconnecting();
  });

  socket.on("connect_error", () => {
    if (!socket.active && state.visitor) {
      // The server refused our token (expired, secret rotated, banned): read-only again.
      handlers.refused();
      socket.connect();
      return;
    }
    showReconnecting();
  });
  return socket;
}

function showReconnecting() {
  line.hidden = false;
  line.textContent = t("reconnecting");
}

/** The panel cannot run: say so where "Connecting…" was. */
export function showLoadFailed() {
  line.textContent = t("load_failed");
}

export function whenConnected() {
  return new Promise((resolve) => {
    if (socket.connected) resolve();
    else waiters.push(resolve);
  });
}

/**
 * Emit with an ack; on timeout, or an `unavailable` answer (the server could not store it
 * this time: database busy, failover), re-send the very same payload after a short wait
 * (writes carry a client_id, so a retried send lands once). Resolves the ack, or
 * {ok: false, error} — never rejects.
 */
export function emitAck(event, payload, attempts) {
  attempts = attempts || 1;
  return new Promise((resolve) => {
    let tries = 0;
    (function attempt() {
      tries += 1;
      socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, res) => {
        if (err) {
          if (tries < attempts) attempt();
          else resolve({ ok: false, error: { code: "unavailable" } });
          return;
        }
        const busy = res && res.ok === false && res.error && res.error.code === "unavailable";
        if (busy && tries < attempts) {
          setTimeout(attempt, RETRY_AFTER_MS * tries);
          return;
        }
        resolve(res && typeof res === "object" ? res : { ok: false, error: { code: "unknown" } });
      });
    })();
  });
}

/** A fresh id for a write, reused when the same write is retried. */
export function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  // Non-secure contexts (plain http on a LAN) lack randomUUID: build a v4 from getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}
