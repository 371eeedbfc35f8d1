/*
 * "My points" and "Top contributors" are modal <dialog>s: the rest of the panel is inert,
 * Escape closes them (`cancel`), so does a click on the backdrop; Tab cycles inside even
 * though the panel is an iframe (a native modal would let focus escape to the shop's
 * page); focus goes back to what opened them.
 */
import { $, $$ } from "../shared/dom.js";

const returnTo = new WeakMap(); // dialog -> what to focus on close (false: focus moved on purpose)

export function openSheet(dialog, opener) {
  if (dialog.open) return;
  $$("dialog.ep-sheet[open]").forEach((other) => {
    const back = returnTo.get(other); // one sheet at a time: hand the opener over
    returnTo.set(other, false);
    other.close();
    if (back) opener = back;
  });
  returnTo.set(dialog, opener || document.activeElement);
  dialog.showModal();
}

/** Close a sheet without moving the focus back (it goes to what the visitor chose). */
export function closeSheetAway(dialog) {
  returnTo.set(dialog, false);
  dialog.close();
}

function focusables(root) {
  return $$("button, summary, input, [href], [tabindex]:not([tabindex='-1'])", root).filter((node) => {
    if (node.disabled || node.getClientRects().length === 0) return false;
    // Of a radio group only the checked one is a tab stop.
    return !(node.type === "radio" && !node.checked);
  });
}

/** Wire every sheet; fallback() is where focus goes when the opener is gone. */
export function initSheets(fallback) {
  $$("dialog.ep-sheet").forEach((dialog) => {
    $(".ep-sheet__close", dialog).addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // the backdrop, outside the sheet's content
    });
    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const items = focusables(dialog);
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.addEventListener("close", () => {
      let back = returnTo.get(dialog);
      returnTo.delete(dialog);
      if (back === false) return; // focus was moved on purpose (another sheet, a question)
      if (!back || !back.isConnected || back.closest("[hidden]")) back = fallback();
      back.focus({ preventScroll: true });
    });
  });
}
