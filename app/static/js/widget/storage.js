/*
 * localStorage when the browser allows it (a third-party iframe may not), memory otherwise.
 */
const memory = {};

function available() {
  try {
    return !!window.localStorage;
  } catch {
    return false;
  }
}

export const storage = {
  get(key) {
    try {
      const raw = available() ? localStorage.getItem(key) : memory[key];
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  },
  set(key, value) {
    const raw = JSON.stringify(value);
    try {
      if (available()) {
        localStorage.setItem(key, raw);
        return;
      }
    } catch {
      /* full or blocked: keep it for this page */
    }
    memory[key] = raw;
  },
  remove(key) {
    try {
      if (available()) localStorage.removeItem(key);
    } catch {
      /* blocked */
    }
    delete memory[key];
  },
};
