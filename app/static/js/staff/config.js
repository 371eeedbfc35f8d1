/*
 * The queue and case pages' settings and UI text, from the #staff-config block rendered by
 * app/templates/staff/base.html (translated server-side).
 */
import { createI18n, readConfig } from "../shared/i18n.js";

export const config = readConfig("staff-config") || {};
export const LANG = config.lang || "fr";
export const ME = config.staff || {};
export const i18n = createI18n(config.strings, LANG);
export const { t, has, plural } = i18n;
