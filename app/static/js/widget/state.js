/*
 * What the panel knows: who the visitor is, the threads shown, their votes and reports.
 * The room's seq bookkeeping lives in sync.js.
 */
import { storage } from "./storage.js";

export const VISITOR_KEY = "entraide.visitor";
export const VOTES_KEY = "entraide.votes";

export const state = {
  visitor: storage.get(VISITOR_KEY),
  votes: storage.get(VOTES_KEY) || {},
  synced: false, // true once a join answered: the list reflects the room
  threads: new Map(), // thread id -> entry {thread, messages: Map(id -> {message, el}), el, private}
  typing: new Map(), // thread id -> Map(name -> timer)
  reported: { messages: {}, threads: {} }, // ids this visitor reported (this page only)
  ratings: {}, // thread id -> the asker's rating given on this page
};
if (state.visitor && !(state.visitor.id && state.visitor.token)) state.visitor = null;

export function me() {
  return state.visitor;
}

export function isMine(author) {
  return !!(me() && author && author.id === me().id);
}
