/*
 * Entraide staff console: contributors and rewards (/staff/contributors).
 *
 * Server contract: /work/shared/protocol.md ("Staff side", Rewards) and app/web/rewards_api.py.
 * Reads: GET /api/v1/staff/contributors (+ .csv) and /api/v1/staff/contributors/<id>, with the
 * session cookie. Writes (bonus, disqualify, reinstate) are same-origin POSTs carrying the
 * X-CSRF-Token header. The filters (period, room, category) and the open contributor live in
 * the URL, so a view can be bookmarked, shared and reloaded.
 *
 * UI text comes only from the #rewards-config block (translated server-side); user content is
 * always set with textContent. Charts are drawn with Chart.js (served from /static/vendor);
 * each has a text alternative (aria-label with the figures, and a table with the same data).
 */
(function () {
  "use strict";

  var configEl = document.getElementById("rewards-config");
  if (!configEl) return;
  var config = JSON.parse(configEl.textContent);
  var S = config.strings || {};
  var LANG = config.lang || "fr";
  var PERIODS = ["week", "month", "all"];
  var TEXT_FILTER_DEBOUNCE_MS = 350;
  var BOARD_LIMIT = 50;
  var CHART_TOP = 10;
  var ID_PATTERN = /^[0-9a-f]{16}$/;
  var REDUCED_MOTION = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // The API's rank_title is a label; map it back to a code so the title shows in the page's language.
  var RANK_LABELS = {
    "nouveau membre": "newcomer", newcomer: "newcomer",
    contributeur: "helper", helper: "helper",
    expert: "expert",
    ambassadeur: "ambassador", ambassador: "ambassador"
  };

  document.documentElement.classList.add("sc-js");

  // ---------------------------------------------------------------- helpers
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
  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG) : null;
  function plural(prefix, n) {
    if (n === 0 && has(prefix + "_zero")) return t(prefix + "_zero");
    var one = plurals ? plurals.select(n) === "one" : n === 1;
    return t(prefix + (one ? "_one" : "_other"), { n: num(n) });
  }

  function num(n, digits) {
    if (typeof n !== "number" || !isFinite(n)) return "–";
    var opts = digits == null ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
    return n.toLocaleString(LANG, opts);
  }
  function percent(x) {
    if (typeof x !== "number" || !isFinite(x)) return "–";
    return x.toLocaleString(LANG, { style: "percent", maximumFractionDigits: 0 });
  }
  function unit(n, name) {
    try {
      return new Intl.NumberFormat(LANG, { style: "unit", unit: name, unitDisplay: "short" }).format(n);
    } catch (e) {
      return n + " " + name;
    }
  }
  function seconds(total) {
    if (typeof total !== "number" || !isFinite(total)) return t("not_measured");
    var s = Math.round(total);
    if (s < 60) return unit(s, "second");
    var m = Math.floor(s / 60);
    var rest = s % 60;
    if (m < 60) return rest ? unit(m, "minute") + " " + unit(rest, "second") : unit(m, "minute");
    var h = Math.floor(m / 60);
    return m % 60 ? unit(h, "hour") + " " + unit(m % 60, "minute") : unit(h, "hour");
  }
  function dateTime(value) {
    var ms = Date.parse(value);
    if (isNaN(ms)) return "";
    return new Date(ms).toLocaleString(LANG, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function day(value) {
    // "2026-11-22" is a calendar day: read it as local noon so no time zone moves it.
    var ms = Date.parse(String(value) + "T12:00:00");
    if (isNaN(ms)) return String(value || "");
    return new Date(ms).toLocaleDateString(LANG, { day: "numeric", month: "short" });
  }
  function excerpt(text, max) {
    var clean = String(text || "").replace(/\s+/g, " ").trim();
    if (clean.length <= max) return clean;
    return clean.slice(0, max - 1).replace(/\s+\S*$/, "") + "…";
  }
  function avatar(el, name) {
    var text = (name || "?").trim();
    el.textContent = text ? Array.from(text)[0].toUpperCase() : "?";
    var hash = 0;
    for (var i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
    el.style.backgroundColor = "hsl(" + (Math.abs(hash) % 360) + " 45% 32%)"; // AA for white initials
  }
  function rankTitle(row) {
    var code = row.rank_code || RANK_LABELS[String(row.rank_title || "").trim().toLowerCase()];
    return code && has("rank_" + code) ? t("rank_" + code) : String(row.rank_title || "");
  }
  function setBusy(button, busy) {
    if (!button) return;
    button.disabled = busy;
    button.setAttribute("aria-busy", busy ? "true" : "false");
  }
  function cell(tag, text, className) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text != null) el.textContent = text;
    return el;
  }

  // ---------------------------------------------------------------- feedback
  var live = $("[data-testid=live]");
  function announce(text) {
    if (!live) return;
    live.appendChild(cell("p", text));
    while (live.childNodes.length > 5) live.removeChild(live.firstChild);
  }

  function makeAlert(el) {
    var timer = null;
    function hide() {
      el.hidden = true;
      $(".sc-alert__text", el).textContent = "";
    }
    var dismiss = $(".sc-alert__dismiss", el);
    if (dismiss) dismiss.addEventListener("click", hide);
    return {
      show: function (text, tone, sticky) {
        el.hidden = false;
        el.className = "sc-alert sc-alert--" + (tone || "error");
        el.setAttribute("role", tone === "error" ? "alert" : "status");
        $(".sc-alert__text", el).textContent = text;
        clearTimeout(timer);
        if (!sticky) timer = setTimeout(hide, tone === "error" ? 15000 : 8000);
      },
      hide: hide
    };
  }
  var pageAlert = makeAlert($("[data-testid=alert]"));
  var detailAlert = makeAlert($("[data-testid=detail-alert]"));

  function errorText(error, fallback) {
    var code = error && error.code;
    if (code && has("error_" + code)) return t("error_" + code);
    if (error && typeof error.message === "string" && error.message) return error.message;
    return fallback || t("error_unknown");
  }

  // ---------------------------------------------------------------- JSON API
  var langQuery = new URLSearchParams(location.search).get("lang");
  var signingOut = false;

  function withLang(path) {
    if (!langQuery) return path;
    return path + (path.indexOf("?") >= 0 ? "&" : "?") + "lang=" + encodeURIComponent(langQuery);
  }

  function sessionExpired() {
    if (signingOut) return;
    signingOut = true;
    // While the panel is open the page behind it is inert: say it where it can be read.
    var open = document.querySelector("[data-testid=detail][open]");
    (open ? detailAlert : pageAlert).show(t("error_unauthorized"), "error", true);
    setTimeout(function () { location.assign(withLang("/staff/login")); }, 1500);
  }

  var api = window.EntraideStaffApi({ csrfToken: config.csrf_token, lang: LANG, onUnauthorized: sessionExpired });


  // ---------------------------------------------------------------- state <-> URL
  var form = $("[data-testid=filters]");
  var tabs = $$("[role=tab]", form);
  var roomInput = $("#rw-filter-room");
  var categoryInput = $("#rw-filter-category");
  var clearButton = $("[data-testid=filter-clear]");
  var state = { period: "all", room: "", category: "", contributor: "" };

  function readUrl() {
    var q = new URLSearchParams(location.search);
    var period = q.get("period");
    state.period = PERIODS.indexOf(period) >= 0 ? period : "all";
    state.room = (q.get("room") || "").trim().slice(0, 100);
    state.category = (q.get("category") || "").trim().slice(0, 60);
    var who = q.get("contributor") || "";
    state.contributor = ID_PATTERN.test(who) ? who : "";
    roomInput.value = state.room;
    categoryInput.value = state.category;
  }

  function boardQuery() {
    var q = new URLSearchParams();
    q.set("period", state.period);
    if (state.room) q.set("room", state.room);
    if (state.category) q.set("category", state.category);
    return q;
  }

  function writeUrl(push) {
    var q = new URLSearchParams();
    if (langQuery) q.set("lang", langQuery);
    if (state.period !== "all") q.set("period", state.period);
    if (state.room) q.set("room", state.room);
    if (state.category) q.set("category", state.category);
    if (state.contributor) q.set("contributor", state.contributor);
    var url = location.pathname + (q.toString() ? "?" + q.toString() : "");
    if (url === location.pathname + location.search) return;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  function renderFilters() {
    tabs.forEach(function (tab) {
      var selected = tab.dataset.period === state.period;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
    });
    $("#rw-results").setAttribute("aria-labelledby", "rw-tab-" + state.period);
    clearButton.hidden = !state.room && !state.category;
  }

  // ---------------------------------------------------------------- leaderboard
  var rowsEl = $("[data-testid=contributor-rows]");
  var table = $("[data-testid=contributors-table]");
  var emptyEl = $("[data-testid=board-empty]");
  var countEl = $("[data-testid=contributor-count]");
  var captionEl = $("[data-testid=board-caption]");
  var csvLink = $("[data-testid=csv-link]");
  var boardGen = 0;
  var board = [];

  function scopeText() {
    var text = "";
    if (state.room) text += t("scope_room", { room: state.room });
    if (state.category) text += t("scope_category", { category: state.category });
    return text;
  }

  function loadBoard(speak) {
    var gen = ++boardGen;
    renderFilters();
    var q = boardQuery();
    csvLink.href = "/api/v1/staff/contributors.csv?" + q.toString();
    q.set("limit", String(BOARD_LIMIT));
    table.setAttribute("aria-busy", "true");
    return api("GET", "/api/v1/staff/contributors?" + q.toString()).then(function (res) {
      if (gen !== boardGen) return;
      table.setAttribute("aria-busy", "false");
      if (!res.ok) {
        if (res.status !== 401) pageAlert.show(res.status === 400 ? errorText(res.error) : t("load_failed"), "error");
        return;
      }
      board = Array.isArray(res.data.contributors) ? res.data.contributors : [];
      renderBoard();
      renderTopChart();
      if (speak) announce(captionEl.textContent + " — " + countEl.textContent);
    });
  }

  function renderBoard() {
    var focusedId = document.activeElement && document.activeElement.closest
      ? (document.activeElement.closest("[data-visitor-id]") || {}).dataset : null;
    focusedId = focusedId ? focusedId.visitorId : null;
    rowsEl.textContent = "";
    board.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-testid", "contributor-row");
      tr.dataset.visitorId = row.visitor_id;
      if (row.visitor_id === state.contributor) tr.classList.add("rw-row--open");
      tr.appendChild(cell("td", num(row.rank), "sc-num rw-col-rank"));
      var th = cell("th", null, "rw-col-name");
      th.scope = "row";
      var button = cell("button", null, "rw-name");
      button.type = "button";
      button.setAttribute("data-testid", "contributor-open");
      button.setAttribute("aria-label", t("open_detail", { name: row.name }));
      button.title = row.name;
      var av = cell("span", null, "sc-avatar rw-name__avatar");
      av.setAttribute("aria-hidden", "true");
      avatar(av, row.name);
      button.appendChild(av);
      button.appendChild(cell("span", row.name, "rw-name__text"));
      button.addEventListener("click", function () { openDetail(row.visitor_id, true); });
      th.appendChild(button);
      tr.appendChild(th);
      var points = cell("td", num(row.points), "sc-num rw-points");
      points.setAttribute("data-testid", "contributor-points");
      tr.appendChild(points);
      tr.appendChild(cell("td", rankTitle(row), "rw-col-title"));
      tr.appendChild(cell("td", num(row.answers), "sc-num"));
      tr.appendChild(cell("td", row.answers ? percent(row.acceptance_rate) : "–", "sc-num"));
      tr.appendChild(cell("td", row.answers ? num(row.helpful_per_answer, 2) : "–", "sc-num"));
      rowsEl.appendChild(tr);
    });
    var period = t("period_" + state.period);
    captionEl.textContent = t("caption", { period: period, scope: scopeText() });
    countEl.textContent = plural("count", board.length);
    emptyEl.hidden = board.length > 0;
    table.parentNode.hidden = board.length === 0;
    if (focusedId) {
      var again = $("tr[data-visitor-id='" + focusedId + "'] .rw-name", rowsEl);
      if (again) again.focus();
    }
  }

  // ---------------------------------------------------------------- charts
  var hasChart = typeof window.Chart === "function";
  var brand = "#0b5a70";
  var muted = "#52606d";
  var grid = "#e3e9ed";
  if (hasChart) {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = muted;
    if (REDUCED_MOTION) Chart.defaults.animation = false;
  }
  var topChart = null;
  var topCanvas = $("#rw-top-chart");

  function renderTopChart() {
    var top = board.slice(0, CHART_TOP);
    var name = t("period_" + state.period);
    var period = name.charAt(0).toLocaleLowerCase(LANG) + name.slice(1) + scopeText();
    topCanvas.setAttribute("aria-label", top.length
      ? t("chart_label", { period: period, list: top.map(function (r) { return r.name + " " + t("points_long", { n: num(r.points) }); }).join(", ") })
      : t("chart_empty"));
    topCanvas.parentNode.dataset.empty = top.length ? "false" : "true";
    topCanvas.parentNode.style.height = Math.max(140, 34 * top.length + 48) + "px";
    if (!hasChart) return;
    var labels = top.map(function (r) { return excerpt(r.name, 24); });
    var data = top.map(function (r) { return r.points; });
    if (topChart) {
      topChart.data.labels = labels;
      topChart.data.datasets[0].data = data;
      topChart.$ids = top.map(function (r) { return r.visitor_id; });
      topChart.update();
      return;
    }
    topChart = new Chart(topCanvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: t("chart_dataset"), data: data, backgroundColor: brand, hoverBackgroundColor: "#08485a", borderRadius: 4, maxBarThickness: 22 }] },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return t("points_long", { n: num(item.parsed.x) }); } } }
        },
        scales: {
          x: { beginAtZero: true, grid: { color: grid }, ticks: { precision: 0, callback: function (v) { return num(v); } } },
          y: { grid: { display: false }, ticks: { color: "#17212b" } }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length || !topChart.$ids) return;
          var id = topChart.$ids[elements[0].index];
          if (id) openDetail(id, true);
        }
      }
    });
    topChart.$ids = top.map(function (r) { return r.visitor_id; });
  }

  var timelineChart = null;
  var timelineCanvas = $("#rw-timeline-chart");

  function renderTimeline(name, timeline) {
    var points = Array.isArray(timeline) ? timeline : [];
    var tbody = $("[data-testid=timeline-table] tbody");
    tbody.textContent = "";
    points.forEach(function (p) {
      var tr = document.createElement("tr");
      var th = cell("th", day(p.day));
      th.scope = "row";
      tr.appendChild(th);
      tr.appendChild(cell("td", num(p.points), "sc-num"));
      tbody.appendChild(tr);
    });
    timelineCanvas.setAttribute("aria-label", points.length
      ? t("timeline_label", { name: name, list: points.map(function (p) { return day(p.day) + " " + num(p.points); }).join(", ") })
      : t("timeline_empty"));
    timelineCanvas.parentNode.dataset.empty = points.length ? "false" : "true";
    if (!hasChart) return;
    // The curve starts from zero the day before the first points (true: they had none then).
    var series = points.slice();
    if (series.length && series[0].points > 0) {
      var first = Date.parse(String(series[0].day) + "T12:00:00");
      if (!isNaN(first)) {
        var before = new Date(first - 86400000);
        var iso = before.getFullYear() + "-" + String(before.getMonth() + 1).padStart(2, "0") + "-" + String(before.getDate()).padStart(2, "0");
        series.unshift({ day: iso, points: 0 });
      }
    }
    var labels = series.map(function (p) { return day(p.day); });
    var data = series.map(function (p) { return p.points; });
    if (timelineChart) {
      timelineChart.data.labels = labels;
      timelineChart.data.datasets[0].data = data;
      timelineChart.update();
      return;
    }
    timelineChart = new Chart(timelineCanvas, {
      type: "line",
      data: { labels: labels, datasets: [{ label: t("chart_dataset"), data: data, borderColor: brand, backgroundColor: "rgba(11, 90, 112, .12)", fill: true, tension: 0.25, pointRadius: 3, pointBackgroundColor: brand }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return t("points_long", { n: num(item.parsed.y) }); } } }
        },
        scales: {
          x: { grid: { display: false } },
          y: { beginAtZero: true, grid: { color: grid }, ticks: { precision: 0, callback: function (v) { return num(v); } } }
        }
      }
    });
  }

  // ---------------------------------------------------------------- detail
  var dialog = $("[data-testid=detail]");
  var detailBody = $("[data-testid=detail-body]");
  var nameEl = $("[data-testid=detail-name]");
  var loadingEl = $("[data-testid=detail-loading]");
  var bonusForm = $("[data-testid=bonus-form]");
  var bonusPoints = $("#rw-bonus-points");
  var bonusNote = $("#rw-bonus-note");
  var bonusError = $("[data-testid=bonus-error]");
  var disqualifyButton = $("[data-testid=disqualify]");
  var reinstateButton = $("[data-testid=reinstate]");
  var confirmBox = $("[data-testid=confirm]");
  var confirmYes = $("[data-testid=confirm-yes]");
  var detailGen = 0;
  var detail = null;       // the last answer for the open contributor
  var pendingAction = null; // "disqualify" | "reinstate" while the confirmation shows

  function openDetail(id, push) {
    if (!ID_PATTERN.test(id)) return;
    var changed = state.contributor !== id;
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

  function closeDetail() {
    if (dialog.open) dialog.close();
  }

  function markOpenRow() {
    $$("tr[data-visitor-id]", rowsEl).forEach(function (tr) {
      tr.classList.toggle("rw-row--open", tr.dataset.visitorId === state.contributor);
    });
  }

  dialog.addEventListener("close", function () {
    var id = state.contributor;
    state.contributor = "";
    detail = null;
    hideConfirm(false);
    markOpenRow();
    writeUrl(false);
    // Back to where the staff member was: the contributor's button, else the page title.
    var back = id && $("tr[data-visitor-id='" + id + "'] .rw-name", rowsEl);
    (back || $("#rw-title")).focus();
  });
  $("[data-testid=detail-close]").addEventListener("click", closeDetail);
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) closeDetail(); // a click on the backdrop
  });

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
    var id = state.contributor;
    var gen = ++detailGen;
    detailBody.setAttribute("aria-busy", "true");
    loadingEl.hidden = !!detail;
    return api("GET", "/api/v1/staff/contributors/" + encodeURIComponent(id)).then(function (res) {
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

  function renderDetail() {
    var c = detail.contributor || {};
    var stats = detail.stats || {};
    nameEl.textContent = c.name || "?";
    avatar($(".rw-detail__avatar", dialog), c.name);
    $("[data-testid=detail-points]").textContent = t("points_long", { n: num(stats.points) });
    $("[data-testid=detail-disqualified]").hidden = !c.disqualified;
    var banned = $("[data-testid=detail-banned]");
    var bannedMs = c.banned_until ? Date.parse(c.banned_until) : NaN;
    banned.hidden = isNaN(bannedMs) || bannedMs <= Date.now();
    banned.textContent = banned.hidden ? "" : t("banned_until", { date: dateTime(c.banned_until) });

    // numbers
    var values = {
      points: num(stats.points),
      answers: num(stats.answers),
      acceptance_rate: stats.answers ? percent(stats.acceptance_rate) : "–",
      helpful_per_answer: stats.answers ? num(stats.helpful_per_answer, 2) : "–",
      median_first_answer_seconds: seconds(stats.median_first_answer_seconds),
      hidden_content: num(stats.hidden_content),
      reports_against: num(stats.reports_against)
    };
    $$("[data-stat]", dialog).forEach(function (dd) {
      dd.textContent = values[dd.dataset.stat] != null ? values[dd.dataset.stat] : "–";
    });
    $("[data-testid=median-note]").textContent = plural("median_note", Number(stats.first_answers_measured) || 0);

    // badges
    var badges = $("[data-testid=detail-badges]");
    badges.textContent = "";
    (detail.badges || []).forEach(function (code) {
      var li = cell("li", has("badge_" + code) ? t("badge_" + code) : String(code), "sc-chip rw-badge");
      li.dataset.badge = code;
      li.setAttribute("data-testid", "badge");
      badges.appendChild(li);
    });
    if (!badges.childNodes.length) badges.appendChild(cell("li", t("no_badges"), "sc-muted rw-none"));

    // points by reason
    var reasons = $("[data-testid=detail-reasons] tbody");
    reasons.textContent = "";
    (detail.by_reason || []).forEach(function (g) {
      var tr = document.createElement("tr");
      tr.dataset.reason = g.reason;
      tr.setAttribute("data-testid", "reason-row");
      var th = cell("th", null, "rw-reason");
      th.scope = "row";
      th.appendChild(cell("span", g.label || g.reason, "rw-reason__label"));
      if (g.rule) th.appendChild(cell("span", g.rule, "rw-reason__rule"));
      if (g.reason === "bonus") {
        var notes = (g.entries || []).filter(function (e) { return !e.revoked && e.detail; }).slice(0, 3);
        notes.forEach(function (e) { th.appendChild(cell("span", "+" + num(e.points) + " · " + e.detail, "rw-reason__note")); });
      }
      tr.appendChild(th);
      tr.appendChild(cell("td", num(g.count), "sc-num"));
      tr.appendChild(cell("td", num(g.total), "sc-num rw-reason__total"));
      tr.appendChild(cell("td", g.revoked_count ? t("revoked_some", { count: num(g.revoked_count), points: num(g.revoked_points) }) : "–", "sc-num"));
      reasons.appendChild(tr);
    });
    if (!reasons.childNodes.length) {
      var none = document.createElement("tr");
      var td = cell("td", t("no_reasons"), "sc-muted");
      td.colSpan = 4;
      none.appendChild(td);
      reasons.appendChild(none);
    }

    renderTimeline(c.name || "", detail.timeline);

    // recent answers, newest first
    var answers = $("[data-testid=recent-answers]");
    answers.textContent = "";
    (detail.recent_answers || []).slice().sort(function (a, b) {
      return (Date.parse(b.created_at) || 0) - (Date.parse(a.created_at) || 0);
    }).forEach(function (a) {
      var li = cell("li", null, "rw-answer" + (a.hidden ? " rw-answer--hidden" : ""));
      li.setAttribute("data-testid", "recent-answer");
      li.dataset.messageId = a.id;
      var meta = cell("p", null, "rw-answer__meta");
      var time = cell("time", dateTime(a.created_at));
      time.dateTime = a.created_at || "";
      meta.appendChild(time);
      if (a.votes) meta.appendChild(cell("span", t("votes_n", { n: num(a.votes) }), "rw-answer__votes"));
      if (a.hidden) meta.appendChild(cell("span", t("hidden_tag"), "sc-tag sc-tag--hidden"));
      if (!a.hidden || a.endorsed) meta.appendChild(endorseButton(a, c.name || "?"));
      li.appendChild(meta);
      li.appendChild(cell("p", excerpt(a.body, 280), "rw-answer__body"));
      answers.appendChild(li);
    });
    if (!answers.childNodes.length) answers.appendChild(cell("li", t("no_answers"), "sc-muted rw-none"));

    renderReports(Number(stats.reports_against) || 0, detail.reports || []);
    renderAudit(detail.audit || []);

    // standing
    if (!pendingAction) {
      disqualifyButton.hidden = !!c.disqualified;
      reinstateButton.hidden = !c.disqualified;
    }
    $("[data-testid=standing-hint]").textContent = c.disqualified ? t("disqualified_hint") : t("active_hint");
  }

  // Reports against their messages, newest first, each with a link to its moderation case.
  function renderReports(count, reports) {
    $("[data-testid=reports-summary]").textContent = plural("reports", count);
    var list = $("[data-testid=detail-reports]");
    list.textContent = "";
    reports.forEach(function (r) {
      var li = cell("li", null, "rw-answer rw-report");
      li.setAttribute("data-testid", "report");
      var meta = cell("p", null, "rw-answer__meta");
      var time = cell("time", dateTime(r.at));
      time.dateTime = r.at || "";
      meta.appendChild(time);
      meta.appendChild(cell("span", t("reported_by", { name: (r.reporter && r.reporter.name) || "?" })));
      if (ID_PATTERN.test(r.case_id || "")) {
        var link = cell("a", t("open_case"), "rw-report__case");
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
    var list = $("[data-testid=detail-audit]");
    list.textContent = "";
    lines.forEach(function (a) {
      var li = cell("li", null, "rw-audit__line");
      li.setAttribute("data-testid", "audit-line");
      li.dataset.action = a.action;
      var time = cell("time", dateTime(a.at), "rw-audit__time");
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
    return Promise.all([loadDetail(false), loadBoard()]);
  }

  // Endorse one of their answers. Once endorsed the button reads "Endorsed" and does nothing
  // more; it stays focusable (aria-disabled, not disabled) so the keyboard focus stays put.
  function endorseButton(answer, name) {
    var button = cell("button", null, "sc-button sc-button--outline sc-button--tiny sc-endorse rw-answer__endorse");
    button.type = "button";
    button.setAttribute("data-testid", "endorse-button");
    setEndorsed(button, !!answer.endorsed, name);
    button.addEventListener("click", function () { endorse(answer, name, button); });
    return button;
  }

  function setEndorsed(button, endorsed, name) {
    button.textContent = t(endorsed ? "endorsed" : "endorse");
    button.classList.toggle("sc-endorse--done", endorsed);
    if (endorsed) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
    button.setAttribute("aria-label", t(endorsed ? "endorsed_label" : "endorse_label", { name: name }));
  }

  function focusEndorse(messageId) {
    if (!ID_PATTERN.test(messageId)) return;
    var again = $("[data-testid=recent-answer][data-message-id='" + messageId + "'] [data-testid=endorse-button]", dialog);
    if (again) again.focus();
  }

  function endorse(answer, name, button) {
    if (!detail || button.getAttribute("aria-disabled") === "true" || button.getAttribute("aria-busy") === "true") return;
    var id = String(answer.id);
    setBusy(button, true);
    api("POST", "/api/v1/staff/answers/" + encodeURIComponent(id) + "/endorse", {}).then(function (res) {
      setBusy(button, false);
      if (res.ok) {
        answer.endorsed = true;
        setEndorsed(button, true, name);
        // Their points, points by reason and the audit line come back with the detail.
        afterChange(t("done_endorse", { name: name, points: num((res.data.entry || {}).points) })).then(function () {
          focusEndorse(id);
        });
        return;
      }
      if (res.status === 401) return;
      if (res.status !== 404 && res.status !== 409) {
        detailAlert.show(errorText(res.error), "error");
        button.focus();
        return;
      }
      // Gone, or endorsed already (by a colleague) or not endorsable now: re-read and say which.
      loadDetail(false).then(function () {
        var now = ((detail && detail.recent_answers) || []).filter(function (a) { return a.id === id; })[0];
        if (res.status === 404) detailAlert.show(t("endorse_not_found"), "error");
        else if (now && now.endorsed) detailAlert.show(t("endorse_already"), "info");
        else detailAlert.show(t("endorse_banned"), "error");
        focusEndorse(id);
      });
    });
  }

  bonusForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!detail) return;
    var raw = bonusPoints.value.trim();
    var points = Number(raw);
    var note = bonusNote.value.trim();
    var pointsOk = /^\d+$/.test(raw) && points >= 1 && points <= 500;
    bonusPoints.setAttribute("aria-invalid", pointsOk ? "false" : "true");
    bonusNote.setAttribute("aria-invalid", note ? "false" : "true");
    if (!pointsOk || !note) {
      bonusError.textContent = !pointsOk ? t("bonus_invalid_points") : t("bonus_invalid_note");
      (!pointsOk ? bonusPoints : bonusNote).focus();
      return;
    }
    bonusError.textContent = "";
    var id = state.contributor;
    var name = detail.contributor.name;
    var button = $("[data-testid=bonus-submit]", bonusForm);
    setBusy(button, true);
    api("POST", "/api/v1/staff/contributors/" + encodeURIComponent(id) + "/bonus", { points: points, note: note }).then(function (res) {
      setBusy(button, false);
      if (!res.ok) {
        if (res.status !== 401) detailAlert.show(errorText(res.error), "error");
        return;
      }
      bonusNote.value = "";
      bonusNote.removeAttribute("aria-invalid");
      bonusPoints.removeAttribute("aria-invalid");
      afterChange(t("done_bonus", { points: num(points), name: name }));
      bonusPoints.focus();
    });
  });

  function askConfirm(action) {
    if (!detail) return;
    pendingAction = action;
    var name = detail.contributor.name;
    $("[data-testid=confirm-text]").textContent = t("confirm_" + action, { name: name });
    confirmYes.textContent = t("confirm_" + action + "_yes");
    confirmYes.className = "sc-button sc-button--small " + (action === "disqualify" ? "sc-button--danger" : "sc-button--primary");
    confirmYes.dataset.action = action;
    disqualifyButton.hidden = true;
    reinstateButton.hidden = true;
    confirmBox.hidden = false;
    confirmYes.focus();
  }

  function hideConfirm(refocus) {
    var was = pendingAction;
    pendingAction = null;
    confirmBox.hidden = true;
    var disqualified = !!(detail && detail.contributor && detail.contributor.disqualified);
    disqualifyButton.hidden = disqualified;
    reinstateButton.hidden = !disqualified;
    if (refocus && was) (disqualified ? reinstateButton : disqualifyButton).focus();
  }

  disqualifyButton.addEventListener("click", function () { askConfirm("disqualify"); });
  reinstateButton.addEventListener("click", function () { askConfirm("reinstate"); });
  $("[data-testid=confirm-no]").addEventListener("click", function () { hideConfirm(true); });
  confirmBox.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault(); // cancel the confirmation, not the whole panel
      event.stopPropagation();
      hideConfirm(true);
    }
  });

  confirmYes.addEventListener("click", function () {
    var action = confirmYes.dataset.action;
    if (!detail || (action !== "disqualify" && action !== "reinstate")) return;
    var id = state.contributor;
    var name = detail.contributor.name;
    setBusy(confirmYes, true);
    api("POST", "/api/v1/staff/contributors/" + encodeURIComponent(id) + "/" + action, {}).then(function (res) {
      setBusy(confirmYes, false);
      if (!res.ok) {
        hideConfirm(true);
        if (res.status !== 401) detailAlert.show(errorText(res.error), "error");
        return;
      }
      detail.contributor.disqualified = action === "disqualify";
      hideConfirm(true);
      renderDetail();
      afterChange(t("done_" + action, { name: name }));
    });
  });

  // ---------------------------------------------------------------- filters
  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function (event) {
      event.preventDefault();
      choosePeriod(tab.dataset.period, true);
    });
    tab.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = tabs[(index + 1) % tabs.length];
      else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = tabs[(index - 1 + tabs.length) % tabs.length];
      else if (event.key === "Home") next = tabs[0];
      else if (event.key === "End") next = tabs[tabs.length - 1];
      if (!next) return;
      event.preventDefault();
      next.focus();
      choosePeriod(next.dataset.period, true);
    });
  });

  function choosePeriod(period, push) {
    if (PERIODS.indexOf(period) < 0 || period === state.period) return;
    state.period = period;
    writeUrl(push);
    loadBoard(true);
  }

  var typingTimer = null;
  function textFiltersChanged(now) {
    clearTimeout(typingTimer);
    var apply = function () {
      var room = roomInput.value.trim();
      var category = categoryInput.value.trim();
      if (room === state.room && category === state.category) return;
      state.room = room;
      state.category = category;
      writeUrl(false);
      loadBoard(true);
    };
    if (now) apply();
    else typingTimer = setTimeout(apply, TEXT_FILTER_DEBOUNCE_MS);
  }
  roomInput.addEventListener("input", function () { textFiltersChanged(false); });
  categoryInput.addEventListener("input", function () { textFiltersChanged(false); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    textFiltersChanged(true);
  });
  clearButton.addEventListener("click", function () {
    roomInput.value = "";
    categoryInput.value = "";
    textFiltersChanged(true);
    roomInput.focus();
  });

  window.addEventListener("popstate", function () {
    readUrl();
    loadBoard();
    if (state.contributor) openDetail(state.contributor, false);
    else closeDetail();
  });

  // ---------------------------------------------------------------- start
  readUrl();
  writeUrl(false);
  loadBoard();
  if (state.contributor) openDetail(state.contributor, false);
})();
