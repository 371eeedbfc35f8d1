/*
 * One contributor, in a modal panel (GET /api/v1/staff/contributors/<id>): their numbers,
 * badges, points by reason and over time, recent answers (to endorse), reports against
 * them, staff actions about them; and the actions: bonus, disqualify, reinstate.
 */
import { $, $$, avatar, setBusy } from "../shared/dom.js";
import { excerpt } from "../shared/format.js";
import { renderTimeline } from "./contributors-charts.js";
import {
  api, cell, dateTime, detailAlert, errorText, has, ID_PATTERN, num, percent, plural, seconds,
  state, t, writeUrl,
} from "./contributors-common.js";
import { withLang } from "./session.js";

const dialog = $("[data-testid=detail]");
const detailBody = $("[data-testid=detail-body]");
const nameEl = $("[data-testid=detail-name]");
const loadingEl = $("[data-testid=detail-loading]");
const bonusForm = $("[data-testid=bonus-form]");
const bonusPoints = $("#rw-bonus-points");
const bonusNote = $("#rw-bonus-note");
const bonusError = $("[data-testid=bonus-error]");
const disqualifyButton = $("[data-testid=disqualify]");
const reinstateButton = $("[data-testid=reinstate]");
const eraseButton = $("[data-testid=erase]");
const exportButton = $("[data-testid=export-data]");
const confirmBox = $("[data-testid=confirm]");
const confirmYes = $("[data-testid=confirm-yes]");
const rowsEl = $("[data-testid=contributor-rows]");
let detailGen = 0;
let detail = null; // the last answer for the open contributor
let pendingAction = null; // "disqualify" | "reinstate" | "erase" while the confirmation shows
let reloadBoard = () => Promise.resolve();

/** Wire the panel; onChange() reloads the board after a bonus, a disqualification... */
export function initDetail(onChange) {
  reloadBoard = onChange;
  dialog.addEventListener("close", () => {
    const id = state.contributor;
    state.contributor = "";
    detail = null;
    hideConfirm(false);
    markOpenRow();
    writeUrl(false);
    // Back to where the staff member was: the contributor's button, else the page title.
    const back = id && $("tr[data-visitor-id='" + id + "'] .rw-name", rowsEl);
    (back || $("#rw-title")).focus();
  });
  $("[data-testid=detail-close]").addEventListener("click", closeDetail);
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) closeDetail(); // a click on the backdrop
  });
  bonusForm.addEventListener("submit", (event) => {
    event.preventDefault();
    awardBonus();
  });
  disqualifyButton.addEventListener("click", () => askConfirm("disqualify"));
  reinstateButton.addEventListener("click", () => askConfirm("reinstate"));
  eraseButton.addEventListener("click", () => askConfirm("erase"));
  exportButton.addEventListener("click", exportData);
  $("[data-testid=confirm-no]").addEventListener("click", () => hideConfirm(true));
  confirmBox.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault(); // cancel the confirmation, not the whole panel
      event.stopPropagation();
      hideConfirm(true);
    }
  });
  confirmYes.addEventListener("click", confirmed);
}

export function openDetail(id, push) {
  if (!ID_PATTERN.test(id)) return;
  const changed = state.contributor !== id;
  state.contributor = id;
  markOpenRow();
  writeUrl(push && changed);
  if (changed || !detail || detail.contributor.id !== id) {
    detail = null;
    resetDetail();
  }
  if (!dialog.open) {
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
  }
  loadDetail(true);
}

export function closeDetail() {
  if (dialog.open) dialog.close();
}

/** The board row of the open contributor is marked. */
function markOpenRow() {
  $$("tr[data-visitor-id]", rowsEl).forEach((tr) => {
    tr.classList.toggle("rw-row--open", tr.dataset.visitorId === state.contributor);
  });
}

