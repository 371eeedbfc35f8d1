/*
 * The asker's two one-tap questions once their question has an answer: "did it help?"
 * then "without it, would you have contacted customer service?" (yes / no / skip). Each tap
 * sends `rate` with everything answered so far (rating again replaces), so the first answer
 * counts even if the second is never given. The server checks who may rate and when.
 */
import { $, $$, setBusy } from "../shared/dom.js";
import { t } from "./config.js";
import { showError } from "./feedback.js";
import { write } from "./identity.js";
import { state } from "./state.js";

const VALUES = { yes: true, no: false, skip: null };

/** Wire the rating block of one thread card; returns `render(shown)`. */
export function createRating(root, threadId) {
  const second = $(".ep-rating__second", root);
  const thanks = $("[data-testid=rating-thanks]", root);

  function current() {
    return state.ratings[threadId] || null;
  }

  function paint() {
    const rating = current();
    for (const button of $$("[data-rate]", root)) {
      const value = VALUES[button.dataset.value];
      const chosen = rating && (button.dataset.rate === "helpful"
        ? rating.helpful === value
        : rating.contactAnswered && rating.would_have_contacted === value);
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
    }
    second.hidden = !rating;
    thanks.textContent = rating && rating.contactAnswered ? t("rating_thanks") : "";
  }

  function send(button, helpful, contacted, contactAnswered) {
    setBusy(button, true);
    write("rate", { thread_id: threadId, helpful, would_have_contacted: contacted }).then((res) => {
      setBusy(button, false);
      if (!res.ok) {
        showError(res.error);
        return;
      }
      state.ratings[threadId] = {
        helpful: res.rating.helpful,
        would_have_contacted: res.rating.would_have_contacted,
        contactAnswered,
      };
      paint();
    }, () => setBusy(button, false));
  }

  for (const button of $$("[data-rate]", root)) {
    button.addEventListener("click", () => {
      const rating = current();
      const value = VALUES[button.dataset.value];
      if (button.dataset.rate === "helpful") {
        send(button, value, rating ? rating.would_have_contacted : null,
          rating ? rating.contactAnswered : false);
      } else if (rating) {
        send(button, rating.helpful, value, true);
      }
    });
  }

  return function render(shown) {
    root.hidden = !shown;
    if (shown) paint();
  };
}
