/*
 * Entraide panel: the live Q&A room of one product, running inside the widget's iframe.
 *
 * Protocol: /work/shared/protocol.md, namespace "/" (join, ask, answer, vote, accept,
 * typing, report, plus the `resolve` extension; server events `event`, `presence`, `typing`,
 * `notification` (answer, nudge) and `private`). The room's events are applied strictly by `seq`:
 * older ones are ignored, a gap triggers a re-join with `since` (the server replies with
 * what was missed), and every (re)connect re-joins the same way, so a blip loses nothing.
 * Writes carry a client_id (crypto.randomUUID) reused on retry, so a retried send lands once.
 *
 * UI text comes only from the config block rendered by templates/panel.html (translated
 * server-side); user content goes in with textContent, except the server-sanitised `html`.
 *
 * Moderation: a write may be acked `held` (kept from the crowd) with a `notice` for its
 * author. A held question lives only in its asker's list, marked private; messages whose
 * `visibility` is not "public" are labelled so the author knows who can see them.
 *
 * Rewards: authors carry a rank code (`author.rank`), shown as a pill with the label from the
 * config; a `rank` notification (the visitor was promoted) shows a toast in the panel's
 * language. "My points" (GET /api/v1/visitors/<id>/points) and "Top contributors" (GET
 * /api/v1/leaderboard for this product's room) open as modal <dialog> sheets.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("entraide-config").textContent);
  var S = config.strings;
  var product = config.product;
  var ROOM = product.key;
  var ACK_TIMEOUT_MS = 5000;
  var WRITE_ATTEMPTS = 3;
  var SIMILAR_DEBOUNCE_MS = 300;
  var TYPING_THROTTLE_MS = 2500;
  var TYPING_SHOWN_MS = 4000;
  var VISITOR_KEY = "entraide.visitor";
  var VOTES_KEY = "entraide.votes";
  var PAGE_SIZE = 20; // the server's page of recent threads: a full page means there may be more
  var LANG = config.lang === "en" ? "en" : "fr"; // the server writes notices in these two
  var REPORT_REASONS = ["spam", "insult", "off_topic", "other"];
  var MAX_TOASTS = 2;
  var LEADERS_LIMIT = 10;
  var LEADERS_REFRESH_MS = 1500; // room activity while the board is shown: reload it, calmly

  var embed = new URLSearchParams(location.search).get("embed");
  var parentOrigin = "*";
  try {
    if (document.referrer) parentOrigin = new URL(document.referrer).origin;
  } catch (e) { /* keep "*": we only ever post labels and "close"/"notify" signals */ }

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

  function $(selector, root) { return (root || document).querySelector(selector); }

  var storage = (function () {
    var memory = {};
    function ok() {
      try { return !!window.localStorage; } catch (e) { return false; }
    }
    return {
      get: function (key) {
        try {
          var raw = ok() ? localStorage.getItem(key) : memory[key];
          return raw ? JSON.parse(raw) : null;
        } catch (e) { return null; }
      },
      set: function (key, value) {
        var raw = JSON.stringify(value);
        try { if (ok()) { localStorage.setItem(key, raw); return; } } catch (e) { /* full or blocked */ }
        memory[key] = raw;
      },
      remove: function (key) {
        try { if (ok()) localStorage.removeItem(key); } catch (e) { /* blocked */ }
        delete memory[key];
      }
    };
  })();

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Non-secure contexts (plain http on a LAN) lack randomUUID: build a v4 from getRandomValues.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function postToParent(message) {
    if (window.parent === window) return;
    message.source = "entraide-panel";
    window.parent.postMessage(message, parentOrigin);
  }

  function toTime(value) {
    var ms = Date.parse(value);
    return isNaN(ms) ? 0 : ms;
  }

  var relative = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(config.lang, { numeric: "auto", style: "short" })
    : null;

  function formatRelative(value) {
    var ms = toTime(value);
    if (!ms || !relative) return "";
    var seconds = Math.round((ms - Date.now()) / 1000);
    var abs = Math.abs(seconds);
    if (abs < 45) return relative.format(0, "second");
    if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
    if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
    if (abs < 86400 * 30) return relative.format(Math.round(seconds / 86400), "day");
    return new Date(ms).toLocaleDateString(config.lang, { day: "numeric", month: "short", year: "numeric" });
  }

  function setTime(el, value) {
    el.dateTime = value || "";
    el.textContent = formatRelative(value);
    var ms = toTime(value);
    el.title = ms ? new Date(ms).toLocaleString(config.lang) : "";
  }

  function avatar(el, name) {
    var text = (name || "?").trim();
    el.textContent = text ? Array.from(text)[0].toUpperCase() : "?";
    var hash = 0;
    for (var i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
    // Dark enough at any hue for white initials to pass WCAG AA.
    el.style.backgroundColor = "hsl(" + (Math.abs(hash) % 360) + " 45% 32%)";
  }

  var numbers = window.Intl && Intl.NumberFormat ? new Intl.NumberFormat(config.lang) : null;
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(config.lang) : null;

  function formatNumber(n) {
    return numbers ? numbers.format(n) : String(n);
  }

  /** "1 point" / "27 points" ("0 point" in French: its plural rule makes 0 singular). */
  function pointsText(n) {
    var one = plurals ? plurals.select(n) === "one" : n === 1;
    return t(one ? "points_one" : "points_other", { n: formatNumber(n) });
  }

  /** The label of a rank code ("helper" -> "Contributeur"); "" for an unknown code. */
  function rankLabel(code) {
    return code && S["rank_" + code] ? t("rank_" + code) : "";
  }

  /** A rank pill: label from the config, colour by code, hidden when there is no rank. */
  function fillRank(el, code, fallbackLabel) {
    var label = rankLabel(code) || (fallbackLabel ? String(fallbackLabel) : "");
    el.textContent = label;
    el.hidden = !label;
    el.className = "ep-rank" + (label && code && S["rank_" + code] ? " ep-rank--" + code : "");
    el.dataset.rank = label ? (code || "") : "";
  }

  function autoGrow(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = Math.min(textarea.scrollHeight + 2, 240) + "px";
  }

  // ---------------------------------------------------------------- state
  var state = {
    visitor: storage.get(VISITOR_KEY),
    votes: storage.get(VOTES_KEY) || {},
    seq: null,          // last room seq applied; null until the first join ack
    joining: false,
    buffer: [],         // events received while a join is in flight
    threads: new Map(), // thread id -> entry {thread, messages: Map, el, private}
    typing: new Map(),  // thread id -> Map(name -> timer)
    reported: {}        // message id -> true once this visitor reported it (this page only)
  };
  if (state.visitor && !(state.visitor.id && state.visitor.token)) state.visitor = null;

  function me() { return state.visitor; }
  function isMine(author) { return !!(me() && author && author.id === me().id); }

  // ---------------------------------------------------------------- DOM references
  var els = {
    presence: $(".ep-presence"),
    presenceText: $(".ep-presence__text"),
    connection: $(".ep-connection"),
    alert: $(".ep-alert"),
    alertText: $(".ep-alert__text"),
    askForm: $(".ep-ask__form"),
    askInput: $("#ep-ask-body"),
    askSubmit: $("[data-testid=ask-submit]"),
    similar: $(".ep-similar"),
    similarList: $(".ep-similar__list"),
    list: $(".ep-thread-list"),
    empty: $(".ep-empty"),
    askNotice: $("[data-testid=ask-notice]"),
    toasts: $(".ep-toasts"),
    main: $(".ep-main"),
    live: $("[data-testid=live]"),
    dialog: $(".ep-dialog"),
    nameInput: $("#ep-name-input"),
    nameError: $("#ep-name-error"),
    close: $(".ep-close"),
    older: $("[data-testid=load-older]"),
    title: $("#ep-title"),
    pointsButton: $("[data-testid=my-points]"),
    points: $("#ep-points"),
    pointsBody: $("#ep-points .ep-sheet__body"),
    pointsStatus: $("[data-testid=points-status]"),
    pointsError: $("[data-testid=points-error]"),
    pointsContent: $("[data-testid=points-content]"),
    pointsTotal: $("[data-testid=points-total]"),
    pointsRank: $("[data-testid=points-rank]"),
    pointsBadges: $("[data-testid=points-badges]"),
    pointsBadgesCell: $("[data-testid=points-badges-cell]"),
    pointsStandings: $("[data-testid=points-standings]"),
    pointsStandingsCell: $("[data-testid=points-standings-cell]"),
    pointsEmpty: $("[data-testid=points-empty]"),
    pointsGroups: $("[data-testid=points-groups]"),
    pointsGroupTemplate: $("#ep-points-group-template"),
    leadersButton: $("[data-testid=top-contributors]"),
    leaders: $("#ep-leaders"),
    leadersList: $("[data-testid=leaders-list]"),
    leadersLoading: $("[data-testid=leaders-loading]"),
    leadersEmpty: $("[data-testid=leaders-empty]"),
    leadersError: $("[data-testid=leaders-error]"),
    leaderTemplate: $("#ep-leader-template"),
    threadTemplate: $("#ep-thread-template"),
    answerTemplate: $("#ep-answer-template")
  };

  // ---------------------------------------------------------------- feedback
  var alertTimer = null;
  function showError(error) {
    var code = error && error.code;
    var key = "error_" + code;
    var banned = code === "forbidden" && typeof error.message === "string" &&
      error.message.indexOf("you cannot post") === 0;
    if (banned) { showAlert(banMessage(error.message), "error"); return; }
    showAlert(S[key] ? t(key) : t("error_unknown"), "error");
  }

  /** "you cannot post until 2026-12-01 09:30 UTC" in the visitor's language (else as sent). */
  function banMessage(text) {
    var m = /until (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) UTC/.exec(text);
    if (!m) return text;
    var when = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
    return t("error_banned", {
      until: when.toLocaleString(config.lang, { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" })
    });
  }

  /**
   * A persistent, dismissable notice from the server (personal data, held for review, out of
   * scope) in a slot near the composer. The slot is a live region that stays in the DOM, so
   * the text is announced when it is inserted.
   */
  function showNotice(slot, text) {
    if (!slot || !text) return;
    slot.textContent = "";
    var box = document.createElement("div");
    box.className = "ep-notice";
    box.setAttribute("data-testid", "notice");
    var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("width", "20");
    icon.setAttribute("height", "20");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    icon.setAttribute("class", "ep-notice__icon");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1 8v7h2v-7h-2zm0-4v2h2V6h-2z");
    path.setAttribute("fill", "currentColor");
    icon.appendChild(path);
    var p = document.createElement("p");
    p.className = "ep-notice__text";
    p.textContent = text;
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "ep-link-button ep-notice__dismiss";
    dismiss.setAttribute("data-testid", "notice-dismiss");
    dismiss.textContent = t("dismiss");
    dismiss.addEventListener("click", function () {
      var hadFocus = box.contains(document.activeElement);
      slot.textContent = "";
      if (hadFocus) {
        var composer = slot.parentNode && slot.parentNode.querySelector("textarea");
        if (composer) composer.focus();
      }
    });
    box.appendChild(icon);
    box.appendChild(p);
    box.appendChild(dismiss);
    slot.appendChild(box);
  }

  function showAlert(text, tone) {
    els.alert.hidden = false;
    els.alert.className = "ep-alert ep-alert--" + (tone || "error");
    els.alertText.textContent = text;
    clearTimeout(alertTimer);
    alertTimer = setTimeout(hideAlert, 12000);
  }

  function hideAlert() {
    els.alert.hidden = true;
    els.alertText.textContent = "";
  }
  $(".ep-alert__dismiss").addEventListener("click", hideAlert);

  function announce(text) {
    var p = document.createElement("p");
    p.textContent = text;
    els.live.appendChild(p);
    while (els.live.childNodes.length > 5) els.live.removeChild(els.live.firstChild);
  }

  /**
   * options: {tone: "celebrate", actionLabel, onAction} for a toast that is not about a
   * thread (a promotion, with "See my points").
   */
  function toast(text, threadId, onView, options) {
    options = options || {};
    var box = document.createElement("div");
    box.className = "ep-toast" + (options.tone ? " ep-toast--" + options.tone : "");
    box.setAttribute("role", "status");
    box.setAttribute("data-testid", "toast");
    if (options.tone === "celebrate") {
      var medal = document.createElement("span");
      medal.className = "ep-toast__medal";
      medal.setAttribute("aria-hidden", "true");
      medal.appendChild(starIcon(18));
      box.appendChild(medal);
    }
    var p = document.createElement("p");
    p.className = "ep-toast__text";
    p.textContent = text;
    box.appendChild(p);
    var actionLabel = null;
    var run = null;
    if (threadId && state.threads.has(threadId)) {
      actionLabel = t("view");
      run = onView || function () { focusThread(threadId); };
    } else if (options.actionLabel && options.onAction) {
      actionLabel = options.actionLabel;
      run = options.onAction;
    }
    if (run) {
      var view = document.createElement("button");
      view.type = "button";
      view.className = "ep-link-button ep-toast__action";
      view.setAttribute("data-testid", "toast-action");
      view.textContent = actionLabel;
      view.addEventListener("click", function () {
        box.remove();
        run();
      });
      box.appendChild(view);
    }
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "ep-icon-button ep-toast__close";
    dismiss.setAttribute("aria-label", t("dismiss"));
    dismiss.textContent = "×";
    dismiss.addEventListener("click", function () { box.remove(); });
    box.appendChild(dismiss);
    els.toasts.appendChild(box);
    // At most MAX_TOASTS at once (oldest first out): on a phone they would cover the list.
    while (els.toasts.children.length > MAX_TOASTS) {
      var oldest = els.toasts.firstElementChild;
      if (oldest.contains(document.activeElement)) break;
      oldest.remove();
    }
    (function expire() {
      setTimeout(function () {
        if (box.contains(document.activeElement)) expire(); // never from under the keyboard
        else box.remove();
      }, 10000);
    })();
  }

  function starIcon(size) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M12 2.8l2.7 5.6 6.1.8-4.5 4.2 1.1 6.1L12 16.6l-5.4 2.9 1.1-6.1-4.5-4.2 6.1-.8L12 2.8z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  // Toasts float over the bottom of the list: keep room below it so nothing stays hidden.
  new MutationObserver(function () {
    var height = els.toasts.offsetHeight;
    els.main.style.paddingBottom = height ? (height + 24) + "px" : "";
  }).observe(els.toasts, { childList: true });

  // ---------------------------------------------------------------- socket
  if (typeof window.io !== "function") {
    els.connection.textContent = t("load_failed");
    return;
  }

  var socket = window.io({
    transports: ["websocket"],
    auth: state.visitor ? { token: state.visitor.token } : {}
  });
  var connectWaiters = [];

  socket.on("connect", function () {
    els.connection.hidden = true;
    join();
    var waiters = connectWaiters;
    connectWaiters = [];
    waiters.forEach(function (fn) { fn(); });
  });

  socket.on("disconnect", function (reason) {
    if (reason === "io client disconnect") return; // our own reconnect with a new token
    els.connection.hidden = false;
    els.connection.textContent = t("reconnecting");
  });

  socket.on("connect_error", function () {
    if (!socket.active && state.visitor) {
      // The server refused our token (expired, secret rotated, banned): read-only again.
      forgetVisitor();
      showError({ code: "unauthorized" });
      socket.connect();
      return;
    }
    els.connection.hidden = false;
    els.connection.textContent = t("reconnecting");
  });

  socket.on("event", onEvent);
  socket.on("presence", onPresence);
  socket.on("typing", onTyping);
  socket.on("notification", onNotification);
  socket.on("private", onPrivate);

  function whenConnected() {
    return new Promise(function (resolve) {
      if (socket.connected) resolve();
      else connectWaiters.push(resolve);
    });
  }

  /** Emit with an ack; on timeout re-send the very same payload (same client_id). */
  function emitAck(event, payload, attempts) {
    attempts = attempts || 1;
    return new Promise(function (resolve) {
      var tries = 0;
      (function attempt() {
        tries += 1;
        socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, function (err, res) {
          if (err) {
            if (tries < attempts) attempt();
            else resolve({ ok: false, error: { code: "unavailable" } });
            return;
          }
          resolve(res && typeof res === "object" ? res : { ok: false, error: { code: "unknown" } });
        });
      })();
    });
  }

  /** A write: needs an identity; an `unauthorized` ack means our token died, so ask again once. */
  function write(event, payload, attempts) {
    return ensureIdentity().then(function () {
      return emitAck(event, payload, attempts || WRITE_ATTEMPTS);
    }).then(function (res) {
      if (!res.ok && res.error && res.error.code === "unauthorized") {
        forgetVisitor();
        return ensureIdentity().then(function () {
          return emitAck(event, payload, attempts || WRITE_ATTEMPTS);
        });
      }
      return res;
    });
  }

  // ---------------------------------------------------------------- room sync
  function join() {
    state.joining = true;
    state.buffer = [];
    var payload = {
      room: ROOM,
      since: state.seq,
      product: {
        title: (product.title || "").slice(0, 200),
        // The server only records absolute http(s) product links.
        url: /^https?:\/\//i.test(product.url || "") ? product.url.slice(0, 500) : "",
        category: (product.category || "").slice(0, 60)
      }
    };
    emitAck("join", payload, WRITE_ATTEMPTS).then(function (res) {
      state.joining = false;
      els.list.setAttribute("aria-busy", "false");
      if (!res.ok) {
        showError(res.error);
        if (state.seq === null) { els.empty.hidden = true; showAlert(t("load_failed"), "error"); }
        return;
      }
      if (res.complete === false) resetThreads(); // too much was missed: start from the snapshot
      var first = state.seq === null;
      (res.threads || []).forEach(function (thread) { upsertThread(thread, false, false); });
      if (first) els.older.hidden = (res.threads || []).length < PAGE_SIZE;
      var base = state.seq === null || res.complete === false ? -Infinity : state.seq;
      (res.missed || []).slice().sort(function (a, b) { return a.seq - b.seq; }).forEach(function (ev) {
        if (ev.seq > base) applyEvent(ev, false);
      });
      state.seq = Math.max(typeof res.seq === "number" ? res.seq : 0, state.seq || 0);
      updateEmpty();
      var pending = state.buffer;
      state.buffer = [];
      pending.sort(function (a, b) { return a.seq - b.seq; }).forEach(onEvent);
    });
  }

  function resetThreads() {
    state.threads.forEach(function (entry) { entry.el.remove(); });
    state.threads.clear();
    state.seq = null;
  }

  function onEvent(ev) {
    if (!ev || ev.room !== ROOM || typeof ev.seq !== "number") return;
    if (state.joining || state.seq === null) { state.buffer.push(ev); return; }
    if (ev.seq <= state.seq) return;
    if (ev.seq > state.seq + 1) {
      join(); // a gap: ask the server for what we missed, keep this one for afterwards
      state.buffer.push(ev);
      return;
    }
    state.seq = ev.seq;
    applyEvent(ev, true);
  }

  function applyEvent(ev, live) {
    var data = ev.data;
    if (!data || typeof data !== "object") return;
    if (ev.type === "thread.created" || ev.type === "thread.updated") {
      var before = state.threads.get(data.id);
      var wasResolved = before && before.thread.status === "resolved";
      upsertThread(data, live && ev.type === "thread.created" && !isMine(data.author), false);
      if (live) scheduleLeaders();
      if (live && ev.type === "thread.updated" && before && !wasResolved && data.status === "resolved") {
        announce(t("live_resolved"));
      }
    } else if (ev.type === "message.created" || ev.type === "message.updated") {
      var known = findMessage(data.id);
      upsertMessage(data, live && ev.type === "message.created" && !isMine(data.author));
      if (live) scheduleLeaders();
      var entry = state.threads.get(data.thread_id);
      if (live && !known && ev.type === "message.created" && isStaff(data) && entry && isMine(entry.thread.author)) {
        toast(t("notify_staff_reply"), data.thread_id);
        postToParent({ type: "notify" });
      }
    }
    updateEmpty();
  }

  function onPresence(data) {
    if (!data || data.room !== ROOM || typeof data.online !== "number") return;
    els.presence.hidden = false;
    els.presenceText.textContent = t("online", { n: data.online });
  }

  function onNotification(data) {
    if (data && data.type === "nudge") { onNudge(data); return; }
    if (data && data.type === "rank") { onRank(data); return; }
    if (data && data.type === "badge") { onBadge(data); return; }
    if (!data || data.type !== "answer") return;
    var name = data.message && data.message.author ? data.message.author.name : "";
    if (data.room === ROOM && data.thread) upsertThread(data.thread, false);
    if (data.room === ROOM && data.message) upsertMessage(data.message, false);
    var text = name ? t("notify_answer", { name: name }) : (data.text || t("notify_answer", { name: "" }));
    toast(text, data.room === ROOM ? data.thread_id : null);
    announce(text);
    postToParent({ type: "notify" });
  }

  /** The visitor was promoted ("You are now a Helper!"): a calm, celebratory toast. */
  function onRank(data) {
    if (!me() || typeof data.rank !== "string") return;
    var text = data.text && typeof data.text === "object" && typeof data.text[LANG] === "string"
      ? data.text[LANG] : "";
    if (!text) text = t("rank_promoted", { rank: rankLabel(data.rank) });
    setMyRank(data.rank);
    celebrate(text);
  }

  /** A new badge ("New badge: Fast responder"): the same celebratory toast as a promotion. */
  function onBadge(data) {
    if (!me() || typeof data.badge !== "string") return;
    var text = data.text && typeof data.text === "object" && typeof data.text[LANG] === "string"
      ? data.text[LANG] : t("badge_earned", { badge: badgeLabel(data.badge) });
    celebrate(text);
  }

  /** Recognition (a promotion, a badge): a toast leading to "My points", read aloud, and
   * the open sheets brought up to date. */
  function celebrate(text) {
    toast(text, null, null, {
      tone: "celebrate",
      actionLabel: t("rank_toast_action"),
      onAction: function () { openPoints(els.pointsButton); }
    });
    announce(text);
    postToParent({ type: "notify" });
    if (els.points.open) loadPoints();
    if (els.leaders.open) loadLeaders(false);
  }

  /** A badge code's label in the page's language ("" for a code this page does not know). */
  function badgeLabel(code) {
    var labels = config.badges || {};
    return Object.prototype.hasOwnProperty.call(labels, code) ? String(labels[code]) : "";
  }

  /** Badge chips into a list; unknown codes are skipped. */
  function fillBadges(list, codes) {
    list.textContent = "";
    (Array.isArray(codes) ? codes : []).forEach(function (badge) {
      var code = badge && typeof badge === "object" ? badge.code : badge;
      var label = badge && typeof badge === "object" && badge.label ? String(badge.label) : badgeLabel(code);
      if (!label) return;
      var li = document.createElement("li");
      li.className = "ep-badge-chip";
      li.dataset.badge = String(code);
      li.textContent = label;
      if (badge && typeof badge === "object" && badge.description) li.title = String(badge.description);
      list.appendChild(li);
    });
    list.hidden = list.children.length === 0;
  }

  /** Our own pills show the new rank at once (the server sends it with every later object). */
  function setMyRank(code) {
    function patch(author) {
      return isMine(author) ? Object.assign({}, author, { rank: code }) : author;
    }
    state.threads.forEach(function (entry) {
      entry.thread = Object.assign({}, entry.thread, { author: patch(entry.thread.author) });
      entry.messages.forEach(function (m) {
        m.message = Object.assign({}, m.message, { author: patch(m.message.author) });
      });
      renderThread(entry);
    });
  }

  /** An enthusiast is asked to help with an unanswered question of this room. */
  function onNudge(data) {
    // Other rooms' nudges carry no link to their product page: nothing useful to offer here.
    if (data.room !== ROOM || !data.thread || !data.thread.id) return;
    upsertThread(data.thread, false);
    updateEmpty();
    var body = String(data.thread.body || "").replace(/\s+/g, " ").trim();
    var chars = Array.from(body);
    if (chars.length > 80) body = chars.slice(0, 79).join("").trim() + "…";
    toast(t("notify_nudge", { text: body }), data.thread.id, function () {
      focusThread(data.thread.id, true);
    });
    postToParent({ type: "notify" });
  }

  /** A message only the asker and staff see: staff continuing privately, or our own follow-up. */
  function onPrivate(data) {
    if (!data || data.room !== ROOM || !data.message || !data.message.thread_id) return;
    var known = findMessage(data.message.id);
    if (data.thread && data.thread.id) {
      // A thread we do not have is one the crowd never saw (our held question).
      upsertThread(data.thread, false, state.threads.has(data.thread.id) ? undefined : true);
    }
    upsertMessage(data.message, false);
    updateEmpty();
    if (known || isMine(data.message.author)) return;
    // Staff continuing privately, or a shopper's answer kept private (it had personal data).
    toast(isStaff(data.message) ? t("notify_staff_private")
      : t("notify_answer", { name: authorName(data.message.author) }), data.message.thread_id);
    postToParent({ type: "notify" });
  }

  function isStaff(message) {
    return !!message && (message.kind === "staff" || !!(message.author && message.author.staff));
  }

  // ---------------------------------------------------------------- rendering
  function updateEmpty() {
    els.empty.hidden = state.threads.size > 0 || state.seq === null;
  }

  /**
   * privateHint: true when the thread reached us privately (held question: our ack, or a
   * `private` event), false when it came from the room (public), undefined to keep as is.
   * A `held` field on the thread, when the server sends one, is authoritative.
   */
  function upsertThread(thread, announceIt, privateHint) {
    if (!thread || !thread.id) return;
    var entry = state.threads.get(thread.id);
    var priv = typeof thread.held === "boolean" ? thread.held : privateHint;
    if (thread.status === "hidden") {
      if (entry) { entry.el.remove(); state.threads.delete(thread.id); }
      return;
    }
    var isNew = !entry;
    if (isNew) {
      entry = { thread: thread, messages: new Map(), el: buildThread(thread), private: !!priv };
      state.threads.set(thread.id, entry);
      placeThread(entry);
    } else {
      entry.thread = Object.assign({}, entry.thread, keepRank(entry.thread, thread));
      if (typeof priv === "boolean") entry.private = priv;
    }
    if (Array.isArray(thread.messages)) {
      thread.messages.forEach(function (m) { storeMessage(entry, m); });
    }
    renderThread(entry);
    if (announceIt && isNew) {
      announce(t("live_question", { name: authorName(thread.author), text: thread.body || "" }));
    }
  }

  function placeThread(entry) {
    var created = toTime(entry.thread.created_at);
    var children = els.list.children;
    for (var i = 0; i < children.length; i++) {
      var other = state.threads.get(children[i].dataset.threadId);
      if (other && toTime(other.thread.created_at) < created) {
        els.list.insertBefore(entry.el, children[i]);
        return;
      }
    }
    els.list.appendChild(entry.el);
  }

  function storeMessage(entry, message) {
    if (message.hidden) {
      var old = entry.messages.get(message.id);
      if (old && old.el) old.el.remove();
      entry.messages.delete(message.id);
      return;
    }
    var existing = entry.messages.get(message.id);
    if (existing) {
      existing.message = Object.assign({}, existing.message, keepRank(existing.message, message));
    } else {
      entry.messages.set(message.id, { message: message, el: null });
    }
  }

  /**
   * Some payloads (the asker's `answer` notification, `private`, `nudge`) carry the author
   * without a rank: a rank we already know for that author stays, rather than vanishing.
   */
  function keepRank(before, after) {
    var a = after && after.author;
    var b = before && before.author;
    if (!a || !b || a.id !== b.id || a.rank != null || b.rank == null) return after;
    return Object.assign({}, after, { author: Object.assign({}, a, { rank: b.rank }) });
  }

  function upsertMessage(message, announceIt) {
    if (!message || !message.thread_id) return;
    var entry = state.threads.get(message.thread_id);
    if (!entry) {
      fetchThread(message.thread_id); // an older question got an answer: bring it in
      return;
    }
    var isNew = !entry.messages.has(message.id);
    if (message.thread && message.thread.id === entry.thread.id) {
      // Message events carry the thread's new status and answer count.
      entry.thread = Object.assign({}, entry.thread, keepRank(entry.thread, message.thread));
    }
    storeMessage(entry, message);
    clearTyping(message.thread_id, message.author && message.author.name);
    renderThread(entry);
    // The asker hears about answers to their own question from the notification instead.
    if (announceIt && isNew && !message.hidden && message.kind === "system") {
      if (systemText(message)) announce(systemText(message));
    } else if (announceIt && isNew && !message.hidden && !isMine(entry.thread.author)) {
      announce(t("live_answer", { name: authorName(message.author), text: message.body || "" }));
    }
  }

  function fetchThread(id) {
    return fetch("/api/v1/threads/" + encodeURIComponent(id), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        var thread = body && (body.thread || body);
        if (thread && thread.id && thread.room === ROOM) {
          upsertThread(thread, false, false);
          updateEmpty();
        }
      })
      .catch(function () { /* the next join brings it anyway */ });
  }

  function authorName(author) {
    return author && author.name ? author.name : "";
  }

  function fillMeta(root, author, createdAt, staff) {
    staff = !!staff || !!(author && author.staff);
    var face = $(".ep-avatar", root);
    avatar(face, authorName(author));
    face.classList.toggle("ep-avatar--staff", staff);
    if (staff) face.style.backgroundColor = ""; // the brand colour, from the stylesheet
    var name = $(".ep-author", root);
    name.textContent = authorName(author) + (isMine(author) ? " (" + t("you") + ")" : "");
    var rank = $(".ep-rank", root);
    if (staff) {
      rank.textContent = t("staff_badge");
      rank.hidden = false;
      rank.className = "ep-rank ep-rank--staff";
      rank.dataset.rank = "";
    } else {
      // A rank code ("helper"); an object {code, label} is accepted too.
      var value = author && author.rank;
      var code = value && typeof value === "object" ? value.code : value;
      fillRank(rank, typeof code === "string" ? code : "", value && typeof value === "object" ? value.label : "");
    }
    rank.setAttribute("data-testid", staff ? "staff-badge" : "rank");
    setTime($(".ep-time", root), createdAt);
  }

  var nextId = 0;
  function buildThread(thread) {
    var li = els.threadTemplate.content.firstElementChild.cloneNode(true);
    var id = "ep-t" + (++nextId);
    li.dataset.threadId = thread.id;
    var article = $(".ep-card", li);
    article.id = id;
    article.tabIndex = -1;
    var question = $(".ep-question", li);
    question.id = id + "-q";
    article.setAttribute("aria-labelledby", id + "-q");

    var form = $(".ep-answer-form", li);
    var textarea = $("textarea", form);
    textarea.id = id + "-answer";
    $("label", form).htmlFor = textarea.id;
    var lastTyping = 0;
    var pending = null; // {body, client_id}: a retry of the same text reuses the client_id

    textarea.addEventListener("input", function () {
      autoGrow(textarea);
      var now = Date.now();
      if (me() && socket.connected && textarea.value.trim() && now - lastTyping > TYPING_THROTTLE_MS) {
        lastTyping = now;
        socket.emit("typing", { thread_id: thread.id }, function () { /* ephemeral */ });
      }
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = textarea.value.trim();
      if (!body || body.length > config.body_max) { textarea.focus(); showError({ code: "invalid" }); return; }
      if (!pending || pending.body !== body) pending = { body: body, client_id: uuid() };
      var button = $("button[type=submit]", form);
      setBusy(button, true);
      write("answer", { thread_id: thread.id, body: body, client_id: pending.client_id, lang: LANG }).then(function (res) {
        setBusy(button, false);
        if (!res.ok) { showError(res.error); return; }
        pending = null;
        textarea.value = "";
        autoGrow(textarea);
        lastTyping = 0;
        if (res.message) upsertMessage(res.message, false);
        var slot = $("[data-testid=answer-notice]", li);
        if (res.notice) showNotice(slot, res.notice);
        else if (res.held && !(res.message && res.message.visibility === "private")) showNotice(slot, t("held"));
        // A private follow-up needs no notice: the message itself is labelled private.
      }, function () { setBusy(button, false); });
    });

    $(".ep-resolve", li).addEventListener("click", function (event) {
      var button = event.currentTarget;
      setBusy(button, true);
      write("resolve", { thread_id: thread.id }, 2).then(function (res) {
        setBusy(button, false);
        if (!res.ok) { showError(res.error); return; }
        if (res.thread) upsertThread(res.thread, false);
      }, function () { setBusy(button, false); });
    });
    return li;
  }

  function renderThread(entry) {
    var thread = entry.thread;
    var li = entry.el;
    var mine = isMine(thread.author);
    li.dataset.status = thread.status;
    li.classList.toggle("ep-thread--mine", mine);
    li.classList.toggle("ep-thread--private", !!entry.private);
    li.dataset.private = entry.private ? "true" : "false";
    $(".ep-privacy", li).hidden = !entry.private;
    fillMeta($(".ep-card > .ep-meta", li), thread.author, thread.created_at, false);

    var question = $(".ep-question", li);
    if (question.dataset.html !== (thread.html || "")) {
      question.innerHTML = thread.html || ""; // sanitised by the server
      question.dataset.html = thread.html || "";
    }
    var article = $(".ep-card", li);
    article.setAttribute("aria-label", entry.private ? t("your_private_question")
      : mine ? t("your_question") : t("question_by", { name: authorName(thread.author) }));

    var badge = $("[data-testid=status-badge]", li);
    badge.textContent = t("status_" + thread.status);
    badge.className = "ep-badge ep-badge--" + thread.status;
    badge.dataset.status = thread.status;

    var visible = Array.from(entry.messages.values()).filter(function (m) {
      return !m.message.hidden && (m.message.kind !== "system" || !!systemText(m.message));
    });
    // The server counts community answers; the team's replies (and, for the asker, private
    // messages) are answers too from where the visitor sits.
    var shown = visible.filter(function (m) { return m.message.kind !== "system"; }).length;
    var count = Math.max(typeof thread.answer_count === "number" ? thread.answer_count : 0, shown);
    $(".ep-count", li).textContent = count === 0 ? t("answers_zero")
      : t(count === 1 ? "answers_one" : "answers_other", { n: count });

    var open = thread.status === "open" || thread.status === "answered";
    $(".ep-resolve", li).hidden = !(mine && open);
    $(".ep-answer-form", li).hidden = thread.status === "resolved";

    var list = $(".ep-answers", li);
    visible.sort(function (a, b) { return toTime(a.message.created_at) - toTime(b.message.created_at); });
    visible.forEach(function (m, i) {
      if (!m.el) m.el = buildAnswer(m.message);
      renderAnswer(m, entry);
      // Move only what is out of chronological order: moving a node drops its focus.
      if (list.children[i] !== m.el) list.insertBefore(m.el, list.children[i] || null);
    });
    list.hidden = visible.length === 0;
    renderTyping(thread.id);
  }

  function buildAnswer(message) {
    var li = els.answerTemplate.content.firstElementChild.cloneNode(true);
    li.dataset.messageId = message.id;
    $(".ep-vote", li).addEventListener("click", function (event) { vote(message.id, event.currentTarget); });
    $(".ep-accept", li).addEventListener("click", function (event) { accept(message.id, event.currentTarget); });
    wireReport(li, message.id);
    return li;
  }

  function systemText(message) {
    var key = "system_" + (message.code || "");
    return message.code && S[key] ? t(key) : "";
  }

  function renderAnswer(m, entry) {
    var message = m.message;
    var thread = entry.thread;
    var li = m.el;
    var staff = isStaff(message);
    var system = message.kind === "system";
    var visibility = message.visibility || "public";
    li.className = "ep-answer ep-answer--" + (system ? "system" : staff ? "staff" : "answer");
    li.classList.toggle("ep-answer--" + visibility, visibility !== "public");
    li.dataset.kind = message.kind || "answer";
    li.setAttribute("data-testid", system ? "system-line" : "answer-item");
    li.dataset.visibility = visibility;
    var line = $(".ep-system", li);
    line.hidden = !system;
    $(".ep-meta", li).hidden = system;
    $(".ep-body", li).hidden = system;
    if (system) {
      line.textContent = systemText(message);
      $(".ep-answer__actions", li).hidden = true;
      $(".ep-visibility-note", li).hidden = true;
      $(".ep-report", li).hidden = true;
      return;
    }
    fillMeta($(".ep-meta", li), message.author, message.created_at, staff);
    var badge = $(".ep-visibility", li);
    badge.hidden = visibility === "public";
    $(".ep-visibility__text", li).textContent = visibility === "held" ? t("held_label") : t("private_label");
    var note = $(".ep-visibility-note", li);
    note.hidden = visibility === "public";
    // Who sees a non-public message: held ones wait for a moderator (author only); private
    // ones are shared between the asker and staff (and the shopper who wrote one).
    note.textContent = visibility === "private" && !staff && !isMine(thread.author)
      ? t("only_asker")
      : visibility === "private" && !staff && !isMine(message.author)
        ? t("only_you_author")
        : t("only_you");
    var body = $(".ep-body", li);
    if (body.dataset.html !== (message.html || "")) {
      body.innerHTML = message.html || ""; // sanitised by the server
      body.dataset.html = message.html || "";
    }
    var accepted = thread.accepted_message_id === message.id;
    li.classList.toggle("ep-answer--accepted", accepted);
    $(".ep-accepted", li).hidden = !accepted;

    var actions = $(".ep-answer__actions", li);
    var publicMessage = visibility === "public";
    // Votes, acceptance and reports are for the community's public answers (not staff's).
    actions.hidden = !publicMessage || message.kind !== "answer";
    var voteButton = $(".ep-vote", li);
    var voted = state.votes[message.id] === 1;
    voteButton.setAttribute("aria-pressed", voted ? "true" : "false");
    $(".ep-vote__label", li).textContent = t("helpful", { n: message.votes || 0 });
    voteButton.disabled = isMine(message.author);

    var canAccept = isMine(thread.author) && !isMine(message.author) && message.kind === "answer" &&
      !thread.accepted_message_id && thread.status !== "resolved" && thread.status !== "hidden";
    $(".ep-accept", li).hidden = !canAccept;

    var canReport = publicMessage && message.kind === "answer" && !staff && !isMine(message.author);
    var reportButton = $(".ep-report-button", li);
    reportButton.hidden = !canReport;
    if (!canReport) closeReport(li, false);
    var reported = !!state.reported[message.id];
    $(".ep-report-button__text", li).textContent = reported ? t("reported") : t("report");
    reportButton.setAttribute("aria-disabled", reported ? "true" : "false");
    reportButton.setAttribute("aria-label", reported ? t("reported")
      : t("report_answer_by", { name: authorName(message.author) }));
  }

  // ---------------------------------------------------------------- reports
  function wireReport(li, messageId) {
    var button = $(".ep-report-button", li);
    var form = $(".ep-report", li);
    var status = $(".ep-report__status", li);
    var error = $(".ep-report__error", li);
    var submit = $("[data-testid=report-submit]", form);
    var formId = "ep-report-" + (++nextId);
    form.id = formId;
    button.setAttribute("aria-controls", formId);
    var legendId = formId + "-legend";
    $(".ep-report__legend", form).id = legendId;
    form.setAttribute("aria-labelledby", legendId);

    button.addEventListener("click", function () {
      if (state.reported[messageId]) { status.textContent = t("report_done"); return; }
      if (!form.hidden) { closeReport(li, true); return; }
      status.textContent = "";
      error.textContent = "";
      form.reset();
      form.hidden = false;
      button.setAttribute("aria-expanded", "true");
      $("input[type=radio]", form).focus();
    });
    $(".ep-report__cancel", form).addEventListener("click", function () { closeReport(li, true); });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); closeReport(li, true); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = $("input[type=radio]:checked", form);
      if (!chosen || REPORT_REASONS.indexOf(chosen.value) < 0) {
        error.textContent = t("report_choose");
        $("input[type=radio]", form).focus();
        return;
      }
      error.textContent = "";
      setBusy(submit, true);
      write("report", { message_id: messageId, reason: t("report_" + chosen.value) }, 2).then(function (res) {
        setBusy(submit, false);
        if (!res.ok && !(res.error && res.error.code === "conflict")) {
          // Keep the form open so the visitor can try again.
          error.textContent = S["error_" + (res.error && res.error.code)] ? t("error_" + res.error.code) : t("error_unknown");
          return;
        }
        state.reported[messageId] = true;
        // The busy submit button dropped focus: hand it to the report button, not to <body>.
        var lost = !document.activeElement || document.activeElement === document.body;
        closeReport(li, true, lost);
        status.textContent = res.ok ? t("report_done") : t("report_already");
        var m = findMessage(messageId);
        if (m) upsertMessage(Object.assign({}, m), false);
      }, function () { setBusy(submit, false); });
    });
  }

  function closeReport(li, giveFocusBack, focusLost) {
    var form = $(".ep-report", li);
    if (form.hidden) return;
    var hadFocus = focusLost || form.contains(document.activeElement);
    form.hidden = true;
    var button = $(".ep-report-button", li);
    button.setAttribute("aria-expanded", "false");
    if (giveFocusBack && hadFocus && !button.hidden) button.focus();
  }

  function setBusy(button, busy) {
    button.disabled = busy;
    button.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function findMessage(id) {
    var found = null;
    state.threads.forEach(function (entry) {
      if (!found && entry.messages.has(id)) found = entry.messages.get(id).message;
    });
    return found;
  }

  function vote(messageId, button) {
    var value = state.votes[messageId] === 1 ? 0 : 1;
    setBusy(button, true);
    write("vote", { message_id: messageId, value: value }).then(function (res) {
      setBusy(button, false);
      if (!res.ok) { showError(res.error); return; }
      if (value) state.votes[messageId] = 1;
      else delete state.votes[messageId];
      storage.set(VOTES_KEY, state.votes);
      upsertMessage(res.message || Object.assign({}, findMessage(messageId)), false);
    }, function () { setBusy(button, false); });
  }

  function accept(messageId, button) {
    setBusy(button, true);
    write("accept", { message_id: messageId }, 2).then(function (res) {
      setBusy(button, false);
      if (!res.ok) { showError(res.error); return; }
      if (res.thread) upsertThread(res.thread, false);
    }, function () { setBusy(button, false); });
  }

  function focusThread(id, toAnswer) {
    var entry = state.threads.get(id);
    if (!entry) return;
    var article = $(".ep-card", entry.el);
    entry.el.scrollIntoView({ block: "start", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
    var answerInput = $(".ep-answer-form textarea", entry.el);
    if (toAnswer && !$(".ep-answer-form", entry.el).hidden) answerInput.focus({ preventScroll: true });
    else article.focus({ preventScroll: true });
    entry.el.classList.remove("ep-thread--highlight");
    void entry.el.offsetWidth; // restart the highlight animation
    entry.el.classList.add("ep-thread--highlight");
  }

  // ---------------------------------------------------------------- older questions
  els.older.addEventListener("click", function () {
    var oldest = null;
    state.threads.forEach(function (entry) {
      var seq = entry.thread.seq;
      if (typeof seq === "number" && (oldest === null || seq < oldest)) oldest = seq;
    });
    if (oldest === null) { els.older.hidden = true; return; }
    setBusy(els.older, true);
    fetch("/api/v1/rooms/" + encodeURIComponent(ROOM) + "/threads?cursor=" + oldest, {
      headers: { Accept: "application/json" }
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (body) {
      setBusy(els.older, false);
      var threads = (body && body.threads) || [];
      threads.forEach(function (thread) { upsertThread(thread, false, false); });
      els.older.hidden = threads.length < PAGE_SIZE || body.next_cursor == null;
      updateEmpty();
    }).catch(function () {
      setBusy(els.older, false);
      showError({ code: "unavailable" });
    });
  });

  // ---------------------------------------------------------------- typing indicator
  function onTyping(data) {
    if (!data || data.room !== ROOM || !data.thread_id || !data.name) return;
    if (me() && data.name === me().name) return;
    var names = state.typing.get(data.thread_id);
    if (!names) { names = new Map(); state.typing.set(data.thread_id, names); }
    clearTimeout(names.get(data.name));
    names.set(data.name, setTimeout(function () { clearTyping(data.thread_id, data.name); }, TYPING_SHOWN_MS));
    renderTyping(data.thread_id);
  }

  function clearTyping(threadId, name) {
    var names = state.typing.get(threadId);
    if (!names || !names.has(name)) return;
    clearTimeout(names.get(name));
    names.delete(name);
    renderTyping(threadId);
  }

  function renderTyping(threadId) {
    var entry = state.threads.get(threadId);
    if (!entry) return;
    var names = Array.from((state.typing.get(threadId) || new Map()).keys());
    var el = $(".ep-typing", entry.el);
    el.textContent = names.length === 0 ? ""
      : names.length === 1 ? t("typing_one", { name: names[0] })
      : t("typing_many", { names: names.join(", ") });
    el.classList.toggle("ep-typing--on", names.length > 0);
  }

  // ---------------------------------------------------------------- identity
  var identityPromise = null;

  function forgetVisitor() {
    state.visitor = null;
    storage.remove(VISITOR_KEY);
    socket.auth = {};
    identityPromise = null;
    state.threads.forEach(renderThread);
    if (els.points.open) els.points.close();
    updateIdentityUi();
  }

  /** Resolves once we have a visitor token and a socket connected with it. */
  function ensureIdentity() {
    if (state.visitor) return whenConnected();
    if (identityPromise) return identityPromise;
    identityPromise = askName().then(function (visitor) {
      state.visitor = visitor;
      storage.set(VISITOR_KEY, visitor);
      socket.auth = { token: visitor.token };
      // Reconnect so the server sees the token; `connect` re-joins with `since`.
      socket.disconnect().connect();
      state.threads.forEach(renderThread);
      updateIdentityUi();
      return whenConnected();
    });
    identityPromise.then(function () { identityPromise = null; }, function () { identityPromise = null; });
    return identityPromise;
  }

  function askName() {
    return new Promise(function (resolve, reject) {
      var dialog = els.dialog;
      var form = $("form", dialog);
      var submit = $("[data-testid=name-submit]", dialog);
      var cancel = $("[data-testid=name-cancel]", dialog);
      var returnFocus = document.activeElement;
      els.nameError.textContent = "";
      els.nameInput.removeAttribute("aria-invalid");

      function cleanup() {
        form.removeEventListener("submit", onSubmit);
        cancel.removeEventListener("click", onCancel);
        dialog.removeEventListener("cancel", onCancel);
        if (dialog.open) dialog.close();
        if (returnFocus && returnFocus.focus) returnFocus.focus();
      }
      function fail(code) {
        els.nameError.textContent = t(S["error_" + code] ? "error_" + code : "error_unknown");
        els.nameInput.setAttribute("aria-invalid", "true");
        els.nameInput.focus();
      }
      function onCancel(event) {
        if (event) event.preventDefault();
        cleanup();
        reject(new Error("cancelled"));
      }
      function onSubmit(event) {
        event.preventDefault();
        var name = els.nameInput.value.trim();
        if (!name || name.length > config.name_max) { fail("invalid"); return; }
        setBusy(submit, true);
        fetch("/api/v1/visitors", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          // The shop's signed customer id, when it vouched for one (data-shopper).
          body: JSON.stringify(config.shopper ? { name: name, shopper: config.shopper } : { name: name })
        }).then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (body) {
            setBusy(submit, false);
            if (r.ok && body && body.id && body.token) {
              cleanup();
              resolve({ id: body.id, name: body.name || name, token: body.token });
            } else {
              fail(body && body.error ? body.error.code : (r.status === 429 ? "rate_limited" : "unknown"));
            }
          });
        }).catch(function () {
          setBusy(submit, false);
          fail("unavailable");
        });
      }

      form.addEventListener("submit", onSubmit);
      cancel.addEventListener("click", onCancel);
      dialog.addEventListener("cancel", onCancel);
      dialog.showModal();
      els.nameInput.focus();
    });
  }

  // ---------------------------------------------------------------- ask + similar
  var askPending = null;
  els.askInput.addEventListener("input", function () {
    autoGrow(els.askInput);
    scheduleSimilar();
  });
  els.askInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      els.askForm.requestSubmit();
    }
  });

  els.askForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = els.askInput.value.trim();
    if (!body || body.length > config.body_max) { els.askInput.focus(); showError({ code: "invalid" }); return; }
    if (!askPending || askPending.body !== body) askPending = { body: body, client_id: uuid() };
    setBusy(els.askSubmit, true);
    write("ask", { room: ROOM, body: body, client_id: askPending.client_id, lang: LANG }).then(function (res) {
      setBusy(els.askSubmit, false);
      if (!res.ok) { showError(res.error); return; }
      askPending = null;
      els.askInput.value = "";
      autoGrow(els.askInput);
      hideSimilar();
      // A held question is shown to its asker only, marked as sent privately to the team.
      if (res.thread) upsertThread(res.thread, false, !!res.held);
      updateEmpty();
      if (res.notice || res.held) {
        hideAlert();
        showNotice(els.askNotice, res.notice || t("held"));
      } else {
        els.askNotice.textContent = "";
        showAlert(t("sent_question"), "info");
      }
    }, function () { setBusy(els.askSubmit, false); });
  });

  var similarTimer = null;
  var similarAbort = null;
  function scheduleSimilar() {
    clearTimeout(similarTimer);
    similarTimer = setTimeout(fetchSimilar, SIMILAR_DEBOUNCE_MS);
  }

  function fetchSimilar() {
    var q = els.askInput.value.trim();
    if (similarAbort) similarAbort.abort();
    if (q.length < 3) { hideSimilar(); return; }
    similarAbort = new AbortController();
    fetch("/api/v1/rooms/" + encodeURIComponent(ROOM) + "/similar?q=" + encodeURIComponent(q), {
      headers: { Accept: "application/json" },
      signal: similarAbort.signal
    }).then(function (r) { return r.ok ? r.json() : { threads: [] }; })
      .then(function (body) {
        if (els.askInput.value.trim() !== q) return; // the draft moved on (or was sent)
        renderSimilar((body && body.threads) || []);
      })
      .catch(function () { /* aborted or offline: suggestions are a bonus */ });
  }

  function hideSimilar() {
    clearTimeout(similarTimer);
    if (similarAbort) similarAbort.abort();
    similarAbort = null;
    els.similar.hidden = true;
    els.similarList.textContent = "";
  }

  function renderSimilar(threads) {
    els.similarList.textContent = "";
    threads.slice(0, 5).forEach(function (thread) {
      if (!thread || !thread.id) return;
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ep-similar__item";
      button.setAttribute("data-testid", "similar-item");
      button.title = t("similar_open");
      var text = document.createElement("span");
      text.className = "ep-similar__text";
      text.textContent = thread.body || "";
      var meta = document.createElement("span");
      meta.className = "ep-similar__meta";
      var n = thread.answer_count || 0;
      meta.textContent = (n === 0 ? t("answers_zero") : t(n === 1 ? "answers_one" : "answers_other", { n: n })) +
        " · " + t("status_" + thread.status);
      button.appendChild(text);
      button.appendChild(meta);
      button.addEventListener("click", function () { openSimilar(thread); });
      li.appendChild(button);
      els.similarList.appendChild(li);
    });
    els.similar.hidden = els.similarList.children.length === 0;
  }

  function openSimilar(thread) {
    if (state.threads.has(thread.id) && state.threads.get(thread.id).messages.size) {
      focusThread(thread.id);
      return;
    }
    upsertThread(thread, false);
    fetchThread(thread.id).then(function () { focusThread(thread.id); });
  }

  // ---------------------------------------------------------------- sheets
  /*
   * "My points" and "Top contributors" are modal <dialog>s: the rest of the panel is inert,
   * Escape closes them (`cancel`), so does a click on the backdrop; Tab cycles inside even
   * though the panel is an iframe (a native modal would let focus escape to the shop's
   * page); focus goes back to what opened them.
   */
  var sheetReturn = new WeakMap();

  function openSheet(dialog, opener) {
    if (dialog.open) return;
    document.querySelectorAll("dialog.ep-sheet[open]").forEach(function (other) {
      var back = sheetReturn.get(other); // one sheet at a time: hand the opener over
      sheetReturn.set(other, false);
      other.close();
      if (back) opener = back;
    });
    sheetReturn.set(dialog, opener || document.activeElement);
    dialog.showModal();
  }

  function focusables(root) {
    return Array.prototype.filter.call(
      root.querySelectorAll("button, summary, input, [href], [tabindex]:not([tabindex='-1'])"),
      function (el) {
        if (el.disabled || el.getClientRects().length === 0) return false;
        // Of a radio group only the checked one is a tab stop.
        return !(el.type === "radio" && !el.checked);
      }
    );
  }

  document.querySelectorAll("dialog.ep-sheet").forEach(function (dialog) {
    $(".ep-sheet__close", dialog).addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close(); // the backdrop, outside the sheet's content
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") return;
      var items = focusables(dialog);
      if (!items.length) return;
      var first = items[0];
      var last = items[items.length - 1];
      if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.addEventListener("close", function () {
      var back = sheetReturn.get(dialog);
      sheetReturn.delete(dialog);
      if (back === false) return; // focus was moved on purpose (another sheet, a question)
      if (!back || !back.isConnected || back.closest("[hidden]")) {
        back = !els.pointsButton.hidden ? els.pointsButton : els.title;
      }
      back.focus({ preventScroll: true });
    });
  });

  // ---------------------------------------------------------------- top contributors
  var leaders = { period: "week", abort: null, timer: null };

  els.leadersButton.addEventListener("click", function () {
    openSheet(els.leaders, els.leadersButton);
    loadLeaders(false);
  });
  els.leaders.addEventListener("close", function () {
    clearTimeout(leaders.timer);
    if (leaders.abort) leaders.abort.abort();
    leaders.abort = null;
  });

  document.querySelectorAll("input[name=ep-period]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (!input.checked) return;
      leaders.period = input.value;
      loadLeaders(true);
    });
  });
  $("[data-testid=leaders-retry]").addEventListener("click", function () { loadLeaders(true); });

  /** Room activity while the board is open: reload it once things settle. */
  function scheduleLeaders() {
    if (!els.leaders.open) return;
    clearTimeout(leaders.timer);
    leaders.timer = setTimeout(function () { loadLeaders(false); }, LEADERS_REFRESH_MS);
  }

  function loadLeaders(announceIt) {
    clearTimeout(leaders.timer);
    if (leaders.abort) leaders.abort.abort();
    var abort = new AbortController();
    leaders.abort = abort;
    var period = leaders.period;
    els.leadersList.setAttribute("aria-busy", "true");
    els.leadersError.hidden = true;
    // Keep the current list on screen while the next one loads (no flash on a refresh).
    els.leadersLoading.hidden = els.leadersList.children.length > 0 || !els.leadersEmpty.hidden;
    var url = "/api/v1/leaderboard?period=" + encodeURIComponent(period) +
      "&room=" + encodeURIComponent(ROOM) + "&limit=" + LEADERS_LIMIT;
    fetch(url, { headers: { Accept: "application/json" }, signal: abort.signal })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (body) {
        if (leaders.abort !== abort) return;
        leaders.abort = null;
        var entries = (body && Array.isArray(body.entries)) ? body.entries : [];
        renderLeaders(entries);
        if (announceIt) {
          announce(entries.length === 0 ? t("leaders_count_zero")
            : t(entries.length === 1 ? "leaders_count_one" : "leaders_count_other", { n: entries.length }));
        }
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        if (leaders.abort !== abort) return;
        leaders.abort = null;
        els.leadersList.setAttribute("aria-busy", "false");
        els.leadersLoading.hidden = true;
        els.leadersList.textContent = "";
        els.leadersEmpty.hidden = true;
        els.leadersError.hidden = false;
      });
  }

  function renderLeaders(entries) {
    var list = els.leadersList;
    list.textContent = "";
    entries.forEach(function (item, i) {
      var user = item && item.user;
      if (!user || !user.id) return;
      var li = els.leaderTemplate.content.firstElementChild.cloneNode(true);
      var position = typeof item.rank === "number" ? item.rank : i + 1;
      var mine = isMine(user);
      li.dataset.userId = user.id;
      li.dataset.position = String(position);
      li.classList.toggle("ep-leader--me", mine);
      li.classList.toggle("ep-leader--podium", position <= 3);
      if (mine) li.setAttribute("aria-current", "true");
      $(".ep-leader__pos", li).textContent = formatNumber(position);
      avatar($(".ep-avatar", li), user.name || "");
      $(".ep-leader__name", li).textContent = (user.name || "") + (mine ? " (" + t("you") + ")" : "");
      fillRank($(".ep-rank", li), typeof user.rank === "string" ? user.rank : "");
      fillBadges($(".ep-badges", li), user.badges);
      var points = typeof item.points === "number" ? item.points : 0;
      var pts = $(".ep-leader__points", li);
      pts.textContent = pointsText(points);
      pts.dataset.points = String(points);
      list.appendChild(li);
    });
    list.setAttribute("aria-busy", "false");
    els.leadersLoading.hidden = true;
    els.leadersEmpty.hidden = list.children.length > 0;
  }

  // ---------------------------------------------------------------- my points
  var pointsState = { abort: null };

  function updateIdentityUi() {
    els.pointsButton.hidden = !me();
    // "(you)" and the highlight on the board follow the identity.
    if (els.leaders.open) loadLeaders(false);
  }

  els.pointsButton.addEventListener("click", function () { openPoints(els.pointsButton); });
  $("[data-testid=points-retry]").addEventListener("click", function () { loadPoints(); });
  els.points.addEventListener("close", function () {
    if (pointsState.abort) pointsState.abort.abort();
    pointsState.abort = null;
  });

  function openPoints(opener) {
    if (!me()) return;
    openSheet(els.points, opener);
    loadPoints();
  }

  function loadPoints() {
    var visitor = me();
    if (!visitor) return;
    if (pointsState.abort) pointsState.abort.abort();
    var abort = new AbortController();
    pointsState.abort = abort;
    els.pointsBody.setAttribute("aria-busy", "true");
    els.pointsError.hidden = true;
    if (els.pointsContent.hidden) els.pointsStatus.textContent = t("points_loading");
    fetch("/api/v1/visitors/" + encodeURIComponent(visitor.id) + "/points?lang=" + LANG, {
      headers: { Accept: "application/json" },
      signal: abort.signal
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (body) {
      if (pointsState.abort !== abort) return;
      pointsState.abort = null;
      renderPoints(body || {});
    }).catch(function (error) {
      if (error && error.name === "AbortError") return;
      if (pointsState.abort !== abort) return;
      pointsState.abort = null;
      els.pointsBody.setAttribute("aria-busy", "false");
      els.pointsStatus.textContent = "";
      els.pointsContent.hidden = true;
      els.pointsError.hidden = false;
    });
  }

  function renderPoints(body) {
    var total = typeof body.total === "number" ? body.total : 0;
    els.pointsTotal.textContent = pointsText(total);
    els.pointsTotal.dataset.points = String(total);
    var rank = body.rank && typeof body.rank === "object" ? body.rank : {};
    fillRank(els.pointsRank, rank.code || "", rank.label);
    fillBadges(els.pointsBadges, body.badges);
    els.pointsBadgesCell.hidden = els.pointsBadges.children.length === 0;
    var standings = (Array.isArray(body.standings) ? body.standings : []).filter(function (s) {
      return s && typeof s.position === "number" && S["standing_" + s.period];
    });
    els.pointsStandings.textContent = standings.map(function (s) {
      return t("standing_" + s.period, { n: formatNumber(s.position) });
    }).join(" · ");
    els.pointsStandingsCell.hidden = standings.length === 0;

    // Keep the sections a reader opened open across a refresh.
    var opened = {};
    els.pointsGroups.querySelectorAll(".ep-pgroup").forEach(function (li) {
      if ($("details", li).open) opened[li.dataset.reason] = true;
    });
    els.pointsGroups.textContent = "";
    var groups = Array.isArray(body.groups) ? body.groups : [];
    groups.forEach(function (group, i) {
      if (group && group.reason) els.pointsGroups.appendChild(buildPointsGroup(group, i, !!opened[group.reason]));
    });
    els.pointsEmpty.hidden = els.pointsGroups.children.length > 0;
    els.pointsStatus.textContent = "";
    els.pointsContent.hidden = false;
    els.pointsBody.setAttribute("aria-busy", "false");
  }

  function buildPointsGroup(group, index, open) {
    var li = els.pointsGroupTemplate.content.firstElementChild.cloneNode(true);
    var headingId = "ep-pgroup-" + index;
    var count = group.count || 0;
    var revokedCount = group.revoked_count || 0;
    li.dataset.reason = String(group.reason);
    li.dataset.points = String(group.total || 0);
    var label = $(".ep-pgroup__label", li);
    label.id = headingId;
    label.textContent = group.label || String(group.reason);
    $(".ep-pgroup__total", li).textContent = (group.total > 0 ? "+" : "") + pointsText(group.total || 0);
    var countLine = $(".ep-pgroup__count", li);
    countLine.textContent = count === 0 ? "" : count === 1 ? t("count_one") : t("count_other", { n: formatNumber(count) });
    countLine.hidden = count === 0;
    var revoked = $(".ep-pgroup__revoked", li);
    revoked.hidden = revokedCount === 0;
    revoked.textContent = revokedCount === 0 ? ""
      : t(revokedCount === 1 ? "revoked_one" : "revoked_other",
        { n: formatNumber(revokedCount), points: pointsText(group.revoked_points || 0) });
    $(".ep-pgroup__rule", li).textContent = group.rule || "";

    var entries = Array.isArray(group.entries) ? group.entries : [];
    var details = $("details", li);
    details.hidden = entries.length === 0;
    details.open = open;
    $("summary", li).textContent = t("points_details", { n: formatNumber(entries.length) });
    var list = $(".ep-pgroup__entries", li);
    entries.forEach(function (entry) { if (entry) list.appendChild(buildPointsEntry(entry)); });
    return li;
  }

  function buildPointsEntry(entry) {
    var li = document.createElement("li");
    var revoked = !!entry.revoked || !!entry.revoked_at;
    li.className = "ep-pentry" + (revoked ? " ep-pentry--revoked" : "");
    li.setAttribute("data-testid", "points-entry");
    var value = document.createElement(revoked ? "s" : "span");
    value.className = "ep-pentry__points";
    value.textContent = "+" + formatNumber(entry.points || 0);
    li.appendChild(value);

    var text = document.createElement("div");
    text.className = "ep-pentry__text";
    if (entry.detail) {
      var detail = document.createElement("p");
      detail.className = "ep-pentry__detail";
      detail.textContent = entry.detail;
      text.appendChild(detail);
    }
    if (entry.revoked) {
      var why = document.createElement("p");
      why.className = "ep-pentry__revoked";
      why.textContent = entry.revoked;
      text.appendChild(why);
    }
    var meta = document.createElement("p");
    meta.className = "ep-pentry__meta";
    var time = document.createElement("time");
    time.className = "ep-time";
    setTime(time, entry.created_at);
    meta.appendChild(time);
    if (entry.thread_id && entry.room === ROOM && state.threads.has(entry.thread_id)) {
      var view = document.createElement("button");
      view.type = "button";
      view.className = "ep-link-button ep-pentry__view";
      view.textContent = t("points_view_question");
      view.addEventListener("click", function () {
        sheetReturn.set(els.points, false);
        els.points.close();
        focusThread(entry.thread_id);
      });
      meta.appendChild(view);
    }
    text.appendChild(meta);
    li.appendChild(text);
    return li;
  }

  updateIdentityUi();

  // ---------------------------------------------------------------- embedding
  if (embed === "float") {
    els.close.hidden = false;
    els.close.addEventListener("click", function () { postToParent({ type: "close" }); });
  }
  document.addEventListener("keydown", function (event) {
    // Escape in a dialog closes the dialog (its `cancel`), not the whole panel.
    if (event.key === "Escape" && embed === "float" && !document.querySelector("dialog[open]")) {
      postToParent({ type: "close" });
    }
  });
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.source !== "entraide-widget") return;
    if (event.data.type === "opened") els.title.focus({ preventScroll: true });
  });
  postToParent({
    type: "ready",
    labels: { open: t("launcher_open"), close: t("launcher_close"), title: t("title") }
  });

  // Keep "5 min ago" honest.
  setInterval(function () {
    document.querySelectorAll("time.ep-time").forEach(function (el) {
      if (el.dateTime) el.textContent = formatRelative(el.dateTime);
    });
  }, 60000);
})();
