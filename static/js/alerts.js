// Alerts: the nav's unread count (kept fresh while online), this device's outbox report for
// the reminder to connect, and the "Turn on alerts" control on the settings page. The
// browser asks for permission only when the person taps the button.
import * as outbox from "./outbox.js";
import { lang, t } from "./text.js";

const POLL_MS = 60 * 1000;
const REPORTED = "lantern-outbox-report"; // what this tab last told the server
// The count the page was made with, so the first increase is announced.
let lastUnread = Number(document.getElementById("alerts-link")?.dataset.unread ?? NaN);

/** Start on every signed-in page. */
export function start() {
  // Each sync (on opening, coming online, becoming visible) asks /api/session, which
  // brings the count; a push shown by the worker, and a slow poll, ask for it themselves.
  outbox.events.addEventListener("session", (event) => showCount(event.detail.alerts?.unread));
  navigator.serviceWorker?.addEventListener("message", (event) => event.data?.type === "alert" && refreshBadge());
  setInterval(refreshBadge, POLL_MS);
  outbox.events.addEventListener("change", () => reportOutbox());
  reportOutbox();
  markSignOut();
  const control = document.getElementById("alerts-control");
  if (control) setUpControl(control).catch(() => show("failed"));
}

// ------------------------------------------------------------------------- the count

