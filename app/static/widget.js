/*
 * Entraide widget loader: the one script tag a shop puts on its product pages.
 *
 *   <script src="https://entraide.example/static/widget.js" data-product="KEY"
 *           data-title="..." data-url="..." data-category="..." data-lang="fr" async></script>
 *
 * It mounts the Q&A room as an iframe served by Entraide's own origin (the origin this
 * script was loaded from), so the shop's page never runs Entraide's UI code or sees the
 * visitor's token. By default a floating launcher opens the room; with
 * data-target="<css selector>" the room is mounted inline in that element instead.
 * data-shopper="<customer id>.<hex HMAC-SHA256(shop secret, customer id)>" (optional, computed
 * on the shop's server) ties the visitor to the shop's customer account.
 *
 * Nothing leaks into the host page: no globals (one IIFE), and all markup lives in a
 * shadow root whose styles cannot reach, or be reached by, the shop's CSS.
 * Launcher labels below are only placeholders until the panel loads: the panel then sends
 * the translated strings from Entraide's catalog (see "ready" in js/widget/panel.js).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) {
    // Defensive: some loaders run the script without currentScript; find our tag.
    var candidates = document.querySelectorAll("script[data-product][src*='widget.js']");
    script = candidates[candidates.length - 1];
  }
  if (!script || script.getAttribute("data-entraide-mounted")) return;
  script.setAttribute("data-entraide-mounted", "1");

  var data = script.dataset;
  var product = (data.product || "").trim();
  if (!product) {
    if (window.console) console.warn("Entraide: data-product is required on the widget script tag");
    return;
  }

  var origin = new URL(script.src, document.baseURI).origin;
  var pageLang = (document.documentElement.lang || navigator.language || "en").toLowerCase();
  var lang = (data.lang || pageLang).toLowerCase().indexOf("fr") === 0 ? "fr" : "en";

  // Placeholders shown before the panel has loaded (it replaces them with catalog strings).
  var labels = lang === "fr"
    ? { open: "Une question\u202f? La communauté vous répond", close: "Fermer les questions", title: "Questions et réponses" }
    : { open: "Questions? Ask the community", close: "Close questions", title: "Questions and answers" };

  var params = new URLSearchParams({
    product: product,
    title: data.title || document.title || "",
    url: data.url || location.href.split("#")[0],
    category: data.category || "",
    lang: lang
  });
  // Optional: the shop vouches for its signed-in customer ("<id>.<hex HMAC-SHA256>").
  if (data.shopper) params.set("shopper", data.shopper);
  // A link from an Entraide e-mail ("...#entraide-thread=<id>"): open on that thread.
  var linked = /(?:^#|&)entraide-thread=([0-9a-f]{16})(?:&|$)/.exec(location.hash);
  if (linked) params.set("thread", linked[1]);
  // ...and, for someone who bought the product, their one-use invitation to answer.
  var invite = /(?:^#|&)entraide-invite=([A-Za-z0-9._-]{1,2000})(?:&|$)/.exec(location.hash);
  if (invite) params.set("invite", invite[1]);
  var inlineTarget = null;
  var panelSrc = "";
  var uid = "entraide-" + Math.random().toString(36).slice(2, 10);

  var css = [
    ":host{all:initial}",
    "*,*::before,*::after{box-sizing:border-box}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:inline-flex;",
    "align-items:center;gap:10px;min-height:52px;max-width:calc(100vw - 40px);padding:0 20px 0 16px;",
    "border:0;border-radius:999px;background:#0b5a70;color:#fff;cursor:pointer;",
    "font:600 15px/1.2 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;",
    "box-shadow:0 6px 20px rgba(8,40,52,.28);transition:transform .15s ease,background .15s ease}",
    ".launcher:hover{background:#08485a;transform:translateY(-1px)}",
    // Two-tone ring (white halo + dark outline): visible on any shop background.
    ".launcher:focus-visible{outline:3px solid #0a2f3a;outline-offset:3px;",
    "box-shadow:0 0 0 3px #fff,0 6px 20px rgba(8,40,52,.28)}",
    ".launcher svg{flex:none;width:22px;height:22px}",
    ".launcher .label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".launcher .dot{position:absolute;top:6px;right:8px;width:12px;height:12px;border-radius:50%;",
    "background:#e8453c;border:2px solid #fff;display:none}",
    ".launcher.unread .dot{display:block}",
    ".launcher[aria-expanded='true'] .icon-chat,.launcher[aria-expanded='false'] .icon-close{display:none}",
    ".frame{position:fixed;right:20px;bottom:84px;z-index:2147483000;width:400px;",
    "height:min(680px,calc(100vh - 104px));border-radius:16px;overflow:hidden;background:#fff;",
    "box-shadow:0 12px 48px rgba(8,40,52,.3);display:none}",
    ".frame.open{display:block}",
    ".frame iframe,.inline iframe{display:block;width:100%;height:100%;border:0;background:#fff}",
    ".inline{display:block;width:100%;border:1px solid #d5dde3;border-radius:12px;overflow:hidden}",
    "@media (max-width:599px){",
    ".frame{inset:0;width:100%;height:100%;height:100dvh;border-radius:0;bottom:0;right:0}",
    ".launcher{right:16px;bottom:16px}",
    ".launcher[aria-expanded='true']{display:none}",
    "}",
    "@media (prefers-reduced-motion:reduce){.launcher{transition:none}}"
  ].join("");

  var host = null;
  var root = null;
  var iframe = null;
  var launcher = null;
  var frameBox = null;

  // An async tag may run before the body (or the data-target element) has been parsed.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount, { once: true });
  } else {
    mount();
  }

  function mount() {
    if (data.target) {
      inlineTarget = document.querySelector(data.target);
      if (!inlineTarget && window.console) {
        console.warn("Entraide: data-target matches nothing; using the floating launcher");
      }
    }
    params.set("embed", inlineTarget ? "inline" : "float");
    panelSrc = origin + "/widget/panel?" + params.toString();

    host = document.createElement("div");
    host.setAttribute("data-entraide-widget", product);
    // Inline styles beat the shop's selectors (e.g. "div { margin: 2em }") on the host box.
    host.style.cssText = inlineTarget
      ? "all:initial;display:block;width:100%;"
      : "all:initial;position:static;display:contents;";
    root = host.attachShadow({ mode: "open" });
    adoptStyles(root, css);

    if (inlineTarget) {
      var box = document.createElement("div");
      box.className = "inline";
      box.style.height = (parseInt(data.height, 10) || 600) + "px";
      root.appendChild(box);
      createFrame(box);
      inlineTarget.appendChild(host);
    } else {
      mountLauncher();
      if (linked) toggle(true);
    }
    window.addEventListener("message", onPanelMessage);
  }

  function mountLauncher() {
    frameBox = document.createElement("div");
    frameBox.className = "frame";
    frameBox.id = uid + "-panel";
    frameBox.setAttribute("role", "dialog");
    frameBox.setAttribute("aria-label", labels.title);

    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", frameBox.id);
    launcher.setAttribute("data-testid", "entraide-launcher");
    launcher.innerHTML =
      '<svg class="icon-chat" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" ' +
      'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5' +
      'l1.4-4.9A8 8 0 1 1 21 12z"/><path d="M9.5 9.5a2.5 2.5 0 1 1 3.3 2.4c-.5.2-.8.6-.8 1.1v.5"/>' +
      '<circle cx="12" cy="16.5" r=".6" fill="currentColor"/></svg>' +
      '<svg class="icon-close" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" ' +
      'stroke-width="2.4" stroke-linecap="round"><path d="M6 6l12 12M18 6L6 18"/></svg>' +
      '<span class="label"></span><span class="dot" aria-hidden="true"></span>';
    setLauncherLabel();
    launcher.addEventListener("click", function () { toggle(); });

    // Launcher first: from it, Tab moves straight into the open panel.
    root.appendChild(launcher);
    root.appendChild(frameBox);
    document.body.appendChild(host);

    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        event.stopPropagation();
        toggle(false);
      }
    });
  }

  function createFrame(container) {
    iframe = document.createElement("iframe");
    iframe.src = panelSrc;
    iframe.title = labels.title;
    iframe.setAttribute("allow", "clipboard-write");
    iframe.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    container.appendChild(iframe);
  }

  function post(message) {
    if (iframe && iframe.contentWindow) {
      message.source = "entraide-widget";
      iframe.contentWindow.postMessage(message, origin);
    }
  }

  function isOpen() {
    return !!frameBox && frameBox.classList.contains("open");
  }

  function setLauncherLabel() {
    if (!launcher) return;
    var open = isOpen();
    launcher.querySelector(".label").textContent = open ? labels.close : labels.open;
    launcher.setAttribute("aria-label", open ? labels.close : labels.open);
  }

  function toggle(force) {
    if (!frameBox) return;
    var open = typeof force === "boolean" ? force : !isOpen();
    if (open && !iframe) createFrame(frameBox); // loaded on first open: no socket until needed
    frameBox.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) launcher.classList.remove("unread");
    setLauncherLabel();
    if (open) {
      iframe.focus();
      post({ type: "opened" });
    } else {
      launcher.focus();
    }
  }

  // Messages from the panel: only from our iframe, only from Entraide's origin.
  function onPanelMessage(event) {
    if (!iframe || event.source !== iframe.contentWindow || event.origin !== origin) return;
    var msg = event.data;
    if (!msg || typeof msg !== "object" || msg.source !== "entraide-panel") return;
    if (msg.type === "ready") {
      if (msg.labels && typeof msg.labels === "object") {
        ["open", "close", "title"].forEach(function (k) {
          if (typeof msg.labels[k] === "string" && msg.labels[k]) labels[k] = msg.labels[k];
        });
        iframe.title = labels.title;
        if (frameBox) frameBox.setAttribute("aria-label", labels.title);
        setLauncherLabel();
      }
      if (isOpen()) post({ type: "opened" });
    } else if (msg.type === "close") {
      toggle(false);
    } else if (msg.type === "notify" && launcher && !isOpen()) {
      launcher.classList.add("unread");
    }
  }

  function adoptStyles(shadow, text) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      // Older browsers: a <style> inside the shadow root is still scoped to it.
      var style = document.createElement("style");
      style.textContent = text;
      shadow.appendChild(style);
    }
  }
})();
