/*
 * The thread list: the questions of the room and their answers, as the server describes
 * them (upsertThread / upsertMessage with the objects of events, acks and reads), and what
 * a visitor does on them (answer, mark resolved, vote, accept, report).
 *
 * User content goes in with textContent, except the server-sanitised `html`. A message
 * whose `visibility` is not "public" is labelled so its author knows who can see it; a held
 * question lives only in its asker's list, marked private.
 */
import { getJson } from "../shared/api.js";
import { $, avatar, fromTemplate, setBusy } from "../shared/dom.js";
import { relativeTime, toTime } from "../shared/format.js";
import { config, has, LANG, ROOM, t } from "./config.js";
import { socket, uuid } from "./connection.js";
import { showError, showNotice, announce } from "./feedback.js";
import { write } from "./identity.js";
import { fillRank } from "./pills.js";
import { createRating } from "./rating.js";
import { createReport } from "./reports.js";
import { isMine, me, state, VOTES_KEY } from "./state.js";
import { storage } from "./storage.js";
import { answersText } from "./text.js";
import { clearTyping, renderTyping } from "./typing.js";

const TYPING_THROTTLE_MS = 2500;
const formatRelative = relativeTime(config.lang);

const els = {
  list: $(".ep-thread-list"),
  empty: $("[data-testid=empty]"),
  threadTemplate: $("#ep-thread-template"),
  answerTemplate: $("#ep-answer-template"),
};

let nextId = 0;

// ---------------------------------------------------------------- small pieces
export function authorName(author) {
  return author && author.name ? author.name : "";
}

export function isStaff(message) {
  return !!message && (message.kind === "staff" || !!(message.author && message.author.staff));
}

function systemText(message) {
  const key = "system_" + (message.code || "");
  return message.code && has(key) ? t(key) : "";
}

/** A <time> with "5 min ago", the full date as its title. */
export function setTime(node, value) {
  node.dateTime = value || "";
  node.textContent = formatRelative(value);
  const ms = toTime(value);
  node.title = ms ? new Date(ms).toLocaleString(config.lang) : "";
}

/** Keep "5 min ago" honest. */
export function refreshTimes() {
  document.querySelectorAll("time.ep-time").forEach((node) => {
    if (node.dateTime) node.textContent = formatRelative(node.dateTime);
  });
}

export function autoGrow(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = Math.min(textarea.scrollHeight + 2, 240) + "px";
}

/** "View" on a toast about a thread we show, else nothing. */
export function viewAction(threadId, run) {
  if (!threadId || !state.threads.has(threadId)) return null;
  return { label: t("view"), run: run || (() => focusThread(threadId)) };
}

export function updateEmpty() {
  els.empty.hidden = state.threads.size > 0 || !state.synced;
}

// ---------------------------------------------------------------- the list
/**
 * privateHint: true when the thread reached us privately (held question: our ack, or a
 * `private` event), false when it came from the room (public), undefined to keep as is.
 * A `held` field on the thread, when the server sends one, is authoritative.
 * A hidden thread (staff took the question down) leaves the list.
 */
export function upsertThread(thread, announceIt, privateHint) {
  if (!thread || !thread.id) return;
  let entry = state.threads.get(thread.id);
  const priv = typeof thread.held === "boolean" ? thread.held : privateHint;
  if (thread.status === "hidden") {
    removeThread(thread.id);
    return;
  }
  const isNew = !entry;
  if (isNew) {
    entry = { thread, messages: new Map(), el: null, report: null, private: !!priv };
    buildThread(entry);
    state.threads.set(thread.id, entry);
    placeThread(entry);
  } else {
    entry.thread = Object.assign({}, entry.thread, thread);
    if (typeof priv === "boolean") entry.private = priv;
  }
  if (Array.isArray(thread.messages)) thread.messages.forEach((m) => storeMessage(entry, m));
  renderThread(entry);
  if (announceIt && isNew) {
    announce(t("live_question", { name: authorName(thread.author), text: thread.body || "" }));
  }
}

