/*
 * "My points" (GET /api/v1/visitors/<id>/points) in a sheet, and the toast that celebrates
 * a promotion or a badge.
 */
import { getJson } from "../shared/api.js";
import { $, fromTemplate } from "../shared/dom.js";
import { has, LANG, ROOM, t } from "./config.js";
import { postToParent } from "./embed.js";
import { announce, toast } from "./feedback.js";
import { loadLeaders } from "./leaders.js";
import { fillBadges, fillRank } from "./pills.js";
import { closeSheetAway, openSheet } from "./sheets.js";
import { me, state } from "./state.js";
import { formatNumber, pointsText } from "./text.js";
import { focusThread, setTime } from "./threads.js";

const els = {
  button: $("[data-testid=my-points]"),
  sheet: $("#ep-points"),
  body: $("#ep-points .ep-sheet__body"),
  status: $("[data-testid=points-status]"),
  error: $("[data-testid=points-error]"),
  content: $("[data-testid=points-content]"),
  total: $("[data-testid=points-total]"),
  rank: $("[data-testid=points-rank]"),
  badges: $("[data-testid=points-badges]"),
  badgesCell: $("[data-testid=points-badges-cell]"),
  standings: $("[data-testid=points-standings]"),
  standingsCell: $("[data-testid=points-standings-cell]"),
  empty: $("[data-testid=points-empty]"),
  groups: $("[data-testid=points-groups]"),
  groupTemplate: $("#ep-points-group-template"),
  leaders: $("#ep-leaders"),
};
const points = { abort: null };

export const pointsButton = els.button;

export function initPoints() {
  els.button.addEventListener("click", () => openPoints(els.button));
  $("[data-testid=points-retry]").addEventListener("click", () => loadPoints());
  els.sheet.addEventListener("close", () => {
    if (points.abort) points.abort.abort();
    points.abort = null;
  });
}

/** The button shows for a visitor with an identity; the sheet closes when they lose it. */
export function updatePointsButton() {
  if (!me() && els.sheet.open) els.sheet.close();
  els.button.hidden = !me();
}

/**
 * Recognition (a promotion, a badge): a toast leading to "My points", read aloud, and the
 * open sheets brought up to date.
 */
export function celebrate(text) {
  toast(text, { tone: "celebrate", action: { label: t("rank_toast_action"), run: () => openPoints(els.button) } });
  announce(text);
  postToParent({ type: "notify" });
  if (els.sheet.open) loadPoints();
  if (els.leaders.open) loadLeaders(false);
}

function openPoints(opener) {
  if (!me()) return;
  openSheet(els.sheet, opener);
  loadPoints();
}

function loadPoints() {
  const visitor = me();
  if (!visitor) return;
  if (points.abort) points.abort.abort();
  const abort = new AbortController();
  points.abort = abort;
  els.body.setAttribute("aria-busy", "true");
  els.error.hidden = true;
  if (els.content.hidden) els.status.textContent = t("points_loading");
  // Our own token: the server shows the whole ledger (notes, rooms, times) only to its owner.
  const url = "/api/v1/visitors/" + encodeURIComponent(visitor.id) + "/points?lang=" + LANG;
  getJson(url, abort.signal, { Authorization: "Bearer " + visitor.token })
    .then((body) => {
      if (points.abort !== abort) return;
      points.abort = null;
      renderPoints(body || {});
    })
    .catch((error) => {
      if (error && error.name === "AbortError") return;
      if (points.abort !== abort) return;
      points.abort = null;
      els.body.setAttribute("aria-busy", "false");
      els.status.textContent = "";
      els.content.hidden = true;
      els.error.hidden = false;
    });
}

