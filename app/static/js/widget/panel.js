/*
 * Entry module of the widget panel (app/templates/panel.html): the live Q&A room of one
 * product, inside the widget's iframe. Wires the modules of app/static/js/widget/ together.
 */
import { $ } from "../shared/dom.js";
import { embed, t } from "./config.js";
import { connect, showLoadFailed } from "./connection.js";
import { postToParent } from "./embed.js";
import { showError } from "./feedback.js";
import { forgetVisitor, onIdentityChange } from "./identity.js";
import { initAsk } from "./ask.js";
import { initEmail } from "./email.js";
import { loadFaq } from "./faq.js";
import { initLeaders, refreshLeaders } from "./leaders.js";
import { initPoints, pointsButton, updatePointsButton } from "./points.js";
import { joinRoom, listen } from "./room.js";
import { initSheets } from "./sheets.js";
import { refreshTimes, renderAll } from "./threads.js";

const title = $("#ep-title");

if (typeof window.io !== "function") {
  showLoadFailed(); // the Socket.IO client did not load: nothing live can work
} else {
  start();
}

function start() {
  connect({
    connected: joinRoom,
    refused: () => {
      forgetVisitor();
      showError({ code: "unauthorized" });
    },
  });
  listen();

  onIdentityChange(() => {
    renderAll(); // "(you)", votes and the buttons follow the identity
    updatePointsButton();
    refreshLeaders();
  });
  initAsk();
  initEmail();
  loadFaq();
  initSheets(() => (!pointsButton.hidden ? pointsButton : title));
  initLeaders();
  initPoints();
  updatePointsButton();

  // Embedding: the floating panel can be closed from inside; the loader gets our labels.
  if (embed === "float") {
    const close = $(".ep-close");
    close.hidden = false;
    close.addEventListener("click", () => postToParent({ type: "close" }));
  }
  document.addEventListener("keydown", (event) => {
    // Escape in a dialog closes the dialog (its `cancel`), not the whole panel.
    if (event.key === "Escape" && embed === "float" && !document.querySelector("dialog[open]")) {
      postToParent({ type: "close" });
    }
  });
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || event.data.source !== "entraide-widget") return;
    if (event.data.type === "opened") title.focus({ preventScroll: true });
  });
  postToParent({
    type: "ready",
    labels: { open: t("launcher_open"), close: t("launcher_close"), title: t("title") },
  });

  setInterval(refreshTimes, 60000);
}
