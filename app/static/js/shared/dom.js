/*
 * DOM helpers shared by the widget panel and the staff pages.
 */

export function $(selector, root) {
  return (root || document).querySelector(selector);
}

export function $$(selector, root) {
  return Array.from((root || document).querySelectorAll(selector));
}

/** A new element with an optional text (set with textContent, never HTML) and class. */
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

/** The first element of a <template>, cloned. */
export function fromTemplate(template) {
  return template.content.firstElementChild.cloneNode(true);
}

/** A decorative inline SVG icon of one path (hidden from assistive technology). */
export function icon(path, size, className) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  if (className) svg.setAttribute("class", className);
  const shape = document.createElementNS(ns, "path");
  shape.setAttribute("d", path);
  shape.setAttribute("fill", "currentColor");
  svg.appendChild(shape);
  return svg;
}

/** A button while its request runs: disabled and announced as busy. */
/** Show `text` in `node`, or hide the node when there is nothing to show. */
export function setOptionalText(node, text) {
  node.textContent = text || "";
  node.hidden = !text;
}

export function setBusy(button, busy) {
  if (!button) return;
  button.disabled = busy;
  button.setAttribute("aria-busy", busy ? "true" : "false");
}

/** A person's initial on a colour derived from their name. */
export function avatar(node, name) {
  const text = (name || "?").trim();
  node.textContent = text ? Array.from(text)[0].toUpperCase() : "?";
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
  // Dark enough at any hue for white initials to pass WCAG AA.
  node.style.backgroundColor = "hsl(" + (Math.abs(hash) % 360) + " 45% 32%)";
}
