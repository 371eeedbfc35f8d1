/*
 * Entry module of a case page (/staff/cases/<id>, app/templates/staff/case.html): the case, its
 * thread with moderation buttons (hide, restore, publish, endorse; hide or restore the
 * question itself), the actions this staff member may take, a reply box, bans, the webhook
 * delivery and the audit log.
 *
 * What a button may do comes from the API's `actions`; live `case.updated` broadcasts
 * trigger a fresh read of the detail (once per burst).
 */
import { $, $$, avatar, fromTemplate, setBusy, setOptionalText } from "../shared/dom.js";
import { excerpt, setClock, toTime } from "../shared/format.js";
import {
  assigneeText, caseAction, outcomeText, reasonChip, reasonLabel, renderReasonChips, setDue, setFlag,
  setModeAndHeld, setPriority, setState,
} from "./cases.js";
import { config, has, LANG, plural, t } from "./config.js";
import { openSocket } from "./live.js";
import { api, showAlert, showError } from "./ui.js";

const TICK_MS = 30000;
const CASE_ID = String(config.case_id);

const root = $("[data-testid=case-page]");
const head = $("[data-testid=case-head]");
const replyForm = $("[data-testid=reply-form]");
const replyInput = $("#sc-reply-body");
const replyPrivate = $("#sc-reply-private");
const privateWrap = $("[data-testid=reply-private-wrap]");
const resolveForm = $("[data-testid=resolve-form]");
const banForm = $("[data-testid=ban-form]");
const banWho = $("#sc-ban-who");
const banDays = $("#sc-ban-days");
const banReason = $("#sc-ban-reason");
const banError = $("#sc-ban-error");
const questionEl = $("[data-testid=question]");
const hideQuestionButton = $("[data-testid=question-hide-button]");
const restoreQuestionButton = $("[data-testid=question-restore-button]");
const messageTemplate = $("#sc-message-template");
const detail = { case: null, thread: null, audit: [] };
const messageEls = new Map();
let wasPrivate = null;

// ---------------------------------------------------------------- fetching
let inFlight = false;
let again = false;
function refresh() {
  if (inFlight) {
    again = true;
    return Promise.resolve();
  }
  inFlight = true;
  return api("GET", "/api/v1/staff/cases/" + encodeURIComponent(CASE_ID)).then((res) => {
    inFlight = false;
    head.setAttribute("aria-busy", "false");
    if (!res.ok) {
      showError(res.error);
    } else {
      detail.case = res.data.case || detail.case;
      detail.thread = res.data.thread ? withText(res.data.thread, detail.thread) : detail.thread;
      detail.audit = Array.isArray(res.data.audit) ? res.data.audit : detail.audit;
      detail.faq = res.data.faq || null;
      detail.suggestions = Array.isArray(res.data.suggestions) ? res.data.suggestions : [];
      renderAll();
    }
    if (again) {
      again = false;
      return refresh();
    }
  });
}

/** A hidden question may come back without its text (the public shape): staff keep it. */
function withText(thread, before) {
  if (thread.body || !before || before.id !== thread.id) return thread;
  return Object.assign({}, thread, { body: before.body, html: before.html });
}

// ---------------------------------------------------------------- rendering
function authorName(author) {
  return author && author.name ? author.name : "";
}

function isHeld() {
  return !!((detail.thread && detail.thread.held) || (detail.case && detail.case.thread && detail.case.thread.held));
}

function isPrivateMode() {
  const c = detail.case || {};
  if (typeof c.mode === "string") return c.mode === "private";
  if (typeof c.private === "boolean") return c.private;
  const thread = detail.thread || {};
  if (thread.status === "private" || thread.visibility === "private") return true;
  let last = null;
  (detail.audit || []).forEach((e) => {
    const action = String((e && e.action) || "");
    if (/private/.test(action)) last = "private";
    else if (/takeover|take_over|handback|hand_back|resolve|dismiss/.test(action)) last = "public";
  });
  return last === "private";
}

function renderAll() {
  renderCase();
  renderThread();
  renderAudit();
  renderSuggestions();
  renderFaq();
}

