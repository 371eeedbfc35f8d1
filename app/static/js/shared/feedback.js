/*
 * Feedback every page gives the same way: an alert box that hides itself, and a polite
 * live region for what a screen reader should hear.
 */
import { $ } from "./dom.js";

/**
 * An alert box (`<block>-alert`, with `<block>-alert__text` and an optional
 * `<block>-alert__dismiss`). options: block ("ep" or "sc"), timeout(tone) in ms, and
 * roles: true to make errors interrupt (role=alert) while confirmations wait (role=status).
 */
export function createAlert(node, options) {
  const block = options.block;
  let timer = null;
  function hide() {
    if (!node) return;
    node.hidden = true;
    $("." + block + "-alert__text", node).textContent = "";
  }
  function show(text, tone, sticky) {
    if (!node) return;
    tone = tone || "error";
    node.hidden = false;
    node.className = block + "-alert " + block + "-alert--" + tone;
    if (options.roles) node.setAttribute("role", tone === "error" ? "alert" : "status");
    $("." + block + "-alert__text", node).textContent = text;
    clearTimeout(timer);
    if (!sticky) timer = setTimeout(hide, options.timeout(tone));
  }
  const dismiss = node && $("." + block + "-alert__dismiss", node);
  if (dismiss) dismiss.addEventListener("click", hide);
  return {
    show,
    hide,
    isError: () => !!node && !node.hidden && node.classList.contains(block + "-alert--error"),
  };
}

/** announce(text): a line in a live region, keeping the last five. */
export function createAnnouncer(region) {
  return function announce(text) {
    if (!region) return;
    const p = document.createElement("p");
    p.textContent = text;
    region.appendChild(p);
    while (region.childNodes.length > 5) region.removeChild(region.firstChild);
  };
}
