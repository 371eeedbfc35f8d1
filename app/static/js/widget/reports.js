/*
 * "Report": a small form under an answer or a question, sending the socket's `report`
 * with {message_id | thread_id, reason}. A visitor reports a message or a question once;
 * the server says "conflict" when they already did (e.g. before a reload).
 */
import { $, setBusy } from "../shared/dom.js";
import { REPORT_REASONS, t } from "./config.js";
import { write } from "./identity.js";
import { errorText } from "./text.js";

let nextId = 0;

/**
 * Wire one report button and its form. parts: {button, form, status}; target: {payload
 * (the id field of the report), isReported(), markReported(), onReported()}. Returns
 * {render(canReport, label), close(giveFocusBack)} for the renderer.
 */
export function createReport(parts, target) {
  const { button, form, status } = parts;
  const error = $(".ep-report__error", form);
  const submit = $("[type=submit]", form);
  const formId = "ep-report-" + (++nextId);
  form.id = formId;
  button.setAttribute("aria-controls", formId);
  const legendId = formId + "-legend";
  $(".ep-report__legend", form).id = legendId;
  form.setAttribute("aria-labelledby", legendId);

  function close(giveFocusBack, focusLost) {
    if (form.hidden) return;
    const hadFocus = focusLost || form.contains(document.activeElement);
    form.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (giveFocusBack && hadFocus && !button.hidden) button.focus();
  }

  button.addEventListener("click", () => {
    if (target.isReported()) {
      status.textContent = t("report_done");
      return;
    }
    if (!form.hidden) {
      close(true);
      return;
    }
    status.textContent = "";
    error.textContent = "";
    form.reset();
    form.hidden = false;
    button.setAttribute("aria-expanded", "true");
    $("input[type=radio]", form).focus();
  });
  $(".ep-report__cancel", form).addEventListener("click", () => close(true));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = $("input[type=radio]:checked", form);
    if (!chosen || REPORT_REASONS.indexOf(chosen.value) < 0) {
      error.textContent = t("report_choose");
      $("input[type=radio]", form).focus();
      return;
    }
    error.textContent = "";
    setBusy(submit, true);
    const payload = Object.assign({}, target.payload, { reason: t("report_" + chosen.value) });
    write("report", payload, 2).then((res) => {
      setBusy(submit, false);
      if (!res.ok && !(res.error && res.error.code === "conflict")) {
        error.textContent = errorText(res.error); // keep the form open to try again
        return;
      }
      target.markReported();
      // The busy submit button dropped focus: hand it to the report button, not to <body>.
      const lost = !document.activeElement || document.activeElement === document.body;
      close(true, lost);
      status.textContent = res.ok ? t("report_done") : t("report_already");
      target.onReported();
    }, () => setBusy(submit, false));
  });

  /** Show the button when this visitor may report; its text says once they did. */
  function render(canReport, label) {
    button.hidden = !canReport;
    if (!canReport) close(false);
    const reported = target.isReported();
    $(".ep-report-button__text", button).textContent = reported ? t("reported") : t("report");
    button.setAttribute("aria-disabled", reported ? "true" : "false");
    button.setAttribute("aria-label", reported ? t("reported") : label);
  }

  return { render, close };
}
