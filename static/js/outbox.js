// The outbox: every record is written to IndexedDB first, then sent to /api/sync. An entry
// leaves the outbox only when the server answers created, duplicate or conflict for it, or
// when its author deliberately discards it. Anything else (401, 403, 5xx, no network, a
// timeout) keeps everything and tries again later. The API is described at /api/openapi.json.

import { t } from "./text.js";

const DB_NAME = "lantern";
const KEEP_SENT_MS = 24 * 60 * 60 * 1000;
const RETRY_FIRST_MS = 5000;
const RETRY_CAP_MS = 4 * 60 * 1000;
const LOCK = "lantern-sync";

export const events = new EventTarget(); // "change": entries changed; "state"; "session"
export const state = { phase: "idle", retryAt: 0 }; // idle, sending, offline, retry, signed_out, forbidden, revoked

// ------------------------------------------------------------------ IndexedDB, small

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1); // throws where IndexedDB is switched off
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("outbox", { keyPath: "op" });
      db.createObjectStore("sent", { keyPath: "op" });
      db.createObjectStore("meta");
    };
    request.onsuccess = () => {
      const db = request.result;
      // Closed by a newer version in another tab, or by the browser: open again next time.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      db.onclose = () => (opening = null);
      resolve(db);
    };
    request.onerror = () => reject(request.error);
  });
  opening.catch(() => (opening = null)); // let a later call try again
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Run `body` in one transaction; resolve with its result once the transaction commits.
async function transaction(stores, mode, body) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onabort = () => reject(tx.error || new DOMException("Transaction aborted", "AbortError"));
    Promise.resolve()
      .then(() => body(tx))
      .then(
        (value) => (result = value),
        (error) => {
          reject(error);
          try {
            tx.abort();
          } catch {
            // already finished
          }
        },
      );
  });
}

const everything = (store) => transaction([store], "readonly", (tx) => done(tx.objectStore(store).getAll()));

// ------------------------------------------------------------------------- entries

const channel = "BroadcastChannel" in self ? new BroadcastChannel("lantern-outbox") : null;
if (channel) channel.onmessage = () => events.dispatchEvent(new Event("change"));

function changed() {
  events.dispatchEvent(new Event("change"));
  channel?.postMessage("change"); // other tabs refresh their counts
}

/** Add an entry (kind, id, patrol, base_version, author, author_id, data); returns its op. */
export async function save(entry) {
  const op = crypto.randomUUID();
  await transaction(["outbox", "meta"], "readwrite", async (tx) => {
    const meta = tx.objectStore("meta");
    if (!(await done(meta.get("device")))) meta.put(crypto.randomUUID(), "device");
    // The sequence number is taken in the same transaction as the add: never reused.
    const seq = ((await done(meta.get("seq"))) || 0) + 1;
    meta.put(seq, "seq");
    const saved_at = new Date().toISOString();
    tx.objectStore("outbox").add({ ...entry, op, seq, saved_at, state: "waiting", errors: null, tries: 0, next_try: 0 });
  });
  changed();
  return op;
}

/** A fixed entry: same op and record id, new answers, waiting again. */
export async function update(op, changes) {
  await transaction(["outbox"], "readwrite", async (tx) => {
    const store = tx.objectStore("outbox");
    const entry = await done(store.get(op));
    if (!entry) throw new DOMException("This entry is no longer in the outbox", "NotFoundError");
    store.put({ ...entry, ...changes, state: "waiting", errors: null, tries: 0, next_try: 0 });
  });
  changed();
}

/** The person's deliberate discard: the only deletion that is not the server's receipt. */
export async function discard(op) {
  await transaction(["outbox"], "readwrite", (tx) => done(tx.objectStore("outbox").delete(op)));
  changed();
}

export const get = (op) => transaction(["outbox"], "readonly", (tx) => done(tx.objectStore("outbox").get(op)));
export const waiting = () => everything("outbox");
export const sent = () => everything("sent");
export const meta = (key) => transaction(["meta"], "readonly", (tx) => done(tx.objectStore("meta").get(key)));
export const setMeta = (key, value) =>
  transaction(["meta"], "readwrite", (tx) => done(tx.objectStore("meta").put(value, key)));

/** The author token saved with this person's records, from the latest /api/session. */
export async function authorToken(userId) {
  const author = await meta("author");
  return author && author.user === userId ? author.token : "";
}

// ---------------------------------------------------------------------------- sync

let running = null;
let again = false;
let againActivity = false;
let failures = 0;
let timer = null;

function setState(phase, extra = {}) {
  Object.assign(state, { phase, retryAt: 0, message: "" }, extra);
  events.dispatchEvent(new Event("state"));
}