export function removeThread(id) {
  const entry = state.threads.get(id);
  if (!entry) return;
  entry.el.remove();
  state.threads.delete(id);
}

/** Too much was missed to replay: the next snapshot starts the list again. */
export function resetThreads() {
  state.threads.forEach((entry) => entry.el.remove());
  state.threads.clear();
}

function placeThread(entry) {
  const created = toTime(entry.thread.created_at);
  for (const child of els.list.children) {
    const other = state.threads.get(child.dataset.threadId);
    if (other && toTime(other.thread.created_at) < created) {
      els.list.insertBefore(entry.el, child);
      return;
    }
  }
  els.list.appendChild(entry.el);
}

function storeMessage(entry, message) {
  if (message.hidden) {
    const old = entry.messages.get(message.id);
    if (old && old.el) old.el.remove();
    entry.messages.delete(message.id);
    return;
  }
  const existing = entry.messages.get(message.id);
  if (existing) existing.message = Object.assign({}, existing.message, message);
  else entry.messages.set(message.id, { message, el: null, report: null });
}

export function upsertMessage(message, announceIt) {
  if (!message || !message.thread_id) return;
  const entry = state.threads.get(message.thread_id);
  if (!entry) {
    fetchThread(message.thread_id); // an older question got an answer: bring it in
    return;
  }
  const isNew = !entry.messages.has(message.id);
  if (message.thread && message.thread.id === entry.thread.id) {
    // Message events carry the thread's new status and answer count.
    if (message.thread.status === "hidden") {
      removeThread(entry.thread.id);
      return;
    }
    entry.thread = Object.assign({}, entry.thread, message.thread);
  }
  storeMessage(entry, message);
  clearTyping(message.thread_id, message.author && message.author.name);
  renderThread(entry);
  // The asker hears about answers to their own question from the notification instead.
  if (announceIt && isNew && !message.hidden && message.kind === "system") {
    if (systemText(message)) announce(systemText(message));
  } else if (announceIt && isNew && !message.hidden && !isMine(entry.thread.author)) {
    announce(t("live_answer", { name: authorName(message.author), text: message.body || "" }));
  }
}

export function findMessage(id) {
  for (const entry of state.threads.values()) {
    if (entry.messages.has(id)) return entry.messages.get(id).message;
  }
  return null;
}

const fetching = new Map(); // thread id -> its request in flight

/** A thread with its messages from the API, e.g. an older question that got an answer. */
export function fetchThread(id) {
  if (fetching.has(id)) return fetching.get(id);
  const request = getJson("/api/v1/threads/" + encodeURIComponent(id))
    .then((body) => {
      const thread = body && (body.thread || body);
      if (thread && thread.id && thread.room === ROOM) {
        upsertThread(thread, false, false);
        updateEmpty();
      }
    })
    .catch(() => { /* the next join brings it anyway */ })
    .finally(() => fetching.delete(id));
  fetching.set(id, request);
  return request;
}

/** Our own pills show a new rank at once (the server sends it with every later object). */
export function setMyRank(code) {
  const patch = (author) => (isMine(author) ? Object.assign({}, author, { rank: code }) : author);
  state.threads.forEach((entry) => {
    entry.thread = Object.assign({}, entry.thread, { author: patch(entry.thread.author) });
    entry.messages.forEach((m) => {
      m.message = Object.assign({}, m.message, { author: patch(m.message.author) });
    });
    renderThread(entry);
  });
}

export function renderAll() {
  state.threads.forEach(renderThread);
}

