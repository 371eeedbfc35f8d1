/*
 * A staff member's session in the browser, shared by the queue, case and contributors
 * pages: the JSON API with the session cookie and CSRF token, and the way out when the
 * session ends (a message, then the sign-in page).
 */
import { createApi } from "../shared/api.js";

/** `?lang=` is how a staff member picked a language: keep it on every link we build. */
export const langQuery = new URLSearchParams(location.search).get("lang");

export function withLang(path) {
  if (!langQuery) return path;
  return path + (path.indexOf("?") >= 0 ? "&" : "?") + "lang=" + encodeURIComponent(langQuery);
}

/**
 * The page's API client. options: csrfToken, lang (Accept-Language for labels), and
 * expired(), which shows that the session ended before the page leaves for the sign-in page.
 */
export function openSession(options) {
  document.documentElement.classList.add("sc-js");
  let signingOut = false;
  function sessionExpired() {
    if (signingOut) return;
    signingOut = true;
    options.expired();
    setTimeout(() => location.assign(withLang("/staff/login")), 1500);
  }
  return createApi({ csrfToken: options.csrfToken, lang: options.lang, onUnauthorized: sessionExpired });
}