/** Send everything that waits. Calls while a sync runs are folded into one more pass. */
export function sync({ activity = false } = {}) {
  if (running) {
    again = true;
    againActivity ||= activity;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        // Without storage (switched off) there is nothing to send, and nothing to lose.
        await locked(() => pass(activity)).catch(() => setState("idle"));
        activity = againActivity;
        againActivity = false;
      } while (again);
    } finally {
      running = null;
    }
  })();
  return running;
}

// Web Locks: one tab sends at a time, so two tabs never send the same entries. Without
// them the server's op ids still make a double send harmless.
function locked(work) {
  return navigator.locks ? navigator.locks.request(LOCK, work) : work();
}

async function pass(activity) {
  clearTimeout(timer);
  if (!navigator.onLine) return setState("offline");
  // The author token is made for this outbox: the server accepts it only in batches that
  // carry the same device id (and only until its author's password changes).
  const device = await deviceId();
  const session = await call(`/api/session?device=${encodeURIComponent(device)}`, { method: "GET" }, 10000);
  if (!(await handled(session))) return;
  const info = session.body;
  if (!info.device?.revoked) await unrevoked();
  events.dispatchEvent(new CustomEvent("session", { detail: info }));
  await setMeta("author", { token: info.author, user: info.user.id });
  let limit = info.sync.max_records;
  let maxBytes = info.sync.max_bytes;
  for (;;) {
    const queue = (await waiting()).filter((e) => e.state === "waiting").sort((a, b) => a.seq - b.seq);
    if (!queue.length) break;
    setState("sending");
    const { ops, body } = batch(queue, limit, maxBytes, device, info);
    if (!ops.length) {
      await tooLarge(queue[0].op); // one entry alone is over the byte cap
      continue;
    }
    const headers = { "Content-Type": "application/json", "X-CSRFToken": info.csrf };
    if (activity) headers["X-Lantern-Activity"] = "1"; // a person just saved: they are here
    const answer = await call("/api/sync", { method: "POST", headers, body }, info.sync.timeout_ms);
    if (answer.status === 413) {
      if (ops.length === 1) await tooLarge(ops[0]);
      limit = Math.max(1, Math.floor(ops.length / 2));
      maxBytes = Math.min(maxBytes, answer.body?.max_bytes || maxBytes);
      continue;
    }
    if (!(await handled(answer, ops))) return;
    if (!(await apply(answer.body.results || [], ops))) return failed(ops);
  }
  await pruneSent();
  failures = 0;
  setState("idle");
}

// Answers that stop this pass: false after setting the state and, if it helps, a retry.
async function handled(answer, ops = []) {
  if (answer.status === 200 && answer.body) return true;
  if (answer.status === 401) setState("signed_out");
  else if (answer.status === 403 && answer.body?.revoked) await revoked();
  else if (answer.status === 403) setState("forbidden");
  else await failed(ops); // 400, 5xx, no network, timeout: nothing is known
  return false;
}

async function call(url, options, timeoutMs) {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { ...options, credentials: "same-origin", cache: "no-store", signal: controller.signal });
    const body = await response.json().catch(() => null);
    return { status: response.status, body };
  } catch {
    return { status: 0, body: null };
  } finally {
    clearTimeout(timeout);
  }
}

// As many entries, oldest first, as fit both caps. The body is built here so its size is exact.
function batch(queue, limit, maxBytes, device, info) {
  const head = `{"device":${JSON.stringify(device)},"records":[`;
  const encoder = new TextEncoder();
  let size = encoder.encode(head).length + 2;
  const ops = [];
  const parts = [];
  for (const entry of queue.slice(0, limit)) {
    const part = JSON.stringify(onTheWire(entry, info));
    const more = encoder.encode(part).length + (parts.length ? 1 : 0);
    if (size + more > maxBytes) break;
    size += more;
    parts.push(part);
    ops.push(entry.op);
  }
  return { ops, body: `${head}${parts.join(",")}]}` };
}

// Only the contract's fields: the server refuses unknown ones.
function onTheWire(entry, info) {
  const wire = { op: entry.op, kind: entry.kind, id: entry.id, seq: entry.seq, saved_at: entry.saved_at };
  if (entry.kind.startsWith("contact")) wire.patrol = entry.patrol;
  if (entry.kind.endsWith("_correction")) wire.base_version = entry.base_version;
  // Saved before this device had a token for its author: the author is sending it now.
  wire.author = entry.author || (entry.author_id === info.user.id ? info.author : "");
  wire.data = entry.data;
  return wire;
}