export function focusThread(id, toAnswer) {
  const entry = state.threads.get(id);
  if (!entry) return;
  const article = $(".ep-card", entry.el);
  const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches;
  entry.el.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
  const answerInput = $(".ep-answer-form textarea", entry.el);
  if (toAnswer && !$(".ep-answer-form", entry.el).hidden) answerInput.focus({ preventScroll: true });
  else article.focus({ preventScroll: true });
  entry.el.classList.remove("ep-thread--highlight");
  void entry.el.offsetWidth; // restart the highlight animation
  entry.el.classList.add("ep-thread--highlight");
}

// ---------------------------------------------------------------- a thread
function fillMeta(root, author, createdAt, staff) {
  staff = !!staff || !!(author && author.staff);
  const face = $(".ep-avatar", root);
  avatar(face, authorName(author));
  face.classList.toggle("ep-avatar--staff", staff);
  if (staff) face.style.backgroundColor = ""; // the brand colour, from the stylesheet
  $(".ep-author", root).textContent = authorName(author) + (isMine(author) ? " (" + t("you") + ")" : "");
  const rank = $(".ep-rank", root);
  if (staff) {
    rank.textContent = t("staff_badge");
    rank.hidden = false;
    rank.className = "ep-rank ep-rank--staff";
    rank.dataset.rank = "";
  } else {
    // A rank code ("helper"); an object {code, label} is accepted too.
    const value = author && author.rank;
    const isObject = value && typeof value === "object";
    const code = isObject ? value.code : value;
    fillRank(rank, typeof code === "string" ? code : "", isObject ? value.label : "");
  }
  rank.setAttribute("data-testid", staff ? "staff-badge" : "rank");
  const owner = $(".ep-owner", root);
  if (owner) owner.hidden = staff || !(author && author.verified_owner);
  setTime($(".ep-time", root), createdAt);
}

/** A question's or answer's text (sanitised by the server), or the erased notice. */
function setHtml(node, item) {
  const html = item.erased ? "" : item.html || "";
  const key = item.erased ? "erased" : html;
  if (node.dataset.html === key) return;
  node.dataset.html = key;
  node.classList.toggle("ep-erased", !!item.erased);
  if (item.erased) node.textContent = t("erased");
  else node.innerHTML = html;
}

function buildThread(entry) {
  const thread = entry.thread;
  const li = fromTemplate(els.threadTemplate);
  const id = "ep-t" + (++nextId);
  li.dataset.threadId = thread.id;
  const article = $(".ep-card", li);
  article.id = id;
  article.tabIndex = -1;
  const question = $(".ep-question", li);
  question.id = id + "-q";
  article.setAttribute("aria-labelledby", id + "-q");

  const form = $(".ep-answer-form", li);
  const textarea = $("textarea", form);
  textarea.id = id + "-answer";
  $("label", form).htmlFor = textarea.id;
  let lastTyping = 0;
  let pending = null; // {body, client_id}: a retry of the same text reuses the client_id

  textarea.addEventListener("input", () => {
    autoGrow(textarea);
    const now = Date.now();
    if (me() && socket.connected && textarea.value.trim() && now - lastTyping > TYPING_THROTTLE_MS) {
      lastTyping = now;
      socket.emit("typing", { thread_id: thread.id }, () => { /* ephemeral */ });
    }
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = textarea.value.trim();
    if (!body || body.length > config.body_max) {
      textarea.focus();
      showError({ code: "invalid" });
      return;
    }
    if (!pending || pending.body !== body) pending = { body, client_id: uuid() };
    const button = $("button[type=submit]", form);
    setBusy(button, true);
    write("answer", { thread_id: thread.id, body, client_id: pending.client_id, lang: LANG }).then((res) => {
      setBusy(button, false);
      if (!res.ok) {
        showError(res.error);
        return;
      }
      pending = null;
      textarea.value = "";
      autoGrow(textarea);
      lastTyping = 0;
      if (res.message) upsertMessage(res.message, false);
      const slot = $("[data-testid=answer-notice]", li);
      if (res.notice) showNotice(slot, res.notice);
      else if (res.held && !(res.message && res.message.visibility === "private")) showNotice(slot, t("held"));
      // A private follow-up needs no notice: the message itself is labelled private.
    }, () => setBusy(button, false));
  });

  $(".ep-resolve", li).addEventListener("click", (event) => {
    changeThread("resolve", { thread_id: thread.id }, event.currentTarget);
  });

  entry.report = createReport({
    button: $("[data-testid=question-report-button]", li),
    form: $("[data-testid=question-report-form]", li),
    status: $("[data-testid=question-report-status]", li),
  }, {
    payload: { thread_id: thread.id },
    isReported: () => !!state.reported.threads[thread.id],
    markReported: () => { state.reported.threads[thread.id] = true; },
    onReported: () => {
      const current = state.threads.get(thread.id);
      if (current) renderThread(current);
    },
  });
  entry.renderRating = createRating($("[data-testid=rating]", li), thread.id);
  entry.el = li;
}