// ---------------------------------------------------------------- knowledge
/** Earlier accepted answers and FAQ entries that match: one click puts one in the reply. */
function renderSuggestions() {
  const box = $("[data-testid=suggestions]");
  const list = $("[data-testid=suggestion-list]");
  list.textContent = "";
  for (const s of detail.suggestions || []) {
    const li = document.createElement("li");
    li.className = "sc-suggestion";
    li.dataset.testid = "suggestion";
    const text = document.createElement("p");
    text.className = "sc-suggestion__text";
    text.textContent = s.text || "";
    const meta = document.createElement("p");
    meta.className = "sc-hint";
    meta.textContent = (s.question || "") + (s.lang ? " · " + t("lang_" + s.lang) : "");
    const insert = document.createElement("button");
    insert.type = "button";
    insert.className = "sc-button sc-button--outline sc-button--small";
    insert.dataset.testid = "suggestion-insert";
    insert.textContent = t("insert_reply");
    insert.addEventListener("click", () => {
      replyInput.value = replyInput.value ? replyInput.value + "\n\n" + s.text : s.text;
      replyInput.focus();
    });
    li.append(text, meta, insert);
    list.appendChild(li);
  }
  box.hidden = list.children.length === 0 || replyForm.hidden;
}

function renderFaq() {
  const panel = $("[data-testid=faq-panel]");
  const thread = detail.thread || {};
  const resolved = thread.status === "resolved" || !!thread.accepted_message_id;
  panel.hidden = !detail.faq && !resolved;
  $("[data-testid=faq-state]").textContent = detail.faq
    ? t("faq_in", { question: detail.faq.question }) : t("faq_out");
  $("[data-testid=faq-promote]").hidden = !!detail.faq;
  $("[data-testid=faq-remove]").hidden = !detail.faq;
}

function faqAction(button, method, path) {
  setBusy(button, true);
  api(method, path, method === "POST" ? {} : undefined).then((res) => {
    setBusy(button, false);
    if (!res.ok) showError(res.error);
    refresh();
  });
}

function renderCase() {
  const c = detail.case;
  if (!c) return;
  root.dataset.state = c.state || "";
  setPriority($(".sc-case__priority", head), c);
  const question = (c.thread && c.thread.body) || (detail.thread && detail.thread.body) || "";
  $("[data-testid=case-title]").textContent = excerpt(question, 160) || t("case_title", { text: "#" + c.id });
  document.title = t("case_title", { text: excerpt(question, 60) }) + " · Entraide";
  setState($("[data-testid=case-state]", head), c.state);
  setFlag($(".sc-flag", head), c);
  setModeAndHeld(head, c);
  setOptionalText($("[data-testid=case-room]", head), c.room);
  setOptionalText($("[data-testid=case-category]", head), c.category);
  setDue($("[data-testid=case-due]", head), c);
  $("[data-testid=case-assignee]", head).textContent = assigneeText(c.assignee);
  const outcome = $("[data-testid=case-outcome]", head);
  outcome.hidden = !c.outcome;
  outcome.textContent = c.outcome ? outcomeText(c.outcome) : "";

  const actions = Array.isArray(c.actions) ? c.actions : [];
  $$("[data-action]", head).forEach((button) => {
    if (button.getAttribute("data-action") === "resolve") return;
    if (button.getAttribute("aria-busy") === "true") return;
    button.hidden = actions.indexOf(button.getAttribute("data-action")) < 0;
  });
  resolveForm.hidden = actions.indexOf("resolve") < 0;

  // Reply box: when this staff member may reply; the private toggle in private mode.
  replyForm.hidden = actions.indexOf("reply") < 0;
  // A held question is not public yet: the server sends every reply privately.
  const held = isHeld();
  const priv = isPrivateMode();
  privateWrap.hidden = !priv || held;
  if (priv !== wasPrivate) replyPrivate.checked = priv; // default to private on entering it
  wasPrivate = priv;
  $("[data-testid=reply-mode]").textContent = held ? t("held_mode") : priv ? t("private_mode") : t("public_mode");
  replyForm.classList.toggle("sc-reply--private", held || (priv && replyPrivate.checked));

  renderReasonChips($("[data-testid=case-reasons]", head), c.reasons);
  renderReasons(c, actions.indexOf("feedback") >= 0);
  renderWebhook(c.webhook);
}

