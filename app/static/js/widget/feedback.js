/*
 * What the panel tells the visitor besides the threads: the alert line, notices next to a
 * composer, toasts, and the polite live region.
 */
import { $, icon } from "../shared/dom.js";
import { createAlert, createAnnouncer } from "../shared/feedback.js";
import { t } from "./config.js";
import { errorText } from "./text.js";

const MAX_TOASTS = 2;
const STAR = "M12 2.8l2.7 5.6 6.1.8-4.5 4.2 1.1 6.1L12 16.6l-5.4 2.9 1.1-6.1-4.5-4.2 6.1-.8L12 2.8z";
const INFO = "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1 8v7h2v-7h-2zm0-4v2h2V6h-2z";

const alertBox = createAlert($(".ep-alert"), { block: "ep", timeout: () => 12000 });
const toasts = $(".ep-toasts");

export const announce = createAnnouncer($("[data-testid=live]"));

export function showAlert(text, tone) {
  alertBox.show(text, tone || "error");
}

export function hideAlert() {
  alertBox.hide();
}

export function showError(error) {
  showAlert(errorText(error), "error");
}

/**
 * A persistent, dismissable notice from the server (personal data, held for review, out of
 * scope) in a slot near the composer. The slot is a live region that stays in the DOM, so
 * the text is announced when it is inserted.
 */
export function showNotice(slot, text) {
  if (!slot || !text) return;
  slot.textContent = "";
  const box = document.createElement("div");
  box.className = "ep-notice";
  box.setAttribute("data-testid", "notice");
  const p = document.createElement("p");
  p.className = "ep-notice__text";
  p.textContent = text;
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "ep-link-button ep-notice__dismiss";
  dismiss.setAttribute("data-testid", "notice-dismiss");
  dismiss.textContent = t("dismiss");
  dismiss.addEventListener("click", () => {
    const hadFocus = box.contains(document.activeElement);
    slot.textContent = "";
    if (hadFocus) {
      const composer = slot.parentNode && slot.parentNode.querySelector("textarea");
      if (composer) composer.focus();
    }
  });
  box.append(icon(INFO, 20, "ep-notice__icon"), p, dismiss);
  slot.appendChild(box);
}

export function starIcon(size) {
  return icon(STAR, size);
}

/**
 * A toast for a few seconds. options: tone ("celebrate"), action {label, run} (a button
 * that closes the toast and runs), e.g. "View" for a thread or "See my points".
 */
export function toast(text, options) {
  options = options || {};
  const box = document.createElement("div");
  box.className = "ep-toast" + (options.tone ? " ep-toast--" + options.tone : "");
  box.setAttribute("role", "status");
  box.setAttribute("data-testid", "toast");
  if (options.tone === "celebrate") {
    const medal = document.createElement("span");
    medal.className = "ep-toast__medal";
    medal.setAttribute("aria-hidden", "true");
    medal.appendChild(starIcon(18));
    box.appendChild(medal);
  }
  const p = document.createElement("p");
  p.className = "ep-toast__text";
  p.textContent = text;
  box.appendChild(p);
  const action = options.action;
  if (action) {
    const view = document.createElement("button");
    view.type = "button";
    view.className = "ep-link-button ep-toast__action";
    view.setAttribute("data-testid", "toast-action");
    view.textContent = action.label;
    view.addEventListener("click", () => {
      box.remove();
      action.run();
    });
    box.appendChild(view);
  }
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "ep-icon-button ep-toast__close";
  dismiss.setAttribute("aria-label", t("dismiss"));
  dismiss.textContent = "×";
  dismiss.addEventListener("click", () => box.remove());
  box.appendChild(dismiss);
  toasts.appendChild(box);
  // At most MAX_TOASTS at once (oldest first out): on a phone they would cover the list.
  while (toasts.children.length > MAX_TOASTS) {
    const oldest = toasts.firstElementChild;
    if (oldest.contains(document.activeElement)) break;
    oldest.remove();
  }
  (function expire() {
    setTimeout(() => {
      if (box.contains(document.activeElement)) expire(); // never from under the keyboard
      else box.remove();
    }, 10000);
  })();
}

// Toasts float over the bottom of the list: keep room below it so nothing stays hidden.
new MutationObserver(() => {
  const height = toasts.offsetHeight;
  $(".ep-main").style.paddingBottom = height ? height + 24 + "px" : "";
}).observe(toasts, { childList: true });