export function renderThread(entry) {
  const thread = entry.thread;
  const li = entry.el;
  const mine = isMine(thread.author);
  li.dataset.status = thread.status;
  li.classList.toggle("ep-thread--mine", mine);
  li.classList.toggle("ep-thread--private", !!entry.private);
  li.dataset.private = entry.private ? "true" : "false";
  $(".ep-privacy", li).hidden = !entry.private;
  fillMeta($(".ep-card > .ep-meta", li), thread.author, thread.created_at, false);

  setHtml($(".ep-question", li), thread);
  $(".ep-card", li).setAttribute("aria-label", entry.private ? t("your_private_question")
    : mine ? t("your_question") : t("question_by", { name: authorName(thread.author) }));

  const badge = $("[data-testid=status-badge]", li);
  badge.textContent = t("status_" + thread.status);
  badge.className = "ep-badge ep-badge--" + thread.status;
  badge.dataset.status = thread.status;

  const visible = Array.from(entry.messages.values()).filter((m) =>
    !m.message.hidden && (m.message.kind !== "system" || !!systemText(m.message)));
  // The server counts community answers; the team's replies (and, for the asker, private
  // messages) are answers too from where the visitor sits.
  const shown = visible.filter((m) => m.message.kind !== "system").length;
  const count = Math.max(typeof thread.answer_count === "number" ? thread.answer_count : 0, shown);
  $(".ep-count", li).textContent = answersText(count);

  const open = thread.status === "open" || thread.status === "answered";
  $(".ep-resolve", li).hidden = !(mine && open);
  $(".ep-answer-form", li).hidden = thread.status === "resolved";
  // Once answered, the asker says whether it helped (and whether it spared a contact).
  entry.renderRating(mine && shown > 0);
  // Anyone but its author may report a public question (the team's are not reported).
  const canReport = !entry.private && !mine && !(thread.author && thread.author.staff);
  entry.report.render(canReport, t("report_question_by", { name: authorName(thread.author) }));

  const list = $(".ep-answers", li);
  visible.sort((a, b) => toTime(a.message.created_at) - toTime(b.message.created_at));
  visible.forEach((m, i) => {
    if (!m.el) buildAnswer(m);
    renderAnswer(m, entry);
    // Move only what is out of chronological order: moving a node drops its focus.
    if (list.children[i] !== m.el) list.insertBefore(m.el, list.children[i] || null);
  });
  list.hidden = visible.length === 0;
  renderTyping(thread.id);
}

// ---------------------------------------------------------------- an answer
function buildAnswer(m) {
  const id = m.message.id;
  const li = fromTemplate(els.answerTemplate);
  li.dataset.messageId = id;
  $(".ep-vote", li).addEventListener("click", (event) => vote(id, event.currentTarget));
  $(".ep-accept", li).addEventListener("click", (event) => accept(id, event.currentTarget));
  m.report = createReport({
    button: $(".ep-report-button", li),
    form: $(".ep-report", li),
    status: $(".ep-report__status", li),
  }, {
    payload: { message_id: id },
    isReported: () => !!state.reported.messages[id],
    markReported: () => { state.reported.messages[id] = true; },
    onReported: () => {
      const message = findMessage(id);
      if (message) upsertMessage(Object.assign({}, message), false);
    },
  });
  m.el = li;
}

