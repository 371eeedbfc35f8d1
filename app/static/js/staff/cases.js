/*
 * How a moderation case shows, on a queue row and on its case page: priority, due time,
 * state, reasons, who has it.
 */
import { $ } from "../shared/dom.js";
import { toTime, unit } from "../shared/format.js";
import { has, LANG, ME, t } from "./config.js";
import { api } from "./ui.js";

export const STATES = ["open", "claimed", "resolved", "dismissed"];
export const CLOSED = { resolved: true, dismissed: true };

/** POST a case action (claim, takeover, reply, resolve...). */
export function caseAction(id, action, body) {
  return api("POST", "/api/v1/staff/cases/" + encodeURIComponent(id) + "/" + action, body);
}

export function formatScore(score) {
  if (typeof score !== "number" || !isFinite(score)) return "";
  return score.toLocaleString(LANG, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function duration(ms) {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60000));
  if (minutes < 60) return unit(LANG, minutes, "minute");
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 10 && rest) return unit(LANG, hours, "hour") + " " + unit(LANG, rest, "minute");
  if (hours < 48) return unit(LANG, hours, "hour");
  return unit(LANG, Math.round(hours / 24), "day");
}

/** "due in 3 min" / "overdue by 5 min", and how urgent that is (late, soon, ok). */
function dueInfo(value) {
  const ms = toTime(value);
  if (!ms) return { text: t("no_deadline"), tone: "none" };
  const left = ms - Date.now();
  if (Math.abs(left) < 30000) return { text: t("due_now"), tone: "soon" };
  if (left > 0) return { text: t("due_in", { time: duration(left) }), tone: left < 5 * 60000 ? "soon" : "ok" };
  return { text: t("overdue", { time: duration(left) }), tone: "late" };
}

export function setDue(node, c) {
  const time = $("time", node) || node;
  if (!c || CLOSED[c.state]) {
    node.hidden = true;
    return;
  }
  const info = dueInfo(c.due_at);
  node.hidden = false;
  node.dataset.tone = info.tone;
  time.dateTime = c.due_at || "";
  time.textContent = info.text;
  const ms = toTime(c.due_at);
  time.title = ms ? new Date(ms).toLocaleString(LANG) : "";
}

export function urgency(priority) {
  const p = typeof priority === "number" ? priority : 0;
  return p >= 80 ? "critical" : p >= 60 ? "high" : p >= 40 ? "medium" : "low";
}

export function setPriority(node, c) {
  const level = urgency(c.priority);
  node.dataset.urgency = level;
  $(".sc-case__priority-value", node).textContent = String(typeof c.priority === "number" ? c.priority : "–");
  $(".sc-case__priority-label", node).textContent = t("urgency_" + level);
  node.title = t("priority", { n: c.priority });
}

export function reasonLabel(code) {
  return has("reason_" + code) ? t("reason_" + code) : String(code || "");
}

export function outcomeText(outcome) {
  return t("outcome_is", { outcome: has("outcome_" + outcome) ? t("outcome_" + outcome) : outcome });
}

export function setState(node, state) {
  node.textContent = has("state_" + state) ? t("state_" + state) : String(state || "");
  node.className = "sc-state sc-state--" + (state || "unknown");
  node.dataset.state = state || "";
}

export function assigneeText(assignee) {
  if (!assignee) return t("unassigned");
  if (assignee.id && assignee.id === ME.id) return t("assigned_to_you");
  return t("assigned_to", { name: assignee.name || "" });
}

export function setFlag(node, c) {
  node.hidden = !c.flagged || !!CLOSED[c.state];
  $(".sc-flag__text", node).textContent = t("flagged_short");
  node.title = t("flagged");
  node.setAttribute("aria-label", t("flagged"));
}

/** How a claimed case is handled (in the thread, privately) and whether its question is held. */
export function setModeAndHeld(root, c) {
  const mode = $("[data-testid=case-mode]", root);
  const show = !CLOSED[c.state] && (c.mode === "takeover" || c.mode === "private");
  mode.hidden = !show;
  mode.textContent = show ? t("mode_" + c.mode) : "";
  mode.dataset.mode = c.mode || "";
  $("[data-testid=case-held]", root).hidden = !(c.thread && c.thread.held) || c.state === "dismissed";
}

/** A reason's chip: its label, its score, its evidence. */
export function reasonChip(reason, tag) {
  const chip = document.createElement(tag);
  chip.className = "sc-chip sc-chip--" + reason.code;
  const code = document.createElement("span");
  code.className = "sc-chip__code";
  code.textContent = reasonLabel(reason.code);
  chip.appendChild(code);
  const score = formatScore(reason.score);
  if (score) {
    const s = document.createElement("span");
    s.className = "sc-chip__score";
    s.textContent = score;
    s.title = t("reason_score", { score });
    chip.appendChild(s);
  }
  return chip;
}

export function renderReasonChips(list, reasons) {
  list.textContent = "";
  (reasons || []).forEach((reason) => {
    const li = reasonChip(reason, "li");
    li.dataset.reason = reason.code;
    li.setAttribute("data-testid", "reason-chip");
    const evidence = (reason.evidence || []).filter(Boolean);
    if (evidence.length) {
      const ev = document.createElement("span");
      ev.className = "sc-chip__evidence";
      ev.textContent = "— " + evidence.join(", ");
      li.appendChild(ev);
    }
    list.appendChild(li);
  });
}