function renderReasons(c, canFeedback) {
  const list = $("[data-testid=reasons]");
  list.textContent = "";
  (c.reasons || []).forEach((reason) => {
    const li = document.createElement("li");
    li.className = "sc-reason sc-reason--" + reason.code;
    li.dataset.reason = reason.code;
    li.setAttribute("data-testid", "reason");
    const top = document.createElement("div");
    top.className = "sc-reason__top";
    top.appendChild(reasonChip(reason, "span"));
    if (reason.verdict && !canFeedback) { // else the pressed button says it
      const verdict = document.createElement("span");
      verdict.className = "sc-verdict sc-verdict--" + reason.verdict;
      verdict.setAttribute("data-testid", "reason-verdict");
      verdict.textContent = t("verdict_" + reason.verdict);
      top.appendChild(verdict);
    }
    li.appendChild(top);
    const evidence = (reason.evidence || []).filter(Boolean);
    if (evidence.length) {
      const ul = document.createElement("ul");
      ul.className = "sc-evidence";
      evidence.forEach((e) => {
        const item = document.createElement("li");
        item.textContent = e;
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    if (canFeedback) {
      const buttons = document.createElement("div");
      buttons.className = "sc-reason__feedback";
      [["confirm", "confirm", "confirm_label"], ["dismiss", "reject", "reject_label"]].forEach(([verdict, text, label]) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "sc-button sc-button--tiny sc-button--toggle sc-button--" + verdict;
        b.setAttribute("data-testid", "feedback-" + verdict);
        b.setAttribute("aria-pressed", reason.verdict === verdict ? "true" : "false");
        b.setAttribute("aria-label", t(label, { reason: reasonLabel(reason.code) }));
        b.textContent = t(text);
        b.addEventListener("click", () => feedback(reason.code, verdict, b));
        buttons.appendChild(b);
      });
      li.appendChild(buttons);
    }
    list.appendChild(li);
  });
}

function renderWebhook(hook) {
  const status = $("[data-testid=webhook-status]");
  const error = $("[data-testid=webhook-error]");
  status.textContent = "";
  if (!hook) {
    status.textContent = t("webhook_none");
    status.dataset.status = "none";
    error.hidden = true;
    return;
  }
  status.dataset.status = hook.status || "";
  const badge = document.createElement("span");
  badge.className = "sc-badge sc-badge--webhook-" + (hook.status || "pending");
  badge.textContent = has("webhook_" + hook.status) ? t("webhook_" + hook.status) : String(hook.status || "");
  status.appendChild(badge);
  const attempts = document.createElement("span");
  attempts.className = "sc-muted";
  attempts.textContent = plural("webhook_attempts", typeof hook.attempts === "number" ? hook.attempts : 0);
  status.append(" ", attempts);
  error.hidden = !hook.last_error;
  error.textContent = hook.last_error || "";
}

function renderThread() {
  const thread = detail.thread;
  if (!thread) return;
  const badge = $("[data-testid=thread-status]");
  badge.textContent = has("thread_" + thread.status) ? t("thread_" + thread.status) : String(thread.status || "");
  badge.className = "sc-badge sc-badge--thread-" + (thread.status || "unknown");
  badge.dataset.status = thread.status || "";

  const q = questionEl;
  $("[data-testid=question-held]", q).hidden = !isHeld();
  q.classList.toggle("sc-question--held", isHeld());
  q.classList.toggle("sc-question--hidden", thread.status === "hidden");
  avatar($(".sc-avatar", q), authorName(thread.author));
  $(".sc-msg__author", q).textContent = authorName(thread.author);
  setClock($(".sc-msg__time", q), thread.created_at, true, LANG);
  const qb = $(".sc-question__body", q);
  if (qb.dataset.html !== (thread.html || "") || qb.dataset.text !== (thread.body || "") || !qb.childNodes.length) {
    if (thread.html) qb.innerHTML = thread.html; // sanitised by the server
    else qb.textContent = thread.body || "";
    qb.dataset.html = thread.html || "";
    qb.dataset.text = thread.body || "";
  }
  renderQuestionActions(thread);

  const list = $("[data-testid=messages]");
  const messages = (thread.messages || []).slice().sort((a, b) => toTime(a.created_at) - toTime(b.created_at));
  const keep = new Set(messages.map((m) => m.id));
  messageEls.forEach((node, id) => {
    if (!keep.has(id)) {
      node.remove();
      messageEls.delete(id);
    }
  });
  messages.forEach((m, index) => {
    let node = messageEls.get(m.id);
    if (!node) {
      node = buildMessage(m.id);
      messageEls.set(m.id, node);
    }
    renderMessage(node, m);
    // Move only what is out of place: moving an element drops the focus inside it.
    if (list.children[index] !== node) list.insertBefore(node, list.children[index] || null);
  });
  $("[data-testid=no-messages]").hidden = messages.length > 0;
  renderBanChoices();
}

/**
 * "Hide question" on a published question, "Restore question" on a hidden one. A held
 * question is not public: it is published or the case dismissed instead.
 */
function renderQuestionActions(thread) {
  const hidden = thread.status === "hidden";
  const name = authorName(thread.author);
  if (hideQuestionButton.getAttribute("aria-busy") !== "true") hideQuestionButton.hidden = hidden || isHeld();
  if (restoreQuestionButton.getAttribute("aria-busy") !== "true") restoreQuestionButton.hidden = !hidden;
  hideQuestionButton.setAttribute("aria-label", t("hide_question_label", { name }));
  restoreQuestionButton.setAttribute("aria-label", t("restore_question_label", { name }));
}

function findMessage(id) {
  return ((detail.thread && detail.thread.messages) || []).find((m) => m.id === id) || null;
}

function buildMessage(id) {
  const li = fromTemplate(messageTemplate);
  li.dataset.messageId = id;
  $("[data-testid=hide-button]", li).addEventListener("click", (event) => {
    moderateMessage(id, "hide", event.currentTarget);
  });
  $("[data-testid=restore-button]", li).addEventListener("click", (event) => {
    moderateMessage(id, "restore", event.currentTarget);
  });
  $("[data-testid=publish-button]", li).addEventListener("click", (event) => {
    moderateMessage(id, "restore", event.currentTarget, "publish");
  });
  $("[data-testid=endorse-button]", li).addEventListener("click", (event) => {
    endorse(id, event.currentTarget);
  });
  return li;
}

function tag(text, kind) {
  const span = document.createElement("span");
  span.className = "sc-tag sc-tag--" + kind;
  span.setAttribute("data-testid", "tag-" + kind);
  span.textContent = text;
  return span;
}

function renderMessage(li, m) {
  const author = m.author || {};
  const staff = m.kind === "staff" || !!author.staff;
  li.className = "sc-msg sc-msg--" + (m.kind || "answer");
  li.classList.toggle("sc-msg--staff", staff);
  li.classList.toggle("sc-msg--private", m.visibility === "private");
  li.classList.toggle("sc-msg--held", m.visibility === "held");
  li.classList.toggle("sc-msg--hidden", !!m.hidden);
  li.dataset.kind = m.kind || "";
  li.dataset.visibility = m.visibility || "public";
  li.dataset.hidden = m.hidden ? "true" : "false";
  avatar($(".sc-avatar", li), authorName(author));
  $(".sc-msg__author", li).textContent = authorName(author);
  const tags = $(".sc-tags", li);
  tags.textContent = "";
  if (staff) tags.appendChild(tag(t("staff_badge"), "staff"));
  if (m.kind === "system") tags.appendChild(tag(t("system_badge"), "system"));
  if (m.visibility === "private") tags.appendChild(tag(t("private_badge"), "private"));
  if (m.visibility === "held") tags.appendChild(tag(t("held_badge"), "held"));
  if (m.hidden) tags.appendChild(tag(t("hidden_badge"), "hidden"));
  setClock($(".sc-msg__time", li), m.created_at, false, LANG);
  const body = $(".sc-msg__body", li);
  if (m.kind === "system") {
    // System messages carry a code (e.g. "staff_joined"), translated here.
    const code = m.code || m.body || "";
    body.textContent = has("system_" + code) ? t("system_" + code) : m.html ? "" : code;
    if (m.html && !has("system_" + code)) body.innerHTML = m.html;
    body.dataset.html = "";
  } else if (body.dataset.html !== (m.html || "") || body.dataset.text !== (m.body || "") || !body.childNodes.length) {
    if (m.html) body.innerHTML = m.html; // sanitised by the server
    else body.textContent = m.body || "";
    body.dataset.html = m.html || "";
    body.dataset.text = m.body || "";
  }
  const votes = $(".sc-msg__votes", li);
  votes.textContent = m.kind === "answer" && m.votes ? t("votes", { n: m.votes }) : "";
  const hide = $("[data-testid=hide-button]", li);
  const restore = $("[data-testid=restore-button]", li);
  const publish = $("[data-testid=publish-button]", li);
  const moderatable = m.kind !== "system";
  const heldMessage = m.visibility === "held";
  if (hide.getAttribute("aria-busy") !== "true") hide.hidden = !moderatable || !!m.hidden;
  if (restore.getAttribute("aria-busy") !== "true") restore.hidden = !moderatable || !m.hidden || heldMessage;
  // Restoring a held message publishes it: say so on the button.
  if (publish.getAttribute("aria-busy") !== "true") publish.hidden = !moderatable || !heldMessage;
  hide.setAttribute("aria-label", t("hide_label", { name: authorName(author) }));
  restore.setAttribute("aria-label", t("restore_label", { name: authorName(author) }));
  publish.setAttribute("aria-label", t("publish_label", { name: authorName(author) }));
  renderEndorse($("[data-testid=endorse-button]", li), m);
  $(".sc-msg__actions", li).hidden = !moderatable && !votes.textContent;
}

// Public answers get "Endorse"; once endorsed the button reads "Endorsed" and does
// nothing more. It stays focusable (aria-disabled, not disabled) so the focus stays put.
function renderEndorse(button, m) {
  if (button.getAttribute("aria-busy") === "true") return;
  const endorsed = !!m.endorsed;
  const endorsable = m.kind === "answer" && (m.visibility || "public") === "public" && !m.hidden;
  button.hidden = !endorsable && !endorsed;
  button.textContent = t(endorsed ? "endorsed" : "endorse");
  button.classList.toggle("sc-endorse--done", endorsed);
  if (endorsed) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
  button.setAttribute("aria-label", t(endorsed ? "endorsed_label" : "endorse_label", { name: authorName(m.author) }));
}

function renderBanChoices() {
  const thread = detail.thread;
  const previous = banWho.value;
  const people = [];
  const seen = new Set();
  function add(author, role) {
    if (!author || !author.id || author.staff || seen.has(author.id)) return;
    seen.add(author.id);
    people.push({ id: author.id, label: authorName(author) + (role ? " — " + role : "") });
  }
  add(thread.author, t("asker"));
  (thread.messages || []).forEach((m) => {
    if (m.kind !== "staff" && m.kind !== "system") add(m.author, "");
  });
  const signature = people.map((p) => p.id + ":" + p.label).join("|");
  if (banWho.dataset.signature === signature) return;
  banWho.dataset.signature = signature;
  banWho.textContent = "";
  people.forEach((p) => {
    const option = document.createElement("option");
    option.value = p.id;
    option.textContent = p.label;
    banWho.appendChild(option);
  });
  if (previous && seen.has(previous)) banWho.value = previous;
  $("[data-testid=ban]").hidden = people.length === 0;
}

function renderAudit() {
  const list = $("[data-testid=audit]");
  list.textContent = "";
  const entries = detail.audit || [];
  if (!entries.length) {
    const none = document.createElement("li");
    none.className = "sc-audit__empty sc-muted";
    none.textContent = t("no_audit");
    list.appendChild(none);
    return;
  }
  entries.forEach((e) => {
    const li = document.createElement("li");
    li.className = "sc-audit__entry";
    li.setAttribute("data-testid", "audit-entry");
    li.dataset.action = e.action || "";
    const time = document.createElement("time");
    time.className = "sc-audit__time";
    setClock(time, e.at, false, LANG);
    const what = document.createElement("div");
    what.className = "sc-audit__what";
    const action = document.createElement("span");
    action.className = "sc-audit__action";
    action.textContent = auditLabel(e.action);
    const actor = document.createElement("span");
    actor.className = "sc-audit__actor";
    const kind = e.actor && e.actor.kind;
    const name = e.actor && e.actor.name;
    actor.textContent = name
      ? name + (kind && kind !== "staff" ? " (" + t("actor_" + kind) + ")" : "")
      : kind ? t("actor_" + kind) : "";
    what.append(action, actor);
    li.append(time, what);
    const detailText = auditDetail(e.detail);
    if (detailText) {
      const d = document.createElement("p");
      d.className = "sc-audit__detail";
      d.textContent = detailText;
      li.appendChild(d);
    }
    list.appendChild(li);
  });
}

function auditLabel(action) {
  const raw = String(action || "");
  const key = raw.toLowerCase().split(/[.:/]/).pop().replace(/-/g, "_");
  if (has("audit_" + key)) return t("audit_" + key);
  if (has("audit_" + raw)) return t("audit_" + raw);
  return raw;
}

function auditDetail(value) {
  if (value == null || value === "") return "";
  if (typeof value === "string") return value;
  if (typeof value !== "object") return String(value);
  return Object.keys(value).map((k) => {
    const v = value[k];
    return k + ": " + (v && typeof v === "object" ? JSON.stringify(v) : String(v));
  }).join(" · ");
}

// ---------------------------------------------------------------- actions
function applyCase(c) {
  if (!c || String(c.id) !== CASE_ID) return;
  const merged = Object.assign({}, detail.case || {}, c);
  if (!Array.isArray(c.actions) && detail.case) merged.actions = detail.case.actions;
  detail.case = merged;
  renderCase();
}

function run(action, body, button) {
  setBusy(button, true);
  return caseAction(CASE_ID, action, body || {}).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      if (res.status === 409 || res.status === 404) refresh();
      else renderCase();
      return res;
    }
    applyCase(res.data.case);
    refresh();
    return res;
  });
}