// Record each answer; false when the server answered none of the entries sent.
async function apply(results, ops) {
  const sentNow = new Set(ops);
  const answered = results.filter((r) => r && sentNow.has(r.op));
  await transaction(["outbox", "sent"], "readwrite", async (tx) => {
    const outbox = tx.objectStore("outbox");
    for (const result of answered) {
      const entry = await done(outbox.get(result.op));
      if (!entry) continue;
      if (result.status === "rejected") {
        outbox.put({ ...entry, state: "rejected", errors: result.errors || {} });
      } else if (["created", "duplicate", "conflict"].includes(result.status)) {
        const { op, kind, id, author_id, saved_at } = entry;
        const receipt = result.receipt || null;
        tx.objectStore("sent").put({ op, kind, id, author_id, saved_at, status: result.status, receipt, sent_at: Date.now() });
        outbox.delete(op);
      }
    }
  });
  changed();
  return answered.length > 0;
}

// One entry alone over the byte cap can never be sent as it is: its author must shorten it.
async function tooLarge(op) {
  await transaction(["outbox"], "readwrite", async (tx) => {
    const store = tx.objectStore("outbox");
    const entry = await done(store.get(op));
    if (entry) store.put({ ...entry, state: "rejected", errors: { _record: [t("too_large")] } });
  });
  changed();
}

// A coordinator revoked this device: nothing more is sent from it, and nothing is deleted.
// Its waiting entries are flagged, for whoever sorts the device out with the coordinator.
async function revoked() {
  await transaction(["outbox", "meta"], "readwrite", async (tx) => {
    const store = tx.objectStore("outbox");
    for (const entry of await done(store.getAll())) store.put({ ...entry, revoked: true });
    tx.objectStore("meta").put(true, "revoked");
  });
  changed();
  setState("revoked");
}

// Enrolled again (or no longer enrolled): the server takes this browser's records once
// more, so the flags go and the waiting entries are sent as any others.
async function unrevoked() {
  if (!(await isRevoked())) return;
  await transaction(["outbox", "meta"], "readwrite", async (tx) => {
    const store = tx.objectStore("outbox");
    for (const { revoked, ...entry } of await done(store.getAll())) if (revoked) store.put(entry);
    tx.objectStore("meta").delete("revoked");
  });
  changed();
}

/** Whether this device was told it is revoked (kept across reloads and sign-ins). */
export const isRevoked = () => meta("revoked").then(Boolean, () => false);

// Exponential backoff with jitter, reset by a pass that ends with nothing left to send.
async function failed(ops) {
  failures += 1;
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_FIRST_MS * 2 ** (failures - 1));
  const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  const retryAt = Date.now() + delay;
  const queue = (await waiting()).filter((e) => e.state === "waiting");
  if (!queue.length) return setState("idle");
  const tried = new Set(ops);
  await transaction(["outbox"], "readwrite", (tx) => {
    const store = tx.objectStore("outbox");
    for (const entry of queue) {
      store.put({ ...entry, tries: entry.tries + (tried.has(entry.op) ? 1 : 0), next_try: retryAt });
    }
  });
  clearTimeout(timer);
  timer = setTimeout(() => sync(), delay);
  setState("retry", { retryAt });
}

async function pruneSent() {
  const old = (await sent()).filter((s) => Date.now() - (s.sent_at || 0) > KEEP_SENT_MS);
  if (!old.length) return;
  await transaction(["sent"], "readwrite", (tx) => old.forEach((s) => tx.objectStore("sent").delete(s.op)));
}

export async function deviceId() {
  let id = await meta("device");
  if (!id) {
    id = crypto.randomUUID();
    await transaction(["meta"], "readwrite", async (tx) => {
      const store = tx.objectStore("meta");
      const existing = await done(store.get("device"));
      if (existing) id = existing;
      else store.put(id, "device");
    });
  }
  return id;
}

// ------------------------------------------------------------------------ triggers

let started = false;

/** Sync on open, on coming online, on becoming visible, and when the worker asks. */
export function start() {
  if (started) return;
  started = true;
  addEventListener("online", () => sync());
  addEventListener("offline", () => setState("offline"));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") sync();
  });
  addEventListener("pageshow", (event) => event.persisted && sync()); // back from the bfcache
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "sync") sync();
  });
  sync();
}

/** Ask the browser for Background Sync, where it has it: an extra, never relied on. */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    await registration?.sync?.register("lantern-sync"); // the worker's "sync" event listens for it
  } catch {
    // not supported or not allowed: the page syncs by itself
  }
}

/** Once per device, ask the browser to keep the outbox even when space runs low. */
export async function askPersistence() {
  if (!navigator.storage?.persist) return null;
  if (!(await meta("persist_asked").catch(() => true))) {
    await setMeta("persist_asked", true);
    return navigator.storage.persist().catch(() => null);
  }
  return navigator.storage.persisted().catch(() => null);
}
