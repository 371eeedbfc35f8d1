/*
 * Who the visitor is: a display name exchanged once for a visitor token (POST
 * /api/v1/visitors), kept in localStorage and sent as the socket's auth. Reading needs no
 * identity; every write asks for one first.
 */
import { $, setBusy } from "../shared/dom.js";
import { config, t, WRITE_ATTEMPTS } from "./config.js";
import { emitAck, socket, whenConnected } from "./connection.js";
import { state, VISITOR_KEY } from "./state.js";
import { storage } from "./storage.js";
import { errorText } from "./text.js";

const dialog = $("[data-testid=name-dialog]");
const nameInput = $("#ep-name-input");
const nameError = $("#ep-name-error");
const listeners = [];
let identityPromise = null;
let invite = config.invite || null; // an owner's invitation (from an e-mail), used once

// Invited as an owner: post as that verified customer, not as an identity kept from before.
if (invite && state.visitor && !state.visitor.owner) {
  state.visitor = null;
  storage.remove(VISITOR_KEY);
}

/** fn() runs whenever the visitor gets or loses an identity. */
export function onIdentityChange(fn) {
  listeners.push(fn);
}

function changed() {
  listeners.forEach((fn) => fn());
}

/** Our token died (refused, expired): back to read-only until the next write asks again. */
export function forgetVisitor() {
  state.visitor = null;
  storage.remove(VISITOR_KEY);
  socket.auth = {};
  identityPromise = null;
  changed();
}

/** Resolves once we have a visitor token and a socket connected with it. */
export function ensureIdentity() {
  if (state.visitor) return whenConnected();
  if (identityPromise) return identityPromise;
  identityPromise = askName().then((visitor) => {
    state.visitor = visitor;
    storage.set(VISITOR_KEY, visitor);
    socket.auth = { token: visitor.token };
    // Reconnect so the server sees the token; `connect` re-joins with `since`.
    socket.disconnect().connect();
    changed();
    return whenConnected();
  });
  identityPromise.then(
    () => { identityPromise = null; },
    () => { identityPromise = null; },
  );
  return identityPromise;
}

/** A write: needs an identity; an `unauthorized` ack means our token died, so ask again once. */
export function write(event, payload, attempts) {
  attempts = attempts || WRITE_ATTEMPTS;
  return ensureIdentity()
    .then(() => emitAck(event, payload, attempts))
    .then((res) => {
      if (!res.ok && res.error && res.error.code === "unauthorized") {
        forgetVisitor();
        return ensureIdentity().then(() => emitAck(event, payload, attempts));
      }
      return res;
    });
}

function askName() {
  return new Promise((resolve, reject) => {
    const form = $("form", dialog);
    const submit = $("[data-testid=name-submit]", dialog);
    const cancel = $("[data-testid=name-cancel]", dialog);
    const returnFocus = document.activeElement;
    nameError.textContent = "";
    nameInput.removeAttribute("aria-invalid");

    function cleanup() {
      form.removeEventListener("submit", onSubmit);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      if (dialog.open) dialog.close();
      if (returnFocus && returnFocus.focus) returnFocus.focus();
    }
    function fail(code) {
      nameError.textContent = errorText({ code });
      nameInput.setAttribute("aria-invalid", "true");
      nameInput.focus();
    }
    function onCancel(event) {
      if (event) event.preventDefault();
      cleanup();
      reject(new Error("cancelled"));
    }
    function onSubmit(event) {
      event.preventDefault();
      const name = nameInput.value.trim();
      if (!name || name.length > config.name_max) {
        fail("invalid");
        return;
      }
      setBusy(submit, true);
      fetch("/api/v1/visitors", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        // The shop's signed customer id, when it vouched for one (data-shopper).
        body: JSON.stringify(invite ? { name, invite }
          : config.shopper ? { name, shopper: config.shopper } : { name }),
      }).then((r) => r.json().catch(() => ({})).then((body) => {
        setBusy(submit, false);
        if (r.ok && body && body.id && body.token) {
          cleanup();
          resolve({ id: body.id, name: body.name || name, token: body.token, owner: !!invite });
          invite = null;
        } else if (invite && body && body.error && body.error.field === "invite") {
          invite = null; // spent or expired: the next try posts as a plain visitor
          nameError.textContent = t("invite_used");
        } else {
          fail(body && body.error ? body.error.code : r.status === 429 ? "rate_limited" : "unknown");
        }
      })).catch(() => {
        setBusy(submit, false);
        fail("unavailable");
      });
    }

    form.addEventListener("submit", onSubmit);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    nameInput.focus();
  });
}