function feedback(code, verdict, button) {
  setBusy(button, true);
  caseAction(CASE_ID, "feedback", { code, verdict }).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      if (res.status === 409) refresh();
      return;
    }
    applyCase(res.data.case);
    showAlert(t("done_feedback"), "info");
    const pressed = $("[data-reason='" + code + "'] [data-testid=feedback-" + verdict + "]");
    if (pressed) pressed.focus();
    refresh();
  });
}

function moderateMessage(id, action, button, done) {
  setBusy(button, true);
  api("POST", "/api/v1/staff/messages/" + encodeURIComponent(id) + "/" + action, {}).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      renderThread();
      return;
    }
    const updated = res.data.message;
    const current = findMessage(id);
    if (current) {
      // The public shape blanks a hidden message's text; staff keep seeing it.
      const fresh = updated && updated.id === id ? updated : { hidden: action === "hide" };
      Object.assign(current, fresh, { body: fresh.body || current.body });
    }
    renderThread();
    showAlert(t("done_" + (done || action)), "info");
    const node = messageEls.get(id);
    const other = node && $("[data-testid=" + (action === "hide" ? "restore" : "hide") + "-button]", node);
    if (other && !other.hidden) {
      other.focus();
    } else if (node) {
      const any = $(".sc-msg__actions button:not([hidden])", node);
      if (any) any.focus();
    }
    refresh();
  });
}

