// Lantern's service worker: the app shell offline, and the work pages a person may open
// offline. It never touches /api/: records travel only through the page's outbox.
const CONFIG = { version: "dev", precache: [], anonymous: [] }; // filled in by sync/views.py
const STATIC = `lantern-static-${CONFIG.version}`;
const PAGES = "lantern-pages";
const INDEX = "/__lantern/pages.json"; // which pattern each cached page answers, and for whom
const NAVIGATION_TIMEOUT_MS = 4000;
const HOUR_MS = 60 * 60 * 1000;

let firstInstall = false;
let generation = 0; // bumped when the pages cache is cleared, so late fetches are dropped

self.addEventListener("install", (event) => {
  // The very first worker may start at once; a later one waits for "Reload".
  firstInstall = !self.registration.active;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(STATIC);
      // "reload": past the HTTP cache, so a new version never stores an old file.
      await cache.addAll(CONFIG.precache.map((url) => new Request(url, { cache: "reload", credentials: "omit" })));
      if (firstInstall) await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      const old = names.filter((name) => name.startsWith("lantern-static-") && name !== STATIC);
      await Promise.all(old.map((name) => caches.delete(name)));
      // Pages the first worker found uncontrolled are taken over now. This is done always,
      // not only after a first install: a worker may be stopped between install and
      // activate, which forgets firstInstall. A page already under an older worker
      // follows the newly activated one anyway, so claiming changes nothing there.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "skip-waiting") self.skipWaiting();
  if (message.type === "pages") event.waitUntil(cachePages(message.user, message.lang || "", message.lists || "", message.pages || []));
  if (message.type === "clear-pages") event.waitUntil(clearPages());
});

// Background Sync, where the browser has it, only asks open pages to drain their outbox.
self.addEventListener("sync", (event) => {
  if (event.tag !== "lantern-sync") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((clients) => {
      for (const client of clients) client.postMessage({ type: "sync" });
    }),
  );
});

// Web Push: show what the server pushed (a venue and a reason at most; details are read in
// the app) and tell open pages to refresh their alerts count. Opening it goes to its screen.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data?.json() || {};
  } catch {
    // not JSON: still show that something came
  }
  const options = {
    body: data.body || "",
    tag: data.tag || undefined,
    data: { url: ownScreen(data.url) },
    icon: "/static/icons/icon-192.png",
    renotify: Boolean(data.tag) && data.kind === "help_request", // buzz again for each call for help
  };
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(data.title || "Lantern", options),
      self.clients.matchAll({ type: "window" }).then((clients) => clients.forEach((c) => c.postMessage({ type: "alert" }))),
    ]),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openScreen(event.notification.data?.url));
});

// An open Lantern window is focused and taken to the screen; else a new one opens there.
async function openScreen(url) {
  const target = new URL(ownScreen(url), self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (!open) return self.clients.openWindow(target);
  await open.focus().catch(() => {});
  return open.navigate(target).catch(() => self.clients.openWindow(target));
}

// Only this site's own screens: a push never sends anyone elsewhere.
function ownScreen(url) {
  try {
    const parsed = new URL(url || "/alerts", self.location.origin);
    return parsed.origin === self.location.origin ? parsed.pathname + parsed.search + parsed.hash : "/alerts";
  } catch {
    return "/alerts";
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return; // network only
  if (request.method === "POST" && request.mode === "navigate") {
    // A form the outbox does not keep (asking for help, signing in) sent with no connection:
    // the person's offline page, which offers the duty phones, not the browser's error.
    event.respondWith(fetch(request).catch(async () => (await offlinePage()) || Response.error()));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (url.pathname.startsWith("/static/")) {
    // Kept under their versioned address (?v=<content hash>); a module's own relative
    // import asks without it, and gets the same file.
    event.respondWith(caches.match(request, { cacheName: STATIC, ignoreSearch: true }).then((hit) => hit || fetch(request)));
  } else if (CONFIG.precache.includes(url.pathname)) {
    // The manifest: fresh when online, and still there for the browser when offline.
    event.respondWith(fetch(request).catch(() => caches.match(url.pathname, { cacheName: STATIC })));
  }
});

// Pages: the network first. A work page kept offline is answered from the cache when
// the network fails, is slow or breaks; any other page waits for the network, and gets
// the offline page only when there is none.
async function navigate(request, url) {
  const network = fetch(request);
  network.catch(() => {}); // perhaps answered from the cache; nobody else may wait for it
  const page = await cachedPage(url);
  try {
    const response = await (page ? withTimeout(network, NAVIGATION_TIMEOUT_MS) : network);
    if (response.status < 500 || !page) return response;
  } catch {
    // offline, or too slow for a page we have
  }
  return page || (await anonymousPage(url)) || (await offlinePage()) || Response.error();
}

// A page kept for anyone, signed in or not (the sign-in page), as the worker installed it.
function anonymousPage(url) {
  return CONFIG.anonymous.includes(url.pathname) ? caches.match(url.pathname, { cacheName: STATIC }) : undefined;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

// The cached shell for an address: its own shell address (for ?fix=), or one its pattern covers.
async function cachedPage(url) {
  const cache = await caches.open(PAGES);
  const index = await readIndex(cache);
  const page = index?.pages.find(
    (p) => new URL(p.url, self.location.origin).pathname === url.pathname || new RegExp(p.pattern).test(url.pathname),
  );
  return page ? cache.match(page.url) : undefined;
}

// The person's offline page, with links to their work pages; else the anonymous one.
async function offlinePage() {
  return (await caches.match("/offline", { cacheName: PAGES })) || caches.match("/offline", { cacheName: STATIC });
}

async function readIndex(cache) {
  const response = await cache.match(INDEX);
  return response ? response.json() : null;
}

// The shells of this person's work pages, fetched with their session. Skipped when the
// same person's copies are less than an hour old, in the language of the page that asks,
// with the scheme's lists as they are now (their fingerprint), and from this version of
// the app: a change of language or of a list fetches them all again at once.
async function cachePages(user, lang, lists, pages) {
  const index = await readIndex(await caches.open(PAGES));
  const same =
    index && index.user === user && index.lang === lang && index.lists === lists && index.version === CONFIG.version;
  if (same && Date.now() - index.at < HOUR_MS) return;
  if (index && index.user !== user) await clearPages(); // never one person's pages for another
  const started = generation;
  const cache = await caches.open(PAGES);
  const stored = [];
  for (const page of pages) {
    let response;
    try {
      response = await fetch(page.url, { credentials: "same-origin", cache: "no-store" });
    } catch {
      return; // offline now: try again on the next page load
    }
    // A redirect means the session ended (sent to sign in): never keep that page.
    if (!response.ok || response.redirected) continue;
    if (generation !== started) return; // signed out meanwhile
    await cache.put(page.url, response);
    stored.push(page);
  }
  if (generation !== started) return;
  const body = JSON.stringify({ user, lang, lists, version: CONFIG.version, at: Date.now(), pages: stored });
  await cache.put(INDEX, new Response(body, { headers: { "Content-Type": "application/json" } }));
}

async function clearPages() {
  generation += 1;
  await caches.delete(PAGES);
}
