/*
 * The privacy notice's self-service: with the identity this browser keeps for the widget
 * (same origin, key "entraide.visitor"), download one's data (GET /api/v1/visitors/me/export)
 * or erase it (DELETE /api/v1/visitors/me), after a confirmation.
 */
const $ = (selector) => document.querySelector(selector);
const text = JSON.parse($("#privacy-config").textContent);
const status = $("[data-testid=privacy-status]");

function visitor() {
  try {
    const stored = JSON.parse(localStorage.getItem("entraide.visitor") || "null");
    return stored && stored.token ? stored : null;
  } catch {
    return null; // storage blocked or unreadable: nothing to offer
  }
}

function call(method, path, me) {
  return fetch(path, { method, headers: { Authorization: "Bearer " + me.token } });
}

const me = visitor();
if (me) {
  $("[data-testid=privacy-self]").hidden = false;
  $("[data-testid=privacy-who]").textContent = text.who.replace("{name}", me.name || "?");
  $("[data-testid=privacy-export]").addEventListener("click", () => {
    call("GET", "/api/v1/visitors/me/export", me).then((r) => (r.ok ? r.blob() : Promise.reject()))
      .then((blob) => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "entraide-" + me.id + ".json";
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 0);
      })
      .catch(() => { status.textContent = text.failed; });
  });
  $("[data-testid=privacy-erase]").addEventListener("click", () => {
    $("[data-testid=privacy-confirm]").hidden = false;
    $("[data-testid=privacy-erase-yes]").focus();
  });
  $("[data-testid=privacy-erase-yes]").addEventListener("click", () => {
    call("DELETE", "/api/v1/visitors/me", me).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      localStorage.removeItem("entraide.visitor");
      $("[data-testid=privacy-confirm]").hidden = true;
      for (const button of document.querySelectorAll(".privacy-self button")) button.disabled = true;
      status.textContent = text.erased;
    }).catch(() => { status.textContent = text.failed; });
  });
}
