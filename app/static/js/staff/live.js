/*
 * The /staff Socket.IO namespace: `case.opened` / `case.updated` broadcasts ({case}).
 * Broadcasts may lack `actions`, so what a button may do always comes from a fresh API
 * answer, and every (re)connect re-fetches, so a blip loses nothing.
 */
import { api, setConnection } from "./ui.js";

/** onCase(kind, case) for broadcasts, onConnect() on every connect. */
export function openSocket(onCase, onConnect) {
  if (typeof window.io !== "function") {
    setConnection("offline");
    return null;
  }
  setConnection("connecting");
  const socket = window.io("/staff", { transports: ["websocket"] });
  socket.on("connect", () => {
    setConnection("live");
    onConnect();
  });
  socket.on("disconnect", (reason) => {
    setConnection("offline");
    if (reason === "io server disconnect") {
      // The server closed our session's socket (signed out elsewhere?): check, then retry.
      api("GET", "/api/v1/staff/cases?state=open").then((res) => {
        if (res.ok) socket.connect();
      });
    }
  });
  socket.on("connect_error", () => {
    setConnection("offline");
    if (!socket.active) {
      // Refused by the server rather than the network: a 401 below sends us to sign in.
      api("GET", "/api/v1/staff/cases?state=open").then((res) => {
        if (res.ok) setTimeout(() => socket.connect(), 3000);
      });
    }
  });
  socket.on("case.opened", (data) => {
    if (data && data.case) onCase("opened", data.case);
  });
  socket.on("case.updated", (data) => {
    if (data && data.case) onCase("updated", data.case);
  });
  return socket;
}
