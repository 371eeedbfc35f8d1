/*
 * Numbers, times and excerpts in the page's language (Intl), shared by every page.
 */

/** Milliseconds since the epoch of an ISO date, 0 when it does not parse. */
export function toTime(value) {
  const ms = Date.parse(value);
  return isNaN(ms) ? 0 : ms;
}

/** One line of at most `max` characters, cut at a word with "…". */
export function excerpt(text, max) {
  const clean = String(text || "").replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  return clean.slice(0, max - 1).replace(/\s+\S*$/, "") + "…";
}

/** "5 min", "2 h" (Intl unit format, plain text where unsupported). */
export function unit(lang, n, name) {
  try {
    return new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "short" }).format(n);
  } catch {
    return n + " " + name;
  }
}

/** "now", "5 min ago", "yesterday"... then a date after a month. */
export function relativeTime(lang) {
  const relative = typeof Intl === "object" && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "short" })
    : null;
  return function format(value) {
    const ms = toTime(value);
    if (!ms || !relative) return "";
    const seconds = Math.round((ms - Date.now()) / 1000);
    const abs = Math.abs(seconds);
    if (abs < 45) return relative.format(0, "second");
    if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
    if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
    if (abs < 86400 * 30) return relative.format(Math.round(seconds / 86400), "day");
    return new Date(ms).toLocaleDateString(lang, { day: "numeric", month: "short", year: "numeric" });
  };
}

/** A <time> showing a clock time today, else a short date and time; full date as title. */
export function setClock(node, value, withDate, lang) {
  const ms = toTime(value);
  node.dateTime = value || "";
  if (!ms) {
    node.textContent = "";
    return;
  }
  const d = new Date(ms);
  const sameDay = new Date().toDateString() === d.toDateString();
  node.textContent = sameDay && !withDate
    ? d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleString(lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  node.title = d.toLocaleString(lang);
}
