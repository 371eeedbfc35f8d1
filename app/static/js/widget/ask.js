/*
 * Asking a question, with "Already answered: does one of these help?" suggestions while
 * typing (GET /api/v1/rooms/<room>/similar), and "Show older questions".
 */
import { getJson } from "../shared/api.js";
import { $, setBusy } from "../shared/dom.js";
import { config, LANG, PAGE_SIZE, ROOM, t } from "./config.js";
import { uuid } from "./connection.js";
import { offerEmail } from "./email.js";
import { openFaq } from "./faq.js";
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
      renderSimilar((body && body.threads) || [], (body && body.faq) || []);
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

/** Instant answers: FAQ entries first, then answered questions, each with its language. */
function renderSimilar(threads, faq) {
  els.similarList.textContent = "";
  faq.slice(0, 3).forEach((entry) => {
    if (!entry || !entry.id) return;
    addSuggestion(entry.question, t("similar_faq"), entry.lang, () => openFaq(entry.id),
      { faq_id: entry.id });
  });
  threads.slice(0, 5).forEach((thread) => {
    if (!thread || !thread.id) return;
    const meta = answersText(thread.answer_count || 0) + " · " + t("status_" + thread.status);
    addSuggestion(thread.body, meta, thread.lang, () => openSimilar(thread), { thread_id: thread.id });
  });
  els.similar.hidden = els.similarList.children.length === 0;
}

function addSuggestion(body, metaText, lang, open, served) {
  const li = document.createElement("li");
  li.className = "ep-similar__row";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "ep-similar__item";
  button.setAttribute("data-testid", "similar-item");
  button.title = t("similar_open");
  const text = document.createElement("span");
  text.className = "ep-similar__text";
  text.textContent = body || "";
  const meta = document.createElement("span");
  meta.className = "ep-similar__meta";
  meta.textContent = metaText;
  if (lang === "fr" || lang === "en") {
    const badge = document.createElement("span");
    badge.className = "ep-lang";
    badge.setAttribute("data-testid", "similar-lang");
    badge.textContent = lang.toUpperCase();
    badge.title = t("lang_" + lang);
    meta.appendChild(badge);
  }
  button.append(text, meta);
  button.addEventListener("click", open);
  const helped = document.createElement("button");
  helped.type = "button";
  helped.className = "ep-link-button ep-similar__served";
  helped.setAttribute("data-testid", "self-served");
  helped.textContent = t("self_served");
  helped.addEventListener("click", () => markServed(served));
  li.append(button, helped);
  els.similarList.appendChild(li);
}

/** "This answered my question": the shop counts a question it did not need to answer. */
function markServed(served) {
  fetch("/api/v1/rooms/" + encodeURIComponent(ROOM) + "/self-served", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(served),
  }).catch(() => { /* counting is best effort */ });
  hideSimilar();
  showNotice(els.notice, t("self_served_thanks"));
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
