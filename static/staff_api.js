/*
 * The staff pages' JSON client, shared by the queue/case console and the contributors page.
 * One global: EntraideStaffApi(options) -> api(method, path, body), a promise that resolves
 * {ok: true, status, data} or {ok: false, status, error: {code, message}} and never rejects.
 * Writes carry the session's CSRF token; a 401 calls options.onUnauthorized.
 */
(function () {
  "use strict";

  var STATUS_CODES = { 400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict", 429: "rate_limited" };

  window.EntraideStaffApi = function (options) {
    return function api(method, path, body) {
      var headers = { Accept: "application/json" };
      if (options.lang) headers["Accept-Language"] = options.lang;  // labels in the page's language
      var request = { method: method, credentials: "same-origin", headers: headers };
      if (method !== "GET") {
        headers["Content-Type"] = "application/json";
        headers["X-CSRF-Token"] = options.csrfToken || "";
        request.body = JSON.stringify(body || {});
      }
      return fetch(path, request).then(function (r) {
        return r.json().catch(function () { return null; }).then(function (data) {
          if (r.ok) return { ok: true, status: r.status, data: data || {} };
          var error = data && data.error && typeof data.error === "object" ? data.error : {};
          if (!error.code) error.code = STATUS_CODES[r.status] || (r.status >= 500 ? "unavailable" : "unknown");
          if (r.status === 401 && options.onUnauthorized) options.onUnauthorized();
          return { ok: false, status: r.status, error: error };
        });
      }, function () {
        return { ok: false, status: 0, error: { code: "unavailable" } };
      });
    };
  };
})();
