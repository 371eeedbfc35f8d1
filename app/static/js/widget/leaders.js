/*
 * "Top contributors" of this product's room (GET /api/v1/leaderboard), in a sheet.
 */
import { getJson } from "../shared/api.js";
import { $, $$, avatar, fromTemplate } from "../shared/dom.js";
import { ROOM, t } from "./config.js";
import { announce } from "./feedback.js";
import { fillBadges, fillRank } from "./pills.js";
import { openSheet } from "./sheets.js";
import { isMine } from "./state.js";
import { formatNumber, pointsText } from "./text.js";

const LEADERS_LIMIT = 10;
const LEADERS_REFRESH_MS = 1500; // room activity while the board is shown: reload it, calmly

const els = {
  button: $("[data-testid=top-contributors]"),
  sheet: $("#ep-leaders"),
  list: $("[data-testid=leaders-list]"),
  loading: $("[data-testid=leaders-loading]"),
  empty: $("[data-testid=leaders-empty]"),
  error: $("[data-testid=leaders-error]"),
  template: $("#ep-leader-template"),
};
const leaders = { period: "week", abort: null, timer: null };

export function initLeaders() {
  els.button.addEventListener("click", () => {
    openSheet(els.sheet, els.button);
    loadLeaders(false);
  });
  els.sheet.addEventListener("close", () => {
    clearTimeout(leaders.timer);
    if (leaders.abort) leaders.abort.abort();
    leaders.abort = null;
  });
  $$("input[name=ep-period]").forEach((input) => {
    input.addEventListener("change", () => {
      if (!input.checked) return;
      leaders.period = input.value;
      loadLeaders(true);
    });
  });
  $("[data-testid=leaders-retry]").addEventListener("click", () => loadLeaders(true));
}

/** Room activity while the board is open: reload it once things settle. */
export function scheduleLeaders() {
  if (!els.sheet.open) return;
  clearTimeout(leaders.timer);
  leaders.timer = setTimeout(() => loadLeaders(false), LEADERS_REFRESH_MS);
}

/** Reload the board when it is open (e.g. "(you)" follows a new identity). */
export function refreshLeaders() {
  if (els.sheet.open) loadLeaders(false);
}

export function loadLeaders(announceIt) {
  clearTimeout(leaders.timer);
  if (leaders.abort) leaders.abort.abort();
  const abort = new AbortController();
  leaders.abort = abort;
  els.list.setAttribute("aria-busy", "true");
  els.error.hidden = true;
  // Keep the current list on screen while the next one loads (no flash on a refresh).
  els.loading.hidden = els.list.children.length > 0 || !els.empty.hidden;
  const url = "/api/v1/leaderboard?period=" + encodeURIComponent(leaders.period) +
    "&room=" + encodeURIComponent(ROOM) + "&limit=" + LEADERS_LIMIT;
  getJson(url, abort.signal)
    .then((body) => {
      if (leaders.abort !== abort) return;
      leaders.abort = null;
      const entries = body && Array.isArray(body.entries) ? body.entries : [];
      renderLeaders(entries);
      if (announceIt) {
        announce(entries.length === 0 ? t("leaders_count_zero")
          : t(entries.length === 1 ? "leaders_count_one" : "leaders_count_other", { n: entries.length }));
      }
    })
    .catch((error) => {
      if (error && error.name === "AbortError") return;
      if (leaders.abort !== abort) return;
      leaders.abort = null;
      els.list.setAttribute("aria-busy", "false");
      els.loading.hidden = true;
      els.list.textContent = "";
      els.empty.hidden = true;
      els.error.hidden = false;
    });
}

function renderLeaders(entries) {
  const list = els.list;
  list.textContent = "";
  entries.forEach((item, i) => {
    const user = item && item.user;
    if (!user || !user.id) return;
    const li = fromTemplate(els.template);
    const position = typeof item.rank === "number" ? item.rank : i + 1;
    const mine = isMine(user);
    li.dataset.userId = user.id;
    li.dataset.position = String(position);
    li.classList.toggle("ep-leader--me", mine);
    li.classList.toggle("ep-leader--podium", position <= 3);
    if (mine) li.setAttribute("aria-current", "true");
    $(".ep-leader__pos", li).textContent = formatNumber(position);
    avatar($(".ep-avatar", li), user.name || "");
    $(".ep-leader__name", li).textContent = (user.name || "") + (mine ? " (" + t("you") + ")" : "");
    fillRank($(".ep-rank", li), typeof user.rank === "string" ? user.rank : "");
    fillBadges($(".ep-badges", li), user.badges);
    const points = typeof item.points === "number" ? item.points : 0;
    const pts = $(".ep-leader__points", li);
    pts.textContent = pointsText(points);
    pts.dataset.points = String(points);
    list.appendChild(li);
  });
  list.setAttribute("aria-busy", "false");
  els.loading.hidden = true;
  els.empty.hidden = list.children.length > 0;
}