function renderAnswer(m, entry) {
  const message = m.message;
  const thread = entry.thread;
  const li = m.el;
  const staff = isStaff(message);
  const system = message.kind === "system";
  const visibility = message.visibility || "public";
  li.className = "ep-answer ep-answer--" + (system ? "system" : staff ? "staff" : "answer");
  li.classList.toggle("ep-answer--" + visibility, visibility !== "public");
  li.dataset.kind = message.kind || "answer";
  li.setAttribute("data-testid", system ? "system-line" : "answer-item");
  li.dataset.visibility = visibility;
  const line = $(".ep-system", li);
  line.hidden = !system;
  $(".ep-meta", li).hidden = system;
  $(".ep-body", li).hidden = system;
  if (system) {
    line.textContent = systemText(message);
    $(".ep-answer__actions", li).hidden = true;
    $(".ep-visibility-note", li).hidden = true;
    $(".ep-report", li).hidden = true;
    return;
  }
  fillMeta($(".ep-meta", li), message.author, message.created_at, staff);
  $(".ep-visibility", li).hidden = visibility === "public";
  $(".ep-visibility__text", li).textContent = visibility === "held" ? t("held_label") : t("private_label");
  const note = $(".ep-visibility-note", li);
  note.hidden = visibility === "public";
  // Who sees a non-public message: held ones wait for a moderator (author only); private
  // ones are shared between the asker and staff (and the shopper who wrote one).
  note.textContent = visibility === "private" && !staff && !isMine(thread.author)
    ? t("only_asker")
    : visibility === "private" && !staff && !isMine(message.author)
      ? t("only_you_author")
      : t("only_you");
  setHtml($(".ep-body", li), message);
  const accepted = thread.accepted_message_id === message.id;
  li.classList.toggle("ep-answer--accepted", accepted);
  $(".ep-accepted", li).hidden = !accepted;

  const publicMessage = visibility === "public";
  // Votes, acceptance and reports are for the community's public answers (not staff's).
  $(".ep-answer__actions", li).hidden = !publicMessage || message.kind !== "answer";
  const voteButton = $(".ep-vote", li);
  const voted = state.votes[message.id] === 1;
  voteButton.setAttribute("aria-pressed", voted ? "true" : "false");
  $(".ep-vote__label", li).textContent = t("helpful", { n: message.votes || 0 });
  voteButton.disabled = isMine(message.author);

  const canAccept = isMine(thread.author) && !isMine(message.author) && message.kind === "answer" &&
    !thread.accepted_message_id && thread.status !== "resolved" && thread.status !== "hidden";
  $(".ep-accept", li).hidden = !canAccept;

  const canReport = publicMessage && message.kind === "answer" && !staff && !isMine(message.author);
  m.report.render(canReport, t("report_answer_by", { name: authorName(message.author) }));
}

function vote(messageId, button) {
  const value = state.votes[messageId] === 1 ? 0 : 1;
  setBusy(button, true);
  write("vote", { message_id: messageId, value }).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      return;
    }
    if (value) state.votes[messageId] = 1;
    else delete state.votes[messageId];
    storage.set(VOTES_KEY, state.votes);
    upsertMessage(res.message || Object.assign({}, findMessage(messageId)), false);
  }, () => setBusy(button, false));
}

function accept(messageId, button) {
  changeThread("accept", { message_id: messageId }, button);
}

/** A write whose ack carries the changed thread (accept, resolve): shown at once. */
function changeThread(event, payload, button) {
  setBusy(button, true);
  write(event, payload, 2).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      return;
    }
    if (res.thread) upsertThread(res.thread, false);
  }, () => setBusy(button, false));
}
