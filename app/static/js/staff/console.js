/*
 * Entry module of the moderation queue (/staff, app/templates/staff/console.html): the live
 * list of cases with its filters (kept in the URL), and the detectors' precision for admins.
 *
 * Reads go through the JSON API with the session cookie; live changes arrive on the /staff
 * socket (live.js) and every (re)connect re-fetches the queue.
 */
import { $, $$, fromTemplate, setBusy, setOptionalText } from "../shared/dom.js";
import { excerpt, toTime } from "../shared/format.js";
import {
  assigneeText, caseAction, CLOSED, outcomeText, reasonLabel, renderReasonChips, setDue, setFlag,
  setModeAndHeld, setPriority, setState, STATES, urgency,
} from "./cases.js";
import { LANG, ME, plural, t } from "./config.js";
import { openSocket } from "./live.js";
import { langQuery, withLang } from "./session.js";
import { announce, api, hideAlert, showAlert, showError, showingError } from "./ui.js";

const TICK_MS = 30000;
const TEXT_FILTER_DEBOUNCE_MS = 350;

const list = $("[data-testid=case-list]");
const empty = $("[data-testid=queue-empty]");
const count = $("[data-testid=case-count]");
const template = $("#sc-case-template");
const form = $("[data-testid=filters]");
const inputs = {
  state: $("#sc-filter-state"),
  reason: $("#sc-filter-reason"),
  room: $("#sc-filter-room"),
  category: $("#sc-filter-category"),
};
const clear = $("[data-testid=filter-clear]");
const cases = new Map(); // id -> {case, el, liveGen}
let generation = 0; // bumped on every queue fetch
let loaded = false;
const known = { rooms: new Set(), categories: new Set() };

// ---------------------------------------------------------------- filters <-> URL
function readFiltersFromUrl() {
  const q = new URLSearchParams(location.search);
  const state = q.get("state") || "active";
  inputs.state.value = state === "active" || STATES.indexOf(state) >= 0 ? state : "active";
  inputs.reason.value = q.get("reason") || "";
  if (inputs.reason.value !== (q.get("reason") || "")) inputs.reason.value = "";
  inputs.room.value = q.get("room") || "";
  inputs.category.value = q.get("category") || "";
}

function filters() {
  return {
    state: inputs.state.value || "active",
    reason: inputs.reason.value || "",
    room: inputs.room.value.trim(),
    category: inputs.category.value.trim(),
  };
}

function writeUrl(f) {
  const q = new URLSearchParams();
  if (langQuery) q.set("lang", langQuery);
  if (f.state !== "active") q.set("state", f.state);
  ["reason", "room", "category"].forEach((k) => {
    if (f[k]) q.set(k, f[k]);
  });
  const search = q.toString();
  const url = location.pathname + (search ? "?" + search : "");
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  // The language switch keeps the filters.
  $$("[data-lang-link]").forEach((a) => {
    const target = new URLSearchParams(q);
    target.set("lang", a.getAttribute("hreflang"));
    a.href = location.pathname + "?" + target.toString();
  });
  clear.hidden = f.state === "active" && !f.reason && !f.room && !f.category;
}

function matches(c, f) {
  if (f.state === "active" ? !(c.state === "open" || c.state === "claimed") : c.state !== f.state) return false;
  if (f.reason && !(c.reasons || []).some((r) => r.code === f.reason)) return false;
  if (f.room && c.room !== f.room) return false;
  if (f.category && c.category !== f.category) return false;
  return true;
}

function queryFor(f, state) {
  const q = new URLSearchParams({ state });
  ["reason", "room", "category"].forEach((k) => {
    if (f[k]) q.set(k, f[k]);
  });
  return "/api/v1/staff/cases?" + q.toString();
}

// ---------------------------------------------------------------- fetching
function fetchQueue() {
  const f = filters();
  const gen = ++generation;
  const states = f.state === "active" ? ["open", "claimed"] : [f.state];
  list.setAttribute("aria-busy", "true");
  return Promise.all(states.map((s) => api("GET", queryFor(f, s)))).then((results) => {
    if (gen !== generation) return; // the filters changed meanwhile: a newer fetch wins
    list.setAttribute("aria-busy", "false");
    const failed = results.find((r) => !r.ok);
    if (failed) {
      if (failed.status !== 401) showAlert(t("load_failed"), "error");
      return;
    }
    if (showingError()) hideAlert();
    const seen = new Set();
    results.forEach((r) => {
      (r.data.cases || []).forEach((c) => {
        if (!c || !c.id || !matches(c, f)) return;
        seen.add(c.id);
        upsert(c, { fromFetch: true });
      });
    });
    // Rows the snapshot does not know about leave, unless a live event brought them in
    // while the request was in flight (the snapshot may be older than that event).
    cases.forEach((entry, id) => {
      if (!seen.has(id) && entry.liveGen !== gen) removeCase(id, false);
    });
    loaded = true;
    updateSummary();
  });
}

