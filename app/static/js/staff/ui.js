/*
 * The queue and case pages' shared feedback: the alert box, the live region, the
 * connection indicator in the header, and the API client of this session.
 */
import { $ } from "../shared/dom.js";
import { createAlert, createAnnouncer } from "../shared/feedback.js";
import { config, has, t } from "./config.js";
import { openSession } from "./session.js";

const alertBox = createAlert($("[data-testid=alert]"), {
  block: "sc",
  roles: true,
  timeout: (tone) => (tone === "error" ? 15000 : 8000),
});
const connection = $("[data-testid=connection]");

export const announce = createAnnouncer($("[data-testid=live]"));

export function showAlert(text, tone, sticky) {
  alertBox.show(text, tone, sticky);
}

export function hideAlert() {
  alertBox.hide();
}

/** Whether an error is on show (a successful reload clears it). */
export function showingError() {
  return alertBox.isError();
}

export function errorText(error) {
  const code = error && error.code;
  if (has("error_" + code)) return t("error_" + code);
  if (error && typeof error.message === "string" && error.message) return error.message;
  return t("error_unknown");
}

export function showError(error) {
  showAlert(errorText(error), "error");
}

/** The header's "Live" / "Connecting…" / "Connection lost" indicator. */
export function setConnection(mode) {
  if (!connection) return;
  connection.dataset.state = mode;
  $(".sc-connection__text", connection).textContent =
    mode === "live" ? t("live") : mode === "connecting" ? t("connecting") : t("reconnecting");
  connection.title = mode === "live" ? "" : t("offline_hint");
}

export const api = openSession({
  csrfToken: config.csrf_token,
  expired: () => showAlert(t("error_unauthorized"), "error", true),
});