/**
 * Take the question itself down (POST /api/v1/staff/threads/<id>/hide) or put it back
 * (/restore): the widget drops a hidden question from every visitor's list.
 */
function moderateQuestion(action, button) {
  const thread = detail.thread;
  if (!thread || !thread.id) return;
  setBusy(button, true);
  api("POST", "/api/v1/staff/threads/" + encodeURIComponent(thread.id) + "/" + action, {}).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      renderThread();
      if (res.status === 409 || res.status === 404) refresh();
      return;
    }
    const updated = res.data.thread || (res.data.id ? res.data : null);
    const fresh = updated && updated.id === thread.id ? updated : { status: action === "hide" ? "hidden" : thread.status };
    // The public shape blanks a hidden question's text and has no messages; staff keep both.
    detail.thread = Object.assign({}, thread, fresh, {
      body: fresh.body || thread.body,
      html: fresh.html || thread.html,
      messages: Array.isArray(fresh.messages) ? fresh.messages : thread.messages,
    });
    renderThread();
    showAlert(t(action === "hide" ? "done_hide_question" : "done_restore_question"), "info");
    const other = action === "hide" ? restoreQuestionButton : hideQuestionButton;
    if (!other.hidden) other.focus();
    refresh();
  });
}

function endorse(id, button) {
  if (button.getAttribute("aria-disabled") === "true" || button.getAttribute("aria-busy") === "true") return;
  const current = findMessage(id);
  const name = authorName(current && current.author);
  setBusy(button, true);
  api("POST", "/api/v1/staff/answers/" + encodeURIComponent(id) + "/endorse", {}).then((res) => {
    setBusy(button, false);
    if (res.ok) {
      if (current) current.endorsed = true;
      renderThread();
      showAlert(t("done_endorse", { name, points: (res.data.entry || {}).points }), "info");
    } else if (res.status === 404 || res.status === 409) {
      // Gone, or endorsed already (by a colleague) or not endorsable now: re-read the thread
      // and say which.
      refresh().then(() => {
        const now = findMessage(id);
        if (res.status === 404) showAlert(t("endorse_not_found"), "error");
        else if (now && now.endorsed) showAlert(t("endorse_already"), "info");
        else showAlert(t("endorse_banned"), "error");
      });
    } else {
      renderThread();
      if (res.status !== 401) showError(res.error);
    }
    if (!button.hidden) button.focus();
  });
}