// ---------------------------------------------------------------- rows
function compare(a, b) {
  const pa = typeof a.priority === "number" ? a.priority : 0;
  const pb = typeof b.priority === "number" ? b.priority : 0;
  if (pa !== pb) return pb - pa;
  const da = toTime(a.due_at) || Infinity;
  const db = toTime(b.due_at) || Infinity;
  if (da !== db) return da < db ? -1 : 1;
  return toTime(a.created_at) - toTime(b.created_at);
}

function place(entry) {
  let before = null;
  for (const row of list.children) {
    if (row === entry.el) continue;
    const other = cases.get(row.dataset.caseId);
    if (other && compare(entry.case, other.case) < 0) {
      before = row;
      break;
    }
  }
  // Leave it where it is when it is already in place: moving a row loses its focus.
  if (entry.el.parentNode === list && entry.el.nextElementSibling === before) return;
  if (before === null && entry.el.parentNode === list && entry.el === list.lastElementChild) return;
  const focused = entry.el.contains(document.activeElement) ? document.activeElement : null;
  list.insertBefore(entry.el, before);
  if (focused) focused.focus({ preventScroll: true });
}

function build(c) {
  const li = fromTemplate(template);
  li.dataset.caseId = c.id;
  $(".sc-case__link", li).href = withLang("/staff/cases/" + encodeURIComponent(c.id));
  $(".sc-case__claim", li).addEventListener("click", (event) => claim(c.id, event.currentTarget));
  return li;
}

function render(entry) {
  const c = entry.case;
  const li = entry.el;
  li.dataset.state = c.state || "";
  li.dataset.priority = String(c.priority);
  li.dataset.urgency = urgency(c.priority);
  li.classList.toggle("sc-case--flagged", !!c.flagged);
  li.classList.toggle("sc-case--mine", !!(c.assignee && c.assignee.id === ME.id));
  setPriority($(".sc-case__priority", li), c);
  const question = (c.thread && c.thread.body) || "";
  $(".sc-case__link", li).textContent = excerpt(question, 220) || "#" + c.id;
  setOptionalText($(".sc-case__room", li), c.room);
  setOptionalText($(".sc-case__category", li), c.category);
  renderReasonChips($(".sc-chips", li), c.reasons);
  setDue($(".sc-case__due", li), c);
  setState($("[data-testid=case-state]", li), c.state);
  setFlag($(".sc-flag", li), c);
  setModeAndHeld(li, c);
  $(".sc-case__assignee", li).textContent = CLOSED[c.state] && c.outcome ? outcomeText(c.outcome) : assigneeText(c.assignee);
  // Broadcasts may lack `actions`: an open case can always be claimed by someone.
  const canClaim = Array.isArray(c.actions) ? c.actions.indexOf("claim") >= 0 : c.state === "open";
  const button = $(".sc-case__claim", li);
  if (button.getAttribute("aria-busy") !== "true") button.hidden = !canClaim;
  button.setAttribute("aria-label", t("action_claim") + " — " + excerpt(question, 60));
  if (c.room) known.rooms.add(c.room);
  if (c.category) known.categories.add(c.category);
}

function isOlder(c, entry) {
  return !!(toTime(c.updated_at) && toTime(entry.case.updated_at) && toTime(c.updated_at) < toTime(entry.case.updated_at));
}

function upsert(c, options) {
  options = options || {};
  let entry = cases.get(c.id);
  if (entry) {
    if (isOlder(c, entry)) return entry; // a snapshot older than what a live event already told us
    const merged = Object.assign({}, entry.case, c);
    if (!Array.isArray(c.actions)) merged.actions = null; // unknown now: infer from state
    entry.case = merged;
  } else {
    entry = { case: Object.assign({}, c), el: build(c), liveGen: 0 };
    if (!Array.isArray(c.actions)) entry.case.actions = null;
    cases.set(c.id, entry);
  }
  if (!options.fromFetch) entry.liveGen = generation;
  render(entry);
  place(entry);
  return entry;
}