function resetDetail() {
  nameEl.textContent = "";
  $("[data-testid=detail-points]").textContent = "";
  detailAlert.hide();
  bonusError.textContent = "";
  bonusNote.value = "";
  bonusPoints.value = "10";
  bonusPoints.removeAttribute("aria-invalid");
  bonusNote.removeAttribute("aria-invalid");
  hideConfirm(false);
  detailBody.hidden = true;
}

function loadDetail(focus) {
  const id = state.contributor;
  const gen = ++detailGen;
  detailBody.setAttribute("aria-busy", "true");
  loadingEl.hidden = !!detail;
  return api("GET", "/api/v1/staff/contributors/" + encodeURIComponent(id)).then((res) => {
    if (gen !== detailGen || state.contributor !== id) return;
    loadingEl.hidden = true;
    detailBody.setAttribute("aria-busy", "false");
    if (!res.ok) {
      if (res.status === 401) return;
      detailAlert.show(res.status === 404 ? t("error_not_found") : t("detail_failed"), "error", true);
      nameEl.textContent = t("detail_failed");
      if (focus) nameEl.focus();
      return;
    }
    detail = res.data;
    detailBody.hidden = false;
    renderDetail();
    if (focus) nameEl.focus();
  });
}

// ---------------------------------------------------------------- rendering
function renderDetail() {
  const c = detail.contributor || {};
  const stats = detail.stats || {};
  nameEl.textContent = c.name || "?";
  avatar($(".rw-detail__avatar", dialog), c.name);
  $("[data-testid=detail-points]").textContent = t("points_long", { n: num(stats.points) });
  $("[data-testid=detail-disqualified]").hidden = !c.disqualified;
  const banned = $("[data-testid=detail-banned]");
  const bannedMs = c.banned_until ? Date.parse(c.banned_until) : NaN;
  banned.hidden = isNaN(bannedMs) || bannedMs <= Date.now();
  banned.textContent = banned.hidden ? "" : t("banned_until", { date: dateTime(c.banned_until) });

  const values = {
    points: num(stats.points),
    answers: num(stats.answers),
    acceptance_rate: stats.answers ? percent(stats.acceptance_rate) : "–",
    helpful_per_answer: stats.answers ? num(stats.helpful_per_answer, 2) : "–",
    median_first_answer_seconds: seconds(stats.median_first_answer_seconds),
    hidden_content: num(stats.hidden_content),
    reports_against: num(stats.reports_against),
  };
  $$("[data-stat]", dialog).forEach((dd) => {
    dd.textContent = values[dd.dataset.stat] != null ? values[dd.dataset.stat] : "–";
  });
  $("[data-testid=median-note]").textContent = plural("median_note", Number(stats.first_answers_measured) || 0);

  renderBadges(detail.badges || []);
  renderReasons(detail.by_reason || []);
  renderTimeline(c.name || "", detail.timeline);
  renderAnswers(detail.recent_answers || [], c.name || "?");
  renderReports(Number(stats.reports_against) || 0, detail.reports || []);
  renderAudit(detail.audit || []);

  if (!pendingAction) {
    disqualifyButton.hidden = !!c.disqualified;
    reinstateButton.hidden = !c.disqualified;
    eraseButton.hidden = !!c.erased;
  }
  $("[data-testid=standing-hint]").textContent = c.disqualified ? t("disqualified_hint") : t("active_hint");
}

function renderBadges(codes) {
  const badges = $("[data-testid=detail-badges]");
  badges.textContent = "";
  codes.forEach((code) => {
    const li = cell("li", has("badge_" + code) ? t("badge_" + code) : String(code), "sc-chip rw-badge");
    li.dataset.badge = code;
    li.setAttribute("data-testid", "badge");
    badges.appendChild(li);
  });
  if (!badges.childNodes.length) badges.appendChild(cell("li", t("no_badges"), "sc-muted rw-none"));
}

