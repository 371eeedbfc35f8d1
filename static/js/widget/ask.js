/*
 * Asking a question, with "Already answered: does one of these help?" suggestions while
 * typing (GET /api/v1/rooms/<room>/similar), and "Show older questions".
 */
import { getJson } from "../shared/api.js";
import { $, setBusy } from "../shared/dom.js";
import { config, LANG, PAGE_SIZE, ROOM, t } from "./config.js";
import { uuid } from "./connection.js";
import { offerEmail } from "./email.js";
import { hideAlert, showAlert, showError, showNotice } from "./feedback.js";
import { write } from "./identity.js";
import { state } from "./state.js";
import { answersText } from "./text.js";
import { autoGrow, fetchThread, focusThread, updateEmpty, upsertThread } from "./threads.js";

const SIMILAR_DEBOUNCE_MS = 300;

const els = {
  form: $(".ep-ask__form"),
  input: $("#ep-ask-body"),
  submit: $("[data-testid=ask-submit]"),
  notice: $("[data-testid=ask-notice]"),
  similar: $(".ep-similar"),
  similarList: $(".ep-similar__list"),
  older: $("[data-testid=load-older]"),
};
let pending = null; // {body, client_id}: a retry of the same text reuses the client_id
let similarTimer = null;
let similarAbort = null;

export function initAsk() {
  els.input.addEventListener("input", () => {
    autoGrow(els.input);
    clearTimeout(similarTimer);
    similarTimer = setTimeout(fetchSimilar, SIMILAR_DEBOUNCE_MS);
  });
  els.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      els.form.requestSubmit();
    }
  });
  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask();
  });
  els.older.addEventListener("click", loadOlder);
}

function ask() {
  const body = els.input.value.trim();
  if (!body || body.length > config.body_max) {
    els.input.focus();
    showError({ code: "invalid" });
    return;
  }
  if (!pending || pending.body !== body) pending = { body, client_id: uuid() };
  setBusy(els.submit, true);
  write("ask", { room: ROOM, body, client_id: pending.client_id, lang: LANG }).then((res) => {
    setBusy(els.submit, false);
    if (!res.ok) {
      showError(res.error);
      return;
    }
    pending = null;
    els.input.value = "";
    autoGrow(els.input);
    hideSimilar();
    // A held question is shown to its asker only, marked as sent privately to the team.
    if (res.thread) upsertThread(res.thread, false, !!res.held);
    updateEmpty();
    if (res.notice || res.held) {
      hideAlert();
      showNotice(els.notice, res.notice || t("held"));
    } else {
      els.notice.textContent = "";
      showAlert(t("sent_question"), "info");
    }
    offerEmail();
  }, () => setBusy(els.submit, false));
}

function fetchSimilar() {
  const q = els.input.value.trim();
  if (similarAbort) similarAbort.abort();
  if (q.length < 3) {
    hideSimilar();
    return;
  }
  similarAbort = new AbortController();
  getJson("/api/v1/rooms/" + encodeURIComponent(ROOM) + "/similar?q=" + encodeURIComponent(q), similarAbort.signal)
    .catch((error) => {
      if (!error.status) throw error; // aborted or offline
      return { threads: [] };
    })
    .then((body) => {
      if (els.input.value.trim() !== q) return; // the draft moved on (or was sent)
      renderSimilar((body && body.threads) || []);
    })
    .catch(() => { /* aborted or offline: suggestions are a bonus */ });
}

function hideSimilar() {
  clearTimeout(similarTimer);
  if (similarAbort) similarAbort.abort();
  similarAbort = null;
  els.similar.hidden = true;
  els.similarList.textContent = "";
}

function renderSimilar(threads) {
  els.similarList.textContent = "";
  threads.slice(0, 5).forEach((thread) => {
    if (!thread || !thread.id) return;
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "ep-similar__item";
    button.setAttribute("data-testid", "similar-item");
    button.title = t("similar_open");
    const text = document.createElement("span");
    text.className = "ep-similar__text";
    text.textContent = thread.body || "";
    const meta = document.createElement("span");
    meta.className = "ep-similar__meta";
    meta.textContent = answersText(thread.answer_count || 0) + " · " + t("status_" + thread.status);
    button.append(text, meta);
    button.addEventListener("click", () => openSimilar(thread));
    li.appendChild(button);
    els.similarList.appendChild(li);
  });
  els.similar.hidden = els.similarList.children.length === 0;
}

function openSimilar(thread) {
  const entry = state.threads.get(thread.id);
  if (entry && entry.messages.size) {
    focusThread(thread.id);
    return;
  }
  upsertThread(thread, false);
  fetchThread(thread.id).then(() => focusThread(thread.id));
}

function loadOlder() {
  let oldest = null;
  state.threads.forEach((entry) => {
    const seq = entry.thread.seq;
    if (typeof seq === "number" && (oldest === null || seq < oldest)) oldest = seq;
  });
  if (oldest === null) {
    els.older.hidden = true;
    return;
  }
  setBusy(els.older, true);
  getJson("/api/v1/rooms/" + encodeURIComponent(ROOM) + "/threads?cursor=" + oldest)
    .then((body) => {
      setBusy(els.older, false);
      const threads = (body && body.threads) || [];
      threads.forEach((thread) => upsertThread(thread, false, false));
      els.older.hidden = threads.length < PAGE_SIZE || body.next_cursor == null;
      updateEmpty();
    })
    .catch(() => {
      setBusy(els.older, false);
      showError({ code: "unavailable" });
    });
}
