/*
 * The panel's settings and UI text, from the JSON block app/templates/panel.html renders
 * (translated server-side). Nothing else reads the page's config.
 */
import { createI18n, readConfig } from "../shared/i18n.js";

export const config = readConfig("entraide-config");
export const product = config.product;
export const ROOM = product.key;
export const LANG = config.lang === "en" ? "en" : "fr"; // the server writes notices in these two
export const i18n = createI18n(config.strings, config.lang);
export const { t, has } = i18n;

export const ACK_TIMEOUT_MS = 5000;
export const WRITE_ATTEMPTS = 3;
export const RETRY_AFTER_MS = 1500; // before re-sending a write the server could not store (x attempt)
export const PAGE_SIZE = 20; // the server's page of recent threads: a full page means there may be more
export const REPORT_REASONS = ["spam", "insult", "off_topic", "other"];

/** "float" when the widget shows the panel as a floating window (it can close it). */
export const embed = new URLSearchParams(location.search).get("embed");