function renderReasons(groups) {
  const reasons = $("[data-testid=detail-reasons] tbody");
  reasons.textContent = "";
  groups.forEach((g) => {
    const tr = document.createElement("tr");
    tr.dataset.reason = g.reason;
    tr.setAttribute("data-testid", "reason-row");
    const th = cell("th", null, "rw-reason");
    th.scope = "row";
    th.appendChild(cell("span", g.label || g.reason, "rw-reason__label"));
    if (g.rule) th.appendChild(cell("span", g.rule, "rw-reason__rule"));
    if (g.reason === "bonus") {
      const notes = (g.entries || []).filter((e) => !e.revoked && e.detail).slice(0, 3);
      notes.forEach((e) => th.appendChild(cell("span", "+" + num(e.points) + " · " + e.detail, "rw-reason__note")));
    }
    tr.appendChild(th);
    tr.appendChild(cell("td", num(g.count), "sc-num"));
    tr.appendChild(cell("td", num(g.total), "sc-num rw-reason__total"));
    tr.appendChild(cell("td", g.revoked_count ? t("revoked_some", { count: num(g.revoked_count), points: num(g.revoked_points) }) : "–", "sc-num"));
    reasons.appendChild(tr);
  });
  if (!reasons.childNodes.length) {
    const none = document.createElement("tr");
    const td = cell("td", t("no_reasons"), "sc-muted");
    td.colSpan = 4;
    none.appendChild(td);
    reasons.appendChild(none);
  }
}

/** Their recent answers, newest first. */
function renderAnswers(recent, name) {
  const answers = $("[data-testid=recent-answers]");
  answers.textContent = "";
  recent.slice().sort((a, b) => (Date.parse(b.created_at) || 0) - (Date.parse(a.created_at) || 0)).forEach((a) => {
    const li = cell("li", null, "rw-answer" + (a.hidden ? " rw-answer--hidden" : ""));
    li.setAttribute("data-testid", "recent-answer");
    li.dataset.messageId = a.id;
    const meta = cell("p", null, "rw-answer__meta");
    const time = cell("time", dateTime(a.created_at));
    time.dateTime = a.created_at || "";
    meta.appendChild(time);
    if (a.votes) meta.appendChild(cell("span", t("votes_n", { n: num(a.votes) }), "rw-answer__votes"));
    if (a.hidden) meta.appendChild(cell("span", t("hidden_tag"), "sc-tag sc-tag--hidden"));
    if (!a.hidden || a.endorsed) meta.appendChild(endorseButton(a, name));
    li.appendChild(meta);
    li.appendChild(cell("p", excerpt(a.body, 280), "rw-answer__body"));
    answers.appendChild(li);
  });
  if (!answers.childNodes.length) answers.appendChild(cell("li", t("no_answers"), "sc-muted rw-none"));
}

// Reports against their messages, newest first, each with a link to its moderation case.
function renderReports(count, reports) {
  $("[data-testid=reports-summary]").textContent = plural("reports", count);
  const list = $("[data-testid=detail-reports]");
  list.textContent = "";
  reports.forEach((r) => {
    const li = cell("li", null, "rw-answer rw-report");
    li.setAttribute("data-testid", "report");
    const meta = cell("p", null, "rw-answer__meta");
    const time = cell("time", dateTime(r.at));
    time.dateTime = r.at || "";
    meta.appendChild(time);
    meta.appendChild(cell("span", t("reported_by", { name: (r.reporter && r.reporter.name) || "?" })));
    if (ID_PATTERN.test(r.case_id || "")) {
      const link = cell("a", t("open_case"), "rw-report__case");
      link.href = withLang("/staff/cases/" + encodeURIComponent(r.case_id));
      link.setAttribute("data-testid", "report-case");
      meta.appendChild(link);
    }
    li.appendChild(meta);
    li.appendChild(cell("p", excerpt(r.reason, 300), "rw-answer__body rw-report__reason"));
    list.appendChild(li);
  });
  list.hidden = !reports.length;
}

