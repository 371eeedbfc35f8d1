/*
 * Entraide staff console: the live moderation queue (/staff) and a case page (/staff/cases/<id>).
 *
 * Server contract: /work/shared/protocol.md, "Staff side (v1)". Reads go through the JSON API
 * with the session cookie; every write is a same-origin POST with the X-CSRF-Token header.
 * Live changes arrive on the Socket.IO namespace "/staff" as `case.opened` / `case.updated`
 * ({case}); those broadcasts may lack `actions`, so what a button may do is always taken
 * from a fresh API answer, and every (re)connect re-fetches, so a blip loses nothing.
 *
 * UI text comes only from the #staff-config block rendered by templates/staff/base.html
 * (translated server-side); user content goes in with textContent, except the sanitised
 * `html` of messages, which the server renders with bleach.
 */
(function () {
  "use strict";

  var configEl = document.getElementById("staff-config");
  if (!configEl) return; // the sign-in page works without script
  var config = JSON.parse(configEl.textContent);
  var S = config.strings || {};
  var LANG = config.lang || "fr";
  var ME = config.staff || {};
  var TICK_MS = 30000;
  var TEXT_FILTER_DEBOUNCE_MS = 350;
  var STATES = ["open", "claimed", "resolved", "dismissed"];
  var CLOSED = { resolved: true, dismissed: true };

  document.documentElement.classList.add("sc-js");

  // ---------------------------------------------------------------- small helpers
  function t(key, vars) {
    var text = S[key] != null ? String(S[key]) : key;
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, function (whole, name) {
        return vars[name] != null ? String(vars[name]) : whole;
      });
    }
    return text;
  }

  function has(key) { return S[key] != null; }

  /** "{n} case" / "{n} cases" by the language's plural rule (French: 0 and 1 are singular). */
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG) : null;
  function plural(prefix, n) {
    var one = plurals ? plurals.select(n) === "one" : n === 1;
    return t(prefix + (one ? "_one" : "_other"), { n: n.toLocaleString(LANG) });
  }
  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function toTime(value) {
    var ms = Date.parse(value);
    return isNaN(ms) ? 0 : ms;
  }

  /** `?lang=` is how a staff member picked a language: keep it on every link we build. */
  var langQuery = new URLSearchParams(location.search).get("lang");
  function withLang(path) {
    if (!langQuery) return path;
    return path + (path.indexOf("?") >= 0 ? "&" : "?") + "lang=" + encodeURIComponent(langQuery);
  }

  function excerpt(text, max) {
    var clean = String(text || "").replace(/\s+/g, " ").trim();
    if (clean.length <= max) return clean;
    return clean.slice(0, max - 1).replace(/\s+\S*$/, "") + "…";
  }

  function formatScore(score) {
    if (typeof score !== "number" || !isFinite(score)) return "";
    return score.toLocaleString(LANG, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function unit(n, name) {
    try {
      return new Intl.NumberFormat(LANG, { style: "unit", unit: name, unitDisplay: "short" }).format(n);
    } catch (e) {
      return n + " " + name;
    }
  }

  function duration(ms) {
    var minutes = Math.max(1, Math.round(Math.abs(ms) / 60000));
    if (minutes < 60) return unit(minutes, "minute");
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    if (hours < 10 && rest) return unit(hours, "hour") + " " + unit(rest, "minute");
    if (hours < 48) return unit(hours, "hour");
    return unit(Math.round(hours / 24), "day");
  }

  /** "due in 3 min" / "overdue by 5 min", and how urgent that is (late, soon, ok). */
  function dueInfo(value) {
    var ms = toTime(value);
    if (!ms) return { text: t("no_deadline"), tone: "none" };
    var left = ms - Date.now();
    if (Math.abs(left) < 30000) return { text: t("due_now"), tone: "soon" };
    if (left > 0) return { text: t("due_in", { time: duration(left) }), tone: left < 5 * 60000 ? "soon" : "ok" };
    return { text: t("overdue", { time: duration(left) }), tone: "late" };
  }

  function setDue(el, c) {
    var time = $("time", el) || el;
    if (!c || CLOSED[c.state]) {
      el.hidden = true;
      return;
    }
    var info = dueInfo(c.due_at);
    el.hidden = false;
    el.dataset.tone = info.tone;
    time.dateTime = c.due_at || "";
    time.textContent = info.text;
    var ms = toTime(c.due_at);
    time.title = ms ? new Date(ms).toLocaleString(LANG) : "";
  }

  function urgency(priority) {
    var p = typeof priority === "number" ? priority : 0;
    return p >= 80 ? "critical" : p >= 60 ? "high" : p >= 40 ? "medium" : "low";
  }

  function setPriority(el, c) {
    var level = urgency(c.priority);
    el.dataset.urgency = level;
    $(".sc-case__priority-value", el).textContent = String(typeof c.priority === "number" ? c.priority : "–");
    $(".sc-case__priority-label", el).textContent = t("urgency_" + level);
    el.title = t("priority", { n: c.priority });
  }

  function reasonLabel(code) {
    return has("reason_" + code) ? t("reason_" + code) : String(code || "");
  }

  function stateLabel(state) {
    return has("state_" + state) ? t("state_" + state) : String(state || "");
  }

  function setState(el, state) {
    el.textContent = stateLabel(state);
    el.className = "sc-state sc-state--" + (state || "unknown");
    el.dataset.state = state || "";
  }

  function assigneeText(assignee) {
    if (!assignee) return t("unassigned");
    if (assignee.id && assignee.id === ME.id) return t("assigned_to_you");
    return t("assigned_to", { name: assignee.name || "" });
  }

  function setFlag(el, c) {
    el.hidden = !c.flagged || !!CLOSED[c.state];
    $(".sc-flag__text", el).textContent = t("flagged_short");
    el.title = t("flagged");
    el.setAttribute("aria-label", t("flagged"));
  }

  /** How a claimed case is handled (in the thread, privately) and whether its question is held. */
  function setModeAndHeld(root, c) {
    var mode = $("[data-testid=case-mode]", root);
    var show = !CLOSED[c.state] && (c.mode === "takeover" || c.mode === "private");
    mode.hidden = !show;
    mode.textContent = show ? t("mode_" + c.mode) : "";
    mode.dataset.mode = c.mode || "";
    $("[data-testid=case-held]", root).hidden = !(c.thread && c.thread.held) || c.state === "dismissed";
  }

  function avatar(el, name) {
    var text = (name || "?").trim();
    el.textContent = text ? Array.from(text)[0].toUpperCase() : "?";
    var hash = 0;
    for (var i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
    // Dark enough at any hue for white initials to pass WCAG AA (same rule as the widget).
    el.style.backgroundColor = "hsl(" + (Math.abs(hash) % 360) + " 45% 32%)";
  }

  function setClock(el, value, withDate) {
    var ms = toTime(value);
    el.dateTime = value || "";
    if (!ms) { el.textContent = ""; return; }
    var d = new Date(ms);
    var sameDay = new Date().toDateString() === d.toDateString();
    el.textContent = sameDay && !withDate
      ? d.toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit" })
      : d.toLocaleString(LANG, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    el.title = d.toLocaleString(LANG);
  }

  function setBusy(button, busy) {
    if (!button) return;
    button.disabled = busy;
    button.setAttribute("aria-busy", busy ? "true" : "false");
  }

  // ---------------------------------------------------------------- feedback
  var els = {
    alert: $("[data-testid=alert]"),
    live: $("[data-testid=live]"),
    connection: $("[data-testid=connection]")
  };
  var alertTimer = null;

  function showAlert(text, tone, sticky) {
    if (!els.alert) return;
    els.alert.hidden = false;
    els.alert.className = "sc-alert sc-alert--" + (tone || "error");
    // Errors interrupt (alert); confirmations wait their turn (status).
    els.alert.setAttribute("role", tone === "error" ? "alert" : "status");
    $(".sc-alert__text", els.alert).textContent = text;
    clearTimeout(alertTimer);
    if (!sticky) alertTimer = setTimeout(hideAlert, tone === "error" ? 15000 : 8000);
  }

  function hideAlert() {
    if (!els.alert) return;
    els.alert.hidden = true;
    $(".sc-alert__text", els.alert).textContent = "";
  }
  if (els.alert) $(".sc-alert__dismiss", els.alert).addEventListener("click", hideAlert);

  function errorText(error) {
    var code = error && error.code;
    if (has("error_" + code)) return t("error_" + code);
    if (error && typeof error.message === "string" && error.message) return error.message;
    return t("error_unknown");
  }

  function showError(error) { showAlert(errorText(error), "error"); }

  function announce(text) {
    if (!els.live) return;
    var p = document.createElement("p");
    p.textContent = text;
    els.live.appendChild(p);
    while (els.live.childNodes.length > 5) els.live.removeChild(els.live.firstChild);
  }

  function setConnection(mode) {
    if (!els.connection) return;
    els.connection.dataset.state = mode;
    $(".sc-connection__text", els.connection).textContent =
      mode === "live" ? t("live") : mode === "connecting" ? t("connecting") : t("reconnecting");
    els.connection.title = mode === "live" ? "" : t("offline_hint");
  }

  // ---------------------------------------------------------------- JSON API
  var signingOut = false;

  function sessionExpired() {
    if (signingOut) return;
    signingOut = true;
    showAlert(t("error_unauthorized"), "error", true);
    setTimeout(function () { location.assign(withLang("/staff/login")); }, 1500);
  }

  var api = window.EntraideStaffApi({ csrfToken: config.csrf_token, onUnauthorized: sessionExpired });


  function caseAction(id, action, body) {
    return api("POST", "/api/v1/staff/cases/" + encodeURIComponent(id) + "/" + action, body);
  }

  // ---------------------------------------------------------------- realtime
  /** The /staff socket; `onCase(kind, case)` for broadcasts, `onConnect()` on every connect. */
  function openSocket(onCase, onConnect) {
    if (typeof window.io !== "function") {
      setConnection("offline");
      return null;
    }
    setConnection("connecting");
    var socket = window.io("/staff", { transports: ["websocket"] });
    socket.on("connect", function () {
      setConnection("live");
      onConnect();
    });
    socket.on("disconnect", function (reason) {
      setConnection("offline");
      if (reason === "io server disconnect") {
        // The server closed our session's socket (signed out elsewhere?): check, then retry.
        api("GET", "/api/v1/staff/cases?state=open").then(function (res) {
          if (res.ok) socket.connect();
        });
      }
    });
    socket.on("connect_error", function () {
      setConnection("offline");
      if (!socket.active) {
        // Refused by the server rather than the network: a 401 below sends us to sign in.
        api("GET", "/api/v1/staff/cases?state=open").then(function (res) {
          if (res.ok) setTimeout(function () { socket.connect(); }, 3000);
        });
      }
    });
    socket.on("case.opened", function (data) { if (data && data.case) onCase("opened", data.case); });
    socket.on("case.updated", function (data) { if (data && data.case) onCase("updated", data.case); });
    return socket;
  }

  // ---------------------------------------------------------------- shared rendering
  function renderReasonChips(list, reasons) {
    list.textContent = "";
    (reasons || []).forEach(function (reason) {
      var li = document.createElement("li");
      li.className = "sc-chip sc-chip--" + reason.code;
      li.dataset.reason = reason.code;
      li.setAttribute("data-testid", "reason-chip");
      var code = document.createElement("span");
      code.className = "sc-chip__code";
      code.textContent = reasonLabel(reason.code);
      li.appendChild(code);
      var score = formatScore(reason.score);
      if (score) {
        var s = document.createElement("span");
        s.className = "sc-chip__score";
        s.textContent = score;
        s.title = t("reason_score", { score: score });
        li.appendChild(s);
      }
      var evidence = (reason.evidence || []).filter(Boolean);
      if (evidence.length) {
        var ev = document.createElement("span");
        ev.className = "sc-chip__evidence";
        ev.textContent = "— " + evidence.join(", ");
        li.appendChild(ev);
      }
      list.appendChild(li);
    });
  }

  function whereText(c) {
    return { room: c.room || "", category: c.category || "" };
  }

  // ================================================================ console (the queue)
  function initConsole() {
    var list = $("[data-testid=case-list]");
    var empty = $("[data-testid=queue-empty]");
    var count = $("[data-testid=case-count]");
    var template = $("#sc-case-template");
    var form = $("[data-testid=filters]");
    var inputs = {
      state: $("#sc-filter-state"),
      reason: $("#sc-filter-reason"),
      room: $("#sc-filter-room"),
      category: $("#sc-filter-category")
    };
    var clear = $("[data-testid=filter-clear]");
    var cases = new Map(); // id -> {case, el, liveGen}
    var generation = 0;    // bumped on every queue fetch
    var loaded = false;
    var known = { rooms: new Set(), categories: new Set() };

    // -------------------------------------------------------------- filters <-> URL
    function readFiltersFromUrl() {
      var q = new URLSearchParams(location.search);
      var state = q.get("state") || "active";
      inputs.state.value = state === "active" || STATES.indexOf(state) >= 0 ? state : "active";
      inputs.reason.value = q.get("reason") || "";
      if (inputs.reason.value !== (q.get("reason") || "")) inputs.reason.value = "";
      inputs.room.value = q.get("room") || "";
      inputs.category.value = q.get("category") || "";
    }

    function filters() {
      return {
        state: inputs.state.value || "active",
        reason: inputs.reason.value || "",
        room: inputs.room.value.trim(),
        category: inputs.category.value.trim()
      };
    }

    function writeUrl(f) {
      var q = new URLSearchParams();
      if (langQuery) q.set("lang", langQuery);
      if (f.state !== "active") q.set("state", f.state);
      ["reason", "room", "category"].forEach(function (k) { if (f[k]) q.set(k, f[k]); });
      var search = q.toString();
      var url = location.pathname + (search ? "?" + search : "");
      if (url !== location.pathname + location.search) history.replaceState(null, "", url);
      // The language switch keeps the filters.
      $$("[data-lang-link]").forEach(function (a) {
        var target = new URLSearchParams(q);
        target.set("lang", a.getAttribute("hreflang"));
        a.href = location.pathname + "?" + target.toString();
      });
      clear.hidden = f.state === "active" && !f.reason && !f.room && !f.category;
    }

    function matches(c, f) {
      if (f.state === "active" ? !(c.state === "open" || c.state === "claimed") : c.state !== f.state) return false;
      if (f.reason && !(c.reasons || []).some(function (r) { return r.code === f.reason; })) return false;
      if (f.room && c.room !== f.room) return false;
      if (f.category && c.category !== f.category) return false;
      return true;
    }

    function queryFor(f, state) {
      var q = new URLSearchParams({ state: state });
      ["reason", "room", "category"].forEach(function (k) { if (f[k]) q.set(k, f[k]); });
      return "/api/v1/staff/cases?" + q.toString();
    }

    // -------------------------------------------------------------- fetching
    var fetching = null;
    function fetchQueue() {
      var f = filters();
      var gen = ++generation;
      var states = f.state === "active" ? ["open", "claimed"] : [f.state];
      list.setAttribute("aria-busy", "true");
      fetching = Promise.all(states.map(function (s) { return api("GET", queryFor(f, s)); })).then(function (results) {
        if (gen !== generation) return; // the filters changed meanwhile: a newer fetch wins
        list.setAttribute("aria-busy", "false");
        var failed = results.filter(function (r) { return !r.ok; })[0];
        if (failed) {
          if (failed.status !== 401) showAlert(t("load_failed"), "error");
          return;
        }
        if (els.alert && !els.alert.hidden && els.alert.classList.contains("sc-alert--error")) hideAlert();
        var seen = new Set();
        results.forEach(function (r) {
          (r.data.cases || []).forEach(function (c) {
            if (!c || !c.id || !matches(c, f)) return;
            seen.add(c.id);
            upsert(c, { fromFetch: true });
          });
        });
        // Rows the snapshot does not know about leave, unless a live event brought them in
        // while the request was in flight (the snapshot may be older than that event).
        cases.forEach(function (entry, id) {
          if (!seen.has(id) && entry.liveGen !== gen) removeCase(id, false);
        });
        loaded = true;
        updateSummary();
      });
      return fetching;
    }

    // -------------------------------------------------------------- rows
    function compare(a, b) {
      var pa = typeof a.priority === "number" ? a.priority : 0;
      var pb = typeof b.priority === "number" ? b.priority : 0;
      if (pa !== pb) return pb - pa;
      var da = toTime(a.due_at) || Infinity;
      var db = toTime(b.due_at) || Infinity;
      if (da !== db) return da < db ? -1 : 1;
      return toTime(a.created_at) - toTime(b.created_at);
    }

    function place(entry) {
      var rows = list.children;
      var before = null;
      for (var i = 0; i < rows.length; i++) {
        if (rows[i] === entry.el) continue;
        var other = cases.get(rows[i].dataset.caseId);
        if (other && compare(entry.case, other.case) < 0) { before = rows[i]; break; }
      }
      // Leave it where it is when it is already in place: moving a row loses its focus.
      if (entry.el.parentNode === list && entry.el.nextElementSibling === before) return;
      if (before === null && entry.el.parentNode === list && entry.el === list.lastElementChild) return;
      var focused = entry.el.contains(document.activeElement) ? document.activeElement : null;
      list.insertBefore(entry.el, before);
      if (focused) focused.focus({ preventScroll: true });
    }

    function build(c) {
      var li = template.content.firstElementChild.cloneNode(true);
      li.dataset.caseId = c.id;
      var link = $(".sc-case__link", li);
      link.href = withLang("/staff/cases/" + encodeURIComponent(c.id));
      $(".sc-case__claim", li).addEventListener("click", function (event) {
        claim(c.id, event.currentTarget);
      });
      return li;
    }

    function render(entry) {
      var c = entry.case;
      var li = entry.el;
      li.dataset.state = c.state || "";
      li.dataset.priority = String(c.priority);
      li.dataset.urgency = urgency(c.priority);
      li.classList.toggle("sc-case--flagged", !!c.flagged);
      li.classList.toggle("sc-case--mine", !!(c.assignee && c.assignee.id === ME.id));
      setPriority($(".sc-case__priority", li), c);
      var question = (c.thread && c.thread.body) || "";
      $(".sc-case__link", li).textContent = excerpt(question, 220) || "#" + c.id;
      var where = whereText(c);
      $(".sc-case__room", li).textContent = where.room;
      $(".sc-case__room", li).hidden = !where.room;
      $(".sc-case__category", li).textContent = where.category;
      $(".sc-case__category", li).hidden = !where.category;
      renderReasonChips($(".sc-chips", li), c.reasons);
      setDue($(".sc-case__due", li), c);
      setState($("[data-testid=case-state]", li), c.state);
      setFlag($(".sc-flag", li), c);
      setModeAndHeld(li, c);
      $(".sc-case__assignee", li).textContent = CLOSED[c.state] && c.outcome
        ? t("outcome_is", { outcome: has("outcome_" + c.outcome) ? t("outcome_" + c.outcome) : c.outcome })
        : assigneeText(c.assignee);
      // Broadcasts may lack `actions`: an open case can always be claimed by someone.
      var canClaim = Array.isArray(c.actions) ? c.actions.indexOf("claim") >= 0 : c.state === "open";
      var button = $(".sc-case__claim", li);
      if (button.getAttribute("aria-busy") !== "true") button.hidden = !canClaim;
      button.setAttribute("aria-label", t("action_claim") + " — " + excerpt(question, 60));
      if (c.room) known.rooms.add(c.room);
      if (c.category) known.categories.add(c.category);
    }

    function upsert(c, options) {
      options = options || {};
      var entry = cases.get(c.id);
      if (entry) {
        var older = toTime(c.updated_at) && toTime(entry.case.updated_at) && toTime(c.updated_at) < toTime(entry.case.updated_at);
        if (older) return entry; // a snapshot older than what a live event already told us
        var merged = Object.assign({}, entry.case, c);
        if (!Array.isArray(c.actions)) merged.actions = null; // unknown now: infer from state
        entry.case = merged;
      } else {
        entry = { case: Object.assign({}, c), el: build(c), liveGen: 0 };
        if (!Array.isArray(c.actions)) entry.case.actions = null;
        cases.set(c.id, entry);
      }
      if (!options.fromFetch) entry.liveGen = generation;
      render(entry);
      place(entry);
      return entry;
    }

    function removeCase(id, announceIt) {
      var entry = cases.get(id);
      if (!entry) return;
      var hadFocus = entry.el.contains(document.activeElement);
      var next = entry.el.nextElementSibling || entry.el.previousElementSibling;
      entry.el.remove();
      cases.delete(id);
      if (hadFocus) {
        var target = next ? $(".sc-case__link", next) : $("#sc-queue-title");
        if (target) { if (!next) target.tabIndex = -1; target.focus({ preventScroll: true }); }
      }
      if (announceIt) announce(t("case_gone", { text: excerpt(entry.case.thread && entry.case.thread.body, 80) }));
    }

    function highlight(entry) {
      entry.el.classList.remove("sc-case--new");
      void entry.el.offsetWidth; // restart the animation
      entry.el.classList.add("sc-case--new");
    }

    function updateSummary() {
      var n = cases.size;
      count.textContent = n === 0 ? t("cases_zero") : plural("cases", n);
      empty.hidden = !loaded || n > 0;
      fillDatalist($("#sc-rooms"), known.rooms);
      fillDatalist($("#sc-categories"), known.categories);
    }

    function fillDatalist(el, values) {
      if (!el || el.children.length === values.size) return;
      el.textContent = "";
      Array.from(values).sort().forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        el.appendChild(option);
      });
    }

    // -------------------------------------------------------------- live
    function onCase(kind, c) {
      if (!c || !c.id) return;
      var f = filters();
      var entry = cases.get(c.id);
      if (!matches(c, f)) {
        if (entry) {
          var stale = toTime(c.updated_at) && toTime(entry.case.updated_at) && toTime(c.updated_at) < toTime(entry.case.updated_at);
          if (!stale) removeCase(c.id, false);
        }
        updateSummary();
        return;
      }
      var wasFlagged = entry ? !!entry.case.flagged : false;
      var isNew = !entry;
      entry = upsert(c);
      if (isNew) {
        highlight(entry);
        var reasons = (c.reasons || []).map(function (r) { return reasonLabel(r.code); }).join(", ");
        announce(t("new_case", { reasons: reasons, text: excerpt(c.thread && c.thread.body, 120) }));
      } else if (c.flagged && !wasFlagged) {
        highlight(entry);
        announce(t("flagged") + " — " + excerpt(c.thread && c.thread.body, 80));
      }
      updateSummary();
    }

    function claim(id, button) {
      setBusy(button, true);
      caseAction(id, "claim", {}).then(function (res) {
        setBusy(button, false);
        if (!res.ok) {
          showError(res.error);
          if (res.status === 409 || res.status === 404) fetchQueue();
          return;
        }
        var c = res.data.case;
        if (c && matches(c, filters())) upsert(c);
        else if (c) removeCase(c.id, false);
        updateSummary();
        showAlert(t("claimed_ok"), "info");
        var entry = c && cases.get(c.id);
        if (entry && button.hidden) $(".sc-case__link", entry.el).focus();
      });
    }

    // -------------------------------------------------------------- wiring
    readFiltersFromUrl();
    writeUrl(filters());

    function applyFilters() {
      writeUrl(filters());
      cases.forEach(function (entry, id) { if (!matches(entry.case, filters())) removeCase(id, false); });
      updateSummary();
      fetchQueue();
    }

    var textTimer = null;
    inputs.state.addEventListener("change", applyFilters);
    inputs.reason.addEventListener("change", applyFilters);
    [inputs.room, inputs.category].forEach(function (input) {
      input.addEventListener("input", function () {
        clearTimeout(textTimer);
        textTimer = setTimeout(applyFilters, TEXT_FILTER_DEBOUNCE_MS);
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(textTimer);
      applyFilters();
    });
    clear.addEventListener("click", function () {
      inputs.state.value = "active";
      inputs.reason.value = "";
      inputs.room.value = "";
      inputs.category.value = "";
      applyFilters();
      inputs.state.focus();
    });
    window.addEventListener("popstate", function () { readFiltersFromUrl(); applyFilters(); });

    fetchQueue();
    openSocket(onCase, function () { fetchQueue(); });

    setInterval(function () {
      cases.forEach(function (entry) { setDue($(".sc-case__due", entry.el), entry.case); });
    }, TICK_MS);

    // -------------------------------------------------------------- admin: detectors
    var detectors = $("[data-testid=detectors]");
    if (detectors) {
      var rows = $("[data-testid=detector-rows]");
      var refresh = $("[data-testid=detectors-refresh]");
      var loadDetectors = function () {
        setBusy(refresh, true);
        api("GET", "/api/v1/staff/detectors").then(function (res) {
          setBusy(refresh, false);
          if (!res.ok) {
            if (res.status === 403) detectors.hidden = true;
            else showError(res.error);
            return;
          }
          rows.textContent = "";
          var list = res.data.detectors || [];
          if (!list.length) {
            var none = document.createElement("tr");
            var cell0 = document.createElement("td");
            cell0.colSpan = 4;
            cell0.className = "sc-muted";
            cell0.textContent = t("precision_none");
            none.appendChild(cell0);
            rows.appendChild(none);
          }
          list.forEach(function (d) {
            var tr = document.createElement("tr");
            tr.dataset.detector = d.code;
            var name = document.createElement("th");
            name.scope = "row";
            name.textContent = reasonLabel(d.code);
            tr.appendChild(name);
            [d.confirmed, d.dismissed].forEach(function (n) {
              var td = document.createElement("td");
              td.className = "sc-num";
              td.textContent = typeof n === "number" ? n.toLocaleString(LANG) : "0";
              tr.appendChild(td);
            });
            var cell = document.createElement("td");
            cell.className = "sc-precision";
            if (typeof d.precision === "number") {
              var bar = document.createElement("span");
              bar.className = "sc-meter";
              bar.setAttribute("aria-hidden", "true");
              var fill = document.createElement("span");
              fill.className = "sc-meter__fill sc-meter__fill--" + (d.precision >= 0.8 ? "good" : d.precision >= 0.5 ? "fair" : "poor");
              fill.style.width = Math.round(Math.max(0, Math.min(1, d.precision)) * 100) + "%";
              bar.appendChild(fill);
              var value = document.createElement("span");
              value.className = "sc-precision__value";
              value.textContent = d.precision.toLocaleString(LANG, { style: "percent", maximumFractionDigits: 0 });
              cell.appendChild(value);
              cell.appendChild(bar);
            } else {
              cell.textContent = t("precision_none");
              cell.classList.add("sc-muted");
            }
            tr.appendChild(cell);
            rows.appendChild(tr);
          });
        });
      };
      refresh.addEventListener("click", loadDetectors);
      loadDetectors();
    }
  }

  // ================================================================ case page
  function initCase() {
    var CASE_ID = String(config.case_id);
    var root = $("[data-testid=case-page]");
    var head = $("[data-testid=case-head]");
    var replyForm = $("[data-testid=reply-form]");
    var replyInput = $("#sc-reply-body");
    var replyPrivate = $("#sc-reply-private");
    var privateWrap = $("[data-testid=reply-private-wrap]");
    var resolveForm = $("[data-testid=resolve-form]");
    var banForm = $("[data-testid=ban-form]");
    var banWho = $("#sc-ban-who");
    var banDays = $("#sc-ban-days");
    var banReason = $("#sc-ban-reason");
    var banError = $("#sc-ban-error");
    var messageTemplate = $("#sc-message-template");
    var detail = { case: null, thread: null, audit: [] };
    var wasPrivate = null;
    var messageEls = new Map();

    // -------------------------------------------------------------- fetching
    var inFlight = false;
    var again = false;
    function refresh() {
      if (inFlight) { again = true; return Promise.resolve(); }
      inFlight = true;
      return api("GET", "/api/v1/staff/cases/" + encodeURIComponent(CASE_ID)).then(function (res) {
        inFlight = false;
        head.setAttribute("aria-busy", "false");
        if (!res.ok) {
          showError(res.error);
        } else {
          detail.case = res.data.case || detail.case;
          detail.thread = res.data.thread || detail.thread;
          detail.audit = Array.isArray(res.data.audit) ? res.data.audit : detail.audit;
          renderAll();
        }
        if (again) { again = false; return refresh(); }
      });
    }

    // -------------------------------------------------------------- rendering
    function isHeld() {
      return !!((detail.thread && detail.thread.held) || (detail.case && detail.case.thread && detail.case.thread.held));
    }

    function isPrivateMode() {
      var c = detail.case || {};
      if (typeof c.mode === "string") return c.mode === "private";
      if (typeof c.private === "boolean") return c.private;
      var thread = detail.thread || {};
      if (thread.status === "private" || thread.visibility === "private") return true;
      var last = null;
      (detail.audit || []).forEach(function (e) {
        var action = String(e && e.action || "");
        if (/private/.test(action)) last = "private";
        else if (/takeover|take_over|handback|hand_back|resolve|dismiss/.test(action)) last = "public";
      });
      return last === "private";
    }

    function renderAll() {
      renderCase();
      renderThread();
      renderAudit();
    }

    function renderCase() {
      var c = detail.case;
      if (!c) return;
      root.dataset.state = c.state || "";
      setPriority($(".sc-case__priority", head), c);
      var question = (c.thread && c.thread.body) || (detail.thread && detail.thread.body) || "";
      var title = $("[data-testid=case-title]");
      title.textContent = excerpt(question, 160) || t("case_title", { text: "#" + c.id });
      document.title = t("case_title", { text: excerpt(question, 60) }) + " · Entraide";
      setState($("[data-testid=case-state]", head), c.state);
      setFlag($(".sc-flag", head), c);
      setModeAndHeld(head, c);
      var where = whereText(c);
      var room = $("[data-testid=case-room]", head);
      room.textContent = where.room;
      room.hidden = !where.room;
      var category = $("[data-testid=case-category]", head);
      category.textContent = where.category;
      category.hidden = !where.category;
      setDue($("[data-testid=case-due]", head), c);
      $("[data-testid=case-assignee]", head).textContent = assigneeText(c.assignee);
      var outcome = $("[data-testid=case-outcome]", head);
      outcome.hidden = !c.outcome;
      outcome.textContent = c.outcome
        ? t("outcome_is", { outcome: has("outcome_" + c.outcome) ? t("outcome_" + c.outcome) : c.outcome })
        : "";

      var actions = Array.isArray(c.actions) ? c.actions : [];
      $$("[data-action]", head).forEach(function (button) {
        if (button.getAttribute("data-action") === "resolve") return;
        if (button.getAttribute("aria-busy") === "true") return;
        button.hidden = actions.indexOf(button.getAttribute("data-action")) < 0;
      });
      resolveForm.hidden = actions.indexOf("resolve") < 0;

      // Reply box: when this staff member may reply; the private toggle in private mode.
      var canReply = actions.indexOf("reply") >= 0;
      replyForm.hidden = !canReply;
      // A held question is not public yet: the server sends every reply privately.
      var held = isHeld();
      var priv = isPrivateMode();
      privateWrap.hidden = !priv || held;
      if (priv !== wasPrivate) replyPrivate.checked = priv; // default to private on entering it
      wasPrivate = priv;
      $("[data-testid=reply-mode]").textContent = held ? t("held_mode") : priv ? t("private_mode") : t("public_mode");
      replyForm.classList.toggle("sc-reply--private", held || (priv && replyPrivate.checked));

      renderReasonChips($("[data-testid=case-reasons]", head), c.reasons);
      renderReasons(c, actions.indexOf("feedback") >= 0);
      renderWebhook(c.webhook);
    }

    function renderReasons(c, canFeedback) {
      var list = $("[data-testid=reasons]");
      list.textContent = "";
      (c.reasons || []).forEach(function (reason) {
        var li = document.createElement("li");
        li.className = "sc-reason sc-reason--" + reason.code;
        li.dataset.reason = reason.code;
        li.setAttribute("data-testid", "reason");
        var top = document.createElement("div");
        top.className = "sc-reason__top";
        var chip = document.createElement("span");
        chip.className = "sc-chip sc-chip--" + reason.code;
        var code = document.createElement("span");
        code.className = "sc-chip__code";
        code.textContent = reasonLabel(reason.code);
        chip.appendChild(code);
        var score = formatScore(reason.score);
        if (score) {
          var s = document.createElement("span");
          s.className = "sc-chip__score";
          s.textContent = score;
          s.title = t("reason_score", { score: score });
          chip.appendChild(s);
        }
        top.appendChild(chip);
        if (reason.verdict && !canFeedback) { // else the pressed button says it
          var verdict = document.createElement("span");
          verdict.className = "sc-verdict sc-verdict--" + reason.verdict;
          verdict.setAttribute("data-testid", "reason-verdict");
          verdict.textContent = t("verdict_" + reason.verdict);
          top.appendChild(verdict);
        }
        li.appendChild(top);
        var evidence = (reason.evidence || []).filter(Boolean);
        if (evidence.length) {
          var ul = document.createElement("ul");
          ul.className = "sc-evidence";
          evidence.forEach(function (e) {
            var item = document.createElement("li");
            item.textContent = e;
            ul.appendChild(item);
          });
          li.appendChild(ul);
        }
        if (canFeedback) {
          var buttons = document.createElement("div");
          buttons.className = "sc-reason__feedback";
          [["confirm", "confirm", "confirm_label"], ["dismiss", "reject", "reject_label"]].forEach(function (spec) {
            var b = document.createElement("button");
            b.type = "button";
            b.className = "sc-button sc-button--tiny sc-button--toggle sc-button--" + spec[0];
            b.setAttribute("data-testid", "feedback-" + spec[0]);
            b.setAttribute("aria-pressed", reason.verdict === spec[0] ? "true" : "false");
            b.setAttribute("aria-label", t(spec[2], { reason: reasonLabel(reason.code) }));
            b.textContent = t(spec[1]);
            b.addEventListener("click", function () { feedback(reason.code, spec[0], b); });
            buttons.appendChild(b);
          });
          li.appendChild(buttons);
        }
        list.appendChild(li);
      });
    }

    function renderWebhook(hook) {
      var status = $("[data-testid=webhook-status]");
      var error = $("[data-testid=webhook-error]");
      status.textContent = "";
      if (!hook) {
        status.textContent = t("webhook_none");
        status.dataset.status = "none";
        error.hidden = true;
        return;
      }
      status.dataset.status = hook.status || "";
      var badge = document.createElement("span");
      badge.className = "sc-badge sc-badge--webhook-" + (hook.status || "pending");
      badge.textContent = has("webhook_" + hook.status) ? t("webhook_" + hook.status) : String(hook.status || "");
      status.appendChild(badge);
      var n = typeof hook.attempts === "number" ? hook.attempts : 0;
      var attempts = document.createElement("span");
      attempts.className = "sc-muted";
      attempts.textContent = plural("webhook_attempts", n);
      status.appendChild(document.createTextNode(" "));
      status.appendChild(attempts);
      error.hidden = !hook.last_error;
      error.textContent = hook.last_error || "";
    }

    function authorName(author) { return author && author.name ? author.name : ""; }

    function renderThread() {
      var thread = detail.thread;
      if (!thread) return;
      var badge = $("[data-testid=thread-status]");
      badge.textContent = has("thread_" + thread.status) ? t("thread_" + thread.status) : String(thread.status || "");
      badge.className = "sc-badge sc-badge--thread-" + (thread.status || "unknown");
      badge.dataset.status = thread.status || "";

      var q = $("[data-testid=question]");
      $("[data-testid=question-held]", q).hidden = !isHeld();
      q.classList.toggle("sc-question--held", isHeld());
      avatar($(".sc-avatar", q), authorName(thread.author));
      $(".sc-msg__author", q).textContent = authorName(thread.author);
      setClock($(".sc-msg__time", q), thread.created_at, true);
      var qb = $(".sc-question__body", q);
      if (qb.dataset.html !== (thread.html || "")) {
        if (thread.html) qb.innerHTML = thread.html; // sanitised by the server
        else qb.textContent = thread.body || "";
        qb.dataset.html = thread.html || "";
      }

      var list = $("[data-testid=messages]");
      var messages = (thread.messages || []).slice().sort(function (a, b) {
        return toTime(a.created_at) - toTime(b.created_at);
      });
      var keep = new Set(messages.map(function (m) { return m.id; }));
      messageEls.forEach(function (el, id) {
        if (!keep.has(id)) { el.remove(); messageEls.delete(id); }
      });
      messages.forEach(function (m, index) {
        var el = messageEls.get(m.id);
        if (!el) {
          el = buildMessage(m.id);
          messageEls.set(m.id, el);
        }
        renderMessage(el, m);
        // Move only what is out of place: moving an element drops the focus inside it.
        if (list.children[index] !== el) list.insertBefore(el, list.children[index] || null);
      });
      $("[data-testid=no-messages]").hidden = messages.length > 0;
      renderBanChoices();
    }

    function findMessage(id) {
      var found = null;
      ((detail.thread && detail.thread.messages) || []).forEach(function (m) { if (m.id === id) found = m; });
      return found;
    }

    function buildMessage(id) {
      var li = messageTemplate.content.firstElementChild.cloneNode(true);
      li.dataset.messageId = id;
      $("[data-testid=hide-button]", li).addEventListener("click", function (event) {
        moderateMessage(id, "hide", event.currentTarget);
      });
      $("[data-testid=restore-button]", li).addEventListener("click", function (event) {
        moderateMessage(id, "restore", event.currentTarget);
      });
      $("[data-testid=publish-button]", li).addEventListener("click", function (event) {
        moderateMessage(id, "restore", event.currentTarget, "publish");
      });
      $("[data-testid=endorse-button]", li).addEventListener("click", function (event) {
        endorse(id, event.currentTarget);
      });
      return li;
    }

    function tag(text, kind) {
      var span = document.createElement("span");
      span.className = "sc-tag sc-tag--" + kind;
      span.setAttribute("data-testid", "tag-" + kind);
      span.textContent = text;
      return span;
    }

    function renderMessage(li, m) {
      var author = m.author || {};
      var staff = m.kind === "staff" || !!author.staff;
      li.className = "sc-msg sc-msg--" + (m.kind || "answer");
      li.classList.toggle("sc-msg--staff", staff);
      li.classList.toggle("sc-msg--private", m.visibility === "private");
      li.classList.toggle("sc-msg--held", m.visibility === "held");
      li.classList.toggle("sc-msg--hidden", !!m.hidden);
      li.dataset.kind = m.kind || "";
      li.dataset.visibility = m.visibility || "public";
      li.dataset.hidden = m.hidden ? "true" : "false";
      avatar($(".sc-avatar", li), authorName(author));
      $(".sc-msg__author", li).textContent = authorName(author);
      var tags = $(".sc-tags", li);
      tags.textContent = "";
      if (staff) tags.appendChild(tag(t("staff_badge"), "staff"));
      if (m.kind === "system") tags.appendChild(tag(t("system_badge"), "system"));
      if (m.visibility === "private") tags.appendChild(tag(t("private_badge"), "private"));
      if (m.visibility === "held") tags.appendChild(tag(t("held_badge"), "held"));
      if (m.hidden) tags.appendChild(tag(t("hidden_badge"), "hidden"));
      setClock($(".sc-msg__time", li), m.created_at, false);
      var body = $(".sc-msg__body", li);
      if (m.kind === "system") {
        // System messages carry a code (e.g. "staff_joined"), translated here.
        var code = m.code || m.body || "";
        body.textContent = has("system_" + code) ? t("system_" + code) : (m.html ? "" : code);
        if (m.html && !has("system_" + code)) body.innerHTML = m.html;
        body.dataset.html = "";
      } else if (body.dataset.html !== (m.html || "") || body.dataset.text !== (m.body || "") || !body.childNodes.length) {
        if (m.html) body.innerHTML = m.html; // sanitised by the server
        else body.textContent = m.body || "";
        body.dataset.html = m.html || "";
        body.dataset.text = m.body || "";
      }
      var votes = $(".sc-msg__votes", li);
      votes.textContent = m.kind === "answer" && m.votes ? t("votes", { n: m.votes }) : "";
      var hide = $("[data-testid=hide-button]", li);
      var restore = $("[data-testid=restore-button]", li);
      var publish = $("[data-testid=publish-button]", li);
      var moderatable = m.kind !== "system";
      var heldMessage = m.visibility === "held";
      if (hide.getAttribute("aria-busy") !== "true") hide.hidden = !moderatable || !!m.hidden;
      if (restore.getAttribute("aria-busy") !== "true") restore.hidden = !moderatable || !m.hidden || heldMessage;
      // Restoring a held message publishes it: say so on the button.
      if (publish.getAttribute("aria-busy") !== "true") publish.hidden = !moderatable || !heldMessage;
      hide.setAttribute("aria-label", t("hide_label", { name: authorName(author) }));
      restore.setAttribute("aria-label", t("restore_label", { name: authorName(author) }));
      publish.setAttribute("aria-label", t("publish_label", { name: authorName(author) }));
      renderEndorse($("[data-testid=endorse-button]", li), m);
      $(".sc-msg__actions", li).hidden = !moderatable && !votes.textContent;
    }

    // Public answers get "Endorse"; once endorsed the button reads "Endorsed" and does
    // nothing more. It stays focusable (aria-disabled, not disabled) so the focus stays put.
    function renderEndorse(button, m) {
      if (button.getAttribute("aria-busy") === "true") return;
      var endorsed = !!m.endorsed;
      var endorsable = m.kind === "answer" && (m.visibility || "public") === "public" && !m.hidden;
      button.hidden = !endorsable && !endorsed;
      button.textContent = t(endorsed ? "endorsed" : "endorse");
      button.classList.toggle("sc-endorse--done", endorsed);
      if (endorsed) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
      button.setAttribute("aria-label", t(endorsed ? "endorsed_label" : "endorse_label", { name: authorName(m.author) }));
    }

    function renderBanChoices() {
      var thread = detail.thread;
      var previous = banWho.value;
      var people = [];
      var seen = new Set();
      function add(author, role) {
        if (!author || !author.id || author.staff || seen.has(author.id)) return;
        seen.add(author.id);
        people.push({ id: author.id, label: authorName(author) + (role ? " — " + role : "") });
      }
      add(thread.author, t("asker"));
      (thread.messages || []).forEach(function (m) { if (m.kind !== "staff" && m.kind !== "system") add(m.author, ""); });
      var signature = people.map(function (p) { return p.id + ":" + p.label; }).join("|");
      if (banWho.dataset.signature === signature) return;
      banWho.dataset.signature = signature;
      banWho.textContent = "";
      people.forEach(function (p) {
        var option = document.createElement("option");
        option.value = p.id;
        option.textContent = p.label;
        banWho.appendChild(option);
      });
      if (previous && seen.has(previous)) banWho.value = previous;
      $("[data-testid=ban]").hidden = people.length === 0;
    }

    function renderAudit() {
      var list = $("[data-testid=audit]");
      list.textContent = "";
      var entries = detail.audit || [];
      if (!entries.length) {
        var none = document.createElement("li");
        none.className = "sc-audit__empty sc-muted";
        none.textContent = t("no_audit");
        list.appendChild(none);
        return;
      }
      entries.forEach(function (e) {
        var li = document.createElement("li");
        li.className = "sc-audit__entry";
        li.setAttribute("data-testid", "audit-entry");
        li.dataset.action = e.action || "";
        var time = document.createElement("time");
        time.className = "sc-audit__time";
        setClock(time, e.at, false);
        var what = document.createElement("div");
        what.className = "sc-audit__what";
        var action = document.createElement("span");
        action.className = "sc-audit__action";
        action.textContent = auditLabel(e.action);
        var actor = document.createElement("span");
        actor.className = "sc-audit__actor";
        var kind = e.actor && e.actor.kind;
        var name = e.actor && e.actor.name;
        actor.textContent = name
          ? name + (kind && kind !== "staff" ? " (" + t("actor_" + kind) + ")" : "")
          : (kind ? t("actor_" + kind) : "");
        what.appendChild(action);
        what.appendChild(actor);
        li.appendChild(time);
        li.appendChild(what);
        var detailText = auditDetail(e.detail);
        if (detailText) {
          var d = document.createElement("p");
          d.className = "sc-audit__detail";
          d.textContent = detailText;
          li.appendChild(d);
        }
        list.appendChild(li);
      });
    }

    function auditLabel(action) {
      var raw = String(action || "");
      var key = raw.toLowerCase().split(/[.:/]/).pop().replace(/-/g, "_");
      if (has("audit_" + key)) return t("audit_" + key);
      if (has("audit_" + raw)) return t("audit_" + raw);
      return raw;
    }

    function auditDetail(value) {
      if (value == null || value === "") return "";
      if (typeof value === "string") return value;
      if (typeof value !== "object") return String(value);
      return Object.keys(value).map(function (k) {
        var v = value[k];
        return k + ": " + (v && typeof v === "object" ? JSON.stringify(v) : String(v));
      }).join(" · ");
    }

    // -------------------------------------------------------------- actions
    function applyCase(c) {
      if (!c || String(c.id) !== CASE_ID) return;
      var merged = Object.assign({}, detail.case || {}, c);
      if (!Array.isArray(c.actions) && detail.case) merged.actions = detail.case.actions;
      detail.case = merged;
      renderCase();
    }

    function run(action, body, button) {
      setBusy(button, true);
      return caseAction(CASE_ID, action, body || {}).then(function (res) {
        setBusy(button, false);
        if (!res.ok) {
          showError(res.error);
          if (res.status === 409 || res.status === 404) refresh();
          else renderCase();
          return res;
        }
        applyCase(res.data.case);
        refresh();
        return res;
      });
    }

    $$("[data-action]", head).forEach(function (button) {
      var action = button.getAttribute("data-action");
      if (action === "resolve") return; // the form's submit
      button.addEventListener("click", function () {
        run(action, {}, button).then(function (res) {
          if (!res.ok) return;
          showAlert(t("done_" + action), "info");
          if ((action === "takeover" || action === "private") && !replyForm.hidden) replyInput.focus();
          else if (button.hidden) $("#sc-case-title").focus();
        });
      });
    });

    resolveForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = $("[data-action=resolve]", resolveForm);
      run("resolve", { outcome: $("#sc-outcome").value }, button).then(function (res) {
        if (res.ok) { showAlert(t("done_resolve"), "info"); $("#sc-case-title").focus(); }
      });
    });

    replyPrivate.addEventListener("change", function () {
      replyForm.classList.toggle("sc-reply--private", replyPrivate.checked && !privateWrap.hidden);
    });
    replyInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        replyForm.requestSubmit();
      }
    });
    replyForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = replyInput.value.trim();
      if (!body) {
        showAlert(t("reply_empty"), "error");
        replyInput.focus();
        return;
      }
      var priv = isHeld() || (!privateWrap.hidden && replyPrivate.checked);
      var button = $("[data-testid=reply-submit]", replyForm);
      run("reply", { body: body, private: priv }, button).then(function (res) {
        if (!res.ok) return;
        replyInput.value = "";
        showAlert(priv ? t("done_reply_private") : t("done_reply"), "info");
        replyInput.focus();
      });
    });

    function feedback(code, verdict, button) {
      setBusy(button, true);
      caseAction(CASE_ID, "feedback", { code: code, verdict: verdict }).then(function (res) {
        setBusy(button, false);
        if (!res.ok) { showError(res.error); if (res.status === 409) refresh(); return; }
        applyCase(res.data.case);
        showAlert(t("done_feedback"), "info");
        var again = $("[data-reason='" + code + "'] [data-testid=feedback-" + verdict + "]");
        if (again) again.focus();
        refresh();
      });
    }

    function moderateMessage(id, action, button, done) {
      setBusy(button, true);
      api("POST", "/api/v1/staff/messages/" + encodeURIComponent(id) + "/" + action, {}).then(function (res) {
        setBusy(button, false);
        if (!res.ok) { showError(res.error); renderThread(); return; }
        var updated = res.data.message;
        var current = findMessage(id);
        if (current) {
          // The public shape blanks a hidden message's text; staff keep seeing it.
          var fresh = updated && updated.id === id ? updated : { hidden: action === "hide" };
          Object.assign(current, fresh, { body: fresh.body || current.body });
        }
        renderThread();
        showAlert(t("done_" + (done || action)), "info");
        var el = messageEls.get(id);
        var other = el && $("[data-testid=" + (action === "hide" ? "restore" : "hide") + "-button]", el);
        if (other && !other.hidden) other.focus();
        else if (el) { var any = $(".sc-msg__actions button:not([hidden])", el); if (any) any.focus(); }
        refresh();
      });
    }

    function endorse(id, button) {
      if (button.getAttribute("aria-disabled") === "true" || button.getAttribute("aria-busy") === "true") return;
      var current = findMessage(id);
      var name = authorName(current && current.author);
      setBusy(button, true);
      api("POST", "/api/v1/staff/answers/" + encodeURIComponent(id) + "/endorse", {}).then(function (res) {
        setBusy(button, false);
        if (res.ok) {
          if (current) current.endorsed = true;
          renderThread();
          showAlert(t("done_endorse", { name: name, points: (res.data.entry || {}).points }), "info");
        } else if (res.status === 404 || res.status === 409) {
          // Gone, or endorsed already (by a colleague) or not endorsable now: re-read the thread
          // and say which.
          refresh().then(function () {
            var now = findMessage(id);
            if (res.status === 404) showAlert(t("endorse_not_found"), "error");
            else if (now && now.endorsed) showAlert(t("endorse_already"), "info");
            else showAlert(t("endorse_banned"), "error");
          });
        } else {
          renderThread();
          if (res.status !== 401) showError(res.error);
        }
        if (!button.hidden) button.focus();
      });
    }

    function banChosen() {
      var id = banWho.value;
      var option = banWho.selectedOptions[0];
      return { id: id, name: option ? option.textContent.split(" — ")[0] : "" };
    }

    banForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var who = banChosen();
      var days = Number(banDays.value);
      var reason = banReason.value.trim();
      var valid = who.id && Number.isInteger(days) && days >= 1 && days <= 365 && reason;
      banDays.setAttribute("aria-invalid", Number.isInteger(days) && days >= 1 && days <= 365 ? "false" : "true");
      banReason.setAttribute("aria-invalid", reason ? "false" : "true");
      if (!valid) {
        banError.textContent = t("ban_invalid");
        (banDays.getAttribute("aria-invalid") === "true" ? banDays : banReason).focus();
        return;
      }
      banError.textContent = "";
      var button = $("[data-testid=ban-submit]", banForm);
      setBusy(button, true);
      api("POST", "/api/v1/staff/visitors/" + encodeURIComponent(who.id) + "/ban", { days: days, reason: reason }).then(function (res) {
        setBusy(button, false);
        if (!res.ok) { showError(res.error); return; }
        banReason.value = "";
        showAlert(t("done_ban", { name: who.name, days: days }), "info");
        refresh();
      });
    });

    $("[data-testid=unban-submit]", banForm).addEventListener("click", function (event) {
      var who = banChosen();
      if (!who.id) return;
      var button = event.currentTarget;
      setBusy(button, true);
      api("POST", "/api/v1/staff/visitors/" + encodeURIComponent(who.id) + "/unban", {}).then(function (res) {
        setBusy(button, false);
        if (!res.ok) { showError(res.error); return; }
        showAlert(t("done_unban", { name: who.name }), "info");
        refresh();
      });
    });

    // -------------------------------------------------------------- live
    var refreshTimer = null;
    function onCase(kind, c) {
      if (!c || String(c.id) !== CASE_ID) return;
      applyCase(c);
      // Messages, audit and this member's actions come with the detail: fetch it once per burst.
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(refresh, 150);
    }

    refresh();
    openSocket(onCase, function () { refresh(); });
    setInterval(function () {
      if (detail.case) setDue($("[data-testid=case-due]", head), detail.case);
    }, TICK_MS);
  }

  if (config.page === "console") initConsole();
  else if (config.page === "case") initCase();
})();
