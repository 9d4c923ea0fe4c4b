// The app's service worker, served at /app/sw.js (amina/adapters/web/pages/app.py fills in the
// version and the list of assets). The shell and the static assets are cached so that the app
// starts offline; the API is asked first and its last answers are used only when offline.

const VERSION = "__VERSION__";
const ASSETS = __ASSETS__;
const SHELL_CACHE = `amina-shell-${VERSION}`;
const API_CACHE = "amina-api";
const SHELL = "/app";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      // "reload": a new version must not be filled from the browser's own HTTP cache.
      .then((cache) =>
        cache.addAll(
          [SHELL, "/app/manifest.webmanifest", ...ASSETS].map(
            (url) => new Request(url, { cache: "reload" }),
          ),
        ),
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("amina-shell-") && name !== SHELL_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** The shell in the language the person chose last (the server reads it from the cookie). */
async function cacheShell() {
  const response = await fetch(SHELL, { credentials: "same-origin", cache: "no-store" });
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(SHELL, response);
  }
}

// The page asks for this once it is controlled: its first load, or a load in a newly chosen
// language, may have happened before this worker was there to keep a copy.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "cache-shell") event.waitUntil(cacheShell());
});

// Keys are addresses: the shell varies by language, but only the last one shown is kept.
const MATCH = { ignoreVary: true };

async function networkFirst(request, cacheName, key) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(cacheName);
      await cache.put(key || request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(key || request, MATCH);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, MATCH);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("/api/")) {
    // Only the person's own data is worth showing offline; sign-in answers never are.
    // The region outline too: "My location data" draws its picture offline.
    if (url.pathname.startsWith("/api/v1/me") || url.pathname === "/api/v1/regions/outline") {
      event.respondWith(networkFirst(request, API_CACHE));
    }
    return;
  }
  if (request.mode === "navigate" && (url.pathname === "/app" || url.pathname === "/app/")) {
    // One copy of the shell, in the language last shown, whatever the query string was.
    event.respondWith(networkFirst(request, SHELL_CACHE, SHELL));
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname === "/app/manifest.webmanifest") {
    event.respondWith(cacheFirst(request));
  }
});

// Web push (docs/app-reporting.md "The evening check-in"): the server sends a title, a
// sentence, the link to open and a tag (a newer notification with the same tag replaces the
// older). Tapping it opens that link in the app's window, or in a new one.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Amina", {
      body: data.body || "",
      tag: data.tag || undefined,
      icon: "/static/app/icons/icon-192.png",
      data: { url: data.url || SHELL },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = new URL((event.notification.data && event.notification.data.url) || SHELL, self.location.origin);
  // Only this server's own pages are opened from a notification.
  const target = link.origin === self.location.origin ? link.href : new URL(SHELL, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).pathname.startsWith(SHELL));
      if (open && "navigate" in open) return open.focus().then(() => open.navigate(target));
      return self.clients.openWindow(target);
    }),
  );
});
