/*
 * Entry module of the contributors page (/staff/contributors,
 * app/templates/staff/contributors.html): the leaderboard of a period and scope, its top-ten
 * chart, and a contributor's detail (contributors-detail.js).
 *
 * Reads: GET /api/v1/staff/contributors (+ .csv) and /api/v1/staff/contributors/<id> with
 * the session cookie. The filters and the open contributor live in the URL.
 */
import { $, $$, avatar } from "../shared/dom.js";
import { renderTopChart } from "./contributors-charts.js";
import {
  announce, api, cell, errorText, num, pageAlert, percent, PERIODS, plural, rankTitle, readUrl,
  scopeText, state, t, writeUrl,
} from "./contributors-common.js";
import { closeDetail, initDetail, openDetail } from "./contributors-detail.js";

const TEXT_FILTER_DEBOUNCE_MS = 350;
const BOARD_LIMIT = 50;

const form = $("[data-testid=filters]");
const tabs = $$("[role=tab]", form);
const roomInput = $("#rw-filter-room");
const categoryInput = $("#rw-filter-category");
const clearButton = $("[data-testid=filter-clear]");
const rowsEl = $("[data-testid=contributor-rows]");
const table = $("[data-testid=contributors-table]");
const emptyEl = $("[data-testid=board-empty]");
const countEl = $("[data-testid=contributor-count]");
const captionEl = $("[data-testid=board-caption]");
const csvLink = $("[data-testid=csv-link]");
let boardGen = 0;
let board = [];

function readFilters() {
  readUrl();
  roomInput.value = state.room;
  categoryInput.value = state.category;
}

function boardQuery() {
  const q = new URLSearchParams();
  q.set("period", state.period);
  if (state.room) q.set("room", state.room);
  if (state.category) q.set("category", state.category);
  return q;
}

function renderFilters() {
  tabs.forEach((tab) => {
    const selected = tab.dataset.period === state.period;
    tab.setAttribute("aria-selected", selected ? "true" : "false");
    tab.tabIndex = selected ? 0 : -1;
  });
  $("#rw-results").setAttribute("aria-labelledby", "rw-tab-" + state.period);
  clearButton.hidden = !state.room && !state.category;
}

// ---------------------------------------------------------------- leaderboard
function loadBoard(speak) {
  const gen = ++boardGen;
  renderFilters();
  const q = boardQuery();
  csvLink.href = "/api/v1/staff/contributors.csv?" + q.toString();
  q.set("limit", String(BOARD_LIMIT));
  table.setAttribute("aria-busy", "true");
  return api("GET", "/api/v1/staff/contributors?" + q.toString()).then((res) => {
    if (gen !== boardGen) return;
    table.setAttribute("aria-busy", "false");
    if (!res.ok) {
      if (res.status !== 401) pageAlert.show(res.status === 400 ? errorText(res.error) : t("load_failed"), "error");
      return;
    }
    board = Array.isArray(res.data.contributors) ? res.data.contributors : [];
    renderBoard();
    renderTopChart(board, (id) => openDetail(id, true));
    if (speak) announce(captionEl.textContent + " — " + countEl.textContent);
  });
}

function renderBoard() {
  const active = document.activeElement && document.activeElement.closest
    ? document.activeElement.closest("[data-visitor-id]")
    : null;
  const focusedId = active ? active.dataset.visitorId : null;
  rowsEl.textContent = "";
  board.forEach((row) => {
    const tr = document.createElement("tr");
    tr.setAttribute("data-testid", "contributor-row");
    tr.dataset.visitorId = row.visitor_id;
    if (row.visitor_id === state.contributor) tr.classList.add("rw-row--open");
    tr.appendChild(cell("td", num(row.rank), "sc-num rw-col-rank"));
    const th = cell("th", null, "rw-col-name");
    th.scope = "row";
    const button = cell("button", null, "rw-name");
    button.type = "button";
    button.setAttribute("data-testid", "contributor-open");
    button.setAttribute("aria-label", t("open_detail", { name: row.name }));
    button.title = row.name;
    const av = cell("span", null, "sc-avatar rw-name__avatar");
    av.setAttribute("aria-hidden", "true");
    avatar(av, row.name);
    button.append(av, cell("span", row.name, "rw-name__text"));
    button.addEventListener("click", () => openDetail(row.visitor_id, true));
    th.appendChild(button);
    tr.appendChild(th);
    const points = cell("td", num(row.points), "sc-num rw-points");
    points.setAttribute("data-testid", "contributor-points");
    tr.appendChild(points);
    tr.appendChild(cell("td", rankTitle(row), "rw-col-title"));
    tr.appendChild(cell("td", num(row.answers), "sc-num"));
    tr.appendChild(cell("td", row.answers ? percent(row.acceptance_rate) : "–", "sc-num"));
    tr.appendChild(cell("td", row.answers ? num(row.helpful_per_answer, 2) : "–", "sc-num"));
    rowsEl.appendChild(tr);
  });
  captionEl.textContent = t("caption", { period: t("period_" + state.period), scope: scopeText() });
  countEl.textContent = plural("count", board.length);
  emptyEl.hidden = board.length > 0;
  table.parentNode.hidden = board.length === 0;
  if (focusedId) {
    const again = $("tr[data-visitor-id='" + focusedId + "'] .rw-name", rowsEl);
    if (again) again.focus();
  }
}

// ---------------------------------------------------------------- filters
function choosePeriod(period, push) {
  if (PERIODS.indexOf(period) < 0 || period === state.period) return;
  state.period = period;
  writeUrl(push);
  loadBoard(true);
}

let typingTimer = null;
function textFiltersChanged(now) {
  clearTimeout(typingTimer);
  const apply = () => {
    const room = roomInput.value.trim();
    const category = categoryInput.value.trim();
    if (room === state.room && category === state.category) return;
    state.room = room;
    state.category = category;
    writeUrl(false);
    loadBoard(true);
  };
  if (now) apply();
  else typingTimer = setTimeout(apply, TEXT_FILTER_DEBOUNCE_MS);
}

tabs.forEach((tab, index) => {
  tab.addEventListener("click", (event) => {
    event.preventDefault();
    choosePeriod(tab.dataset.period, true);
  });
  tab.addEventListener("keydown", (event) => {
    let next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = tabs[(index + 1) % tabs.length];
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    if (!next) return;
    event.preventDefault();
    next.focus();
    choosePeriod(next.dataset.period, true);
  });
});
roomInput.addEventListener("input", () => textFiltersChanged(false));
categoryInput.addEventListener("input", () => textFiltersChanged(false));
form.addEventListener("submit", (event) => {
  event.preventDefault();
  textFiltersChanged(true);
});
clearButton.addEventListener("click", () => {
  roomInput.value = "";
  categoryInput.value = "";
  textFiltersChanged(true);
  roomInput.focus();
});

window.addEventListener("popstate", () => {
  readFilters();
  loadBoard();
  if (state.contributor) openDetail(state.contributor, false);
  else closeDetail();
});

// ---------------------------------------------------------------- start
initDetail(() => loadBoard());
readFilters();
writeUrl(false);
loadBoard();
if (state.contributor) openDetail(state.contributor, false);
