/*
 * The product's FAQ, shown above the community's questions (GET /api/v1/rooms/<room>/faq):
 * each entry a <details> the shopper opens; `openFaq(id)` opens one (an instant answer).
 */
import { getJson } from "../shared/api.js";
import { $ } from "../shared/dom.js";
import { ROOM } from "./config.js";

const section = $("[data-testid=faq]");
const list = $("[data-testid=faq-list]");

export function loadFaq() {
  getJson("/api/v1/rooms/" + encodeURIComponent(ROOM) + "/faq")
    .then((body) => render((body && body.faq) || []))
    .catch(() => { /* the FAQ is a bonus: the room works without it */ });
}

function render(entries) {
  list.textContent = "";
  for (const entry of entries) {
    const li = document.createElement("li");
    const details = document.createElement("details");
    details.className = "ep-faq__entry";
    details.id = "ep-faq-" + entry.id;
    details.dataset.testid = "faq-entry";
    const summary = document.createElement("summary");
    summary.textContent = entry.question || "";
    const answer = document.createElement("div");
    answer.className = "ep-faq__answer";
    answer.innerHTML = entry.answer_html || ""; // sanitised by the server
    details.append(summary, answer);
    li.appendChild(details);
    list.appendChild(li);
  }
  section.hidden = entries.length === 0;
}

/** Open an entry and bring it into view (from an instant answer). */
export function openFaq(id) {
  const details = document.getElementById("ep-faq-" + id);
  if (!details) return;
  details.open = true;
  details.scrollIntoView({ block: "nearest" });
  $("summary", details).focus();
}