function banChosen() {
  const option = banWho.selectedOptions[0];
  return { id: banWho.value, name: option ? option.textContent.split(" — ")[0] : "" };
}

// ---------------------------------------------------------------- wiring
$$("[data-action]", head).forEach((button) => {
  const action = button.getAttribute("data-action");
  if (action === "resolve") return; // the form's submit
  button.addEventListener("click", () => {
    run(action, {}, button).then((res) => {
      if (!res.ok) return;
      showAlert(t("done_" + action), "info");
      if ((action === "takeover" || action === "private") && !replyForm.hidden) replyInput.focus();
      else if (button.hidden) $("#sc-case-title").focus();
    });
  });
});

resolveForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const button = $("[data-action=resolve]", resolveForm);
  run("resolve", { outcome: $("#sc-outcome").value }, button).then((res) => {
    if (res.ok) {
      showAlert(t("done_resolve"), "info");
      $("#sc-case-title").focus();
    }
  });
});

hideQuestionButton.addEventListener("click", () => moderateQuestion("hide", hideQuestionButton));
$("[data-testid=faq-promote]").addEventListener("click", (event) => faqAction(event.currentTarget,
  "POST", "/api/v1/staff/threads/" + encodeURIComponent(detail.thread.id) + "/faq"));
$("[data-testid=faq-remove]").addEventListener("click", (event) => detail.faq && faqAction(
  event.currentTarget, "DELETE", "/api/v1/staff/faq/" + encodeURIComponent(detail.faq.id)));
