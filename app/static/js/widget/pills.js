/*
 * Rank pills and badge chips, on answers, on the leaderboard and in "My points".
 */
import { has } from "./config.js";
import { badgeLabel, rankLabel } from "./text.js";

/** A rank pill: label from the config, colour by code, hidden when there is no rank. */
export function fillRank(node, code, fallbackLabel) {
  const label = rankLabel(code) || (fallbackLabel ? String(fallbackLabel) : "");
  node.textContent = label;
  node.hidden = !label;
  node.className = "ep-rank" + (label && code && has("rank_" + code) ? " ep-rank--" + code : "");
  node.dataset.rank = label ? code || "" : "";
}

/** Badge chips into a list; unknown codes are skipped. */
export function fillBadges(list, codes) {
  list.textContent = "";
  (Array.isArray(codes) ? codes : []).forEach((badge) => {
    const isObject = badge && typeof badge === "object";
    const code = isObject ? badge.code : badge;
    const label = isObject && badge.label ? String(badge.label) : badgeLabel(code);
    if (!label) return;
    const li = document.createElement("li");
    li.className = "ep-badge-chip";
    li.dataset.badge = String(code);
    li.textContent = label;
    if (isObject && badge.description) li.title = String(badge.description);
    list.appendChild(li);
  });
  list.hidden = list.children.length === 0;
}
