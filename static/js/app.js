// Every page: the service worker and its updates, the outbox status bar, the record forms,
// and keeping one person's offline pages away from the next person on a shared tablet.
import * as outbox from "./outbox.js";
import { patrolInPath, setUp } from "./forms.js";
import { counted, relative, sayPending, t } from "./text.js";

const PAGES = "lantern-pages";
const me = Number(document.querySelector('meta[name="lantern-user"]')?.content) || null;

const registering = registerWorker().catch(() => null); // no worker: the page still works online
sayPending();
if (location.pathname === "/signin") {
  clearPages(); // whoever was here, their session is over
  showDeviceOutbox();
}
guardSignOut();
if (me) {
  setUp(me);
  startBar();
  outbox.events.addEventListener("session", (event) => cachePages(event.detail));
  rememberPatrol();
  outbox.start();
  if (document.getElementById("outbox-page")) import("./outbox-page.js").then((page) => page.show(me));
  if (document.getElementById("offline-patrol")) showPatrolLinks();
  import("./alerts.js").then((alerts) => alerts.start());
}

// ---------------------------------------------------------------- service worker

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return null;
  // Registering again checks for a new version, a request that offline can only fail.
  const registration = navigator.onLine
    ? await navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" })
    : await navigator.serviceWorker.getRegistration("/");
  if (!registration) return null;
  const banner = document.getElementById("update-banner");
  const offer = () => {
    if (navigator.serviceWorker.controller && banner) banner.hidden = false;
  };
  if (registration.waiting) offer();
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => worker.state === "installed" && offer());
  });
  document.getElementById("update-reload")?.addEventListener("click", (event) => {
    event.currentTarget.disabled = true;
    switchVersion(registration);
  });
  setInterval(() => registration.update().catch(() => {}), 60 * 60 * 1000); // tablets stay open for days
  return registration;
}

// "Reload for the new version": under the sync lock, so the new worker never takes over
// while this or another tab is sending. The lock is held until the page has gone.
function switchVersion(registration) {
  const change = async () => {
    const worker = registration.waiting;
    if (worker) {
      const taken = new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
      worker.postMessage({ type: "skip-waiting" });
      await taken;
    }
    location.reload();
    await new Promise(() => {}); // keep the lock until the page unloads
  };
  return navigator.locks ? navigator.locks.request("lantern-sync", change) : change();
}

// The work pages this person may open offline: the worker fetches and keeps them.
async function cachePages(session) {
  const registration = await registering;
  const worker = navigator.serviceWorker?.controller || registration?.active;
  // The page's language goes with them: pages kept in another language are fetched again;
  // so does the scheme's lists' fingerprint: a changed list is fetched at the next open.
  const lang = document.documentElement.lang;
  worker?.postMessage({ type: "pages", user: session.user.id, lang, lists: session.lists || "", pages: session.pages });
}

async function clearPages() {
  await self.caches?.delete(PAGES).catch(() => {});
  navigator.serviceWorker?.controller?.postMessage({ type: "clear-pages" });
}

// Signing out: the offline pages go first; the outbox's records stay for the next sign-in.
function guardSignOut() {
  for (const form of document.querySelectorAll("form.signout")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await clearPages();
      HTMLFormElement.prototype.submit.call(form);
    });
  }
}

// The sign-in page (from the server, or from the worker when offline): how many records
// wait on this device and the oldest's age, whoever saved them. Counts only.
async function showDeviceOutbox() {
  const note = document.getElementById("device-outbox");
  const entries = await outbox.waiting().catch(() => []);
  if (!note || !entries.length) return;
  const oldest = Math.min(...entries.map((entry) => Date.parse(entry.saved_at)));
  note.textContent = `${counted("device_waiting", entries.length)} ${t("device_oldest", { age: relative(oldest) })}`;
  note.hidden = false;
}

// ---------------------------------------------------------------------- status bar

function startBar() {
  const bar = document.getElementById("outbox-bar");
  if (!bar) return;
  bar.hidden = false;
  document.getElementById("outbox-sync")?.addEventListener("click", () => outbox.sync());
  const refresh = () => showStatus().catch(() => showText(t("storage_off")));
  outbox.events.addEventListener("change", refresh);
  outbox.events.addEventListener("state", refresh);
  setInterval(refresh, 30000); // the age of the oldest, and the retry countdown
  refresh();
}

// One short line: how many of this person's records wait and the oldest's age, then what
// the outbox is doing. The outbox page has the whole story.
async function showStatus() {
  const mine = (await outbox.waiting()).filter((entry) => entry.author_id === me);
  const waiting = mine.filter((entry) => entry.state === "waiting");
  const attention = mine.length - waiting.length;
  const { phase, retryAt } = outbox.state;
  const parts = [];
  if (waiting.length) {
    const oldest = Math.min(...waiting.map((entry) => Date.parse(entry.saved_at)));
    parts.push(counted("waiting", waiting.length), t("oldest", { age: relative(oldest, "short") }));
  } else if (!attention) {
    parts.push(t("all_sent"));
  }
  if (phase === "sending" && waiting.length) parts.push(t("sending"));
  if (phase === "offline") parts.push(t("offline"));
  if (phase === "retry" && waiting.length) parts.push(t("retry", { when: relative(Math.max(retryAt, Date.now()), "short") }));
  if (phase === "forbidden") parts.push(t("forbidden"));
  if (phase === "revoked" || (await outbox.isRevoked())) parts.splice(0, parts.length, t("revoked"));
  showText(parts.join(" · "));
  const link = document.getElementById("outbox-attention");
  link.hidden = !attention;
  link.textContent = attention ? counted("attention", attention) : "";
  const signIn = document.getElementById("outbox-signin");
  signIn.hidden = phase !== "signed_out";
  signIn.href = `/signin?next=${encodeURIComponent(location.pathname)}`;
}

function showText(text) {
  const status = document.getElementById("outbox-text");
  if (status.textContent !== text) status.textContent = text; // a live region: only real changes
}

// ---------------------------------------------------------------- patrol offline

// The patrol this person last had open, so the offline page can lead back to its forms.
function rememberPatrol() {
  const patrol = patrolInPath();
  if (patrol && !location.pathname.startsWith("/patrols/shell/")) {
    outbox.setMeta("patrol", { user: me, id: patrol }).catch(() => {});
  }
}

async function showPatrolLinks() {
  const patrol = await outbox.meta("patrol").catch(() => null);
  if (!patrol || patrol.user !== me) return;
  const links = document.getElementById("offline-patrol");
  for (const link of links.querySelectorAll("a[data-path]")) {
    link.href = link.dataset.path.replace("PATROL", patrol.id);
  }
  links.hidden = false;
}