restoreQuestionButton.addEventListener("click", () => moderateQuestion("restore", restoreQuestionButton));

replyPrivate.addEventListener("change", () => {
  replyForm.classList.toggle("sc-reply--private", replyPrivate.checked && !privateWrap.hidden);
});
replyInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    replyForm.requestSubmit();
  }
});
replyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const body = replyInput.value.trim();
  if (!body) {
    showAlert(t("reply_empty"), "error");
    replyInput.focus();
    return;
  }
  const priv = isHeld() || (!privateWrap.hidden && replyPrivate.checked);
  run("reply", { body, private: priv }, $("[data-testid=reply-submit]", replyForm)).then((res) => {
    if (!res.ok) return;
    replyInput.value = "";
    showAlert(priv ? t("done_reply_private") : t("done_reply"), "info");
    replyInput.focus();
  });
});

banForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const who = banChosen();
  const days = Number(banDays.value);
  const reason = banReason.value.trim();
  const daysOk = Number.isInteger(days) && days >= 1 && days <= 365;
  banDays.setAttribute("aria-invalid", daysOk ? "false" : "true");
  banReason.setAttribute("aria-invalid", reason ? "false" : "true");
  if (!(who.id && daysOk && reason)) {
    banError.textContent = t("ban_invalid");
    (daysOk ? banReason : banDays).focus();
    return;
  }
  banError.textContent = "";
  const button = $("[data-testid=ban-submit]", banForm);
  setBusy(button, true);
  api("POST", "/api/v1/staff/visitors/" + encodeURIComponent(who.id) + "/ban", { days, reason }).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      return;
    }
    banReason.value = "";
    showAlert(t("done_ban", { name: who.name, days }), "info");
    refresh();
  });
});

$("[data-testid=unban-submit]", banForm).addEventListener("click", (event) => {
  const who = banChosen();
  if (!who.id) return;
  const button = event.currentTarget;
  setBusy(button, true);
  api("POST", "/api/v1/staff/visitors/" + encodeURIComponent(who.id) + "/unban", {}).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      return;
    }
    showAlert(t("done_unban", { name: who.name }), "info");
    refresh();
  });
});

// ---------------------------------------------------------------- live
let refreshTimer = null;
function onCase(kind, c) {
  if (!c || String(c.id) !== CASE_ID) return;
  applyCase(c);
  // Messages, audit and this member's actions come with the detail: fetch it once per burst.
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 150);
}

refresh();
openSocket(onCase, () => refresh());
setInterval(() => {
  if (detail.case) setDue($("[data-testid=case-due]", head), detail.case);
}, TICK_MS);
