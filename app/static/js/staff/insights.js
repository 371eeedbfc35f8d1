/*
 * Entry module of the insights page (/staff/insights, app/templates/staff/insights.html): the
 * KPIs of a period and scope, charts per day (insights-charts.js), a table per product,
 * topics and weak signals, the CSV link.
 *
 * Reads GET /api/v1/staff/insights with the session cookie. The period and filters live in
 * the URL (from, to, room, category), so a view can be bookmarked and reloaded.
 */
import { $, $$, el } from "../shared/dom.js";
import { createAlert } from "../shared/feedback.js";
import { createI18n, readConfig } from "../shared/i18n.js";
import { renderCharts } from "./insights-charts.js";
import { langQuery, openSession } from "./session.js";

const config = readConfig("insights-config") || {};
const LANG = config.lang || "fr";
const { t, has } = createI18n(config.strings, LANG);
const DAY_MS = 86400000;
const TILES = [
  ["questions", "count"], ["answer_rate", "ratio"], ["community_answer_share", "ratio"],
  ["median_first_answer_seconds", "duration"], ["escalation_rate", "ratio"], ["csat", "ratio"],
  ["deflected_contacts", "count"], ["deflection_rate", "ratio"], ["estimated_savings", "euros"],
];

const form = $("[data-testid=insights-filters]");
const inputs = { from: $("#in-from"), to: $("#in-to"), room: $("#in-room"), category: $("#in-category") };
const alert = createAlert($("[data-testid=alert]"), { block: "sc", roles: true, timeout: () => 15000 });
const api = openSession({
  csrfToken: config.csrf_token,
  lang: LANG,
  expired: () => alert.show(t("error_unauthorized"), "error", true),
});

// ---------------------------------------------------------------- the digest by e-mail
const digestBox = $("[data-testid=digest-email]");
if (digestBox) {
  digestBox.addEventListener("change", () => {
    const on = digestBox.checked;
    digestBox.disabled = true;
    api("PUT", "/api/v1/staff/me/digest", { lang: on ? LANG : null }).then((res) => {
      digestBox.disabled = false;
      if (!res.ok) {
        digestBox.checked = !on;
        alert.show(t("load_failed"), "error");
        return;
      }
      $("[data-testid=digest-email-status]").textContent = t(on ? "digest_on" : "digest_off");
    });
  });
}

// ---------------------------------------------------------------- formats
function show(value, kind) {
  if (typeof value !== "number" || !isFinite(value)) return "—"; // no denominator: no figure
  if (kind === "ratio") return value.toLocaleString(LANG, { style: "percent", maximumFractionDigits: 0 });
  if (kind === "euros") return value.toLocaleString(LANG, { style: "currency", currency: "EUR" });
  if (kind === "duration") {
    return value < 5400 ? t("minutes", { n: Math.round(value / 60) })
      : t("hours", { n: (value / 3600).toLocaleString(LANG, { maximumFractionDigits: 1 }) });
  }
  return value.toLocaleString(LANG);
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- the query (URL)
function readUrl() {
  const q = new URLSearchParams(location.search);
  for (const name of Object.keys(inputs)) inputs[name].value = q.get(name) || "";
}

function query() {
  const q = new URLSearchParams();
  for (const [name, input] of Object.entries(inputs)) {
    if (input.value.trim()) q.set(name, input.value.trim());
  }
  return q;
}

function writeUrl() {
  const q = query();
  if (langQuery) q.set("lang", langQuery);
  history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : ""));
}

function pickDays(days) {
  const today = new Date();
  inputs.to.value = isoDay(today);
  inputs.from.value = isoDay(new Date(today.getTime() - (days - 1) * DAY_MS));
  load();
}

// ---------------------------------------------------------------- rendering
function renderTiles(doc) {
  const tiles = $("[data-testid=tiles]");
  tiles.textContent = "";
  for (const [key, kind] of TILES) {
    if (key === "estimated_savings" && doc.estimated_savings == null) continue;
    const tile = el("div", null, "in-tile");
    tile.dataset.testid = "tile-" + key;
    tile.dataset.value = doc[key] == null ? "" : String(doc[key]);
    tile.title = has("def_" + key) ? t("def_" + key) : (doc.definitions || {})[key] || "";
    tile.append(el("dt", t("tile_" + key)), el("dd", show(doc[key], kind)));
    tiles.append(tile);
  }
  tiles.setAttribute("aria-busy", "false");
}