function removeCase(id, announceIt) {
  const entry = cases.get(id);
  if (!entry) return;
  const hadFocus = entry.el.contains(document.activeElement);
  const next = entry.el.nextElementSibling || entry.el.previousElementSibling;
  entry.el.remove();
  cases.delete(id);
  if (hadFocus) {
    const target = next ? $(".sc-case__link", next) : $("#sc-queue-title");
    if (target) {
      if (!next) target.tabIndex = -1;
      target.focus({ preventScroll: true });
    }
  }
  if (announceIt) announce(t("case_gone", { text: excerpt(entry.case.thread && entry.case.thread.body, 80) }));
}

function highlight(entry) {
  entry.el.classList.remove("sc-case--new");
  void entry.el.offsetWidth; // restart the animation
  entry.el.classList.add("sc-case--new");
}

function updateSummary() {
  const n = cases.size;
  count.textContent = n === 0 ? t("cases_zero") : plural("cases", n);
  empty.hidden = !loaded || n > 0;
  fillDatalist($("#sc-rooms"), known.rooms);
  fillDatalist($("#sc-categories"), known.categories);
}

function fillDatalist(node, values) {
  if (!node || node.children.length === values.size) return;
  node.textContent = "";
  Array.from(values).sort().forEach((v) => {
    const option = document.createElement("option");
    option.value = v;
    node.appendChild(option);
  });
}

// ---------------------------------------------------------------- live
function onCase(kind, c) {
  if (!c || !c.id) return;
  const f = filters();
  let entry = cases.get(c.id);
  if (!matches(c, f)) {
    if (entry && !isOlder(c, entry)) removeCase(c.id, false);
    updateSummary();
    return;
  }
  const wasFlagged = entry ? !!entry.case.flagged : false;
  const isNew = !entry;
  entry = upsert(c);
  if (isNew) {
    highlight(entry);
    const reasons = (c.reasons || []).map((r) => reasonLabel(r.code)).join(", ");
    announce(t("new_case", { reasons, text: excerpt(c.thread && c.thread.body, 120) }));
  } else if (c.flagged && !wasFlagged) {
    highlight(entry);
    announce(t("flagged") + " — " + excerpt(c.thread && c.thread.body, 80));
  }
  updateSummary();
}

function claim(id, button) {
  setBusy(button, true);
  caseAction(id, "claim", {}).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      showError(res.error);
      if (res.status === 409 || res.status === 404) fetchQueue();
      return;
    }
    const c = res.data.case;
    if (c && matches(c, filters())) upsert(c);
    else if (c) removeCase(c.id, false);
    updateSummary();
    showAlert(t("claimed_ok"), "info");
    const entry = c && cases.get(c.id);
    if (entry && button.hidden) $(".sc-case__link", entry.el).focus();
  });
}

// ---------------------------------------------------------------- e-mail delivery
/** Shown only when e-mail is set up and some could not be sent (GET /api/v1/staff/mail). */
function initMail() {
  const panel = $("[data-testid=mail-health]");
  api("GET", "/api/v1/staff/mail").then((res) => {
    if (!res.ok || !res.data.available || !res.data.failed) return;
    const d = res.data;
    $("[data-testid=mail-counts]").textContent = t("mail_counts", {
      sent: d.sent_last_24h, pending: d.pending, failed: d.failed,
    });
    const items = $("[data-testid=mail-failures]");
    items.textContent = "";
    for (const mail of d.failures) {
      const li = document.createElement("li");
      li.dataset.testid = "mail-failure";
      li.textContent = t("mail_failure", {
        kind: t("mail_kind_" + mail.kind), to: mail.to, attempts: mail.attempts, error: mail.last_error || "",
      });
      items.appendChild(li);
    }
    panel.hidden = false;
  });
}

// ---------------------------------------------------------------- admin: detectors
function initDetectors() {
  const detectors = $("[data-testid=detectors]");
  if (!detectors) return;
  const rows = $("[data-testid=detector-rows]");
  const refresh = $("[data-testid=detectors-refresh]");
  function load() {
    setBusy(refresh, true);
    api("GET", "/api/v1/staff/detectors").then((res) => {
      setBusy(refresh, false);
      if (!res.ok) {
        if (res.status === 403) detectors.hidden = true;
        else showError(res.error);
        return;
      }
      rows.textContent = "";
      const model = res.data.model || {};
      $("[data-testid=detector-model]").textContent = modelLine(model);
      const known = new Set();
      const found = (res.data.detectors || []).map((d) => {
        known.add(d.code);
        return d;
      });
      // Every class the model scores gets a row, with or without moderator feedback yet.
      Object.keys((model.test && model.test.classes) || {}).forEach((code) => {
        if (!known.has(code)) found.push({ code, confirmed: 0, dismissed: 0, precision: null });
      });
      found.forEach((d) => {
        d.model_f1 = f1Of(model.test, d.code);
        d.rules_f1 = f1Of(model.rules_test, d.code);
      });
      if (!found.length) {
        const none = document.createElement("tr");
        const cell = document.createElement("td");
        cell.colSpan = 6;
        cell.className = "sc-muted";
        cell.textContent = t("precision_none");
        none.appendChild(cell);
        rows.appendChild(none);
      }
      found.forEach((d) => rows.appendChild(detectorRow(d)));
    });
  }
  refresh.addEventListener("click", load);
  load();
}