// What staff did about them (bonus, disqualify, reinstate, ban), newest first.
function renderAudit(lines) {
  const list = $("[data-testid=detail-audit]");
  list.textContent = "";
  lines.forEach((a) => {
    const li = cell("li", null, "rw-audit__line");
    li.setAttribute("data-testid", "audit-line");
    li.dataset.action = a.action;
    const time = cell("time", dateTime(a.at), "rw-audit__time");
    time.dateTime = a.at || "";
    li.appendChild(time);
    li.appendChild(cell("strong", has("action_" + a.action) ? t("action_" + a.action) : String(a.action), "rw-audit__action"));
    li.appendChild(cell("span", t("audit_by", { name: (a.actor && a.actor.name) || "?" }), "rw-audit__actor"));
    if (a.detail) li.appendChild(cell("span", a.detail, "rw-audit__detail"));
    list.appendChild(li);
  });
  if (!list.childNodes.length) list.appendChild(cell("li", t("no_audit"), "sc-muted rw-none"));
}

// ---------------------------------------------------------------- actions
function afterChange(message) {
  detailAlert.show(message, "info"); // a status region inside the panel: read out once
  return Promise.all([loadDetail(false), reloadBoard()]);
}

// Endorse one of their answers. Once endorsed the button reads "Endorsed" and does nothing
// more; it stays focusable (aria-disabled, not disabled) so the keyboard focus stays put.
function endorseButton(answer, name) {
  const button = cell("button", null, "sc-button sc-button--outline sc-button--tiny sc-endorse rw-answer__endorse");
  button.type = "button";
  button.setAttribute("data-testid", "endorse-button");
  setEndorsed(button, !!answer.endorsed, name);
  button.addEventListener("click", () => endorse(answer, name, button));
  return button;
}

function setEndorsed(button, endorsed, name) {
  button.textContent = t(endorsed ? "endorsed" : "endorse");
  button.classList.toggle("sc-endorse--done", endorsed);
  if (endorsed) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
  button.setAttribute("aria-label", t(endorsed ? "endorsed_label" : "endorse_label", { name }));
}

function focusEndorse(messageId) {
  if (!ID_PATTERN.test(messageId)) return;
  const again = $("[data-testid=recent-answer][data-message-id='" + messageId + "'] [data-testid=endorse-button]", dialog);
  if (again) again.focus();
}

function endorse(answer, name, button) {
  if (!detail || button.getAttribute("aria-disabled") === "true" || button.getAttribute("aria-busy") === "true") return;
  const id = String(answer.id);
  setBusy(button, true);
  api("POST", "/api/v1/staff/answers/" + encodeURIComponent(id) + "/endorse", {}).then((res) => {
    setBusy(button, false);
    if (res.ok) {
      answer.endorsed = true;
      setEndorsed(button, true, name);
      // Their points, points by reason and the audit line come back with the detail.
      afterChange(t("done_endorse", { name, points: num((res.data.entry || {}).points) })).then(() => focusEndorse(id));
      return;
    }
    if (res.status === 401) return;
    if (res.status !== 404 && res.status !== 409) {
      detailAlert.show(errorText(res.error), "error");
      button.focus();
      return;
    }
    // Gone, or endorsed already (by a colleague) or not endorsable now: re-read and say which.
    loadDetail(false).then(() => {
      const now = ((detail && detail.recent_answers) || []).find((a) => a.id === id);
      if (res.status === 404) detailAlert.show(t("endorse_not_found"), "error");
      else if (now && now.endorsed) detailAlert.show(t("endorse_already"), "info");
      else detailAlert.show(t("endorse_banned"), "error");
      focusEndorse(id);
    });
  });
}

