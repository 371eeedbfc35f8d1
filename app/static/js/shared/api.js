/*
 * HTTP clients. `createApi` is the staff pages' JSON client (session cookie + CSRF);
 * `getJson` is the widget's plain read of the public API.
 */

const STATUS_CODES = {
  400: "invalid",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  429: "rate_limited",
};

/**
 * api(method, path, body) -> a promise of {ok: true, status, data} or
 * {ok: false, status, error: {code, message}} that never rejects. Writes carry the
 * session's CSRF token (X-CSRF-Token); a 401 calls options.onUnauthorized.
 */
export function createApi(options) {
  return function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (options.lang) headers["Accept-Language"] = options.lang; // labels in the page's language
    const request = { method, credentials: "same-origin", headers };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = options.csrfToken || "";
      request.body = JSON.stringify(body || {});
    }
    return fetch(path, request).then(
      (r) => r.json().catch(() => null).then((data) => {
        if (r.ok) return { ok: true, status: r.status, data: data || {} };
        const error = data && data.error && typeof data.error === "object" ? data.error : {};
        if (!error.code) error.code = STATUS_CODES[r.status] || (r.status >= 500 ? "unavailable" : "unknown");
        if (r.status === 401 && options.onUnauthorized) options.onUnauthorized();
        return { ok: false, status: r.status, error };
      }),
      () => ({ ok: false, status: 0, error: { code: "unavailable" } }),
    );
  };
}

/** GET a JSON document; rejects on a network error or a non-2xx status (error.status). */
export function getJson(url, signal, headers = {}) {
  return fetch(url, { headers: { Accept: "application/json", ...headers }, signal }).then((r) => {
    if (!r.ok) {
      const error = new Error(String(r.status));
      error.status = r.status;
      throw error;
    }
    return r.json();
  });
}
