/*
 * "Léa is typing…" under a thread: names shown for a few seconds after each ping.
 */
import { $ } from "../shared/dom.js";
import { ROOM, t } from "./config.js";
import { me, state } from "./state.js";

const TYPING_SHOWN_MS = 4000;

/** The server's `typing` event: someone else is writing an answer in a thread. */
export function onTyping(data) {
  if (!data || data.room !== ROOM || !data.thread_id || !data.name) return;
  if (me() && data.name === me().name) return;
  let names = state.typing.get(data.thread_id);
  if (!names) {
    names = new Map();
    state.typing.set(data.thread_id, names);
  }
  clearTimeout(names.get(data.name));
  names.set(data.name, setTimeout(() => clearTyping(data.thread_id, data.name), TYPING_SHOWN_MS));
  renderTyping(data.thread_id);
}

export function clearTyping(threadId, name) {
  const names = state.typing.get(threadId);
  if (!names || !names.has(name)) return;
  clearTimeout(names.get(name));
  names.delete(name);
  renderTyping(threadId);
}

export function renderTyping(threadId) {
  const entry = state.threads.get(threadId);
  if (!entry) return;
  const names = Array.from((state.typing.get(threadId) || new Map()).keys());
  const line = $(".ep-typing", entry.el);
  line.textContent = names.length === 0 ? ""
    : names.length === 1 ? t("typing_one", { name: names[0] })
      : t("typing_many", { names: names.join(", ") });
  line.classList.toggle("ep-typing--on", names.length > 0);
}