function renderRooms(doc) {
  const rows = $("[data-testid=rooms-rows]");
  rows.textContent = "";
  if (!doc.by_room.length) {
    const cell = el("td", t("no_rooms"));
    cell.colSpan = 7;
    const row = el("tr");
    row.append(cell);
    rows.append(row);
    return;
  }
  for (const room of doc.by_room) {
    const row = el("tr");
    row.dataset.testid = "room-row";
    row.dataset.room = room.room;
    const name = el("th", room.title || room.room);
    name.scope = "row";
    row.append(name);
    for (const [value, kind] of [[room.questions, "count"], [room.answer_rate, "ratio"],
      [room.community_answer_share, "ratio"], [room.escalated, "count"], [room.csat, "ratio"],
      [room.deflected_contacts, "count"]]) {
      row.append(el("td", show(value, kind), "sc-num"));
    }
    rows.append(row);
  }
}

function renderTopics(doc) {
  const since = $("[data-testid=topics-from]");
  since.hidden = doc.topics_from === doc.period.from;
  since.textContent = t("topics_from", { from: doc.topics_from });
  const list = $("[data-testid=topics]");
  list.textContent = "";
  if (!doc.topics.length) {
    list.append(el("li", t("no_topics"), "sc-empty sc-empty--small"));
    return;
  }
  const titles = {};
  for (const room of doc.by_room) titles[room.room] = room.title || room.room;
  for (const topic of doc.topics) {
    const item = el("li", null, "in-topic" + (topic.weak_signal ? " in-topic--weak" : ""));
    item.dataset.testid = "topic";
    item.dataset.weak = topic.weak_signal ? "true" : "false";
    const head = el("p", null, "in-topic__head");
    head.append(el("strong", topic.label));
    if (topic.weak_signal) head.append(" ", el("span", t("weak_signal"), "sc-badge in-weak"));
    item.append(head);
    item.append(el("p", t("topic_counts", { questions: topic.questions, frustrated: topic.frustrated }), "sc-hint"));
    item.append(el("p", t("topic_terms", { terms: topic.terms.join(", ") }), "sc-hint"));
    for (const room of topic.rooms) {
      const block = el("div", null, "in-topic__room" + (room.weak_signal ? " in-topic__room--weak" : ""));
      block.dataset.testid = "topic-room";
      block.dataset.room = room.room;
      const name = titles[room.room] || room.room;
      block.append(el("p", t("topic_rooms", { rooms: name }) + " · " +
        t("topic_counts", { questions: room.questions, frustrated: room.frustrated }), "in-topic__room-head"));
      if (room.weak_signal) {
        const why = el("p", null, "in-topic__why");
        why.dataset.testid = "weak-reason";
        // The reason in the page's language from its figures (the API's sentence is English).
        const reason = room.signal ? t("signal_" + room.signal.kind, room.signal) : room.weak_signal;
        why.append(el("span", t("weak_signal"), "sc-badge in-weak"), " ", reason);
        block.append(why);
      }
      const examples = el("ul", null, "in-topic__examples");
      for (const example of room.examples) {
        const link = el("a", example.body);
        // The product page where the thread lives, else the thread itself (public JSON).
        link.href = /^https?:\/\//.test(example.url) ? example.url
          : "/api/v1/threads/" + encodeURIComponent(example.thread_id);
        link.rel = "noopener";
        link.target = "_blank";
        const line = el("li");
        line.dataset.testid = "topic-example";
        line.append(link);
        examples.append(line);
      }
      block.append(examples);
      item.append(block);
    }
    list.append(item);
  }
}

function renderPeriod(doc) {
  $("[data-testid=insights-period]").textContent = t("period", { from: doc.period.from, to: doc.period.to });
  inputs.from.value = doc.period.from;
  inputs.to.value = doc.period.to;
  const days = Math.round((Date.parse(doc.period.to) - Date.parse(doc.period.from)) / DAY_MS) + 1;
  for (const button of $$("[data-days]", form)) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.days) === days));
  }
  const q = query().toString();
  $("[data-testid=insights-csv]").href = "/api/v1/staff/insights.csv" + (q ? "?" + q : "");
}

// ---------------------------------------------------------------- loading
let generation = 0;

function load() {
  const gen = ++generation;
  writeUrl();
  const q = query().toString();
  api("GET", "/api/v1/staff/insights" + (q ? "?" + q : "")).then((res) => {
    if (gen !== generation) return;
    if (!res.ok) {
      alert.show(has("error_" + res.error.code) ? t("error_" + res.error.code) : t("load_failed"), "error", true);
      return;
    }
    alert.hide();
    const doc = res.data;
    renderPeriod(doc);
    renderTiles(doc);
    renderCharts(doc, t, (value) => show(value, "ratio"));
    renderRooms(doc);
    renderTopics(doc);
  });
}

for (const button of $$("[data-days]", form)) {
  button.addEventListener("click", () => pickDays(Number(button.dataset.days)));
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
readUrl();
load();
