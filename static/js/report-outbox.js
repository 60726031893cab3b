// The public report form's outbox: a report that could not be sent (no connection, the
// server not answering) waits in this browser's localStorage and is sent when the page
// is open and online again: at once, on "online", and on a backing-off timer. Each report
// carries the id the page made for it, and the server stores an id once, so a resend
// that crosses a lost answer is still one report.
//
// A small module of its own: the report page needs no other script of the app.
const KEY = "lantern-report-outbox";
const SENT = "lantern-report-sent"; // ids sent lately, so a form restored by Back gets a new one
const DELAYS_MS = [5000, 15000, 60000, 300000];

const listeners = new Set();
let attempt = 0;
let timer = null;
let busy = false;

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "[]");
  } catch {
    return [];
  }
}

function write(key, list) {
  try {
    localStorage.setItem(key, JSON.stringify(list));
    return true;
  } catch {
    return false; // storage off or full: the report is then sent only while online
  }
}

/** The reports waiting, oldest first. */
export const entries = () => read(KEY);

/** Keep a report (replacing one with its id); false when this browser keeps nothing. */
export function keep(entry) {
  return write(KEY, [...entries().filter((e) => e.id !== entry.id), entry]);
}

export function forget(id) {
  write(KEY, entries().filter((e) => e.id !== id));
}

export function update(id, changes) {
  write(KEY, entries().map((e) => (e.id === id ? { ...e, ...changes } : e)));
}

export const wasSent = (id) => read(SENT).includes(id);

function remember(id) {
  write(SENT, [...read(SENT).filter((s) => s !== id), id].slice(-20));
}

/** A version 4 UUID, also where crypto.randomUUID is missing (plain http). */
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Hear what becomes of reports: {type: "sent" | "invalid" | "waiting", entry, body}. */
export function listen(listener) {
  listeners.add(listener);
}

function tell(type, entry, body = null) {
  for (const listener of listeners) listener({ type, entry, body });
}

function pageToken() {
  return document.querySelector("input[name=csrf_token]")?.value || "";
}

// The page's token can be stale (the browser was closed since): the form page gives a new one.
async function freshToken(action) {
  const response = await fetch(action, { headers: { Accept: "text/html" }, cache: "no-store" });
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const token = page.querySelector("input[name=csrf_token]")?.value || "";
  const input = document.querySelector("input[name=csrf_token]");
  if (input && token) input.value = token;
  return token;
}

async function post(entry, token) {
  const body = new URLSearchParams(entry.fields);
  body.set("csrf_token", token);
  return fetch(entry.action, { method: "POST", body, headers: { Accept: "application/json" }, cache: "no-store" });
}

/** Send one report. Returns {outcome: "sent" | "invalid" | "retry", body}. */
export async function send(entry) {
  let response;
  try {
    response = await post(entry, pageToken());
    let body = await response.json().catch(() => ({}));
    if (response.status === 400 && body.status !== "invalid") {
      response = await post(entry, await freshToken(entry.action)); // a refused token, once
      body = await response.json().catch(() => ({}));
    }
    if (response.ok) {
      forget(entry.id);
      remember(entry.id);
      return { outcome: "sent", body };
    }
    if (response.status === 400 && body.status === "invalid") {
      update(entry.id, { state: "invalid", errors: body.errors, say: body.say });
      return { outcome: "invalid", body };
    }
  } catch {
    // no connection, or no answer: it waits
  }
  return { outcome: "retry", body: null };
}

/** Send what waits, oldest first; then try again later if any is left. */
export async function flush() {
  if (busy) return;
  busy = true;
  clearTimeout(timer);
  let left = 0;
  try {
    for (const entry of entries().filter((e) => e.state === "waiting")) {
      const { outcome, body } = await send(entry);
      if (outcome === "sent") tell("sent", entry, body);
      else if (outcome === "invalid") tell("invalid", entry, body);
      else left += 1;
    }
  } finally {
    busy = false;
  }
  attempt = left ? attempt + 1 : 0;
  if (left) {
    tell("waiting", null);
    timer = setTimeout(flush, DELAYS_MS[Math.min(attempt - 1, DELAYS_MS.length - 1)]);
  }
}

/** Start sending what waits: now, when the browser is back online, and on a timer. */
export function start() {
  addEventListener("online", () => {
    attempt = 0;
    flush();
  });
  flush();
}