function awardBonus() {
  if (!detail) return;
  const raw = bonusPoints.value.trim();
  const points = Number(raw);
  const note = bonusNote.value.trim();
  const pointsOk = /^\d+$/.test(raw) && points >= 1 && points <= 500;
  bonusPoints.setAttribute("aria-invalid", pointsOk ? "false" : "true");
  bonusNote.setAttribute("aria-invalid", note ? "false" : "true");
  if (!pointsOk || !note) {
    bonusError.textContent = !pointsOk ? t("bonus_invalid_points") : t("bonus_invalid_note");
    (!pointsOk ? bonusPoints : bonusNote).focus();
    return;
  }
  bonusError.textContent = "";
  const id = state.contributor;
  const name = detail.contributor.name;
  const button = $("[data-testid=bonus-submit]", bonusForm);
  setBusy(button, true);
  api("POST", "/api/v1/staff/contributors/" + encodeURIComponent(id) + "/bonus", { points, note }).then((res) => {
    setBusy(button, false);
    if (!res.ok) {
      if (res.status !== 401) detailAlert.show(errorText(res.error), "error");
      return;
    }
    bonusNote.value = "";
    bonusNote.removeAttribute("aria-invalid");
    bonusPoints.removeAttribute("aria-invalid");
    afterChange(t("done_bonus", { points: num(points), name }));
    bonusPoints.focus();
  });
}

function askConfirm(action) {
  if (!detail) return;
  pendingAction = action;
  $("[data-testid=confirm-text]").textContent = t("confirm_" + action, { name: detail.contributor.name });
  confirmYes.textContent = t("confirm_" + action + "_yes");
  const danger = action === "disqualify" || action === "erase";
  confirmYes.className = "sc-button sc-button--small " + (danger ? "sc-button--danger" : "sc-button--primary");
  confirmYes.dataset.action = action;
  disqualifyButton.hidden = true;
  reinstateButton.hidden = true;
  eraseButton.hidden = true;
  confirmBox.hidden = false;
  confirmYes.focus();
}

function hideConfirm(refocus) {
  const was = pendingAction;
  pendingAction = null;
  confirmBox.hidden = true;
  const disqualified = !!(detail && detail.contributor && detail.contributor.disqualified);
  disqualifyButton.hidden = disqualified;
  reinstateButton.hidden = !disqualified;
  eraseButton.hidden = !!(detail && detail.contributor && detail.contributor.erased);
  if (refocus && was) (was === "erase" ? exportButton : disqualified ? reinstateButton : disqualifyButton).focus();
}

function confirmed() {
  const action = confirmYes.dataset.action;
  if (!detail || !["disqualify", "reinstate", "erase"].includes(action)) return;
  const id = state.contributor;
  const name = detail.contributor.name;
  setBusy(confirmYes, true);
  const path = action === "erase"
    ? "/api/v1/staff/visitors/" + encodeURIComponent(id) + "/erase"
    : "/api/v1/staff/contributors/" + encodeURIComponent(id) + "/" + action;
  api("POST", path, {}).then((res) => {
    setBusy(confirmYes, false);
    if (!res.ok) {
      hideConfirm(true);
      if (res.status !== 401) detailAlert.show(errorText(res.error), "error");
      return;
    }
    if (action === "erase") {
      hideConfirm(true);
      afterChange(t("done_erase"));
      openDetail(id); // reload: the pseudonym, emptied answers, the audit line
      return;
    }
    detail.contributor.disqualified = action === "disqualify";
    hideConfirm(true);
    renderDetail();
    afterChange(t("done_" + action, { name }));
  });
}

/** The visitor's data as a JSON file (the request is audited server-side). */
function exportData() {
  const id = state.contributor;
  if (!id) return;
  setBusy(exportButton, true);
  api("GET", "/api/v1/staff/visitors/" + encodeURIComponent(id) + "/export").then((res) => {
    setBusy(exportButton, false);
    if (!res.ok) {
      if (res.status !== 401) detailAlert.show(errorText(res.error), "error");
      return;
    }
    const blob = new Blob([JSON.stringify(res.data, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "entraide-" + id + ".json";
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
    openDetail(id); // the audit line
  });
}