async function refreshBadge() {
  if (!navigator.onLine) return;
  let answer;
  try {
    const response = await fetch("/api/alerts", { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    answer = await response.json();
  } catch {
    return; // offline or the server is away: the count stays as it was
  }
  showCount(answer.unread);
}

function showCount(count) {
  if (typeof count !== "number") return;
  const link = document.getElementById("alerts-link");
  const unread = count;
  if (link) link.textContent = unread ? t("alerts.nav_count", { num: unread }) : t("alerts.nav");
  // The closed menu shows the count on its button, so an alert is never hidden in it.
  const badge = document.getElementById("alerts-badge");
  if (badge) {
    badge.textContent = String(unread);
    badge.hidden = !unread;
  }
  // The live region speaks only when more arrive, not on every poll.
  const live = document.getElementById("alerts-live");
  if (live && unread > lastUnread) live.textContent = unreadText(unread);
  lastUnread = unread;
}

// "2 unread alerts", in the plural form the language uses for the number.
function unreadText(num) {
  const group = textGroup("alerts.unread");
  const form = group[new Intl.PluralRules(lang).select(num)] ?? group.other ?? Object.values(group).at(-1);
  return form ? form.replace("%(num)d", String(num)) : String(num);
}

function textGroup(key) {
  const block = document.getElementById("lantern-text");
  const texts = block ? JSON.parse(block.textContent) : {};
  return key.split(".").reduce((group, part) => group?.[part], texts) || {};
}

// ----------------------------------------------------------------------- signing out

// The sign-out form carries this browser's push endpoint, so the server turns alerts off
// here (unless this is a venue's enrolled tablet). Filled in on opening, not on submit:
// app.js submits the form as soon as the offline pages are cleared.
async function markSignOut() {
  const subscription = await currentSubscription().catch(() => null);
  if (!subscription) return;
  for (const form of document.querySelectorAll("form.signout")) {
    let field = form.querySelector('input[name="push_endpoint"]');
    if (!field) {
      field = Object.assign(document.createElement("input"), { type: "hidden", name: "push_endpoint" });
      form.append(field);
    }
    field.value = subscription.endpoint;
  }
}

// ------------------------------------------------------------ the outbox, for reminders

// The server reminds a device whose records wait too long; only the push endpoint and its
// auth secret (which the push service never sees) identify it, so this works signed out too.
async function reportOutbox() {
  if (!navigator.onLine) return;
  const subscription = await currentSubscription().catch(() => null);
  if (!subscription) return;
  const entries = (await outbox.waiting().catch(() => [])).filter((entry) => entry.state === "waiting");
  const oldest = entries.length ? new Date(Math.min(...entries.map((e) => Date.parse(e.saved_at)))).toISOString() : null;
  const auth = subscription.toJSON().keys?.auth;
  if (!auth) return;
  // What was last told is remembered without the secret.
  const report = JSON.stringify({ endpoint: subscription.endpoint, waiting: entries.length, oldest_saved_at: oldest });
  if (report === sessionStorage.getItem(REPORTED)) return;
  try {
    const body = JSON.stringify({ ...JSON.parse(report), auth });
    const response = await fetch("/api/push/outbox", { method: "POST", headers: { "Content-Type": "application/json" }, body, credentials: "omit" });
    if (response.ok) sessionStorage.setItem(REPORTED, report);
  } catch {
    // offline again: the next change tries once more
  }
}

// ----------------------------------------------------------------------- the control

async function currentSubscription() {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.getRegistration("/");
  return (await registration?.pushManager?.getSubscription()) || null;
}

function isIOS() {
  return /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

function installed() {
  return matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
}

function show(state) {
  document.getElementById("alerts-state").textContent = t(`alerts.${state}`);
  document.getElementById("alerts-on").hidden = state !== "off" && state !== "failed";
  document.getElementById("alerts-off").hidden = state !== "on";
}

async function setUpControl(control) {
  const key = control.dataset.key;
  if (isIOS() && !installed()) return show("ios_install");
  if (!("serviceWorker" in navigator) || !("PushManager" in self) || !("Notification" in self)) return show("unsupported");
  if (Notification.permission === "denied") return show("denied");
  let subscription = await currentSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe().catch(() => {}); // made for a key the server rotated away
    subscription = null;
  }
  show(subscription && Notification.permission === "granted" ? "on" : "off");
  document.getElementById("alerts-on").addEventListener("click", (event) => turnOn(event.currentTarget, key));
  document.getElementById("alerts-off").addEventListener("click", (event) => turnOff(event.currentTarget));
}

function sameKey(subscription, key) {
  const used = subscription.options?.applicationServerKey;
  if (!used) return true; // the browser does not say: assume it is ours
  const mine = decode(key);
  const theirs = new Uint8Array(used);
  return theirs.length === mine.length && theirs.every((byte, i) => byte === mine[i]);
}

function decode(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function turnOn(button, key) {
  button.disabled = true;
  try {
    const permission = await Notification.requestPermission(); // only ever from this tap
    if (permission !== "granted") return show(permission === "denied" ? "denied" : "off");
    show("working");
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: decode(key) });
    const body = { ...subscription.toJSON(), device_id: await outbox.deviceId(), label: deviceLabel() };
    const response = await send("POST", body);
    if (!response.ok) throw new Error(`subscribe answered ${response.status}`);
    sessionStorage.removeItem(REPORTED);
    await reportOutbox();
    location.reload(); // the list of devices now shows this one
  } catch {
    show("failed");
  } finally {
    button.disabled = false;
  }
}

async function turnOff(button) {
  button.disabled = true;
  try {
    const subscription = await currentSubscription();
    if (subscription) {
      await send("DELETE", { endpoint: subscription.endpoint }).catch(() => null);
      await subscription.unsubscribe();
    }
    location.reload();
  } catch {
    show("failed");
  } finally {
    button.disabled = false;
  }
}

// The CSRF token comes with the session, as the outbox gets it.
async function send(method, body) {
  const session = await fetch("/api/session", { credentials: "same-origin", cache: "no-store" }).then((r) => r.json());
  return fetch("/api/push/subscriptions", {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": session.csrf },
    body: JSON.stringify(body),
  });
}

// "Chrome on Android": enough for a person to tell their devices apart, nothing more.
function deviceLabel() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const system = /Android/.test(ua) ? "Android" : isIOS() ? "iOS" : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  return system ? `${browser} · ${system}` : browser;
}