function renderPoints(body) {
  const total = typeof body.total === "number" ? body.total : 0;
  els.total.textContent = pointsText(total);
  els.total.dataset.points = String(total);
  const rank = body.rank && typeof body.rank === "object" ? body.rank : {};
  fillRank(els.rank, rank.code || "", rank.label);
  fillBadges(els.badges, body.badges);
  els.badgesCell.hidden = els.badges.children.length === 0;
  const standings = (Array.isArray(body.standings) ? body.standings : [])
    .filter((s) => s && typeof s.position === "number" && has("standing_" + s.period));
  els.standings.textContent = standings
    .map((s) => t("standing_" + s.period, { n: formatNumber(s.position) }))
    .join(" · ");
  els.standingsCell.hidden = standings.length === 0;

  // Keep the sections a reader opened open across a refresh.
  const opened = {};
  els.groups.querySelectorAll(".ep-pgroup").forEach((li) => {
    if ($("details", li).open) opened[li.dataset.reason] = true;
  });
  els.groups.textContent = "";
  const groups = Array.isArray(body.groups) ? body.groups : [];
  groups.forEach((group, i) => {
    if (group && group.reason) els.groups.appendChild(buildGroup(group, i, !!opened[group.reason]));
  });
  els.empty.hidden = els.groups.children.length > 0;
  els.status.textContent = "";
  els.content.hidden = false;
  els.body.setAttribute("aria-busy", "false");
}

function buildGroup(group, index, open) {
  const li = fromTemplate(els.groupTemplate);
  const count = group.count || 0;
  const revokedCount = group.revoked_count || 0;
  li.dataset.reason = String(group.reason);
  li.dataset.points = String(group.total || 0);
  const label = $(".ep-pgroup__label", li);
  label.id = "ep-pgroup-" + index;
  label.textContent = group.label || String(group.reason);
  $(".ep-pgroup__total", li).textContent = (group.total > 0 ? "+" : "") + pointsText(group.total || 0);
  const countLine = $(".ep-pgroup__count", li);
  countLine.textContent = count === 0 ? "" : count === 1 ? t("count_one") : t("count_other", { n: formatNumber(count) });
  countLine.hidden = count === 0;
  const revoked = $(".ep-pgroup__revoked", li);
  revoked.hidden = revokedCount === 0;
  revoked.textContent = revokedCount === 0 ? ""
    : t(revokedCount === 1 ? "revoked_one" : "revoked_other",
      { n: formatNumber(revokedCount), points: pointsText(group.revoked_points || 0) });
  $(".ep-pgroup__rule", li).textContent = group.rule || "";

  const entries = Array.isArray(group.entries) ? group.entries : [];
  const details = $("details", li);
  details.hidden = entries.length === 0;
  details.open = open;
  $("summary", li).textContent = t("points_details", { n: formatNumber(entries.length) });
  const list = $(".ep-pgroup__entries", li);
  entries.forEach((entry) => {
    if (entry) list.appendChild(buildEntry(entry));
  });
  return li;
}

function buildEntry(entry) {
  const li = document.createElement("li");
  const revoked = !!entry.revoked || !!entry.revoked_at;
  li.className = "ep-pentry" + (revoked ? " ep-pentry--revoked" : "");
  li.setAttribute("data-testid", "points-entry");
  const value = document.createElement(revoked ? "s" : "span");
  value.className = "ep-pentry__points";
  value.textContent = "+" + formatNumber(entry.points || 0);
  li.appendChild(value);

  const text = document.createElement("div");
  text.className = "ep-pentry__text";
  if (entry.detail) {
    const detail = document.createElement("p");
    detail.className = "ep-pentry__detail";
    detail.textContent = entry.detail;
    text.appendChild(detail);
  }
  if (entry.revoked) {
    const why = document.createElement("p");
    why.className = "ep-pentry__revoked";
    why.textContent = entry.revoked;
    text.appendChild(why);
  }
  const meta = document.createElement("p");
  meta.className = "ep-pentry__meta";
  const time = document.createElement("time");
  time.className = "ep-time";
  setTime(time, entry.created_at);
  meta.appendChild(time);
  if (entry.thread_id && entry.room === ROOM && state.threads.has(entry.thread_id)) {
    const view = document.createElement("button");
    view.type = "button";
    view.className = "ep-link-button ep-pentry__view";
    view.textContent = t("points_view_question");
    view.addEventListener("click", () => {
      closeSheetAway(els.sheet);
      focusThread(entry.thread_id);
    });
    meta.appendChild(view);
  }
  text.appendChild(meta);
  li.appendChild(text);
  return li;
}
