/*
 * The insights page's charts over time, drawn with Chart.js (a classic script from
 * /static/vendor: window.Chart): questions and answers per day, and the day's rates
 * (answer rate, satisfaction, deflection). A day without a denominator has no rate: the
 * line breaks there rather than dropping to 0. Each canvas carries its figures as text.
 */
import { $ } from "../shared/dom.js";

const Chart = typeof window.Chart === "function" ? window.Chart : null;
const charts = {};

if (Chart) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#52606d";
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }
}

function line(label, data, color) {
  return { label, data, borderColor: color, backgroundColor: color, tension: 0.25, spanGaps: false };
}

function draw(key, canvas, labels, datasets, options) {
  if (!Chart) return;
  if (charts[key]) {
    charts[key].data = { labels, datasets };
    charts[key].update();
    return;
  }
  charts[key] = new Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: Object.assign({ responsive: true, maintainAspectRatio: false }, options),
  });
}

/** Both charts for the report `doc`; `t` translates, `percent` formats a ratio. */
export function renderCharts(doc, t, percent) {
  const days = doc.by_day.map((d) => d.day);
  const sum = (key) => doc.by_day.reduce((total, d) => total + (d[key] || 0), 0);

  const volume = $("#in-chart");
  volume.setAttribute("aria-label", t("dataset_questions") + ": " + sum("questions") + ", " +
    t("dataset_answered") + ": " + sum("answered"));
  draw("volume", volume, days, [
    line(t("dataset_questions"), doc.by_day.map((d) => d.questions), "#0b5a70"),
    line(t("dataset_answered"), doc.by_day.map((d) => d.answered), "#2f8f5b"),
  ], { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });

  const rates = $("#in-rates-chart");
  if (!rates) return;
  const keys = [["answer_rate", "#0b5a70"], ["csat", "#2f8f5b"], ["deflection_rate", "#b35c00"]];
  rates.setAttribute("aria-label", keys.map(([key]) => t("tile_" + key) + ": " + percent(doc[key])).join(", "));
  draw("rates", rates, days, keys.map(([key, color]) =>
    line(t("tile_" + key), doc.by_day.map((d) => (typeof d[key] === "number" ? d[key] : null)), color)), {
    scales: { y: { min: 0, max: 1, ticks: { callback: (value) => percent(value) } } },
    plugins: { tooltip: { callbacks: { label: (item) => item.dataset.label + ": " + percent(item.parsed.y) } } },
  });
}
