/*
 * "E-mail me when someone answers", offered after the visitor asks (when the shop sends
 * e-mail): GET/POST /api/v1/visitors/me/email with the visitor's token. The server sends a
 * confirmation e-mail; nothing else is sent before the visitor clicks its link.
 */
import { $, setBusy } from "../shared/dom.js";
import { config, LANG, t } from "./config.js";
import { state } from "./state.js";
import { storage } from "./storage.js";
import { errorText } from "./text.js";

const DISMISSED_KEY = "entraide.email.dismissed";
const els = {
  form: $("[data-testid=email-offer]"),
  input: $("#ep-email-input"),
  submit: $("[data-testid=email-submit]"),
  error: $("#ep-email-error"),
  dismiss: $("[data-testid=email-dismiss]"),
  status: $("[data-testid=email-status]"),
};

function call(method, body) {
  const headers = { Accept: "application/json", Authorization: "Bearer " + state.visitor.token };
  if (body) headers["Content-Type"] = "application/json";
  return fetch("/api/v1/visitors/me/email?lang=" + LANG, {
    method, headers, body: body ? JSON.stringify(body) : undefined,
  }).then(
    (r) => r.json().catch(() => ({})).then((data) => ({ ok: r.ok, data: data || {} })),
    () => ({ ok: false, data: { error: { code: "unavailable" } } }),
  );
}

export function initEmail() {
  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    subscribe();
  });
  els.dismiss.addEventListener("click", () => {
    storage.set(DISMISSED_KEY, true);
    els.form.hidden = true;
  });
  els.input.addEventListener("input", () => {
    els.input.removeAttribute("aria-invalid");
    els.error.textContent = "";
  });
}

/** After a question is sent: offer the e-mail, or say where answers will be e-mailed. */
export function offerEmail() {
  if (!config.mail || !state.visitor || storage.get(DISMISSED_KEY)) return;
  call("GET").then((res) => {
    if (!res.ok || !res.data.available) return;
    if (res.data.confirmed) {
      els.form.hidden = true;
      els.status.textContent = t("email_on", { email: res.data.email });
      return;
    }
    if (res.data.email && !els.input.value) els.input.value = res.data.email;
    els.form.hidden = false;
  });
}

function subscribe() {
  const email = els.input.value.trim();
  if (!email || email.indexOf("@") < 1) {
    fail("invalid");
    return;
  }
  setBusy(els.submit, true);
  call("POST", { email, lang: LANG }).then((res) => {
    setBusy(els.submit, false);
    if (!res.ok) {
      fail((res.data.error && res.data.error.code) || "unknown");
      return;
    }
    els.form.hidden = true;
    els.status.textContent = t("email_sent", { email: res.data.email || email });
  });
}

function fail(code) {
  els.input.setAttribute("aria-invalid", "true");
  els.error.textContent = ["invalid", "rate_limited", "forbidden"].includes(code)
    ? t("email_" + code) : errorText({ code });
  els.input.focus();
}