function f1Of(scores, code) {
  const row = scores && scores.classes && scores.classes[code];
  return row && typeof row.f1 === "number" ? row.f1 : null;
}

function fixed(n) {
  return typeof n === "number" ? n.toLocaleString(LANG, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "—";
}

function day(iso) {
  const ms = toTime(iso);
  return ms ? new Date(ms).toLocaleDateString(LANG, { year: "numeric", month: "short", day: "numeric" }) : "—";
}

function modelLine(model) {
  if (!model.version) return t("model_rules");
  const f1 = fixed(model.test && model.test.macro_f1);
  const rulesF1 = fixed(model.rules_test && model.rules_test.macro_f1);
  let line = model.source === "shop"
    ? t("model_shop", { version: model.version, date: day(model.trained_at), count: model.feedback_count, f1, rules_f1: rulesF1 })
    : t("model_shipped", { version: model.version, f1, rules_f1: rulesF1 });
  const last = (model.attempts || [])[0];
  if (last && !last.active) {
    line += " " + t("model_rejected", { date: day(last.at), f1: fixed(last.macro_f1), previous: fixed(last.previous_macro_f1) });
  }
  return line;
}

function detectorRow(d) {
  const tr = document.createElement("tr");
  tr.dataset.detector = d.code;
  const name = document.createElement("th");
  name.scope = "row";
  name.textContent = reasonLabel(d.code);
  tr.appendChild(name);
  [d.confirmed, d.dismissed].forEach((n) => {
    const td = document.createElement("td");
    td.className = "sc-num";
    td.textContent = typeof n === "number" ? n.toLocaleString(LANG) : "0";
    tr.appendChild(td);
  });
  const cell = document.createElement("td");
  cell.className = "sc-precision";
  if (typeof d.precision === "number") {
    const bar = document.createElement("span");
    bar.className = "sc-meter";
    bar.setAttribute("aria-hidden", "true");
    const fill = document.createElement("span");
    fill.className = "sc-meter__fill sc-meter__fill--" + (d.precision >= 0.8 ? "good" : d.precision >= 0.5 ? "fair" : "poor");
    fill.style.width = Math.round(Math.max(0, Math.min(1, d.precision)) * 100) + "%";
    bar.appendChild(fill);
    const value = document.createElement("span");
    value.className = "sc-precision__value";
    value.textContent = d.precision.toLocaleString(LANG, { style: "percent", maximumFractionDigits: 0 });
    cell.append(value, bar);
  } else {
    cell.textContent = t("precision_none");
    cell.classList.add("sc-muted");
  }
  tr.appendChild(cell);
  [d.model_f1, d.rules_f1].forEach((n) => {
    const td = document.createElement("td");
    td.className = "sc-num";
    td.textContent = fixed(n);
    tr.appendChild(td);
  });
  return tr;
}

// ---------------------------------------------------------------- wiring
function applyFilters() {
  writeUrl(filters());
  cases.forEach((entry, id) => {
    if (!matches(entry.case, filters())) removeCase(id, false);
  });
  updateSummary();
  fetchQueue();
}

readFiltersFromUrl();
writeUrl(filters());

let textTimer = null;
inputs.state.addEventListener("change", applyFilters);
inputs.reason.addEventListener("change", applyFilters);
[inputs.room, inputs.category].forEach((input) => {
  input.addEventListener("input", () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(applyFilters, TEXT_FILTER_DEBOUNCE_MS);
  });
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(textTimer);
  applyFilters();
});
clear.addEventListener("click", () => {
  inputs.state.value = "active";
  inputs.reason.value = "";
  inputs.room.value = "";
  inputs.category.value = "";
  applyFilters();
  inputs.state.focus();
});
window.addEventListener("popstate", () => {
  readFiltersFromUrl();
  applyFilters();
});

fetchQueue();
openSocket(onCase, () => fetchQueue());
setInterval(() => {
  cases.forEach((entry) => setDue($(".sc-case__due", entry.el), entry.case));
}, TICK_MS);
initDetectors();
initMail();
