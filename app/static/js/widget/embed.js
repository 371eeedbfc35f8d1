/*
 * Talking to the widget loader (app/static/widget.js) in the shop's page.
 */
let parentOrigin = "*";
try {
  if (document.referrer) parentOrigin = new URL(document.referrer).origin;
} catch {
  /* keep "*": we only ever post labels and "close"/"notify" signals */
}

export function postToParent(message) {
  if (window.parent === window) return;
  message.source = "entraide-panel";
  window.parent.postMessage(message, parentOrigin);
}
