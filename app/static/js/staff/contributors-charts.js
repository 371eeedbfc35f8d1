/*
 * The contributors page's charts, drawn with Chart.js (a classic script from
 * /static/vendor: window.Chart). Each has a text alternative: an aria-label with the
 * figures, and a table with the same data.
 */
import { $ } from "../shared/dom.js";
import { excerpt } from "../shared/format.js";
import { cell, day, LANG, num, scopeText, state, t } from "./contributors-common.js";

const CHART_TOP = 10;
const BRAND = "#0b5a70";
const MUTED = "#52606d";
const GRID = "#e3e9ed";
const Chart = typeof window.Chart === "function" ? window.Chart : null;
const topCanvas = $("#rw-top-chart");
const timelineCanvas = $("#rw-timeline-chart");
let topChart = null;
let topIds = [];
let timelineChart = null;

if (Chart) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = MUTED;
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }
}

/** The board's top ten as bars; a click on a bar calls onOpen(visitorId). */
export function renderTopChart(board, onOpen) {
  const top = board.slice(0, CHART_TOP);
  const name = t("period_" + state.period);
  const period = name.charAt(0).toLocaleLowerCase(LANG) + name.slice(1) + scopeText();
  topCanvas.setAttribute("aria-label", top.length
    ? t("chart_label", { period, list: top.map((r) => r.name + " " + t("points_long", { n: num(r.points) })).join(", ") })
    : t("chart_empty"));
  topCanvas.parentNode.dataset.empty = top.length ? "false" : "true";
  topCanvas.parentNode.style.height = Math.max(140, 34 * top.length + 48) + "px";
  if (!Chart) return;
  const labels = top.map((r) => excerpt(r.name, 24));
  const data = top.map((r) => r.points);
  topIds = top.map((r) => r.visitor_id);
  if (topChart) {
    topChart.data.labels = labels;
    topChart.data.datasets[0].data = data;
    topChart.update();
    return;
  }
  topChart = new Chart(topCanvas, {
    type: "bar",
    data: { labels, datasets: [{ label: t("chart_dataset"), data, backgroundColor: BRAND, hoverBackgroundColor: "#08485a", borderRadius: 4, maxBarThickness: 22 }] },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => t("points_long", { n: num(item.parsed.x) }) } },
      },
      scales: {
        x: { beginAtZero: true, grid: { color: GRID }, ticks: { precision: 0, callback: (v) => num(v) } },
        y: { grid: { display: false }, ticks: { color: "#17212b" } },
      },
      onHover: (event, elements) => {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      },
      onClick: (event, elements) => {
        if (!elements.length) return;
        const id = topIds[elements[0].index];
        if (id) onOpen(id);
      },
    },
  });
}

/** A contributor's cumulative points per day, as a line and as a table. */
export function renderTimeline(name, timeline) {
  const points = Array.isArray(timeline) ? timeline : [];
  const tbody = $("[data-testid=timeline-table] tbody");
  tbody.textContent = "";
  points.forEach((p) => {
    const tr = document.createElement("tr");
    const th = cell("th", day(p.day));
    th.scope = "row";
    tr.append(th, cell("td", num(p.points), "sc-num"));
    tbody.appendChild(tr);
  });
  timelineCanvas.setAttribute("aria-label", points.length
    ? t("timeline_label", { name, list: points.map((p) => day(p.day) + " " + num(p.points)).join(", ") })
    : t("timeline_empty"));
  timelineCanvas.parentNode.dataset.empty = points.length ? "false" : "true";
  if (!Chart) return;
  // The curve starts from zero the day before the first points (true: they had none then).
  const series = points.slice();
  if (series.length && series[0].points > 0) {
    const first = Date.parse(String(series[0].day) + "T12:00:00");
    if (!isNaN(first)) {
      const before = new Date(first - 86400000);
      const iso = before.getFullYear() + "-" + String(before.getMonth() + 1).padStart(2, "0") + "-" + String(before.getDate()).padStart(2, "0");
      series.unshift({ day: iso, points: 0 });
    }
  }
  const labels = series.map((p) => day(p.day));
  const data = series.map((p) => p.points);
  if (timelineChart) {
    timelineChart.data.labels = labels;
    timelineChart.data.datasets[0].data = data;
    timelineChart.update();
    return;
  }
  timelineChart = new Chart(timelineCanvas, {
    type: "line",
    data: { labels, datasets: [{ label: t("chart_dataset"), data, borderColor: BRAND, backgroundColor: "rgba(11, 90, 112, .12)", fill: true, tension: 0.25, pointRadius: 3, pointBackgroundColor: BRAND }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => t("points_long", { n: num(item.parsed.y) }) } },
      },
      scales: {
        x: { grid: { display: false } },
        y: { beginAtZero: true, grid: { color: GRID }, ticks: { precision: 0, callback: (v) => num(v) } },
      },
    },
  });
}
