/*
 * What the contributors page's modules share: its config (#rewards-config, translated
 * server-side), number and date formats, alerts, the API client, and the view's state
 * (period, room, category, open contributor), which lives in the URL so a view can be
 * bookmarked, shared and reloaded.
 */
import { $, el } from "../shared/dom.js";
import { createAlert, createAnnouncer } from "../shared/feedback.js";
import { unit } from "../shared/format.js";
import { createI18n, readConfig } from "../shared/i18n.js";
import { langQuery, openSession } from "./session.js";

export const config = readConfig("rewards-config") || {};
export const LANG = config.lang || "fr";
export const { t, has, plural } = createI18n(config.strings, LANG);
export const PERIODS = ["week", "month", "all"];
export const ID_PATTERN = /^[0-9a-f]{16}$/;

// The API's rank_title is a label; map it back to a code so the title shows in the page's language.
const RANK_LABELS = {
  "nouveau membre": "newcomer", newcomer: "newcomer",
  contributeur: "helper", helper: "helper",
  expert: "expert",
  ambassadeur: "ambassador", ambassador: "ambassador",
};

// ---------------------------------------------------------------- formats
export function num(n, digits) {
  if (typeof n !== "number" || !isFinite(n)) return "–";
  const opts = digits == null ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return n.toLocaleString(LANG, opts);
}

export function percent(x) {
  if (typeof x !== "number" || !isFinite(x)) return "–";
  return x.toLocaleString(LANG, { style: "percent", maximumFractionDigits: 0 });
}

export function seconds(total) {
  if (typeof total !== "number" || !isFinite(total)) return t("not_measured");
  const s = Math.round(total);
  if (s < 60) return unit(LANG, s, "second");
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? unit(LANG, m, "minute") + " " + unit(LANG, rest, "second") : unit(LANG, m, "minute");
  const h = Math.floor(m / 60);
  return m % 60 ? unit(LANG, h, "hour") + " " + unit(LANG, m % 60, "minute") : unit(LANG, h, "hour");
}

export function dateTime(value) {
  const ms = Date.parse(value);
  if (isNaN(ms)) return "";
  return new Date(ms).toLocaleString(LANG, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** "2026-11-22" is a calendar day: read it as local noon so no time zone moves it. */
export function day(value) {
  const ms = Date.parse(String(value) + "T12:00:00");
  if (isNaN(ms)) return String(value || "");
  return new Date(ms).toLocaleDateString(LANG, { day: "numeric", month: "short" });
}

export function rankTitle(row) {
  const code = row.rank_code || RANK_LABELS[String(row.rank_title || "").trim().toLowerCase()];
  return code && has("rank_" + code) ? t("rank_" + code) : String(row.rank_title || "");
}

export { el as cell };

// ---------------------------------------------------------------- feedback
export const announce = createAnnouncer($("[data-testid=live]"));

function makeAlert(node) {
  return createAlert(node, { block: "sc", roles: true, timeout: (tone) => (tone === "error" ? 15000 : 8000) });
}
export const pageAlert = makeAlert($("[data-testid=alert]"));
export const detailAlert = makeAlert($("[data-testid=detail-alert]"));

export function errorText(error, fallback) {
  const code = error && error.code;
  if (code && has("error_" + code)) return t("error_" + code);
  if (error && typeof error.message === "string" && error.message) return error.message;
  return fallback || t("error_unknown");
}

export const api = openSession({
  csrfToken: config.csrf_token,
  lang: LANG,
  expired: () => {
    // While the panel is open the page behind it is inert: say it where it can be read.
    const open = document.querySelector("[data-testid=detail][open]");
    (open ? detailAlert : pageAlert).show(t("error_unauthorized"), "error", true);
  },
});

// ---------------------------------------------------------------- state <-> URL
export const state = { period: "all", room: "", category: "", contributor: "" };

export function readUrl() {
  const q = new URLSearchParams(location.search);
  const period = q.get("period");
  state.period = PERIODS.indexOf(period) >= 0 ? period : "all";
  state.room = (q.get("room") || "").trim().slice(0, 100);
  state.category = (q.get("category") || "").trim().slice(0, 60);
  const who = q.get("contributor") || "";
  state.contributor = ID_PATTERN.test(who) ? who : "";
}

export function writeUrl(push) {
  const q = new URLSearchParams();
  if (langQuery) q.set("lang", langQuery);
  if (state.period !== "all") q.set("period", state.period);
  if (state.room) q.set("room", state.room);
  if (state.category) q.set("category", state.category);
  if (state.contributor) q.set("contributor", state.contributor);
  const url = location.pathname + (q.toString() ? "?" + q.toString() : "");
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

/** ", room canne-240, category fishing" for captions and chart labels. */
export function scopeText() {
  let text = "";
  if (state.room) text += t("scope_room", { room: state.room });
  if (state.category) text += t("scope_category", { category: state.category });
  return text;
}
