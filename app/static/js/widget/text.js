/*
 * The panel's text built from its strings: ranks, badges, points, counts, errors.
 */
import { config, has, i18n, t } from "./config.js";

/** "1 point" / "27 points" ("0 point" in French: its plural rule makes 0 singular). */
export function pointsText(n) {
  return i18n.plural("points", n);
}

export function formatNumber(n) {
  return n.toLocaleString(config.lang);
}

/** "No answer yet", "1 answer", "3 answers". */
export function answersText(n) {
  return n === 0 ? t("answers_zero") : t(n === 1 ? "answers_one" : "answers_other", { n });
}

/** The label of a rank code ("helper" -> "Contributeur"); "" for an unknown code. */
export function rankLabel(code) {
  return code && has("rank_" + code) ? t("rank_" + code) : "";
}

/** A badge code's label in the page's language ("" for a code this page does not know). */
export function badgeLabel(code) {
  const labels = config.badges || {};
  return Object.prototype.hasOwnProperty.call(labels, code) ? String(labels[code]) : "";
}

/** The message for an error code from an ack or a response. */
export function errorText(error) {
  const code = error && error.code;
  const banned = code === "forbidden" && typeof error.message === "string" &&
    error.message.indexOf("you cannot post") === 0;
  if (banned) return banMessage(error.message);
  return has("error_" + code) ? t("error_" + code) : t("error_unknown");
}

/** "you cannot post until 2026-12-01 09:30 UTC" in the visitor's language (else as sent). */
function banMessage(text) {
  const m = /until (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) UTC/.exec(text);
  if (!m) return text;
  const when = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  return t("error_banned", {
    until: when.toLocaleString(config.lang, { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }),
  });
}
